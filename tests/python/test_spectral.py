"""cramplab spectra, spectral metrics and fatigue series against SciPy / NumPy (computed live)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.signal as ss
import scipy.stats as st

import cramplab
from conftest import FS_VALUES, load_real

REL = 1e-10


def assert_rel(actual, expected, tol=REL):
    """max |a - b| <= tol * max |b| (spectra: relative to the reference's largest value)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    err = np.max(np.abs(actual - expected)) if expected.size else 0.0
    assert err <= tol * max(scale, 1e-300), f"max diff {err:.3e} vs scale {scale:.3e}"


def signal(rng, fs, seconds=2.0, channels=3):
    n = int(seconds * fs)
    t = np.arange(n) / fs
    x = rng.standard_normal((channels, n)) + 0.5 * np.sin(2 * np.pi * 0.07 * fs * t) + 0.3 * t
    return np.ascontiguousarray(x)


WELCH_CASES = [
    {},
    {"nperseg": 100, "noverlap": 10, "nfft": 256, "detrend": "linear", "scaling": "spectrum"},
    {"window": ("tukey", 0.25), "nperseg": 333, "average": "median"},
    {"window": "flattop", "nperseg": 128, "noverlap": 0, "detrend": False, "average": "median"},
    {"window": "hamming", "nperseg": 64, "noverlap": 63},
    {"window": "blackman", "nperseg": 257, "nfft": 300, "detrend": "linear", "average": "median"},
    {"window": "bartlett", "nperseg": 50, "scaling": "spectrum"},
    {"window": "boxcar", "nperseg": 17, "noverlap": 5},
    {"window": "tukey", "nperseg": 200},
]


# ---------------------------------------------------------------- windows

@pytest.mark.parametrize("name", ["hann", "hamming", "blackman", "boxcar", "bartlett", "flattop", "tukey",
                                  ("tukey", 0.0), ("tukey", 0.25), ("tukey", 1.0)])
@pytest.mark.parametrize("n", [1, 2, 3, 8, 255, 256])
def test_get_window_matches_scipy(name, n):
    assert_rel(cramplab.get_window(name, n), ss.get_window(name, n), 1e-14)


# ---------------------------------------------------------------- welch / periodogram

@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("case", range(len(WELCH_CASES)))
def test_welch_matches_scipy(rng, fs, case):
    kw = WELCH_CASES[case]
    x = signal(rng, fs)
    f, p = cramplab.welch(x, fs_hz=fs, **kw)
    f_ref, p_ref = ss.welch(x, fs=fs, **kw)
    np.testing.assert_array_equal(f, f_ref)
    assert_rel(p, p_ref)
    f1, p1 = cramplab.welch(x[1], fs_hz=fs, **kw)
    assert p1.shape == (f_ref.size,)
    assert_rel(p1, p_ref[1])


def test_welch_large_batch_uses_tuned_plans_and_matches_scipy():
    # >= 2^23 FFT input samples switch to measured FFTW plans; numbers must not change
    x = np.random.default_rng(5).standard_normal((4, 1_100_000))
    _, p = cramplab.welch(x, fs_hz=2048.0, nperseg=256)
    _, p_ref = ss.welch(x, fs=2048.0, nperseg=256)
    assert_rel(p, p_ref)
    s = cramplab.fatigue_series(x, fs_hz=2048.0)
    s_small = cramplab.fatigue_series(x[:, :300_000], fs_hz=2048.0)
    n = s_small.times_s.size  # the same epochs computed with estimated plans agree closely
    assert_rel(s.mdf_hz[:, :n], s_small.mdf_hz, 1e-12)


@pytest.mark.parametrize("case", [0, 1, 2, 3])
def test_welch_real_recordings(real_recording, case):
    name, x, fs = real_recording
    kw = dict(WELCH_CASES[case])
    kw["nperseg"] = min(kw.get("nperseg", 256), x.shape[1])
    f, p = cramplab.welch(x, fs_hz=fs, **kw)
    f_ref, p_ref = ss.welch(x, fs=fs, **kw)
    np.testing.assert_array_equal(f, f_ref)
    for c in range(x.shape[0]):  # each channel relative to its own spectrum
        assert_rel(p[c], p_ref[c])


@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("kw", [{}, {"nfft": 1000}, {"nfft": 5001, "window": "hann", "detrend": "linear"},
                                {"window": ("tukey", 0.1), "scaling": "spectrum", "detrend": False}])
def test_periodogram_matches_scipy(rng, fs, kw):
    x = rng.standard_normal((2, 3001)) + 1.0
    f, p = cramplab.periodogram(x, fs_hz=fs, **kw)
    f_ref, p_ref = ss.periodogram(x, fs=fs, **kw)
    np.testing.assert_array_equal(f, f_ref)
    assert_rel(p, p_ref)


def test_periodogram_real_recordings(real_recording):
    _, x, fs = real_recording
    f, p = cramplab.periodogram(x, fs_hz=fs, window="hann")
    f_ref, p_ref = ss.periodogram(x, fs=fs, window="hann")
    for c in range(x.shape[0]):
        assert_rel(p[c], p_ref[c])


# ---------------------------------------------------------------- stft / spectrogram

STFT_CASES = [
    {},
    {"nperseg": 300, "noverlap": 77, "nfft": 512, "boundary": None, "padded": False, "scaling": "psd",
     "detrend": "linear"},
    {"nperseg": 301, "window": "hamming", "boundary": "zeros", "padded": False},
    {"nperseg": 128, "noverlap": 0, "boundary": None, "padded": True, "detrend": "constant"},
]


@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("case", range(len(STFT_CASES)))
def test_stft_matches_scipy(rng, fs, case):
    kw = STFT_CASES[case]
    x = signal(rng, fs, seconds=1.3, channels=2)
    f, t, z = cramplab.stft(x, fs_hz=fs, **kw)
    f_ref, t_ref, z_ref = ss.stft(x, fs=fs, **kw)
    np.testing.assert_array_equal(f, f_ref)
    np.testing.assert_allclose(t, t_ref, rtol=1e-14, atol=0)
    assert z.dtype == np.complex128
    assert_rel(z, z_ref)
    f1, t1, z1 = cramplab.stft(x[0], fs_hz=fs, **kw)
    assert_rel(z1, z_ref[0])


SPECTROGRAM_CASES = [
    {},
    {"nperseg": 300, "noverlap": 77, "nfft": 512, "detrend": "linear", "scaling": "spectrum", "window": "hann"},
    {"nperseg": 64, "noverlap": 0, "detrend": False},
]


@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("case", range(len(SPECTROGRAM_CASES)))
def test_spectrogram_matches_scipy(rng, fs, case):
    kw = SPECTROGRAM_CASES[case]
    x = signal(rng, fs, seconds=1.3, channels=2)
    f, t, s = cramplab.spectrogram(x, fs_hz=fs, **kw)
    f_ref, t_ref, s_ref = ss.spectrogram(x, fs=fs, **kw)
    np.testing.assert_array_equal(f, f_ref)
    np.testing.assert_allclose(t, t_ref, rtol=1e-14, atol=0)
    assert_rel(s, s_ref)


def test_stft_spectrogram_real_recordings(real_recording):
    _, x, fs = real_recording
    nper = min(256, x.shape[1])
    _, _, z = cramplab.stft(x, fs_hz=fs, nperseg=nper)
    _, _, z_ref = ss.stft(x, fs=fs, nperseg=nper)
    _, _, s = cramplab.spectrogram(x, fs_hz=fs, nperseg=nper)
    _, _, s_ref = ss.spectrogram(x, fs=fs, nperseg=nper)
    for c in range(x.shape[0]):
        assert_rel(z[c], z_ref[c])
        assert_rel(s[c], s_ref[c])


# ---------------------------------------------------------------- known answers

@pytest.mark.parametrize("fs", FS_VALUES)
def test_white_noise_density_level(fs):
    x = np.random.default_rng(7).standard_normal(400_000)
    f, p = cramplab.welch(x, fs_hz=fs, nperseg=512)
    level = np.mean(p[1:-1])  # one-sided density of unit-variance white noise is 2 / fs
    assert abs(level * fs / 2 - 1.0) < 0.01
    assert abs(np.sum(p) * (f[1] - f[0]) - 1.0) < 0.01  # Parseval: total power = variance


@pytest.mark.parametrize("fs", FS_VALUES)
def test_sine_peak_frequency(fs):
    n = 4096
    f0 = 300 * fs / n  # on a bin of nperseg = n // 4 as well
    x = np.sin(2 * np.pi * f0 * np.arange(4 * n) / fs)
    f, p = cramplab.welch(x, fs_hz=fs, nperseg=n)
    assert cramplab.peak_frequency(f, p) == pytest.approx(f0, rel=1e-12)
    # a full-scale sine in the "spectrum" scaling reads its mean square (A^2 / 2)
    _, ps = cramplab.welch(x, fs_hz=fs, nperseg=n, window="flattop", scaling="spectrum")
    assert np.max(ps) == pytest.approx(0.5, rel=1e-3)


def shwedyk(f, fl=60.0, fh=120.0):
    return fh**4 * f**2 / ((f**2 + fl**2) * (f**2 + fh**2) ** 2)


def test_shwedyk_check_values():
    """SCIENCE.md 7.1 check values (rounded there; 69.1 for s = 0.7 is 69.03 by exact quadrature,
    so those values are checked to 0.1 Hz and the exact quadrature values to 0.01 Hz)."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    f = np.arange(0, 1000.0001, 0.01)
    band = dict(low_hz=20.0, high_hz=450.0)
    fi0 = cramplab.fatigue_index_fi_nsm5(f, shwedyk(f), **band)
    assert fi0 == pytest.approx(3.75e-14, rel=0.01)
    assert cramplab.peak_frequency(f, shwedyk(f), **band) == pytest.approx(65.0, abs=0.5)
    for s, mnf, mdf, ratio in [(1.0, 115.5, 95.7, 1.0), (0.9, 105.8, 86.8, 1.4), (0.8, 95.9, 77.9, 2.1),
                               (0.7, 85.8, 69.1, 3.2)]:
        fl, fh = 60.0 * s, 120.0 * s
        ps = shwedyk(f, fl, fh)
        total = quad(shwedyk, 20, 450, args=(fl, fh))[0]
        mnf_exact = quad(lambda v: v * shwedyk(v, fl, fh), 20, 450)[0] / total
        mdf_exact = brentq(lambda m: quad(shwedyk, 20, m, args=(fl, fh))[0] - total / 2, 20, 450, xtol=1e-9)
        got_mnf = cramplab.mean_frequency(f, ps, **band)
        got_mdf = cramplab.median_frequency(f, ps, **band)
        assert got_mnf == pytest.approx(mnf_exact, abs=0.01)
        assert got_mdf == pytest.approx(mdf_exact, abs=0.01)
        assert got_mnf == pytest.approx(mnf, abs=0.1)
        assert got_mdf == pytest.approx(mdf, abs=0.1)
        assert cramplab.fatigue_index_fi_nsm5(f, ps, **band) / fi0 == pytest.approx(ratio, abs=0.05)


# ---------------------------------------------------------------- metrics vs NumPy

def band_mask(f, low, high):
    df = (f[-1] - f[0]) / (f.size - 1)
    lo = f[0] if low is None else low
    hi = f[-1] if high is None else high
    return (f >= lo - 1e-9 * df) & (f <= hi + 1e-9 * df), df


def ref_mdf(f, p, low, high):
    m, df = band_mask(f, low, high)
    fb, pb = f[m], p[..., m]
    cs = np.cumsum(pb, axis=-1)
    half = cs[..., -1:] / 2
    i = np.argmax(cs >= half, axis=-1)
    below = np.where(i > 0, np.take_along_axis(cs, np.maximum(i - 1, 0)[..., None], -1)[..., 0], 0.0)
    pi = np.take_along_axis(pb, i[..., None], -1)[..., 0]
    return fb[i] - df / 2 + (half[..., 0] - below) / pi * df


def ref_moment(f, p, k, low, high):
    m, df = band_mask(f, low, high)
    return np.sum(f[m] ** k * p[..., m], axis=-1) * df


@pytest.mark.parametrize("low,high", [(None, None), (20.0, 450.0), (10.0, None), (None, 300.0), (33.3, 33.4 + 1.953125)])
def test_metrics_match_numpy(rng, low, high):
    x = rng.standard_normal((4, 20_000))
    f, p = cramplab.welch(x, fs_hz=1000.0, nperseg=512)
    kw = dict(low_hz=low, high_hz=high)
    m0 = ref_moment(f, p, 0, low, high)
    assert_rel(cramplab.band_power(f, p, **kw), m0, 1e-13)
    assert_rel(cramplab.mean_frequency(f, p, **kw), ref_moment(f, p, 1, low, high) / m0, 1e-13)
    assert_rel(cramplab.median_frequency(f, p, **kw), ref_mdf(f, p, low, high), 1e-12)
    mask, _ = band_mask(f, low, high)
    assert_rel(cramplab.peak_frequency(f, p, **kw), f[mask][np.argmax(p[:, mask], axis=-1)], 0)
    moments = cramplab.spectral_moments(f, p, orders=(0, 1, 2, 5), **kw)
    assert moments.shape == (4, 4)
    for j, k in enumerate((0, 1, 2, 5)):
        assert_rel(moments[:, j], ref_moment(f, p, k, low, high), 1e-13)
    if low is not None:
        fi = cramplab.fatigue_index_fi_nsm5(f, p, **kw)
        assert_rel(fi, ref_moment(f, p, -1, low, high) / ref_moment(f, p, 5, low, high), 1e-13)
    # 1-D power gives a float
    v = cramplab.mean_frequency(f, p[2], **kw)
    assert isinstance(v, float)
    assert v == pytest.approx(ref_moment(f, p[2], 1, low, high) / m0[2], rel=1e-13)
    assert cramplab.spectral_moments(f, p[2], **kw).shape == (3,)


def test_median_frequency_interpolation_known_answer():
    f = np.arange(0.0, 10.0)  # df = 1: bin i covers [i - 0.5, i + 0.5]
    p = np.zeros(10)
    p[3] = p[4] = 1.0  # half the power by the upper edge of bin 3
    assert cramplab.median_frequency(f, p) == pytest.approx(3.5, abs=1e-15)
    p[4] = 3.0  # total 4, half 2: 1 in bin 3, then 1 of 3 into bin 4
    assert cramplab.median_frequency(f, p) == pytest.approx(3.5 + 1.0 / 3.0, abs=1e-15)


def test_zero_power_band_gives_nan():
    f = np.arange(0.0, 100.0)
    p = np.zeros(100)
    assert math.isnan(cramplab.mean_frequency(f, p))
    assert math.isnan(cramplab.median_frequency(f, p))
    assert cramplab.band_power(f, p) == 0.0


# ---------------------------------------------------------------- fatigue series

def samples(sec, fs):
    return int(math.floor(sec * fs + 0.5))


def ref_fatigue(x, fs, window_s=1.0, step_s=0.5, segment_s=0.25, low=20.0, high=450.0, detrend="constant"):
    """NumPy/SciPy reference: loop over epochs, scipy.signal.welch, our exact MNF / MDF definition."""
    W, S, P = samples(window_s, fs), samples(step_s, fs), samples(segment_s, fs)
    n_epochs = (x.shape[-1] - W) // S + 1
    out = {k: [] for k in ("mnf", "mdf", "rms", "arv")}
    for e in range(n_epochs):
        seg = x[..., e * S:e * S + W]
        f, p = ss.welch(seg, fs=fs, window="hann", nperseg=P, detrend=detrend)
        hi = min(high, f[-1])
        out["mnf"].append(ref_moment(f, p, 1, low, hi) / ref_moment(f, p, 0, low, hi))
        out["mdf"].append(ref_mdf(f, p, low, hi))
        out["rms"].append(np.sqrt(np.mean(seg**2, axis=-1)))
        out["arv"].append(np.mean(np.abs(seg), axis=-1))
    times = (np.arange(n_epochs) * S + W / 2) / fs
    return times, {k: np.moveaxis(np.array(v), 0, -1) for k, v in out.items()}


@pytest.mark.parametrize("fs", FS_VALUES)
def test_fatigue_series_matches_reference(rng, fs):
    x = signal(rng, fs, seconds=6.3, channels=2)
    kw = dict(window_s=0.8, step_s=0.3, segment_s=0.2)
    s = cramplab.fatigue_series(x, fs_hz=fs, **kw)
    times, ref = ref_fatigue(x, fs, **kw)
    np.testing.assert_allclose(s.times_s, times, rtol=1e-15)
    for name, key in (("mnf_hz", "mnf"), ("mdf_hz", "mdf"), ("rms", "rms"), ("arv", "arv")):
        assert_rel(getattr(s, name), ref[key])
    s1 = cramplab.fatigue_series(x[1], fs_hz=fs, **kw)
    assert s1.mdf_hz.shape == (times.size,)
    assert_rel(s1.mdf_hz, ref["mdf"][1])
    assert isinstance(s1.mdf_trend, cramplab.Trend)
    assert len(s.mdf_trend) == 2


def test_fatigue_series_linear_detrend(rng):
    x = signal(rng, 2000.0, seconds=4.0, channels=1)
    s = cramplab.fatigue_series(x, fs_hz=2000.0, detrend="linear", low_hz=0.0, high_hz=5000.0)
    _, ref = ref_fatigue(x, 2000.0, detrend="linear", low=0.0, high=5000.0)
    assert_rel(s.mnf_hz, ref["mnf"])
    assert_rel(s.mdf_hz, ref["mdf"])


def test_fatigue_series_real_recordings(real_recording):
    _, x, fs = real_recording
    s = cramplab.fatigue_series(x, fs_hz=fs)
    times, ref = ref_fatigue(x, fs)
    assert s.mdf_hz.shape == ref["mdf"].shape
    for c in range(x.shape[0]):
        assert_rel(s.mnf_hz[c], ref["mnf"][c])
        assert_rel(s.mdf_hz[c], ref["mdf"][c])
        assert_rel(s.rms[c], ref["rms"][c])
        assert_rel(s.arv[c], ref["arv"][c])
        tr = s.mdf_trend[c]
        lr = st.linregress(times, ref["mdf"][c])
        assert tr.slope == pytest.approx(lr.slope, rel=1e-9, abs=1e-12)


def test_fatigue_epoch_count_and_times():
    fs = 1000.0
    x = np.random.default_rng(3).standard_normal(5400)
    s = cramplab.fatigue_series(x, fs_hz=fs, window_s=1.0, step_s=0.5)
    assert s.times_s.size == (5400 - 1000) // 500 + 1
    np.testing.assert_allclose(s.times_s, 0.5 + 0.5 * np.arange(s.times_s.size))


def test_fatigue_few_epochs_give_nan_trends():
    x = np.random.default_rng(3).standard_normal(1500)
    s = cramplab.fatigue_series(x, fs_hz=1000.0)
    assert s.times_s.size == 2
    assert math.isnan(s.mdf_trend.slope) and s.mdf_trend.n == 2


def test_fatigue_params_described():
    names = [p["name"] for p in cramplab.fatigue_params()]
    assert names == ["window_s", "step_s", "segment_s", "low_hz", "high_hz", "detrend"]
    assert all(p["help"] and p["default"] and p["range"] for p in cramplab.fatigue_params())


# ---------------------------------------------------------------- trends and t quantiles

@pytest.mark.parametrize("n", [3, 4, 7, 30, 200, 5000])
def test_linear_trend_matches_linregress(n):
    rng = np.random.default_rng(n)
    t = np.sort(rng.uniform(0, 60, n))
    y = 100 - 0.3 * t + rng.standard_normal(n)
    tr = cramplab.linear_trend(t, y)
    lr = st.linregress(t, y)
    q = st.t.ppf(0.975, n - 2)
    assert tr.slope == pytest.approx(lr.slope, rel=1e-11)
    assert tr.intercept == pytest.approx(lr.intercept, rel=1e-11)
    assert tr.slope_ci_low == pytest.approx(lr.slope - q * lr.stderr, rel=1e-10)
    assert tr.slope_ci_high == pytest.approx(lr.slope + q * lr.stderr, rel=1e-10)
    assert tr.r_squared == pytest.approx(lr.rvalue**2, rel=1e-10)
    assert tr.normalized_slope_pct_per_s == pytest.approx(100 * lr.slope / lr.intercept, rel=1e-11)
    assert tr.n == n


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 7, 10, 19, 20, 39, 40, 41, 50, 100, 117, 1000, 7197, 1e5])
@pytest.mark.parametrize("p", [0.975, 0.995, 0.9, 0.6, 0.025])
def test_student_t_ppf_matches_scipy(dof, p):
    assert cramplab.student_t_ppf(p, dof=dof) == pytest.approx(st.t.ppf(p, dof), rel=1e-10)


# ---------------------------------------------------------------- threads, aliasing, shapes

def test_results_do_not_depend_on_thread_count():
    x1 = np.random.default_rng(11).standard_normal((1, 300_000))
    x8 = np.random.default_rng(12).standard_normal((5, 100_000))
    calls = [
        lambda x: cramplab.welch(x, fs_hz=2048.0, nperseg=256).power,
        lambda x: cramplab.welch(x, fs_hz=2048.0, nperseg=100, average="median").power,
        lambda x: cramplab.stft(x, fs_hz=2048.0, nperseg=128).coefficients,
        lambda x: cramplab.spectrogram(x, fs_hz=2048.0, nperseg=128).power,
        lambda x: cramplab.fatigue_series(x, fs_hz=2048.0).mdf_hz,
    ]
    default = cramplab.get_num_threads()
    try:
        for call in calls:
            for x in (x1, x8):
                results = []
                for n in (1, 2, 3):
                    cramplab.set_num_threads(n)
                    results.append(call(x))
                for r in results[1:]:
                    np.testing.assert_array_equal(r, results[0])
    finally:
        cramplab.set_num_threads(default)


def test_outputs_are_fresh_and_inputs_unchanged(rng):
    x = rng.standard_normal((2, 4096))
    keep = x.copy()
    outs = [*cramplab.welch(x, fs_hz=1000.0), *cramplab.periodogram(x, fs_hz=1000.0),
            *cramplab.stft(x, fs_hz=1000.0), *cramplab.spectrogram(x, fs_hz=1000.0)]
    s = cramplab.fatigue_series(x, fs_hz=1000.0)
    outs += [s.times_s, s.mnf_hz, s.mdf_hz, s.rms, s.arv]
    for o in outs:
        assert not np.shares_memory(o, x)
    f, p = cramplab.welch(x, fs_hz=1000.0)
    moments = cramplab.spectral_moments(f, p)
    assert not np.shares_memory(moments, p)
    np.testing.assert_array_equal(x, keep)


def test_psd_object_behaves_like_scipy_tuple(rng):
    x = rng.standard_normal(1000)
    psd = cramplab.welch(x, fs_hz=500.0, nperseg=100)
    f, p = psd
    assert len(psd) == 2 and psd[0] is psd.freqs_hz and psd[1] is psd.power
    assert f.shape == (51,) and p.shape == (51,)
    assert "Psd" in repr(psd)
    st_ = cramplab.stft(x, fs_hz=500.0, nperseg=100)
    assert st_.coefficients.shape == (51, st_.times_s.size)
    sg = cramplab.spectrogram(np.vstack([x, x]), fs_hz=500.0, nperseg=100)
    assert sg.power.shape == (2, 51, sg.times_s.size)


def test_non_float64_input_is_converted(rng):
    x = (rng.standard_normal(2048) * 1000).astype(np.int32)
    _, p = cramplab.welch(x, fs_hz=1000.0)
    _, p_ref = ss.welch(x.astype(float), fs=1000.0, nperseg=256)
    assert_rel(p, p_ref)


# ---------------------------------------------------------------- result tables

def test_fatigue_and_trend_tables(rng):
    x = rng.standard_normal((2, 8000))
    s = cramplab.fatigue_series(x, fs_hz=1000.0)
    df = cramplab.fatigue_table(s, channel_names=["TA", "GM"])
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["channel", "time_s", "mnf_hz", "mdf_hz", "rms", "arv"]
    assert len(df) == 2 * s.times_s.size
    np.testing.assert_array_equal(df[df.channel == "GM"].mdf_hz.to_numpy(), s.mdf_hz[1])
    tt = cramplab.trend_table(s)
    assert len(tt) == 8 and set(tt.metric) == {"mnf_hz", "mdf_hz", "rms", "arv"}
    row = tt[(tt.channel == "ch1") & (tt.metric == "rms")].iloc[0]
    assert row.slope == s.rms_trend[1].slope and row.n == s.times_s.size
    one = cramplab.fatigue_series(x[0], fs_hz=1000.0)
    assert len(cramplab.fatigue_table(one)) == one.times_s.size
    assert len(cramplab.trend_table(one)) == 4
    with pytest.raises(ValueError, match="channel_names: 1 names given for 2 channels"):
        cramplab.fatigue_table(s, channel_names=["a"])


# ---------------------------------------------------------------- bad input

X = np.random.default_rng(0).standard_normal(1000)


@pytest.mark.parametrize("fs", [0.0, -1.0, np.nan, np.inf])
@pytest.mark.parametrize("fn", ["welch", "periodogram", "stft", "spectrogram", "fatigue_series"])
def test_bad_fs(fn, fs):
    with pytest.raises(ValueError, match=rf"{fn}: fs_hz=\S+ must be finite and > 0"):
        getattr(cramplab, fn)(X, fs_hz=fs)


@pytest.mark.parametrize("fn", ["welch", "periodogram", "stft", "spectrogram", "fatigue_series"])
def test_bad_data(fn):
    bad = X.copy()
    bad[17] = np.nan
    with pytest.raises(ValueError, match=rf"{fn}: x=nan at channel 0, sample 17 must be finite"):
        getattr(cramplab, fn)(bad, fs_hz=1000.0)
    bad[17] = -np.inf
    with pytest.raises(ValueError, match=rf"{fn}: x=-inf at channel 0, sample 17 must be finite"):
        getattr(cramplab, fn)(bad, fs_hz=1000.0)
    with pytest.raises(ValueError, match=rf"{fn}: x=shape \(1, 0\) .*empty input"):
        getattr(cramplab, fn)(np.zeros(0), fs_hz=1000.0)


@pytest.mark.parametrize("fn", ["welch", "stft", "spectrogram"])
def test_bad_segments(fn):
    f = getattr(cramplab, fn)
    with pytest.raises(ValueError, match=rf"{fn}: nperseg=0 must be >= 1"):
        f(X, fs_hz=1000.0, nperseg=0)
    with pytest.raises(ValueError, match=rf"{fn}: nperseg=1001 must be <= the signal length \(1000 samples\)"):
        f(X, fs_hz=1000.0, nperseg=1001)
    with pytest.raises(ValueError, match=rf"{fn}: noverlap=100 must be < nperseg \(100\)"):
        f(X, fs_hz=1000.0, nperseg=100, noverlap=100)
    with pytest.raises(ValueError, match=rf"{fn}: noverlap=-1 must be >= 0"):
        f(X, fs_hz=1000.0, nperseg=100, noverlap=-1)
    with pytest.raises(ValueError, match=rf"{fn}: nfft=99 must be >= nperseg \(100\)"):
        f(X, fs_hz=1000.0, nperseg=100, nfft=99)
    with pytest.raises(ValueError, match=rf"{fn}: window=kaiser is not a known window"):
        f(X, fs_hz=1000.0, window="kaiser")
    with pytest.raises(ValueError, match=rf"{fn}: window=hann:0.3 takes no parameter"):
        f(X, fs_hz=1000.0, window=("hann", 0.3))
    with pytest.raises(ValueError, match=rf"{fn}: window=tukey:2 needs a tukey alpha in \[0, 1\]"):
        f(X, fs_hz=1000.0, window=("tukey", 2.0))
    with pytest.raises(ValueError, match=rf"{fn}: detrend=quadratic must be 'constant', 'linear', False or None"):
        f(X, fs_hz=1000.0, detrend="quadratic")


def test_bad_names():
    with pytest.raises(ValueError, match="welch: scaling=power must be 'density' or 'spectrum'"):
        cramplab.welch(X, fs_hz=1000.0, scaling="power")
    with pytest.raises(ValueError, match="welch: average=mode must be 'mean' or 'median'"):
        cramplab.welch(X, fs_hz=1000.0, average="mode")
    with pytest.raises(ValueError, match="periodogram: scaling=psd must be 'density' or 'spectrum'"):
        cramplab.periodogram(X, fs_hz=1000.0, scaling="psd")
    with pytest.raises(ValueError, match="periodogram: nfft=0 must be >= 1"):
        cramplab.periodogram(X, fs_hz=1000.0, nfft=0)
    with pytest.raises(ValueError, match="stft: scaling=density must be 'spectrum' or 'psd'"):
        cramplab.stft(X, fs_hz=1000.0, scaling="density")
    with pytest.raises(ValueError, match="stft: boundary='even' must be 'zeros' or None"):
        cramplab.stft(X, fs_hz=1000.0, boundary="even")
    with pytest.raises(ValueError, match="get_window: n=0 must be >= 1"):
        cramplab.get_window("hann", 0)
    with pytest.raises(ValueError, match="x must be real-valued"):
        cramplab.welch(X.astype(complex), fs_hz=1000.0)


def test_bad_metric_inputs():
    f = np.arange(0.0, 500.0, 2.0)
    p = np.ones(f.size)
    with pytest.raises(ValueError, match=r"mean_frequency: freqs_hz=step 3 at index 3 must be a uniform grid \(spacing 2\)"):
        cramplab.mean_frequency(np.r_[0.0, 2.0, 4.0, 7.0, 8.0], np.ones(5))
    with pytest.raises(ValueError, match=r"median_frequency: power=shape \(1, 10\) must be channels x n_freqs with n_freqs = 250"):
        cramplab.median_frequency(f, np.ones(10))
    with pytest.raises(ValueError, match=r"band_power: high_hz=600 must lie inside the frequency grid \[0, 498\] Hz"):
        cramplab.band_power(f, p, high_hz=600.0)
    with pytest.raises(ValueError, match=r"peak_frequency: low_hz=-5 must be >= 0 \(or None\)"):
        cramplab.peak_frequency(f, p, low_hz=-5.0)
    with pytest.raises(ValueError, match=r"mean_frequency: low_hz=300 must be < high_hz \(100\)"):
        cramplab.mean_frequency(f, p, low_hz=300.0, high_hz=100.0)
    with pytest.raises(ValueError, match=r"band_power: low_hz=100.5 and high_hz=101.5 select no frequency bin"):
        cramplab.band_power(f, p, low_hz=100.5, high_hz=101.5)
    with pytest.raises(ValueError, match=r"fatigue_index_fi_nsm5: low_hz=-1 must exclude 0 Hz"):
        cramplab.fatigue_index_fi_nsm5(f, p)
    with pytest.raises(ValueError, match=r"spectral_moment: low_hz=0 must exclude 0 Hz"):
        cramplab.spectral_moments(f, p, orders=(-1,), low_hz=0.0)
    with pytest.raises(ValueError, match=r"mean_frequency: power=-1 at channel 0, bin 3 must be finite and >= 0"):
        q = p.copy()
        q[3] = -1.0
        cramplab.mean_frequency(f, q)
    with pytest.raises(ValueError, match=r"mean_frequency: power=nan at channel 0, bin 3"):
        q = p.copy()
        q[3] = np.nan
        cramplab.mean_frequency(f, q)
    with pytest.raises(ValueError, match="mean_frequency: freqs_hz=1 values must have at least 2 frequencies"):
        cramplab.mean_frequency(np.array([1.0]), np.ones(1))
    with pytest.raises(ValueError, match=r"spectral_moments: orders=\(\) must contain at least one order"):
        cramplab.spectral_moments(f, p, orders=())


@pytest.mark.parametrize("kw,msg", [
    (dict(window_s=0.0), r"fatigue_series: window_s=0 must be finite and > 0"),
    (dict(step_s=-0.5), r"fatigue_series: step_s=-0.5 must be finite and > 0"),
    (dict(segment_s=np.nan), r"fatigue_series: segment_s=nan must be finite and > 0"),
    (dict(segment_s=0.0011), r"fatigue_series: segment_s=0.0011 must be at least two samples"),
    (dict(step_s=0.0003), r"fatigue_series: step_s=\S+ must be at least one sample"),
    (dict(segment_s=2.0), r"fatigue_series: segment_s=2 must be <= window_s \(1\)"),
    (dict(low_hz=-1.0), r"fatigue_series: low_hz=-1 must be finite and >= 0"),
    (dict(low_hz=500.0), r"fatigue_series: low_hz=500 must be below Nyquist \(500 Hz\)"),
    (dict(low_hz=200.0, high_hz=100.0), r"fatigue_series: high_hz=100 must be finite and > low_hz \(200\)"),
    (dict(window_s=2.0), r"fatigue_series: x=1000 samples is shorter than one epoch \(window_s=2 s = 2000 samples\)"),
    (dict(detrend="cubic"), r"fatigue_series: detrend=cubic must be 'constant', 'linear', False or None"),
])
def test_bad_fatigue_params(kw, msg):
    with pytest.raises(ValueError, match=msg):
        cramplab.fatigue_series(X, fs_hz=1000.0, **kw)


def test_bad_trend_inputs():
    with pytest.raises(ValueError, match=r"linear_trend: y=2 values must have the same length as t \(3\)"):
        cramplab.linear_trend([0.0, 1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"linear_trend: t=2 points must have at least 3 points"):
        cramplab.linear_trend([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"linear_trend: t=all equal to 1 must contain distinct times"):
        cramplab.linear_trend([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"linear_trend: y=a non-finite value must be finite"):
        cramplab.linear_trend([0.0, 1.0, 2.0], [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"student_t_ppf: p=1 must be in \(0, 1\)"):
        cramplab.student_t_ppf(1.0, dof=3)
    with pytest.raises(ValueError, match=r"student_t_ppf: dof=0 must be finite and > 0"):
        cramplab.student_t_ppf(0.5, dof=0)
