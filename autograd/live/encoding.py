"""The frames' compact encoding: what ``autograd/pages/live_data.js`` decodes in the page.

A chunk of frames is JSON: each frame's small numbers as they are (step, loss, accuracy, learning
rate, events) and every array of every frame in one binary block, base64 text of zlib's deflate.
In the block, frame after frame: the parameters, the gradient (when the frame has one), the last
update and each optimizer state array as float32, then the probe graph's data and gradients as
float64, each little-endian. Before deflate, each array's bits are XOR-ed with the same array of
the previous frame of the chunk (training moves numbers a little, so the high bytes cancel) and
its bytes are shuffled into planes (every number's first byte, then every second byte, ...), so
that the zeros lie together. Both steps are undone exactly: the page gets back every bit.
"""

from __future__ import annotations

import base64
import json
import sys
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT = "autograd-live/1"

__all__ = ["FORMAT", "Frame", "decode", "encode"]


@dataclass
class Frame:
    """One recorded moment of training, its arrays kept as little-endian bytes (float32 or float64)."""

    step: int
    loss: float | None
    accuracy: float | None
    lr: float | None
    events: list[dict[str, Any]]
    params: bytes  # float32
    grads: bytes | None  # float32: the batch gradient the step used, or None
    update: bytes  # float32: params after the step minus before
    state: dict[str, bytes]  # float32 per optimizer state name
    probe_data: bytes  # float64, one per recorded probe node
    probe_grad: bytes  # float64
    extra: dict[str, Any] = field(default_factory=dict)

    def meta(self) -> dict[str, Any]:
        """The frame's small numbers, as JSON."""
        meta = {
            "step": self.step,
            "loss": self.loss,
            "accuracy": self.accuracy,
            "lr": self.lr,
            "events": self.events,
            "grads": self.grads is not None,
        }
        meta.update(self.extra)
        return meta


def floats32(values: Sequence[float]) -> bytes:
    """``values`` as little-endian float32 bytes."""
    return _little(array("f", values))


def floats64(values: Sequence[float]) -> bytes:
    """``values`` as little-endian float64 bytes."""
    return _little(array("d", values))


def _little(numbers: array) -> bytes:
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers.tobytes()


def _from_bytes(raw: bytes, typecode: str) -> list[float]:
    numbers = array(typecode)
    numbers.frombytes(raw)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers.tolist()


def _xor(raw: bytes, previous: bytes | None) -> bytes:
    if previous is None or len(previous) != len(raw):
        return raw
    return (int.from_bytes(raw, "little") ^ int.from_bytes(previous, "little")).to_bytes(len(raw), "little")


def _shuffle(raw: bytes, width: int) -> bytes:
    return b"".join(raw[i::width] for i in range(width))


def _unshuffle(planes: bytes, width: int) -> bytes:
    n = len(planes) // width
    out = bytearray(len(planes))
    for i in range(width):
        out[i::width] = planes[i * n : (i + 1) * n]
    return bytes(out)


def _arrays(frame: Frame, state_names: Sequence[str]) -> list[tuple[str, bytes | None, int]]:
    """(name, bytes, width) of each array of a frame, in the block's order."""
    return [
        ("params", frame.params, 4),
        ("grads", frame.grads, 4),
        ("update", frame.update, 4),
        *((f"state.{name}", frame.state.get(name), 4) for name in state_names),
        ("probe.data", frame.probe_data, 8),
        ("probe.grad", frame.probe_grad, 8),
    ]


def encode(
    frames: Sequence[Frame], *, params: int, state: Sequence[str], probe: int, compress: bool = True
) -> dict[str, Any]:
    """A chunk of ``frames`` as JSON-ready data: ``params`` numbers per parameter array, the optimizer's
    ``state`` names, ``probe`` recorded nodes. ``compress=False`` skips deflate (for tiny live chunks)."""
    sizes = {"params": params, "state": list(state), "probe": probe}
    block = bytearray()
    previous: dict[str, bytes] = {}
    for frame in frames:
        for name, raw, width in _arrays(frame, state):
            if raw is None:
                continue
            length = (probe if name.startswith("probe.") else params) * width
            if len(raw) != length:
                raise ValueError(f"live frame {frame.step}: {name} holds {len(raw)} bytes, expected {length}")
            block += _shuffle(_xor(raw, previous.get(name)), width)
            previous[name] = raw
    data = zlib.compress(bytes(block), 9) if compress else bytes(block)
    return {
        "format": FORMAT,
        "count": len(frames),
        "sizes": sizes,
        "frames": [frame.meta() for frame in frames],
        "compression": "zlib" if compress else "none",
        "data": base64.b64encode(data).decode("ascii"),
    }


def decode(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    """The frames of an encoded chunk, as ``live_data.js`` gives them (lists where it gives typed arrays)."""
    if not isinstance(chunk, dict) or chunk.get("format") != FORMAT:
        raise ValueError(f"not a chunk of live frames in the format {FORMAT!r}: {str(chunk)[:80]}")
    raw = base64.b64decode(chunk["data"])
    block = zlib.decompress(raw) if chunk["compression"] == "zlib" else raw
    sizes = chunk["sizes"]
    params, state, probe = sizes["params"], sizes["state"], sizes["probe"]
    position = 0
    previous: dict[str, bytes] = {}
    frames = []
    for meta in chunk["frames"]:
        arrays: dict[str, list[float] | None] = {}
        names = ["params", *(["grads"] if meta["grads"] else []), "update", *(f"state.{s}" for s in state)]
        names += ["probe.data", "probe.grad"]
        for name in names:
            width = 8 if name.startswith("probe.") else 4
            length = (probe if name.startswith("probe.") else params) * width
            planes = block[position : position + length]
            position += length
            bits = _xor(_unshuffle(planes, width), previous.get(name))
            previous[name] = bits
            arrays[name] = _from_bytes(bits, "d" if width == 8 else "f")
        if position > len(block):
            raise ValueError("a chunk of live frames ends early: its data is cut short")
        frame = {k: v for k, v in meta.items() if k != "grads"}
        frame.update(
            params=arrays["params"],
            grads=arrays.get("grads"),
            update=arrays["update"],
            state={s: arrays[f"state.{s}"] for s in state},
            probe={"data": arrays["probe.data"], "grad": arrays["probe.grad"]},
        )
        frames.append(frame)
    if position != len(block):
        raise ValueError(f"a chunk of live frames holds {len(block) - position} bytes more than its frames")
    return frames


def size_of(chunk: dict[str, Any]) -> int:
    """Bytes of the chunk as JSON text."""
    return len(json.dumps(chunk, separators=(",", ":")))
