"""docs/FORMAT.md is enough: files written by cramplab are read here with h5py ALONE (no cramplab
reader) following that page, and every field is checked against what was written."""
from __future__ import annotations

import datetime
import hashlib
import os
import pathlib
import re

import h5py
import numpy as np
import pytest

from cramplab._core import io as cio

FIXTURES = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])) / "tests" / "data" / "fixtures"

STRING_FIELDS = ["name", "type", "units", "target_muscle", "placement", "reference"]
NUMBER_FIELDS = ["low_cutoff_hz", "high_cutoff_hz", "notch_hz", "conversion", "offset", "digital_min", "digital_max"]
TRAIN_COLUMNS = {"train_id": "i", "start_sample": "i", "end_sample": "i", "frequency_hz": "f", "pulse_width_us": "f",
                 "intensity": "f", "n_pulses": "i"}
EVENT_COLUMNS = {"channel": "i", "start_sample": "i", "end_sample": "i", "kind": "O", "source": "O"}

CHANNELS = [
    {"name": "FHB", "target_muscle": "flexor hallucis brevis", "placement": "mid-belly", "reference": "ankle",
     "conversion": 2.0 ** -20, "offset": 0.0, "digital_min": -32768, "digital_max": 32767},
    {"name": "AH", "units": "V", "conversion": 3.0e-7, "offset": -1e-3},
    {"name": "Stim", "type": "TRIG", "units": "mA", "conversion": 0.01, "offset": 0.0, "low_cutoff_hz": 20.0},
]
EVENTS = [{"channel": -1, "start_sample": 10, "end_sample": 900, "kind": "cramp", "source": "manual"},
          {"channel": 2, "start_sample": 1500, "end_sample": 1500, "kind": "stim", "source": "bdf-status"}]
TRAINS = [{"train_id": 1, "start_sample": 100, "end_sample": 400, "frequency_hz": 20.0, "pulse_width_us": 150.0,
           "intensity": 14.0, "n_pulses": 6}]
PULSES = [100, 150, 200, 250, 300, 350]


def counts():
    rng = np.random.default_rng(11)
    return rng.integers(-3000, 3000, size=(3, 2048), endpoint=True).astype(float)


def written(tmp_path, integer):
    k = counts()
    if integer:
        data = np.stack([k[c] * CHANNELS[c]["conversion"] + CHANNELS[c]["offset"] for c in range(3)]) + 0.0
    else:
        data = k * 1.2345e-6
    rec = cio._store_recording(data, fs_hz=2048.0, start_time_s=-0.5, channels=CHANNELS, events=EVENTS,
                               pulses=PULSES, trains=TRAINS, history=["import(x.bdf)", "bandpass(low_hz=20)"],
                               attributes={"subject": "S07", "device": "BioSemi ActiveTwo"})
    item = {"group": "derived", "name": "bandpass/rms", "arrays": {"values": np.arange(6.0).reshape(2, 3), "t_s": [0.0, 0.5, 1.0]},
            "parameters": {"window_s": "0.5", "align": "trailing"}, "input_sha256": cio.data_sha256(rec)}
    metric = {"group": "metrics", "name": "fatigue", "arrays": {"mdf_hz": [80.0, 78.5]}}
    path = tmp_path / ("int.h5" if integer else "float.h5")
    report = cio.write(path, rec, derived=[item, metric])
    assert report["sample_type"] == ("int16" if integer else "float64")
    return path, data


def strings(ds):
    return list(ds.asstr()[...])


def same_bits(a, b):
    return a.shape == b.shape and np.ascontiguousarray(a).view(np.uint64).tobytes() == np.ascontiguousarray(b).view(np.uint64).tobytes()


@pytest.mark.parametrize("integer", [True, False], ids=["int16", "float64"])
def test_every_field_with_h5py_alone(tmp_path, integer):
    path, data = written(tmp_path, integer)
    with h5py.File(path, "r") as f:
        # root
        assert f.attrs["format"] == "cramplab"
        assert f.attrs["format_version"] == 1 and f.attrs["format_version"].dtype == np.int64
        assert re.fullmatch(r"cramplab \S+ \(git \S+\)", f.attrs["created_by"])
        assert set(f) == {"recording", "stimulation", "events", "derived", "metrics"}

        # data and its scaling
        d = f["recording/data"]
        assert d.shape == (3, 2048)
        assert d.chunks == (3, 2048)  # all channels x chunk_s=1 s
        assert d.dtype == (np.dtype("<i2") if integer else np.dtype("<f8"))
        assert d.compression == ("gzip" if integer else None) and d.shuffle == integer
        assert d.attrs["fs_hz"] == 2048.0 and d.attrs["start_time_s"] == -0.5
        assert list(d.attrs["units"]) == ["V", "V", "mA"]
        conv, off = d.attrs["conversion"], d.attrs["offset"]
        assert conv.dtype == np.float64 and off.shape == (3,)
        if integer:
            assert list(conv) == [c["conversion"] for c in CHANNELS] and list(off) == [c["offset"] for c in CHANNELS]
            assert np.array_equal(d[...], counts())
            values = d[...] * conv[:, None] + off[:, None]
        else:
            assert list(conv) == [1.0] * 3 and list(off) == [0.0] * 3
            values = d[...]
        assert same_bits(values, data)
        assert np.all(np.isfinite(values))

        # channels
        ch = f["recording/channels"]
        assert set(ch) == set(STRING_FIELDS + NUMBER_FIELDS)
        for field in STRING_FIELDS:
            default = {"type": "EMG", "units": "V"}.get(field, "")
            assert strings(ch[field]) == [c.get(field, default) for c in CHANNELS], field
        for field in NUMBER_FIELDS:
            assert ch[field].dtype == np.float64 and ch[field].shape == (3,)
            default = 0.0 if field == "offset" else np.nan
            np.testing.assert_array_equal(ch[field][...], [float(c.get(field, default)) for c in CHANNELS], err_msg=field)

        # recording metadata and history
        assert dict(f["recording"].attrs) == {"subject": "S07", "device": "BioSemi ActiveTwo"}
        assert strings(f["recording/history"]) == ["import(x.bdf)", "bandpass(low_hz=20)"]

        # stimulation
        assert f["stimulation/pulses"].dtype == np.int64
        assert f["stimulation/pulses"][...].tolist() == PULSES
        tr = f["stimulation/trains"]
        assert set(tr) == set(TRAIN_COLUMNS)
        for col, kind in TRAIN_COLUMNS.items():
            assert tr[col].dtype.kind == kind and tr[col].dtype.itemsize == 8
            assert tr[col][...].tolist() == [t[col] for t in TRAINS]

        # events
        ev = f["events"]
        assert set(ev) == set(EVENT_COLUMNS)
        for col, kind in EVENT_COLUMNS.items():
            got = strings(ev[col]) if kind == "O" else ev[col][...].tolist()
            assert got == [e[col] for e in EVENTS], col

        # derived items and their provenance
        item = f["derived/bandpass/rms"]
        assert "created_at" not in f["derived/bandpass"].attrs
        assert item.attrs["param.window_s"] == "0.5" and item.attrs["param.align"] == "trailing"
        assert item.attrs["library_version"] == f.attrs["created_by"].split()[1]
        expect_sha = hashlib.sha256(values.astype("<f8").tobytes() + np.float64(2048.0).tobytes()).hexdigest()
        assert item.attrs["input_sha256"] == expect_sha
        created = datetime.datetime.strptime(item.attrs["created_at"], "%Y-%m-%dT%H:%M:%SZ")
        assert abs((datetime.datetime.utcnow() - created).total_seconds()) < 600
        assert item["values"][...].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert item["t_s"].shape == (3,) and item["t_s"].dtype == np.float64
        metric = f["metrics/fatigue"]
        assert metric["mdf_hz"][...].tolist() == [80.0, 78.5]
        assert metric.attrs["input_sha256"] == ""


def test_empty_tables_are_zero_length_columns(tmp_path):
    path = tmp_path / "plain.h5"
    cio.write(path, cio._store_recording(np.ones((2, 10)), fs_hz=100.0))
    with h5py.File(path, "r") as f:
        assert f["stimulation/pulses"].shape == (0,)
        for col in TRAIN_COLUMNS:
            assert f["stimulation/trains"][col].shape == (0,)
        for col in EVENT_COLUMNS:
            assert f["events"][col].shape == (0,)
        assert f["recording/history"].shape == (0,)
        assert dict(f["recording"].attrs) == {}
        assert "derived" not in f and "metrics" not in f
        # the FORMAT.md snippet's generic code works on empty tables too
        events = {k: f["events"][k][...] for k in f["events"]}
        assert all(len(v) == 0 for v in events.values())


def test_committed_v1_fixture_with_h5py_alone():
    with h5py.File(FIXTURES / "cramplab_v1.h5", "r") as f:
        assert f.attrs["format"] == "cramplab" and f.attrs["format_version"] == 1
        d = f["recording/data"]
        assert d.dtype == np.int16 and d.shape == (3, 2000)
        j = np.arange(2000)
        k = np.stack([((j * 37 + c * 1000) % 4001) - 2000 for c in range(3)])
        assert np.array_equal(d[...], k)
        values = d[...] * d.attrs["conversion"][:, None] + d.attrs["offset"][:, None]
        assert np.array_equal(values[1], k[1] * 1e-6 + 1e-3)
        assert strings(f["recording/channels/name"]) == ["FHB", "AH", "TRIG"]
        assert f["stimulation/pulses"][...].tolist() == [100, 200, 300]
        assert strings(f["events/kind"]) == ["cramp", "marker"]
        rms = f["derived/rms"]
        assert rms.attrs["param.window_s"] == "0.25"
        assert rms.attrs["input_sha256"] == hashlib.sha256(values.astype("<f8").tobytes() + np.float64(1000.0).tobytes()).hexdigest()
    with h5py.File(FIXTURES / "cramplab_v1_float.h5", "r") as f:
        d = f["recording/data"]
        assert d.dtype == np.float64 and list(d.attrs["units"]) == ["V", "mV"]
        assert np.signbit(d[0, 0]) and d[1, 0] == 5e-324
        assert f["recording/channels/low_cutoff_hz"][0] == 20.0
        assert f["metrics/fatigue/mdf/mdf_hz"][...].tolist() == [[80.0, 79.5], [81.0, 78.0]]


def test_format_md_snippet_runs(tmp_path, monkeypatch):
    """The h5py snippet in docs/FORMAT.md runs as printed on a written file."""
    doc = (FIXTURES.parents[2] / "docs" / "FORMAT.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    path, data = written(tmp_path, integer=True)
    monkeypatch.chdir(tmp_path)
    os.rename(path, tmp_path / "trial.h5")
    ns = {}
    exec(snippet.replace("int(10 * fs_hz):int(12 * fs_hz)", "int(0.25 * fs_hz):int(0.5 * fs_hz)"), ns)  # noqa: S102
    assert same_bits(ns["part"], data[:, 512:1024])
    assert ns["names"] == ["FHB", "AH", "Stim"]
    assert ns["pulses"].tolist() == PULSES


# ---- result tables (/derived/<name> and /metrics/<name> table items) -------------------------------

TABLE = {
    "frequency_hz": np.array([4.0, np.nan, np.inf, -np.inf, -0.0, 5e-324]),
    "train_id": np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0, -1, 7, 8], dtype=np.int64),
    "cramp": np.array([True, False, True, True, False, False]),
    "status": np.array(["", "ok", "Kr\u00e4mpfe \u6f22\u5b57 \U0001f642", "tab\there\nnewline", "", " "], dtype=object),
}
TYPES = {"frequency_hz": "double", "train_id": "int64", "cramp": "bool", "status": "string"}


def table_file(tmp_path, table=TABLE, item="derived/cramp/trains"):
    import cramplab.io

    path = tmp_path / "tables.h5"
    if not path.exists():
        cio.write(path, cio._store_recording(np.zeros((1, 100)), fs_hz=2000.0))
    cramplab.io.write_table(path, table, item=item, parameters={"cramp.min_duration_s": 1.5},
                            input_sha256="ab" * 32)
    return path


@pytest.mark.parametrize("rows", [6, 0])
def test_table_with_h5py_alone(tmp_path, rows):
    """docs/FORMAT.md "Tables": columns/column_types attributes, one 1-D dataset per column."""
    table = {k: v[:rows] for k, v in TABLE.items()}
    path = table_file(tmp_path, table)
    with h5py.File(path, "r") as f:
        g = f["derived/cramp/trains"]
        columns = list(g.attrs["columns"])
        assert columns == list(TABLE)
        assert list(g.attrs["column_types"]) == [TYPES[c] for c in columns]
        assert g.attrs["param.cramp.min_duration_s"] == "1.5" and g.attrs["input_sha256"] == "ab" * 32
        assert sorted(g) == sorted(columns)
        for name, kind in zip(columns, g.attrs["column_types"]):
            ds = g[name]
            assert ds.ndim == 1 and ds.shape == (rows,)
            if kind == "string":
                assert h5py.check_string_dtype(ds.dtype).encoding == "utf-8"
                assert list(ds.asstr()[...]) == list(table[name])
            else:
                assert ds.dtype == {"double": "<f8", "int64": "<i8", "bool": "|u1"}[kind]
                values = ds[...]
                if kind == "bool":
                    assert set(values.tolist()) <= {0, 1}
                    values = values.astype(bool)
                assert same_values(values, table[name])


def test_table_round_trip_to_dataframe(tmp_path):
    import cramplab.io

    path = table_file(tmp_path)
    df = cramplab.io.read_table(path, "derived/cramp/trains")
    assert list(df.columns) == list(TABLE)
    assert [str(t) for t in df.dtypes] == ["float64", "int64", "bool", "object"]
    for name, values in TABLE.items():
        assert same_values(df[name].to_numpy(), values) if name != "status" else df[name].tolist() == list(values)
    assert df.attrs["parameters"] == {"cramp.min_duration_s": "1.5"}
    assert cio.read_header(path)["derived"] == ["derived/cramp/trains"]
    assert cio.validate_file(path) == []


def test_table_written_with_h5py_alone_reads_back(tmp_path):
    """A table made by another tool from docs/FORMAT.md alone is a valid table item."""
    import cramplab.io

    path = tmp_path / "foreign.h5"
    cio.write(path, cio._store_recording(np.zeros((1, 100)), fs_hz=2000.0))
    with h5py.File(path, "a") as f:
        g = f.create_group("metrics/ctf")
        g.attrs.update(library_version="other-tool 1.0", input_sha256="", created_at="2026-01-01T00:00:00Z",
                       columns=["ctf_hz", "censored", "n", "note"], column_types=["double", "bool", "int64", "string"])
        g["ctf_hz"] = np.array([12.0, np.nan])
        g["censored"] = np.array([0, 1], dtype="u1")
        g["n"] = np.array([5, 6], dtype="<i8")
        g.create_dataset("note", data=["first", "\u00fcber"], dtype=h5py.string_dtype())
    assert cio.validate_file(path) == []
    df = cramplab.io.read_table(path, "metrics/ctf")
    assert list(df.columns) == ["ctf_hz", "censored", "n", "note"]
    assert df["censored"].tolist() == [False, True] and df["n"].tolist() == [5, 6]
    assert df["note"].tolist() == ["first", "\u00fcber"] and np.isnan(df["ctf_hz"][1])


def same_values(a, b):
    """Same dtype, shape and bytes (NaN payloads and -0.0 included)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


def damage(path, how):
    with h5py.File(path, "a") as f:
        g = f["derived/cramp/trains"]
        if how == "deleted":
            del g["train_id"]
        elif how == "short":
            del g["status"]
            g.create_dataset("status", data=["a", "b"], dtype=h5py.string_dtype())
        elif how == "type":
            del g["train_id"]
            g["train_id"] = np.arange(6.0)
        elif how == "unlisted":
            g["extra"] = np.arange(6.0)
        elif how == "2d":
            del g["frequency_hz"]
            g["frequency_hz"] = np.zeros((6, 1))
        elif how == "bool_cell":
            g["cramp"][1] = 2
        elif how == "types_attr":
            g.attrs["column_types"] = ["double", "int64", "bool"]


@pytest.mark.parametrize("how, problem", [
    ("deleted", "/derived/cramp/trains/train_id: is missing (listed in attribute 'columns')"),
    ("short", "/derived/cramp/trains/status: has 2 rows, column \"frequency_hz\" has 6"),
    ("type", "/derived/cramp/trains/train_id: holds double, attribute 'column_types' declares int64"),
    ("unlisted", "/derived/cramp/trains/extra: is not listed in attribute 'columns' of the table"),
    ("2d", "/derived/cramp/trains/frequency_hz: must be 1-D (a table column), found 2-D"),
    ("types_attr", "/derived/cramp/trains: attribute 'column_types' has 3 entries, 'columns' has 4"),
    ("bool_cell", "/derived/cramp/trains/cramp: row 1 holds 2, a bool column holds 0 or 1"),
])
def test_damaged_table_is_reported(tmp_path, how, problem):
    import cramplab.io

    path = table_file(tmp_path)
    table_file(tmp_path, item="metrics/intact")
    damage(path, how)
    problems = cio.validate_file(path)
    assert problem in problems, problems
    assert len(problems) == 1, problems
    with pytest.raises(cramplab.io.FormatError) as e:
        cramplab.io.read_table(path, "derived/cramp/trains")
    assert str(path) in str(e.value) and problem in str(e.value)
    # the other table of the file is unaffected
    assert cramplab.io.read_table(path, "metrics/intact")["status"].tolist() == list(TABLE["status"])


def test_write_table_refuses_uint64_beyond_int64(tmp_path):
    import cramplab.io

    path = table_file(tmp_path)
    big = np.array([1, 2**63 + 5], dtype=np.uint64)  # astype(int64) would wrap to -9223372036854775803
    with pytest.raises(ValueError, match=r"write_table: column 'n' holds 9223372036854775813, beyond the int64 range"):
        cramplab.io.write_table(path, {"n": big}, item="metrics/n")
    cramplab.io.write_table(path, {"n": big[:1]}, item="metrics/n")  # in range: stored as int64
    assert cramplab.io.read_table(path, "metrics/n")["n"].tolist() == [1]


def test_read_table_of_a_plain_item_names_file_and_item(tmp_path):
    import cramplab
    import cramplab.io

    path, _ = written(tmp_path, integer=False)
    with pytest.raises(cramplab.FormatError) as e:
        cramplab.io.read_table(path, "metrics/fatigue")
    assert str(path) in str(e.value) and "/metrics/fatigue: is not a table item" in str(e.value)


def test_format_md_table_snippet_runs(tmp_path, monkeypatch):
    """The h5py table snippet in docs/FORMAT.md runs as printed on a written table."""
    doc = (FIXTURES.parents[2] / "docs" / "FORMAT.md").read_text()
    snippet = next(s for s in re.findall(r"```python\n(.*?)```", doc, re.S) if "column_types" in s)
    path = table_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    os.rename(path, tmp_path / "trial.h5")
    ns = {}
    exec(snippet, ns)  # noqa: S102
    df = ns["df"]
    assert list(df.columns) == list(TABLE) and df["status"].tolist() == list(TABLE["status"])
    assert df["cramp"].dtype == bool and same_values(df["frequency_hz"].to_numpy(), TABLE["frequency_hz"])
