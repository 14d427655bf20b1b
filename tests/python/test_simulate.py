"""cramplab.simulate from Python: sessions, bursts, studies, with independent references — SciPy's
Welch PSD and numerical quadrature for the spectrum check values (SCIENCE.md §7.1), scipy.stats
for the study-level effects, h5py for the files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.integrate
import scipy.optimize
import scipy.signal
import scipy.stats

import cramplab
import cramplab.simulate as sim

FS = 2000.0


def model_mnf_mdf(scale: float, low=20.0, high=450.0):
    """MNF and MDF of the model PSD by quadrature (the SCIENCE.md §7.1 check values)."""
    fl, fh = 60.0 * scale, 120.0 * scale
    p = lambda f: fh**4 * f**2 / ((f**2 + fl**2) * (f**2 + fh**2) ** 2)
    total = scipy.integrate.quad(p, low, high, limit=200)[0]
    mnf = scipy.integrate.quad(lambda f: f * p(f), low, high, limit=200)[0] / total
    mdf = scipy.optimize.brentq(lambda m: scipy.integrate.quad(p, low, m, limit=200)[0] - total / 2, low, high)
    return mnf, mdf


@pytest.mark.parametrize("scale, mnf_ref, mdf_ref", [(1.0, 115.5, 95.7), (0.9, 105.8, 86.8), (0.8, 95.9, 77.9),
                                                     (0.7, 85.8, 69.1)])
def test_shaped_noise_spectrum_reproduces_the_check_values(scale, mnf_ref, mdf_ref):
    mnf_q, mdf_q = model_mnf_mdf(scale)
    assert mnf_q == pytest.approx(mnf_ref, abs=0.1) and mdf_q == pytest.approx(mdf_ref, abs=0.1)
    x = sim.shaped_noise(int(60 * FS), fs_hz=FS, scale=scale, seed=11)
    assert x.std() == pytest.approx(1.0, abs=0.03)
    f, p = scipy.signal.welch(x, fs=FS, nperseg=2048)
    band = (f >= 20) & (f <= 450)
    mnf = np.sum(f[band] * p[band]) / np.sum(p[band])
    c = np.cumsum(p[band])
    mdf = np.interp(c[-1] / 2, c, f[band])
    assert mnf == pytest.approx(mnf_ref, abs=2.0)
    assert mdf == pytest.approx(mdf_ref, abs=2.0)
    # the model PSD itself, against the formula
    fm = np.array([10.0, 65.0, 120.0, 400.0])
    fl, fh = 60.0 * scale, 120.0 * scale
    np.testing.assert_allclose(sim.emg_psd_model(fm, scale=scale),
                               fh**4 * fm**2 / ((fm**2 + fl**2) * (fm**2 + fh**2) ** 2), rtol=1e-12)


def test_session_truth_and_recording_agree():
    (rec, truth), = sim.session(ctf_hz=13.0, seed=2, ladder={"rest_s": 10}, session={"post_s": 12})
    assert isinstance(rec, cramplab.Recording) and rec.fs_hz == FS
    trains = truth.trains
    np.testing.assert_array_equal(trains["frequency_hz"], [4, 6, 8, 10, 12, 14])
    np.testing.assert_array_equal(trains["cramp"], trains["frequency_hz"] >= 13.0)
    pulses = np.asarray(rec.stimulation.pulses)
    np.testing.assert_array_equal(pulses, truth.pulses["sample"])
    # pulse k of train j at round((t_j + k / f) fs)
    first = pulses[: int(trains["n_pulses"][0])]
    np.testing.assert_array_equal(first, np.round((2.0 + np.arange(len(first)) / 4.0) * FS).astype(np.int64))
    assert truth.attributes["ctf_hz"] == "13"
    assert truth.attributes["ladder.rest_s"] == "10"
    assert truth.activity.shape == rec.data.shape
    tables = cramplab.io.truth_tables(truth)
    assert isinstance(tables["trains"], pd.DataFrame) and len(tables["trains"]) == 6


def test_session_parameters_by_section_or_dotted_name_are_the_same():
    a = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6.0, "rest_s": 8})[0]
    b = sim.session(ctf_hz=9.0, seed=5, params={"ladder.start_hz": 6, "ladder.rest_s": 8.0})[0]
    np.testing.assert_array_equal(a.recording.data, b.recording.data)
    assert a.truth.trains["frequency_hz"].tolist() == [6.0, 8.0, 10.0]


def test_bad_parameters_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="ladder.stat_hz"):
        sim.session(ctf_hz=10.0, ladder={"stat_hz": 4})
    with pytest.raises(ValueError, match="snr_db=-40"):
        sim.session(ctf_hz=10.0, session={"snr_db": -40})
    with pytest.raises(ValueError, match="ctf_hz=-1"):
        sim.session(ctf_hz=-1.0)
    with pytest.raises(ValueError, match="snr_db=nan must be a finite number"):
        sim.session(ctf_hz=10.0, session={"snr_db": float("nan")})
    with pytest.raises(TypeError, match="dict"):
        sim.session(ctf_hz=10.0, ladder=4)
    with pytest.raises(ValueError, match="n_subjects=0"):
        sim.plan_study(study={"n_subjects": 0})
    with pytest.raises(ValueError, match="inside the frequency ladder"):
        sim.plan_study(study={"ctf_max_hz": 80})


def test_bursts_onsets_are_where_the_power_rises():
    rec, truth = sim.bursts(seed=4, bursts={"duration_s": 30.0, "snr_db": 25.0})
    x = rec.data[0]
    b = truth.bursts
    assert len(b["onset_sample"]) >= 6
    noise = x[: int(2.5 * FS)].std()
    for on, off in zip(b["onset_sample"], b["offset_sample"]):
        before = x[on - 400: on].std()
        inside = x[(on + off) // 2 - 200: (on + off) // 2 + 200].std()
        assert before < 2.0 * noise
        assert inside > 10.0 * noise


def test_study_effects_are_recovered_by_a_paired_comparison():
    for preset, effect in (("rehydration", 5.4 - (-5.1)), ("fatigue", 12.9), ("prior_cramp", -4.0), ("hydration", 0.0)):
        plan = sim.plan_study(preset=preset, seed=7, study={"n_subjects": 300})
        conds = [c["name"] for c in plan.attrs["conditions"]]
        wide = plan.pivot(index="subject", columns="condition", values="true_ctf_hz")
        diff = wide[conds[1]] - wide[conds[0]]
        t = scipy.stats.ttest_rel(wide[conds[1]], wide[conds[0]])
        ci = diff.mean() + np.array([-1, 1]) * scipy.stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
        assert ci[0] - 0.3 < effect < ci[1] + 0.3, (preset, ci)
        if effect == 0.0:
            assert t.pvalue > 0.001
        else:
            assert t.pvalue < 1e-6
        # the observed (ladder) CTF is the first 2-Hz step at or above the true one
        ok = plan.ladder_ctf_hz.notna()
        assert ((plan.ladder_ctf_hz[ok] - plan.true_ctf_hz[ok]) >= 0).all()
        assert ((plan.ladder_ctf_hz[ok] - plan.true_ctf_hz[ok]) < 2.0).all()


def test_plan_is_the_same_as_the_written_study(tmp_path):
    kw = dict(preset="prior_cramp", seed=3, study={"n_subjects": 2}, ladder={"rest_s": 8}, session={"post_s": 10},
              afterdischarge={"duration_min_s": 3, "duration_max_s": 6})
    plan = sim.plan_study(**kw)
    rep = sim.write_study(tmp_path / "s", jobs=2, **kw)
    assert rep["n_sessions"] == 4 and rep["n_recordings"] == 4
    truth = pd.read_csv(tmp_path / "s" / "truth" / "sessions.tsv", sep="\t")
    np.testing.assert_allclose(truth.true_ctf_hz, plan.true_ctf_hz, rtol=0, atol=1e-12)
    manifest = pd.read_csv(tmp_path / "s" / "manifest.tsv", sep="\t")
    rec = cramplab.read(tmp_path / "s" / manifest.file[0])
    t = cramplab.read_truth(tmp_path / "s" / manifest.file[0])
    assert rec.attributes["subject"] == manifest.subject[0]
    assert float(t.attributes["true_ctf_hz"]) == pytest.approx(plan.true_ctf_hz[0], abs=1e-12)


def test_parameters_table_matches_the_cli_names():
    p = sim.parameters("session")
    assert {"name", "default", "unit", "range", "help"} <= set(p.columns)
    names = set(p.name)
    for key in ("session.fs_hz", "ladder.start_hz", "afterdischarge.amplitude", "artifact.pulse_width_us",
                "mwave.latency_s", "spectrum.low_corner_hz", "hum.line_hz", "adc.bits", "pool.n_units"):
        assert key in names
    assert (p.help.str.len() > 0).all()
    assert set(sim.study_presets()) == {"hydration", "rehydration", "fatigue", "prior_cramp"}


def test_gil_is_released_while_simulating():
    import threading
    import time

    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=ticker)
    th.start()
    t0 = time.perf_counter()
    sim.session(ctf_hz=30.0, seed=1, session={"post_s": 30}, ladder={"rest_s": 30})
    elapsed = time.perf_counter() - t0
    stop.set()
    th.join()
    during = [t for t in ticks if t0 < t < t0 + elapsed]
    assert elapsed > 0.02
    assert len(during) >= 3
