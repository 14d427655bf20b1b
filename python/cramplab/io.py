"""Recording files: the CrampLab HDF5 store, import from lab formats, export, and tables.

The store (:func:`read`, :func:`write`, :func:`read_header`, :func:`validate_file`) and most
importers/exporters (text, EDF/BDF, WFDB, OpenSignals, MAT) live in the C++ library. This module
adds the formats whose well-kept readers are Python packages:

* C3D analog channels through ``ezc3d`` (``pip install ezc3d``);
* NWB through ``pynwb`` (``pip install pynwb``), with the stimulation trains and the events as
  ``TimeIntervals`` tables.

Both packages are optional: they are imported only when a C3D or NWB file is read or written.

Examples
--------
>>> import pathlib, tempfile, numpy as np, cramplab
>>> tmp = tempfile.TemporaryDirectory()
>>> rec = cramplab.Recording(np.array([[0.5, -1.0, 0.25], [1.0, 2.0, 3.0]]), fs_hz=1000.0,
...                          channel_names=["TA", "GM"])
>>> report = cramplab.export_file(rec, pathlib.Path(tmp.name) / "trial.csv")
>>> back = cramplab.import_file(pathlib.Path(tmp.name) / "trial.csv")
>>> back.channel_names, back.fs_hz, bool(np.array_equal(back.data, rec.data))
(['TA', 'GM'], 1000.0, True)
>>> tmp.cleanup()
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import pathlib
import secrets
import numpy as np

from . import _core
from ._core import FormatError, IoError
from ._core.core import GroundTruth, Recording

__all__ = [
    "read", "write", "read_header", "validate_file", "is_cramplab_file", "sha256_file", "data_sha256",
    "detect_format", "import_file", "export_file", "import_events", "quality_report", "to_dataframe",
    "events_table", "channels_table", "trains_table", "read_truth", "has_truth", "truth_tables",
    "read_table", "write_table",
]

# The CrampLab HDF5 store (C++), re-exported as they are.
read = _core.io.read
write = _core.io.write
read_header = _core.io.read_header
validate_file = _core.io.validate_file
is_cramplab_file = _core.io.is_cramplab_file
sha256_file = _core.io.sha256_file
data_sha256 = _core.io.data_sha256
read_truth = _core.io.read_truth
has_truth = _core.io.has_truth

#: text/WFDB options of the C++ importer with their defaults (C3D/NWB must leave them alone)
_TEXT_DEFAULTS = {"fs_hz": 0.0, "delimiter": None, "columns": None, "time_column": "auto", "units": "",
                  "wraparound": "error"}
_IMPORT_KEYS = set(_TEXT_DEFAULTS) | {"format", "min_fs_hz"}
_EXPORT_KEYS = {"format", "overwrite", "delimiter", "edf_digital_bits"}
#: factor to volts of the voltage units an ElectricalSeries can hold
_TO_VOLTS = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "\u00b5V": 1e-6, "\u03bcV": 1e-6, "nV": 1e-9, "kV": 1e3}


def _optional(package: str, purpose: str):
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError as exc:  # pragma: no cover - exercised only without the optional extra
        raise ImportError(f"{purpose} needs the Python package '{package}': pip install {package} "
                          f"(or pip install 'cramplab[io]')") from exc


def detect_format(path) -> str:
    """Format of a file from its magic bytes, then its extension.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        "cramplab", "text", "edf", "bdf", "wfdb", "opensignals", "mat", "c3d" or "nwb".

    Raises
    ------
    cramplab.IoError
        If the file cannot be read.
    cramplab.FormatError
        If the file is empty or of no known format.

    Examples
    --------
    >>> import pathlib, tempfile, cramplab
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = pathlib.Path(tmp.name) / "x.txt"
    >>> _ = p.write_text("# Sampling Rate (Hz):= 1000\\n1\\n2\\n3\\n")
    >>> cramplab.detect_format(p)
    'text'
    >>> tmp.cleanup()
    """
    try:
        return _core.io.detect_format(path)
    except FormatError:
        if _is_c3d(os.fspath(path)):
            return "c3d"
        raise


def _is_c3d(path: str) -> bool:
    """C3D magic: header byte 2 is 0x50 and byte 1 points at a parameter section whose 4th byte
    is a processor type (84 Intel, 85 DEC, 86 MIPS)."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
            if len(head) < 2 or head[1] != 0x50 or head[0] < 2:
                return False
            f.seek((head[0] - 1) * 512)
            section = f.read(4)
    except OSError:
        return False
    return len(section) == 4 and section[3] in (84, 85, 86)


def _python_format(path: str, fmt: str) -> str | None:
    """'c3d' / 'nwb' when the Python layer reads or writes this file, else None."""
    name = fmt.lower()
    if name in ("c3d", "nwb"):
        return name
    if name != "auto":
        return None
    ext = pathlib.Path(path).suffix.lower()
    if ext in (".c3d", ".nwb"):
        return ext[1:]
    return None


def import_file(path, **options) -> Recording:
    """Import a recording from any supported lab file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (for WFDB the ``.hea`` header). Never modified.
    **options
        ``format`` ("auto" = magic bytes then extension; "cramplab", "text"/"csv"/"tsv", "edf",
        "bdf", "wfdb", "opensignals", "mat", "c3d", "nwb"), ``min_fs_hz`` (refuse slower
        recordings), and for text/WFDB files ``fs_hz``, ``delimiter``, ``columns``,
        ``time_column``, ``units``, ``wraparound`` (see ``cramplab._core.io.import_file``).

    Returns
    -------
    Recording
        With attributes ``source_file``, ``source_format`` and ``source_sha256``.

    Raises
    ------
    cramplab.IoError
        If the file cannot be read.
    cramplab.FormatError
        If it is malformed, of no known format, or sampled below ``min_fs_hz``.
    ValueError
        For an unknown format name, or a text option given for C3D/NWB.
    ImportError
        For C3D without ``ezc3d`` or NWB without ``pynwb``.

    Notes
    -----
    C3D: the analog channels as ezc3d scales them, names from ``ANALOG:LABELS``, units from
    ``ANALOG:UNITS``, rate from ``ANALOG:RATE``. NWB: the first ``ElectricalSeries`` (in volts,
    or in the channel units of a file CrampLab wrote) plus the events and stimulation tables.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, cramplab
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = pathlib.Path(tmp.name) / "trial.csv"
    >>> _ = p.write_text("time_s,TA\\n0.000,1.5\\n0.001,2.5\\n0.002,-1\\n")
    >>> rec = cramplab.import_file(p)
    >>> rec.fs_hz, rec.channel_names, rec.data.tolist()
    (1000.0, ['TA'], [[1.5, 2.5, -1.0]])
    >>> tmp.cleanup()
    """
    unknown = set(options) - _IMPORT_KEYS
    if unknown:
        raise TypeError(f"import_file: unknown option(s) {sorted(unknown)}; known: {sorted(_IMPORT_KEYS)}")
    spath = os.fspath(path)
    fmt = str(options.get("format", "auto"))
    py_fmt = _python_format(spath, fmt)
    if py_fmt is None and fmt.lower() == "auto" and os.path.isfile(spath):
        try:
            detected = detect_format(spath)
        except (FormatError, IoError):
            detected = None  # let the C++ importer report it with its own message
        if detected in ("c3d", "nwb"):
            py_fmt = detected
    if py_fmt is None:
        return _core.io.import_file(spath, **options)
    for key, default in _TEXT_DEFAULTS.items():
        if key in options and options[key] != default:
            raise ValueError(f"import_file: {key}={options[key]!r} does not apply to {py_fmt.upper()} files")
    min_fs_hz = float(options.get("min_fs_hz", 0.0))
    if not math.isfinite(min_fs_hz) or min_fs_hz < 0:
        raise ValueError(f"import_file: min_fs_hz={min_fs_hz} must be finite and >= 0")
    if not os.path.exists(spath):
        raise IoError(f"import_file: {spath}: no such file")
    rec = _read_c3d(spath) if py_fmt == "c3d" else _read_nwb(spath)
    if min_fs_hz > 0 and rec.fs_hz < min_fs_hz:
        raise FormatError(f"import_file: {spath}: sampling rate {rec.fs_hz:g} Hz is below min_fs_hz={min_fs_hz:g} Hz "
                          "(EMG analysis needs at least this rate; pass min_fs_hz=0 to import anyway)")
    return rec


def export_file(recording: Recording, path, **options) -> dict:
    """Export a recording to CSV/TSV, EDF+/BDF+, CrampLab HDF5 or NWB, atomically.

    Parameters
    ----------
    recording : Recording
    path : str or os.PathLike
        Output file; its directory must exist.
    **options
        ``format`` ("auto" = from the extension; "text"/"csv"/"tsv", "edf", "bdf", "cramplab",
        "nwb"), ``overwrite`` (default False), ``delimiter`` (text), ``edf_digital_bits``
        (EDF/BDF), and for NWB ``session_start_time`` (datetime; default from the recording's
        ``start_datetime``/``start_date`` attributes, else now).

    Returns
    -------
    dict
        ``format``, ``path``, ``max_abs_error`` (per channel, in channel units; zeros for lossless
        formats) and ``warnings`` (what the format could not hold).

    Raises
    ------
    cramplab.IoError
        If the target exists and overwrite is False, or its directory does not exist.
    ValueError
        For an unknown format name or bad option.
    ImportError
        For NWB without ``pynwb``.

    Notes
    -----
    NWB: voltage channels go into one ``ElectricalSeries`` (samples in channel units with
    ``conversion``/``channel_conversion`` to volts; electrodes table from the channel metadata),
    other channels (angles, counts) into one ``TimeSeries`` each; stimulation trains, pulses and
    events become ``TimeIntervals`` tables ``stimulation_trains``, ``stimulation_pulses``,
    ``events``; the recording attributes and history are kept as JSON in ``notes``.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, cramplab
    >>> tmp = tempfile.TemporaryDirectory()
    >>> rec = cramplab.Recording(np.array([[0.0, 1e-3, -2e-3, 5e-4]]), fs_hz=2000.0, channel_names=["FHB"])
    >>> report = cramplab.export_file(rec, pathlib.Path(tmp.name) / "trial.edf")
    >>> report["format"], bool(report["max_abs_error"][0] < 1e-7)
    ('edf', True)
    >>> tmp.cleanup()
    """
    session_start_time = options.pop("session_start_time", None)
    subject = options.pop("subject", None)
    unknown = set(options) - _EXPORT_KEYS
    if unknown:
        raise TypeError(f"export_file: unknown option(s) {sorted(unknown)}; known: {sorted(_EXPORT_KEYS)}")
    spath = os.fspath(path)
    fmt = str(options.get("format", "auto"))
    if _python_format(spath, fmt) != "nwb":
        if session_start_time is not None or subject is not None:
            raise ValueError("export_file: session_start_time and subject apply to NWB only")
        return _core.io.export_file(recording, spath, **options)
    if options.get("delimiter") is not None or options.get("edf_digital_bits", 0) != 0:
        raise ValueError("export_file: delimiter / edf_digital_bits do not apply to NWB")
    return _write_nwb(recording, spath, overwrite=bool(options.get("overwrite", False)),
                      session_start_time=session_start_time, subject=subject)


# ---- C3D (ezc3d) ---------------------------------------------------------------------------

def _c3d_strings(group: dict, key: str) -> list[str]:
    """A C3D string parameter with its LABELS2, LABELS3... continuations (>255 channels)."""
    out: list[str] = []
    for k in [key] + [f"{key}{i}" for i in range(2, 100)]:
        if k not in group:
            if k != key:
                break
            continue
        out.extend(str(v).strip() for v in group[k]["value"])
    return out


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        base = n or f"ch{i}"
        name = base
        while name in seen:
            seen[base] += 1
            name = f"{base}_{seen[base]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_c3d(path: str) -> Recording:
    ezc3d = _optional("ezc3d", "Reading C3D files")
    try:
        c3d = ezc3d.c3d(path)
    except Exception as exc:  # ezc3d raises RuntimeError/ValueError with its own text
        raise FormatError(f"import_file: {path}: not a readable C3D file ({exc})") from exc
    params = c3d["parameters"]
    analog = params.get("ANALOG", {})
    data = np.asarray(c3d["data"]["analogs"], dtype=np.float64)
    if data.ndim != 3 or data.shape[1] == 0 or data.shape[2] == 0:
        raise FormatError(f"import_file: {path}: the C3D file has no analog channels (ANALOG:USED = 0)")
    data = np.ascontiguousarray(data[0])
    n_ch = data.shape[0]
    if "RATE" in analog:
        fs = float(np.ravel(analog["RATE"]["value"])[0])
    else:
        fs = float(c3d["header"]["analogs"]["frame_rate"])
    labels = _c3d_strings(analog, "LABELS")[:n_ch]
    labels += [f"ch{i}" for i in range(len(labels), n_ch)]
    units = _c3d_strings(analog, "UNITS")[:n_ch]
    units += ["V"] * (n_ch - len(units))
    names = _unique_names(labels)
    if not np.all(np.isfinite(data)):
        bad = np.argwhere(~np.isfinite(data))[0]
        raise FormatError(f"import_file: {path}: analog channel '{names[bad[0]]}' has a non-finite sample "
                          f"at index {bad[1]}")
    point = params.get("POINT", {})
    point_rate = float(np.ravel(point["RATE"]["value"])[0]) if "RATE" in point else 0.0
    first_frame = int(c3d["header"]["points"]["first_frame"])
    start = first_frame / point_rate if point_rate > 0 else 0.0
    rec = Recording(data, fs_hz=fs, channel_names=names, units=units, start_time_s=start)
    descriptions = _c3d_strings(analog, "DESCRIPTIONS")
    for i, label in enumerate(labels):
        kind = "EMG" if "EMG" in label.upper() else "MISC"
        placement = descriptions[i] if i < len(descriptions) else ""
        rec.set_channel_info(i, type=kind, placement=placement)
    rec.set_attribute("source_file", os.path.basename(path))
    rec.set_attribute("source_format", "c3d")
    rec.set_attribute("source_sha256", _sha256(path))
    if point_rate > 0:
        rec.set_attribute("c3d.point_rate_hz", repr(point_rate))
    manufacturer = params.get("MANUFACTURER", {})
    for key in ("COMPANY", "SOFTWARE", "VERSION_LABEL"):
        if key in manufacturer:
            value = " ".join(str(v).strip() for v in np.ravel(manufacturer[key]["value"]) if str(v).strip())
            if value:
                rec.set_attribute(f"c3d.{key.lower()}", value)
    _c3d_events(rec, params.get("EVENT", {}))
    return rec


def _c3d_events(rec: Recording, event: dict) -> None:
    """EVENT:TIMES (minutes, seconds rows) with LABELS/CONTEXTS -> instant events."""
    if "TIMES" not in event:
        return
    times = np.asarray(event["TIMES"]["value"], dtype=float)
    if times.size == 0:
        return
    times = times.reshape(2, -1) if times.ndim == 1 else times
    labels = _c3d_strings(event, "LABELS")
    contexts = _c3d_strings(event, "CONTEXTS")
    for k in range(times.shape[1]):
        t = times[0, k] * 60.0 + times[1, k]
        sample = int(round((t - rec.start_time_s) * rec.fs_hz))
        if 0 <= sample < rec.n_samples:
            label = labels[k] if k < len(labels) else "event"
            context = contexts[k] if k < len(contexts) else ""
            rec.add_event(start_sample=sample, kind=f"{context}:{label}" if context else label, source="c3d_event")


# ---- NWB (pynwb) ---------------------------------------------------------------------------

def _session_start(recording: Recording, given) -> tuple[_dt.datetime, list[str]]:
    if given is not None:
        if not isinstance(given, _dt.datetime):
            raise ValueError(f"export_file: session_start_time={given!r} must be a datetime")
        return (given if given.tzinfo else given.replace(tzinfo=_dt.timezone.utc)), []
    attrs = recording.attributes
    candidates = [attrs.get("start_datetime", "")]
    if "start_date" in attrs:
        candidates += [f"{attrs['start_date']}T{attrs.get('start_time', '')}", attrs["start_date"]]
    for text in candidates:
        try:
            value = _dt.datetime.fromisoformat(text)
        except ValueError:
            continue
        return (value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)), []
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    return now, ["session_start_time: the recording has no start date; the export time was used"]


def _nwb_name(name: str) -> str:
    return name.replace("/", "_").replace(":", "_") or "channel"


def _subject(pynwb, recording: Recording, given, warnings: list[str]):
    """NWB requires a subject; unknown fields get the NWB spellings of 'unknown' (sex U, age P0D/)."""
    attrs = recording.attributes
    fields = {"subject_id": attrs.get("subject_id", attrs.get("subject", "")), "sex": attrs.get("sex", ""),
              "age": attrs.get("age", ""), "species": attrs.get("species", ""),
              "description": attrs.get("subject_description", "as far as the source file tells")}
    if given is not None:
        if not isinstance(given, dict):
            raise ValueError(f"export_file: subject={given!r} must be a dict of pynwb Subject fields")
        fields.update(given)
    unknown = [k for k in ("subject_id", "sex", "age") if not fields.get(k)]
    if unknown:
        warnings.append(f"subject: {', '.join(unknown)} not known; written as unknown")
    fields["subject_id"] = fields["subject_id"] or "unknown"
    fields["sex"] = fields["sex"] or "U"
    fields["age"] = fields["age"] or "P0D/"
    if fields["age"].isdigit():  # headers such as WFDB's '<age>: 62' give years
        fields["age"] = f"P{fields['age']}Y"
    fields = {k: v for k, v in fields.items() if v != ""}
    try:
        return pynwb.file.Subject(**fields)
    except TypeError as exc:
        raise ValueError(f"export_file: subject: {exc}") from exc


def _write_nwb(recording: Recording, path: str, *, overwrite: bool, session_start_time, subject=None) -> dict:
    pynwb = _optional("pynwb", "Writing NWB files")
    from pynwb.ecephys import ElectricalSeries
    from pynwb.epoch import TimeIntervals

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise IoError(f"export_file: {path}: directory {directory} does not exist")
    if os.path.exists(path) and not overwrite:
        raise IoError(f"export_file: {path}: file exists (pass overwrite=True to replace it)")
    start, warnings = _session_start(recording, session_start_time)
    attrs = recording.attributes
    fs = recording.fs_hz
    t0 = recording.start_time_s
    channels = recording.channels
    notes = json.dumps({"cramplab": _core.__version__, "attributes": attrs, "history": list(recording.history),
                        "channels": [c._asdict() for c in channels]}, sort_keys=True)
    nwb = pynwb.NWBFile(
        session_description=attrs.get("description", f"EMG recording {attrs.get('source_file', '')}".strip()),
        identifier=attrs.get("source_sha256", "") + "-" + secrets.token_hex(8),
        session_start_time=start, notes=notes, source_script=f"cramplab {_core.__version__}",
        source_script_file_name="cramplab.io", keywords=["EMG"], subject=_subject(pynwb, recording, subject, warnings))
    data = recording.data
    volt = [i for i, c in enumerate(channels) if c.units in _TO_VOLTS]
    other = [i for i in range(recording.n_channels) if i not in volt]
    if volt:
        device = nwb.create_device(name=attrs.get("device", "") or "EMG amplifier",
                                   description="recording device (from the source file)")
        group = nwb.create_electrode_group(name="EMG", description="surface or needle EMG electrodes",
                                           location="see the electrodes table", device=device)
        for col, desc in (("channel_name", "CrampLab channel name"), ("units", "units of the stored samples"),
                          ("placement", "electrode placement"), ("reference", "reference electrode")):
            nwb.add_electrode_column(name=col, description=desc)
        for i in volt:
            c = channels[i]
            nwb.add_electrode(location=c.target_muscle or "unknown", group=group, channel_name=c.name,
                              units=c.units, placement=c.placement, reference=c.reference)
        region = nwb.create_electrode_table_region(region=list(range(len(volt))), description="EMG channels")
        factors = np.array([_TO_VOLTS[channels[i].units] for i in volt])
        same = bool(np.all(factors == factors[0]))
        series = ElectricalSeries(
            name="ElectricalSeries", data=np.ascontiguousarray(data[volt].T), electrodes=region,
            rate=fs, starting_time=t0, conversion=float(factors[0]) if same else 1.0,
            channel_conversion=None if same else factors,
            description="EMG samples in channel units; conversion (x channel_conversion) gives volts")
        nwb.add_acquisition(series)
    for i in other:
        c = channels[i]
        nwb.add_acquisition(pynwb.TimeSeries(name=_nwb_name(c.name), data=np.ascontiguousarray(data[i]),
                                             unit=c.units or "n/a", rate=fs, starting_time=t0,
                                             description=f"channel {c.name} ({c.type})", comments=c.name))
    _nwb_tables(nwb, recording, TimeIntervals)
    tmp = f"{path}.tmp-{os.getpid()}-{secrets.token_hex(4)}.nwb"  # pynwb warns without the extension
    try:
        with pynwb.NWBHDF5IO(tmp, "w") as io:
            io.write(nwb)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return {"format": "nwb", "path": path, "max_abs_error": np.zeros(recording.n_channels), "warnings": warnings}


def _nwb_tables(nwb, recording: Recording, TimeIntervals) -> None:
    fs, t0 = recording.fs_hz, recording.start_time_s
    stim = recording.stimulation
    if stim.trains:
        table = TimeIntervals(name="stimulation_trains", description="stimulation trains (CrampLab StimTrain)")
        cols = {"train_id": "train number", "start_sample": "first sample of the train",
                "end_sample": "last sample of the train", "frequency_hz": "pulse frequency (Hz)",
                "pulse_width_us": "pulse width (microseconds)", "intensity": "stimulation intensity",
                "n_pulses": "number of pulses"}
        for name, desc in cols.items():
            table.add_column(name=name, description=desc)
        for t in sorted(stim.trains, key=lambda t: t.start_sample):
            table.add_row(start_time=t0 + t.start_sample / fs, stop_time=t0 + t.end_sample / fs,
                          **{name: getattr(t, name) for name in cols})
        nwb.add_time_intervals(table)
    if len(stim.pulses):
        table = TimeIntervals(name="stimulation_pulses", description="stimulation pulse instants")
        table.add_column(name="sample", description="sample index of the pulse")
        for p in stim.pulses:
            table.add_row(start_time=t0 + p / fs, stop_time=t0 + p / fs, sample=int(p))
        nwb.add_time_intervals(table)
    if recording.events:
        table = TimeIntervals(name="events", description="CrampLab events (annotations, triggers, detections)")
        cols = {"channel": "channel index (-1 = all channels)", "start_sample": "first sample",
                "end_sample": "last sample", "kind": "event kind", "source": "what produced the event"}
        for name, desc in cols.items():
            table.add_column(name=name, description=desc)
        for e in sorted(recording.events, key=lambda e: (e.start_sample, e.end_sample)):
            table.add_row(start_time=t0 + e.start_sample / fs, stop_time=t0 + e.end_sample / fs,
                          **{name: getattr(e, name) for name in cols})
        nwb.add_time_intervals(table)


def _read_nwb(path: str) -> Recording:
    pynwb = _optional("pynwb", "Reading NWB files")
    from pynwb.ecephys import ElectricalSeries

    try:
        io = pynwb.NWBHDF5IO(path, "r")
    except Exception as exc:
        raise FormatError(f"import_file: {path}: not a readable NWB file ({exc})") from exc
    with io:
        nwb = io.read()
        meta = _nwb_meta(nwb.notes)
        series = [s for s in nwb.acquisition.values() if isinstance(s, ElectricalSeries)]
        others = [s for s in nwb.acquisition.values() if not isinstance(s, ElectricalSeries)
                  and isinstance(s, pynwb.TimeSeries)]
        if not series and not (meta and others):
            raise FormatError(f"import_file: {path}: no ElectricalSeries in /acquisition")
        rows, infos, fs, t0 = [], [], None, 0.0
        for s in series[:1] + (others if meta else []):
            rate, start = _nwb_rate(path, s)
            if fs is None:
                fs, t0 = rate, start
            elif rate != fs:
                raise FormatError(f"import_file: {path}: {s.name} is sampled at {rate} Hz, not {fs} Hz")
            x = np.asarray(s.data[:], dtype=np.float64)
            x = x.reshape(-1, 1) if x.ndim == 1 else x
            if isinstance(s, ElectricalSeries):
                table = s.electrodes.table
                cols = set(table.colnames)
                idx = list(s.electrodes.data[:])
                ours = meta is not None and "units" in cols and "channel_name" in cols
                if ours:  # stored in channel units
                    units = [table["units"][k] for k in idx]
                    names = [table["channel_name"][k] for k in idx]
                else:
                    per_channel = 1.0 if s.channel_conversion is None else np.asarray(s.channel_conversion[:])
                    conv = s.conversion * per_channel
                    x = x * conv + s.offset
                    units = ["V"] * x.shape[1]
                    names = [f"{s.name}_{k}" for k in range(x.shape[1])]
                for j in range(x.shape[1]):
                    rows.append(x[:, j])
                    infos.append({"name": names[j], "units": units[j]})
            else:  # only in files CrampLab wrote: comments holds the channel name
                rows.append(x[:, 0])
                infos.append({"name": s.comments, "units": s.unit})
        n = min(len(r) for r in rows)
        if any(len(r) != n for r in rows):
            raise FormatError(f"import_file: {path}: the series have different lengths")
        order = list(range(len(rows)))
        if meta:  # restore the original channel order and metadata
            by_name = {info["name"]: k for k, info in enumerate(infos)}
            wanted = [c["name"] for c in meta["channels"]]
            if sorted(wanted) != sorted(by_name):
                raise FormatError(f"import_file: {path}: the series hold channels {sorted(by_name)} but the "
                                  f"CrampLab notes list {wanted}")
            order = [by_name[name] for name in wanted]
        data = np.vstack([rows[k] for k in order])
        rec = Recording(data, fs_hz=fs, channel_names=[infos[k]["name"] for k in order],
                        units=[infos[k]["units"] for k in order], start_time_s=t0)
        if meta:
            channels = {c["name"]: c for c in meta["channels"]}
            editable = ("type", "target_muscle", "placement", "reference", "conversion", "offset",
                        "digital_min", "digital_max")
            for i, name in enumerate(rec.channel_names):
                c = channels[name]
                rec.set_channel_info(i, **{k: c[k] for k in editable if c.get(k) is not None})
            for k, v in meta["attributes"].items():
                rec.set_attribute(k, v)
        _nwb_read_tables(nwb, rec)
    rec.set_attribute("source_file", os.path.basename(path))
    rec.set_attribute("source_format", "nwb")
    rec.set_attribute("source_sha256", _sha256(path))
    return rec


def _nwb_meta(notes) -> dict | None:
    try:
        meta = json.loads(notes) if notes else None
    except ValueError:
        return None
    return meta if isinstance(meta, dict) and "cramplab" in meta and "channels" in meta else None


def _nwb_rate(path: str, series) -> tuple[float, float]:
    if series.rate is not None:
        return float(series.rate), float(series.starting_time or 0.0)
    t = np.asarray(series.timestamps[:], dtype=float)
    d = np.diff(t)
    if len(t) < 2 or not np.allclose(d, d[0], rtol=1e-6, atol=0):
        raise FormatError(f"import_file: {path}: {series.name} has irregular timestamps (no single rate)")
    return 1.0 / float(np.mean(d)), float(t[0])


def _nwb_read_tables(nwb, rec: Recording) -> None:
    intervals = nwb.intervals or {}
    if "events" in intervals:
        df = intervals["events"].to_dataframe()
        if {"channel", "start_sample", "end_sample", "kind", "source"} <= set(df.columns):
            for row in df.itertuples():
                rec.add_event(channel=int(row.channel), start_sample=int(row.start_sample),
                              end_sample=int(row.end_sample), kind=str(row.kind), source=str(row.source))
    pulses, trains = [], []
    if "stimulation_pulses" in intervals:
        pulses = [int(p) for p in intervals["stimulation_pulses"]["sample"][:]]
    if "stimulation_trains" in intervals:
        df = intervals["stimulation_trains"].to_dataframe()
        cols = ("train_id", "start_sample", "end_sample", "frequency_hz", "pulse_width_us", "intensity", "n_pulses")
        trains = [{c: getattr(row, c) for c in cols} for row in df.itertuples()]
        for t in trains:
            for c in ("train_id", "start_sample", "end_sample", "n_pulses"):
                t[c] = int(t[c])
            for c in ("frequency_hz", "pulse_width_us", "intensity"):
                t[c] = float(t[c])
    if pulses or trains:
        rec.set_stimulation(pulses=pulses, trains=trains)


# ---- events from a table --------------------------------------------------------------------

def import_events(recording: Recording, path, *, sample_column: str = "sample", time_column: str = "time",
                  kind_column: str = "code", channel_column: str = "chan", kind_prefix: str = "trigger:",
                  source: str = "events_csv") -> Recording:
    """Add the events of a CSV/TSV table (one row per event) to a recording, in place.

    The myonset layout ``sample,time,code,chan`` is the default: each row becomes an instant
    event at ``sample`` (or at ``round(time * fs_hz)`` when there is no sample column, time
    counted from the first sample) with kind ``"trigger:<code>"`` on channel ``chan``
    (-1 = all channels).

    Parameters
    ----------
    recording : Recording
        Modified in place (and returned).
    path : str or os.PathLike
        Table with a header row; delimiter detected (comma, tab, semicolon).
    sample_column, time_column, kind_column, channel_column : str, optional
        Column names (channel column optional: -1 when absent).
    kind_prefix : str, optional
        Put before the kind value (default ``"trigger:"``, as the BDF Status channel importer).
    source : str, optional
        The events' ``source`` field.

    Returns
    -------
    Recording
        The same recording, for chaining.

    Raises
    ------
    cramplab.FormatError
        If a column is missing or a value is not a number (naming the line).
    ValueError
        If an event lies outside the recording (nothing is added then).

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, cramplab
    >>> tmp = tempfile.TemporaryDirectory()
    >>> p = pathlib.Path(tmp.name) / "events.csv"
    >>> _ = p.write_text("sample,time,code,chan\\n10,0.01,11,-1\\n25,0.025,100,-1\\n")
    >>> rec = cramplab.Recording(np.zeros((1, 100)), fs_hz=1000.0)
    >>> [(e.start_sample, e.kind) for e in cramplab.io.import_events(rec, p).events]
    [(10, 'trigger:11'), (25, 'trigger:100')]
    >>> tmp.cleanup()
    """
    import csv

    spath = os.fspath(path)
    try:
        text = pathlib.Path(spath).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise IoError(f"import_events: {spath}: {exc.strerror or exc}") from exc
    lines = text.splitlines()
    if not lines:
        raise FormatError(f"import_events: {spath}: empty file")
    delim = max((",", "\t", ";"), key=lines[0].count)
    reader = csv.reader(lines, delimiter=delim)
    header = [h.strip() for h in next(reader)]
    col = {h: k for k, h in enumerate(header)}
    if kind_column not in col or (sample_column not in col and time_column not in col):
        raise FormatError(f"import_events: {spath}: needs columns '{kind_column}' and '{sample_column}' or "
                          f"'{time_column}'; found {header}")
    new = []
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not f.strip() for f in row):
            continue
        if len(row) != len(header):
            raise FormatError(f"import_events: {spath}: line {line_no} has {len(row)} fields, the header {len(header)}")
        try:
            if sample_column in col:
                sample_f = float(row[col[sample_column]])
                if sample_f != int(sample_f):
                    raise ValueError(row[col[sample_column]])
                sample = int(sample_f)
            else:
                sample = int(round(float(row[col[time_column]]) * recording.fs_hz))
            channel = int(float(row[col[channel_column]])) if channel_column in col else -1
        except ValueError as exc:
            raise FormatError(f"import_events: {spath}: line {line_no}: not a number ({exc})") from exc
        kind = row[col[kind_column]].strip()
        if not 0 <= sample < recording.n_samples:
            raise ValueError(f"import_events: {spath}: line {line_no}: sample={sample} must be in "
                             f"[0, {recording.n_samples}) (the recording's samples)")
        if not -1 <= channel < recording.n_channels:
            raise ValueError(f"import_events: {spath}: line {line_no}: channel={channel} must be -1 or in "
                             f"[0, {recording.n_channels})")
        new.append((channel, sample, kind_prefix + kind))
    for channel, sample, kind in new:
        recording.add_event(channel=channel, start_sample=sample, kind=kind, source=source)
    return recording


# ---- tables ---------------------------------------------------------------------------------

def quality_report(recording: Recording, **params):
    """Signal-quality summary per channel as a pandas DataFrame.

    Parameters
    ----------
    recording : Recording
    **params
        ``flat_run_s`` (default 0.1), ``dead_rms_ratio`` (1e-3), ``clip_run_samples`` (3); see
        ``cramplab._core.io.quality_report``.

    Returns
    -------
    pandas.DataFrame
        One row per channel: name, units, min, max, mean, rms, saturated, clipped, flat_fraction,
        dead, mains_hz, mains_db; ``df.attrs`` holds fs_hz, n_samples and duration_s.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> rec = cramplab.Recording(np.vstack([np.sin(np.arange(2000) / 7.0), np.zeros(2000)]), fs_hz=1000.0)
    >>> df = cramplab.quality_report(rec)
    >>> df[["name", "dead"]].values.tolist()
    [['ch0', False], ['ch1', True]]
    """
    import pandas as pd

    report = _core.io.quality_report(recording, **params)
    df = pd.DataFrame(report.columns())
    df.attrs.update(fs_hz=report.fs_hz, n_samples=report.n_samples, duration_s=report.duration_s)
    return df


def to_dataframe(recording: Recording):
    """Samples as a DataFrame: one column per channel, index ``time_s`` (start_time_s + n / fs_hz).

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> rec = cramplab.Recording(np.array([[1.0, 2.0], [3.0, 4.0]]), fs_hz=10.0, channel_names=["a", "b"])
    >>> cramplab.io.to_dataframe(rec)
              a    b
    time_s
    0.0     1.0  3.0
    0.1     2.0  4.0
    """
    import pandas as pd

    t = recording.start_time_s + np.arange(recording.n_samples) / recording.fs_hz
    return pd.DataFrame(np.array(recording.data).T, index=pd.Index(t, name="time_s"),
                        columns=recording.channel_names)


def events_table(recording: Recording):
    """Events as a DataFrame: channel, start_sample, end_sample, kind, source, start_s, end_s.

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> rec = cramplab.Recording(np.zeros((1, 100)), fs_hz=100.0)
    >>> rec.add_event(start_sample=20, end_sample=30, kind="burst")
    >>> cramplab.io.events_table(rec)[["start_s", "end_s", "kind"]].values.tolist()
    [[0.2, 0.3, 'burst']]
    """
    import pandas as pd

    cols = ["channel", "start_sample", "end_sample", "kind", "source"]
    df = pd.DataFrame([[getattr(e, c) for c in cols] for e in recording.events], columns=cols)
    df = df.astype({"channel": "int64", "start_sample": "int64", "end_sample": "int64"})
    df["start_s"] = recording.start_time_s + df["start_sample"] / recording.fs_hz
    df["end_s"] = recording.start_time_s + df["end_sample"] / recording.fs_hz
    return df


def trains_table(recording: Recording):
    """Stimulation trains as a DataFrame (the StimTrain fields, one row per train)."""
    import pandas as pd

    cols = ["train_id", "start_sample", "end_sample", "frequency_hz", "pulse_width_us", "intensity", "n_pulses"]
    return pd.DataFrame([[getattr(t, c) for c in cols] for t in recording.stimulation.trains], columns=cols)


def channels_table(recording: Recording):
    """Channel metadata as a DataFrame, one row per channel (BIDS-EMG field names).

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> rec = cramplab.Recording(np.zeros((2, 4)), fs_hz=1000.0, channel_names=["TA", "GM"], units=["mV"])
    >>> cramplab.io.channels_table(rec)[["name", "type", "units"]].values.tolist()
    [['TA', 'EMG', 'mV'], ['GM', 'EMG', 'mV']]
    """
    import pandas as pd

    return pd.DataFrame([c._asdict() for c in recording.channels])



def truth_tables(truth, *, fs_hz: float | None = None) -> dict:
    """The tables of a ground truth as pandas DataFrames.

    Parameters
    ----------
    truth : GroundTruth or str or os.PathLike
        A :class:`cramplab.GroundTruth`, or the path of a file to read it from
        (:func:`read_truth`).
    fs_hz : float, optional
        Sampling rate of the recording. When given, every ``<x>_sample`` column gets an ``<x>_s``
        companion and every ``sample`` column a ``time_s`` companion, in seconds from the first
        sample (NaN where the sample is -1, "none").

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"pulses"``, ``"trains"``, ``"bursts"`` (one row per entry, the columns of
        docs/FORMAT.md with int64 samples, float64 values, bool flags, str kind) and
        ``"firings"`` (columns ``unit`` and ``sample``). Empty tables have their columns and no rows.

    Raises
    ------
    ValueError
        If fs_hz is not finite and > 0.
    cramplab.FormatError, cramplab.IoError
        As :func:`read_truth` when given a path.

    Examples
    --------
    >>> import cramplab
    >>> truth = cramplab.GroundTruth(trains={"train_id": [1, 2], "frequency_hz": [10.0, 12.0],
    ...                                      "cramp": [False, True], "cramp_onset_sample": [-1, 4000]})
    >>> tables = cramplab.io.truth_tables(truth, fs_hz=2000.0)
    >>> tables["trains"][["train_id", "frequency_hz", "cramp", "cramp_onset_s"]].values.tolist()
    [[1, 10.0, False, nan], [2, 12.0, True, 2.0]]
    >>> sorted(tables), len(tables["pulses"]), list(tables["firings"].columns)
    (['bursts', 'firings', 'pulses', 'trains'], 0, ['unit', 'sample', 'time_s'])
    """
    import pandas as pd

    if not isinstance(truth, GroundTruth):
        truth = read_truth(truth)
    if fs_hz is not None and not (math.isfinite(fs_hz) and fs_hz > 0):
        raise ValueError(f"truth_tables: fs_hz={fs_hz!r} must be finite and > 0")
    tables = {"pulses": pd.DataFrame(truth.pulses), "trains": pd.DataFrame(truth.trains),
              "bursts": pd.DataFrame(truth.bursts),
              "firings": pd.DataFrame({"unit": truth.firing_unit, "sample": truth.firing_sample})}
    if fs_hz is not None:
        for df in tables.values():
            for col in [c for c in df.columns if c == "sample" or c.endswith("_sample")]:
                seconds = df[col].to_numpy(dtype=float) / fs_hz
                seconds[df[col].to_numpy() == -1] = np.nan
                df["time_s" if col == "sample" else col[:-len("sample")] + "s"] = seconds
    return tables


# ---- result tables in the store (docs/FORMAT.md, "Tables") --------------------------------------

#: where each column type lives in a derived-item dict (_core.io.read_derived / write_derived)
_TABLE_MAPS = ("arrays", "int_arrays", "bool_arrays", "text_arrays")


def _split_item(item: str) -> tuple[str, str]:
    group, _, name = str(item).partition("/")
    if group not in ("derived", "metrics") or not name:
        raise ValueError(f"write_table: item={item!r} must be \"derived/<name>\" or \"metrics/<name>\"")
    return group, name


def read_table(path, item: str):
    """A result table stored in a CrampLab file as a pandas DataFrame.

    Parameters
    ----------
    path : str or os.PathLike
        A CrampLab HDF5 file.
    item : str
        The table item, ``"derived/<name>"`` or ``"metrics/<name>"`` (``read_header(path)["derived"]``
        lists the items), e.g. ``"derived/cramp/trains"``.

    Returns
    -------
    pandas.DataFrame
        One column per stored column, in the stored order, with dtypes float64, int64, bool and
        object (str). A table with no rows has its columns and dtypes. ``df.attrs`` holds the
        provenance: ``parameters`` (dict of str), ``library_version``, ``input_sha256``.

    Raises
    ------
    cramplab.FormatError
        If the item is not a table (no ``columns`` attribute) or the table is damaged (a column
        missing, of the wrong type or length); the message names the file and the item.
    ValueError
        If the item does not exist (the message lists the items present).

    Examples
    --------
    >>> import os, tempfile, numpy as np, pandas as pd, cramplab
    >>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
    >>> _ = cramplab.write(path, cramplab.Recording(np.zeros((1, 100)), fs_hz=100.0))
    >>> df = pd.DataFrame({"train_id": [1, 2], "frequency_hz": [10.0, 12.0],
    ...                    "cramp": [False, True], "status": ["ok", "cut"]})
    >>> cramplab.io.write_table(path, df, item="derived/cramp/trains", parameters={"cramp.min_duration_s": 1})
    >>> back = cramplab.io.read_table(path, "derived/cramp/trains")
    >>> back.values.tolist(), back.attrs["parameters"]
    ([[1, 10.0, False, 'ok'], [2, 12.0, True, 'cut']], {'cramp.min_duration_s': '1'})
    """
    import pandas as pd

    # the C++ reader checks the table rules: a table item, every listed column a 1-D dataset of the
    # declared type and of one length, bool cells 0 or 1 (FormatError naming the file and item)
    d = _core.io._read_table_item(path, item)
    columns = {}
    for name in d["columns"]:
        kind = next(k for k in _TABLE_MAPS if name in d[k])
        columns[name] = pd.Series(d[kind][name], dtype=object if kind == "text_arrays" else None)
    df = pd.DataFrame(columns)
    df.attrs.update(parameters=dict(d["parameters"]), library_version=d["library_version"],
                    input_sha256=d["input_sha256"])
    return df


def write_table(path, table, *, item: str, parameters: dict | None = None, input_sha256: str = "") -> None:
    """Store a table in an existing CrampLab file as one table item (atomically; replaces an item
    of the same path).

    Parameters
    ----------
    path : str or os.PathLike
        An existing CrampLab HDF5 file.
    table : pandas.DataFrame or dict of str to array_like
        The columns in order. Float columns are stored as float64, integer columns as int64,
        bool columns as uint8 0/1, object/str columns as UTF-8 strings (every cell a str).
    item : str
        ``"derived/<name>"`` or ``"metrics/<name>"``.
    parameters : dict, optional
        Provenance: the parameters that produced the table, stored as ``param.<key>`` strings.
    input_sha256 : str, optional
        SHA-256 of the input samples (:func:`data_sha256`), or empty.

    Raises
    ------
    ValueError
        For a malformed item or table (unequal column lengths, a column of another dtype, a
        non-str text cell, a column name with ``/``).
    cramplab.FormatError, cramplab.IoError
        If the file is not a CrampLab file or cannot be written.

    Examples
    --------
    >>> import os, tempfile, numpy as np, cramplab
    >>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
    >>> _ = cramplab.write(path, cramplab.Recording(np.zeros((1, 100)), fs_hz=100.0))
    >>> cramplab.io.write_table(path, {"n": [3, 4], "ok": [True, False]}, item="metrics/summary")
    >>> cramplab.read_header(path)["derived"]
    ['metrics/summary']
    """
    group, name = _split_item(item)
    names = [str(c) for c in table.keys()]
    d = {"group": group, "name": name, "columns": names, "parameters": {str(k): str(v) for k, v in (parameters or {}).items()},
         "input_sha256": input_sha256, **{k: {} for k in _TABLE_MAPS}}
    for key in table.keys():
        col = str(key)
        values = np.asarray(table[key])
        if values.ndim != 1:
            raise ValueError(f"write_table: column {col!r} must be 1-D, found shape {values.shape}")
        kind = values.dtype.kind
        if kind == "b":
            d["bool_arrays"][col] = values
        elif kind in "iu":
            if kind == "u" and values.size and values.max() > np.iinfo(np.int64).max:
                raise ValueError(f"write_table: column {col!r} holds {values.max()}, beyond the int64 range "
                                 "of a stored integer column")
            d["int_arrays"][col] = values.astype(np.int64)
        elif kind == "f":
            d["arrays"][col] = values.astype(np.float64)
        elif kind in "OU":
            d["text_arrays"][col] = list(values)
        else:
            raise ValueError(f"write_table: column {col!r} has dtype {values.dtype}; "
                             "use float, int, bool or str columns")
    _core.io.write_derived(path, d)
