"""Write the NumPy/SciPy reference values for the C++ amplitude and mains tests.

Run from anywhere:  python tests/data/make_golden_amplitude.py
Writes tests/data/golden/amplitude_moving.txt, amplitude_envelope.txt and mains_notch.txt
(tests/cpp/filters_amplitude_test.cpp, tests/cpp/filters_mains_test.cpp).
"""
from __future__ import annotations

import pathlib

import numpy as np
import scipy
import scipy.signal as ss

from golden_format import GoldenWriter

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "golden"


def window_stat(x: np.ndarray, n_window: int, align: str, root: bool) -> np.ndarray:
    """Direct per-sample definition: mean (or RMS) over the window clipped to the signal."""
    back, fwd = ((n_window - 1) // 2, n_window // 2) if align == "centered" else (n_window - 1, 0)
    out = np.empty_like(x)
    for n in range(x.shape[-1]):
        seg = x[..., max(0, n - back): min(x.shape[-1], n + fwd + 1)]
        out[..., n] = np.sqrt(np.mean(seg * seg, axis=-1)) if root else np.mean(seg, axis=-1)
    return out


def emg_like(rng, fs: float, n: int) -> np.ndarray:
    """Seeded white noise band-passed 20-450 Hz (SCIENCE.md 7.1 level A), unit RMS."""
    sos = ss.butter(4, [20.0, min(450.0, 0.45 * fs)], btype="bandpass", output="sos", fs=fs)
    s = ss.sosfiltfilt(sos, rng.standard_normal(n))
    return s / np.sqrt(np.mean(s * s))


def hum(fs: float, n: int, line_hz: float, amps) -> np.ndarray:
    t = np.arange(n) / fs
    return sum(a * np.sin(2 * np.pi * line_hz * (h + 1) * t + 0.3 * (h + 1)) for h, a in enumerate(amps))


def write_moving(rng) -> None:
    g = GoldenWriter(GOLDEN / "amplitude_moving.txt",
                     f"Moving RMS / average by the direct per-window definition (NumPy {np.__version__}).\n"
                     "x: 2 x 150 samples at fs 1000 Hz (N(0,1) plus offsets 3 and -1);\n"
                     "<stat>_<align>_w<samples>: output for window_s = samples / 1000")
    x = rng.standard_normal((2, 150)) + np.array([[3.0], [-1.0]])
    g.add("x", x)
    for n_window in (1, 2, 31, 60, 150):
        for align in ("centered", "trailing"):
            g.add(f"rms_{align}_w{n_window}", window_stat(x, n_window, align, True))
            g.add(f"avg_{align}_w{n_window}", window_stat(x, n_window, align, False))
    g.add("tkeo", np.concatenate([x[:, 1:2] ** 2 - x[:, 0:1] * x[:, 2:3],
                                  x[:, 1:-1] ** 2 - x[:, :-2] * x[:, 2:],
                                  x[:, -2:-1] ** 2 - x[:, -3:-2] * x[:, -1:]], axis=1))
    g.add("arv", np.mean(np.abs(x), axis=1))
    g.add("rms", np.sqrt(np.mean(x * x, axis=1)))
    g.add("iemg_fs1000", np.sum(np.abs(x), axis=1) / 1000.0)
    g.save()


def write_envelope(rng) -> None:
    g = GoldenWriter(GOLDEN / "amplitude_envelope.txt",
                     f"Linear envelope = max(sosfiltfilt(butter(order, cutoff, 'low', fs), |x|), 0), SciPy {scipy.__version__}\n"
                     "x_fs<fs>: 2 x 1000 EMG-like samples; env_fs<fs>_c<cutoff>_n<order>: the envelope")
    for fs, cutoff, order in ((1000.0, 6.0, 2), (2048.0, 10.0, 4)):
        x = np.vstack([emg_like(rng, fs, 1000) * np.linspace(0.2, 1.0, 1000) for _ in range(2)])
        sos = ss.butter(order, cutoff, "lowpass", output="sos", fs=fs)
        g.add(f"x_fs{int(fs)}", x)
        g.add(f"env_fs{int(fs)}_c{int(cutoff)}_n{order}", np.maximum(ss.sosfiltfilt(sos, np.abs(x)), 0.0))
    g.save()


def write_notch(rng) -> None:
    g = GoldenWriter(GOLDEN / "mains_notch.txt",
                     f"remove_mains(method='notch') reference: scipy.signal.iirnotch(h*line, q, fs) for every\n"
                     f"harmonic below Nyquist, concatenated, scipy.signal.sosfiltfilt (SciPy {scipy.__version__}).\n"
                     "x_<case>: EMG-like signal + hum; y_<case>: SciPy output; harmonics_<case>: frequencies")
    cases = (("fs1000_l50", 1000.0, 50.0, 30.0, 2000), ("fs2048_l60", 2048.0, 60.0, 25.0, 2048))
    for name, fs, line, q, n in cases:
        x = emg_like(rng, fs, n) + hum(fs, n, line, [1.0, 0.5, 0.3, 0.2, 0.1])
        harmonics = np.arange(1, int(fs / 2 // line) + 2) * line
        harmonics = harmonics[harmonics < fs / 2]
        sos = np.vstack([np.concatenate(ss.iirnotch(f, q, fs=fs)) for f in harmonics])
        g.add(f"x_{name}", x)
        g.add(f"y_{name}", ss.sosfiltfilt(sos, x))
        g.add(f"harmonics_{name}", harmonics)
        g.add(f"q_{name}", q)
    g.save()


def main() -> None:
    rng = np.random.default_rng(20261122)
    write_moving(rng)
    write_envelope(rng)
    write_notch(rng)


if __name__ == "__main__":
    main()
