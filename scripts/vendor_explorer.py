"""Re-vendor the explorer's JavaScript library (pan and zoom) from npm at its pinned version.

    python scripts/vendor_explorer.py          # fetch, check against the pins, write
    python scripts/vendor_explorer.py --check  # only compare the committed files with the pins

``npm pack`` fetches the package tarball and checks it against the registry's integrity hash;
this script then checks each file it copies against the SHA-256 pinned below, so a changed
upstream file is refused instead of vendored. To move to a new version, change VERSION, run
with ``--repin`` and review the diff. tests/test_explorer.py checks the committed files against
the same pins.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "autograd" / "pages" / "vendor"

PACKAGES = {
    "panzoom": {
        "npm": "@panzoom/panzoom",
        "version": "4.6.2",
        "licence": "MIT",
        # file in the npm tarball -> file in VENDOR/<name>/, with the SHA-256 of its content
        "files": {
            "package/dist/panzoom.min.js": (
                "panzoom.min.js",
                "3ce354ef7b493efb62a4d4acaaf86fa2d6027eb629857a4e144041de1a112c1e",
            ),
            "package/MIT-License.txt": (
                "LICENSE",
                "db74524b3ab3853bcfc7300dade1f5e0176e59ed3c0cff43848a2c300091a22c",
            ),
        },
    },
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(name: str, package: dict) -> dict[str, bytes]:
    """The pinned files of one package, read from the tarball ``npm pack`` downloads."""
    with tempfile.TemporaryDirectory() as folder:
        spec = f"{package['npm']}@{package['version']}"
        done = subprocess.run(
            ["npm", "pack", spec, "--json", "--pack-destination", folder],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"npm pack {spec} failed: {done.stderr.strip()}")
        tarball = Path(folder) / json.loads(done.stdout)[0]["filename"]
        with tarfile.open(tarball) as archive:
            return {member: archive.extractfile(member).read() for member in package["files"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the committed files against the pins")
    parser.add_argument("--repin", action="store_true", help="print the checksums of the fetched files as new pins")
    args = parser.parse_args(argv)
    failures = 0
    for name, package in PACKAGES.items():
        folder = VENDOR / name
        if args.check:
            for target, pinned in package["files"].values():
                actual = sha256((folder / target).read_bytes())
                if actual != pinned:
                    print(f"{name}/{target}: {actual} differs from the pin {pinned}")
                    failures += 1
            continue
        files = fetch(name, package)
        for member, data in files.items():
            target, pinned = package["files"][member]
            if args.repin:
                print(f'            "{member}": ("{target}", "{sha256(data)}"),')  # to paste above
                continue
            if sha256(data) != pinned:
                sys.exit(f"{package['npm']}@{package['version']} {member}: {sha256(data)} is not the pinned {pinned}")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / target).write_bytes(data)
            print(f"wrote {(folder / target).relative_to(ROOT)} ({len(data):,} bytes)")
        if not args.repin:
            about = f"{package['npm']} {package['version']} ({package['licence']})"
            (folder / "VERSION").write_text(f"{about}, vendored by scripts/vendor_explorer.py\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
