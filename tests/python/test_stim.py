"""cramplab stimulation kernels from Python (detect_pulses, group_trains, suppress_artifacts,
suppression_intervals, measure_mwaves, mwave_trends) against independent references: the
simulator's ground truth (cramplab.read_truth fields: pulse samples, train frequencies, M-wave
samples and amplitudes), NumPy (np.interp for the blanking fill) and the C++ table column lists
(cramplab._core.detect.table_columns, never a hand list).
"""
from __future__ import annotations

import numpy as np
import pytest

import cramplab
import cramplab.simulate as sim
from cramplab import _core

from conftest import DATASETS

FS = 2000.0
LADDER = {"start_hz": 6, "step_hz": 3, "rest_s": 5}  # 6, 9, 12, 15 Hz; CTF 13 -> cramp at 15 Hz


@pytest.fixture(scope="module")
def session():
    # artefact 1 mV = 100x the baseline EMG RMS (afterdischarge 0.1 mV at SNR 20 dB -> 10 uV noise)
    (rec, truth), = sim.session(ctf_hz=13.0, seed=7, ladder=LADDER, session={"post_s": 8, "snr_db": 20},
                                artifact={"amplitude": 1e-3})
    return rec, truth, np.ascontiguousarray(np.asarray(rec.data)[0])


def _train_ids(trains):
    return np.concatenate([np.full(n, t) for t, n in zip(trains.train_id, trains.n_pulses)])


def test_detected_pulses_equal_the_truth_exactly(session):
    rec, truth, x = session
    pulses = cramplab.detect_pulses(x, fs_hz=FS)
    assert pulses.dtype == np.int64
    np.testing.assert_array_equal(pulses, truth.pulses["sample"])
    # the same from the trigger-free stored pulses path of the session analysis is tested in test_cramp.py


def test_pulse_parameters_are_keywords_with_cpp_defaults(session):
    _, truth, x = session
    defaults = cramplab.cramp_parameters().set_index("key")["value"]
    # giving the default explicitly changes nothing; an absurd threshold finds nothing
    same = cramplab.detect_pulses(x, fs_hz=FS, threshold_mad=float(defaults["pulses.threshold_mad"]), source="emg")
    np.testing.assert_array_equal(same, truth.pulses["sample"])
    assert cramplab.detect_pulses(x, fs_hz=FS, min_step_rms=1e6).size == 0
    doc = cramplab.detect_pulses.__doc__
    assert f"threshold_mad : float, default {defaults['pulses.threshold_mad']}" in doc


def test_trains_match_the_truth(session):
    _, truth, x = session
    trains = cramplab.group_trains(cramplab.detect_pulses(x, fs_hz=FS), fs_hz=FS, n_samples=x.size)
    assert list(trains.columns) == _core.detect.table_columns("trains") + ["pulses"]
    t = truth.trains
    np.testing.assert_allclose(trains.frequency_hz, t["frequency_hz"], atol=0.05)
    np.testing.assert_array_equal(trains.n_pulses, t["n_pulses"])
    np.testing.assert_array_equal(trains.start_sample, t["start_sample"])
    np.testing.assert_array_equal(trains.end_sample, t["end_sample"])
    assert trains.status.tolist() == ["ok"] * len(t["train_id"])
    for tid, p in zip(trains.train_id, trains.pulses):
        assert p.dtype == np.int64
        np.testing.assert_array_equal(p, truth.pulses["sample"][truth.pulses["train_id"] == tid])
    assert trains.missing_samples.map(len).sum() == 0 and trains.extra_samples.map(len).sum() == 0
    assert trains.cut_at_start.dtype == bool


def test_group_trains_reports_missing_pulses_and_the_nominal_ladder(session):
    _, truth, x = session
    pulses = truth.pulses["sample"]
    first = pulses[truth.pulses["train_id"] == 1]
    dropped = np.setdiff1d(pulses, first[5:6])  # remove the 6th pulse of train 1
    trains = cramplab.group_trains(dropped, fs_hz=FS, n_samples=x.size, nominal_ladder_hz=[6, 9, 12, 15])
    assert trains.n_missing.tolist() == [1, 0, 0, 0]
    assert abs(int(trains.missing_samples[0][0]) - int(first[5])) <= 1  # the grid slot, to rounding
    assert trains.nominal_frequency_hz.tolist() == [6.0, 9.0, 12.0, 15.0]
    assert trains.status[0] != "ok" and "missing" in trains.status[0]


def test_suppress_artifacts_leaves_the_input_and_draws_straight_lines(session):
    _, truth, x = session
    pulses = truth.pulses["sample"]
    assert not _core._signal_is_copied(x)  # float64 C-contiguous: used in place ...
    before = x.copy()
    y, intervals = cramplab.suppress_artifacts(x, fs_hz=FS, pulses=pulses)
    np.testing.assert_array_equal(x, before)  # ... and never modified
    assert y.shape == x.shape and intervals.shape == (pulses.size, 2) and intervals.dtype == np.int64
    np.testing.assert_array_equal(intervals, cramplab.suppression_intervals(x.size, fs_hz=FS, pulses=pulses))
    # the span of each pulse holds it, and is filled with the line between its neighbours
    assert np.all(intervals[:, 0] <= pulses) and np.all(pulses < intervals[:, 1])
    outside = np.ones(x.size, dtype=bool)
    for s, e in intervals:
        idx = np.arange(s, e)
        np.testing.assert_allclose(y[s:e], np.interp(idx, [s - 1, e], [x[s - 1], x[e]]), rtol=0, atol=1e-15)
        outside[s:e] = False
    np.testing.assert_array_equal(y[outside], x[outside])
    # the spike (1 mV, at the pulse sample) is gone: what is left there is the line between neighbours
    assert np.abs(x[pulses]).min() > 5e-4 > np.abs(y[pulses]).max()
    # 2-D in, 2-D out; template subtraction per train
    y2, _ = cramplab.suppress_artifacts(np.vstack([x, x]), fs_hz=FS, pulses=pulses, method="template_subtraction",
                                        train_ids=truth.pulses["train_id"])
    assert y2.shape == (2, x.size)
    np.testing.assert_array_equal(y2[0], y2[1])


def test_mwaves_match_the_truth(session):
    _, truth, x = session
    pulses = truth.pulses["sample"]
    ids = truth.pulses["train_id"]
    y, _ = cramplab.suppress_artifacts(x, fs_hz=FS, pulses=pulses, train_ids=ids)
    m = cramplab.measure_mwaves(np.vstack([y, y]), fs_hz=FS, pulses=pulses, train_ids=ids)
    assert list(m.columns) == _core.detect.table_columns("mwaves")
    assert len(m) == 2 * pulses.size and m.channel.tolist() == [0] * pulses.size + [1] * pulses.size
    m = m[m.channel == 0]
    assert m.found.all()
    latency = (truth.pulses["mwave_sample"] - pulses) / FS
    err = np.abs(m.latency_s.to_numpy() - latency)
    # mwaves.hpp: at 20 dB the onset is late by 1-3 samples at 2 kHz
    assert np.median(err) <= 2 / FS and err.max() <= 5 / FS
    ratio = m.peak_to_peak.to_numpy() / truth.pulses["mwave_amplitude"]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)

    trends = cramplab.mwave_trends(m)
    assert list(trends.columns) == _core.detect.table_columns("mwave_trends")
    per_train = trends[trends.scope == "train"]
    assert per_train.train_id.tolist() == [1, 2, 3, 4]
    amp = truth.pulses["mwave_amplitude"]
    truth_ratio = [amp[ids == t][-1] / amp[ids == t][0] for t in (1, 2, 3, 4)]  # mwave.decline 0.5
    np.testing.assert_allclose(per_train.last_first_ratio, truth_ratio, atol=0.05)


def test_no_pulses_in_a_real_recording_without_stimulation():
    x = np.loadtxt(DATASETS / "biosppy-examples" / "emg_1.txt", comments="#")
    x = np.ascontiguousarray(x - x.mean())
    assert cramplab.detect_pulses(x, fs_hz=1000.0).size == 0
    trains = cramplab.group_trains(np.zeros(0, np.int64), fs_hz=1000.0, n_samples=x.size)
    assert len(trains) == 0 and list(trains.columns) == _core.detect.table_columns("trains") + ["pulses"]


def test_bad_input_raises_naming_the_parameter(session):
    _, truth, x = session
    bad = x.copy()
    bad[100] = np.nan
    with pytest.raises(ValueError, match="non-finite|NaN"):
        cramplab.detect_pulses(bad, fs_hz=FS)
    with pytest.raises(ValueError, match="NaN|non-finite"):
        cramplab.detect_pulses(np.full(1000, np.nan), fs_hz=FS)
    with pytest.raises(ValueError, match="fs_hz"):
        cramplab.detect_pulses(x[::10], fs_hz=200.0)  # too slow to resolve an artefact spike
    with pytest.raises(ValueError, match="threshold_mad"):
        cramplab.detect_pulses(x, fs_hz=FS, threshold_mad=-1)
    with pytest.raises(ValueError, match="source"):
        cramplab.detect_pulses(x, fs_hz=FS, source="eeg")
    with pytest.raises(TypeError, match="thresold_mad"):
        cramplab.detect_pulses(x, fs_hz=FS, thresold_mad=3)
    with pytest.raises(ValueError, match="ipi_tolerance"):
        cramplab.group_trains(truth.pulses["sample"], fs_hz=FS, n_samples=x.size, ipi_tolerance=-0.1)
    with pytest.raises(ValueError, match="pulses"):
        cramplab.group_trains(truth.pulses["sample"][::-1], fs_hz=FS, n_samples=x.size)
    with pytest.raises(ValueError, match="method"):
        cramplab.suppress_artifacts(x, fs_hz=FS, pulses=[10], method="blank_quadratic")
    with pytest.raises(ValueError, match="blank_s"):
        cramplab.suppress_artifacts(x, fs_hz=FS, pulses=[10], blank_s=1.0)
    with pytest.raises(ValueError, match="train_ids"):
        cramplab.suppress_artifacts(x, fs_hz=FS, pulses=[10, 20], train_ids=[1])
    with pytest.raises(ValueError, match="pulses"):
        cramplab.suppress_artifacts(x, fs_hz=FS, pulses=[1.5])
    with pytest.raises(ValueError, match="x"):
        cramplab.measure_mwaves(bad, fs_hz=FS, pulses=[1000])
    with pytest.raises(ValueError, match="window_end_s"):
        cramplab.measure_mwaves(x, fs_hz=FS, pulses=[1000], window_end_s=1.0)
