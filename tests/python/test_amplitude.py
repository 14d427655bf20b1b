"""Amplitude estimators against NumPy/SciPy references computed here, plus properties and errors."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import cramplab
from conftest import FS_VALUES, REAL_RECORDINGS, load_real, rms

ALIGNS = ("centered", "trailing")


def extent(n_window: int, align: str) -> tuple[int, int]:
    return ((n_window - 1) // 2, n_window // 2) if align == "centered" else (n_window - 1, 0)


def ref_moving(x: np.ndarray, n_window: int, align: str, root: bool) -> np.ndarray:
    """Window statistic clipped at the edges, from an extended-precision cumulative sum."""
    back, fwd = extent(n_window, align)
    n = x.shape[-1]
    v = np.asarray(x, dtype=np.longdouble)
    if root:
        v = v * v
    c = np.concatenate([np.zeros(v.shape[:-1] + (1,), np.longdouble), np.cumsum(v, axis=-1)], axis=-1)
    idx = np.arange(n)
    lo = np.maximum(0, idx - back)
    hi = np.minimum(n - 1, idx + fwd)
    mean = (c[..., hi + 1] - c[..., lo]) / (hi - lo + 1)
    return np.asarray(np.sqrt(mean) if root else mean, dtype=np.float64)


def n_window(window_s: float, fs: float) -> int:
    """round(window_s * fs) with halves away from zero (C++ std::round), at least 1."""
    return max(1, int(np.floor(window_s * fs + 0.5)))


def rel_err(a, b) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ---- moving RMS / moving average ------------------------------------------------------------

@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("align", ALIGNS)
def test_moving_stats_match_reference_random(rng, fs, align):
    x = rng.standard_normal((3, int(fs * 1.3))) + np.array([[0.0], [5.0], [-2.0]])
    for window_s in (1 / fs, 2 / fs, 0.05, 0.1, 0.25, x.shape[-1] / fs):
        w = n_window(window_s, fs)
        got = cramplab.moving_rms(x, fs_hz=fs, window_s=window_s, align=align)
        assert got.shape == x.shape
        assert rel_err(got, ref_moving(x, w, align, True)) < 1e-10
        avg = cramplab.moving_average(x, fs_hz=fs, window_s=window_s, align=align)
        assert np.max(np.abs(avg - ref_moving(x, w, align, False))) < 1e-10 * rms(x)


def test_moving_rms_equals_numpy_cumsum_method_where_windows_are_full(rng):
    fs, w = 2048.0, 205
    x = rng.standard_normal((4, 60000))
    c = np.cumsum(np.concatenate([np.zeros((4, 1)), x**2], axis=1), axis=1)
    numpy_rms = np.sqrt((c[:, w:] - c[:, :-w]) / w)
    got = cramplab.moving_rms(x, fs_hz=fs, window_s=0.1, align="trailing")
    assert rel_err(got[:, w - 1:], numpy_rms) < 1e-10
    back, _ = extent(w, "centered")
    got_c = cramplab.moving_rms(x, fs_hz=fs, window_s=0.1)
    assert rel_err(got_c[:, back:back + numpy_rms.shape[1]], numpy_rms) < 1e-10


def test_edge_rule_known_values():
    x = np.arange(5.0)
    np.testing.assert_allclose(cramplab.moving_average(x, fs_hz=1.0, window_s=3.0), [0.5, 1, 2, 3, 3.5], atol=1e-15)
    np.testing.assert_allclose(cramplab.moving_average(x, fs_hz=1.0, window_s=3.0, align="trailing"),
                               [0, 0.5, 1, 2, 3], atol=1e-15)
    np.testing.assert_allclose(cramplab.moving_average(x, fs_hz=1.0, window_s=2.0), [0.5, 1.5, 2.5, 3.5, 4], atol=1e-15)
    np.testing.assert_allclose(cramplab.moving_rms(np.array([3.0, -4.0]), fs_hz=1.0, window_s=2.0, align="trailing"),
                               [3.0, np.sqrt(12.5)], rtol=1e-15)


@pytest.mark.parametrize("name", REAL_RECORDINGS)
def test_moving_stats_match_reference_on_real_recordings(name):
    x, fs = load_real(name)
    for align in ALIGNS:
        w = n_window(0.1, fs)
        got = cramplab.moving_rms(x, fs_hz=fs, window_s=0.1, align=align)
        assert np.all(got >= 0)
        for c in range(x.shape[0]):
            assert rel_err(got[c], ref_moving(x[c], w, align, True)) < 1e-10
            avg = cramplab.moving_average(x[c], fs_hz=fs, window_s=0.1, align=align)
            assert np.max(np.abs(avg - ref_moving(x[c], w, align, False))) < 1e-10 * rms(x[c])


def test_hour_long_record_with_dc_offset_matches_exact_sums():
    fs = 2048.0
    x = 1000.0 + np.random.default_rng(1).standard_normal(int(fs * 3600))
    for align in ALIGNS:
        w = n_window(0.1, fs)
        got = cramplab.moving_rms(x, fs_hz=fs, window_s=0.1, align=align)
        picks = np.concatenate([np.random.default_rng(2).integers(0, x.size, 2000), np.arange(x.size - 50, x.size)])
        back, fwd = extent(w, align)
        worst = 0.0
        for n in picks:
            seg = x[max(0, n - back): n + fwd + 1]
            exact = np.sqrt(np.sum(seg.astype(np.longdouble) ** 2) / seg.size)
            worst = max(worst, float(abs(got[n] - exact) / exact))
        assert worst < 1e-9


def test_quiet_signal_after_loud_burst_is_exact_again():
    """A plain running sum keeps the rounding residue of the burst forever; ours restarts."""
    fs, w = 1000.0, 100
    rng = np.random.default_rng(4)
    x = np.concatenate([1e4 * rng.standard_normal(200_000), 1e-2 * rng.standard_normal(200_000)])
    got = cramplab.moving_rms(x, fs_hz=fs, window_s=w / fs, align="trailing")
    quiet = x[200_000:]
    ref = ref_moving(quiet, w, "trailing", True)
    settle = 4096 + w  # one restart span after the burst has left the window
    assert rel_err(got[200_000 + settle:], ref[settle:]) < 1e-9
    naive = np.sqrt(np.maximum(np.cumsum(x**2)[w:] - np.cumsum(x**2)[:-w], 0) / w)  # for contrast
    assert rel_err(naive[200_000 + settle - w:], ref[settle:]) > 1e-6


def test_results_do_not_depend_on_thread_count(rng):
    x = rng.standard_normal((6, 20011))
    try:
        cramplab.set_num_threads(1)
        one = cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.07)
        cramplab.set_num_threads(2)
        two = cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.07)
    finally:
        cramplab.set_num_threads(0)
    assert np.array_equal(one, two)


# ---- linear envelope, TKEO, per-channel numbers ---------------------------------------------

@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("order", [1, 2, 4, 8])
def test_linear_envelope_matches_scipy(rng, fs, order):
    x = rng.standard_normal((2, int(fs * 2)))
    cutoff = min(6.0, 0.2 * fs)
    sos = ss.butter(order, cutoff, "lowpass", output="sos", fs=fs)
    ref = np.maximum(ss.sosfiltfilt(sos, np.abs(x)), 0.0)
    got = cramplab.linear_envelope(x, fs_hz=fs, cutoff_hz=cutoff, order=order)
    assert np.max(np.abs(got - ref)) <= 1e-10 * rms(x)
    assert np.all(got >= 0)


@pytest.mark.parametrize("name", REAL_RECORDINGS)
def test_linear_envelope_matches_scipy_on_real_recordings(name):
    x, fs = load_real(name)
    sos = ss.butter(2, 6.0, "lowpass", output="sos", fs=fs)
    ref = np.maximum(ss.sosfiltfilt(sos, np.abs(x)), 0.0)
    got = cramplab.linear_envelope(x, fs_hz=fs)
    assert np.max(np.abs(got - ref)) <= 1e-10 * rms(x)
    assert np.all(got >= 0)


def test_linear_envelope_clips_the_edge_undershoot_documented():
    x = np.random.default_rng(0).standard_normal(5000)
    raw = ss.sosfiltfilt(ss.butter(2, 6.0, output="sos", fs=1000.0), np.abs(x))
    assert raw.min() < 0  # SciPy's odd padding of |x| undershoots at the edges
    got = cramplab.linear_envelope(x, fs_hz=1000.0)
    np.testing.assert_array_equal(got[raw <= 0], 0.0)
    np.testing.assert_allclose(got[raw > 0], raw[raw > 0], rtol=0, atol=1e-12)


def test_tkeo_matches_numpy(rng):
    x = rng.standard_normal((3, 1000))
    inner = x[:, 1:-1] ** 2 - x[:, :-2] * x[:, 2:]
    ref = np.concatenate([inner[:, :1], inner, inner[:, -1:]], axis=1)
    got = cramplab.tkeo(x)
    assert rel_err(got, ref) < 1e-14
    np.testing.assert_allclose(cramplab.tkeo(x[0]), ref[0], rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(cramplab.tkeo(np.array([1.0, 2.0, 3.0])), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("name", REAL_RECORDINGS)
def test_per_channel_numbers_on_real_recordings(name):
    x, fs = load_real(name)
    np.testing.assert_allclose(cramplab.arv(x), np.mean(np.abs(x), axis=1), rtol=1e-12)
    np.testing.assert_allclose(cramplab.rms(x), np.sqrt(np.mean(x**2, axis=1)), rtol=1e-12)
    np.testing.assert_allclose(cramplab.iemg(x, fs_hz=fs), np.sum(np.abs(x), axis=1) / fs, rtol=1e-12)
    inner = x[:, 1:-1] ** 2 - x[:, :-2] * x[:, 2:]
    np.testing.assert_allclose(cramplab.tkeo(x)[:, 1:-1], inner, rtol=0, atol=1e-14 * np.max(np.abs(inner)))


def test_per_channel_shapes_and_types(rng):
    x = rng.standard_normal((3, 500))
    for fn in (cramplab.arv, cramplab.rms):
        assert isinstance(fn(x[0]), float)
        assert fn(x).shape == (3,)
    assert isinstance(cramplab.iemg(x[0], fs_hz=100.0), float)
    assert cramplab.iemg(x, fs_hz=100.0).shape == (3,)
    assert cramplab.arv(np.array([-1.0, 3.0])) == 2.0
    assert cramplab.iemg(np.ones(1000), fs_hz=1000.0) == pytest.approx(1.0, rel=1e-15)


def test_rms_is_sqrt_half_pi_times_arv_for_gaussian_noise(rng):
    x = rng.standard_normal((4, 400_000))
    np.testing.assert_allclose(cramplab.rms(x) / cramplab.arv(x), np.sqrt(np.pi / 2), rtol=0.005)
    assert np.sqrt(np.pi / 2) == pytest.approx(1.25, abs=0.005)


def test_envelopes_are_non_negative_property(rng):
    for _ in range(5):
        x = rng.standard_normal((2, 3000)) * rng.uniform(0.1, 10) + rng.uniform(-5, 5)
        x[:, 1500:] *= 1e-3  # abrupt offset: the hardest case for undershoot
        assert np.all(cramplab.linear_envelope(x, fs_hz=1000.0, cutoff_hz=10.0, order=4) >= 0)
        assert np.all(cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.05) >= 0)
        assert np.all(cramplab.moving_average(cramplab.rectify(x), fs_hz=1000.0, window_s=0.05) >= 0)


def test_outputs_are_fresh_arrays_and_inputs_untouched(rng):
    x = rng.standard_normal((2, 2000))
    keep = x.copy()
    for out in (cramplab.rectify(x), cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1),
                cramplab.moving_average(x, fs_hz=1000.0, window_s=0.1), cramplab.tkeo(x),
                cramplab.linear_envelope(x, fs_hz=1000.0)):
        assert out.shape == x.shape and out.dtype == np.float64
        assert not np.shares_memory(out, x)
    np.testing.assert_array_equal(x, keep)
    assert cramplab.rectify(x[0]).ndim == 1
    # non-float64 / non-contiguous input is converted once and gives the same numbers
    np.testing.assert_array_equal(cramplab.rectify(np.arange(-3, 3)), np.abs(np.arange(-3, 3)).astype(float))
    np.testing.assert_array_equal(cramplab.moving_rms(np.asfortranarray(x), fs_hz=1000.0, window_s=0.1),
                                  cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1))


# ---- bad input -----------------------------------------------------------------------------

BAD_CASES = [
    (lambda x: cramplab.moving_rms(x, fs_hz=0.0, window_s=0.1), r"moving_rms: fs_hz=0 must be finite and > 0"),
    (lambda x: cramplab.moving_rms(x, fs_hz=np.inf, window_s=0.1), r"moving_rms: fs_hz=inf"),
    (lambda x: cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.0), r"moving_rms: window_s=0 must be finite and > 0"),
    (lambda x: cramplab.moving_average(x, fs_hz=1000.0, window_s=-0.1), r"moving_average: window_s=-0.1"),
    (lambda x: cramplab.moving_rms(x, fs_hz=1000.0, window_s=3.0),
     r"moving_rms: window_s=3 is longer than the signal \(3000 samples > 1000 samples"),
    (lambda x: cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1, align="middle"),
     r"moving_rms: align='middle' must be 'centered' or 'trailing'"),
    (lambda x: cramplab.moving_average(x, fs_hz=1000.0, window_s=0.1, align=""), r"moving_average: align=''"),
    (lambda x: cramplab.linear_envelope(x, fs_hz=1000.0, cutoff_hz=500.0), r"linear_envelope: cutoff_hz=500 .*Nyquist"),
    (lambda x: cramplab.linear_envelope(x, fs_hz=1000.0, cutoff_hz=-6.0), r"linear_envelope: cutoff_hz=-6"),
    (lambda x: cramplab.linear_envelope(x, fs_hz=1000.0, order=0), r"linear_envelope: order=0 must be in 1..10"),
    (lambda x: cramplab.linear_envelope(x, fs_hz=1000.0, order=11), r"linear_envelope: order=11"),
    (lambda x: cramplab.linear_envelope(x[:, :9], fs_hz=1000.0), r"linear_envelope: x=9 samples is too short.*padlen=9"),
    (lambda x: cramplab.linear_envelope(x, fs_hz=-1.0), r"linear_envelope: fs_hz=-1"),
    (lambda x: cramplab.tkeo(x[:, :2]), r"tkeo: x=2 samples is too short: at least 3"),
    (lambda x: cramplab.iemg(x, fs_hz=0.0), r"iemg: fs_hz=0"),
]


@pytest.mark.parametrize("call,message", BAD_CASES)
def test_bad_parameters_raise_with_message(rng, call, message):
    with pytest.raises(ValueError, match=message):
        call(rng.standard_normal((2, 1000)))


@pytest.mark.parametrize("fn", ["rectify", "tkeo", "arv", "rms"])
@pytest.mark.parametrize("value,text", [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_non_finite_input_is_rejected(rng, fn, value, text):
    x = rng.standard_normal((2, 100))
    x[1, 42] = value
    with pytest.raises(ValueError, match=rf"{fn}: x={text} at channel 1, sample 42 must be finite"):
        getattr(cramplab, fn)(x)


def test_non_finite_input_is_rejected_by_windowed_functions(rng):
    x = rng.standard_normal(1000)
    x[7] = np.nan
    with pytest.raises(ValueError, match=r"moving_rms: x=nan at channel 0, sample 7"):
        cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1)
    with pytest.raises(ValueError, match=r"moving_average: x=nan"):
        cramplab.moving_average(x, fs_hz=1000.0, window_s=0.1)
    with pytest.raises(ValueError, match=r"linear_envelope: x=nan"):
        cramplab.linear_envelope(x, fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"iemg: x=nan"):
        cramplab.iemg(x, fs_hz=1000.0)
    x[7] = 1.0
    x[-1] = -np.inf  # last sample: only the last few windows see it
    with pytest.raises(ValueError, match=r"moving_rms: x=-inf at channel 0, sample 999"):
        cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1, align="trailing")
    with pytest.raises(ValueError, match=r"moving_average: x=-inf at channel 0, sample 999"):
        cramplab.moving_average(x, fs_hz=1000.0, window_s=0.1)


def test_overflowing_squares_are_reported_not_returned_as_inf():
    x = np.full(100, 1e200)
    with pytest.raises(ValueError, match=r"moving_rms: x=max \|x\| = 1e\+200 is too large: window sums overflow"):
        cramplab.moving_rms(x, fs_hz=100.0, window_s=0.1)


@pytest.mark.parametrize("fn", ["rectify", "tkeo", "arv", "rms"])
def test_empty_input_is_rejected(fn):
    with pytest.raises(ValueError, match=rf"{fn}: x=shape \(1, 0\) .*empty input"):
        getattr(cramplab, fn)(np.array([]))
    with pytest.raises(ValueError, match=rf"{fn}: x=shape \(0, 5\)"):
        getattr(cramplab, fn)(np.zeros((0, 5)))


def test_wrong_array_kinds_are_rejected():
    with pytest.raises(ValueError, match=r"moving_rms: x must be 1-D .* got 3-D"):
        cramplab.moving_rms(np.zeros((2, 2, 10)), fs_hz=10.0, window_s=0.1)
    with pytest.raises(ValueError, match=r"rectify: x must be real-valued"):
        cramplab.rectify(np.zeros(4, complex))
    with pytest.raises(TypeError):
        cramplab.moving_rms(np.zeros(10), 10.0, 0.1)  # fs_hz and window_s are keyword-only
