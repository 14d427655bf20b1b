"""The CrampLab HDF5 store from Python: round trips, partial reads, atomic writes, bad input."""
from __future__ import annotations

import doctest
import hashlib
import os
import pathlib
import shutil
import threading

import h5py
import numpy as np
import pytest

import cramplab
from cramplab._core import io as cio

FIXTURES = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])) / "tests" / "data" / "fixtures"


def awkward(n_ch, n, seed):
    x = np.random.default_rng(seed).normal(scale=1e-4, size=(n_ch, n))
    x[0, :5] = [-0.0, 5e-324, -4.9e-310, 1.7e308, -1e-300]
    return x


def full_recording(seed=1):
    channels = [
        {"name": "FHB", "target_muscle": "flexor hallucis brevis", "placement": "mid-belly", "reference": "ankle"},
        {"name": "AH", "low_cutoff_hz": 20.0, "high_cutoff_hz": 450.0},
        {"name": "TRIG", "type": "TRIG", "units": "mV", "notch_hz": 50.0},
    ]
    return cio._store_recording(
        awkward(3, 5000, seed), fs_hz=2048.0, start_time_s=12.5, channels=channels,
        events=[{"channel": -1, "start_sample": 100, "end_sample": 200, "kind": "cramp", "source": "manual"},
                {"channel": 1, "start_sample": 3000, "end_sample": 3000, "kind": "marker", "source": "ünïcødé"},
                {"channel": 2, "start_sample": 4000, "end_sample": 4999, "kind": "late", "source": ""}],
        pulses=[1000, 1100, 1200, 4500],
        trains=[{"train_id": 7, "start_sample": 1000, "end_sample": 1250, "frequency_hz": 10.0,
                 "pulse_width_us": 200.0, "intensity": 25.5, "n_pulses": 3}],
        history=["bandpass(low_hz=20, high_hz=450)"], attributes={"subject": "S01", "source_file": "trial 1.bdf"})


def counts_recording(lo=-32768, hi=32767, n_ch=4, n=3001, seed=2):
    rng = np.random.default_rng(seed)
    k = rng.integers(lo, hi, size=(n_ch, n), endpoint=True).astype(float)
    k[:, 0], k[:, 1] = lo, hi
    conv = 0.1 / 32768.0 * (1.0 + 0.37 * np.arange(n_ch))
    off = -1.25e-3 * np.arange(n_ch)
    data = k * conv[:, None] + off[:, None] + 0.0
    channels = [{"conversion": conv[c], "offset": off[c], "digital_min": lo, "digital_max": hi} for c in range(n_ch)]
    return cio._store_recording(data, fs_hz=1000.0, channels=channels)


def same_bits(a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.shape == b.shape and a.view(np.uint64).tobytes() == b.view(np.uint64).tobytes()


def metadata_equal(a, b):
    ma, mb = cio._store_metadata(a), cio._store_metadata(b)
    assert ma == mb


def test_float64_round_trip_is_bit_exact_with_all_metadata(tmp_path):
    rec = full_recording()
    path = tmp_path / "a.h5"
    report = cio.write(path, rec)
    assert report == {"sample_type": "float64", "compression": "none", "max_abs_error": 0.0,
                      "file_bytes": path.stat().st_size}
    back = cio.read(path)
    assert same_bits(back.data, rec.data)
    metadata_equal(back, rec)
    assert os.listdir(tmp_path) == ["a.h5"]
    assert cio.validate_file(path) == []
    assert cio.is_cramplab_file(str(path))


def test_input_recording_is_not_modified_and_output_is_fresh(tmp_path):
    rec = full_recording()
    before = rec.data.copy()
    cio.write(tmp_path / "a.h5", rec)
    back = cio.read(tmp_path / "a.h5")
    assert same_bits(rec.data, before)
    assert not np.shares_memory(back.data, rec.data)


@pytest.mark.parametrize("lo,hi,dtype", [(-32768, 32767, "int16"), (-8388608, 8388607, "int32")])
def test_integer_counts_round_trip_bit_exact(tmp_path, lo, hi, dtype):
    rec = counts_recording(lo, hi)
    report = cio.write(tmp_path / "i.h5", rec)
    assert report["sample_type"] == dtype
    assert report["compression"] == "shuffle+deflate(1)"
    back = cio.read(tmp_path / "i.h5")
    assert same_bits(back.data, rec.data)
    metadata_equal(back, rec)
    assert cio.read_header(tmp_path / "i.h5")["sample_type"] == dtype


def test_counts_that_do_not_reproduce_fall_back_to_float64(tmp_path):
    rec = counts_recording()
    meta = cio._store_metadata(rec)
    meta["channels"][2]["conversion"] *= 1.0000001
    bad = cio._store_recording(rec.data, fs_hz=1000.0, channels=meta["channels"])
    assert cio.write(tmp_path / "a.h5", bad)["sample_type"] == "float64"
    with pytest.raises(cramplab.FormatError, match=r"sample_type=integer impossible: channel \"ch2\""):
        cio.write(tmp_path / "b.h5", bad, sample_type="integer")
    assert not (tmp_path / "b.h5").exists()
    # -0.0 cannot be count * conversion + offset: stored as float64, kept bit for bit
    neg = cio._store_recording(np.array([[-0.0, 1.0]]), fs_hz=1.0, channels=[{"conversion": 1.0}])
    assert cio.write(tmp_path / "c.h5", neg)["sample_type"] == "float64"
    assert same_bits(cio.read(tmp_path / "c.h5").data, np.array([[-0.0, 1.0]]))


def test_float32_refuses_values_beyond_its_range(tmp_path):
    with pytest.raises(ValueError, match=r"write: sample_type=float32 cannot store 1.7e\+308 \(channel \"FHB\", sample 3\): beyond the float32 range"):
        cio.write(tmp_path / "a.h5", full_recording(), sample_type="float32")
    assert os.listdir(tmp_path) == []


def test_float32_reports_its_error(tmp_path):
    rec = cramplab.Recording(np.clip(awkward(2, 1000, 5), -1, 1), fs_hz=500.0)
    report = cio.write(tmp_path / "f.h5", rec, sample_type="float32")
    back = cio.read(tmp_path / "f.h5")
    assert report["sample_type"] == "float32"
    assert np.max(np.abs(back.data - rec.data)) == report["max_abs_error"] > 0
    assert np.array_equal(back.data, rec.data.astype(np.float32).astype(np.float64))


@pytest.mark.parametrize("shape", [(1, 1), (64, 3000)])
def test_extreme_shapes(tmp_path, shape):
    x = awkward(*shape, seed=7) if shape[1] >= 5 else np.array([[-0.0]])
    cio.write(tmp_path / "x.h5", cramplab.Recording(x, fs_hz=2048.0))
    assert same_bits(cio.read(tmp_path / "x.h5").data, x)


@pytest.mark.parametrize("options", [{}, {"chunk_s": 0.01}, {"compression": "deflate", "deflate_level": 5},
                                     {"sample_type": "float32"}])
def test_partial_reads_equal_slices_of_the_full_read(tmp_path, options):
    rec = full_recording()
    if options.get("sample_type") == "float32":  # 1.7e308 is beyond float32
        meta = cio._store_metadata(rec)
        rec = cio._store_recording(np.clip(rec.data, -1, 1), fs_hz=rec.fs_hz, start_time_s=rec.start_time_s,
                                   channels=meta["channels"], events=meta["events"], pulses=meta["pulses"],
                                   trains=meta["trains"], history=meta["history"], attributes=meta["attributes"])
    cio.write(tmp_path / "a.h5", rec, **options)
    full = cio.read(tmp_path / "a.h5").data
    rng = np.random.default_rng(3)
    for _ in range(12):
        start = int(rng.integers(0, 4999))
        stop = int(rng.integers(start + 1, 5001))
        chans = list(rng.choice(3, size=int(rng.integers(1, 4)), replace=False))
        part = cio.read(tmp_path / "a.h5", start_sample=start, stop_sample=stop, channels=[int(c) for c in chans])
        assert same_bits(part.data, full[chans, start:stop])
        names = [["FHB", "AH", "TRIG"][c] for c in chans]
        assert cio.read(tmp_path / "a.h5", start_sample=start, stop_sample=stop, channels=names).channel_names == names
    win = cio.read(tmp_path / "a.h5", start_s=0.5, stop_s=1.0)
    assert same_bits(win.data, full[:, 1024:2048])
    assert win.start_time_s == 12.5 + 0.5
    assert same_bits(cio.read(tmp_path / "a.h5", start_s=2.0).data, full[:, 4096:])


def test_window_keeps_overlapping_events_and_stimulation_shifted(tmp_path):
    cio.write(tmp_path / "a.h5", full_recording())
    part = cio.read(tmp_path / "a.h5", start_sample=1050, stop_sample=4100, channels=["TRIG", "AH"])
    meta = cio._store_metadata(part)
    assert [(e["channel"], e["start_sample"], e["end_sample"], e["kind"]) for e in meta["events"]] == [
        (1, 1950, 1950, "marker"), (0, 2950, 3050, "late")]
    assert meta["pulses"] == [50, 150]
    assert meta["trains"] == [{"train_id": 7, "start_sample": 0, "end_sample": 200, "frequency_hz": 10.0,
                               "pulse_width_us": 200.0, "intensity": 25.5, "n_pulses": 2}]
    assert part.start_time_s == 12.5 + 1050 / 2048


def test_bad_read_options_name_the_parameter(tmp_path):
    path = tmp_path / "a.h5"
    cio.write(path, full_recording())
    with pytest.raises(ValueError, match=r"read: start_sample=5000 must be in \[0, 5000\)"):
        cio.read(path, start_sample=5000)
    with pytest.raises(ValueError, match=r"read: stop_sample=10 must be -1 \(to the end\) or in \(start_sample, n_samples\] = \(10, 5000\]"):
        cio.read(path, start_sample=10, stop_sample=10)
    with pytest.raises(ValueError, match=r"read: channels=\"XX\" is not a channel \(channels: FHB, AH, TRIG\)"):
        cio.read(path, channels=["FHB", "XX"])
    with pytest.raises(ValueError, match=r"read: channels\[1\]=\"AH\" appears twice"):
        cio.read(path, channels=["AH", "AH"])
    with pytest.raises(ValueError, match=r"read: channels\[1\]=3 must be in \[0, 3\)"):
        cio.read(path, channels=[0, 3])
    with pytest.raises(ValueError, match="all names or all indices"):
        cio.read(path, channels=[0, "AH"])
    with pytest.raises(ValueError, match="must name at least one channel"):
        cio.read(path, channels=[])
    with pytest.raises(ValueError, match="not both"):
        cio.read(path, start_sample=3, start_s=0.1)
    with pytest.raises(ValueError, match=r"window_s: stop_s=9 must be <= the duration of the recording"):
        cio.read(path, start_s=0.0, stop_s=9.0)
    with pytest.raises(ValueError, match=r"window_s: stop_s=0.1 must be finite and > start_s \(0.2\)"):
        cio.read(path, start_s=0.2, stop_s=0.1)


def test_bad_write_options(tmp_path):
    rec = full_recording()
    with pytest.raises(ValueError, match="write: deflate_level=0 must be in 1..9"):
        cio.write(tmp_path / "a.h5", rec, deflate_level=0)
    with pytest.raises(ValueError, match="write: chunk_s=0 must be finite and > 0"):
        cio.write(tmp_path / "a.h5", rec, chunk_s=0.0)
    with pytest.raises(ValueError, match="sample_type='int8' must be one of"):
        cio.write(tmp_path / "a.h5", rec, sample_type="int8")
    with pytest.raises(ValueError, match="compression='lz4' must be one of"):
        cio.write(tmp_path / "a.h5", rec, compression="lz4")
    with pytest.raises(cramplab.IoError, match="does not exist"):
        cio.write(tmp_path / "no" / "a.h5", rec)
    with pytest.raises(ValueError, match=r"derived\[0\].group=\"results\" must be \"derived\" or \"metrics\""):
        cio.write(tmp_path / "a.h5", rec, derived={"group": "results", "name": "x"})
    assert os.listdir(tmp_path) == []


def test_existing_file_is_never_half_overwritten(tmp_path):
    path = tmp_path / "a.h5"
    old = full_recording()
    cio.write(path, old)
    sha = cio.sha256_file(path)
    new = cramplab.Recording(awkward(2, 200000, 9), fs_hz=1000.0)
    with pytest.raises(cramplab.IoError, match="already exists"):
        cio.write(path, new)
    with pytest.raises(OSError):  # IoError is an OSError
        cio.write(path, new)
    # fails after the samples and the first derived item are written
    items = [{"group": "derived", "name": "ok", "arrays": {"x": [1.0, 2.0]}}, {"group": "derived", "name": "a//b"}]
    with pytest.raises(ValueError, match=r"write: derived\[1\].name=\"a//b\""):
        cio.write(path, new, overwrite=True, derived=items)
    assert cio.sha256_file(path) == sha
    assert os.listdir(tmp_path) == ["a.h5"]
    assert same_bits(cio.read(path).data, old.data)
    cio.write(path, new, overwrite=True)
    assert same_bits(cio.read(path).data, new.data)


def test_derived_items_round_trip_with_provenance(tmp_path):
    path = tmp_path / "a.h5"
    rec = full_recording()
    item = {"group": "derived", "name": "bandpass/rms", "arrays": {"values": [[1.0, 2.0], [3.0, np.nan]], "t": [0.5]},
            "parameters": {"low_hz": 20, "high_hz": "450"}, "input_sha256": cio.data_sha256(rec)}
    cio.write(path, rec, derived=[item])
    got = cio.read_derived(path, "derived/bandpass/rms")
    assert got["parameters"] == {"low_hz": "20", "high_hz": "450"}
    assert got["input_sha256"] == cio.data_sha256(rec)
    assert got["library_version"] == cramplab.__version__
    np.testing.assert_array_equal(got["arrays"]["values"], [[1.0, 2.0], [3.0, np.nan]])
    assert got["arrays"]["t"].shape == (1,)
    cio.write_derived(path, [{"group": "metrics", "name": "mdf", "arrays": {"v": np.arange(3.0)}},
                             dict(item, parameters={"low_hz": "30"})])
    assert cio.read_header(path)["derived"] == ["derived/bandpass/rms", "metrics/mdf"]
    assert cio.read_derived(path, "derived/bandpass/rms")["parameters"] == {"low_hz": "30"}
    assert same_bits(cio.read(path).data, rec.data)
    assert os.listdir(tmp_path) == ["a.h5"]
    with pytest.raises(ValueError, match=r"item=\"derived/none\" is not in .* \(items: derived/bandpass/rms, metrics/mdf\)"):
        cio.read_derived(path, "derived/none")
    with pytest.raises(ValueError, match="unknown key 'array'"):
        cio.write_derived(path, {"group": "derived", "name": "x", "array": {}})


def test_checksums_match_hashlib(tmp_path):
    blob = bytes((i * 7 + 3) % 256 for i in range(1_000_003))
    (tmp_path / "b.bin").write_bytes(blob)
    assert cio.sha256_file(tmp_path / "b.bin") == hashlib.sha256(blob).hexdigest()
    rec = full_recording()
    expect = hashlib.sha256(rec.data.astype("<f8").tobytes() + np.float64(2048.0).tobytes()).hexdigest()
    assert cio.data_sha256(rec) == expect
    with pytest.raises(cramplab.IoError, match="nothing.bin: cannot open"):
        cio.sha256_file(tmp_path / "nothing.bin")


# ---- broken and foreign files -------------------------------------------------------------------

@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.h5"
    cio.write(path, full_recording())
    return path


def copy_with(tmp_path, src, edit, name="edited.h5"):
    dst = tmp_path / name
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    return dst


def test_not_hdf5_empty_and_truncated_files(tmp_path, good_file):
    empty = tmp_path / "empty.h5"
    empty.write_bytes(b"")
    text = tmp_path / "text.h5"
    text.write_text("time,emg\n0,1\n")
    raw = good_file.read_bytes()
    trunc = tmp_path / "trunc.h5"
    trunc.write_bytes(raw[: len(raw) // 2])
    head = tmp_path / "head.h5"
    head.write_bytes(raw[:300])
    with pytest.raises(cramplab.FormatError, match=r"empty.h5: empty file \(0 bytes\)"):
        cio.read(empty)
    with pytest.raises(cramplab.FormatError, match=r"text.h5: not an HDF5 file"):
        cio.read(text)
    with pytest.raises(cramplab.IoError, match=r"missing.h5: no such file"):
        cio.read(tmp_path / "missing.h5")
    for f in (trunc, head):
        with pytest.raises((cramplab.FormatError, cramplab.IoError), match=f.name):
            cio.read(f)
        assert cio.validate_file(f) != []
        assert not cio.is_cramplab_file(f) or f == trunc
    assert cio.validate_file(text) == ["not an HDF5 file (no HDF5 signature)"]
    with pytest.raises(cramplab.IoError, match="no such file"):
        cio.validate_file(tmp_path / "missing.h5")


def test_foreign_hdf5_file_names_the_missing_attribute(tmp_path):
    path = tmp_path / "foreign.h5"
    with h5py.File(path, "w") as f:
        f["data"] = np.zeros(3)
    with pytest.raises(cramplab.FormatError, match=r"foreign.h5: /: missing attribute 'format' \(not a CrampLab file\)"):
        cio.read(path)
    assert not cio.is_cramplab_file(path)
    assert cio.validate_file(path) == ["/: missing attribute 'format' (not a CrampLab file)"]
    with h5py.File(path, "a") as f:
        f.attrs["format"] = "nwb"
    with pytest.raises(cramplab.FormatError, match=r"attribute 'format' is \"nwb\", expected \"cramplab\""):
        cio.read_header(path)


def test_newer_format_version_is_refused(tmp_path, good_file):
    def bump(f):
        f.attrs["format_version"] = np.int64(2)
    path = copy_with(tmp_path, good_file, bump)
    msg = f"{path}: format_version 2 is newer than this cramplab reads (1); upgrade cramplab"
    for fn in (cio.read, cio.read_header, cio.validate_file):
        if fn is cio.validate_file:
            assert fn(path) == ["format_version 2 is newer than this cramplab reads (1); upgrade cramplab"]
        else:
            with pytest.raises(cramplab.FormatError) as err:
                fn(path)
            assert str(err.value) == msg
    with pytest.raises(cramplab.FormatError, match="newer than this cramplab"):
        cio.write_derived(path, [])


def test_shapes_that_disagree_name_the_object(tmp_path, good_file):
    def short_names(f):
        del f["recording/channels/name"]
        f["recording/channels/name"] = np.array(["a", "b"], dtype=h5py.string_dtype())
    path = copy_with(tmp_path, good_file, short_names)
    with pytest.raises(cramplab.FormatError, match=r"/recording/channels/name: has 2 entries but /recording/data has 3 channels"):
        cio.read(path)

    def bad_units(f):
        f["recording/data"].attrs["units"] = np.array(["V"], dtype=h5py.string_dtype())
    path = copy_with(tmp_path, good_file, bad_units, "units.h5")
    with pytest.raises(cramplab.FormatError, match=r"units.h5: /recording/data: attribute 'units' has 1 entries but the data has 3 channels"):
        cio.read_header(path)

    def ragged_events(f):
        del f["events/kind"]
        f["events/kind"] = np.array(["x"], dtype=h5py.string_dtype())
    path = copy_with(tmp_path, good_file, ragged_events, "events.h5")
    with pytest.raises(cramplab.FormatError, match=r"/events/kind: has 1 rows, the other columns of /events have 3"):
        cio.read(path)
    assert any("/events/kind" in p for p in cio.validate_file(path))

    def event_out_of_range(f):
        f["events/end_sample"][0] = 99999
    path = copy_with(tmp_path, good_file, event_out_of_range, "range.h5")
    assert cio.validate_file(path) == [
        "/events: row 0 start_sample/end_sample=100/99999 must satisfy 0 <= start <= end <= n_samples (5000)"]

    def one_d(f):
        del f["recording/data"]
        f["recording/data"] = np.zeros(5)
    path = copy_with(tmp_path, good_file, one_d, "oned.h5")
    with pytest.raises(cramplab.FormatError, match=r"/recording/data: must be 2-D \(n_channels, n_samples\), found 1-D"):
        cio.read(path)


def test_non_finite_samples_name_channel_and_sample(tmp_path, good_file):
    def poke(f):
        f["recording/data"][1, 1234] = np.nan
        f["recording/data"][2, 10] = np.inf
    path = copy_with(tmp_path, good_file, poke)
    with pytest.raises(cramplab.FormatError, match=r"/recording/data: channel \"AH\" \(index 1\) has a non-finite sample \(nan\) at sample index 1234"):
        cio.read(path)
    # a window that avoids the bad samples reads fine; one that contains them names them in file indices
    assert cio.read(path, start_sample=2000).n_samples == 3000
    with pytest.raises(cramplab.FormatError, match=r"channel \"TRIG\" \(index 2\) has a non-finite sample \(inf\) at sample index 10"):
        cio.read(path, channels=["TRIG"], stop_sample=100)
    problems = cio.validate_file(path)
    assert len(problems) == 2 and "index 1234" in problems[0] and "index 10" in problems[1]


# ---- fixtures kept forever ----------------------------------------------------------------------

def test_version1_int_fixture_reads_exactly():
    path = FIXTURES / "cramplab_v1.h5"
    h = cio.read_header(path)
    assert (h["format_version"], h["sample_type"], h["compression"]) == (1, "int16", "shuffle+deflate(1)")
    rec = cio.read(path)
    j = np.arange(2000)
    conv, off = [0.5e-6, 1e-6, 1e-3], [0.0, 1e-3, 0.0]
    expect = np.stack([(((j * 37 + c * 1000) % 4001) - 2000) * conv[c] + off[c] for c in range(3)])
    assert same_bits(rec.data, expect)
    assert rec.fs_hz == 1000.0 and rec.start_time_s == 2.5
    meta = cio._store_metadata(rec)
    assert [c["name"] for c in meta["channels"]] == ["FHB", "AH", "TRIG"]
    assert meta["channels"][0]["target_muscle"] == "flexor hallucis brevis"
    assert meta["channels"][2]["type"] == "TRIG"
    assert [c["conversion"] for c in meta["channels"]] == conv
    assert meta["events"] == [
        {"channel": -1, "start_sample": 500, "end_sample": 1500, "kind": "cramp", "source": "manual"},
        {"channel": 1, "start_sample": 1200, "end_sample": 1200, "kind": "marker", "source": "fixture"}]
    assert meta["pulses"] == [100, 200, 300]
    assert meta["trains"][0]["intensity"] == 12.5
    assert meta["history"] == ["import(fixture)"]
    assert meta["attributes"] == {"source_format": "synthetic", "subject": "S01"}
    d = cio.read_derived(path, "derived/rms")
    assert np.array_equal(d["arrays"]["values"], np.arange(8) + 0.5)
    assert d["parameters"] == {"window_s": "0.25"} and d["input_sha256"] == cio.data_sha256(rec)
    assert cio.validate_file(path) == []


def test_version1_float_fixture_reads_exactly():
    path = FIXTURES / "cramplab_v1_float.h5"
    rec = cio.read(path)
    j = np.arange(1000)
    expect = np.stack([np.sin(2 * np.pi * 50 * j / 500.0) * 1e-4, np.cos(j / 7.0) * 3e-5])
    expect[0, 0], expect[1, 0] = -0.0, 5e-324
    with h5py.File(path) as f:  # the trigonometry of this machine may differ by an ulp from the generator's
        assert np.max(np.abs(f["recording/data"][...] - expect)) < 1e-18
        assert same_bits(rec.data, f["recording/data"][...])
    assert np.signbit(rec.data[0, 0]) and rec.data[1, 0] == 5e-324
    meta = cio._store_metadata(rec)
    assert meta["channels"][0]["low_cutoff_hz"] == 20.0 and meta["channels"][1]["notch_hz"] == 50.0
    assert meta["channels"][1]["units"] == "mV" and meta["channels"][0]["conversion"] is None
    assert cio.read_derived(path, "metrics/fatigue/mdf")["arrays"]["mdf_hz"].tolist() == [[80.0, 79.5], [81.0, 78.0]]


# ---- concurrency and docs -----------------------------------------------------------------------

def test_concurrent_reads_and_writes_from_threads(tmp_path):
    rec = full_recording()
    errors = []

    def work(i):
        try:
            p = tmp_path / f"t{i}.h5"
            for _ in range(5):
                cio.write(p, rec, overwrite=True)
                assert same_bits(cio.read(p, start_sample=100, stop_sample=900).data, rec.data[:, 100:900])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_docstring_examples_run():
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    names = ["read", "write", "read_header", "write_derived", "read_derived", "validate_file", "is_cramplab_file",
             "sha256_file", "data_sha256"]
    attempted = 0
    for name in names:
        for t in finder.find(getattr(cio, name), name, globs={"np": np, "cramplab": cramplab}):
            result = runner.run(t)
            assert result.failed == 0, f"docstring example of {name} failed"
            attempted += result.attempted
        assert "Examples" in getattr(cio, name).__doc__
    assert attempted >= 25
