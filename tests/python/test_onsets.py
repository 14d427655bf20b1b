"""cramplab.detect_onsets / evaluate_onsets: the Python surface of the onset detectors.

References: the Hodges-Bui test function recomputed with SciPy (butter + sosfiltfilt + a centred
moving average); the matching rule re-implemented by brute force in NumPy; the simulator's truth.
"""
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import signal

import cramplab
from cramplab import simulate as sim

FS = 2000.0


@pytest.fixture(scope="module")
def trial():
    return sim.bursts(seed=3, params={"bursts.duration_s": 30, "bursts.snr_db": 20})


def test_every_method_finds_the_simulated_bursts(trial):
    rec, truth = trial
    n_true = len(truth.bursts["onset_sample"])
    for method in cramplab.onset_methods():
        res = cramplab.detect_onsets(rec, method=method)
        assert res.status == "ok", (method, res.channels["message"][0])
        ev = cramplab.evaluate_onsets(res, truth, fs_hz=rec.fs_hz, tolerance_s=0.1, n_samples=rec.n_samples)
        assert ev.true_positives == n_true, (method, ev)
        assert ev.false_positives <= 1, (method, ev)
        assert ev.onset_median_abs_s <= 0.04, (method, ev)
        assert ev.misclassified_fraction < 0.05, (method, ev)
        assert res.test_function.shape == (1, rec.n_samples)  # a Recording is channels x samples
        assert list(res.events["channel_name"].unique()) == [rec.channel_names[0]]


def test_hodges_bui_test_function_equals_scipy():
    rng = np.random.default_rng(5)
    x = rng.normal(scale=1e-5, size=12000)
    x[6000:9000] += rng.normal(scale=1e-4, size=3000)
    res = cramplab.detect_onsets(x, fs_hz=FS, baseline=(0.5, 2.5), window_s=0.02, lowpass_hz=50, h=3)
    # independent: SciPy band-pass, rectify, low-pass, centred moving average, normalise by the rest window
    y = signal.sosfiltfilt(signal.butter(4, [20, 450], "bandpass", fs=FS, output="sos"), x)
    e = signal.sosfiltfilt(signal.butter(2, 50, "lowpass", fs=FS, output="sos"), np.abs(y))
    w = 40
    csum = np.concatenate([[0.0], np.cumsum(e)])
    idx = np.arange(len(e))
    lo = np.maximum(idx - (w - 1) // 2, 0)
    hi = np.minimum(idx + w // 2 + 1, len(e))
    ma = (csum[hi] - csum[lo]) / (hi - lo)
    rest = ma[1000:5000]
    g = (ma - rest.mean()) / rest.std()
    np.testing.assert_allclose(res.test_function, g, rtol=1e-7, atol=1e-7)
    assert res.threshold == 3.0
    (on, off), = res.events[["onset_s", "offset_s"]].to_numpy()
    assert abs(on - 3.0) < 0.02 and abs(off - 4.5) < 0.03


def _brute_force_matches(det, tru, tol):
    """All one-to-one matchings maximising the number of pairs, then the smallest total error."""
    pairs = [(abs(d[0] - t[0]), i, j) for i, t in enumerate(tru) for j, d in enumerate(det) if abs(d[0] - t[0]) <= tol]
    pairs.sort()
    used_t, used_d, out = set(), set(), []
    for _, i, j in pairs:  # the documented rule: closest pairs first
        if i not in used_t and j not in used_d:
            used_t.add(i), used_d.add(j), out.append((i, j))
    return sorted(out)


def test_evaluate_equals_a_numpy_reimplementation():
    rng = np.random.default_rng(11)
    for _ in range(40):
        t_on = np.sort(rng.choice(np.arange(0, 20000, 50), size=rng.integers(0, 8), replace=False))
        tru = np.stack([t_on, t_on + 300], axis=1) if len(t_on) else np.zeros((0, 2), np.int64)
        d_on = np.sort(np.concatenate([t_on + rng.integers(-150, 150, size=len(t_on)), rng.integers(0, 20000, size=rng.integers(0, 4))]))
        det = np.stack([d_on, d_on + rng.integers(100, 500, size=len(d_on))], axis=1) if len(d_on) else np.zeros((0, 2), np.int64)
        ev = cramplab.evaluate_onsets(det.astype(np.int64), tru.astype(np.int64), fs_hz=FS, tolerance_s=0.05)
        ref = _brute_force_matches(det, tru, 0.05 * FS)
        assert list(zip(ev.pairs["true_index"], ev.pairs["detected_index"])) == ref
        tp = len(ref)
        assert ev.true_positives == tp
        assert ev.false_positives == len(det) - tp and ev.false_negatives == len(tru) - tp
        if tp:
            err = np.array([det[j][0] - tru[i][0] for i, j in ref]) / FS
            assert ev.onset_bias_s == pytest.approx(err.mean(), abs=1e-12)
            assert ev.onset_rmse_s == pytest.approx(np.sqrt((err ** 2).mean()), abs=1e-12)
            assert ev.onset_median_abs_s == pytest.approx(np.median(np.abs(err)), abs=1e-12)
            if tp > 1:
                assert ev.onset_sd_s == pytest.approx(err.std(ddof=1), abs=1e-12)
        if len(det) and len(tru):
            assert ev.f1 == pytest.approx(2 * tp / (len(det) + len(tru)))


def test_evaluate_accepts_seconds_tables_and_channels(trial):
    rec, truth = trial
    res = cramplab.detect_onsets(rec)
    by_samples = cramplab.evaluate_onsets(res, truth, fs_hz=rec.fs_hz)
    secs = pd.DataFrame({"onset_s": truth.bursts["onset_sample"] / rec.fs_hz,
                         "offset_s": truth.bursts["offset_sample"] / rec.fs_hz})
    by_seconds = cramplab.evaluate_onsets(res.events[["onset_s", "offset_s"]], secs, fs_hz=rec.fs_hz)
    pd.testing.assert_series_equal(by_samples.summary, by_seconds.summary)
    picked = cramplab.evaluate_onsets(res, truth, fs_hz=rec.fs_hz, channel=0)
    assert picked.f1 == by_samples.f1
    with pytest.raises(ValueError, match="integer samples"):
        cramplab.evaluate_onsets(np.array([[0.1, 0.2]]), secs, fs_hz=rec.fs_hz)


def test_keywords_sections_and_parameters():
    x = np.random.default_rng(2).normal(size=8000)
    res = cramplab.detect_onsets(x, fs_hz=FS, method="bonato", pfa=0.01, baseline_length_s=1.0, post_min_active_s=0.1,
                                 bandpass=False)
    assert res.method == "bonato" and len(res.channels) == 1
    same = cramplab.detect_onsets(x, fs_hz=FS, params={"onsets.method": "bonato", "bonato.pfa": 0.01,
                                                       "baseline.length_s": 1.0, "post.min_active_s": 0.1,
                                                       "onsets.bandpass": False}, method="bonato")
    np.testing.assert_array_equal(res.test_function, same.test_function)
    with pytest.raises(TypeError, match="pfa"):
        cramplab.detect_onsets(x, fs_hz=FS, method="hodges_bui", pfa=0.01)  # bonato's parameter
    with pytest.raises(ValueError, match="bonato.pfa=2"):
        cramplab.detect_onsets(x, fs_hz=FS, method="bonato", pfa=2.0)
    with pytest.raises(ValueError, match="not a detector"):
        cramplab.detect_onsets(x, fs_hz=FS, method="otsu")
    with pytest.raises(ValueError, match="fs_hz=50"):
        cramplab.detect_onsets(x, fs_hz=50)
    with pytest.raises(ValueError, match="baseline.length_s"):
        cramplab.detect_onsets(x[:1000], fs_hz=FS)
    table = cramplab.onset_parameters()
    sections = set(table["key"].str.split(".").str[0])
    assert {"onsets", "baseline", "post"} | set(cramplab.onset_methods()) <= sections
    only = cramplab.onset_parameters("tkeo")
    assert set(only["key"].str.split(".").str[0]) == {"onsets", "baseline", "post", "tkeo"}


def test_multichannel_statuses_and_flat_signal():
    rng = np.random.default_rng(4)
    x = rng.normal(scale=1e-6, size=(3, 10000))
    x[0, 5000:7000] += rng.normal(scale=1e-5, size=2000)
    x[2] = 0.0
    res = cramplab.detect_onsets(x, fs_hz=FS, channel_names=["TA", "GM", "dead"])
    assert list(res.channels["status"]) == ["ok", "no_activity", "flat"]
    assert list(res.events["channel_name"].unique()) == ["TA"]
    assert res.test_function.shape == x.shape
    assert np.isnan(res.test_function[2]).all()
    with pytest.raises(ValueError, match="channel names"):
        cramplab.detect_onsets(x, fs_hz=FS, channel_names=["a"])


def test_real_emggo_recording_has_its_bursts():
    from conftest import load_real

    x, fs = load_real("emggo_ta")  # 250 Hz tibialis anterior; the source states 56 dorsiflexion bursts
    counts = {}
    for m in ("hodges_bui", "lidierth", "bonato"):
        res = cramplab.detect_onsets(x[0], fs_hz=fs, method=m, post_merge_gap_s=0.2, post_min_active_s=0.2)
        assert res.status == "ok"
        counts[m] = len(res)
    for m, n in counts.items():
        assert 50 <= n <= 70, counts  # seen: hodges_bui 59, lidierth 59, bonato 67


# ---- bad input, per detector (docs/CLI.md "Bad input") -------------------------------------------

#: false events each detector may raise on 60 s of stationary white noise at its defaults (an
#: entirely active or entirely resting signal: no rest/activity contrast to find); seen 0 for most,
#: Hodges-Bui 1, Silva 2, changepoint 3
STATIONARY_MAX_EVENTS = {"hodges_bui": 3, "silva": 5, "changepoint": 6}


@pytest.mark.parametrize("method", cramplab.onset_methods())
def test_bad_input_per_detector(method):
    rng = np.random.default_rng(5)
    noise = rng.normal(size=int(60 * FS))
    # silent (all zeros) and constant (a DC level: the band-pass leaves only round-off) -> flat
    for x in (np.zeros(int(10 * FS)), np.full(int(10 * FS), 3.0)):
        r = cramplab.detect_onsets(x, fs_hz=FS, method=method)
        assert r.status == "flat" and len(r.events) == 0 and "no variation" in r.channels["message"][0]
    # a constant rest window before a burst: no thresholds can be set from it
    x = np.full(int(10 * FS), 3.0)
    x[12000:14000] += rng.normal(size=2000)
    r = cramplab.detect_onsets(x, fs_hz=FS, method=method, baseline=(0.5, 2.5))
    assert r.status == "flat"
    # stationary noise (no contrast): no_activity, or a few events at the detector's false-alarm rate
    r = cramplab.detect_onsets(noise, fs_hz=FS, method=method)
    assert r.status in ("ok", "no_activity")
    assert len(r.events) <= STATIONARY_MAX_EVENTS.get(method, 0), r.events
    # NaN anywhere: nothing detected, the first bad sample named
    bad = noise.copy()
    bad[777] = np.nan
    r = cramplab.detect_onsets(bad, fs_hz=FS, method=method)
    assert r.status == "non_finite" and "sample 777" in r.channels["message"][0] and np.isnan(r.test_function).all()
    # a rest window longer than the signal, given or automatic, and fs too low: errors naming the key
    short = noise[: int(1.5 * FS)]
    with pytest.raises(ValueError, match=r"baseline\.length_s=2 must be <= the signal's duration 1\.5 s"):
        cramplab.detect_onsets(short, fs_hz=FS, method=method)
    with pytest.raises(ValueError, match=r"baseline\.end_s=5 must be <= the signal's duration 1\.5 s"):
        cramplab.detect_onsets(short, fs_hz=FS, method=method, baseline=(1.0, 5.0))
    with pytest.raises(ValueError, match=r"fs_hz=50 must be >= 100 Hz"):
        cramplab.detect_onsets(noise, fs_hz=50.0, method=method)
    # a rest window over activity: baseline_not_quiet, nothing detected
    x = rng.normal(scale=0.01, size=int(10 * FS))
    x[int(1.5 * FS):int(2.5 * FS)] += rng.normal(size=int(FS))
    r = cramplab.detect_onsets(x, fs_hz=FS, method=method, baseline=(1.0, 3.0))
    assert r.status == "baseline_not_quiet" and len(r.events) == 0 and "baseline.max_spread" in r.channels["message"][0]
