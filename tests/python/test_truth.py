"""Ground truth in CrampLab files (/truth): round trips through cramplab.write / read_truth, the
GroundTruth constructor's checks, truth_tables, and /truth read and written with h5py ALONE
following docs/FORMAT.md."""
from __future__ import annotations

import pickle

import h5py
import numpy as np
import pytest

import cramplab
from cramplab import io as cio

N_CH, N = 3, 6000
PULSES = {"sample": [100, 350, N - 1], "train_id": [0, 0, -7], "artifact_amplitude": [3.25e-3, -3e-3, 5e-324],
          "clipped": [False, True, True], "mwave_sample": [108, 358, -1], "mwave_amplitude": [1.9e-3, 1.7e-3, 0.0],
          "fwave_sample": [-1, 450, -1]}
TRAINS = {"train_id": [0, -7], "frequency_hz": [4.0, 16.25], "start_sample": [100, N - 1], "end_sample": [350, N - 1],
          "n_pulses": [2, 1], "cramp": [False, True], "cramp_onset_sample": [-1, N - 500],
          "cramp_offset_sample": [-1, N], "cramp_amplitude": [0.0, 1.234567890123e-4],
          "cramp_spectral_scale": [1.0, 0.8625]}
BURSTS = {"channel": [0, N_CH - 1, -1], "onset_sample": [300, N - 500, 0], "offset_sample": [1500, N, 0],
          "kind": ["voluntary", "crampe ünïcødé", ""], "amplitude": [1e-4, 2.5e-4, 0.0], "rise_s": [0.05, 0.0, 1e-300]}
FIRING_UNIT = [0, 3, 3, 119, 0]
FIRING_SAMPLE = [5, 17, N // 2, N - 1, 0]
ATTRIBUTES = {"generator": "cramplab.simulate.session", "seed": "18446744073709551615", "ctf_hz": "14.5",
              "note": "Crampe du fléchisseur — ünïcødé"}
INT_COLUMNS = {"sample", "train_id", "mwave_sample", "fwave_sample", "start_sample", "end_sample", "n_pulses",
               "cramp_onset_sample", "cramp_offset_sample", "channel", "onset_sample", "offset_sample"}
FLAG_COLUMNS = {"clipped", "cramp"}


def activity():
    """Runs of codes (k + c) % 4 over [k * 997, (k + 1) * 997) on channel c."""
    j = np.arange(N)
    return np.stack([((j // 997 + c) % 4) for c in range(N_CH)]).astype(np.uint8)


def full_truth():
    return cramplab.GroundTruth(attributes=ATTRIBUTES, activity=activity(), pulses=PULSES, trains=TRAINS,
                                bursts=BURSTS, firing_unit=FIRING_UNIT, firing_sample=FIRING_SAMPLE)


def recording():
    return cramplab.Recording(np.linspace(-1e-3, 1e-3, N_CH * N).reshape(N_CH, N), fs_hz=2000.0)


def assert_table(got: dict, want: dict):
    assert list(got) == list(want)
    for name, values in want.items():
        column = got[name]
        if name in INT_COLUMNS:
            assert column.dtype == np.int64, name
        elif name in FLAG_COLUMNS:
            assert column.dtype == np.bool_, name
        elif name == "kind":
            assert column.dtype == object, name
        else:
            assert column.dtype == np.float64, name
        if column.dtype == np.float64:  # bit for bit, subnormals included
            assert column.view(np.uint64).tolist() == np.asarray(values, float).view(np.uint64).tolist(), name
        else:
            assert column.tolist() == list(values), name


def assert_full(t):
    assert t.attributes == ATTRIBUTES
    assert t.activity.dtype == np.uint8 and t.activity.shape == (N_CH, N)
    np.testing.assert_array_equal(t.activity, activity())
    assert_table(t.pulses, PULSES)
    assert_table(t.trains, TRAINS)
    assert_table(t.bursts, BURSTS)
    assert t.firing_unit.dtype == np.int64 and t.firing_unit.tolist() == FIRING_UNIT
    assert t.firing_sample.dtype == np.int64 and t.firing_sample.tolist() == FIRING_SAMPLE


def test_round_trip_through_write_and_read_truth(tmp_path):
    path = tmp_path / "sim.h5"
    cramplab.write(path, recording(), truth=full_truth())
    assert cramplab.has_truth(path) and cramplab.read_header(path)["has_truth"]
    back = cramplab.read_truth(path)
    assert_full(back)
    assert not back.activity.flags.writeable
    assert cramplab.validate_file(path) == []
    # a window of the samples: the truth is still read whole
    assert cramplab.read(path, start_s=1.0, stop_s=1.5).n_samples == 1000
    assert cramplab.read_truth(str(path)).activity.shape == (N_CH, N)


def test_rows_as_objects_equal_columns():
    pulses = [cramplab.TruthPulse(sample=s, train_id=i, artifact_amplitude=a, clipped=c, mwave_sample=m,
                                  mwave_amplitude=ma, fwave_sample=f)
              for s, i, a, c, m, ma, f in zip(*PULSES.values())]
    trains = [cramplab.TruthTrain(**dict(zip(TRAINS, row))) for row in zip(*TRAINS.values())]
    bursts = [cramplab.TruthBurst(**dict(zip(BURSTS, row))) for row in zip(*BURSTS.values())]
    t = cramplab.GroundTruth(pulses=pulses, trains=trains, bursts=bursts)
    assert_table(t.pulses, PULSES)
    assert_table(t.trains, TRAINS)
    assert_table(t.bursts, BURSTS)
    assert t.activity.shape == (0, 0) and t.attributes == {} and not t.empty
    # missing columns take the defaults (-1 = none)
    d = cramplab.GroundTruth(pulses={"sample": [4]}).pulses
    assert d["mwave_sample"].tolist() == [-1] and d["clipped"].tolist() == [False]
    assert cramplab.GroundTruth(trains={"train_id": [1]}).trains["cramp_spectral_scale"].tolist() == [1.0]


def test_pickle_keeps_every_field():
    assert_full(pickle.loads(pickle.dumps(full_truth())))


def test_no_truth_means_no_group(tmp_path):
    path = tmp_path / "real.h5"
    cramplab.write(path, recording())
    cramplab.write(tmp_path / "empty.h5", recording(), truth=cramplab.GroundTruth())
    for p in (path, tmp_path / "empty.h5"):
        with h5py.File(p, "r") as f:
            assert "truth" not in f
        assert not cramplab.has_truth(p) and not cramplab.read_header(p)["has_truth"]
    with pytest.raises(cramplab.FormatError, match=r"real\.h5: /truth: is missing"):
        cramplab.read_truth(path)


def test_truth_that_does_not_fit_is_refused(tmp_path):
    path = tmp_path / "bad.h5"
    bad = cramplab.GroundTruth(activity=np.zeros((2, N), np.uint8))
    with pytest.raises(ValueError, match=r"write: truth\.activity=\(2, 6000\) must be empty or have the recording's shape"):
        cramplab.write(path, recording(), truth=bad)
    with pytest.raises(ValueError, match=r"truth\.pulses\[0\]\.sample=6000 must be in \[0, n_samples\)"):
        cramplab.write(path, recording(), truth=cramplab.GroundTruth(pulses={"sample": [N]}))
    codes = np.zeros((N_CH, N), np.uint8)
    codes[2, 9] = 5
    with pytest.raises(ValueError, match=r"truth\.activity=5 \(channel 2, sample 9\) must be an Activity code"):
        cramplab.write(path, recording(), truth=cramplab.GroundTruth(activity=codes))
    assert not path.exists()
    with pytest.raises(TypeError):
        cramplab.write(path, recording(), truth={"pulses": {}})


@pytest.mark.parametrize("kwargs, message", [
    ({"pulses": {"sample": [1], "latency": [2]}}, r"pulses\['latency'\] is not a column \(columns: sample, train_id"),
    ({"pulses": {"sample": [1, 2], "train_id": [0]}}, r"pulses\['train_id'\] has 1 rows, the columns before it have 2"),
    ({"pulses": {"sample": [1.5]}}, r"pulses\['sample'\] must hold integers \(got dtype float64\)"),
    ({"trains": {"cramp": [0, 2]}}, r"trains\['cramp'\]\[1\]=2 must be a bool"),
    ({"bursts": {"kind": "cramp"}}, r"bursts\['kind'\] must be a sequence of str"),
    ({"bursts": [cramplab.TruthPulse()]}, r"bursts must be a dict of columns or a list of TruthBurst"),
    ({"activity": np.array([[0, -1]])}, r"activity holds values in \[-1, 0\], must fit uint8"),
    ({"activity": np.zeros(4, np.uint8)}, r"activity must be 2-D"),
    ({"activity": np.zeros((1, 4))}, r"activity must hold integer Activity codes \(got dtype float64\)"),
    ({"firing_unit": [1, 2], "firing_sample": [3]}, r"firing_unit has 2 entries but firing_sample has 1"),
])
def test_constructor_names_the_bad_column(kwargs, message):
    with pytest.raises(ValueError, match="GroundTruth: " + message):
        cramplab.GroundTruth(**kwargs)


def test_truth_tables(tmp_path):
    path = tmp_path / "sim.h5"
    cramplab.write(path, recording(), truth=full_truth())
    for source in (path, cramplab.read_truth(path)):
        tables = cio.truth_tables(source, fs_hz=2000.0)
        assert sorted(tables) == ["bursts", "firings", "pulses", "trains"]
        pulses = tables["pulses"]
        assert len(pulses) == 3 and pulses["sample"].dtype == np.int64 and pulses["clipped"].dtype == bool
        assert pulses["time_s"].tolist() == [0.05, 0.175, (N - 1) / 2000.0]
        assert np.isnan(pulses["mwave_s"].iloc[2]) and pulses["mwave_s"].iloc[0] == 108 / 2000.0
        assert tables["trains"]["cramp_offset_s"].iloc[1] == N / 2000.0
        assert tables["bursts"]["kind"].tolist() == BURSTS["kind"]
        assert tables["firings"]["unit"].tolist() == FIRING_UNIT
    empty = cio.truth_tables(cramplab.GroundTruth(attributes={"a": "b"}))
    assert all(len(df) == 0 for df in empty.values())
    assert list(empty["trains"].columns) == list(TRAINS)
    with pytest.raises(ValueError, match="fs_hz=0.0 must be finite and > 0"):
        cio.truth_tables(cramplab.GroundTruth(), fs_hz=0.0)


# ---- h5py alone, following docs/FORMAT.md ("Ground truth: /truth") ----

def test_h5py_reads_truth_per_format_md(tmp_path):
    path = tmp_path / "sim.h5"
    cramplab.write(path, recording(), truth=full_truth())
    with h5py.File(path, "r") as f:
        t = f["truth"]
        assert dict(t.attrs) == ATTRIBUTES and all(isinstance(v, str) for v in t.attrs.values())
        a = t["activity"]
        assert a.dtype == np.uint8 and a.shape == f["recording/data"].shape
        assert a.chunks is not None and a.compression == "gzip" and a.shuffle
        np.testing.assert_array_equal(a[...], activity())
        assert set(np.unique(a[...])) <= {0, 1, 2, 3}
        assert a.id.get_storage_size() < a.size / 50  # runs compress extremely well
        for group, want in (("pulses", PULSES), ("trains", TRAINS), ("bursts", BURSTS)):
            assert sorted(t[group]) == sorted(want)
            for name, values in want.items():
                ds = t[group][name]
                assert ds.ndim == 1 and len(ds) == len(values)
                if name in INT_COLUMNS:
                    assert ds.dtype == np.dtype("<i8"), name
                    assert ds[...].tolist() == values
                elif name in FLAG_COLUMNS:
                    assert ds.dtype == np.uint8, name
                    assert ds[...].astype(bool).tolist() == values
                elif name == "kind":
                    assert h5py.check_string_dtype(ds.dtype).encoding == "utf-8"
                    assert list(ds.asstr()[...]) == values
                else:
                    assert ds.dtype == np.dtype("<f8"), name
                    assert ds[...].view(np.uint64).tolist() == np.asarray(values, float).view(np.uint64).tolist()
        assert t["firings/unit"].dtype == np.dtype("<i8") and t["firings/unit"][...].tolist() == FIRING_UNIT
        assert t["firings/sample"][...].tolist() == FIRING_SAMPLE


def test_h5py_sees_every_column_of_empty_tables(tmp_path):
    path = tmp_path / "attrs_only.h5"
    cramplab.write(path, recording(), truth=cramplab.GroundTruth(attributes={"generator": "x"}))
    with h5py.File(path, "r") as f:
        t = f["truth"]
        assert t["activity"].shape == (0, 0) and t["activity"].dtype == np.uint8
        assert sorted(t["pulses"]) == sorted(PULSES) and sorted(t["trains"]) == sorted(TRAINS)
        assert sorted(t["bursts"]) == sorted(BURSTS) and sorted(t["firings"]) == ["sample", "unit"]
        for group in ("pulses", "trains", "bursts", "firings"):
            assert all(t[group][c].shape == (0,) for c in t[group])


def test_truth_written_by_h5py_per_format_md_is_read(tmp_path):
    """The page is enough to WRITE /truth too: a group made with h5py alone reads back."""
    path = tmp_path / "h5py_truth.h5"
    cramplab.write(path, recording())
    with h5py.File(path, "r+") as f:
        t = f.create_group("truth")
        t.attrs["generator"] = "my own simulator"
        t.create_dataset("activity", data=activity(), chunks=(N_CH, 1000), shuffle=True, compression="gzip")
        for group, want in (("pulses", PULSES), ("trains", TRAINS), ("bursts", BURSTS)):
            g = t.create_group(group)
            for name, values in want.items():
                if name in FLAG_COLUMNS:
                    g[name] = np.asarray(values, np.uint8)
                elif name == "kind":
                    g.create_dataset(name, data=values, dtype=h5py.string_dtype())
                else:
                    g[name] = np.asarray(values, np.int64 if name in INT_COLUMNS else np.float64)
        t["firings/unit"] = np.asarray(FIRING_UNIT, np.int64)
        t["firings/sample"] = np.asarray(FIRING_SAMPLE, np.int64)
    assert cramplab.validate_file(path) == []
    back = cramplab.read_truth(path)
    assert back.attributes == {"generator": "my own simulator"}
    assert_table(back.pulses, PULSES)
    assert_table(back.trains, TRAINS)
    assert_table(back.bursts, BURSTS)
    np.testing.assert_array_equal(back.activity, activity())


def test_validate_reports_truth_damaged_with_h5py(tmp_path):
    path = tmp_path / "damaged.h5"
    cramplab.write(path, recording(), truth=full_truth())
    with h5py.File(path, "r+") as f:
        del f["truth/trains/cramp_amplitude"]
        del f["truth/bursts/rise_s"]
        f["truth/bursts/rise_s"] = np.zeros(7)
        f["truth/activity"][0, 3] = 200
    problems = cramplab.validate_file(path)
    assert "/truth/trains/cramp_amplitude: is missing" in problems
    assert "/truth/bursts/rise_s: has 7 rows, the other columns of /truth/bursts have 3" in problems
    assert any(p.startswith("/truth/activity: 200 (channel 0, sample 3) must be an Activity code") for p in problems)
    assert len(problems) == 3, problems
    with pytest.raises(cramplab.FormatError, match=r"damaged\.h5: /truth/"):
        cramplab.read_truth(path)
    assert cramplab.read(path).n_samples == N  # the recording itself is untouched
