"""Every real file in datasets/real through cramplab.import_file, each checked against an independent
read of its source (numpy/pandas text parsing, h5py, scipy.io.loadmat, a few numpy lines for EDF and
WFDB, the CSV twin of the C3D); round trips through the CrampLab HDF5 store and the EDF/BDF/CSV
exporters; partial reads; the inputs are never modified."""
import csv
import hashlib
import re

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io

import cramplab
from conftest import DATASETS


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


INPUTS = sorted(p for p in DATASETS.rglob("*") if p.is_file())
#: taken when the module is imported, before any test ran
CHECKSUMS_BEFORE = {p: _sha(p) for p in INPUTS}

#: key -> (file below datasets/real, import options). Every signal file of datasets/real is here
#: (the PhysioNet .txt twins and example_events.csv are tested separately below).
SOURCES = {
    **{f"uci_{n}": (f"uci-lower-limb/{n}.txt", {"fs_hz": 1000.0})
       for n in ("3Amar", "3Apie", "3Asen", "5Nmar", "5Npie", "5Nsen")},
    "biosppy_emg": ("biosppy-examples/emg.txt", {}),
    "biosppy_emg_1": ("biosppy-examples/emg_1.txt", {}),
    "physionet_healthy": ("physionet-emgdb/emg_healthy.hea", {}),
    "physionet_myopathy": ("physionet-emgdb/emg_myopathy.hea", {}),
    "physionet_neuropathy": ("physionet-emgdb/emg_neuropathy.hea", {"wraparound": "unwrap"}),
    **{f"plux_{n}": (f"plux-biosignalsnotebooks/{n}.h5", {})
       for n in ("emg_1000_hz_16_bits", "emg_1000_hz_16_bits_solo", "emg_1000_hz_8_16_bits", "emg_10_hz_16_bits",
                 "emg_bursts")},
    "pyomeca_c3d": ("pyomeca-shoulder-c3d/markers_analogs.c3d", {}),
    "pyomeca_csv": ("pyomeca-shoulder-c3d/analogs.csv", {}),
    "emggo_mat": ("emggo-samples/sample_data.mat", {}),
    "myonset_edf": ("myonset-rt-task/example_data.edf", {}),
}
#: sources whose samples are ADC counts: the store keeps them as integers
ADC_SOURCES = {k for k in SOURCES if k.startswith(("physionet", "plux", "myonset"))}
#: 1-based line numbers of the corrupted lines of the PhysioNet .txt twins (PROVENANCE.md, defect 2)
CORRUPTED_LINES = {"healthy": (639, 41464), "myopathy": (64468, 93751), "neuropathy": (71194, 84054)}

_cache = {}


def imported(key):
    """The recording of SOURCES[key], imported once per session (tests never modify it)."""
    if key not in _cache:
        rel, options = SOURCES[key]
        _cache[key] = cramplab.import_file(DATASETS / rel, **options)
    return _cache[key]


def test_sources_cover_every_signal_file():
    listed = {DATASETS / rel for rel, _ in SOURCES.values()}
    signal_files = {p for p in INPUTS if p.suffix in (".txt", ".hea", ".h5", ".c3d", ".csv", ".mat", ".edf")
                    and not (p.parent.name == "physionet-emgdb" and p.suffix == ".txt")
                    and p.name != "example_events.csv"}
    assert signal_files == listed


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_provenance_attributes(key):
    rec = imported(key)
    path = DATASETS / SOURCES[key][0]
    named = path.with_suffix(".dat") if path.suffix == ".hea" else path  # WFDB: the samples' file
    assert rec.attributes["source_file"] == named.name
    assert rec.attributes["source_sha256"] == _sha(named)
    assert rec.attributes["source_format"] == cramplab.detect_format(path)


# ---- text --------------------------------------------------------------------------------------

def _uci_expected(path):
    """Header 'Channel k: '<name>', <n> values, engineering units: <u>' lines, a blank line, tab rows."""
    lines = path.read_text().splitlines()
    header = [re.match(r"Channel \d+: '([^']*)', (\d+) values, engineering units: (\w+)", line) for line in lines]
    header = [m for m in header if m]
    blank = lines.index("")
    rows = [line.split("\t") for line in lines[blank + 1:]]
    complete = [r for r in rows if len(r) == len(header) and all(f.strip() for f in r)]
    data = np.array(complete, dtype=float).T
    return [m.group(1) for m in header], [m.group(3) for m in header], [int(m.group(2)) for m in header], data


@pytest.mark.parametrize("name", ["3Amar", "3Apie", "3Asen", "5Nmar", "5Npie", "5Nsen"])
def test_uci_both_header_dialects(name):
    rec = imported(f"uci_{name}")
    names, units, counts, data = _uci_expected(DATASETS / "uci-lower-limb" / f"{name}.txt")
    assert rec.fs_hz == 1000.0
    assert rec.channel_names == names
    assert [c.units for c in rec.channels] == units == ["mV"] * 4 + ["deg"]
    assert rec.n_samples == data.shape[1] == counts[0]  # 5Nmar: the trailing incomplete rows are dropped
    assert np.array_equal(rec.data, data)
    if name.startswith("3A"):
        assert names[0] == "Recto Femoral"
    else:
        assert names == ["RF", "BF", "VM", "ST", "FX"]


def test_uci_without_rate_names_fs_hz():
    with pytest.raises(ValueError, match="fs_hz"):
        cramplab.import_file(DATASETS / "uci-lower-limb" / "3Asen.txt")


@pytest.mark.parametrize("name", ["emg", "emg_1"])
def test_biosppy_text(name):
    path = DATASETS / "biosppy-examples" / f"{name}.txt"
    rec = imported(f"biosppy_{name}")
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    fs = float(next(h for h in header if "Sampling Rate" in h).split(":=")[1])
    label = next(h for h in header if "Labels" in h).split(":=")[1].strip()
    x = np.loadtxt(path, comments="#")
    assert rec.fs_hz == fs == 1000.0
    assert rec.channel_names == [label]
    assert rec.n_samples == x.size == {"emg": 100000, "emg_1": 63880}[name]
    assert np.array_equal(rec.data[0], x)
    assert rec.data[0, :3].tolist() == x[:3].tolist()


# ---- WFDB ----------------------------------------------------------------------------------------

def _wfdb_expected(path):
    """Record line 'name nsig fs nsamp'; signal line 'file fmt gain/unit adcres adczero init checksum blk desc'."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    _, nsig, fs, nsamp = lines[0].split()[:4]
    sig = lines[1].split()
    gain, unit = sig[2].split("/")
    counts = np.fromfile(path.with_suffix(".dat"), dtype="<i2")
    return {"fs": float(fs), "n": int(nsamp), "nsig": int(nsig), "gain": float(gain), "unit": unit,
            "zero": int(sig[4]), "init": int(sig[5]), "checksum": int(sig[6]), "label": sig[8], "counts": counts}


@pytest.mark.parametrize("kind", ["healthy", "myopathy", "neuropathy"])
def test_wfdb_records(kind):
    exp = _wfdb_expected(DATASETS / "physionet-emgdb" / f"emg_{kind}.hea")
    # the header's checksum and initial value confirm this independent read of the .dat
    assert np.int16(exp["counts"].astype(np.int64).sum() & 0xFFFF) == np.int16(exp["checksum"])
    assert exp["counts"][0] == exp["init"] and exp["counts"].size == exp["n"]
    rec = imported(f"physionet_{kind}")
    assert (rec.fs_hz, rec.n_samples, rec.n_channels) == (exp["fs"], exp["n"], exp["nsig"]) == (4000.0, exp["n"], 1)
    assert rec.channel_names == [exp["label"]] == ["EMG"]
    assert rec.channels[0].units == "mV"  # also for the myopathy header's '10000/mv'
    ch = rec.channels[0]
    assert ch.conversion == pytest.approx(1.0 / exp["gain"], rel=1e-15)
    if kind != "neuropathy":
        mv = (exp["counts"] - exp["zero"]) / exp["gain"]
        np.testing.assert_allclose(rec.data[0], mv, rtol=0, atol=1e-15)
        counts = np.rint((rec.data[0] - ch.offset) / ch.conversion)
        assert np.array_equal(counts, exp["counts"])


def _txt_twin(kind):
    """Second column of the .txt twin by line (line k = sample k-1); corrupted lines as NaN."""
    lines = (DATASETS / "physionet-emgdb" / f"emg_{kind}.txt").read_bytes().splitlines()
    values = np.full(len(lines), np.nan)
    for k, raw in enumerate(lines):
        if k + 1 not in CORRUPTED_LINES[kind]:
            values[k] = float(raw.split()[1])
    return values


@pytest.mark.parametrize("kind", ["healthy", "myopathy"])
def test_wfdb_equals_txt_twin(kind):
    rec = imported(f"physionet_{kind}")
    twin = _txt_twin(kind)
    ok = ~np.isnan(twin)
    assert twin.size == rec.n_samples and (~ok).sum() == 2
    assert np.max(np.abs(rec.data[0][ok] - twin[ok])) <= 1e-4 + 1e-12


def test_wfdb_wraparound_refused_by_default():
    with pytest.raises(cramplab.FormatError, match=r"(?i)wrap.*emg_neuropathy|emg_neuropathy.*wrap"):
        cramplab.import_file(DATASETS / "physionet-emgdb" / "emg_neuropathy.hea")


def test_wfdb_wraparound_unwrap_shifts_only_true_wraps():
    # The .dat alone cannot reveal every wrapped sample: the true needle signal itself jumps by
    # more than half the int16 range (PROVENANCE.md defect 1 and docs/IO.md). unwrap must never
    # shift a sample that was not wrapped, and every sample it shifts must equal the .txt twin.
    exp = _wfdb_expected(DATASETS / "physionet-emgdb" / "emg_neuropathy.hea")
    stored = exp["counts"] / exp["gain"]
    rec = imported("physionet_neuropathy")
    twin = _txt_twin("neuropathy")
    ok = ~np.isnan(twin)
    wrapped = ok & (np.abs(stored - twin) > 6.5)          # 6.5536 mV = 2**16 counts
    shifted = np.abs(rec.data[0] - stored) > 1e-9
    assert wrapped.sum() == 410                            # the count PROVENANCE.md states
    assert not np.any(shifted & ~wrapped), np.flatnonzero(shifted & ~wrapped)[:5]
    np.testing.assert_allclose(rec.data[0][shifted & ok], twin[shifted & ok], rtol=0, atol=1e-4 + 1e-12)
    assert shifted.sum() >= 100                            # 134 of the 410 are recoverable
    assert np.min(rec.data[0]) < -3.2768                   # unwrapped values leave the int16 range
    assert any("unwrap" in h for h in rec.history)


def test_wfdb_wraparound_keep_is_the_stored_counts():
    exp = _wfdb_expected(DATASETS / "physionet-emgdb" / "emg_neuropathy.hea")
    rec = cramplab.import_file(DATASETS / "physionet-emgdb" / "emg_neuropathy.hea", wraparound="keep")
    np.testing.assert_allclose(rec.data[0], exp["counts"] / exp["gain"], rtol=0, atol=1e-15)
    assert any("warning" in k and "wrap" in v for k, v in rec.attributes.items()), rec.attributes


@pytest.mark.parametrize("kind", ["healthy", "myopathy", "neuropathy"])
def test_physionet_txt_corrupted_line_is_named(kind):
    line = CORRUPTED_LINES[kind][0]
    with pytest.raises(cramplab.FormatError, match=rf"emg_{kind}\.txt.*(:{line}\b|line {line}\b)"):
        cramplab.import_file(DATASETS / "physionet-emgdb" / f"emg_{kind}.txt", fs_hz=4000.0)


# ---- OpenSignals (PLUX) --------------------------------------------------------------------------

def _plux_devices(path):
    out = []
    with h5py.File(path, "r") as f:
        for mac in f:
            g = f[mac]
            fs = float(g.attrs["sampling rate"])
            for k, (ch, bits) in enumerate(zip(g.attrs["channels"], g.attrs["resolution"])):
                counts = g["raw"][f"channel_{ch}"][:, 0].astype(np.int64)
                out.append({"mac": mac, "fs": fs, "bits": int(bits), "name": f"channel_{ch}", "counts": counts})
    return out


@pytest.mark.parametrize("name", ["emg_1000_hz_16_bits", "emg_1000_hz_16_bits_solo", "emg_1000_hz_8_16_bits",
                                  "emg_10_hz_16_bits", "emg_bursts"])
def test_opensignals(name):
    path = DATASETS / "plux-biosignalsnotebooks" / f"{name}.h5"
    devices = _plux_devices(path)
    fastest = max(d["fs"] for d in devices)
    expected = [d for d in devices if d["fs"] == fastest]
    rec = imported(f"plux_{name}")
    assert rec.fs_hz == fastest
    assert sorted(rec.channel_names) == sorted(d["name"] for d in expected)
    for d in expected:
        i = rec.channel_index(d["name"])
        ch = rec.channels[i]
        volts = (d["counts"] / 2.0 ** d["bits"] - 0.5) * 3.0 / 1000.0  # PLUX EMG transfer function
        assert rec.n_samples == d["counts"].size
        assert ch.units == "V"
        np.testing.assert_allclose(rec.data[i], volts, rtol=0, atol=1e-15)
        assert np.array_equal(np.rint((rec.data[i] - ch.offset) / ch.conversion), d["counts"])
        assert ch.conversion == pytest.approx(3.0 / 1000.0 / 2.0 ** d["bits"], rel=1e-15)
    skipped = [d for d in devices if d["fs"] != fastest]
    for d in skipped:  # the slower device is named in the warning, not silently dropped
        assert d["mac"] in rec.attributes["warning"]


def test_opensignals_8_and_16_bit_devices_together():
    rec = imported("plux_emg_1000_hz_8_16_bits")
    conv = {c.name: c.conversion for c in rec.channels}
    assert conv["channel_5"] == pytest.approx(3e-3 / 256) and conv["channel_6"] == pytest.approx(3e-3 / 65536)


def test_opensignals_10_hz_refused_with_min_fs_hz():
    path = DATASETS / "plux-biosignalsnotebooks" / "emg_10_hz_16_bits.h5"
    with pytest.raises(cramplab.FormatError, match=r"emg_10_hz_16_bits\.h5.*sampling rate 10 Hz.*min_fs_hz=200"):
        cramplab.import_file(path, min_fs_hz=200.0)
    assert cramplab.import_file(path).fs_hz == 10.0


# ---- C3D and its CSV twin ------------------------------------------------------------------------

def _vicon_csv(path):
    with path.open() as f:
        rows = list(csv.reader(f))
    fs = float(rows[1][0])
    names, units, text = rows[3][2:], rows[4][2:], np.array([r[2:] for r in rows[5:]])
    return fs, names, units, text


def _last_digit(text):
    """Value of one unit in the last printed digit of each CSV field ('-2.61E-05' -> 1e-7)."""
    def one(s):
        mantissa, _, exponent = s.upper().partition("E")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return 10.0 ** ((int(exponent) if exponent else 0) - decimals)
    return np.vectorize(one, otypes=[float])(text)


def test_c3d_equals_its_csv_twin():
    """Tolerance: 0.51 units of the last digit the Vicon CSV printed (the CSV holds 3-6 significant
    digits; 0.5 is its rounding, the extra 0.01 covers the writer's rounding of the float32 value),
    and exactly 0 where the CSV says 0. Measured: max 0.5005 units, max |diff| 5.0e-7 V."""
    rec = imported("pyomeca_c3d")
    fs, names, units, text = _vicon_csv(DATASETS / "pyomeca-shoulder-c3d" / "analogs.csv")
    assert rec.fs_hz == fs == 2000.0
    assert rec.n_channels == len(names) == 38 and rec.n_samples == text.shape[0] == 11600
    # C3D labels are '<muscle or sensor>.<CSV column>' in Vicon's (lexical) order
    csv_name = [n.rsplit(".", 1)[1] for n in rec.channel_names]
    assert sorted(csv_name) == sorted(names)
    assert csv_name[6:9] == ["EMG1", "EMG10", "EMG11"]
    assert rec.channel_names[rec.channel_names.index("Delt_ant.EMG1")] == "Delt_ant.EMG1"
    idx = [names.index(n) for n in csv_name]
    value, unit = text[:, idx].T.astype(float), _last_digit(text[:, idx].T)
    diff = np.abs(rec.data - value)
    zero = text[:, idx].T == "0"
    assert np.all(rec.data[zero] == 0.0)
    assert np.max(diff[~zero] / unit[~zero]) <= 0.51
    assert np.max(diff) < 5.1e-7
    assert [c.units for c in rec.channels] == [units[i] for i in idx] == ["V"] * 38
    assert rec.channels[rec.channel_index("Biceps.EMG4")].type == "EMG"
    assert rec.channels[0].type == "MISC"


def test_c3d_labels_units_rate_as_in_the_file():
    import ezc3d
    c3d = ezc3d.c3d(str(DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d"))
    analog = c3d["parameters"]["ANALOG"]
    rec = imported("pyomeca_c3d")
    assert rec.channel_names == [s.strip() for s in analog["LABELS"]["value"]]
    assert [c.units for c in rec.channels] == [s.strip() for s in analog["UNITS"]["value"]]
    assert rec.fs_hz == float(analog["RATE"]["value"][0])
    assert np.array_equal(rec.data, c3d["data"]["analogs"][0])


def test_vicon_csv_import():
    rec = imported("pyomeca_csv")
    fs, names, units, text = _vicon_csv(DATASETS / "pyomeca-shoulder-c3d" / "analogs.csv")
    assert rec.fs_hz == fs and rec.channel_names == names
    assert [c.units for c in rec.channels] == units
    assert np.array_equal(rec.data, text.astype(float).T)


# ---- MATLAB ----------------------------------------------------------------------------------------

def test_matlab_emggo_struct():
    m = scipy.io.loadmat(DATASETS / "emggo-samples" / "sample_data.mat", squeeze_me=True, struct_as_record=False)
    emg = m["EMG"]
    x = np.asarray(emg.channelData, dtype=float).reshape(-1)
    rec = imported("emggo_mat")
    assert rec.fs_hz == float(emg.fs) == 250.0
    assert rec.n_channels == 1 and rec.n_samples == x.size == 137420
    assert np.array_equal(rec.data[0], x)


# ---- EDF + events ----------------------------------------------------------------------------------

def _edf_expected(path):
    raw = path.read_bytes()
    n_header, n_records, ns = int(raw[184:192]), int(raw[236:244]), int(raw[252:256])
    record_s = float(raw[244:252])
    off = 256
    fields = {}
    for key, width in (("label", 16), ("transducer", 80), ("unit", 8), ("pmin", 8), ("pmax", 8), ("dmin", 8),
                       ("dmax", 8), ("prefilter", 80), ("nsamp", 8)):
        fields[key] = [raw[off + i * width: off + (i + 1) * width].decode("latin-1").strip() for i in range(ns)]
        off += ns * width
    nsamp = [int(v) for v in fields["nsamp"]]
    records = np.frombuffer(raw, dtype="<i2", offset=n_header, count=n_records * sum(nsamp)).reshape(n_records, -1)
    starts = np.cumsum([0] + nsamp)
    digital = [records[:, starts[i]:starts[i + 1]].reshape(-1).astype(np.int64) for i in range(ns)]
    return fields, digital, [n / record_s for n in nsamp]


def test_edf_myonset():
    fields, digital, fs = _edf_expected(DATASETS / "myonset-rt-task" / "example_data.edf")
    rec = imported("myonset_edf")
    signals = [i for i, lab in enumerate(fields["label"]) if lab != "Status"]
    assert rec.channel_names == [fields["label"][i] for i in signals] == ["EXG1", "EXG2", "EXG3", "EXG4"]
    assert rec.fs_hz == fs[0] == 2048.0 and rec.n_samples == digital[0].size == 58 * 2048
    for k, i in enumerate(signals):
        pmin, pmax, dmin, dmax = (float(fields[f][i]) for f in ("pmin", "pmax", "dmin", "dmax"))
        phys = (digital[i] - dmin) * (pmax - pmin) / (dmax - dmin) + pmin
        ch = rec.channels[k]
        assert ch.units == fields["unit"][i] == "uV"
        np.testing.assert_allclose(rec.data[k], phys, rtol=0, atol=1e-9 * (pmax - pmin))
        assert np.array_equal(np.rint((rec.data[k] - ch.offset) / ch.conversion), digital[i])
        assert (ch.digital_min, ch.digital_max) == (dmin, dmax)


def test_edf_status_triggers_equal_events_csv():
    table = pd.read_csv(DATASETS / "myonset-rt-task" / "example_events.csv")
    events = cramplab.io.events_table(imported("myonset_edf"))
    assert len(events) == len(table) == 80
    assert events["start_sample"].tolist() == table["sample"].tolist()
    assert events["kind"].tolist() == [f"trigger:{c}" for c in table["code"]]
    assert events["channel"].tolist() == table["chan"].tolist()
    np.testing.assert_allclose(events["start_s"], table["time"], rtol=0, atol=1e-12)


def test_import_events_from_csv_onto_a_recording():
    src = imported("myonset_edf")
    rec = cramplab.Recording(src.data, fs_hz=src.fs_hz, channel_names=src.channel_names)
    out = cramplab.io.import_events(rec, DATASETS / "myonset-rt-task" / "example_events.csv")
    assert out is rec
    got = [(e.channel, e.start_sample, e.end_sample, e.kind) for e in rec.events]
    want = [(e.channel, e.start_sample, e.end_sample, e.kind) for e in src.events]
    assert got == want
    assert {e.source for e in rec.events} == {"events_csv"}


def test_import_events_bad_input(tmp_path):
    rec = cramplab.Recording(np.zeros((1, 100)), fs_hz=1000.0)
    p = tmp_path / "ev.csv"
    p.write_text("sample,code\n10,1\n200,2\n")
    with pytest.raises(ValueError, match=r"line 3: sample=200 must be in \[0, 100\)"):
        cramplab.io.import_events(rec, p)
    assert rec.events == []  # all or nothing
    p.write_text("onset,label\n1,2\n")
    with pytest.raises(cramplab.FormatError, match="needs columns 'code'"):
        cramplab.io.import_events(rec, p)
    p.write_text("sample,code\nten,1\n")
    with pytest.raises(cramplab.FormatError, match="line 2: not a number"):
        cramplab.io.import_events(rec, p)
    with pytest.raises(cramplab.IoError, match="missing.csv"):
        cramplab.io.import_events(rec, tmp_path / "missing.csv")


# ---- round trips ---------------------------------------------------------------------------------

def _same_metadata(a, b, *, units=True):
    assert b.fs_hz == a.fs_hz and b.start_time_s == a.start_time_s
    assert b.channel_names == a.channel_names
    if units:
        assert [c.units for c in b.channels] == [c.units for c in a.channels]


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_store_round_trip_bit_exact(key, tmp_path):
    rec = imported(key)
    path = tmp_path / "rec.h5"
    cramplab.write(path, rec)
    back = cramplab.read(path)
    assert np.array_equal(back.data, rec.data)
    _same_metadata(rec, back)
    assert [c._asdict() for c in back.channels] == [c._asdict() for c in rec.channels]
    assert [(e.channel, e.start_sample, e.end_sample, e.kind, e.source) for e in back.events] == \
        [(e.channel, e.start_sample, e.end_sample, e.kind, e.source) for e in rec.events]
    for k, v in rec.attributes.items():
        assert back.attributes[k] == v
    with h5py.File(path, "r") as f:
        dtype = f["/recording/data"].dtype
    if key in ADC_SOURCES:  # ADC counts are stored as integers
        assert np.issubdtype(dtype, np.integer), dtype
    else:
        assert dtype == np.float64


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_csv_export_round_trip_bit_exact(key, tmp_path):
    rec = imported(key)
    report = cramplab.export_file(rec, tmp_path / "rec.csv")
    assert report["format"] in ("text", "csv")
    assert np.all(report["max_abs_error"] == 0)
    back = cramplab.import_file(tmp_path / "rec.csv")
    assert np.array_equal(back.data, rec.data)
    _same_metadata(rec, back)


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
@pytest.mark.parametrize("key", sorted(SOURCES))
def test_edf_bdf_export_within_reported_precision(key, fmt, tmp_path):
    rec = imported(key)
    report = cramplab.export_file(rec, tmp_path / f"rec.{fmt}")
    err = np.asarray(report["max_abs_error"])
    assert report["format"] == fmt and err.shape == (rec.n_channels,)
    back = cramplab.import_file(tmp_path / f"rec.{fmt}")
    # EDF holds whole data records: when they cannot tile the samples the exporter pads the end
    # with copies of the last sample and says so
    pad = [int(m.group(1)) for w in report["warnings"] for m in [re.search(r"(\d+) copies of each channel", w)] if m]
    pad = pad[0] if pad else 0
    assert back.n_samples == rec.n_samples + pad and back.n_channels == rec.n_channels
    assert back.fs_hz == rec.fs_hz
    span = np.ptp(rec.data, axis=1)
    diff = np.max(np.abs(back.data[:, :rec.n_samples] - rec.data), axis=1)
    if pad:
        tail = np.abs(back.data[:, rec.n_samples:] - rec.data[:, -1:])
        assert np.all(tail.max(axis=1) <= err + 1e-12 * np.maximum(span, 1e-300))
    assert np.all(diff <= err + 1e-12 * np.maximum(span, 1e-300)), (diff, err)
    # the reported error is the real one, not a loose bound
    np.testing.assert_allclose(diff, err, rtol=1e-6, atol=1e-12 * max(float(np.max(span)), 1e-300))
    for a, b in zip(rec.channel_names, back.channel_names):
        if len(a) <= 16:
            assert b == a
    if rec.events:
        assert len(back.events) >= len(rec.events)


PARTIAL = ["uci_3Asen", "pyomeca_c3d", "plux_emg_1000_hz_8_16_bits", "myonset_edf", "physionet_myopathy"]


@pytest.mark.parametrize("key", PARTIAL)
def test_partial_reads_equal_slices_of_full_reads(key, tmp_path):
    rec = imported(key)
    path = tmp_path / "rec.h5"
    cramplab.write(path, rec)
    full = cramplab.read(path)
    n, fs = full.n_samples, full.fs_hz
    a, b = n // 3, n // 3 + int(fs)  # a 1-s window from the middle
    part = cramplab.read(path, start_sample=a, stop_sample=b)
    assert np.array_equal(part.data, full.data[:, a:b])
    assert part.start_time_s == pytest.approx(full.start_time_s + a / fs)
    part_s = cramplab.read(path, start_s=a / fs, stop_s=b / fs)
    assert np.array_equal(part_s.data, full.data[:, a:b])
    names = full.channel_names[::-1][:3]
    sub = cramplab.read(path, channels=names)
    assert sub.channel_names == names
    assert np.array_equal(sub.data, full.data[[full.channel_index(x) for x in names]])
    idx = [full.n_channels - 1, 0] if full.n_channels > 1 else [0]
    both = cramplab.read(path, start_sample=a, stop_sample=b, channels=idx)
    assert np.array_equal(both.data, full.data[idx, a:b])


def test_zz_inputs_never_modified():
    """Runs last in this module: every file in datasets/real is byte-identical to before."""
    after = {p: _sha(p) for p in INPUTS}
    assert after == CHECKSUMS_BEFORE
    assert sorted(p for p in DATASETS.rglob("*") if p.is_file()) == INPUTS  # and nothing was written there
