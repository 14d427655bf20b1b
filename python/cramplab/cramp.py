"""Stimulation and cramp analysis: pulses, trains, artefact suppression, M-waves, cramp decisions, CTF.

Two levels, both thin layers over the C++ library (``cramplab._core.stim`` / ``_core.detect``):

* kernels on numpy arrays — :func:`detect_pulses`, :func:`group_trains`, :func:`suppress_artifacts`,
  :func:`suppression_intervals`, :func:`measure_mwaves`, :func:`mwave_trends`, :func:`detect_cramps`,
  :func:`cramp_threshold_frequency`;
* the session analysis of a recording — :func:`analyse_stimulation` (``cramplab stim``) and
  :func:`analyse_session` (``cramplab cramp``) — returning a result object whose DataFrames have
  exactly the columns of the CLI's TSV / JSON tables and of the store's ``/derived`` groups.

Every parameter has one name on every surface: the kernels take the fields of their C++ params
struct as keywords (``detect_pulses(x, fs_hz=2000, threshold_mad=15)``); the session functions
take ``params={"pulses.threshold_mad": 15, "cramp.k_on": 3.5}`` with the dotted names of the CLI
options and the ``study.ini`` keys. Defaults are never repeated here: a parameter that is not
given keeps the C++ default, and :func:`cramp_parameters` lists every name with its default, unit,
range and meaning. The methods are those of SCIENCE.md §1.6-1.7 and §4.

Examples
--------
>>> import cramplab, cramplab.simulate as sim
>>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
...                             session={"post_s": 10})
>>> result = cramplab.analyse_session(rec)
>>> result.cramps.frequency_hz.tolist(), result.cramps.cramp.tolist()
([6.0, 8.0, 10.0], [False, False, True])
>>> result.ctf_hz, result.censored
(10.0, False)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._params import field_text

_stim = _core.stim
_detect = _core.detect

__all__ = [
    "SessionAnalysis",
    "StimAnalysis",
    "analyse_session",
    "analyse_stimulation",
    "cramp_parameters",
    "cramp_threshold_frequency",
    "detect_cramps",
    "detect_pulses",
    "group_trains",
    "measure_mwaves",
    "mwave_trends",
    "suppress_artifacts",
    "suppression_intervals",
]

_PARAM_COLUMNS = ["key", "value", "unit", "default", "range", "help"]
_ROWS = _detect.parameters()


def _section_fields(section: str) -> list[str]:
    prefix = section + "."
    return [r[0][len(prefix):] for r in _ROWS if r[0].startswith(prefix)]


def _keywords(function: str, kwargs: Mapping[str, Any], sections: Mapping[str, str]) -> dict[str, str]:
    """Map keyword arguments to dotted keys. ``sections`` maps a keyword prefix ("" or "suppress_")
    to the C++ section it addresses; unknown keywords raise TypeError listing the valid ones."""
    names = {prefix: set(_section_fields(section)) for prefix, section in sections.items()}
    out: dict[str, str] = {}
    for kw, value in kwargs.items():
        for prefix, section in sections.items():
            if kw.startswith(prefix) and kw[len(prefix):] in names[prefix]:
                key = f"{section}.{kw[len(prefix):]}"
                out[key] = field_text(function, key, value)
                break
        else:
            valid = sorted(prefix + n for prefix, ns in names.items() for n in ns)
            raise TypeError(f"{function}() got an unexpected keyword argument {kw!r} (parameters: {', '.join(valid)})")
    return out


def _dotted(function: str, params: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if not isinstance(key, str) or "." not in key:
            raise ValueError(f"{function}: params key {key!r} must be 'section.field' (e.g. 'cramp.k_on')")
        out[key] = field_text(function, key, value)
    return out


def _frame(columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({k: columns[k] for k in columns})


def _param_doc(section: str, prefix: str = "") -> str:
    lines = []
    for key, _value, unit, default, rng, help_ in _ROWS:
        if not key.startswith(section + "."):
            continue
        name = prefix + key[len(section) + 1:]
        if default in ("true", "false"):
            kind = "bool"
        elif "|" in rng:
            kind = "{" + ", ".join(repr(c) for c in rng.split("|")) + "}"
        else:
            kind = "float" + (f" [{unit}]" if unit else "")
        lines.append(f"{name} : {kind}, default {default or repr('')}")
        lines.append(f"    {help_}" + (f" (range {rng})" if rng and "|" not in rng else "") + ".")
    return "\n".join(lines)


def _document(func, **sections: tuple[str, str]):
    """Replace the line ``<<name>>`` of func's docstring by the generated entries of a section."""
    if func.__doc__:
        doc = func.__doc__
        for marker, (section, prefix) in sections.items():
            block = _param_doc(section, prefix)
            indent = "    "
            doc = doc.replace(f"{indent}<<{marker}>>", "\n".join(indent + line for line in block.splitlines()))
        func.__doc__ = doc
    return func


# ---- kernels ----------------------------------------------------------------------------------


def detect_pulses(x, *, fs_hz: float, source: str | None = None, **params) -> np.ndarray:
    """Stimulation pulse samples from the EMG artefacts or from a trigger channel (SCIENCE.md §4.1).

    Parameters
    ----------
    x : array_like [shape=(n_samples,)]
        One unfiltered channel (EMG for ``source="emg"``, a sync / TTL channel for ``"trigger"``).
    fs_hz : float
        Sampling rate in Hz (>= 500 Hz for ``source="emg"``).
    source : {"emg", "trigger"}, optional
        Where to look; None keeps the C++ default (``"emg"``).
    <<pulses>>

    Returns
    -------
    numpy.ndarray [shape=(n_pulses,), dtype=int64]
        Increasing pulse samples (artefact onsets); empty when there is no stimulation.

    Raises
    ------
    ValueError
        A parameter out of range, fs_hz too low to resolve pulses, NaN/Inf samples; the message
        names the parameter and its rule.
    TypeError
        An unknown keyword.

    See Also
    --------
    group_trains, analyse_stimulation

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.random.default_rng(1).normal(scale=1e-5, size=4000)
    >>> x[[500, 1000, 1500]] += 3e-3
    >>> cramplab.detect_pulses(x, fs_hz=2000.0).tolist()
    [500, 1000, 1500]
    """
    return _stim.detect_pulses(x, float(fs_hz), source, _keywords("detect_pulses", params, {"": "pulses"}))


def group_trains(pulses, *, fs_hz: float, n_samples: int, nominal_ladder_hz: Iterable[float] | None = None,
                 **params) -> pd.DataFrame:
    """Group pulses into trains with frequency, count, start/end and protocol checks (SCIENCE.md §4.1).

    Parameters
    ----------
    pulses : array_like of int
        Increasing pulse samples in ``[0, n_samples)`` (e.g. from :func:`detect_pulses`).
    fs_hz : float
        Sampling rate in Hz.
    n_samples : int
        Length of the recording (for the cut-at-the-edge checks).
    nominal_ladder_hz : sequence of float, optional
        The protocol's frequency of each delivered train; trains are matched to it in time order
        (skipped entries come back as "not detected" trains with start_sample = -1).
    <<trains>>

    Returns
    -------
    pandas.DataFrame
        One row per train with the columns of the C++ trains table (``train_id``,
        ``start_sample``, ``end_sample``, ``start_s``, ``end_s``, ``n_pulses``, ``frequency_hz``,
        ``nominal_frequency_hz``, ``nominal_train_id``, ``n_missing``, ``n_extra``, ``n_irregular``,
        ``cut_at_start``, ``cut_at_end``, ``missing_samples``, ``extra_samples``, ``source``,
        ``channel``, ``status``) and ``pulses``; ``pulses``, ``missing_samples`` and
        ``extra_samples`` are object columns of int64 arrays.

    Raises
    ------
    ValueError
        Bad parameters, pulses out of order or out of range.

    See Also
    --------
    detect_pulses, detect_cramps

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> pulses = np.r_[1000 + np.arange(10) * 200, 6000 + np.arange(12) * 100]
    >>> trains = cramplab.group_trains(pulses, fs_hz=2000.0, n_samples=10000)
    >>> trains.n_pulses.tolist(), trains.frequency_hz.tolist(), trains.status.tolist()
    ([10, 12], [10.0, 20.0], ['ok', 'ok'])
    """
    ladder = None if nominal_ladder_hz is None else [float(f) for f in nominal_ladder_hz]
    cols = _stim.group_trains(pulses, float(fs_hz), int(n_samples), _keywords("group_trains", params, {"": "trains"}),
                              ladder)
    return _frame(cols)


def suppress_artifacts(x, *, fs_hz: float, pulses, train_ids=None, **params) -> tuple[np.ndarray, np.ndarray]:
    """Suppress the stimulation artefact of every pulse (SCIENCE.md §4.2); run it before any filter.

    Parameters
    ----------
    x : array_like [shape=(n_samples,) or (n_channels, n_samples)]
        Unfiltered signal; float64 C-contiguous input is read in place and never modified.
    fs_hz : float
        Sampling rate in Hz.
    pulses : array_like of int
        Strictly increasing pulse samples.
    train_ids : array_like of int, optional
        Train of each pulse (templates never mix trains); None = one train.
    <<suppress>>

    Returns
    -------
    y : numpy.ndarray
        The suppressed signal, same shape as ``x``.
    intervals : numpy.ndarray [shape=(n_pulses, 2), dtype=int64]
        The replaced span ``[start_sample, end_sample)`` of each pulse.

    Raises
    ------
    ValueError
        Bad parameters, NaN/Inf samples, pulses out of order or range, train_ids of the wrong size.

    See Also
    --------
    suppression_intervals, measure_mwaves

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.zeros(100); x[40:46] = 1.0
    >>> y, intervals = cramplab.suppress_artifacts(x, fs_hz=1000.0, pulses=[40], blank_s=0.01)
    >>> intervals.tolist(), float(abs(y).max())
    ([[40, 50]], 0.0)
    """
    y, intervals = _stim.suppress_artifacts(x, float(fs_hz), pulses,
                                            _keywords("suppress_artifacts", params, {"": "suppress"}), train_ids)
    return y, intervals


def suppression_intervals(n_samples: int, *, fs_hz: float, pulses, **params) -> np.ndarray:
    """The spans :func:`suppress_artifacts` replaces, from the signal length alone.

    Parameters
    ----------
    n_samples : int
        Signal length.
    fs_hz : float
        Sampling rate in Hz.
    pulses : array_like of int
        Strictly increasing pulse samples.
    **params
        The :func:`suppress_artifacts` parameters (``pre_s``, ``blank_s``, ...).

    Returns
    -------
    numpy.ndarray [shape=(n_pulses, 2), dtype=int64]
        ``[start_sample, end_sample)`` of each pulse.

    Examples
    --------
    >>> import cramplab
    >>> cramplab.suppression_intervals(1000, fs_hz=1000.0, pulses=[100, 200], blank_s=0.005).tolist()
    [[100, 105], [200, 205]]
    """
    return _stim.suppression_intervals(int(n_samples), float(fs_hz), pulses,
                                       _keywords("suppression_intervals", params, {"": "suppress"}), "suppress")


def measure_mwaves(x, *, fs_hz: float, pulses, train_ids=None, **params) -> pd.DataFrame:
    """M-wave latency, peak-to-peak, area and duration of every pulse (SCIENCE.md §4.3).

    Parameters
    ----------
    x : array_like [shape=(n_samples,) or (n_channels, n_samples)]
        Artefact-suppressed signal (e.g. from :func:`suppress_artifacts` with blanking).
    fs_hz : float
        Sampling rate in Hz.
    pulses : array_like of int
        Strictly increasing pulse samples.
    train_ids : array_like of int, optional
        Train of each pulse (the baseline statistics are per train); None = one train.
    <<mwave>>

    Returns
    -------
    pandas.DataFrame
        One row per pulse and channel (channel-major) with the columns of the C++ M-wave table;
        ``channel`` is the channel index here (the session analysis gives its name).

    Raises
    ------
    ValueError
        Bad parameters, NaN/Inf samples, bad pulses or train_ids.

    See Also
    --------
    mwave_trends, suppress_artifacts

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.zeros(4000); x[1000:1020] = np.sin(np.linspace(0, 2 * np.pi, 20))
    >>> m = cramplab.measure_mwaves(x + 1e-9 * np.arange(4000) % 2, fs_hz=2000.0, pulses=[992])
    >>> bool(m.found[0]), round(float(m.peak_to_peak[0]), 2)
    (True, 1.99)
    """
    cols = _stim.measure_mwaves(x, float(fs_hz), pulses, _keywords("measure_mwaves", params, {"": "mwave"}), train_ids)
    return _frame(cols)


def mwave_trends(mwaves) -> pd.DataFrame:
    """Trend of the M-wave along each train and across trains (a peripheral-fatigue marker).

    Parameters
    ----------
    mwaves : pandas.DataFrame
        The table of :func:`measure_mwaves` (or ``SessionAnalysis.mwaves`` with channel indices).

    Returns
    -------
    pandas.DataFrame
        The columns of the C++ M-wave trend table: one ``scope="train"`` row per channel and
        train, then per channel the ``across_trains_first`` / ``across_trains_mean`` rows
        (``train_id`` -1); ``channel`` is the channel index.

    Raises
    ------
    ValueError
        Missing columns or columns of different lengths.

    See Also
    --------
    measure_mwaves

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.zeros(6000)
    >>> pulses = np.arange(10) * 500 + 200
    >>> for k, p in enumerate(pulses):
    ...     x[p + 8:p + 28] = (1.0 - 0.05 * k) * np.sin(np.linspace(0, 2 * np.pi, 20))
    >>> t = cramplab.mwave_trends(cramplab.measure_mwaves(x, fs_hz=2000.0, pulses=pulses))
    >>> t.loc[0, "scope"], round(float(t.loc[0, "last_first_ratio"]), 2)
    ('train', 0.55)
    """
    need = ["channel", "train_id", "pulse_in_train", "pulse_sample", "found", "latency_s", "peak_latency_s",
            "peak_to_peak", "area", "duration_s"]
    missing = [c for c in need if c not in mwaves]
    if missing:
        raise ValueError(f"mwave_trends: mwaves lacks the columns {missing} (pass the measure_mwaves table)")
    cols = {c: np.asarray(mwaves[c]) for c in need}
    if cols["channel"].dtype.kind not in "iu":  # channel names (session table): index them in order
        _, cols["channel"] = np.unique(cols["channel"], return_inverse=True)
    cols["channel"] = cols["channel"].astype(np.int64)
    for c in ("latency_s", "peak_latency_s", "peak_to_peak", "area", "duration_s"):
        cols[c] = cols[c].astype(float).tolist()
    return _frame(_stim.mwave_trends(cols))


def _trains_arg(trains) -> list[dict]:
    if isinstance(trains, pd.DataFrame):
        return trains.to_dict("records")
    if isinstance(trains, Mapping):  # a dict of columns
        return pd.DataFrame(trains).to_dict("records")
    return [dict(t) if isinstance(t, Mapping) else {"start_sample": t} for t in trains]


def detect_cramps(x, *, fs_hz: float, trains, channel: int = 0, suppression: Mapping[str, Any] | None = None,
                  channel_name: str = "", **params) -> pd.DataFrame:
    """Cramp decision per stimulation train with its measures and evidence (SCIENCE.md §1.6).

    The channel is suppressed (``suppress_*``), band-passed (zero-phase Butterworth) and turned
    into a centred moving-RMS envelope that leaves the suppressed spans out; a cramp is an
    envelope above ``threshold_on`` (from the pre-train baseline) within ``onset_within_s`` of
    the last pulse that stays above ``threshold_off`` (gaps up to ``max_gap_s``) for at least
    ``min_duration_s``.

    Parameters
    ----------
    x : array_like [shape=(n_samples,) or (n_channels, n_samples)]
        The raw recording (suppression and filtering are done here); NaN/Inf samples allowed
        (a train that sees them gets status non_finite).
    fs_hz : float
        Sampling rate in Hz.
    trains : pandas.DataFrame or list of dict
        The trains, e.g. from :func:`group_trains` or ``SessionAnalysis.trains``: PulseTrain fields
        (``train_id``, ``start_sample``, ``end_sample``, ``pulses``, ``frequency_hz``,
        ``nominal_frequency_hz``, ``status``); other columns are ignored.
    channel : int
        Channel of ``x`` analysed (0 for 1-D input).
    suppression : dict, optional
        The artefact suppression of the decision by field name, ``{"blank_s": 0.02}``; the same
        as the ``suppress_<field>`` keywords.
    channel_name : str
        Written into the ``channel`` column.
    <<cramp>>
    <<cramp_suppress>>

    Returns
    -------
    pandas.DataFrame
        One row per train with the columns of the C++ cramps table (decision, onset / offset,
        measures, evidence: ``baseline_mean``, ``baseline_sd``, ``threshold_on``,
        ``threshold_off``, ``window_start_s``, ``window_end_s``, ``preprocessing``, ``status``,
        ``message``); no trains gives one ``no_stimulation`` row.

    Raises
    ------
    ValueError
        Bad parameters, a channel out of range, trains outside the signal.

    See Also
    --------
    cramp_threshold_frequency, analyse_session, cramplab.plot.train

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> cramplab.detect_cramps(np.zeros(4000), fs_hz=2000.0, trains=[]).status.tolist()
    ['no_stimulation']
    """
    kw = dict(params)
    for k, v in (suppression or {}).items():
        key = "suppress_" + k
        if key in kw:
            raise TypeError(f"detect_cramps() got {key} both as a keyword and in suppression=")
        kw[key] = v
    flat = _keywords("detect_cramps", kw, {"suppress_": "cramp_suppress", "": "cramp"})
    return _frame(_detect.detect_cramps(x, float(fs_hz), int(channel), _trains_arg(trains), flat, str(channel_name)))


def cramp_threshold_frequency(cramps, **params) -> dict:
    """The cramp threshold frequency of a session from its per-train decisions (SCIENCE.md §1.7).

    Parameters
    ----------
    cramps : pandas.DataFrame or dict of columns
        A cramps table (:func:`detect_cramps`, ``SessionAnalysis.cramps``); uses its
        ``train_id``, ``frequency_hz``, ``decided``, ``cramp`` and ``status`` columns.
    <<ctf>>

    Returns
    -------
    dict
        The one row of the C++ CTF table as {column: value}: ``determined``, ``ctf_hz`` (NaN when
        censored or undetermined), ``lower_hz`` (exclusive), ``upper_hz`` (inclusive, inf when
        censored), ``censored``, ``left_censored``, ``train_id``, counts,
        ``uncounted_train_ids`` (int64 array), ``status``, ``message``.

    Raises
    ------
    ValueError
        Bad parameters or a table without the needed columns.

    See Also
    --------
    detect_cramps, analyse_session

    Examples
    --------
    >>> import cramplab
    >>> cramps = {"train_id": [1, 2, 3], "frequency_hz": [4.0, 6.0, 8.0], "decided": [True] * 3,
    ...           "cramp": [False, True, True], "status": ["ok"] * 3}
    >>> ctf = cramplab.cramp_threshold_frequency(cramps)
    >>> ctf["ctf_hz"], ctf["lower_hz"], ctf["censored"]
    (6.0, 4.0, False)
    """
    df = cramps if isinstance(cramps, pd.DataFrame) else pd.DataFrame(dict(cramps))
    cols = {}
    for c in ("train_id", "frequency_hz", "decided", "cramp", "status"):
        if c not in df:
            raise ValueError(f"cramp_threshold_frequency: cramps must have the column {c!r} "
                             "(the detect_cramps table: train_id, frequency_hz, decided, cramp, status)")
    cols["train_id"] = np.asarray(df["train_id"], dtype=np.int64)
    cols["frequency_hz"] = np.asarray(df["frequency_hz"], dtype=float).tolist()
    cols["decided"] = [bool(v) for v in df["decided"]]
    cols["cramp"] = [bool(v) for v in df["cramp"]]
    cols["status"] = [str(v) for v in df["status"]]
    channel = ""
    if "channel" in df and df["channel"].nunique() == 1:
        channel = str(df["channel"].iloc[0])
    row = _detect.cramp_threshold_frequency(cols, _keywords("cramp_threshold_frequency", params, {"": "ctf"}), "",
                                            channel)
    return _row(row)


def _row(columns: Mapping[str, np.ndarray]) -> dict:
    out = {}
    for k, v in columns.items():
        x = v[0]
        out[k] = x.item() if isinstance(x, np.generic) else x
    return out


for _f, _secs in ((detect_pulses, {"pulses": ("pulses", "")}), (group_trains, {"trains": ("trains", "")}),
                  (suppress_artifacts, {"suppress": ("suppress", "")}), (measure_mwaves, {"mwave": ("mwave", "")}),
                  (detect_cramps, {"cramp": ("cramp", ""), "cramp_suppress": ("cramp_suppress", "suppress_")}),
                  (cramp_threshold_frequency, {"ctf": ("ctf", "")})):
    _document(_f, **_secs)
del _f, _secs


# ---- session analysis -------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class StimAnalysis:
    """The stimulation part of a session analysis (``cramplab stim``): one analysed channel.

    Attributes
    ----------
    pulses : pandas.DataFrame
        One row per pulse: ``pulse_index``, ``train_id``, ``pulse_in_train``, ``sample``,
        ``time_s``, ``suppressed_start_sample``, ``suppressed_end_sample``.
    trains : pandas.DataFrame
        One row per train: the columns of :func:`group_trains` (protocol checks, status, pulses).
    mwaves : pandas.DataFrame
        One row per pulse: latency, peak-to-peak, area, duration, status (empty when
        ``analysis.mwaves`` is false).
    mwave_trends : pandas.DataFrame
        One row per train plus the across-train trend rows.
    intervals : numpy.ndarray [shape=(n_pulses, 2), dtype=int64]
        The suppressed span of each pulse (``suppress.*``, the M-wave step).
    cramp_intervals : numpy.ndarray [shape=(n_pulses, 2), dtype=int64]
        The spans the cramp decision suppresses and leaves out of its envelope (``cramp_suppress.*``).
    parameters : pandas.DataFrame
        Every parameter as used: key, value, unit, default, range, help.
    channel : int
        Index of the analysed channel; ``channel_name`` its name.
    fs_hz : float
        Sampling rate.
    source : str
        Where the pulses came from: stored, trigger or emg.
    raw_pulses : numpy.ndarray
        The pulses found before grouping.
    signal : numpy.ndarray
        The analysed channel's samples (raw), for plots.
    """

    pulses: pd.DataFrame
    trains: pd.DataFrame
    mwaves: pd.DataFrame
    mwave_trends: pd.DataFrame
    intervals: np.ndarray
    cramp_intervals: np.ndarray
    parameters: pd.DataFrame
    channel: int
    channel_name: str
    fs_hz: float
    source: str
    raw_pulses: np.ndarray
    signal: np.ndarray = field(repr=False)

    def parameter(self, key: str) -> str:
        """The value (as text) of one parameter as used, e.g. ``"cramp.k_on"``.

        Parameters
        ----------
        key : str
            Dotted name.

        Returns
        -------
        str

        Raises
        ------
        KeyError
            For an unknown key.
        """
        hit = self.parameters.loc[self.parameters["key"] == key, "value"]
        if hit.empty:
            raise KeyError(key)
        return str(hit.iloc[0])

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(channel={self.channel_name!r}, source={self.source!r}, "
                f"n_trains={len(self.trains)}, n_pulses={len(self.pulses)})")


@dataclass(frozen=True, repr=False)
class SessionAnalysis(StimAnalysis):
    """A whole session analysis (``cramplab cramp``): the stimulation part plus decisions and CTF.

    Attributes
    ----------
    cramps : pandas.DataFrame
        One row per train: decision, onset / offset, measures and evidence (the columns of
        :func:`detect_cramps`).
    ctf : pandas.DataFrame
        One row: the CTF interval (``lower_hz``, ``upper_hz``], censoring, counts, status.
    """

    cramps: pd.DataFrame = None  # type: ignore[assignment]
    ctf: pd.DataFrame = None  # type: ignore[assignment]

    @property
    def ctf_hz(self) -> float:
        """The CTF in Hz (NaN when censored or undetermined)."""
        return float(self.ctf["ctf_hz"].iloc[0])

    @property
    def censored(self) -> bool:
        """True when no train (confirmed) a cramp: the CTF is right-censored."""
        return bool(self.ctf["censored"].iloc[0])

    @property
    def ctf_status(self) -> str:
        """The CTF status: ok, skipped_trains, uncounted_trains, no_stimulation, no_counted_trains."""
        return str(self.ctf["status"].iloc[0])

    def __repr__(self) -> str:
        return (f"SessionAnalysis(channel={self.channel_name!r}, source={self.source!r}, n_trains={len(self.trains)}, "
                f"ctf_hz={self.ctf_hz}, censored={self.censored}, status={self.ctf_status!r})")


def _recording(recording):
    if isinstance(recording, (str, os.PathLike)):
        from .io import read

        return read(recording)
    if not isinstance(recording, _core.core.Recording):
        raise TypeError(f"expected a cramplab.Recording or a path, got {type(recording).__name__}")
    return recording


def _session_params(function: str, recording, params, channel) -> dict[str, str]:
    flat = _dotted(function, params)
    if channel is not None:
        if isinstance(channel, (int, np.integer)) and not isinstance(channel, bool):
            names = recording.channel_names
            if not 0 <= int(channel) < len(names):
                raise ValueError(f"{function}: channel={int(channel)} must be in [0, {len(names)})")
            channel = names[int(channel)]
        flat["analysis.channel"] = str(channel)
    return flat


def _stim_fields(out: Mapping[str, Any], signal: np.ndarray) -> dict[str, Any]:
    return dict(
        pulses=_frame(out["pulses"]), trains=_frame(out["trains"]), mwaves=_frame(out["mwaves"]),
        mwave_trends=_frame(out["mwave_trends"]), intervals=out["intervals"], cramp_intervals=out["cramp_intervals"],
        parameters=pd.DataFrame(out["parameters"], columns=_PARAM_COLUMNS), channel=int(out["channel"]),
        channel_name=str(out["channel_name"]), fs_hz=float(out["fs_hz"]), source=str(out["source"]),
        raw_pulses=out["raw_pulses"], signal=signal)


def analyse_stimulation(recording, *, params: Mapping[str, Any] | None = None, channel=None) -> StimAnalysis:
    """Find the stimulation trains, suppress the artefacts and measure the M-waves of one channel.

    Parameters
    ----------
    recording : cramplab.Recording or path
        The session (a path is read with :func:`cramplab.read`).
    params : dict, optional
        Parameters by dotted name, e.g. ``{"find.source": "emg", "pulses.threshold_mad": 15}``;
        values are numbers, bools or strings; see :func:`cramp_parameters`.
    channel : int or str, optional
        The analysed channel (index or name); default ``analysis.channel`` (the first EMG channel).

    Returns
    -------
    StimAnalysis

    Raises
    ------
    ValueError
        An unknown parameter (the message names it and lists the sections), a bad value, an
        unknown channel.

    See Also
    --------
    analyse_session

    Examples
    --------
    >>> import cramplab, cramplab.simulate as sim
    >>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
    ...                             session={"post_s": 10})
    >>> s = cramplab.analyse_stimulation(rec, params={"find.source": "emg"})
    >>> s.source, s.trains.n_pulses.tolist()
    ('emg', [12, 16, 20])
    """
    rec = _recording(recording)
    out = _detect.analyse_stimulation(rec, _session_params("analyse_stimulation", rec, params, channel))
    return StimAnalysis(**_stim_fields(out, np.asarray(rec.data)[int(out["channel"])]))


def analyse_session(recording, *, params: Mapping[str, Any] | None = None, channel=None) -> SessionAnalysis:
    """The whole cramp analysis of a session: trains, suppression, M-waves, decisions, CTF.

    Parameters
    ----------
    recording : cramplab.Recording or path
        The session (a path is read with :func:`cramplab.read`).
    params : dict, optional
        Parameters by dotted name, e.g. ``{"cramp.k_on": 3.5, "ctf.confirm_repeats": 1}``; see
        :func:`cramp_parameters`.
    channel : int or str, optional
        The analysed channel (index or name); default the first EMG channel.

    Returns
    -------
    SessionAnalysis
        The stimulation tables plus ``cramps`` and ``ctf`` (and ``ctf_hz``, ``censored``).

    Raises
    ------
    ValueError
        An unknown parameter (the message names it), a bad value, an unknown channel.

    See Also
    --------
    analyse_stimulation, detect_cramps, cramp_threshold_frequency, cramplab.plot.train

    Examples
    --------
    >>> import cramplab, cramplab.simulate as sim
    >>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
    ...                             session={"post_s": 10})
    >>> r = cramplab.analyse_session(rec, params={"cramp.k_on": 3.5})
    >>> r.cramps.cramp.tolist(), r.ctf_hz, r.parameter("cramp.k_on")
    ([False, False, True], 10.0, '3.5')
    """
    rec = _recording(recording)
    out = _detect.analyse_session(rec, _session_params("analyse_session", rec, params, channel))
    return SessionAnalysis(**_stim_fields(out, np.asarray(rec.data)[int(out["channel"])]), cramps=_frame(out["cramps"]),
                           ctf=_frame(out["ctf"]))


def cramp_parameters() -> pd.DataFrame:
    """Every parameter of the stimulation / cramp analysis with its default, unit, range and meaning.

    The keys are the ``params`` names of :func:`analyse_session`, the CLI options of
    ``cramplab stim`` / ``cramplab cramp`` (``--cramp.k_on``) and the ``study.ini`` keys; the
    kernels take the part after the dot as keywords.

    Returns
    -------
    pandas.DataFrame
        Columns key (``section.field``), value (the C++ default as text), unit, default, range, help.

    Examples
    --------
    >>> import cramplab
    >>> p = cramplab.cramp_parameters().set_index("key")
    >>> p.loc["cramp.k_on", "value"], p.loc["cramp_suppress.blank_s", "value"]
    ('3', '0.025')
    """
    return pd.DataFrame(_detect.parameters(), columns=_PARAM_COLUMNS)
