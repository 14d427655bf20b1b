"""cramplab.Recording: construction, invariants, read-only data, operations keep metadata true."""
import numpy as np
import pytest
import scipy.signal

import cramplab


def test_construct_1d_and_2d():
    r1 = cramplab.Recording(np.arange(10.0), fs_hz=100.0)
    assert r1.n_channels == 1 and r1.n_samples == 10
    r2 = cramplab.Recording(np.ones((3, 8)), fs_hz=2000.0, channel_names=["a", "b", "c"], units=["mV"])
    assert r2.channel_names == ["a", "b", "c"]
    assert all(c.units == "mV" for c in r2.channels)
    assert r2.duration_s == pytest.approx(8 / 2000.0)


def test_data_is_a_read_only_view_of_an_owned_copy():
    x = np.random.default_rng(1).normal(size=(2, 100))
    rec = cramplab.Recording(x, fs_hz=1000.0)
    assert not np.shares_memory(rec.data, x)  # the recording owns its samples
    np.testing.assert_array_equal(rec.data, x)
    with pytest.raises(ValueError):
        rec.data[0, 0] = 1.0
    x[0, 0] = 123.0  # changing the source afterwards does not change the recording
    assert rec.data[0, 0] != 123.0


@pytest.mark.parametrize("fs", [0.0, -5.0, np.nan, np.inf])
def test_bad_fs(fs):
    with pytest.raises(ValueError, match=r"Recording: fs_hz=.* must be finite and > 0"):
        cramplab.Recording(np.ones(4), fs_hz=fs)


def test_nan_and_empty_and_names():
    x = np.ones((2, 5))
    x[1, 2] = np.inf
    with pytest.raises(ValueError, match=r"channel 1, sample 2"):
        cramplab.Recording(x, fs_hz=10.0)
    with pytest.raises(ValueError, match="empty input"):
        cramplab.Recording(np.ones((1, 0)), fs_hz=10.0)
    with pytest.raises(ValueError, match="channel_names has 1 entries"):
        cramplab.Recording(np.ones((2, 5)), fs_hz=10.0, channel_names=["a"])
    with pytest.raises(ValueError, match="must be unique"):
        cramplab.Recording(np.ones((2, 5)), fs_hz=10.0, channel_names=["a", "a"])
    with pytest.raises(ValueError, match="3-D"):
        cramplab.Recording(np.ones((2, 2, 5)), fs_hz=10.0)


def test_select_channels_by_name_and_index():
    rec = cramplab.Recording(np.arange(12.0).reshape(3, 4), fs_hz=10.0, channel_names=["RF", "BF", "VM"])
    sub = rec.select_channels(["VM", 0])
    assert sub.channel_names == ["VM", "RF"]
    np.testing.assert_array_equal(sub.data, rec.data[[2, 0]])
    with pytest.raises(ValueError, match=r'"ST" is not a channel \(channels: RF, BF, VM\)'):
        rec.select_channels(["ST"])


def test_bandpass_updates_metadata_history_and_matches_scipy(rng):
    fs = 2000.0
    x = rng.normal(size=(2, 6000))
    rec = cramplab.Recording(x, fs_hz=fs)
    out = rec.bandpass(low_hz=20.0, high_hz=450.0, order=4)
    sos = scipy.signal.butter(4, [20.0, 450.0], btype="bandpass", output="sos", fs=fs)
    ref = scipy.signal.sosfiltfilt(sos, x, axis=-1)
    assert np.max(np.abs(out.data - ref)) <= 1e-10 * np.sqrt(np.mean(x**2))
    assert out.channels[0].low_cutoff_hz == 20.0 and out.channels[1].high_cutoff_hz == 450.0
    assert rec.channels[0].low_cutoff_hz is None  # input recording untouched
    assert len(out.history) == 1 and "bandpass" in out.history[0] and "450" in out.history[0]
    np.testing.assert_array_equal(rec.data, x)


def test_bandpass_refuses_a_recording_sampled_too_slowly():
    rec = cramplab.Recording(np.random.default_rng(2).normal(size=2000), fs_hz=500.0)
    with pytest.raises(ValueError, match=r"high_hz=450 .*Nyquist \(250 Hz for fs_hz=500\)"):
        rec.bandpass(low_hz=20.0, high_hz=450.0)
