"""cramplab filter design and application against SciPy (computed live), known answers,
chunking, threading, memory behaviour and error messages."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import cramplab
from conftest import FS_VALUES, REAL_RECORDINGS, load_real, rms

BTYPES = ("lowpass", "highpass", "bandpass", "bandstop")
PADTYPES = ("odd", "even", "constant", None)


def cutoffs(btype: str, fs: float):
    """EMG-like edges where they fit below Nyquist, else fixed fractions of it."""
    nyq = fs / 2
    if btype.startswith("band"):
        return [20.0, 450.0] if nyq > 500 else [0.08 * nyq, 0.8 * nyq]
    return 20.0 if btype == "highpass" else min(450.0, 0.8 * nyq)


def assert_close_to_scipy(y, ref, x, floor=0.0):
    """The issue's tolerance: max abs difference <= 1e-10 x RMS of the input (plus `floor`, the
    part no implementation can remove; see zi_sensitivity)."""
    assert y.shape == ref.shape
    tol = 1e-10 * max(rms(x), 1e-300) + floor
    assert np.max(np.abs(y - ref)) <= tol, np.max(np.abs(y - ref)) / tol


def zi_sensitivity(sos, x):
    """How far SciPy's own sosfiltfilt moves when the steady-state zi changes by one ulp.

    sosfilt_zi solves a 2x2 system per section with numpy.linalg.solve, so its last bit depends on
    the LAPACK build NumPy ships (OpenBLAS kernels differ between releases); an ill-conditioned
    filter (order 8 band-stop 20-450 Hz at 10 kHz) amplifies that bit ~1e7 times in the output.
    This replays SciPy's sosfiltfilt (odd padding, default padlen, zi * first sample) with zi and
    with zi * (1 + 2**-52) through scipy.signal.sosfilt and returns the largest output change, so
    the parity test can allow exactly the difference that a 1-ulp zi difference makes.
    """
    from scipy.signal._arraytools import odd_ext

    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    ext = odd_ext(np.atleast_2d(x), 3 * ntaps, axis=-1)
    zi = ss.sosfilt_zi(sos)

    def run(z):
        y, _ = ss.sosfilt(sos, ext, zi=z[:, None, :] * ext[None, :, :1])
        y = y[:, ::-1]
        y, _ = ss.sosfilt(sos, y, zi=z[:, None, :] * y[None, :, :1])
        return y[:, ::-1]

    return float(np.max(np.abs(run(zi) - run(zi * (1.0 + 2.0**-52)))))


# ---------------------------------------------------------------- design


@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("btype", BTYPES)
def test_butter_equals_scipy_orders_1_to_10(fs, btype):
    cut = cutoffs(btype, fs)
    for order in range(1, 11):
        ref = ss.butter(order, cut, btype, output="sos", fs=fs)
        sos = cramplab.butter(order=order, cutoff_hz=cut, btype=btype, fs_hz=fs)
        assert sos.shape == ref.shape == ((order + 1) // 2 if not btype.startswith("band") else order, 6)
        np.testing.assert_allclose(sos, ref, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("alias,full", [("low", "lowpass"), ("lp", "lowpass"), ("high", "highpass"),
                                        ("hp", "highpass"), ("band", "bandpass"), ("pass", "bandpass"),
                                        ("stop", "bandstop"), ("bs", "bandstop")])
def test_butter_btype_aliases(alias, full):
    cut = [50.0, 150.0] if full.startswith("band") else 100.0
    np.testing.assert_array_equal(cramplab.butter(order=3, cutoff_hz=cut, btype=alias, fs_hz=1000.0),
                                  cramplab.butter(order=3, cutoff_hz=cut, btype=full, fs_hz=1000.0))


def test_butter_section_order_puts_poles_nearest_unit_circle_last():
    sos = cramplab.butter(order=4, cutoff_hz=[20, 450], btype="bandpass", fs_hz=2048)
    radius = np.sqrt(sos[:, 5])  # |pole|^2 = a2 for a complex pair
    assert np.all(np.diff(radius) > 0)
    assert sos[1:, :3].tolist() != sos[:1, :3].tolist()  # the gain sits in the first section


@pytest.mark.parametrize("fs", FS_VALUES)
def test_iirnotch_iirpeak_equal_scipy(fs):
    for w0, q in ((50.0, 30.0), (0.3 * fs / 2, 2.0)):
        for ours, theirs in ((cramplab.iirnotch, ss.iirnotch), (cramplab.iirpeak, ss.iirpeak)):
            b, a = theirs(w0, q, fs=fs)
            sos = ours(w0_hz=w0, q=q, fs_hz=fs)
            assert sos.shape == (1, 6)
            np.testing.assert_allclose(sos[0], np.concatenate([b, a]), rtol=1e-12, atol=1e-15)


def test_sosfreqz_equals_scipy():
    sos = ss.butter(6, [40, 300], "bandstop", output="sos", fs=1000)
    f = np.linspace(0, 500, 101)
    _, ref = ss.sosfreqz(sos, worN=f, fs=1000)
    h = cramplab.sosfreqz(sos, freqs_hz=f, fs_hz=1000.0)
    assert h.dtype == np.complex128
    np.testing.assert_allclose(h, ref, rtol=1e-10, atol=1e-13)


def test_sosfilt_zi_equals_scipy():
    notch = np.concatenate(ss.iirnotch(50, 30, fs=1000))[None, :]
    for sos in (ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048),
                ss.butter(3, 100, output="sos", fs=1000), notch):
        np.testing.assert_allclose(cramplab.sosfilt_zi(sos), ss.sosfilt_zi(sos), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- application parity


@pytest.mark.parametrize("fs", FS_VALUES)
@pytest.mark.parametrize("btype", BTYPES)
def test_sosfilt_and_sosfiltfilt_equal_scipy_random(fs, btype, rng):
    x = rng.standard_normal((3, 3000)) + np.array([[0.0], [1.5], [-4.0]])
    cut = cutoffs(btype, fs)
    for order in range(1, 9):
        sos = ss.butter(order, cut, btype, output="sos", fs=fs)
        assert_close_to_scipy(cramplab.sosfilt(sos, x), ss.sosfilt(sos, x, axis=-1), x)
        assert_close_to_scipy(cramplab.sosfiltfilt(sos, x), ss.sosfiltfilt(sos, x, axis=-1), x,
                              floor=4.0 * zi_sensitivity(sos, x))


def test_zi_sensitivity_replays_scipy_sosfiltfilt(rng):
    """The replay in zi_sensitivity is SciPy's sosfiltfilt (so its floor measures the right thing)."""
    x = rng.standard_normal((2, 1000))
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2000)
    from scipy.signal._arraytools import odd_ext

    ext = odd_ext(x, 27, axis=-1)
    zi = ss.sosfilt_zi(sos)
    y, _ = ss.sosfilt(sos, ext, zi=zi[:, None, :] * ext[None, :, :1])
    y = y[:, ::-1]
    y, _ = ss.sosfilt(sos, y, zi=zi[:, None, :] * y[None, :, :1])
    np.testing.assert_array_equal(y[:, ::-1][:, 27:-27], ss.sosfiltfilt(sos, x, axis=-1))
    assert zi_sensitivity(sos, x) < 1e-12  # a well-conditioned filter: no floor to speak of


@pytest.mark.parametrize("padtype", PADTYPES)
@pytest.mark.parametrize("padlen", [None, 0, 1, 13, 500, 2999])
def test_sosfiltfilt_padtypes_and_padlens(padtype, padlen, rng):
    x = np.cumsum(rng.standard_normal((5, 3000)), axis=1)
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)
    ref = ss.sosfiltfilt(sos, x, axis=-1, padtype=padtype, padlen=padlen)
    assert_close_to_scipy(cramplab.sosfiltfilt(sos, x, padtype=padtype, padlen=padlen), ref, x)


def test_sosfiltfilt_padtype_none_string_equals_none(rng):
    x = rng.standard_normal(500)
    sos = ss.butter(2, 50, output="sos", fs=1000)
    np.testing.assert_array_equal(cramplab.sosfiltfilt(sos, x, padtype="none"),
                                  cramplab.sosfiltfilt(sos, x, padtype=None))


@pytest.mark.parametrize("name", REAL_RECORDINGS)
def test_real_recordings_equal_scipy(name):
    x, fs = load_real(name)
    for btype in BTYPES:
        cut = cutoffs(btype, fs)
        for order in (1, 2, 4, 8):
            sos = ss.butter(order, cut, btype, output="sos", fs=fs)
            assert_close_to_scipy(cramplab.sosfilt(sos, x), ss.sosfilt(sos, x, axis=-1), x)
            assert_close_to_scipy(cramplab.sosfiltfilt(sos, x), ss.sosfiltfilt(sos, x, axis=-1), x)
    sos = ss.butter(4, cutoffs("bandpass", fs), "bandpass", output="sos", fs=fs)
    for padtype in PADTYPES:
        for padlen in (None, 0, 100):
            ref = ss.sosfiltfilt(sos, x, axis=-1, padtype=padtype, padlen=padlen)
            assert_close_to_scipy(cramplab.sosfiltfilt(sos, x, padtype=padtype, padlen=padlen), ref, x)


def test_real_recording_fixture_zero_phase_emg_band(real_recording):
    name, x, fs = real_recording
    sos = cramplab.butter(order=4, cutoff_hz=cutoffs("bandpass", fs), btype="bandpass", fs_hz=fs)
    assert_close_to_scipy(cramplab.sosfiltfilt(sos, x), ss.sosfiltfilt(sos, x, axis=-1), x)


# ---------------------------------------------------------------- known answers


def test_impulse_response_equals_scipy():
    sos = ss.butter(6, [30, 300], "bandpass", output="sos", fs=2000)
    imp = np.zeros(1000)
    imp[0] = 1.0
    np.testing.assert_allclose(cramplab.sosfilt(sos, imp), ss.sosfilt(sos, imp), rtol=0, atol=1e-15)


def _sine_gain(sos, f, fs, zero_phase):
    t = np.arange(int(20 * fs)) / fs
    x = np.sin(2 * np.pi * f * t)
    y = cramplab.sosfiltfilt(sos, x) if zero_phase else cramplab.sosfilt(sos, x)
    mid = slice(len(t) // 4, 3 * len(t) // 4)  # away from transients
    return np.sqrt(2) * rms(y[mid])


@pytest.mark.parametrize("fs", (1000.0, 2048.0, 4000.0))
def test_sine_gain_at_centre_and_cutoffs(fs):
    lo, hi = 20.0, 450.0
    sos = cramplab.butter(order=4, cutoff_hz=[lo, hi], btype="bandpass", fs_hz=fs)
    centre = np.sqrt(lo * hi)
    assert abs(_sine_gain(sos, centre, fs, False) - 1.0) < 2e-3
    assert abs(_sine_gain(sos, centre, fs, True) - 1.0) < 2e-3
    for f in (lo, hi):
        assert abs(20 * np.log10(_sine_gain(sos, f, fs, False)) + 3.0103) < 0.05
        assert abs(20 * np.log10(_sine_gain(sos, f, fs, True)) + 6.0206) < 0.1


def test_highpass_blocks_dc():
    sos = cramplab.butter(order=2, cutoff_hz=10.0, btype="highpass", fs_hz=1000.0)
    x = np.full((2, 4000), 3.7)
    assert np.max(np.abs(cramplab.sosfiltfilt(sos, x))) < 1e-9
    assert np.max(np.abs(cramplab.sosfilt(sos, x)[:, -500:])) < 1e-9
    assert abs(cramplab.sosfreqz(sos, freqs_hz=[0.0], fs_hz=1000.0)[0]) < 1e-12


# ---------------------------------------------------------------- chunking, shapes, threads


def test_chunked_equals_whole_via_zi_and_sosfilter(rng):
    x = rng.standard_normal((3, 10000))
    sos = ss.butter(5, [20, 450], "bandpass", output="sos", fs=2048)
    whole = cramplab.sosfilt(sos, x)
    bounds = np.sort(rng.choice(np.arange(1, 10000), size=25, replace=False))
    zi = np.zeros((sos.shape[0], 3, 2))
    f = cramplab.SosFilter(sos, n_channels=3)
    parts_zi, parts_f = [], []
    for chunk in np.split(x, bounds, axis=1):
        y, zi = cramplab.sosfilt(sos, chunk, zi=zi)
        parts_zi.append(y)
        parts_f.append(f.process(chunk))
    scale = np.max(np.abs(whole))
    assert np.max(np.abs(np.concatenate(parts_zi, axis=1) - whole)) <= 1e-12 * scale
    assert np.max(np.abs(np.concatenate(parts_f, axis=1) - whole)) <= 1e-12 * scale
    f.reset()
    np.testing.assert_array_equal(f.process(x), whole)


def test_sosfilt_zi_shapes_and_values_equal_scipy(rng):
    sos = ss.butter(4, 100, output="sos", fs=1000)
    x1 = rng.standard_normal(700)
    zi1 = rng.standard_normal((2, 2))
    y, zf = cramplab.sosfilt(sos, x1, zi=zi1)
    yr, zfr = ss.sosfilt(sos, x1, zi=zi1)
    assert y.shape == (700,) and zf.shape == (2, 2)
    assert_close_to_scipy(y, yr, x1)
    np.testing.assert_allclose(zf, zfr, rtol=1e-12, atol=1e-14)
    x2 = rng.standard_normal((4, 700))
    zi2 = rng.standard_normal((2, 4, 2))
    y, zf = cramplab.sosfilt(sos, x2, zi=zi2)
    yr, zfr = ss.sosfilt(sos, x2, axis=-1, zi=zi2)
    assert zf.shape == (2, 4, 2)
    assert_close_to_scipy(y, yr, x2)
    np.testing.assert_allclose(zf, zfr, rtol=1e-12, atol=1e-14)
    # steady-state start: a constant passes a low-pass unchanged from the first sample
    y, _ = cramplab.sosfilt(sos, np.full(50, 2.0), zi=2.0 * cramplab.sosfilt_zi(sos))
    np.testing.assert_allclose(y, 2.0, rtol=1e-12)


def test_one_d_and_two_d_agree(rng):
    x = rng.standard_normal((6, 2500))
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)
    y2 = cramplab.sosfiltfilt(sos, x)
    f2 = cramplab.sosfilt(sos, x)
    for c in range(6):
        y1 = cramplab.sosfiltfilt(sos, x[c])
        assert y1.ndim == 1
        np.testing.assert_array_equal(y1, y2[c])
        np.testing.assert_array_equal(cramplab.sosfilt(sos, x[c]), f2[c])


def test_results_independent_of_thread_count(rng):
    x = rng.standard_normal((13, 6000))
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)
    saved = cramplab.get_num_threads()
    try:
        cramplab.set_num_threads(1)
        a, af = cramplab.sosfiltfilt(sos, x), cramplab.sosfilt(sos, x)
        cramplab.set_num_threads(2)
        b, bf = cramplab.sosfiltfilt(sos, x), cramplab.sosfilt(sos, x)
    finally:
        cramplab.set_num_threads(saved)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(af, bf)


def test_outputs_are_fresh_and_inputs_untouched(rng):
    x = rng.standard_normal((4, 2000))
    keep = x.copy()
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)
    sos_keep = sos.copy()
    zi = np.zeros((4, 4, 2))
    outs = [cramplab.sosfiltfilt(sos, x), cramplab.sosfilt(sos, x), *cramplab.sosfilt(sos, x, zi=zi),
            cramplab.SosFilter(sos, n_channels=4).process(x)]
    for y in outs:
        assert not np.shares_memory(y, x)
        assert not np.shares_memory(y, sos)
        assert not np.shares_memory(y, zi)
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_array_equal(sos, sos_keep)
    np.testing.assert_array_equal(zi, 0.0)


def test_non_float64_inputs_match_float64_c_array(rng):
    sos = ss.butter(3, [20, 200], "bandpass", output="sos", fs=1000)
    xi = rng.integers(-1000, 1000, size=(3, 1500))
    ref = cramplab.sosfiltfilt(sos, np.ascontiguousarray(xi, dtype=np.float64))
    np.testing.assert_array_equal(cramplab.sosfiltfilt(sos, xi), ref)
    x32 = rng.standard_normal((3, 1500)).astype(np.float32)
    np.testing.assert_array_equal(cramplab.sosfiltfilt(sos, x32), cramplab.sosfiltfilt(sos, x32.astype(np.float64)))
    xf = np.asfortranarray(rng.standard_normal((3, 1500)))
    np.testing.assert_array_equal(cramplab.sosfiltfilt(sos, xf), cramplab.sosfiltfilt(sos, np.ascontiguousarray(xf)))
    np.testing.assert_array_equal(cramplab.sosfilt(sos, xf), cramplab.sosfilt(sos, np.ascontiguousarray(xf)))
    xs = rng.standard_normal((3, 3000))[:, ::2]  # strided view
    np.testing.assert_array_equal(cramplab.sosfilt(sos, xs), cramplab.sosfilt(sos, np.ascontiguousarray(xs)))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("fs,text", [(0.0, "fs_hz=0"), (-1000.0, "fs_hz=-1000"), (np.nan, "fs_hz=nan"),
                                     (np.inf, "fs_hz=inf")])
def test_bad_fs(fs, text):
    with pytest.raises(ValueError, match=f"butter: {text} must be finite and > 0"):
        cramplab.butter(order=4, cutoff_hz=100.0, fs_hz=fs)
    with pytest.raises(ValueError, match=text):
        cramplab.iirnotch(w0_hz=50.0, q=30.0, fs_hz=fs)


@pytest.mark.parametrize("cut,text", [(0.0, "cutoff_hz=0 must be > 0"), (-5.0, "cutoff_hz=-5"),
                                      (500.0, r"cutoff_hz=500 must be > 0 and below Nyquist \(500 Hz for fs_hz=1000\)"),
                                      (700.0, "cutoff_hz=700")])
def test_bad_cutoff(cut, text):
    with pytest.raises(ValueError, match=text):
        cramplab.butter(order=2, cutoff_hz=cut, btype="lowpass", fs_hz=1000.0)


def test_band_edges_must_increase_and_count():
    with pytest.raises(ValueError, match=r"cutoff_hz=\[200, 100\] must be increasing \(low < high\)"):
        cramplab.butter(order=2, cutoff_hz=[200, 100], btype="bandpass", fs_hz=1000.0)
    with pytest.raises(ValueError, match="low < high"):
        cramplab.butter(order=2, cutoff_hz=[100, 100], btype="bandstop", fs_hz=1000.0)
    with pytest.raises(ValueError, match="must have exactly 2 values"):
        cramplab.butter(order=2, cutoff_hz=100.0, btype="bandpass", fs_hz=1000.0)
    with pytest.raises(ValueError, match="must have exactly 1 value"):
        cramplab.butter(order=2, cutoff_hz=[10, 100], btype="lowpass", fs_hz=1000.0)


@pytest.mark.parametrize("order", [0, 11, -1])
def test_bad_order(order):
    with pytest.raises(ValueError, match=f"butter: order={order} must be in 1..10"):
        cramplab.butter(order=order, cutoff_hz=100.0, fs_hz=1000.0)


def test_bad_btype():
    with pytest.raises(ValueError, match="btype='comb' must be one of"):
        cramplab.butter(order=2, cutoff_hz=100.0, btype="comb", fs_hz=1000.0)


def test_emg_bandpass_at_fs_500_explains_nyquist():
    with pytest.raises(ValueError, match=r"cutoff_hz=450 .*Nyquist \(250 Hz for fs_hz=500\)"):
        cramplab.butter(order=4, cutoff_hz=[20, 450], btype="bandpass", fs_hz=500.0)


def test_bad_notch_parameters():
    with pytest.raises(ValueError, match="iirnotch: w0_hz=600"):
        cramplab.iirnotch(w0_hz=600.0, q=30.0, fs_hz=1000.0)
    with pytest.raises(ValueError, match="iirpeak: q=0 must be finite and > 0"):
        cramplab.iirpeak(w0_hz=50.0, q=0.0, fs_hz=1000.0)


@pytest.mark.parametrize("bad,text", [(np.nan, "x=nan at channel 1, sample 17"), (np.inf, "x=inf at channel 1, sample 17"),
                                      (-np.inf, "x=-inf at channel 1, sample 17")])
def test_nonfinite_data(bad, text, rng):
    sos = ss.butter(2, 100, output="sos", fs=1000)
    x = rng.standard_normal((2, 300))
    x[1, 17] = bad
    for fn in (cramplab.sosfilt, cramplab.sosfiltfilt):
        with pytest.raises(ValueError, match=text + " must be finite"):
            fn(sos, x)
    f = cramplab.SosFilter(sos, n_channels=2)
    with pytest.raises(ValueError, match=text):
        f.process(x)


def test_empty_and_3d_input():
    sos = ss.butter(2, 100, output="sos", fs=1000)
    for fn in (cramplab.sosfilt, cramplab.sosfiltfilt):
        with pytest.raises(ValueError, match="empty input"):
            fn(sos, np.zeros(0))
        with pytest.raises(ValueError, match="empty input"):
            fn(sos, np.zeros((0, 10)))
        with pytest.raises(ValueError, match="must be 1-D .* got 3-D"):
            fn(sos, np.zeros((2, 3, 100)))


def test_signal_shorter_than_padlen():
    sos = ss.butter(4, [20, 450], "bandpass", output="sos", fs=2048)  # default padlen 27
    with pytest.raises(ValueError, match="sosfiltfilt: padlen=27 .*x has 27 samples"):
        cramplab.sosfiltfilt(sos, np.ones(27))
    assert cramplab.sosfiltfilt(sos, np.ones(28)).shape == (28,)
    with pytest.raises(ValueError, match="padlen=100 .*x has 50 samples"):
        cramplab.sosfiltfilt(sos, np.ones((2, 50)), padlen=100)
    with pytest.raises(ValueError, match="padlen=-1 must be >= 0"):
        cramplab.sosfiltfilt(sos, np.ones(50), padlen=-1)


def test_bad_padtype_and_sos_and_zi():
    sos = ss.butter(2, 100, output="sos", fs=1000)
    with pytest.raises(ValueError, match="padtype='zero' must be one of 'odd', 'even', 'constant', 'none'"):
        cramplab.sosfiltfilt(sos, np.ones(100), padtype="zero")
    with pytest.raises(ValueError, match="padtype=3 must be one of"):
        cramplab.sosfiltfilt(sos, np.ones(100), padtype=3)
    with pytest.raises(ValueError, match=r"sos must be a 2-D array of shape \(n_sections, 6\)"):
        cramplab.sosfilt(np.ones(6), np.ones(100))
    bad = sos.copy()
    bad[0, 3] = 2.0
    with pytest.raises(ValueError, match="a0 == 1"):
        cramplab.sosfiltfilt(bad, np.ones(100))
    with pytest.raises(ValueError, match=r"zi must have shape \(1, 2\)"):
        cramplab.sosfilt(sos, np.ones(100), zi=np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match=r"zi must have shape \(1, 3, 2\)"):
        cramplab.sosfilt(sos, np.ones((3, 100)), zi=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="n_channels=0 must be >= 1"):
        cramplab.SosFilter(sos, n_channels=0)
    with pytest.raises(ValueError, match="must have n_channels=2 rows"):
        cramplab.SosFilter(sos, n_channels=2).process(np.ones((3, 10)))


def test_keyword_only_parameters():
    with pytest.raises(TypeError):
        cramplab.butter(4, 100.0, "lowpass", 1000.0)
    sos = cramplab.butter(order=2, cutoff_hz=100.0, fs_hz=1000.0)
    with pytest.raises(TypeError):
        cramplab.sosfiltfilt(sos, np.ones(100), "odd")
