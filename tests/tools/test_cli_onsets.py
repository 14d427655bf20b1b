"""End-to-end tests of `cramplab onsets`: real subprocess runs of the built binary on burst trials
made by `cramplab simulate bursts` (fs 2 kHz, 20 dB SNR, ground truth in /truth/bursts). Outputs
are read with pandas / json / h5py alone; the evaluation is checked against an independent
re-implementation of the matching rule (SCIENCE.md §5.10: one-to-one, closest onsets first, within
the tolerance) on the simulator's ground truth.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
METHODS = ["hodges_bui", "bonato", "tkeo", "lidierth", "abbink", "silva", "londral", "aglr", "sampen", "changepoint"]
TRIAL = ["--bursts.duration_s", "30", "--bursts.n_channels", "4", "--bursts.snr_db", "20", "--seed", "2"]

# The columns of the library's tables (libemg/include/emg/detect/onsets.hpp: onsets_table,
# onset_channels_table, evaluation_table, evaluation_pairs_table), written down here on purpose.
ONSETS_COLUMNS = ["channel", "channel_name", "method", "event", "onset_sample", "offset_sample", "onset_s", "offset_s",
                  "duration_s", "score", "onset_censored", "offset_censored"]
CHANNELS_COLUMNS = ["channel", "channel_name", "method", "status", "message", "n_events", "threshold", "threshold_off",
                    "baseline_start_s", "baseline_end_s", "baseline_automatic", "baseline_mean", "baseline_sd",
                    "baseline_rms"]
EVALUATION_COLUMNS = ["channel", "n_true", "n_detected", "true_positives", "false_positives", "false_negatives",
                      "precision", "recall", "f1",
                      "onset_bias_s", "onset_sd_s", "onset_mae_s", "onset_rmse_s", "onset_median_abs_s",
                      "onset_loa_low_s", "onset_loa_high_s",
                      "offset_bias_s", "offset_sd_s", "offset_mae_s", "offset_rmse_s", "offset_median_abs_s",
                      "offset_loa_low_s", "offset_loa_high_s", "misclassified_fraction"]
PAIRS_COLUMNS = ["channel", "true_index", "detected_index", "onset_error_s", "offset_error_s"]


def run(exe, *args, check=True):
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return p


def read_tsv(path):
    """Every cell as the text written (no type guessing), for exact comparisons."""
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def header(path):
    return pathlib.Path(path).read_text().splitlines()[0].split("\t")


def truth_of(path):
    """The simulator's bursts: {channel name: [(onset_sample, offset_sample), ...]} and fs."""
    with h5py.File(path, "r") as f:
        names = [n.decode() for n in f["recording/channels/name"][()]]
        fs = float(f["recording/data"].attrs["fs_hz"])
        b = f["truth/bursts"]
        ch, on, off = b["channel"][()], b["onset_sample"][()], b["offset_sample"][()]
    out = {n: [] for n in names}
    for c, a, z in sorted(zip(ch, on, off), key=lambda t: (t[0], t[1])):
        out[names[c]].append((int(a), int(z)))
    return out, fs


def match(detected, truth, tol_samples):
    """Reference matching: candidate pairs with |onset difference| <= tolerance, taken closest first
    (ties: earlier true event, then earlier detection), each event used at most once."""
    cand = sorted((abs(d[0] - t[0]), i, j) for i, t in enumerate(truth) for j, d in enumerate(detected)
                  if abs(d[0] - t[0]) <= tol_samples)
    used_t, used_d, pairs = set(), set(), []
    for _, i, j in cand:
        if i not in used_t and j not in used_d:
            used_t.add(i)
            used_d.add(j)
            pairs.append((i, j))
    return sorted(pairs)


@pytest.fixture(scope="module")
def trial(exe, tmp_path_factory):
    d = tmp_path_factory.mktemp("bursts")
    path = d / "trial.h5"
    run(exe, "simulate", "bursts", *TRIAL, "-o", path, "-q")
    return path


@pytest.fixture(scope="module")
def stored(exe, trial, tmp_path_factory):
    """The default detector on the trial, evaluated against the stored truth."""
    out = tmp_path_factory.mktemp("stored")
    p = run(exe, "onsets", trial, "--truth", "stored", "-o", out)
    return out, p


# ---- help ----------------------------------------------------------------------------------------

def test_help_lists_methods_and_options(exe):
    p = run(exe, "onsets", "--help")
    assert p.stdout.startswith("Usage: cramplab onsets FILE...")
    for m in METHODS:
        assert m in p.stdout, m
    for opt in ("--onsets.method", "--baseline.length_s", "--post.merge_gap_s", "--hodges_bui.", "--bonato.", "--sampen.",
                "--evaluate.tolerance_s", "--truth", "--channel", "--config", "--format", "--jobs", "-o [ --output ]"):
        assert opt in p.stdout, opt
    assert "onsets" in run(exe, "--help").stdout


# ---- accuracy on the simulator's ground truth ---------------------------------------------------

@pytest.mark.parametrize("method", [None, "bonato", "tkeo"])
def test_stored_truth_f1_at_20_db(exe, trial, tmp_path, method):
    out = tmp_path / "out"
    extra = [] if method is None else ["--onsets.method", method]
    run(exe, "onsets", trial, "--truth", "stored", "-o", out, *extra)
    ev = pd.read_csv(out / "trial.evaluation.tsv", sep="\t")
    assert len(ev) == 4
    assert (ev.n_true > 0).all()
    tp, fp, fn = ev.true_positives.sum(), ev.false_positives.sum(), ev.false_negatives.sum()
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.9, (method, tp, fp, fn)
    pairs = pd.read_csv(out / "trial.pairs.tsv", sep="\t")
    assert len(pairs) == tp
    # onsets within the 50 ms tolerance by construction; the median is much better than that
    assert np.median(np.abs(pairs.onset_error_s)) <= 0.02, method
    channels = pd.read_csv(out / "trial.onset_channels.tsv", sep="\t")
    assert (channels.method == (method or "hodges_bui")).all()


def test_evaluation_equals_independent_matching(stored, trial):
    out, _ = stored
    truth, fs = truth_of(trial)
    events = pd.read_csv(out / "trial.onsets.tsv", sep="\t")
    ev = pd.read_csv(out / "trial.evaluation.tsv", sep="\t").set_index("channel")
    pairs = pd.read_csv(out / "trial.pairs.tsv", sep="\t")
    for name, true_events in truth.items():
        det = events[events.channel_name == name].sort_values("event")
        detected = list(zip(det.onset_sample, det.offset_sample))
        expect = match(detected, true_events, 0.05 * fs)
        row = ev.loc[name]
        assert row.n_true == len(true_events) and row.n_detected == len(detected)
        assert row.true_positives == len(expect)
        assert row.false_positives == len(detected) - len(expect)
        assert row.false_negatives == len(true_events) - len(expect)
        got = pairs[pairs.channel == name].sort_values("true_index")
        assert list(zip(got.true_index, got.detected_index)) == expect
        on_err = [(detected[j][0] - true_events[i][0]) / fs for i, j in expect]
        off_err = [(detected[j][1] - true_events[i][1]) / fs for i, j in expect]
        np.testing.assert_allclose(got.onset_error_s, on_err, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got.offset_error_s, off_err, rtol=0, atol=1e-12)
        if expect:
            np.testing.assert_allclose(row.onset_bias_s, np.mean(on_err), atol=1e-12)
            np.testing.assert_allclose(row.onset_median_abs_s, np.median(np.abs(on_err)), atol=1e-12)
            np.testing.assert_allclose(row.onset_mae_s, np.mean(np.abs(on_err)), atol=1e-12)


# ---- outputs -------------------------------------------------------------------------------------

def test_columns_are_the_library_tables(stored):
    out, _ = stored
    assert sorted(p.name for p in out.iterdir()) == ["trial.evaluation.tsv", "trial.onset_channels.tsv",
                                                     "trial.onsets.tsv", "trial.pairs.tsv"]
    assert header(out / "trial.onsets.tsv") == ONSETS_COLUMNS
    assert header(out / "trial.onset_channels.tsv") == CHANNELS_COLUMNS
    assert header(out / "trial.evaluation.tsv") == EVALUATION_COLUMNS
    assert header(out / "trial.pairs.tsv") == PAIRS_COLUMNS
    ch = read_tsv(out / "trial.onset_channels.tsv")
    assert list(ch.channel) == ["0", "1", "2", "3"] and list(ch.channel_name) == ["EMG1", "EMG2", "EMG3", "EMG4"]
    ev = pd.read_csv(out / "trial.onsets.tsv", sep="\t")
    np.testing.assert_allclose(ev.onset_s, ev.onset_sample / 2000.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev.duration_s, ev.offset_s - ev.onset_s, rtol=0, atol=1e-12)


def test_json_has_the_same_tables(exe, trial, stored, tmp_path):
    out, _ = stored
    run(exe, "onsets", trial, "--truth", "stored", "--format", "json", "-o", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["trial.onsets.json"]
    doc = json.loads((tmp_path / "trial.onsets.json").read_text())
    assert doc["command"] == "cramplab onsets" and doc["file"] == str(trial)
    assert doc["parameters"]["onsets.method"] == "hodges_bui" and doc["parameters"]["evaluate.tolerance_s"] == "0.05"
    tables = doc["tables"]
    assert list(tables) == ["onsets", "onset_channels", "evaluation", "pairs"]
    for name, file in (("onsets", "trial.onsets.tsv"), ("onset_channels", "trial.onset_channels.tsv"),
                       ("evaluation", "trial.evaluation.tsv"), ("pairs", "trial.pairs.tsv")):
        tsv = pd.read_csv(out / file, sep="\t", keep_default_na=False)
        assert list(tables[name]["columns"]) == list(tsv.columns), name
        assert tables[name]["n_rows"] == len(tsv), name
    np.testing.assert_array_equal(tables["onsets"]["columns"]["onset_sample"],
                                  pd.read_csv(out / "trial.onsets.tsv", sep="\t").onset_sample)


def test_summary_and_quiet(exe, trial, stored):
    out, p = stored
    lines = p.stdout.splitlines()
    assert lines[0] == f"cramplab onsets: {trial}"
    assert "truth: the file's /truth bursts, tolerance 0.05 s" in lines[1]
    ch = pd.read_csv(out / "trial.onset_channels.tsv", sep="\t")
    ev = pd.read_csv(out / "trial.evaluation.tsv", sep="\t")
    for k, r in ch.iterrows():
        row = next(line for line in lines if line.split()[:2] == [str(r.channel), r.channel_name])
        cells = row.split()
        assert cells[2:5] == ["hodges_bui", r.status, str(r.n_events)]
        assert f"{r.baseline_start_s:.3f}-{r.baseline_end_s:.3f} auto" in row
        assert cells[-7:-5] == [str(ev.true_positives[k]), str(ev.false_positives[k])]
        assert cells[-2] == f"{ev.f1[k]:.3f}"
    assert all(line == line.rstrip() for line in lines)
    q = run(exe, "onsets", trial, "--truth", "stored", "-q")
    assert q.stdout == "" and q.stderr == ""


# ---- --truth from a file -------------------------------------------------------------------------

def write_truth(trial, path, sep="\t", with_channel=True, only=None):
    truth, fs = truth_of(trial)
    rows = [(n, a / fs, z / fs) for n, ev in truth.items() for a, z in ev if only in (None, n)]
    lines = [sep.join(["kind", "onset_s", "offset_s"] + (["channel"] if with_channel else []))]
    for n, a, z in rows[::-1]:  # any order
        lines.append(sep.join(["voluntary", repr(a), repr(z)] + ([n] if with_channel else [])))
    path.write_text("# reference bursts\n" + "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("sep,suffix", [("\t", "tsv"), (",", "csv")])
def test_truth_file_equals_stored(exe, trial, stored, tmp_path, sep, suffix):
    out, _ = stored
    events = write_truth(trial, tmp_path / f"events.{suffix}", sep=sep)
    run(exe, "onsets", trial, "--truth", events, "-o", tmp_path / "out")
    for name in ("evaluation", "pairs", "onsets", "onset_channels"):
        assert (tmp_path / "out" / f"trial.{name}.tsv").read_text() == (out / f"trial.{name}.tsv").read_text(), name


def test_truth_rows_without_channel_apply_to_every_channel(exe, trial, stored, tmp_path):
    out, _ = stored
    events = write_truth(trial, tmp_path / "emg2.tsv", with_channel=False, only="EMG2")
    run(exe, "onsets", trial, "--truth", events, "--channel", "EMG2", "--channel", "0", "-o", tmp_path / "out")
    ev = read_tsv(tmp_path / "out" / "trial.evaluation.tsv").set_index("channel")
    ref = read_tsv(out / "trial.evaluation.tsv").set_index("channel")
    assert list(ev.index) == ["EMG2", "EMG1"]
    pd.testing.assert_series_equal(ev.loc["EMG2"], ref.loc["EMG2"])
    # EMG1 is scored against EMG2's bursts: the same true events, a different score
    assert ev.loc["EMG1", "n_true"] == ref.loc["EMG2", "n_true"]
    assert ev.loc["EMG1", "true_positives"] != ref.loc["EMG1", "true_positives"] or \
        ev.loc["EMG1", "n_true"] != ref.loc["EMG1", "n_true"]


def test_own_onsets_table_as_truth_scores_perfectly(exe, trial, stored, tmp_path):
    out, _ = stored
    run(exe, "onsets", trial, "--truth", out / "trial.onsets.tsv", "-o", tmp_path)
    ev = pd.read_csv(tmp_path / "trial.evaluation.tsv", sep="\t")
    n = pd.read_csv(out / "trial.onset_channels.tsv", sep="\t").n_events
    assert (ev.n_true == n).all() and (ev.true_positives == n).all()
    assert (ev.f1 == 1.0).all() and (ev.onset_mae_s == 0.0).all() and (ev.offset_mae_s == 0.0).all()


# ---- channels, config, several files ------------------------------------------------------------

def test_channel_selection_by_name_and_index(exe, trial, stored, tmp_path):
    out, _ = stored
    run(exe, "onsets", trial, "--channel", "EMG3", "--channel", "0", "--channel", "EMG1", "-o", tmp_path)
    ch = read_tsv(tmp_path / "trial.onset_channels.tsv")
    assert list(ch.channel_name) == ["EMG3", "EMG1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trial.onset_channels.tsv", "trial.onsets.tsv"]
    ref = read_tsv(out / "trial.onsets.tsv")
    got = read_tsv(tmp_path / "trial.onsets.tsv")
    for name in ("EMG3", "EMG1"):
        pd.testing.assert_frame_equal(got[got.channel_name == name].reset_index(drop=True),
                                      ref[ref.channel_name == name].reset_index(drop=True))


def test_config_file_and_command_line(exe, trial, tmp_path):
    ini = tmp_path / "onsets.ini"
    ini.write_text("channel = EMG2\n[onsets]\nmethod = bonato\n[evaluate]\ntolerance_s = 0.1\n")
    run(exe, "onsets", trial, "--config", ini, "--truth", "stored", "-o", tmp_path / "a")
    ch = read_tsv(tmp_path / "a" / "trial.onset_channels.tsv")
    assert list(ch.channel_name) == ["EMG2"] and list(ch.method) == ["bonato"]
    run(exe, "onsets", trial, "--config", ini, "--onsets.method", "tkeo", "--format", "json", "-o", tmp_path / "b")
    doc = json.loads((tmp_path / "b" / "trial.onsets.json").read_text())
    assert doc["parameters"]["onsets.method"] == "tkeo" and doc["parameters"]["evaluate.tolerance_s"] == "0.1"
    assert doc["tables"]["onset_channels"]["columns"]["method"] == ["tkeo"]


def test_several_files_combined_and_jobs(exe, trial, tmp_path):
    second = tmp_path / "second.h5"
    run(exe, "simulate", "bursts", "--bursts.duration_s", "15", "--bursts.n_channels", "2", "--seed", "5", "-o", second, "-q")
    one, two = tmp_path / "j1", tmp_path / "j2"
    p = run(exe, "onsets", trial, second, "--truth", "stored", "-o", one)
    run(exe, "onsets", trial, second, "--truth", "stored", "-o", two, "--jobs", "2")
    assert p.stdout.index(f"cramplab onsets: {trial}") < p.stdout.index(f"cramplab onsets: {second}")
    assert "analysed 2 of 2 files, 0 failed" in p.stdout
    names = sorted(x.name for x in one.iterdir())
    assert names == sorted(x.name for x in two.iterdir())
    for name in names:
        assert (one / name).read_text() == (two / name).read_text(), name
    combined = read_tsv(one / "evaluation.tsv")
    assert list(combined.columns) == ["file"] + EVALUATION_COLUMNS
    assert list(combined.file) == [str(trial)] * 4 + [str(second)] * 2
    for f, stem in ((trial, "trial"), (second, "second")):
        pd.testing.assert_frame_equal(combined[combined.file == str(f)].drop(columns="file").reset_index(drop=True),
                                      read_tsv(one / f"{stem}.evaluation.tsv"))
    assert list(read_tsv(one / "onset_channels.tsv").columns) == ["file"] + CHANNELS_COLUMNS
    assert list(read_tsv(one / "onsets.tsv").columns) == ["file"] + ONSETS_COLUMNS


def test_text_input(exe, tmp_path):
    rng = np.random.default_rng(3)
    fs = 1000.0
    x = rng.normal(scale=1e-6, size=(10000, 2))
    x[4000:6000, 1] += rng.normal(scale=2e-5, size=2000)  # one burst 4.0-6.0 s on channel B
    path = tmp_path / "rec.tsv"
    np.savetxt(path, x, delimiter="\t", header="A\tB", comments="")
    truth = tmp_path / "events.csv"
    truth.write_text("channel,onset_s,offset_s\nB,4.0,6.0\n")
    p = run(exe, "onsets", path, "--fs-hz", fs, "--onsets.method", "bonato", "--truth", truth, "-o", tmp_path / "out")
    ev = read_tsv(tmp_path / "out" / "rec.evaluation.tsv").set_index("channel")
    assert ev.loc["B", "true_positives"] == "1" and ev.loc["A", "n_true"] == "0"
    on = pd.read_csv(tmp_path / "out" / "rec.onsets.tsv", sep="\t")
    b = on[on.channel_name == "B"]
    assert len(b) == 1 and abs(b.onset_s.iloc[0] - 4.0) <= 0.02 and abs(b.offset_s.iloc[0] - 6.0) <= 0.05
    assert "rec.tsv" in p.stdout


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,needles", [
    (["--onsets.method", "foo"], ["--onsets.method", "foo", "hodges_bui", "changepoint"]),
    (["--post.min_active_s", "-1"], ["--post.min_active_s", "-1", ">= 0"]),
    (["--baseline.length_s", "abc"], ["--baseline.length_s", "abc", "number"]),
    (["--evaluate.tolerance_s", "0"], ["--evaluate.tolerance_s", "=0", "> 0"]),
    (["--onsets.order", "11"], ["--onsets.order", "11", "1..10"]),
    (["--baseline.start_s", "1"], ["--baseline.start_s", "baseline.end_s=nan", "both"]),
    (["--format", "xml"], ["--format", "xml", "tsv or json"]),
    (["--jobs", "0"], ["--jobs=0", ">= 1"]),
    (["--onsets.nope", "1"], ["onsets.nope"]),
    (["--channel", ""], ["--channel", "empty"]),
])
def test_usage_errors_exit_2(exe, trial, tmp_path, args, needles):
    p = run(exe, "onsets", trial, *args, "-o", tmp_path / "out", check=False)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("cramplab: onsets: ") and p.stderr.count("\n") == 1
    for n in needles:
        assert n in p.stderr, (n, p.stderr)
    assert not (tmp_path / "out").exists()  # nothing read, nothing written


def test_missing_input_exit_2(exe):
    p = run(exe, "onsets", check=False)
    assert p.returncode == 2 and "missing INPUT" in p.stderr


@pytest.mark.parametrize("text,needles", [
    ("onset_s\tend_s\n1\t2\n", ["line 1", "offset_s", "onset_s"]),
    ("# comment\nonset_s,offset_s\n1,2\n3,x\n", ["line 4", "offset_s='x'", "not a number"]),
    ("onset_s,offset_s\n1,2\n3,2.5\n", ["line 3", "offset_s=2.5", "> onset_s=3"]),
    ("onset_s,offset_s\n-1,2\n", ["line 2", "onset_s=-1", ">= 0"]),
    ("onset_s,offset_s\n1,nan\n", ["line 2", "offset_s", "finite"]),
    ("onset_s,offset_s\n1,2,3\n", ["line 2", "3 field(s)", "header has 2"]),
    ("onset_s,offset_s,channel\n1,2,EMG1\n3,4,TA\n", ["line 3", "channel 'TA'", "EMG1"]),
    ("onset_s,offset_s\n1,2\n29,31\n", ["line 3", "does not fit", "30 s"]),
    ("# nothing\n", ["no header"]),
])
def test_bad_truth_file_exit_1(exe, trial, tmp_path, text, needles):
    path = tmp_path / "events.csv"
    path.write_text(text)
    p = run(exe, "onsets", trial, "--truth", path, check=False)
    assert p.returncode == 1, p.stderr
    assert str(path) in p.stderr
    for n in needles:
        assert n in p.stderr, (n, p.stderr)


@pytest.mark.parametrize("args,needles", [
    (["--channel", "TA"], ["'TA'", "not a channel", "0 EMG1", "3 EMG4"]),
    (["--channel", "4"], ["'4'", "not a channel"]),
    (["--baseline.start_s", "0", "--baseline.end_s", "100"], ["--baseline.end_s", "=100", "duration 30 s"]),
    (["--truth", "missing-events.tsv"], ["cannot read", "missing-events.tsv"]),
])
def test_runtime_errors_exit_1(exe, trial, args, needles):
    p = run(exe, "onsets", trial, *args, check=False)
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("cramplab: ") and p.stderr.count("\n") == 1
    for n in needles:
        assert n in p.stderr, (n, p.stderr)


def test_unreadable_files_exit_1_and_others_go_on(exe, trial, tmp_path):
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\nnot really")
    missing = tmp_path / "missing.h5"
    p = run(exe, "onsets", missing, junk, trial, "-o", tmp_path / "out", check=False)
    assert p.returncode == 1
    err = p.stderr.splitlines()
    assert len(err) == 2 and str(missing) in err[0] and str(junk) in err[1]
    assert (tmp_path / "out" / "trial.onsets.tsv").exists()
    assert "analysed 1 of 3 files, 2 failed" in p.stdout


def test_truth_stored_needs_a_simulated_cramplab_file(exe, tmp_path):
    path = tmp_path / "rec.tsv"
    np.savetxt(path, np.random.default_rng(0).normal(size=(4000, 1)), header="A", comments="")
    p = run(exe, "onsets", path, "--fs-hz", "2000", "--truth", "stored", check=False)
    assert p.returncode == 1 and "--truth stored" in p.stderr and "text" in p.stderr
    run(exe, "import", path, "--fs-hz", "2000", "-o", tmp_path / "imp", "-q")
    p = run(exe, "onsets", tmp_path / "imp" / "rec.h5", "--truth", "stored", check=False)
    assert p.returncode == 1 and "no /truth" in p.stderr and "rec.h5" in p.stderr


# ---- --test-function and --write -----------------------------------------------------------------

def test_test_function_table_agrees_with_scores_and_thresholds(exe, trial, tmp_path):
    run(exe, "onsets", trial, "--test-function", "-o", tmp_path, "-q")
    tf = pd.read_csv(tmp_path / "trial.test_function.tsv", sep="\t")
    truth, fs = truth_of(trial)
    assert list(tf.columns) == ["sample", "time_s"] + list(truth)
    assert len(tf) == 30 * int(fs) and (tf["sample"].to_numpy() == np.arange(len(tf))).all()
    np.testing.assert_allclose(tf["time_s"], tf["sample"] / fs, rtol=0, atol=1e-12)
    events = pd.read_csv(tmp_path / "trial.onsets.tsv", sep="\t")
    channels = pd.read_csv(tmp_path / "trial.onset_channels.tsv", sep="\t").set_index("channel_name")
    assert len(events) > 0
    for _, e in events.iterrows():
        # score = mean test function over [onset, offset) / on-threshold (onsets.hpp)
        g = tf[e.channel_name].to_numpy()[e.onset_sample:e.offset_sample]
        assert e.score == pytest.approx(np.nanmean(g) / channels.loc[e.channel_name, "threshold"], rel=1e-9)
        # Hodges-Bui: active where the test function exceeds the threshold h (in SDs of the rest)
        assert g[0] > channels.loc[e.channel_name, "threshold"] or e.onset_censored


def test_write_stores_every_table_and_keeps_the_recording(exe, trial, tmp_path):
    path = tmp_path / "trial.h5"
    path.write_bytes(trial.read_bytes())
    with h5py.File(path, "r") as f:
        data_before = f["recording/data"][()]
    p = run(exe, "onsets", path, "--onsets.method", "londral", "--truth", "stored", "--test-function", "--write",
            "-o", tmp_path / "out")
    assert "stored in" in p.stdout and "derived/onsets/events" in p.stdout
    items = {"derived/onsets/events": "onsets", "metrics/onsets/channels": "onset_channels",
             "metrics/onsets/evaluation": "evaluation", "derived/onsets/pairs": "pairs",
             "derived/onsets/test_function": "test_function"}
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["recording/data"][()], data_before)
        for item, table in items.items():
            g = f[item]
            assert g.attrs["param.onsets.method"] == "londral"
            assert "--write" in g.attrs["param.command_line"]
            tsv = pd.read_csv(tmp_path / "out" / f"trial.{table}.tsv", sep="\t", keep_default_na=False,
                              na_values=["nan"])
            columns = [c.decode() if isinstance(c, bytes) else c for c in g.attrs["columns"]]
            assert columns == list(tsv.columns)
            for c in columns:
                stored_col = g[c][()]
                if stored_col.dtype.kind in "SO":
                    assert [v.decode() for v in stored_col] == [str(v) for v in tsv[c]], (item, c)
                elif stored_col.dtype == np.uint8:
                    assert stored_col.astype(bool).tolist() == tsv[c].astype(bool).tolist(), (item, c)
                else:
                    np.testing.assert_array_equal(stored_col, tsv[c].to_numpy(dtype=stored_col.dtype), err_msg=f"{item} {c}")
    # a second run replaces the items instead of failing or duplicating them
    run(exe, "onsets", path, "--write", "-q")
    with h5py.File(path, "r") as f:
        assert f["derived/onsets/events"].attrs["param.onsets.method"] == "hodges_bui"
        assert "test_function" in f["derived/onsets"]  # items not produced this time are kept


def test_write_refuses_a_file_that_is_not_cramplab(exe, tmp_path):
    path = tmp_path / "rec.tsv"
    np.savetxt(path, np.random.default_rng(0).normal(size=(4000, 1)), header="A", comments="")
    before = path.read_bytes()
    p = run(exe, "onsets", path, "--fs-hz", "2000", "--write", check=False)
    assert p.returncode == 1 and "--write" in p.stderr and "import it first" in p.stderr
    assert path.read_bytes() == before
