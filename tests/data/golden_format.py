"""Writer for the golden-file format read by tests/cpp/golden.hpp.

A golden file is plain text: for every array a line ``@ <name> <rows> <cols>`` then ``rows``
lines of ``cols`` numbers printed with 17 significant digits (exact double round trip).
Scalars are 1 x 1 arrays, vectors are 1 x n. Lines starting with ``#`` are comments.
"""
from __future__ import annotations

import pathlib

import numpy as np


class GoldenWriter:
    def __init__(self, path: pathlib.Path, comment: str):
        self.path = pathlib.Path(path)
        self.lines = [f"# {line}" for line in comment.splitlines()]

    def add(self, name: str, value) -> None:
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        elif arr.ndim == 1:
            arr = arr.reshape(1, -1)
        elif arr.ndim != 2:
            raise ValueError(f"golden array {name!r} must be 0-, 1- or 2-D, got {arr.ndim}-D")
        if " " in name:
            raise ValueError(f"golden array name {name!r} must not contain spaces")
        self.lines.append(f"@ {name} {arr.shape[0]} {arr.shape[1]}")
        for row in arr:
            self.lines.append(" ".join(repr(float(v)) for v in row))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("\n".join(self.lines) + "\n")
        tmp.replace(self.path)
