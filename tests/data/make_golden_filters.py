"""Write the SciPy reference values for the C++ filter tests (tests/cpp/filters_*_test.cpp).

Run from anywhere:  python tests/data/make_golden_filters.py
Writes tests/data/golden/filters_design.txt and tests/data/golden/filters_apply.txt.
"""
from __future__ import annotations

import pathlib

import numpy as np
import scipy
import scipy.signal as ss

from golden_format import GoldenWriter

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "golden"

FS_VALUES = (250.0, 1000.0, 2048.0, 10000.0)
BTYPES = ("lowpass", "highpass", "bandpass", "bandstop")


def cutoffs(btype: str, fs: float):
    """Edges at fixed fractions of Nyquist so every fs gets a valid design."""
    nyq = fs / 2
    return [0.08 * nyq, 0.45 * nyq] if btype.startswith("band") else [0.3 * nyq]


def write_design() -> None:
    g = GoldenWriter(GOLDEN / "filters_design.txt",
                     f"scipy.signal.butter(..., output='sos', fs=fs) / iirnotch / iirpeak, SciPy {scipy.__version__}\n"
                     "butter_<btype>_fs<fs>_n<order>: the sos; cut_<btype>_fs<fs>: the cut-off(s) in Hz")
    for fs in FS_VALUES:
        for btype in BTYPES:
            cut = cutoffs(btype, fs)
            g.add(f"cut_{btype}_fs{int(fs)}", cut)
            for order in range(1, 11):
                sos = ss.butter(order, cut if len(cut) == 2 else cut[0], btype, output="sos", fs=fs)
                g.add(f"butter_{btype}_fs{int(fs)}_n{order}", sos)
    # the EMG band-pass used everywhere in CrampLab
    g.add("butter_emg_2048", ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048))
    for name, fn in (("notch", ss.iirnotch), ("peak", ss.iirpeak)):
        for w0, q, fs in ((50.0, 30.0, 1000.0), (60.0, 10.0, 2048.0), (400.0, 2.5, 1000.0)):
            b, a = fn(w0, q, fs=fs)
            g.add(f"{name}_{int(w0)}_{q:g}_{int(fs)}".replace(".", "p"), np.concatenate([b, a]))
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)
    f = np.array([0.0, 20.0, 100.0, 235.0, 450.0, 1000.0])
    _, h = ss.sosfreqz(sos, worN=f, fs=2048)
    g.add("freqz_f", f)
    g.add("freqz_re", h.real)
    g.add("freqz_im", h.imag)
    g.save()


def write_apply() -> None:
    rng = np.random.default_rng(20261122)
    x = rng.standard_normal((2, 2000))
    x[1] = np.cumsum(x[1]) * 0.1 + 2.5  # drift and offset, so padding and the steady-state start matter
    # Outputs are kept only at these samples (all of both ends, where padding acts, and a stride
    # through the middle) to keep the file small; the C++ test compares the same columns.
    idx = np.concatenate([np.arange(0, 30), np.arange(30, 1970, 40), np.arange(1970, 2000)])
    g = GoldenWriter(GOLDEN / "filters_apply.txt",
                     f"scipy.signal.sosfilt / sosfiltfilt / sosfilt_zi on a seeded 2 x 2000 signal, SciPy {scipy.__version__}\n"
                     "sos_<name> is the filter; y_<name>_<padtype>_<padlen> the sosfiltfilt output\n"
                     "outputs are stored at the columns listed in idx")
    g.add("x", x)
    g.add("idx", idx)
    filters = {
        "bp4": ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048),
        "lp3": ss.butter(3, 100, "lowpass", output="sos", fs=1000),
        "hp2": ss.butter(2, 10, "highpass", output="sos", fs=1000),
    }
    for name, sos in filters.items():
        g.add(f"sos_{name}", sos)
        g.add(f"zi_{name}", ss.sosfilt_zi(sos))
        g.add(f"sosfilt_{name}", ss.sosfilt(sos, x, axis=-1)[:, idx])
        zi = rng.standard_normal((sos.shape[0], x.shape[0], 2))
        y, zf = ss.sosfilt(sos, x, axis=-1, zi=zi)
        # state in libemg's layout: channels x (2 * n_sections)
        g.add(f"zi_in_{name}", zi.transpose(1, 0, 2).reshape(x.shape[0], -1))
        g.add(f"sosfilt_zi_{name}", y[:, idx])
        g.add(f"zf_{name}", zf.transpose(1, 0, 2).reshape(x.shape[0], -1))
        for padtype in ("odd", "even", "constant", None):
            for padlen in (None, 0, 7, 500):
                if name != "bp4" and padlen in (7, 500):
                    continue
                y = ss.sosfiltfilt(sos, x, axis=-1, padtype=padtype, padlen=padlen)
                g.add(f"y_{name}_{padtype or 'none'}_{'default' if padlen is None else padlen}", y[:, idx])
    g.save()


if __name__ == "__main__":
    write_design()
    write_apply()
