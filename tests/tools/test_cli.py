"""End-to-end tests of the `cramplab` command-line tool: real subprocess runs of the built binary.

The binary comes from $CRAMPLAB_EXE (set by ctest) or build/tools/cramplab; if neither exists
every test fails with a message saying so. Numbers are checked against SciPy recomputations on
the same samples, read here with NumPy only.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import signal, stats

HERE = pathlib.Path(__file__).resolve()
REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", HERE.parents[2]))
REAL = REPO / "datasets" / "real"
EMG1 = REAL / "biosppy-examples" / "emg_1.txt"
UCI = REAL / "uci-lower-limb" / "3Asen.txt"
UCI_NAMES = ["Recto Femoral", "Biceps Femoral", "Vasto Medial", "EMG Semitendinoso"]
VICON = REAL / "pyomeca-shoulder-c3d" / "analogs.csv"
VICON_NAMES = [f"EMG{k}" for k in range(1, 12)]

FILTER_TOL = 1e-10  # x signal RMS, issue #2
SPECTRUM_TOL = 1e-9  # relative, after a round trip through text (shortest round-trip digits)


def run(exe, *args, cwd=None):
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one stderr line, got: {proc.stderr!r}"
    assert lines[0].startswith("cramplab: "), lines[0]
    assert "Traceback" not in proc.stderr and "terminate called" not in proc.stderr
    return lines[0]


# ---- reference data and SciPy recomputations -------------------------------------------------


def load_emg1() -> np.ndarray:
    return np.loadtxt(EMG1, comments="#")[None, :]


def load_uci() -> np.ndarray:
    x = np.loadtxt(UCI, skiprows=7)
    return np.ascontiguousarray(x[:, :4].T)


def load_vicon() -> np.ndarray:
    x = np.genfromtxt(VICON, delimiter=",", skip_header=5)
    return np.ascontiguousarray(x[:, 8:19].T)  # EMG1..EMG11, after Frame, Sub Frame and 6 analog inputs


def bandpass_scipy(x, fs, low=20.0, high=450.0, order=4, zero_phase=True):
    sos = signal.butter(order, [low, high], btype="bandpass", output="sos", fs=fs)
    return signal.sosfiltfilt(sos, x, axis=-1) if zero_phase else signal.sosfilt(sos, x, axis=-1)


def rel_err(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b)))


def median_frequency_ref(f, p, low, high):
    """Cumulative power at bin upper edges, interpolated inside the crossing bin (metrics.hpp)."""
    sel = (f >= low) & (f <= high)
    fb, pb = f[sel], p[sel]
    df = f[1] - f[0]
    half = pb.sum() / 2
    below = 0.0
    for i in range(len(pb)):
        if below + pb[i] >= half or i == len(pb) - 1:
            return fb[i] - df / 2 + (half - below) / pb[i] * df
        below += pb[i]
    raise AssertionError("unreachable")


def fatigue_ref(y, fs, window_s=1.0, step_s=0.5, segment_s=0.25, low=20.0, high=450.0):
    """Per-epoch MNF, MDF, RMS, ARV with SciPy's welch (Hann, 50 % overlap, constant detrend)."""
    w, s, seg = round(window_s * fs), round(step_s * fs), round(segment_s * fs)
    n_epochs = (y.shape[-1] - w) // s + 1
    high = min(high, fs / 2)
    out = {k: np.empty((y.shape[0], n_epochs)) for k in ("mnf_hz", "mdf_hz", "rms", "arv")}
    for k in range(n_epochs):
        e = y[:, k * s: k * s + w]
        f, p = signal.welch(e, fs=fs, nperseg=seg, noverlap=seg // 2, window="hann", detrend="constant")
        sel = (f >= low) & (f <= high)
        out["mnf_hz"][:, k] = (f[sel] * p[:, sel]).sum(axis=1) / p[:, sel].sum(axis=1)
        out["mdf_hz"][:, k] = [median_frequency_ref(f, p[c], low, high) for c in range(y.shape[0])]
        out["rms"][:, k] = np.sqrt(np.mean(e**2, axis=1))
        out["arv"][:, k] = np.mean(np.abs(e), axis=1)
    times = (np.arange(n_epochs) * s + w / 2) / fs
    return times, out


# ---- help, version, usage errors ----------------------------------------------------------------


def test_version(exe):
    proc = run(exe, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("cramplab 0.")
    assert "git" in proc.stdout


def test_help_lists_commands_and_exit_codes(exe):
    proc = run(exe, "--help")
    assert proc.returncode == 0
    for word in ("filter", "psd", "fatigue", "Exit codes", "--fs-hz"):
        assert word in proc.stdout


@pytest.mark.parametrize(
    "command, expected",
    [
        ("filter", ["--bandpass.low_hz arg (=20)", "--bandpass.high_hz arg (=450)", "--mains.line_hz arg (=50)",
                    "--mains.method arg (=interpolation)", "--no-bandpass", "--no-mains", "--with-time"]),
        ("psd", ["--psd.nperseg arg (=256)", "--psd.window arg (=hann)", "--psd.average arg (=mean)",
                 "--bandpass.order arg (=4)"]),
        ("fatigue", ["--fatigue.window_s arg (=1)", "--fatigue.step_s arg (=0.5)", "--fatigue.segment_s arg (=0.25)",
                     "--fatigue.low_hz arg (=20)", "--fatigue.high_hz arg (=450)", "--bandpass.zero_phase arg (=true)"]),
    ],
)
def test_command_help(exe, command, expected):
    proc = run(exe, command, "--help")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"Usage: cramplab {command}")
    for text in expected + ["--fs-hz", "--columns", "--time-column", "--output", "--quiet", "--threads", "[Hz]",
                            "Exit codes:"]:
        assert text in out, f"{text!r} missing from `cramplab {command} --help`"


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["fatigue", EMG1, "-o", "x", "--bogus"], "unrecognised option '--bogus'"),
        (["psd", EMG1, "--fatigue.window_s", "1"], "unrecognised option '--fatigue.window_s'"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        ([], "no command given"),
        (["fatigue", "-o", "x"], "missing INPUT"),
        (["filter", EMG1], "missing -o/--output"),
        (["psd", EMG1, "--bandpass.order", "four"], "('four') for option '--bandpass.order' is invalid"),
        (["psd", EMG1, "--columns", "0,x"], "--columns"),
        (["psd", EMG1, "--threads", "-3"], "--threads=-3"),
    ],
)
def test_usage_errors_exit_2(exe, args, pattern):
    proc = run(exe, *args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert pattern in one_error_line(proc)


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["fatigue", UCI, "--fs-hz", "500"],
         "bandpass: high_hz=450 must be below Nyquist (250 Hz for fs_hz=500); the recording is sampled too slowly"),
        (["fatigue", EMG1, "--fs-hz", "-1"], "fs_hz=-1 must be finite and > 0"),
        (["fatigue", UCI], "pass the sampling rate (CLI: --fs-hz)"),
        (["psd", EMG1, "--psd.nperseg", "0"], "nperseg=0"),
        (["psd", EMG1, "--psd.nperseg", "100000"], "nperseg=100000"),
        (["psd", EMG1, "--psd.nperseg", "256", "--psd.noverlap", "256"], "noverlap=256"),
        (["psd", EMG1, "--psd.window", "kaiserish"], "kaiserish"),
        (["psd", EMG1, "--mains.method", "magic"], "magic"),
        (["filter", EMG1, "--bandpass.low_hz", "500", "--bandpass.high_hz", "400"], "low_hz=500 must be < high_hz=400"),
        (["filter", EMG1, "--bandpass.order", "11"], "order=11"),
        (["psd", EMG1, "--columns", "3"], "columns[0]=3 must be in [0, 1)"),
        (["fatigue", EMG1, "--fatigue.window_s", "0"], "window_s=0"),
    ],
)
def test_bad_parameters_exit_2(exe, tmp_path, args, pattern):
    proc = run(exe, *args, "-o", tmp_path / "out")
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert pattern in one_error_line(proc)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# ---- runtime / I/O failures ---------------------------------------------------------------------


def test_malformed_file_exit_1_names_file_and_line(exe, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,EMG1,EMG2\n0,1,2\n0.001,3,4\n0.002,5\n0.003,7,8\n")
    before = sha256(bad)
    proc = run(exe, "filter", bad, "-o", tmp_path / "out.tsv")
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "bad.csv:4:" in line and "expected 3 fields, found 2" in line and "'0.002,5'" in line
    assert sha256(bad) == before
    assert not (tmp_path / "out.tsv").exists()


def test_non_numeric_field_exit_1(exe, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\t2\n3\tfoo\n")
    proc = run(exe, "psd", bad, "--fs-hz", "1000", "--no-bandpass", "--no-mains", "--psd.nperseg", "2")
    assert proc.returncode == 1
    assert "bad.tsv:2: field 2 is not a number: 'foo'" in one_error_line(proc)


def test_physionet_corrupted_line_is_reported(exe, tmp_path):
    proc = run(exe, "fatigue", REAL / "physionet-emgdb" / "emg_healthy.txt", "-o", tmp_path)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "emg_healthy.txt:639:" in line and "not a number" in line


def test_missing_and_empty_files_exit_1(exe, tmp_path):
    proc = run(exe, "psd", tmp_path / "nope.txt")
    assert proc.returncode == 1
    assert "cannot open" in one_error_line(proc) and "nope.txt" in proc.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run(exe, "psd", empty, "--fs-hz", "1000")
    assert proc.returncode == 1
    assert "empty.txt: file is empty" in one_error_line(proc)


def test_unwritable_output_exit_1(exe, tmp_path):
    proc = run(exe, "filter", EMG1, "-o", tmp_path / "missing_dir" / "out.tsv")
    assert proc.returncode == 1
    assert "missing_dir" in one_error_line(proc)


# ---- fatigue: the README job ----------------------------------------------------------------------


def run_fatigue(exe, outdir, input_path, *extra):
    before = sha256(input_path)
    proc = run(exe, "fatigue", input_path, "-o", outdir, *extra)
    assert proc.returncode == 0, proc.stderr
    assert sha256(input_path) == before, "the input file was modified"
    assert proc.stderr == "", "progress must not be printed when stderr is not a terminal"
    for name in ("psd.tsv", "fatigue.tsv", "trends.tsv", "summary.txt"):
        assert (outdir / name).is_file(), name
    assert not [p for p in outdir.iterdir() if ".tmp" in p.name], "temporary files left behind"
    return proc


CASES = {
    "uci": (UCI, ["--fs-hz", "1000", "--columns", "0,1,2,3"], load_uci, UCI_NAMES, 1000.0),
    "biosppy": (EMG1, [], load_emg1, ["EMG"], 1000.0),
    "vicon": (VICON, ["--columns", ",".join(str(k) for k in range(6, 17))], load_vicon, VICON_NAMES, 2000.0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fatigue_outputs_structure(exe, tmp_path, case):
    path, extra, load, names, fs = CASES[case]
    proc = run_fatigue(exe, tmp_path, path, *extra)
    x = load()

    psd = pd.read_csv(tmp_path / "psd.tsv", sep="\t")
    assert list(psd.columns) == ["freq_hz"] + names
    assert len(psd) == 129  # nperseg 256 -> 129 one-sided bins
    np.testing.assert_allclose(psd["freq_hz"], np.fft.rfftfreq(256, 1 / fs), rtol=0, atol=1e-12)

    fat = pd.read_csv(tmp_path / "fatigue.tsv", sep="\t")
    assert list(fat.columns) == ["channel", "time_s", "mnf_hz", "mdf_hz", "rms", "arv"]
    n_epochs = (x.shape[1] - round(fs)) // round(fs / 2) + 1
    assert len(fat) == len(names) * n_epochs
    assert list(fat["channel"].unique()) == names
    assert fat[["mnf_hz", "mdf_hz", "rms", "arv"]].notna().all().all()
    assert ((fat["mdf_hz"] >= 20) & (fat["mdf_hz"] <= 450)).all()

    trends = pd.read_csv(tmp_path / "trends.tsv", sep="\t")
    assert list(trends.columns) == ["channel", "metric", "slope", "intercept", "slope_ci_low", "slope_ci_high",
                                    "normalized_slope_pct_per_s", "r_squared", "n"]
    assert len(trends) == 4 * len(names)
    assert set(trends["metric"]) == {"mnf_hz", "mdf_hz", "rms", "arv"}
    assert (trends["n"] == n_epochs).all()
    assert (trends["slope_ci_low"] <= trends["slope"]).all() and (trends["slope"] <= trends["slope_ci_high"]).all()

    summary = (tmp_path / "summary.txt").read_text()
    assert summary == proc.stdout
    assert f"fs {fs:g} Hz" in summary and "MDF_%/s" in summary
    for name in names:
        assert name in summary
    assert "remove_mains(line_hz=50" in summary


@pytest.mark.parametrize("case", sorted(CASES))
def test_fatigue_numbers_equal_scipy_without_mains(exe, tmp_path, case):
    path, extra, load, names, fs = CASES[case]
    run_fatigue(exe, tmp_path, path, *extra, "--no-mains", "--quiet")
    y = bandpass_scipy(load(), fs)

    psd = pd.read_csv(tmp_path / "psd.tsv", sep="\t")
    f, p = signal.welch(y, fs=fs, nperseg=256)
    np.testing.assert_array_equal(psd["freq_hz"].to_numpy(), f)
    for c, name in enumerate(names):
        err = rel_err(psd[name].to_numpy(), p[c])
        assert err <= SPECTRUM_TOL, f"{name}: PSD relative error {err:.3g}"

    times, ref = fatigue_ref(y, fs)
    fat = pd.read_csv(tmp_path / "fatigue.tsv", sep="\t")
    trends = pd.read_csv(tmp_path / "trends.tsv", sep="\t")
    for c, name in enumerate(names):
        rows = fat[fat["channel"] == name]
        np.testing.assert_allclose(rows["time_s"].to_numpy(), times, rtol=0, atol=1e-12)
        for metric in ("mnf_hz", "mdf_hz", "rms", "arv"):
            got = rows[metric].to_numpy()
            err = rel_err(got, ref[metric][c])
            assert err <= SPECTRUM_TOL, f"{name} {metric}: relative error {err:.3g}"
            # trend = OLS on the written series, 95 % CI with Student t (n - 2 dof)
            lr = stats.linregress(times, got)
            half = stats.t.ppf(0.975, len(times) - 2) * lr.stderr
            t = trends[(trends["channel"] == name) & (trends["metric"] == metric)].iloc[0]
            scale = max(abs(lr.slope), abs(lr.intercept) * 1e-3)
            assert abs(t["slope"] - lr.slope) <= 1e-8 * scale
            assert abs(t["intercept"] - lr.intercept) <= 1e-9 * abs(lr.intercept)
            assert abs(t["slope_ci_low"] - (lr.slope - half)) <= 1e-8 * scale
            assert abs(t["slope_ci_high"] - (lr.slope + half)) <= 1e-8 * scale
            assert t["normalized_slope_pct_per_s"] == pytest.approx(100 * lr.slope / lr.intercept, rel=1e-7, abs=1e-12)
            assert t["r_squared"] == pytest.approx(lr.rvalue**2, rel=1e-7, abs=1e-12)


def test_fatigue_mains_removal_reduces_50hz(exe, tmp_path):
    run_fatigue(exe, tmp_path / "with", EMG1, "--quiet")
    run_fatigue(exe, tmp_path / "without", EMG1, "--quiet", "--no-mains")
    a = pd.read_csv(tmp_path / "with" / "psd.tsv", sep="\t")
    b = pd.read_csv(tmp_path / "without" / "psd.tsv", sep="\t")
    assert list(a.columns) == list(b.columns)
    # 50 Hz sits between bins 12 and 13 (df = 3.90625 Hz): the mains share there must drop
    near = (a["freq_hz"] > 45) & (a["freq_hz"] < 55)
    assert a.loc[near, "EMG"].sum() < b.loc[near, "EMG"].sum()


def test_fatigue_quiet_prints_nothing(exe, tmp_path):
    proc = run_fatigue(exe, tmp_path, EMG1, "--quiet")
    assert proc.stdout == ""
    assert (tmp_path / "summary.txt").read_text().startswith("cramplab fatigue:")


# ---- filter and psd commands -------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_filter_equals_scipy_sosfiltfilt(exe, tmp_path, case):
    path, extra, load, names, fs = CASES[case]
    out = tmp_path / "filtered.tsv"
    before = sha256(path)
    proc = run(exe, "filter", path, *extra, "--no-mains", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sha256(path) == before
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns) == names
    x = load()
    y = bandpass_scipy(x, fs)
    for c, name in enumerate(names):
        rms = np.sqrt(np.mean(x[c] ** 2))
        err = np.max(np.abs(got[name].to_numpy() - y[c]))
        assert err <= FILTER_TOL * rms, f"{name}: max abs diff {err:.3g} vs RMS {rms:.3g}"


def test_filter_causal_custom_band_with_time(exe, tmp_path):
    out = tmp_path / "f.tsv"
    proc = run(exe, "filter", EMG1, "--no-mains", "--bandpass.low_hz", "30", "--bandpass.high_hz", "300",
               "--bandpass.order", "2", "--bandpass.zero_phase", "false", "--with-time", "-o", out)
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns) == ["time_s", "EMG"]
    x = load_emg1()
    np.testing.assert_allclose(got["time_s"].to_numpy(), np.arange(x.shape[1]) / 1000.0, rtol=0, atol=1e-12)
    y = bandpass_scipy(x, 1000.0, 30.0, 300.0, 2, zero_phase=False)[0]
    assert np.max(np.abs(got["EMG"].to_numpy() - y)) <= FILTER_TOL * np.sqrt(np.mean(x**2))


def test_filter_output_directory_and_time_column_input(exe, tmp_path):
    # a CSV with a header row and a time column at 2000 Hz: fs comes from the time column
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4000))
    t = np.arange(4000) / 2000.0
    src = tmp_path / "trial.csv"
    with open(src, "w", newline="") as fh:
        fh.write("time,EMG1,EMG2\r\n")
        for k in range(4000):
            fh.write(f"{float(t[k])!r},{float(x[0, k])!r},{float(x[1, k])!r}\r\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    proc = run(exe, "filter", src, "--no-mains", "-o", outdir)
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(outdir / "trial_filtered.tsv", sep="\t")
    assert list(got.columns) == ["EMG1", "EMG2"]
    y = bandpass_scipy(x, 2000.0)
    assert np.max(np.abs(got.to_numpy().T - y)) <= FILTER_TOL * np.sqrt(np.mean(x**2))


def test_psd_command_with_every_welch_option_equals_scipy(exe, tmp_path):
    out = tmp_path / "psd.tsv"
    proc = run(exe, "psd", UCI, "--fs-hz", "1000", "--columns", "1,3", "--no-bandpass", "--no-mains",
               "--psd.nperseg", "500", "--psd.noverlap", "100", "--psd.nfft", "1024", "--psd.window", "hamming",
               "--psd.detrend", "linear", "--psd.scaling", "spectrum", "--psd.average", "median", "-o", out)
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns) == ["freq_hz", UCI_NAMES[1], UCI_NAMES[3]]
    x = load_uci()[[1, 3]]
    f, p = signal.welch(x, fs=1000.0, window="hamming", nperseg=500, noverlap=100, nfft=1024, detrend="linear",
                        scaling="spectrum", average="median")
    np.testing.assert_array_equal(got["freq_hz"].to_numpy(), f)
    for c in range(2):
        assert rel_err(got.iloc[:, c + 1].to_numpy(), p[c]) <= SPECTRUM_TOL
    # the printed table has one row per channel with MNF / MDF / peak
    assert "MNF_Hz" in proc.stdout and UCI_NAMES[3] in proc.stdout


def test_psd_prints_metrics_of_bandpassed_spectrum(exe):
    proc = run(exe, "psd", EMG1, "--no-mains")
    assert proc.returncode == 0, proc.stderr
    y = bandpass_scipy(load_emg1(), 1000.0)
    f, p = signal.welch(y, fs=1000.0, nperseg=256)
    sel = (f >= 20) & (f <= 450)
    mnf = (f[sel] * p[0, sel]).sum() / p[0, sel].sum()
    row = [ln for ln in proc.stdout.splitlines() if ln.startswith("EMG")][0].split()
    assert float(row[1]) == pytest.approx(mnf, abs=0.006)
    assert float(row[2]) == pytest.approx(median_frequency_ref(f, p[0], 20, 450), abs=0.006)
    assert float(row[3]) == pytest.approx(f[sel][np.argmax(p[0, sel])], abs=0.006)


def test_psd_output_directory_and_filter_with_mains(exe, tmp_path):
    proc = run(exe, "psd", EMG1, "-q", "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    psd = pd.read_csv(tmp_path / "emg_1_psd.tsv", sep="\t")
    assert list(psd.columns) == ["freq_hz", "EMG"] and len(psd) == 129

    with_mains = tmp_path / "with.tsv"
    without = tmp_path / "without.tsv"
    assert run(exe, "filter", EMG1, "-q", "-o", with_mains).returncode == 0
    assert run(exe, "filter", EMG1, "-q", "--no-mains", "-o", without).returncode == 0
    a = pd.read_csv(with_mains, sep="\t")["EMG"].to_numpy()
    b = pd.read_csv(without, sep="\t")["EMG"].to_numpy()
    assert a.shape == b.shape == (63880,)
    assert 0 < np.sqrt(np.mean((a - b) ** 2)) < 0.5 * np.sqrt(np.mean(b**2))


def test_output_never_overwrites_input(exe, tmp_path):
    src = tmp_path / "psd.tsv"
    src.write_text("# Sampling Rate (Hz):= 1000\n" + "\n".join(str(v) for v in np.sin(np.arange(3000))) + "\n")
    before = sha256(src)
    for args in (["filter", src, "-o", src], ["psd", src, "-o", src], ["fatigue", src, "-o", tmp_path]):
        proc = run(exe, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "is the input file" in one_error_line(proc)
        assert sha256(src) == before
