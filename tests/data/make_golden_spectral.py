"""Golden files for the C++ spectral tests (tests/cpp/spectral_*_test.cpp), made with SciPy.

Run from anywhere: python tests/data/make_golden_spectral.py
Writes tests/data/golden/spectral_{windows,welch,stft,metrics,fatigue}.txt. Each case stores its
parameters as a small numeric array so the C++ test reads what to compute from the file.
Codes: window index into WINDOWS; detrend 0 none / 1 constant / 2 linear; scaling 0 density /
1 spectrum; average 0 mean / 1 median.
"""
from __future__ import annotations

import math
import pathlib
import sys

import numpy as np
import scipy.signal as ss
import scipy.stats as st

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from golden_format import GoldenWriter  # noqa: E402

OUT = HERE / "golden"
WINDOWS = ["hann", "hamming", "blackman", "boxcar", "bartlett", "tukey", "flattop"]
DETRENDS = [False, "constant", "linear"]
SCALINGS = ["density", "spectrum"]
AVERAGES = ["mean", "median"]


def window_arg(code, param):
    name = WINDOWS[code]
    return (name, param) if param >= 0 else name


def make_signal(rng, channels, n, fs):
    t = np.arange(n) / fs
    return rng.standard_normal((channels, n)) + 0.5 * np.sin(2 * np.pi * 0.07 * fs * t) + 0.3 * t


def windows():
    g = GoldenWriter(OUT / "spectral_windows.txt", "scipy.signal.get_window(name, n) for n in (1, 2, 7, 64)")
    for i, name in enumerate(WINDOWS):
        for n in (1, 2, 7, 64):
            g.add(f"{name}_{n}", ss.get_window(name, n))
    for alpha in (0.0, 0.25, 1.0):
        g.add(f"tukey{alpha}_64", ss.get_window(("tukey", alpha), 64))
    g.save()


WELCH_CASES = [  # window, param, nperseg, noverlap, nfft, detrend, scaling, average
    (0, -1, 256, -1, 0, 1, 0, 0),
    (5, 0.25, 100, 10, 256, 2, 1, 0),
    (6, -1, 128, 0, 0, 0, 0, 1),
    (1, -1, 333, 300, 400, 1, 0, 1),
    (4, -1, 50, 25, 0, 1, 1, 0),
    (2, -1, 64, 63, 0, 2, 0, 0),
    (3, -1, 17, 5, 32, 1, 0, 1),
]


def welch():
    fs = 1000.0
    x = make_signal(np.random.default_rng(1), 2, 1500, fs)
    g = GoldenWriter(OUT / "spectral_welch.txt", "scipy.signal.welch / periodogram of x (fs 1000 Hz)")
    g.add("fs", fs)
    g.add("x", x)
    for i, (w, prm, nper, nov, nfft, det, sc, av) in enumerate(WELCH_CASES):
        g.add(f"case{i}_params", [w, prm, nper, nov, nfft, det, sc, av])
        f, p = ss.welch(x, fs=fs, window=window_arg(w, prm), nperseg=nper, noverlap=None if nov < 0 else nov,
                        nfft=None if nfft == 0 else nfft, detrend=DETRENDS[det], scaling=SCALINGS[sc],
                        average=AVERAGES[av])
        g.add(f"case{i}_freqs", f)
        g.add(f"case{i}_power", p)
    for i, (w, prm, nfft, det, sc) in enumerate([(3, -1, 0, 1, 0), (0, -1, 1000, 2, 1), (5, 0.1, 2048, 0, 0)]):
        g.add(f"pgram{i}_params", [w, prm, nfft, det, sc])
        f, p = ss.periodogram(x, fs=fs, window=window_arg(w, prm), nfft=None if nfft == 0 else nfft,
                              detrend=DETRENDS[det], scaling=SCALINGS[sc])
        g.add(f"pgram{i}_freqs", f)
        g.add(f"pgram{i}_power", p)
    g.save()


STFT_CASES = [  # window, param, nperseg, noverlap, nfft, detrend, boundary_zeros, padded, scaling(0 psd, 1 spectrum)
    (0, -1, 128, -1, 0, 0, 1, 1, 1),
    (1, -1, 101, 30, 128, 2, 0, 0, 0),
    (5, 0.5, 64, 0, 0, 1, 1, 0, 1),
]
SPECTROGRAM_CASES = [  # window, param, nperseg, noverlap, nfft, detrend, scaling
    (5, 0.25, 128, -1, 0, 1, 0),
    (0, -1, 100, 50, 128, 2, 1),
]


def stft():
    fs = 2048.0
    x = make_signal(np.random.default_rng(2), 1, 700, fs)
    g = GoldenWriter(OUT / "spectral_stft.txt", "scipy.signal.stft / spectrogram of x (fs 2048 Hz)")
    g.add("fs", fs)
    g.add("x", x)
    for i, (w, prm, nper, nov, nfft, det, bz, pad, sc) in enumerate(STFT_CASES):
        g.add(f"stft{i}_params", [w, prm, nper, nov, nfft, det, bz, pad, sc])
        f, t, z = ss.stft(x[0], fs=fs, window=window_arg(w, prm), nperseg=nper, noverlap=None if nov < 0 else nov,
                          nfft=None if nfft == 0 else nfft, detrend=DETRENDS[det], boundary="zeros" if bz else None,
                          padded=bool(pad), scaling=["psd", "spectrum"][sc])
        g.add(f"stft{i}_freqs", f)
        g.add(f"stft{i}_times", t)
        g.add(f"stft{i}_real", z.real)
        g.add(f"stft{i}_imag", z.imag)
    for i, (w, prm, nper, nov, nfft, det, sc) in enumerate(SPECTROGRAM_CASES):
        g.add(f"sgram{i}_params", [w, prm, nper, nov, nfft, det, sc])
        f, t, s = ss.spectrogram(x[0], fs=fs, window=window_arg(w, prm), nperseg=nper,
                                 noverlap=None if nov < 0 else nov, nfft=None if nfft == 0 else nfft,
                                 detrend=DETRENDS[det], scaling=SCALINGS[sc])
        g.add(f"sgram{i}_freqs", f)
        g.add(f"sgram{i}_times", t)
        g.add(f"sgram{i}_power", s)
    g.save()


def band_mask(f, low, high):
    df = (f[-1] - f[0]) / (f.size - 1)
    lo = f[0] if low < 0 else low
    hi = f[-1] if high < 0 else high
    return (f >= lo - 1e-9 * df) & (f <= hi + 1e-9 * df), df


def moment(f, p, k, low, high):
    m, df = band_mask(f, low, high)
    return np.sum(f[m] ** k * p[..., m], axis=-1) * df


def mdf(f, p, low, high):
    """The library's definition: cumulative power at bin upper edges, linear inside the bin."""
    m, df = band_mask(f, low, high)
    fb, pb = f[m], p[..., m]
    out = []
    for row in np.atleast_2d(pb):
        cs = np.cumsum(row)
        half = cs[-1] / 2
        i = int(np.argmax(cs >= half))
        below = cs[i - 1] if i > 0 else 0.0
        out.append(fb[i] - df / 2 + (half - below) / row[i] * df)
    return np.array(out)


def metrics():
    fs = 1000.0
    x = np.random.default_rng(3).standard_normal((2, 4000))
    f, p = ss.welch(x, fs=fs, nperseg=256)
    g = GoldenWriter(OUT / "spectral_metrics.txt", "Spectral metrics of a Welch PSD with NumPy (library definitions)")
    g.add("freqs", f)
    g.add("power", p)
    for i, (low, high) in enumerate([(-1.0, -1.0), (20.0, 450.0), (50.0, 51.0)]):
        g.add(f"band{i}", [low, high])
        m0 = moment(f, p, 0, low, high)
        g.add(f"band{i}_power", m0)
        g.add(f"band{i}_mnf", moment(f, p, 1, low, high) / m0)
        g.add(f"band{i}_mdf", mdf(f, p, low, high))
        mask, _ = band_mask(f, low, high)
        g.add(f"band{i}_peak", f[mask][np.argmax(p[:, mask], axis=-1)])
        g.add(f"band{i}_m2", moment(f, p, 2, low, high))
        if low > 0:
            g.add(f"band{i}_fi", moment(f, p, -1, low, high) / moment(f, p, 5, low, high))
    g.save()


def samples(sec, fs):
    return int(math.floor(sec * fs + 0.5))


def fatigue():
    fs = 500.0
    rng = np.random.default_rng(4)
    n = 2600
    x = rng.standard_normal((1, n)) * np.linspace(1.0, 2.0, n)
    g = GoldenWriter(OUT / "spectral_fatigue.txt", "Fatigue series reference: epochs, scipy.signal.welch, NumPy MNF/MDF")
    g.add("fs", fs)
    g.add("x", x)
    window_s, step_s, segment_s, low, high = 0.6, 0.25, 0.2, 20.0, 450.0
    g.add("params", [window_s, step_s, segment_s, low, high])
    W, S, P = samples(window_s, fs), samples(step_s, fs), samples(segment_s, fs)
    E = (n - W) // S + 1
    mnf, md, rms, arv = [], [], [], []
    for e in range(E):
        seg = x[0, e * S:e * S + W]
        f, p = ss.welch(seg, fs=fs, nperseg=P)
        hi = min(high, f[-1])
        mnf.append(moment(f, p, 1, low, hi) / moment(f, p, 0, low, hi))
        md.append(mdf(f, p, low, hi)[0])
        rms.append(np.sqrt(np.mean(seg**2)))
        arv.append(np.mean(np.abs(seg)))
    times = (np.arange(E) * S + W / 2) / fs
    g.add("times", times)
    g.add("mnf", mnf)
    g.add("mdf", md)
    g.add("rms", rms)
    g.add("arv", arv)
    lr = st.linregress(times, md)
    q = st.t.ppf(0.975, E - 2)
    g.add("mdf_trend", [lr.slope, lr.intercept, lr.slope - q * lr.stderr, lr.slope + q * lr.stderr,
                        100 * lr.slope / lr.intercept, lr.rvalue**2, E])
    dofs = np.array([1, 2, 3, 5, 10, 29, 40, 100, 1000, 7197, 1e5])
    g.add("t_dofs", dofs)
    g.add("t_ppf975", st.t.ppf(0.975, dofs))
    g.add("t_ppf90", st.t.ppf(0.90, dofs))
    g.save()


if __name__ == "__main__":
    windows()
    welch()
    stft()
    metrics()
    fatigue()
    for p in sorted(OUT.glob("spectral_*.txt")):
        print(p.name, p.stat().st_size, "bytes")
