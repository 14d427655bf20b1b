"""Mains removal: SciPy notch parity, a NumPy model of spectrum interpolation, known-answer hum
removal (50 and 60 Hz with harmonics), line-frequency detection, real recordings, errors."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import cramplab
from conftest import FS_VALUES, REAL_RECORDINGS, load_real, rms

AMPS = (1.0, 0.5, 0.3, 0.2, 0.1)


def emg_like(fs: float, n: int, seed: int, scale: float = 1.0) -> np.ndarray:
    """Seeded white noise band-passed 20-450 Hz (zero phase), RMS = scale."""
    sos = ss.butter(4, [20.0, min(450.0, 0.45 * fs)], btype="bandpass", output="sos", fs=fs)
    s = ss.sosfiltfilt(sos, np.random.default_rng(seed).standard_normal(n))
    return scale * s / rms(s)


def hum(fs: float, n: int, line: float, scale: float = 1.0) -> np.ndarray:
    t = np.arange(n) / fs
    return scale * sum(a * np.sin(2 * np.pi * line * (h + 1) * t + 0.3 * (h + 1))
                       for h, a in enumerate(AMPS) if line * (h + 1) < fs / 2)


def harmonics(line: float, fs: float, max_hz: float | None = None) -> np.ndarray:
    top = fs / 2 if max_hz is None else max_hz
    h = np.arange(1, int(fs / line) + 2) * line
    return h[(h <= top) & (h < fs / 2)]


def scipy_notch(x: np.ndarray, fs: float, line: float, q: float, max_hz: float | None = None) -> np.ndarray:
    sos = np.vstack([np.concatenate(ss.iirnotch(f, q, fs=fs)) for f in harmonics(line, fs, max_hz)])
    return ss.sosfiltfilt(sos, x)


def interpolate_spectrum(x: np.ndarray, fs: float, line: float, bw: float) -> np.ndarray:
    """NumPy model of the documented interpolation on one whole segment."""
    n = x.size
    spec = np.fft.rfft(x)
    df = fs / n
    for f in harmonics(line, fs):
        lo, hi = int(np.ceil((f - bw) / df - 1e-9)), int(np.floor((f + bw) / df + 1e-9))
        if lo > hi:
            lo = hi = int(round(f / df))
        lo, hi = max(lo, 1), min(hi, n // 2)
        left = lo - 1
        right = hi + 1 if hi + 1 <= n // 2 else left
        ml, mr = abs(spec[left]), abs(spec[right])
        k = np.arange(lo, hi + 1)
        t = (k - left) / (right - left) if right != left else np.zeros(k.size)
        m = ml + t * (mr - ml)
        a = np.abs(spec[k])
        spec[k] = np.where(a > 0, spec[k] * (m / np.where(a > 0, a, 1)), m)
    return np.fft.irfft(spec, n)


def integer_cycle_length(n: int, fs: float, line: float) -> int:
    for m in range(n, (n + 1) // 2 - 1, -1):
        c = m * line / fs
        if abs(c - round(c)) <= 1e-6:
            return m
    raise AssertionError("test signals are chosen to have an integer-cycle length")


def model_interpolation(x: np.ndarray, fs: float, line: float, bw: float = 0.5) -> np.ndarray:
    """Two integer-cycle segments [0, M) and [N-M, N), cross-faded linearly over the overlap."""
    n = x.size
    m = integer_cycle_length(n, fs, line)
    first = interpolate_spectrum(x[:m], fs, line, bw)
    if m == n:
        return first
    last = interpolate_spectrum(x[n - m:], fs, line, bw)
    out = np.empty(n)
    out[:n - m] = first[:n - m]
    out[m:] = last[2 * m - n:]
    overlap = 2 * m - n
    w = np.arange(1, overlap + 1) / (overlap + 1)
    out[n - m:m] = (1 - w) * first[n - m:] + w * last[:overlap]
    return out


def lockin_power(x: np.ndarray, fs: float, f: float) -> float:
    t = np.arange(x.size) / fs
    a = np.column_stack([np.cos(2 * np.pi * f * t), np.sin(2 * np.pi * f * t)])
    coef, *_ = np.linalg.lstsq(a, x, rcond=None)
    return float(np.sum(coef**2) / 2)


# ---- harmonics ------------------------------------------------------------------------------

@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("line", [50.0, 60.0])
def test_harmonics_cover_everything_below_nyquist(fs, line):
    x = np.random.default_rng(0).standard_normal(int(fs * 4))
    r = cramplab.remove_mains(x, fs_hz=fs, line_hz=line)
    np.testing.assert_array_equal(r.harmonics_hz, harmonics(line, fs))
    assert r.harmonics_hz[-1] < fs / 2 <= r.harmonics_hz[-1] + line


def test_harmonics_known_lists():
    x = np.random.default_rng(0).standard_normal(40000)
    np.testing.assert_array_equal(cramplab.remove_mains(x[:4000], fs_hz=1000.0).harmonics_hz, np.arange(50, 451, 50))
    h = cramplab.remove_mains(x, fs_hz=10000.0).harmonics_hz
    assert h.size == 99 and h[-1] == 4950.0
    h = cramplab.remove_mains(x[:4000], fs_hz=1000.0, max_hz=200.0).harmonics_hz
    np.testing.assert_array_equal(h, [50, 100, 150, 200])


# ---- notch: SciPy parity --------------------------------------------------------------------

@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("line", [50.0, 60.0])
def test_notch_matches_scipy(fs, line):
    n = int(fs * 3)
    x = np.vstack([emg_like(fs, n, 1) + hum(fs, n, line), np.random.default_rng(2).standard_normal(n)])
    for q, max_hz in ((30.0, None), (10.0, min(3 * line, fs / 2))):
        r = cramplab.remove_mains(x, fs_hz=fs, line_hz=line, method="notch", q=q, max_hz=max_hz)
        ref = scipy_notch(x, fs, line, q, max_hz)
        for c in range(2):
            assert np.max(np.abs(r.data[c] - ref[c])) <= 1e-10 * rms(x[c])
        np.testing.assert_allclose(r.removed_power, np.mean((x - ref) ** 2, axis=1), rtol=1e-8)


@pytest.mark.parametrize("name", REAL_RECORDINGS)
def test_notch_matches_scipy_on_real_recordings(name):
    x, fs = load_real(name)
    r = cramplab.remove_mains(x, fs_hz=fs, line_hz=50.0, method="notch")
    ref = scipy_notch(x, fs, 50.0, 30.0)
    for c in range(x.shape[0]):
        assert np.max(np.abs(r.data[c] - ref[c])) <= 1e-10 * rms(x[c])


# ---- interpolation: model parity and leakage ------------------------------------------------

@pytest.mark.parametrize("fs,dur,line", [(1000.0, 4.0, 50.0), (1000.0, 4.013, 50.0), (2048.0, 3.3, 50.0),
                                         (2000.0, 5.0, 60.0), (4000.0, 2.71, 60.0), (250.0, 8.0, 50.0)])
def test_interpolation_matches_numpy_model(fs, dur, line):
    n = int(round(dur * fs))
    x = emg_like(fs, n, 3) + hum(fs, n, line)
    for bw in (0.5, 2.0):
        got = cramplab.remove_mains(x, fs_hz=fs, line_hz=line, bandwidth_hz=bw).data
        assert np.max(np.abs(got - model_interpolation(x, fs, line, bw))) <= 1e-10 * rms(x)


@pytest.mark.parametrize("fs,dur,line", [(1000.0, 2.01, 50.0), (2048.0, 2.0, 50.0), (2000.0, 10.013, 60.0),
                                         (4000.0, 3.37, 60.0)])
def test_hum_alone_is_removed_whatever_the_record_length(fs, dur, line):
    """The leakage decision: integer-cycle segments remove hum completely; one whole-record FFT
    of a record that is not a whole number of cycles leaves most of it."""
    n = int(round(dur * fs))
    h = hum(fs, n, line)
    got = cramplab.remove_mains(h, fs_hz=fs, line_hz=line).data
    assert np.mean(got**2) < 1e-10 * np.mean(h**2)  # < -100 dB (about -250 dB in practice)
    whole = interpolate_spectrum(h, fs, line, 0.5)
    if integer_cycle_length(n, fs, line) != n:
        assert np.mean(whole**2) > 1e-3 * np.mean(h**2)  # > -30 dB left by the whole-record FFT


# ---- known answer: EMG + hum ----------------------------------------------------------------

@pytest.mark.parametrize("fs,dur,line", [(1000.0, 20.0, 50.0), (2048.0, 20.0, 50.0), (2000.0, 20.013, 60.0),
                                         (4000.0, 20.0, 60.0), (10000.0, 10.0, 50.0)])
@pytest.mark.parametrize("method", ["interpolation", "notch"])
def test_emg_plus_hum_known_answer(fs, dur, line, method):
    n = int(round(dur * fs))
    s = emg_like(fs, n, 5, scale=0.1)  # quiet muscle, strong hum: when mains removal matters most
    h = hum(fs, n, line)
    x = s + h
    r = cramplab.remove_mains(x, fs_hz=fs, line_hz=line, method=method)
    for k in range(len(AMPS)):
        f = line * (k + 1)
        drop_db = 10 * np.log10(lockin_power(x, fs, f) / lockin_power(r.data, fs, f))
        assert drop_db >= 30.0, (f, drop_db)
    assert r.removed_power == pytest.approx(np.mean(h**2), rel=0.03)
    assert r.removed_fraction == pytest.approx(r.removed_power / np.mean(x**2), rel=1e-12)
    if method == "interpolation":
        # the EMG away from the harmonics is untouched
        assert np.corrcoef(r.data, s)[0, 1] > 0.99
        f, p_clean = ss.welch(s, fs, nperseg=int(fs))
        _, p_out = ss.welch(r.data, fs, nperseg=int(fs))
        away = (f >= 20) & (f <= 450)
        for hz in r.harmonics_hz:
            away &= np.abs(f - hz) > 2
        assert np.max(np.abs(p_out[away] / p_clean[away] - 1)) < 0.02


def test_interpolation_keeps_more_of_the_emg_than_the_notch():
    fs, n = 2000.0, 40000
    s = emg_like(fs, n, 6, scale=0.1)
    x = s + hum(fs, n, 50.0)
    interp = cramplab.remove_mains(x, fs_hz=fs, method="interpolation").data
    notch = cramplab.remove_mains(x, fs_hz=fs, method="notch").data
    assert np.corrcoef(interp, s)[0, 1] > np.corrcoef(notch, s)[0, 1] + 0.05


# ---- detection ------------------------------------------------------------------------------

@pytest.mark.parametrize("fs", [500.0, 1000.0, 2048.0, 4000.0])
def test_detect_line_frequency(fs):
    n = int(5 * fs)
    s = np.vstack([emg_like(fs, n, 7), emg_like(fs, n, 8)])
    assert cramplab.detect_line_frequency(s + hum(fs, n, 50.0, 0.3), fs_hz=fs) == 50.0
    assert cramplab.detect_line_frequency(s + hum(fs, n, 60.0, 0.3), fs_hz=fs) == 60.0
    r = cramplab.remove_mains(s[0] + hum(fs, n, 60.0, 0.3), fs_hz=fs, line_hz=0.0)
    assert r.line_hz == 60.0 and r.harmonics_hz[0] == 60.0
    with pytest.raises(ValueError, match=r"detect_line_frequency: .*no clear power-line peak.*pass line_hz"):
        cramplab.detect_line_frequency(s, fs_hz=fs)


# ---- real recordings ------------------------------------------------------------------------

@pytest.mark.parametrize("name", REAL_RECORDINGS)
@pytest.mark.parametrize("method", ["interpolation", "notch"])
def test_real_recordings_run_and_report_finite_removed_power(name, method):
    x, fs = load_real(name)
    r = cramplab.remove_mains(x, fs_hz=fs, method=method)
    assert r.data.shape == x.shape and np.all(np.isfinite(r.data))
    assert r.removed_power.shape == (x.shape[0],)
    assert np.all(np.isfinite(r.removed_power)) and np.all(r.removed_power >= 0)
    assert np.all((r.removed_fraction >= 0) & (r.removed_fraction < 1))
    np.testing.assert_allclose(r.removed_power, np.mean((x - r.data) ** 2, axis=1), rtol=1e-12)


# ---- result object and array handling -------------------------------------------------------

def test_result_object_shapes_and_fresh_arrays():
    fs = 1000.0
    x = emg_like(fs, 4000, 9) + hum(fs, 4000, 50.0)
    keep = x.copy()
    r = cramplab.remove_mains(x, fs_hz=fs)
    assert isinstance(r, cramplab.MainsResult)
    assert r.data.shape == x.shape and r.data.ndim == 1
    assert isinstance(r.removed_power, float) and isinstance(r.removed_fraction, float)
    assert r.method == "interpolation" and r.line_hz == 50.0
    assert not np.shares_memory(r.data, x)
    np.testing.assert_array_equal(x, keep)
    assert "MainsResult(method='interpolation', line_hz=50.0, n_harmonics=9" in repr(r)
    r2 = cramplab.remove_mains(np.vstack([x, np.zeros_like(x)]), fs_hz=fs)
    assert r2.data.shape == (2, 4000) and r2.removed_power.shape == (2,)
    assert r2.removed_fraction[1] == 0.0 and r2.removed_power[1] == 0.0
    np.testing.assert_array_equal(r2.data[0], r.data)


# ---- bad input ------------------------------------------------------------------------------

BAD = [
    (dict(fs_hz=0.0), r"remove_mains: fs_hz=0 must be finite and > 0"),
    (dict(fs_hz=1000.0, line_hz=-50.0), r"remove_mains: line_hz=-50 must be 0 \(detect\) or in \(0, 500\)"),
    (dict(fs_hz=1000.0, line_hz=500.0), r"remove_mains: line_hz=500 .*below Nyquist"),
    (dict(fs_hz=1000.0, line_hz=np.nan), r"remove_mains: line_hz=nan"),
    (dict(fs_hz=1000.0, method="comb"), r"remove_mains: method='comb' must be 'interpolation' or 'notch'"),
    (dict(fs_hz=1000.0, bandwidth_hz=0.0), r"remove_mains: bandwidth_hz=0 must be > 0 and < 25"),
    (dict(fs_hz=1000.0, line_hz=60.0, bandwidth_hz=30.0), r"remove_mains: bandwidth_hz=30 must be > 0 and < 30"),
    (dict(fs_hz=1000.0, q=0.0), r"remove_mains: q=0 must be finite and > 0"),
    (dict(fs_hz=1000.0, q=-3.0, method="notch"), r"remove_mains: q=-3"),
    (dict(fs_hz=1000.0, max_hz=600.0), r"remove_mains: max_hz=600 must be 0 \(up to Nyquist\) or in \(0, 500\]"),
    (dict(fs_hz=1000.0, max_hz=0.0), r"remove_mains: max_hz=0.0 must be > 0 \(or None for Nyquist\)"),
    (dict(fs_hz=1000.0, max_hz=40.0), r"remove_mains: max_hz=40 must be >= line_hz=50"),
]


@pytest.mark.parametrize("kwargs,message", BAD)
def test_bad_parameters_raise_with_message(kwargs, message):
    x = np.random.default_rng(0).standard_normal(4000)
    with pytest.raises(ValueError, match=message):
        cramplab.remove_mains(x, **kwargs)


def test_bad_data_raise_with_message():
    x = np.random.default_rng(0).standard_normal((2, 4000))
    x[1, 9] = np.inf
    with pytest.raises(ValueError, match=r"remove_mains: x=inf at channel 1, sample 9 must be finite"):
        cramplab.remove_mains(x, fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"remove_mains: x=shape \(1, 0\) .*empty input"):
        cramplab.remove_mains(np.array([]), fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"remove_mains: x=60 samples is too short for method='interpolation'"):
        cramplab.remove_mains(np.ones(60), fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"remove_mains: x=57 samples is too short for method='notch'.*padlen=57"):
        cramplab.remove_mains(np.ones(57), fs_hz=1000.0, method="notch")
    with pytest.raises(ValueError, match=r"detect_line_frequency: fs_hz=100 must be > 136"):
        cramplab.detect_line_frequency(np.ones(1000), fs_hz=100.0)
    with pytest.raises(ValueError, match=r"detect_line_frequency: x=999 samples is too short: at least 1 s"):
        cramplab.detect_line_frequency(np.ones(999), fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"detect_line_frequency: x=nan"):
        cramplab.detect_line_frequency(np.full(2000, np.nan), fs_hz=1000.0)
    with pytest.raises(TypeError):
        cramplab.remove_mains(np.ones(4000), 1000.0)  # fs_hz is keyword-only
