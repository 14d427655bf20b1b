"""End-to-end tests of `cramplab stim` and `cramplab cramp`: real subprocess runs of the built
binary on sessions made by `cramplab simulate session` (small ladders, fs 2 kHz) and on a real
recording without stimulation. Outputs are read with pandas / json / h5py alone and compared with
the ground truth the simulator stores in /truth (docs/FORMAT.md, docs/SIMULATOR.md).
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SESSION = ["--ladder.start_hz", "4", "--ladder.step_hz", "2", "--ladder.max_hz", "14", "--ladder.rest_s", "8",
           "--session.post_s", "20", "--ladder.stop_at_first_cramp", "false", "--afterdischarge.duration_min_s", "3",
           "--afterdischarge.duration_max_s", "6"]
STIM_TABLES = ["pulses", "trains", "mwaves", "mwave_trends"]
CRAMP_TABLES = STIM_TABLES + ["cramps", "ctf"]
REAL = REPO / "datasets" / "real" / "biosppy-examples" / "emg_1.txt"


def run(exe, *args, check=True):
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return p


def read_tsv(path):
    """Every cell as the text written (no type guessing), for exact comparisons."""
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def numbers(series):
    return series.astype(float).to_numpy()


@pytest.fixture(scope="module")
def sessions(exe, tmp_path_factory):
    """Three sessions: true CTF 9 Hz (ladder 4..14 Hz, every train from 10 Hz on cramps), 13 Hz,
    and a subject who does not cramp up to 14 Hz (censored)."""
    d = tmp_path_factory.mktemp("sessions")
    made = {}
    for name, ctf, seed in (("a", 9, 7), ("b", 13, 8), ("c", 20, 10)):
        path = d / f"{name}.h5"
        extra = ["--allow-censored"] if ctf > 14 else []
        run(exe, "simulate", "session", "--ctf-hz", ctf, "--seed", seed, "-o", path, "-q", *SESSION, *extra)
        made[name] = path
    return made


def truth_trains(path):
    with h5py.File(path, "r") as f:
        g = f["truth/trains"]
        return pd.DataFrame({k: g[k][()] for k in ("train_id", "frequency_hz", "n_pulses", "cramp", "start_sample")})


def truth_pulses(path):
    with h5py.File(path, "r") as f:
        return f["truth/pulses/sample"][()], f["truth/pulses/train_id"][()]


def ladder_ctf(trains):
    """(lower, upper] from the truth: the first cramping frequency and the step below it."""
    cramping = trains.frequency_hz[trains.cramp.astype(bool)]
    if cramping.empty:
        return trains.frequency_hz.max(), np.inf
    upper = cramping.min()
    below = trains.frequency_hz[trains.frequency_hz < upper]
    return (below.max() if not below.empty else 0.0), upper


# ---- help ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["stim", "cramp"])
def test_help_lists_every_section_and_the_exit_codes(exe, command):
    out = run(exe, command, "--help").stdout
    for option in ("--analysis.channel", "--analysis.mwaves", "--find.source", "--pulses.threshold_mad",
                   "--trains.ipi_tolerance", "--suppress.method", "--mwave.window_end_s", "--cramp.k_on",
                   "--cramp.min_duration_s", "--cramp_suppress.blank_s", "--ctf.confirm_repeats", "--config",
                   "--write", "--jobs", "--format", "--channel", "--output", "--input-format"):
        assert option in out, option
    assert "Exit codes:" in out and "  2  usage error" in out
    assert f"cramplab {command} FILE..." in out


def test_both_commands_offer_the_same_parameters(exe):
    def options(command):
        lines = run(exe, command, "--help").stdout.splitlines()
        return [ln.split()[0] for ln in lines if ln.startswith("  --") and "." in ln.split()[0]]
    assert options("stim") == options("cramp")
    assert len(options("stim")) > 60  # every field of session_analysis_fields, not a hand-picked few


# ---- stim against the truth -----------------------------------------------------------------------

@pytest.mark.parametrize("source", ["stored", "emg"])
def test_stim_trains_and_pulses_equal_the_truth(exe, sessions, tmp_path, source):
    p = run(exe, "stim", sessions["a"], "--find.source", source, "-o", tmp_path)
    assert f"pulses from {source}" in p.stdout
    for t in STIM_TABLES:
        assert (tmp_path / f"a.{t}.tsv").is_file(), t
    truth = truth_trains(sessions["a"])
    trains = read_tsv(tmp_path / "a.trains.tsv")
    assert len(trains) == len(truth) == 6
    np.testing.assert_allclose(numbers(trains.frequency_hz), truth.frequency_hz, atol=0.05)
    np.testing.assert_array_equal(numbers(trains.n_pulses), truth.n_pulses)
    np.testing.assert_array_equal(numbers(trains.start_sample), truth.start_sample)
    assert set(trains.status) == {"ok"} and set(trains.source) == {source}
    samples, train_ids = truth_pulses(sessions["a"])
    pulses = read_tsv(tmp_path / "a.pulses.tsv")
    np.testing.assert_array_equal(pulses["sample"].astype(np.int64), samples)
    np.testing.assert_array_equal(pulses["train_id"].astype(np.int64), train_ids)
    np.testing.assert_allclose(numbers(pulses.time_s), samples / 2000.0, rtol=0, atol=1e-12)
    # one M-wave row per pulse and one trend row per train (+ the across-train rows)
    mw = read_tsv(tmp_path / "a.mwaves.tsv")
    np.testing.assert_array_equal(mw.pulse_sample.astype(np.int64), samples)
    trends = read_tsv(tmp_path / "a.mwave_trends.tsv")
    assert (trends.scope == "train").sum() == 6


def test_stim_summary_shows_every_train(exe, sessions):
    out = run(exe, "stim", sessions["a"]).stdout
    assert "6 train(s), 108 pulse(s)" in out
    for f in ("4.000", "6.000", "8.000", "10.000", "12.000", "14.000"):
        assert f in out, f
    assert "mwave_first" in out and "last/1st" in out


# ---- cramp against the truth ----------------------------------------------------------------------

def test_cramp_decisions_and_ctf_equal_the_truth(exe, sessions, tmp_path):
    for name, path in sessions.items():
        run(exe, "cramp", path, "-o", tmp_path, "-q")
        truth = truth_trains(path)
        cramps = read_tsv(tmp_path / f"{name}.cramps.tsv")
        assert len(cramps) == len(truth)
        assert list(cramps.decided) == ["true"] * len(truth), cramps.status.tolist()
        np.testing.assert_array_equal(cramps.cramp == "true", truth.cramp.astype(bool), err_msg=name)
        np.testing.assert_allclose(numbers(cramps.frequency_hz), truth.frequency_hz, atol=0.05)
        ctf = read_tsv(tmp_path / f"{name}.ctf.tsv")
        assert len(ctf) == 1
        row = ctf.iloc[0]
        lower, upper = ladder_ctf(truth)
        assert float(row.lower_hz) == lower and float(row.upper_hz) == upper, (name, row.lower_hz, row.upper_hz)
        assert row.censored == ("true" if np.isinf(upper) else "false")
        if not np.isinf(upper):
            assert float(row.ctf_hz) == upper
            with h5py.File(path, "r") as f:
                true_ctf = float(f["truth"].attrs["ctf_hz"])
            assert lower < true_ctf <= upper


def test_cramp_summary_lines(exe, sessions):
    out = run(exe, "cramp", sessions["a"]).stdout
    lines = [ln.split() for ln in out.splitlines() if ln.strip()[:1].isdigit()]
    decisions = [ln[2] for ln in lines]
    assert decisions == ["no", "no", "no", "yes", "yes", "yes"], out
    assert "CTF (8, 10] Hz" in out and "censored no" in out
    censored = run(exe, "cramp", sessions["c"]).stdout
    assert "CTF (14, inf) Hz" in censored and "censored yes" in censored


# ---- TSV = JSON -----------------------------------------------------------------------------------

def same_cell(text, value):
    if value is None:
        return text in ("nan", "inf", "-inf")
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, int):
        return text == str(value)
    if isinstance(value, float):
        return float(text) == value
    return text == value


@pytest.mark.parametrize("command", ["stim", "cramp"])
def test_tsv_and_json_hold_the_same_columns_and_values(exe, sessions, tmp_path, command):
    run(exe, command, sessions["a"], "-o", tmp_path / "tsv", "-q")
    run(exe, command, sessions["a"], "-o", tmp_path / "json", "--format", "json", "-q")
    doc = json.loads((tmp_path / "json" / f"a.{command}.json").read_text())
    names = STIM_TABLES if command == "stim" else CRAMP_TABLES
    assert list(doc["tables"]) == names
    assert doc["file"] == str(sessions["a"]) and doc["command"] == f"cramplab {command}"
    assert doc["parameters"]["pulses.threshold_mad"] == "12" and doc["parameters"]["cramp.k_on"]
    assert len(doc["input_sha256"]) == 64
    for name in names:
        tsv = read_tsv(tmp_path / "tsv" / f"a.{name}.tsv")
        table = doc["tables"][name]
        assert list(tsv.columns) == list(table["columns"]), name
        assert len(tsv) == table["n_rows"] > 0, name
        for column, values in table["columns"].items():
            assert len(values) == len(tsv)
            bad = [(t, v) for t, v in zip(tsv[column], values) if not same_cell(t, v)]
            assert not bad, (name, column, bad[:3])


# ---- several files, --jobs ------------------------------------------------------------------------

def test_several_files_give_a_combined_ctf_table(exe, sessions, tmp_path):
    files = [sessions[k] for k in ("a", "b", "c")]
    p = run(exe, "cramp", *files, "-o", tmp_path)
    assert "analysed 3 of 3 files" in p.stdout
    combined = read_tsv(tmp_path / "ctf.tsv")
    assert list(combined["file"]) == [str(f) for f in files]
    for f, (_, row) in zip(files, combined.iterrows()):
        single = read_tsv(tmp_path / f"{f.stem}.ctf.tsv")
        assert list(combined.columns) == ["file"] + list(single.columns)
        assert row.drop("file").tolist() == single.iloc[0].tolist()
    assert list(combined.upper_hz) == ["10", "14", "inf"]


@pytest.mark.parametrize("fmt", ["tsv", "json"])
def test_jobs_2_gives_byte_identical_outputs(exe, sessions, tmp_path, fmt):
    files = [sessions[k] for k in ("a", "b", "c")]
    one = run(exe, "cramp", *files, "-o", tmp_path / "j1", "--format", fmt, "--jobs", "1")
    two = run(exe, "cramp", *files, "-o", tmp_path / "j2", "--format", fmt, "--jobs", "2")
    names = sorted(p.name for p in (tmp_path / "j1").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "j2").iterdir())
    assert len(names) == (3 * 6 + 1 if fmt == "tsv" else 3 + 1)
    for n in names:
        assert (tmp_path / "j1" / n).read_bytes() == (tmp_path / "j2" / n).read_bytes(), n
    assert one.stdout.replace("/j1/", "/j2/") == two.stdout


def test_a_failing_file_is_reported_and_the_others_go_on(exe, sessions, tmp_path):
    missing = tmp_path / "missing.h5"
    p = run(exe, "cramp", sessions["a"], missing, sessions["b"], "-o", tmp_path / "out", "--jobs", "2", check=False)
    assert p.returncode == 1
    assert str(missing) in p.stderr
    assert (tmp_path / "out" / "a.cramps.tsv").is_file() and (tmp_path / "out" / "b.cramps.tsv").is_file()
    assert list(read_tsv(tmp_path / "out" / "ctf.tsv")["file"]) == [str(sessions["a"]), str(sessions["b"])]


# ---- --write --------------------------------------------------------------------------------------

def datasets_outside_results(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if name.split("/")[0] in ("derived", "metrics"):
                return
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype.str, obj.shape, obj[()].tobytes() if obj.dtype.kind != "O" else list(obj[()]),
                             dict(obj.attrs))
        f.visititems(visit)
        out["/attrs"] = {k: str(v) for k, v in f.attrs.items()}
    return out


def data_sha256(path):
    """The checksum of docs/FORMAT.md computed from the raw file with h5py and hashlib alone: SHA-256
    of the samples in units (counts * conversion + offset) as <f8, channel after channel, then fs_hz."""
    with h5py.File(path, "r") as f:
        d = f["recording/data"]
        x = d[()]
        if x.dtype.kind in "iu":
            x = x * d.attrs["conversion"][:, None] + d.attrs["offset"][:, None]
        fs = float(d.attrs["fs_hz"])
    return hashlib.sha256(np.ascontiguousarray(x, dtype="<f8").tobytes() + np.float64(fs).tobytes()).hexdigest()


def stored_column(group, name):
    """The dataset of column `name` inside a stored table item (docs/FORMAT.md, "Tables")."""
    found = []
    group.visititems(lambda n, o: found.append(o) if isinstance(o, h5py.Dataset) and n.split("/")[-1] == name else None)
    assert len(found) == 1, (group.name, name, found)
    return found[0][()]


def test_write_stores_the_tables_and_leaves_the_recording_untouched(exe, sessions, tmp_path):
    path = tmp_path / "a.h5"
    shutil.copy(sessions["a"], path)
    before = datasets_outside_results(path)
    p = run(exe, "cramp", path, "--write", "-o", tmp_path / "out")
    assert "stored in" in p.stdout
    assert datasets_outside_results(path) == before  # the recording, stimulation and truth byte for byte
    items = {"derived/stim/pulses": "pulses", "derived/stim/trains": "trains", "derived/stim/mwaves": "mwaves",
             "metrics/stim/mwave_trends": "mwave_trends", "derived/cramp/cramps": "cramps", "metrics/cramp/ctf": "ctf"}
    with h5py.File(path, "r") as f:
        for item, table in items.items():
            assert item in f, item
            g = f[item]
            attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in g.attrs.items()}
            assert attrs.get("param.pulses.threshold_mad") == "12", (item, sorted(attrs)[:10])
            assert attrs.get("param.cramp.k_on") is not None
            assert "--write" in attrs.get("param.command_line", ""), item
            assert attrs.get("input_sha256") == data_sha256(path), item
            tsv = read_tsv(tmp_path / "out" / f"a.{table}.tsv")
            for column in ("train_id", "status") if table != "pulses" else ("train_id", "sample"):
                if column not in tsv.columns:
                    continue
                stored = stored_column(g, column)
                stored = [s.decode() if isinstance(s, bytes) else str(s) for s in stored]
                assert stored == list(tsv[column]), (item, column)
    info = run(exe, "info", path).stdout
    for item in items:
        assert item in info, item
    # the checksum is the recording's, and a second run replaces the items (not an error)
    run(exe, "stim", path, "--write", "-q")
    assert datasets_outside_results(path) == before


def test_write_on_a_text_input_is_refused_and_the_file_kept(exe, tmp_path):
    txt = tmp_path / "emg.txt"
    shutil.copy(REAL, txt)
    content = txt.read_bytes()
    p = run(exe, "stim", txt, "--write", check=False)
    assert p.returncode == 1
    assert str(txt) in p.stderr and "--write" in p.stderr
    assert txt.read_bytes() == content


# ---- real recording without stimulation -----------------------------------------------------------

def test_real_recording_without_stimulation(exe, tmp_path):
    p = run(exe, "cramp", REAL, "-o", tmp_path)
    assert "0 train(s), 0 pulse(s)" in p.stdout and "no_stimulation" in p.stdout
    assert len(read_tsv(tmp_path / "emg_1.trains.tsv")) == 0
    assert len(read_tsv(tmp_path / "emg_1.pulses.tsv")) == 0
    ctf = read_tsv(tmp_path / "emg_1.ctf.tsv")
    assert ctf.status.tolist() == ["no_stimulation"] and ctf.determined.tolist() == ["false"]
    cramps = read_tsv(tmp_path / "emg_1.cramps.tsv")
    assert set(cramps.cramp) <= {"false"} and set(cramps.status) == {"no_stimulation"}


# ---- bad command lines and bad files --------------------------------------------------------------

@pytest.mark.parametrize("args, code, words", [
    (["--no-such-option", "1"], 2, ["--no-such-option"]),
    (["--pulses.threshold_mad", "-1"], 2, ["--pulses.threshold_mad", "-1"]),
    (["--pulses.threshold_mad", "abc"], 2, ["--pulses.threshold_mad", "abc"]),
    (["--cramp.post_window_s", "1"], 2, ["--cramp.post_window_s"]),
    (["--cramp_suppress.blank_s", "-1"], 2, ["--cramp_suppress.blank_s"]),
    (["--trains.max_gap_s", "-1"], 2, ["--trains.max_gap_s"]),
    (["--suppress.method", "smear"], 2, ["--suppress.method", "smear"]),
    (["--format", "xml"], 2, ["--format", "xml"]),
    (["--jobs", "0"], 2, ["--jobs"]),
])
def test_bad_options_exit_2_naming_the_option(exe, sessions, tmp_path, args, code, words):
    p = run(exe, "cramp", sessions["a"], "-o", tmp_path, *args, check=False)
    assert p.returncode == code, p.stderr
    for w in words:
        assert w in p.stderr, (w, p.stderr)
    assert not list(tmp_path.iterdir())  # nothing is written when the command line is wrong


def test_missing_file_exits_1_naming_it(exe, tmp_path):
    p = run(exe, "stim", tmp_path / "nope.h5", check=False)
    assert p.returncode == 1 and "nope.h5" in p.stderr


def test_unknown_channel_is_a_failure_of_that_file(exe, sessions):
    p = run(exe, "stim", sessions["a"], "--channel", "TA", check=False)
    assert p.returncode == 1 and '"TA"' in p.stderr.replace("'", '"')
    assert "FHB" in run(exe, "stim", sessions["a"], "--channel", "FHB").stdout


def test_config_file_supplies_options_and_the_command_line_wins(exe, sessions, tmp_path):
    ini = tmp_path / "analysis.ini"
    ini.write_text("[pulses]\nthreshold_mad = 15\n[cramp]\nk_on = 4\n")
    run(exe, "stim", sessions["a"], "--config", ini, "--cramp.k_on", "5", "--format", "json", "-o", tmp_path / "o", "-q")
    params = json.loads((tmp_path / "o" / "a.stim.json").read_text())["parameters"]
    assert params["pulses.threshold_mad"] == "15" and params["cramp.k_on"] == "5"
    ini.write_text("[pulses]\nthreshold_mad = 0.5\n")
    p = run(exe, "stim", sessions["a"], "--config", ini, check=False)
    assert p.returncode == 2 and "--pulses.threshold_mad" in p.stderr
    ini.write_text("[pulses]\nno_such_key = 1\n")
    p = run(exe, "stim", sessions["a"], "--config", ini, check=False)
    assert p.returncode == 2 and "no_such_key" in p.stderr


# ---- docs ------------------------------------------------------------------------------------------

def test_cli_md_lists_every_column_written(exe, sessions, tmp_path):
    run(exe, "cramp", sessions["a"], "-o", tmp_path, "-q")
    doc = (REPO / "docs" / "CLI.md").read_text()
    section = doc[doc.index("## `stim`"):]
    for t in CRAMP_TABLES:
        for column in read_tsv(tmp_path / f"a.{t}.tsv").columns:
            assert f"`{column}`" in section, (t, column)
