"""Reference values for the EDF reader test, from an independent parse of the myonset EDF.

The header and data records are decoded here with plain numpy (no EDF library), following the
EDF specification: a 256-byte fixed header, 256 bytes per signal, then data records of int16
little-endian samples, signal after signal. Writes tests/data/golden/edf_myonset.txt.

Run from the repository root:  python tests/data/make_golden_edf.py
"""
from __future__ import annotations

import pathlib

import numpy as np

from golden_format import GoldenWriter

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "datasets" / "real" / "myonset-rt-task" / "example_data.edf"
OUT = pathlib.Path(__file__).resolve().parent / "golden" / "edf_myonset.txt"

# Sample indices checked (start, middle, end, and a few in between).
INDICES = [0, 1, 2, 1000, 2047, 2048, 50000, 60001, 100000, 118783]


def field(raw: bytes, offset: int, width: int, count: int) -> list[str]:
    return [raw[offset + i * width: offset + (i + 1) * width].decode("ascii").strip() for i in range(count)]


def main() -> None:
    raw = SOURCE.read_bytes()
    ns = int(raw[252:256])
    n_records = int(raw[236:244])
    record_s = float(raw[244:252])
    base = 256
    labels = field(raw, base, 16, ns)
    base += 16 * ns + 80 * ns  # labels, transducers
    base += 8 * ns  # physical dimensions
    phys_min = np.array([float(v) for v in field(raw, base, 8, ns)])
    phys_max = np.array([float(v) for v in field(raw, base + 8 * ns, 8, ns)])
    dig_min = np.array([float(v) for v in field(raw, base + 16 * ns, 8, ns)])
    dig_max = np.array([float(v) for v in field(raw, base + 24 * ns, 8, ns)])
    base += 32 * ns + 80 * ns  # ranges, prefilters
    spr = np.array([int(v) for v in field(raw, base, 8, ns)])
    header_bytes = 256 * (ns + 1)
    assert len(raw) == header_bytes + n_records * spr.sum() * 2, "file size disagrees with the header"
    assert (spr == spr[0]).all()
    samples = np.frombuffer(raw, dtype="<i2", offset=header_bytes).reshape(n_records, ns, spr[0])
    counts = samples.transpose(1, 0, 2).reshape(ns, -1).astype(float)

    status = labels.index("Status")
    signals = [i for i in range(ns) if i != status]
    physical = (counts - dig_min[:, None]) * ((phys_max - phys_min) / (dig_max - dig_min))[:, None] + phys_min[:, None]

    code = counts[status].astype(np.int64) & 0xFFFF
    prev = np.concatenate([[0], code[:-1]])
    onsets = np.flatnonzero((code != prev) & (code != 0))

    w = GoldenWriter(OUT, "myonset example_data.edf decoded with numpy (tests/data/make_golden_edf.py)\n"
                          "signals exclude the Status channel; status_events: sample, trigger code")
    w.add("n_signals", len(signals))
    w.add("fs_hz", spr[0] / record_s)
    w.add("n_samples", counts.shape[1])
    w.add("indices", INDICES)
    w.add("counts", counts[signals][:, INDICES])
    w.add("physical", physical[signals][:, INDICES])
    w.add("digital_min", dig_min[signals])
    w.add("digital_max", dig_max[signals])
    w.add("physical_min", phys_min[signals])
    w.add("physical_max", phys_max[signals])
    w.add("status_events", np.column_stack([onsets, code[onsets]]))
    w.save()


if __name__ == "__main__":
    main()
