"""Vendor the pages' JavaScript libraries: fetch each pinned version with npm, check it, copy it in.

    python scripts/vendor_js.py            # re-vendor every pin (needs npm and the registry)
    python scripts/vendor_js.py --check    # check the committed files against the pins (offline)

A pin names the npm package, its version, the tarball's integrity (as the registry publishes it)
and the sha256 of each file taken from it, so a re-vendored file is the one committed, byte for
byte, or the script stops. The licence files beside each library are committed once and checked
here too; nothing vendored is ever edited.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "autograd" / "pages" / "vendor"


@dataclass(frozen=True)
class Pin:
    """One npm package at one version: where it goes, and the checksums of what is taken from it."""

    package: str
    version: str
    integrity: str  # the registry's dist.integrity of the tarball
    directory: str  # under autograd/pages/vendor/
    files: dict[str, tuple[str, str]]  # path in the package -> (name in directory, sha256)
    notices: dict[str, str] = field(default_factory=dict)  # licence files committed beside it -> sha256


PINS = [
    Pin(
        package="@viz-js/viz",
        version="3.31.0",
        integrity="sha512-r7zlQdRvcwvIpjHGgs+KNWHeE/P5/Dq7k8ZAKaMCbZqomxCBJV78gVuQYaHzFVca+kB0mX0fMW9UFevCOBG50A==",
        directory="viz-js",
        files={
            # the build for a plain <script>: defines the global Viz; the WebAssembly is inside it
            "package/dist/viz-global.js": (
                "viz-global.js",
                "c9e0b310f9883910e01c66054b48b7ff4be3d8695141116635e72b0af152692e",
            ),
        },
        notices={
            "LICENSE": "28d1d05bd2cf402278ac4233b0656616fe386650e2d978aed11db66c53a51ef4",  # Viz.js, MIT
            "GRAPHVIZ-LICENSE-EPL-2.0.txt": "0becf16567beb77fa252b7664631dd177c8f9a1889e48995b45379c7130e5303",
            "NOTICE": "26a24ca90fe1d3b1327506dd510ed0dff0bf81d90dd92181444e836c357f9921",
        },
    ),
]


class VendorError(RuntimeError):
    """A vendored file that is missing or differs from its pin, or a download that does not match."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(vendor: Path = VENDOR, pins: list[Pin] = PINS) -> list[Path]:
    """The vendored files, each checked against its pin (no network); VendorError at the first wrong one."""
    checked = []
    for pin in pins:
        wanted = {name: digest for name, digest in pin.files.values()} | pin.notices
        for name, digest in wanted.items():
            path = vendor / pin.directory / name
            if not path.is_file():
                raise VendorError(f"{pin.package}@{pin.version}: {path} is missing; run scripts/vendor_js.py")
            if sha256(path) != digest:
                raise VendorError(
                    f"{pin.package}@{pin.version}: {path} has sha256 {sha256(path)}, the pin says {digest}: "
                    "vendored files are never edited (re-vendor with scripts/vendor_js.py, or change the pin)"
                )
            checked.append(path)
    return checked


def _integrity(path: Path, expected: str) -> None:
    algorithm, _, encoded = expected.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest()).decode()
    if digest != encoded:
        raise VendorError(f"{path.name}: integrity {algorithm}-{digest}, the pin says {expected}")


def vendor(pin: Pin, destination: Path = VENDOR) -> None:
    """Fetch ``pin`` with ``npm pack``, check the tarball and each file, and copy the files in."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed: it fetches the pinned package from the registry")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", f"{pin.package}@{pin.version}", "--silent"], cwd=tmp, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise VendorError(f"npm pack {pin.package}@{pin.version} failed:\n{done.stderr}")
        tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
        _integrity(tarball, pin.integrity)
        with tarfile.open(tarball) as archive:
            for member, (name, digest) in pin.files.items():
                source = archive.extractfile(member)
                if source is None:
                    raise VendorError(f"{pin.package}@{pin.version} has no file {member}")
                data = source.read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise VendorError(f"{member} of {pin.package}@{pin.version} does not match its pinned sha256")
                target = destination / pin.directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                print(f"vendored {target.relative_to(ROOT)} ({len(data):,} bytes) from {pin.package}@{pin.version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the committed files (no network)")
    args = parser.parse_args(argv)
    try:
        if not args.check:
            for pin in PINS:
                vendor(pin)
        for path in check():
            print(f"ok {path.relative_to(ROOT)}")
    except VendorError as error:
        print(f"vendor_js: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
