"""End-to-end tests of `cramplab info|import|export|validate`: real subprocess runs of the built binary.

Every real file in datasets/real that the C++ layer reads (text, EDF, WFDB, OpenSignals, MAT) is
imported; the .h5 outputs are checked with h5py alone against values read from the sources with
NumPy / SciPy / plain header parsing. The binary comes from $CRAMPLAB_EXE (set by ctest) or
build/tools/cramplab.
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
import scipy.io

HERE = pathlib.Path(__file__).resolve()
REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", HERE.parents[2]))
REAL = REPO / "datasets" / "real"
PHYSIONET = REAL / "physionet-emgdb"
UCI_DIR = REAL / "uci-lower-limb"
PLUX = REAL / "plux-biosignalsnotebooks"
EDF = REAL / "myonset-rt-task" / "example_data.edf"
MAT = REAL / "emggo-samples" / "sample_data.mat"
VICON = REAL / "pyomeca-shoulder-c3d" / "analogs.csv"
BIOSPPY = [REAL / "biosppy-examples" / "emg.txt", REAL / "biosppy-examples" / "emg_1.txt"]
UCI_FILES = [UCI_DIR / f"{n}.txt" for n in ("3Amar", "3Apie", "3Asen", "5Npie", "5Nsen")]
UCI_5NMAR = UCI_DIR / "5Nmar.txt"  # the goniometer runs 17 rows longer than the EMG: EMG columns only
WFDB_OK = [PHYSIONET / "emg_healthy.hea", PHYSIONET / "emg_myopathy.hea"]
NEUROPATHY = PHYSIONET / "emg_neuropathy.hea"
PLUX_FILES = sorted(PLUX.glob("*.h5"))


def run(exe, *args, cwd=None):
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_lines(proc) -> list[str]:
    lines = proc.stderr.strip().splitlines()
    for line in lines:
        assert line.startswith("cramplab: "), line
    assert "terminate called" not in proc.stderr and "Traceback" not in proc.stderr
    return lines


def one_error_line(proc) -> str:
    lines = error_lines(proc)
    assert len(lines) == 1, f"expected one stderr line, got: {proc.stderr!r}"
    return lines[0]


# ---- independent readers of the sources ---------------------------------------------------------


def wfdb_header(path: pathlib.Path) -> tuple[int, float, int, float]:
    """(n_signals, fs, n_samples, gain) from the record line and the first signal line."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    _, nsig, fs, nsamp = lines[0].split()[:4]
    gain = float(lines[1].split()[2].split("/")[0])
    return int(nsig), float(fs), int(nsamp), gain


def edf_header(path: pathlib.Path) -> tuple[list[str], list[float], int]:
    """Labels, sampling rates and samples per signal from the fixed-width EDF header."""
    raw = path.read_bytes()
    ns = int(raw[252:256])
    n_records = int(raw[236:244])
    duration = float(raw[244:252])
    base = 256
    labels = [raw[base + 16 * i: base + 16 * (i + 1)].decode("latin-1").strip() for i in range(ns)]
    off = base + ns * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80)
    per_record = [int(raw[off + 8 * i: off + 8 * (i + 1)]) for i in range(ns)]
    return labels, [n / duration for n in per_record], n_records * per_record[0]


def txt_twin(path: pathlib.Path) -> np.ndarray:
    """Value column of a PhysioNet emg_*.txt; NaN on the corrupted lines (PROVENANCE defect 2)."""
    out = []
    for line in path.read_bytes().decode("latin-1").splitlines():
        try:
            out.append(float(line.split()[1]))
        except (ValueError, IndexError):
            out.append(np.nan)
    return np.asarray(out)


def opensignals_expectation(path: pathlib.Path) -> tuple[int, float, int]:
    """Channels of the fastest device(s), their rate and length."""
    with h5py.File(path, "r") as f:
        devices = [(float(f[d].attrs["sampling rate"]), d) for d in f]
        fs = max(r for r, _ in devices)
        chans = [f[d]["raw"][c] for r, d in devices if r == fs for c in f[d]["raw"] if c != "nSeq"]
        return len(chans), fs, chans[0].shape[0]


def vicon_expectation() -> tuple[float, int]:
    lines = VICON.read_text().splitlines()
    fs = float(lines[1].split(",")[0])
    n = 0
    for line in lines[5:]:
        if not line.strip(",").strip():
            break
        n += 1
    return fs, n


def h5_recording(path: pathlib.Path):
    """(physical data, fs, names) read with h5py only (docs/FORMAT.md)."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] in ("cramplab", b"cramplab")
        d = f["recording/data"]
        x = d[...]
        fs = float(d.attrs["fs_hz"])
        ch = f["recording/channels"]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in ch["name"][...]]
        if np.issubdtype(x.dtype, np.integer):
            x = x.astype(np.float64) * ch["conversion"][...][:, None] + ch["offset"][...][:, None]
        return np.asarray(x, dtype=np.float64), fs, names


def canonical(value):
    """Comparable form of an HDF5 value: NaN equals NaN, the dtype counts."""
    a = np.asarray(value)
    if a.dtype.kind in "OSU":
        return (str(a.dtype), a.shape, a.tolist())
    return (str(a.dtype), a.shape, a.tobytes())


def h5_tree(path: pathlib.Path) -> dict:
    """Every dataset's values and every attribute, keyed by HDF5 path (for equality of two files)."""
    out = {}
    with h5py.File(path, "r") as f:
        out["/"] = {k: canonical(v) for k, v in f.attrs.items()}

        def visit(name, obj):
            attrs = {k: canonical(v) for k, v in obj.attrs.items()}
            value = canonical(obj[...]) if isinstance(obj, h5py.Dataset) else None
            out[name] = (attrs, value)

        f.visititems(visit)
    return out


def clipped_ref(row: np.ndarray, min_run: int) -> int:
    """Samples in runs of >= min_run equal values at the row's min or max."""
    total, start = 0, 0
    while start < row.size:
        end = start + 1
        while end < row.size and row[end] == row[start]:
            end += 1
        if end - start >= min_run and row[start] in (row.min(), row.max()):
            total += end - start
        start = end
    return total


# ---- the imported corpus -------------------------------------------------------------------------

# (sources, extra options) per import run; --jobs 2 on the big batch.
IMPORT_RUNS = [
    (BIOSPPY + [VICON] + [EDF] + WFDB_OK + PLUX_FILES + [MAT], ["--jobs", "2"]),
    (UCI_FILES, ["--fs-hz", "1000"]),
    ([UCI_5NMAR], ["--fs-hz", "1000", "--columns", "0,1,2,3"]),
    ([NEUROPATHY], ["--wfdb.wraparound", "unwrap"]),
]
ALL_SOURCES = [s for sources, _ in IMPORT_RUNS for s in sources]


@pytest.fixture(scope="session")
def corpus(exe, tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("imported") / "nested" / "dir"  # created by import
    before = {s: sha256(s) for s in ALL_SOURCES}
    for sources, extra in IMPORT_RUNS:
        proc = run(exe, "import", *sources, *extra, "-o", out)
        assert proc.returncode == 0, (sources, proc.stdout, proc.stderr)
        assert proc.stderr == ""
        for s in sources:
            assert f"{s} -> {out / (s.stem + '.h5')}" in proc.stdout
        assert f"imported {len(sources)} of {len(sources)} files" in proc.stdout
    assert {s: sha256(s) for s in ALL_SOURCES} == before, "a source file was modified"
    return out


def test_every_source_has_an_output(corpus):
    assert sorted(p.name for p in corpus.iterdir()) == sorted(s.stem + ".h5" for s in ALL_SOURCES)


@pytest.mark.parametrize("src", BIOSPPY, ids=lambda p: p.name)
def test_import_biosppy_text(corpus, src):
    x, fs, names = h5_recording(corpus / (src.stem + ".h5"))
    ref = np.loadtxt(src, comments="#")
    assert fs == 1000.0 and names == ["EMG"]
    assert x.shape == (1, ref.size)
    np.testing.assert_array_equal(x[0], ref)


@pytest.mark.parametrize("src", UCI_FILES + [UCI_5NMAR], ids=lambda p: p.name)
def test_import_uci_text(corpus, src):
    x, fs, names = h5_recording(corpus / (src.stem + ".h5"))
    assert fs == 1000.0
    if src == UCI_5NMAR:
        ref = pd.read_csv(src, sep="\t", skiprows=7, header=None).to_numpy()[:, :4]
        ref = ref[~np.isnan(ref).any(axis=1)].T
        assert names == ["RF", "BF", "VM", "ST"]
    else:
        ref = np.loadtxt(src, skiprows=7).T
        assert len(names) == 5
    assert x.shape == ref.shape
    np.testing.assert_array_equal(x, ref)


def test_import_vicon_csv(corpus):
    x, fs, names = h5_recording(corpus / "analogs.h5")
    exp_fs, exp_n = vicon_expectation()
    assert fs == exp_fs and x.shape[1] == exp_n
    assert "EMG1" in names and "EMG11" in names
    ref = np.genfromtxt(VICON, delimiter=",", skip_header=5, max_rows=50)
    np.testing.assert_array_equal(x[names.index("EMG1"), :50], ref[:, 8])


def test_import_edf(corpus):
    x, fs, names = h5_recording(corpus / "example_data.h5")
    labels, rates, n = edf_header(EDF)
    signal_labels = [lb for lb in labels if lb != "EDF Annotations"]
    assert fs == rates[0] == 2048.0
    assert x.shape[1] == n
    assert names[: len(signal_labels)] == signal_labels[: len(names)]
    assert x.shape[0] >= 4


@pytest.mark.parametrize("hea", WFDB_OK + [NEUROPATHY], ids=lambda p: p.name)
def test_import_wfdb(corpus, hea):
    x, fs, names = h5_recording(corpus / (hea.stem + ".h5"))
    nsig, exp_fs, nsamp, gain = wfdb_header(hea)
    assert x.shape == (nsig, nsamp) and fs == exp_fs
    counts = np.fromfile(hea.with_suffix(".dat"), dtype="<i2").astype(np.float64)
    if hea == NEUROPATHY:
        # PROVENANCE: 410 samples wrapped (they differ from the .txt twin by 2^16 counts = 6.5536 mV).
        # From the .dat alone not all of them can be found; unwrap must shift only truly wrapped
        # samples, each by exactly -2^16 counts, and leave everything else as stored.
        truth = txt_twin(hea.with_suffix(".txt"))
        wrapped = np.flatnonzero(np.abs(counts / gain - truth - 6.5536) < 1e-6)
        assert wrapped.size == 410 and wrapped[0] == 365
        changed = np.flatnonzero(np.round(x[0] * gain) != counts)
        assert changed.size > 100
        assert set(changed) <= set(wrapped)
        np.testing.assert_array_equal(np.round(x[0, changed] * gain), counts[changed] - 65536)
    else:
        np.testing.assert_allclose(x[0] * gain, counts, rtol=0, atol=1e-9)


@pytest.mark.parametrize("src", PLUX_FILES, ids=lambda p: p.name)
def test_import_opensignals(corpus, src):
    x, fs, _ = h5_recording(corpus / (src.stem + ".h5"))
    n_ch, exp_fs, n = opensignals_expectation(src)
    assert fs == exp_fs and x.shape == (n_ch, n)


def test_import_matlab(corpus):
    x, fs, _ = h5_recording(corpus / "sample_data.h5")
    emg = scipy.io.loadmat(MAT, squeeze_me=True, struct_as_record=False)["EMG"]
    ref = np.atleast_2d(np.asarray(emg.channelData, dtype=np.float64).T)
    assert fs == float(emg.fs)
    assert x.shape == ref.shape
    np.testing.assert_array_equal(x, ref)


# ---- import: failures, options, determinism ------------------------------------------------------


def test_neuropathy_wraparound_is_an_error_by_default(exe, tmp_path):
    proc = run(exe, "import", NEUROPATHY, "-o", tmp_path)
    assert proc.returncode == 1, proc.stderr
    line = one_error_line(proc)
    assert "emg_neuropathy" in line and "wrap" in line and "--wfdb.wraparound unwrap" in line
    assert not (tmp_path / "emg_neuropathy.h5").exists()
    assert "imported 0 of 1 files" in proc.stdout


def test_one_failing_file_does_not_stop_the_others(exe, tmp_path):
    bad = PHYSIONET / "emg_healthy.txt"  # corrupted line 639 (PROVENANCE defect 2)
    proc = run(exe, "import", bad, BIOSPPY[1], "--jobs", "2", "-o", tmp_path)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert line.startswith(f"cramplab: ") and "emg_healthy.txt:639" in line
    assert (tmp_path / "emg_1.h5").exists() and not (tmp_path / "emg_healthy.h5").exists()
    assert "imported 1 of 2 files" in proc.stdout
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name], "temporary file left behind"


def test_jobs_2_gives_the_same_files_and_messages_as_jobs_1(exe, tmp_path):
    sources = BIOSPPY + WFDB_OK + PLUX_FILES[:2] + [NEUROPATHY] + [MAT]  # NEUROPATHY fails (wrap-around)
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        proc = run(exe, "import", *sources, "--jobs", jobs, "-o", out)
        assert proc.returncode == 1
        stdout = [ln.replace(str(out), "OUT") for ln in proc.stdout.splitlines() if not ln.startswith("imported ")]
        outs[jobs] = (out, stdout, proc.stderr.replace(str(out), "OUT"))
    assert outs[1][1] == outs[2][1] and outs[1][2] == outs[2][2]
    names = sorted(p.name for p in outs[1][0].iterdir())
    assert names == sorted(p.name for p in outs[2][0].iterdir()) and len(names) == len(sources) - 1
    for name in names:
        assert h5_tree(outs[1][0] / name) == h5_tree(outs[2][0] / name), name


def test_import_refuses_to_overwrite(exe, tmp_path):
    assert run(exe, "import", BIOSPPY[1], "-o", tmp_path).returncode == 0
    target = tmp_path / "emg_1.h5"
    before = sha256(target)
    proc = run(exe, "import", BIOSPPY[1], "-o", tmp_path)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "emg_1.h5" in line and "exists" in line and "--overwrite" in line
    assert sha256(target) == before
    proc = run(exe, "import", BIOSPPY[1], "-o", tmp_path, "--overwrite", "--sample-type", "float32", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    with h5py.File(target, "r") as f:
        assert f["recording/data"].dtype == np.float32


def test_import_sample_type_and_compression(exe, tmp_path):
    proc = run(exe, "import", WFDB_OK[0], "-o", tmp_path, "--sample-type", "integer", "--compression", "deflate",
               "--deflate-level", "6")
    assert proc.returncode == 0, proc.stderr
    assert "int16" in proc.stdout and "deflate(6)" in proc.stdout
    with h5py.File(tmp_path / "emg_healthy.h5", "r") as f:
        assert f["recording/data"].dtype == np.int16
    # a text table has no ADC conversion, so its samples cannot be stored as integer counts
    proc = run(exe, "import", BIOSPPY[1], "-o", tmp_path / "b", "--sample-type", "integer")
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "emg_1.txt" in line and "sample_type=integer" in line
    assert not (tmp_path / "b" / "emg_1.h5").exists()


def test_import_min_fs_refuses_slow_recordings(exe, tmp_path):
    slow = PLUX / "emg_10_hz_16_bits.h5"
    proc = run(exe, "import", slow, "--min-fs-hz", "200", "-o", tmp_path)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "emg_10_hz_16_bits.h5" in line and "min_fs_hz=200" in line


def test_import_same_stem_twice_is_a_usage_error(exe, tmp_path):
    proc = run(exe, "import", PHYSIONET / "emg_healthy.hea", PHYSIONET / "emg_healthy.txt", "-o", tmp_path)
    assert proc.returncode == 2
    assert "would both be written to" in one_error_line(proc)
    assert not any(tmp_path.iterdir())


def test_import_into_a_file_is_an_io_error(exe, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    proc = run(exe, "import", BIOSPPY[1], "-o", f)
    assert proc.returncode == 1
    assert "not a directory" in one_error_line(proc)


# ---- info ------------------------------------------------------------------------------------------


def test_info_json_on_imported_files(exe, corpus):
    files = sorted(corpus.glob("*.h5"))
    proc = run(exe, "info", *files, "--json")
    assert proc.returncode == 0, proc.stderr
    infos = json.loads(proc.stdout)
    assert [i["file"] for i in infos] == [str(f) for f in files]
    for info, path in zip(infos, files):
        x, fs, names = h5_recording(path)
        assert info["format"] == "cramplab"
        assert info["cramplab"]["format_version"] == 1
        assert info["cramplab"]["sample_type"] in ("float64", "float32", "int16", "int32")
        assert "cramplab" in info["cramplab"]["created_by"]
        assert info["fs_hz"] == fs and info["n_samples"] == x.shape[1] and info["n_channels"] == x.shape[0]
        assert info["duration_s"] == pytest.approx(x.shape[1] / fs, rel=1e-15)
        assert [c["name"] for c in info["channels"]] == names
        for c, row in zip(info["channels"], x):
            assert c["min"] == row.min() and c["max"] == row.max(), (path.name, c["name"])
            assert c["mean"] == pytest.approx(row.mean(), rel=1e-9, abs=1e-12 * np.abs(row).max())
            assert c["rms"] == pytest.approx(np.sqrt(np.mean(row**2)), rel=1e-9)
            assert 0.0 <= c["flat_fraction"] <= 1.0 and c["clipped"] >= 0
        assert info["attributes"]["source_sha256"]


def test_info_quality_of_a_recording_with_defects(exe, tmp_path):
    """A written-out table with a flat lead, a clipped channel and 50 Hz hum at a known level."""
    fs, n = 1000.0, 20000
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, n))
    x[0, 5000:7000] = 0.0  # 2 s flat
    x[1] = np.clip(x[1], -1.0, 1.0)
    amp = np.sqrt(2 * (10 ** (20 / 10) - 1) * 6 / fs)  # 20 dB above the noise in the +-1 Hz line band
    x[2] += amp * np.sin(2 * np.pi * 50 * np.arange(n) / fs)
    src = tmp_path / "defects.csv"
    header = "# Sampling Rate (Hz):= 1000\nlead,clipped,hum\n"
    src.write_text(header + "\n".join(",".join(repr(float(v)) for v in col) for col in x.T) + "\n")
    proc = run(exe, "info", src, "--json")
    assert proc.returncode == 0, proc.stderr
    ch = json.loads(proc.stdout)[0]["channels"]
    assert ch[0]["flat_fraction"] == pytest.approx(2000 / n, abs=1e-4)
    assert ch[1]["clipped"] == clipped_ref(x[1], 3) > 0
    assert ch[2]["mains_hz"] == 50.0
    assert ch[2]["mains_db"] == pytest.approx(20.0, abs=1.0)
    assert not any(c["dead"] for c in ch)

    tsv = run(exe, "info", src, "--tsv")
    assert tsv.returncode == 0
    table = pd.read_csv(pd.io.common.StringIO(tsv.stdout), sep="\t")
    assert list(table["name"]) == ["lead", "clipped", "hum"]
    assert set(table["file"]) == {str(src)}
    assert table.loc[2, "mains_db"] == pytest.approx(ch[2]["mains_db"], rel=1e-15)

    human = run(exe, "info", src)
    assert human.returncode == 0
    for text in (str(src), "format      text", "fs          1000 Hz", "samples     20000 (20 s)", "lead", "hum",
                 "mains       50 Hz", "dB@50"):
        assert text in human.stdout, text


def test_info_on_every_source_format(exe):
    sources = [EDF, WFDB_OK[0], PLUX_FILES[0], MAT, BIOSPPY[1]]
    proc = run(exe, "info", *sources, "--tsv")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(pd.io.common.StringIO(proc.stdout), sep="\t")
    assert list(dict.fromkeys(table["file"])) == [str(s) for s in sources]
    assert list(dict.fromkeys(table["format"])) == ["edf", "wfdb", "opensignals", "mat", "text"]
    edf = table[table["file"] == str(EDF)]
    assert (edf["fs_hz"] == 2048.0).all() and (edf["saturation_known"]).all()


def test_info_reports_a_bad_file_and_describes_the_others(exe, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = run(exe, "info", BIOSPPY[1], empty, tmp_path / "missing.edf", "--json")
    assert proc.returncode == 1
    lines = error_lines(proc)
    assert len(lines) == 2 and "empty.csv" in lines[0] and "missing.edf" in lines[1]
    assert [i["file"] for i in json.loads(proc.stdout)] == [str(BIOSPPY[1])]


def test_info_json_is_valid_for_any_bytes_in_names(exe, tmp_path):
    src = tmp_path / "names.csv"
    rows = "\n".join(f"{np.sin(i)},{np.cos(i)},{i % 7}" for i in range(3000))
    src.write_bytes(b"# Sampling Rate (Hz):= 1000\nm\xfcscle \"a\"\tx,caf\xc3\xa9\\,ctl\x01\n" + rows.encode() + b"\n")
    proc = run(exe, "info", src, "--json", "--delimiter", "comma")
    assert proc.returncode == 0, proc.stderr
    names = [c["name"] for c in json.loads(proc.stdout)[0]["channels"]]
    assert names == ["m\u00fcscle \"a\"\tx", "caf\u00e9\\", "ctl\u0001"]


def test_info_text_needs_fs(exe):
    proc = run(exe, "info", UCI_FILES[0])
    assert proc.returncode == 1
    assert "--fs-hz" in one_error_line(proc)


# ---- export ----------------------------------------------------------------------------------------


def test_export_edf_reports_precision_and_reimports(exe, corpus, tmp_path):
    src = corpus / "3Asen.h5"
    out = tmp_path / "3Asen.edf"
    proc = run(exe, "export", src, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out} (edf)" in proc.stdout and "max_abs_error" in proc.stdout
    errors = {}
    for line in proc.stdout.splitlines()[2:]:
        parts = line.split()
        errors[" ".join(parts[:-2 if parts[-1] != "(exact)" else -3])] = float(
            parts[-1] if parts[-1] != "(exact)" else parts[-2])
    x, fs, names = h5_recording(src)
    assert len(errors) == len(names)
    # 38971 samples do not fill whole 1-s EDF records: the exporter pads and says so
    assert "cramplab: warning:" in proc.stderr and "pad" in proc.stderr
    back = run(exe, "import", out, "-o", tmp_path / "back")
    assert back.returncode == 0, back.stderr
    y, fs2, names2 = h5_recording(tmp_path / "back" / "3Asen.h5")
    assert fs2 == fs and y.shape[0] == x.shape[0] and y.shape[1] >= x.shape[1]
    assert names2 == [n[:16] for n in names]  # EDF labels hold 16 characters
    y = y[:, : x.shape[1]]
    for c, name in enumerate(names):
        err = np.max(np.abs(y[c] - x[c]))
        assert err <= errors[name] * (1 + 1e-9) + 1e-15, (name, err, errors[name])
        assert err <= (x[c].max() - x[c].min()) / 65535 * 0.51 + 1e-12  # 16-bit quantisation


@pytest.mark.parametrize("fmt, ext", [("csv", ".csv"), ("tsv", ".tsv")])
def test_export_text_is_exact(exe, corpus, tmp_path, fmt, ext):
    src = corpus / "emg_healthy.h5"
    proc = run(exe, "export", src, "--format", fmt, "-o", tmp_path)  # -o a directory: <stem>.<ext>
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / ("emg_healthy" + ext)
    assert out.exists() and "0 (exact)" in proc.stdout
    assert "cramplab: warning:" in proc.stderr  # attributes do not fit a text table
    back = run(exe, "import", out, "-o", tmp_path / "back")
    assert back.returncode == 0, back.stderr
    x, fs, names = h5_recording(src)
    y, fs2, names2 = h5_recording(tmp_path / "back" / "emg_healthy.h5")
    assert fs2 == fs and names2 == names
    np.testing.assert_array_equal(y, x)


def test_export_edf_source_to_h5(exe, tmp_path):
    out = tmp_path / "example.h5"
    proc = run(exe, "export", EDF, "-o", out)
    assert proc.returncode == 0, proc.stderr
    _, fs, _ = h5_recording(out)
    assert fs == 2048.0
    proc = run(exe, "export", EDF, "-o", out)
    assert proc.returncode == 1
    assert "example.h5" in one_error_line(proc)
    assert run(exe, "export", EDF, "-o", out, "--overwrite", "-q").returncode == 0


def test_export_never_writes_over_its_input(exe, tmp_path):
    src = tmp_path / "x.h5"
    shutil.copy(PLUX_FILES[0], tmp_path / "plux.h5")
    assert run(exe, "export", tmp_path / "plux.h5", "-o", src).returncode == 0
    before = sha256(src)
    proc = run(exe, "export", src, "-o", src, "--overwrite")
    assert proc.returncode == 2
    assert "is the input file" in one_error_line(proc)
    assert sha256(src) == before


# ---- validate ----------------------------------------------------------------------------------------


def test_validate_good_and_corrupted_files(exe, corpus, tmp_path):
    good = corpus / "3Asen.h5"
    proc = run(exe, "validate", good)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"OK {good}\n"

    truncated = tmp_path / "truncated.h5"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    proc = run(exe, "validate", good, truncated)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == f"OK {good}" and lines[1] == f"INVALID {truncated}" and len(lines) >= 3
    assert lines[2].startswith("  ")
    assert sha256(good) == hashlib.sha256(data).hexdigest()

    proc = run(exe, "validate", "-q", truncated)
    assert proc.returncode == 1 and proc.stdout == ""


def test_validate_other_formats(exe, tmp_path):
    proc = run(exe, "validate", EDF, WFDB_OK[0], BIOSPPY[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [f"OK {EDF}", f"OK {WFDB_OK[0]}", f"OK {BIOSPPY[1]}"]
    proc = run(exe, "validate", NEUROPATHY)
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"INVALID {NEUROPATHY}\n") and "wrap" in proc.stdout
    assert run(exe, "validate", NEUROPATHY, "--wfdb.wraparound", "unwrap").returncode == 0
    proc = run(exe, "validate", PHYSIONET / "emg_healthy.txt")
    assert proc.returncode == 1 and "emg_healthy.txt:639" in proc.stdout
    proc = run(exe, "validate", tmp_path / "nope.h5")
    assert proc.returncode == 1 and "nope.h5" in one_error_line(proc)
    c3d = REAL / "pyomeca-shoulder-c3d" / "markers_analogs.c3d"
    proc = run(exe, "validate", c3d)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "Python" in one_error_line(proc)


# ---- usage ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["import", BIOSPPY[1]], "missing -o/--output"),
        (["import", "-o", "x"], "missing INPUT"),
        (["import", BIOSPPY[1], "-o", "OUT", "--jobs", "0"], "--jobs=0"),
        (["import", BIOSPPY[1], "-o", "OUT", "--sample-type", "int8"], "--sample-type='int8'"),
        (["import", BIOSPPY[1], "-o", "OUT", "--compression", "zip"], "--compression='zip'"),
        (["import", BIOSPPY[1], "-o", "OUT", "--deflate-level", "10"], "--deflate-level=10"),
        (["import", BIOSPPY[1], "-o", "OUT", "--wfdb.wraparound", "fix"], "--wfdb.wraparound='fix'"),
        (["import", BIOSPPY[1], "-o", "OUT", "--format", "xls"], "--format"),
        (["import", BIOSPPY[1], "-o", "OUT", "--min-fs-hz", "-5"], "--min-fs-hz"),
        (["import", BIOSPPY[1], "-o", "OUT", "--delimiter", "7"], "--delimiter='7'"),
        (["import", BIOSPPY[1], "-o", "OUT", "--bogus"], "unrecognised option '--bogus'"),
        (["info"], "missing INPUT"),
        (["info", BIOSPPY[1], "--json", "--tsv"], "--json and --tsv"),
        (["info", BIOSPPY[1], "--quality.clip_run_samples", "1"], "clip_run_samples=1"),
        (["info", BIOSPPY[1], "--quality.flat_run_s", "0"], "flat_run_s=0"),
        (["export", BIOSPPY[1]], "missing -o/--output"),
        (["export", BIOSPPY[1], "-o", "OUT.x", "--format", "xyz"], "--format='xyz'"),
        (["export", BIOSPPY[1], BIOSPPY[0], "-o", "OUT.edf"], "too many positional options"),
        (["validate"], "missing INPUT"),
        (["validate", BIOSPPY[1], "--wfdb.wraparound", "maybe"], "--wfdb.wraparound"),
    ],
)
def test_usage_errors_exit_2(exe, tmp_path, args, pattern):
    args = [tmp_path / "OUT" if a == "OUT" else a for a in args]
    proc = run(exe, *args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert pattern in one_error_line(proc)
    assert not (tmp_path / "OUT").exists()


@pytest.mark.parametrize(
    "command, expected",
    [
        ("info", ["--json", "--tsv", "--quality.flat_run_s arg (=0.1)", "--quality.dead_rms_ratio arg (=0.001)",
                  "--quality.clip_run_samples arg (=3)", "--format arg (=auto)", "--wfdb.wraparound arg (=error)"]),
        ("import", ["--jobs", "--overwrite", "--sample-type arg (=auto)", "--compression arg (=auto)",
                    "--min-fs-hz", "--quiet", "--output", "--format arg (=auto)", "--fs-hz"]),
        ("export", ["--format arg (=auto)", "--input-format arg (=auto)", "--overwrite", "--edf-digital-bits"]),
        ("validate", ["--quiet", "--wfdb.wraparound", "--format"]),
    ],
)
def test_command_help(exe, command, expected):
    proc = run(exe, command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: cramplab {command}")
    for text in expected + ["Examples:", "Exit codes:"]:
        assert text in proc.stdout, f"{text!r} missing from `cramplab {command} --help`"


def test_main_help_and_unknown_command_list_the_new_commands(exe):
    proc = run(exe, "--help")
    assert proc.returncode == 0
    for word in ("info", "import", "export", "validate", "filter"):
        assert f"  {word} " in proc.stdout
    proc = run(exe, "frobnicate")
    assert proc.returncode == 2
    assert "commands: info, import, export, validate, filter, psd, fatigue" in one_error_line(proc)


def test_existing_commands_read_other_formats(exe, tmp_path):
    proc = run(exe, "psd", WFDB_OK[0], "--no-mains", "-o", tmp_path / "psd.tsv", "-q")
    assert proc.returncode == 0, proc.stderr
    psd = pd.read_csv(tmp_path / "psd.tsv", sep="\t")
    assert list(psd.columns) == ["freq_hz", "EMG"]
