"""Export from Python: NWB (read back with pynwb, checked by nwbinspector), EDF/CSV, the bad-input
messages, atomic writes, the optional dependencies, and the table helpers of cramplab.io."""
import datetime as dt
import doctest
import os
import subprocess
import sys

import numpy as np
import nwbinspector
import pandas as pd
import pynwb
import pytest

import cramplab
from conftest import DATASETS

STIMULUS_CODES = {"trigger:11", "trigger:12", "trigger:21", "trigger:22"}


def _myonset_with_trains():
    """The BioSemi recording with its 80 Status triggers, plus one stimulation train per stimulus
    trigger (16 trials; 5 pulses at 50 Hz, as a stand-in for the stimulator log)."""
    rec = cramplab.import_file(DATASETS / "myonset-rt-task" / "example_data.edf")
    fs = rec.fs_hz
    starts = [e.start_sample for e in rec.events if e.kind in STIMULUS_CODES]
    step = int(fs / 50)
    pulses = [s + k * step for s in starts for k in range(5)]
    trains = [dict(train_id=i, start_sample=s, end_sample=s + 4 * step, frequency_hz=50.0, pulse_width_us=200.0,
                   intensity=12.5 + i, n_pulses=5) for i, s in enumerate(starts)]
    rec.set_stimulation(pulses=pulses, trains=trains)
    return rec


def _inspect(path):
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(path)))
    for m in messages:
        print(f"nwbinspector {m.importance.name}: {m.check_function_name}: {m.message}")
    serious = [m for m in messages if m.importance.name in ("ERROR", "CRITICAL", "PYNWB_VALIDATION")]
    return messages, serious


def _files(directory):
    return sorted(p.name for p in directory.iterdir())


def test_nwb_export_reads_back_with_pynwb(tmp_path):
    rec = _myonset_with_trains()
    assert len(rec.stimulation.trains) == 16 and len(rec.events) == 80
    path = tmp_path / "rt_task.nwb"
    report = cramplab.export_file(rec, path)
    assert report["format"] == "nwb" and np.all(report["max_abs_error"] == 0)
    assert _files(tmp_path) == ["rt_task.nwb"]  # the temporary file is gone
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        es = nwb.acquisition["ElectricalSeries"]
        assert es.rate == rec.fs_hz == 2048.0
        assert np.array_equal(es.data[:], rec.data.T)
        assert es.conversion == 1e-6  # the samples are in uV
        assert list(es.electrodes.table["channel_name"][:]) == rec.channel_names
        assert nwb.session_start_time.date() == dt.date(2018, 2, 26)
        trains = nwb.intervals["stimulation_trains"].to_dataframe()
        want = cramplab.io.trains_table(rec)
        for col in want.columns:
            assert trains[col].tolist() == want[col].tolist(), col
        np.testing.assert_allclose(trains["start_time"], want["start_sample"] / rec.fs_hz, rtol=0, atol=1e-12)
        events = nwb.intervals["events"].to_dataframe()
        assert len(events) == 80
        assert events["start_sample"].tolist() == sorted(e.start_sample for e in rec.events)
        assert set(events["kind"]) == {e.kind for e in rec.events}
        assert nwb.intervals["stimulation_pulses"]["sample"][:].tolist() == rec.stimulation.pulses.tolist()


def test_nwb_export_passes_nwbinspector(tmp_path):
    path = tmp_path / "rt_task.nwb"
    cramplab.export_file(_myonset_with_trains(), path)
    messages, serious = _inspect(path)
    assert serious == []
    assert messages  # best-practice suggestions remain (experimenter, institution...): printed above


@pytest.mark.parametrize("source, options", [
    ("uci-lower-limb/3Asen.txt", {"fs_hz": 1000.0}),  # mV EMG plus a goniometer in deg
    ("physionet-emgdb/emg_healthy.hea", {}),  # subject age/sex from the header
    ("plux-biosignalsnotebooks/emg_1000_hz_8_16_bits.h5", {}),
    ("pyomeca-shoulder-c3d/markers_analogs.c3d", {}),
])
def test_nwb_round_trip_and_inspector(source, options, tmp_path):
    rec = cramplab.import_file(DATASETS / source, **options)
    path = tmp_path / "rec.nwb"
    report = cramplab.export_file(rec, path)
    _, serious = _inspect(path)
    assert serious == []
    back = cramplab.import_file(path)
    assert np.array_equal(back.data, rec.data)
    assert back.channel_names == rec.channel_names and back.fs_hz == rec.fs_hz
    assert [c._asdict() for c in back.channels] == [c._asdict() for c in rec.channels]
    for k, v in rec.attributes.items():
        if not k.startswith("source_"):
            assert back.attributes[k] == v
    assert back.attributes["source_format"] == "nwb"
    if "age" not in rec.attributes:
        assert any("subject" in w for w in report["warnings"])


def test_nwb_round_trip_events_and_trains(tmp_path):
    rec = _myonset_with_trains()
    path = tmp_path / "rec.nwb"
    cramplab.export_file(rec, path)
    back = cramplab.import_file(path)
    assert np.array_equal(back.data, rec.data)
    key = lambda e: (e.start_sample, e.end_sample, e.channel, e.kind, e.source)  # noqa: E731
    assert sorted(map(key, back.events)) == sorted(map(key, rec.events))
    assert back.stimulation.pulses.tolist() == rec.stimulation.pulses.tolist()
    assert cramplab.io.trains_table(back).equals(cramplab.io.trains_table(rec))


def test_nwb_written_by_pynwb_alone_imports_in_volts(tmp_path):
    """A file CrampLab did not write: samples * conversion * channel_conversion + offset = volts."""
    from pynwb.ecephys import ElectricalSeries

    nwb = pynwb.NWBFile(session_description="foreign", identifier="x1",
                        session_start_time=dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc))
    dev = nwb.create_device(name="amp")
    grp = nwb.create_electrode_group(name="g", description="d", location="TA", device=dev)
    for _ in range(2):
        nwb.add_electrode(location="TA", group=grp)
    region = nwb.create_electrode_table_region(region=[0, 1], description="all")
    counts = np.arange(20, dtype=np.int16).reshape(10, 2)
    nwb.add_acquisition(ElectricalSeries(name="emg", data=counts, electrodes=region, rate=500.0, conversion=1e-6,
                                         channel_conversion=[1.0, 2.0], offset=1e-3))
    with pynwb.NWBHDF5IO(str(tmp_path / "foreign.nwb"), "w") as io:
        io.write(nwb)
    rec = cramplab.import_file(tmp_path / "foreign.nwb")
    assert rec.fs_hz == 500.0 and rec.n_channels == 2 and rec.n_samples == 10
    np.testing.assert_allclose(rec.data, counts.T * 1e-6 * np.array([[1.0], [2.0]]) + 1e-3, rtol=1e-15)
    assert [c.units for c in rec.channels] == ["V", "V"]


def test_edf_and_csv_exports_from_python(tmp_path):
    rec = cramplab.import_file(DATASETS / "biosppy-examples" / "emg_1.txt")
    r = cramplab.export_file(rec, tmp_path / "a.csv")
    assert r["format"] in ("text", "csv")
    assert (tmp_path / "a.csv").read_text().splitlines()[-1].count(",") == 1  # time_s,EMG
    assert np.array_equal(cramplab.import_file(tmp_path / "a.csv").data, rec.data)
    r = cramplab.export_file(rec, tmp_path / "a.txt", format="tsv")
    assert np.array_equal(cramplab.import_file(tmp_path / "a.txt").data, rec.data)
    r = cramplab.export_file(rec, tmp_path / "b.csv", delimiter="\t")
    assert "\t" in (tmp_path / "b.csv").read_text().splitlines()[-1]
    assert np.array_equal(cramplab.import_file(tmp_path / "b.csv").data, rec.data)
    r = cramplab.export_file(rec, tmp_path / "a.edf")
    back = cramplab.import_file(tmp_path / "a.edf")
    assert r["format"] == "edf"
    # integer ADC counts 1412..2443 fit 16 bits exactly
    assert np.max(np.abs(back.data[:, :rec.n_samples] - rec.data)) <= r["max_abs_error"][0] + 1e-9
    r = cramplab.export_file(rec, tmp_path / "a.h5")
    assert r["format"] == "cramplab" and np.array_equal(cramplab.read(tmp_path / "a.h5").data, rec.data)
    assert sorted(_files(tmp_path)) == ["a.csv", "a.edf", "a.h5", "a.txt", "b.csv"]


@pytest.mark.parametrize("name", ["out.csv", "out.edf", "out.nwb"])
def test_existing_file_without_overwrite(name, tmp_path):
    rec = cramplab.Recording(np.ones((1, 2000)) * 1e-3, fs_hz=1000.0)
    target = tmp_path / name
    target.write_bytes(b"keep me")
    with pytest.raises(cramplab.IoError, match=r"(?i)exists.*overwrite"):
        cramplab.export_file(rec, target)
    assert target.read_bytes() == b"keep me"
    cramplab.export_file(rec, target, overwrite=True)
    assert target.read_bytes() != b"keep me"
    assert _files(tmp_path) == [name]


@pytest.mark.parametrize("name", ["out.csv", "out.edf", "out.nwb"])
def test_directory_not_existing(name, tmp_path):
    rec = cramplab.Recording(np.zeros((1, 100)), fs_hz=1000.0)
    with pytest.raises(cramplab.IoError, match="no_such_dir"):
        cramplab.export_file(rec, tmp_path / "no_such_dir" / name)
    assert _files(tmp_path) == []


def test_bad_export_options(tmp_path):
    rec = cramplab.Recording(np.zeros((1, 100)), fs_hz=1000.0)
    with pytest.raises(ValueError, match=r"format.*'xyz'|xyz.*(edf|csv)"):
        cramplab.export_file(rec, tmp_path / "a.csv", format="xyz")
    with pytest.raises(TypeError, match="unknown option"):
        cramplab.export_file(rec, tmp_path / "a.csv", compression="gzip")
    with pytest.raises(ValueError, match="delimiter"):
        cramplab.export_file(rec, tmp_path / "a.csv", delimiter=",,")
    with pytest.raises(ValueError, match="NWB only"):
        cramplab.export_file(rec, tmp_path / "a.csv", session_start_time=dt.datetime(2020, 1, 1))
    with pytest.raises(ValueError, match="do not apply to NWB"):
        cramplab.export_file(rec, tmp_path / "a.nwb", delimiter=",")
    with pytest.raises(ValueError, match="subject"):
        cramplab.export_file(rec, tmp_path / "a.nwb", subject="S1")
    assert _files(tmp_path) == []


def test_bad_import_input(tmp_path):
    with pytest.raises(cramplab.IoError, match="missing.c3d"):
        cramplab.import_file(tmp_path / "missing.c3d")
    with pytest.raises(cramplab.IoError, match="missing.csv"):
        cramplab.import_file(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="format"):
        cramplab.import_file(DATASETS / "biosppy-examples" / "emg.txt", format="wav")
    with pytest.raises(ValueError, match="fs_hz.*C3D"):
        cramplab.import_file(DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d", fs_hz=100.0)
    with pytest.raises(cramplab.FormatError, match=r"markers_analogs\.c3d.*sampling rate 2000 Hz.*min_fs_hz"):
        cramplab.import_file(DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d", min_fs_hz=4000.0)
    truncated = tmp_path / "cut.c3d"
    truncated.write_bytes((DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d").read_bytes()[:3000])
    with pytest.raises(cramplab.FormatError, match=r"cut\.c3d"):
        cramplab.import_file(truncated)
    fake = tmp_path / "fake.nwb"
    fake.write_text("not hdf5")
    with pytest.raises(cramplab.FormatError, match=r"fake\.nwb"):
        cramplab.import_file(fake)
    with pytest.raises(TypeError, match="unknown option"):
        cramplab.import_file(DATASETS / "biosppy-examples" / "emg.txt", rate=1000)


def test_c3d_detected_by_magic_without_extension(tmp_path):
    copy = tmp_path / "trial.dat"
    copy.write_bytes((DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d").read_bytes())
    assert cramplab.detect_format(copy) == "c3d"
    rec = cramplab.import_file(copy)
    assert rec.n_channels == 38 and rec.attributes["source_format"] == "c3d"


def test_cramplab_imports_without_the_optional_packages(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['ezc3d'] = None\nsys.modules['pynwb'] = None\n"
        "import numpy as np, cramplab\n"
        "try:\n"
        f"    cramplab.import_file({str(DATASETS / 'pyomeca-shoulder-c3d' / 'markers_analogs.c3d')!r})\n"
        "except ImportError as e:\n"
        "    print('C3D:', e)\n"
        "rec = cramplab.Recording(np.zeros((1, 10)), fs_hz=100.0)\n"
        "try:\n"
        f"    cramplab.export_file(rec, {str(tmp_path / 'x.nwb')!r})\n"
        "except ImportError as e:\n"
        "    print('NWB:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(),
                         check=True).stdout
    assert "C3D: Reading C3D files needs the Python package 'ezc3d': pip install ezc3d" in out
    assert "NWB: Writing NWB files needs the Python package 'pynwb': pip install pynwb" in out


def test_quality_report_dataframe():
    rec = cramplab.import_file(DATASETS / "pyomeca-shoulder-c3d" / "markers_analogs.c3d")
    df = cramplab.quality_report(rec)
    assert isinstance(df, pd.DataFrame) and len(df) == rec.n_channels
    assert df["name"].tolist() == rec.channel_names
    assert {"min", "max", "rms", "saturated", "clipped", "flat_fraction", "dead", "mains_hz"} <= set(df.columns)
    assert df.attrs["fs_hz"] == 2000.0 and df.attrs["n_samples"] == 11600
    zero = np.all(rec.data == 0, axis=1)  # the unused Trigno sensors
    assert zero.sum() > 0 and df["dead"][zero].all() and not df["dead"][~zero].any()
    np.testing.assert_allclose(df["rms"], np.sqrt(np.mean(rec.data ** 2, axis=1)), rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="flat_run_s"):
        cramplab.quality_report(rec, flat_run_s=-1.0)


def test_table_helpers():
    rec = _myonset_with_trains()
    df = cramplab.io.to_dataframe(rec)
    assert df.shape == (rec.n_samples, rec.n_channels) and list(df.columns) == rec.channel_names
    assert df.index[1] == pytest.approx(1 / rec.fs_hz)
    assert np.array_equal(df.to_numpy().T, rec.data)
    ev = cramplab.io.events_table(rec)
    assert len(ev) == 80 and ev["start_s"].iloc[0] == pytest.approx(1372 / 2048)
    ch = cramplab.io.channels_table(rec)
    assert ch["units"].tolist() == ["uV"] * 4 and ch["conversion"].notna().all()
    assert len(cramplab.io.trains_table(rec)) == 16
    empty = cramplab.Recording(np.zeros((1, 4)), fs_hz=1.0)
    assert len(cramplab.io.events_table(empty)) == 0 and len(cramplab.io.trains_table(empty)) == 0


def test_io_docstring_examples_run():
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(cramplab.io, "cramplab.io", globs={"np": np, "cramplab": cramplab})
    assert sum(len(t.examples) for t in tests) >= 20
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0


def test_nwb_mixed_units_and_awkward_names(tmp_path):
    x = np.vstack([np.linspace(-1, 1, 500), np.linspace(0, 90, 500), np.linspace(2, 3, 500)])
    rec = cramplab.Recording(x, fs_hz=500.0, channel_names=["TA", "knee/angle", "GM:med"], units=["mV", "deg", "uV"],
                             start_time_s=1.5)
    report = cramplab.export_file(rec, tmp_path / "m.nwb", subject={"subject_id": "S01", "sex": "F", "age": "P30Y",
                                                                    "species": "Homo sapiens"})
    assert not any("subject" in w for w in report["warnings"])
    with pynwb.NWBHDF5IO(str(tmp_path / "m.nwb"), "r") as io:
        nwb = io.read()
        es = nwb.acquisition["ElectricalSeries"]
        np.testing.assert_array_equal(es.channel_conversion[:], [1e-3, 1e-6])  # per channel to volts
        assert es.starting_time == 1.5 and nwb.subject.subject_id == "S01"
        assert nwb.acquisition["knee_angle"].unit == "deg"
    _, serious = _inspect(tmp_path / "m.nwb")
    assert serious == []
    back = cramplab.import_file(tmp_path / "m.nwb")
    assert back.channel_names == rec.channel_names and back.start_time_s == 1.5
    assert [c.units for c in back.channels] == ["mV", "deg", "uV"]
    assert np.array_equal(back.data, rec.data)
