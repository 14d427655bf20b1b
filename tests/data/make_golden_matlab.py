"""Golden values for the MATLAB reader: datasets/real/emggo-samples/sample_data.mat read with scipy.io.loadmat.

Struct EMG with fields channelData (samples x channels, double) and fs.
Run from the repository root: python tests/data/make_golden_matlab.py
"""
from __future__ import annotations

import math
import pathlib
import sys

import numpy as np
import scipy.io

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from golden_format import GoldenWriter  # noqa: E402

SRC = HERE.parent.parent / "datasets" / "real" / "emggo-samples" / "sample_data.mat"


def main() -> None:
    m = scipy.io.loadmat(SRC)
    emg = m["EMG"][0, 0]
    x = np.asarray(emg["channelData"], dtype=np.float64)  # samples x channels
    w = GoldenWriter(HERE / "golden" / "matlab.txt",
                     "emgGO sample_data.mat via scipy.io.loadmat; make_golden_matlab.py\n"
                     "data are channels x samples (transposed from the file's samples x channels)")
    w.add("fs", float(np.asarray(emg["fs"]).ravel()[0]))
    w.add("shape", x.T.shape)
    w.add("head", x[:16].T)
    w.add("tail", x[-16:].T)
    idx = np.linspace(0, x.shape[0] - 1, 64).astype(int)
    w.add("picks_index", idx)
    w.add("picks", x[idx].T)
    w.add("sum", math.fsum(x.ravel()))
    w.add("min", x.min())
    w.add("max", x.max())
    w.save()


if __name__ == "__main__":
    main()
