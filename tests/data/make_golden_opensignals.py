"""Golden values for the OpenSignals (PLUX) HDF5 reader, read with h5py alone.

For every device group of every datasets/real/plux-biosignalsnotebooks/*.h5 file: sampling rate,
nsamples, and per raw/channel_<k>: resolution (bits), first/last 8 ADC counts, min, max, the exact
sum of the counts, and the first 8 samples in volts by PLUX's EMG transfer function
EMG(V) = (ADC/2^n - 1/2) * 3 V / 1000.
Run from the repository root: python tests/data/make_golden_opensignals.py
"""
from __future__ import annotations

import pathlib
import sys

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from golden_format import GoldenWriter  # noqa: E402

SRC = HERE.parent.parent / "datasets" / "real" / "plux-biosignalsnotebooks"


def main() -> None:
    w = GoldenWriter(HERE / "golden" / "opensignals.txt",
                     "OpenSignals HDF5 golden values (h5py); make_golden_opensignals.py\n"
                     "names: <file stem>.<device index in sorted group order>.<field>")
    for f in sorted(SRC.glob("*.h5")):
        with h5py.File(f, "r") as h:
            devices = sorted(k for k in h if isinstance(h[k], h5py.Group) and "raw" in h[k])
            w.add(f"{f.stem}.n_devices", len(devices))
            for i, mac in enumerate(devices):
                g = h[mac]
                p = f"{f.stem}.{i}"
                w.add(f"{p}.fs", float(g.attrs["sampling rate"]))
                w.add(f"{p}.nsamples", float(g.attrs["nsamples"]))
                numbers = list(np.atleast_1d(g.attrs["channels"]))
                res = list(np.atleast_1d(g.attrs["resolution"]))
                chans = sorted(int(k.split("_")[1]) for k in g["raw"] if k.startswith("channel_"))
                w.add(f"{p}.channels", chans)
                for k in chans:
                    counts = g["raw"][f"channel_{k}"][()].astype(np.float64).ravel()
                    bits = int(res[numbers.index(k)])
                    q = f"{p}.ch{k}"
                    w.add(f"{q}.bits", bits)
                    w.add(f"{q}.n", counts.size)
                    w.add(f"{q}.head", counts[:8])
                    w.add(f"{q}.tail", counts[-8:])
                    w.add(f"{q}.min", counts.min())
                    w.add(f"{q}.max", counts.max())
                    w.add(f"{q}.sum", counts.sum())
                    w.add(f"{q}.head_volts", (counts[:8] / 2.0**bits - 0.5) * 3.0 / 1000.0)
    w.save()


if __name__ == "__main__":
    main()
