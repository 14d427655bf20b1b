"""End-to-end tests of `cramplab simulate session|study|bursts`: real subprocess runs of the built
binary; the outputs are read back with h5py alone (docs/FORMAT.md) and checked against the truth
they carry and against the rules of the simulator (docs/SIMULATOR.md).
"""
from __future__ import annotations

import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest


def run(exe, *args, check=True):
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return p


SHORT = ["--ladder.rest_s", "10", "--session.post_s", "12", "--afterdischarge.duration_min_s", "3",
         "--afterdischarge.duration_max_s", "8"]


def test_help_lists_every_kind_and_every_section(exe):
    out = run(exe, "simulate", "--help").stdout
    for kind in ("session", "study", "bursts"):
        assert kind in out
    help_session = run(exe, "simulate", "session", "--help").stdout
    for option in ("--ctf-hz", "--ladder.start_hz", "--afterdischarge.amplitude", "--artifact.clip_probability",
                   "--mwave.decline", "--spectrum.high_corner_hz", "--pool.n_units", "--cramp_firing.isi_cv",
                   "--hum.amplitude", "--ecg.amplitude", "--adc.bits", "--seed", "--config"):
        assert option in help_session, option
    assert "--study.preset" in run(exe, "simulate", "study", "--help").stdout
    assert "--bursts.rise_max_s" in run(exe, "simulate", "bursts", "--help").stdout
    assert "cramplab simulate" in run(exe, "--help").stdout.replace("  simulate ", "cramplab simulate ")


def test_session_file_has_stimulation_and_truth(exe, tmp_path):
    out = tmp_path / "s.h5"
    p = run(exe, "simulate", "session", "--ctf-hz", "11", "--seed", "4", "-o", out, *SHORT)
    assert "first cramp at train 5" in p.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["format"] == "cramplab"
        fs = f["recording"].attrs["fs_hz"] if "fs_hz" in f["recording"].attrs else f["recording/data"].attrs["fs_hz"]
        assert float(fs) == 2000.0
        assert f["recording/data"].dtype == np.int16  # ADC counts kept exactly
        freqs = f["stimulation/trains/frequency_hz"][()]
        np.testing.assert_array_equal(freqs, [4, 6, 8, 10, 12])
        cramp = f["truth/trains/cramp"][()].astype(bool)
        np.testing.assert_array_equal(cramp, freqs >= 11)
        pulses = f["stimulation/pulses"][()]
        np.testing.assert_array_equal(pulses, f["truth/pulses/sample"][()])
        assert f["truth"].attrs["ctf_hz"] in ("11", b"11")
        assert f["truth/activity"].shape == f["recording/data"].shape


def test_same_seed_same_samples_other_seed_differs(exe, tmp_path):
    a, b, c = tmp_path / "a.h5", tmp_path / "b.h5", tmp_path / "c.h5"
    for path, seed in ((a, 9), (b, 9), (c, 10)):
        run(exe, "simulate", "session", "--ctf-hz", "8", "--seed", seed, "-o", path, "-q", *SHORT)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb, h5py.File(c, "r") as fc:
        np.testing.assert_array_equal(fa["recording/data"][()], fb["recording/data"][()])
        assert not np.array_equal(fa["recording/data"][()], fc["recording/data"][()])


def test_per_train_layout_writes_one_file_per_train(exe, tmp_path):
    out = tmp_path / "trains"
    run(exe, "simulate", "session", "--ctf-hz", "7", "--session.layout", "per_train", "--ladder.pulses_per_train", "150",
        "-o", out, "-q", *SHORT)
    files = sorted(out.glob("train-*.h5"))
    assert [f.name for f in files] == ["train-01.h5", "train-02.h5", "train-03.h5"]
    for f, freq in zip(files, (4, 6, 8)):
        with h5py.File(f, "r") as h:
            assert h["stimulation/trains/n_pulses"][()].tolist() == [150]
            assert h["stimulation/trains/frequency_hz"][()].tolist() == [freq]


def test_bad_parameters_exit_2_with_the_name(exe, tmp_path):
    cases = [
        (["session", "--ctf-hz", "50"], "ctf-hz=50"),
        (["session", "--ctf-hz", "10", "--session.snr_db", "-40"], "snr_db=-40"),
        (["session", "--ctf-hz", "10", "--session.fs_hz", "200"], "Nyquist"),
        (["session", "--ctf-hz", "10", "--session.layout", "daily"], "session or per_train"),
        (["session", "--ctf-hz", "10", "--ladder.start_hz", "six"], "ladder.start_hz"),
        (["study", "--study.n_subjects", "0"], "n_subjects=0"),
        (["study", "--study.ctf_min_hz", "1"], "inside the frequency ladder"),
        (["study", "--study.preset", "nope"], "hydration, rehydration"),
        (["study", "--study.condition", "a,zero"], "not a number"),
        (["bursts", "--bursts.rise_max_s", "0.4"], "rise_max_s=0.4"),
        (["weather"], "unknown kind"),
    ]
    for args, part in cases:
        p = run(exe, "simulate", *args, "-o", tmp_path / "x.h5", check=False)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert part in p.stderr, (args, p.stderr)
        assert p.stderr.count("\n") == 1
    assert not (tmp_path / "x.h5").exists()
    # a CTF above the ladder is allowed when asked for: no train cramps
    out = tmp_path / "censored.h5"
    run(exe, "simulate", "session", "--ctf-hz", "50", "--allow-censored", "--ladder.max_hz", "8", "-o", out, "-q")
    with h5py.File(out, "r") as f:
        assert not f["truth/trains/cramp"][()].any()


def test_study_folder_manifest_truth_and_regeneration_from_simulate_ini(exe, tmp_path):
    out = tmp_path / "study"
    p = run(exe, "simulate", "study", "--study.n_subjects", "4", "--jobs", "2", "-o", out, *SHORT)
    assert "8 sessions" in p.stdout
    manifest = pd.read_csv(out / "manifest.tsv", sep="\t")
    assert list(manifest.columns) == ["recording_id", "subject", "session", "condition", "file", "order",
                                      "body_mass_change_pct", "usg"]
    assert len(manifest) == 8
    # counterbalanced: each condition first for half of the subjects
    first = manifest[manifest.session == 1].condition.value_counts()
    assert first.tolist() == [2, 2]
    # covariates follow the conditions: ~0 % vs ~-3 % body mass
    bm = manifest.groupby("condition").body_mass_change_pct.mean()
    assert abs(bm["euhydrated"]) < 1.0 and abs(bm["hypohydrated"] + 3.0) < 1.0
    truth = pd.read_csv(out / "truth" / "sessions.tsv", sep="\t")
    for row in manifest.itertuples():
        with h5py.File(out / row.file, "r") as f:
            assert f["recording"].attrs["subject"] in (row.subject, row.subject.encode())
            t = truth[(truth.subject == row.subject) & (truth.session == row.session)].iloc[0]
            freqs = f["truth/trains/frequency_hz"][()]
            cramp = f["truth/trains/cramp"][()].astype(bool)
            np.testing.assert_array_equal(cramp, freqs >= t.true_ctf_hz)
            assert freqs[cramp][0] == t.ladder_ctf_hz
    ini = (out / "simulate.ini").read_text()
    assert "[ladder]" in ini and "rest_s = 10" in ini and "condition = euhydrated" in ini
    assert "[study]" in (out / "study.ini").read_text()
    # the recorded settings regenerate the same recordings
    copy = tmp_path / "copy"
    run(exe, "simulate", "study", "--config", out / "simulate.ini", "-o", copy, "-q")
    for row in manifest.itertuples():
        with h5py.File(out / row.file, "r") as a, h5py.File(copy / row.file, "r") as b:
            np.testing.assert_array_equal(a["recording/data"][()], b["recording/data"][()])
            np.testing.assert_array_equal(a["truth/activity"][()], b["truth/activity"][()])
    # a non-empty folder is refused (exit 1, nothing overwritten)
    p = run(exe, "simulate", "study", "-o", out, "-q", check=False)
    assert p.returncode == 1 and "not empty" in p.stderr


def test_study_jobs_do_not_change_the_files(exe, tmp_path):
    args = ["simulate", "study", "--study.preset", "fatigue", "--study.n_subjects", "3", "-q", *SHORT]
    run(exe, *args, "--jobs", "1", "-o", tmp_path / "j1")
    run(exe, *args, "--jobs", "2", "-o", tmp_path / "j2")
    files = sorted(p.relative_to(tmp_path / "j1") for p in (tmp_path / "j1").rglob("*") if p.is_file())
    assert len(files) == 6 + 5
    for rel in files:  # byte for byte: the store writes no time stamps (docs/FORMAT.md)
        assert (tmp_path / "j1" / rel).read_bytes() == (tmp_path / "j2" / rel).read_bytes(), rel


def test_custom_conditions_shift_the_true_ctf(exe, tmp_path):
    out = tmp_path / "custom"
    run(exe, "simulate", "study", "--study.condition", "control,0", "--study.condition", "fatigued,12.9",
        "--study.n_subjects", "6", "--study.retest_sd_hz", "0", "-o", out, "-q", *SHORT)
    truth = pd.read_csv(out / "truth" / "sessions.tsv", sep="\t")
    wide = truth.pivot(index="subject", columns="condition", values="true_ctf_hz")
    np.testing.assert_allclose(wide["fatigued"] - wide["control"], 12.9, atol=1e-9)


def test_bursts_trial(exe, tmp_path):
    out = tmp_path / "b.h5"
    p = run(exe, "simulate", "bursts", "--bursts.duration_s", "30", "--bursts.n_channels", "2", "-o", out)
    assert "bursts on 2 channel(s)" in p.stdout
    with h5py.File(out, "r") as f:
        on = f["truth/bursts/onset_sample"][()]
        off = f["truth/bursts/offset_sample"][()]
        ch = f["truth/bursts/channel"][()]
        assert len(on) >= 8 and set(ch.tolist()) == {0, 1}
        assert np.all(off > on)
        act = f["truth/activity"][()]
        for c, a, b in zip(ch, on, off):
            assert act[c, (a + b) // 2] == 1  # voluntary
