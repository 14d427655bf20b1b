"""EMG onset/offset detection and its evaluation against ground truth (SCIENCE.md §5).

Every detector of the C++ library (``cramplab._core.onsets``) behind one call,
:func:`detect_onsets`, with the same preprocessing (zero-phase band-pass), the same rest window
(given, or the quietest window of the signal), the same post-processing (merge short gaps, drop
short events, minimum rest) and one result shape (:class:`Onsets`: events, per-channel thresholds
and evidence, the test function). :func:`evaluate_onsets` matches detected events against true
ones (precision, recall, F1 within a tolerance; onset / offset bias, MAE, RMSE, Bland-Altman
limits; misclassified samples).

Parameters have one name on every surface: the method's fields are plain keywords
(``detect_onsets(x, fs_hz=2000, method="bonato", pfa=0.01)``), the shared sections take a prefix
(``baseline_length_s=2``, ``post_merge_gap_s=0.1``; the preprocessing fields ``bandpass``,
``low_hz``, ``high_hz``, ``order`` are plain), and ``params={"bonato.pfa": 0.01}`` takes the dotted
names of the CLI options (``cramplab onsets --bonato.pfa 0.01``). :func:`onset_parameters` lists
them all with units, defaults and rules.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._params import field_text

_on = _core.onsets

__all__ = ["OnsetEvaluation", "Onsets", "detect_onsets", "evaluate_onsets", "onset_methods", "onset_parameters"]

_PARAM_COLUMNS = ["key", "value", "unit", "default", "range", "help"]
_ROWS = _on.parameters()
_SHARED_PREFIXES = {"baseline_": "baseline", "post_": "post"}


def _fields(section: str) -> list[str]:
    prefix = section + "."
    return [r[0][len(prefix):] for r in _ROWS if r[0].startswith(prefix)]


def onset_methods() -> list[str]:
    """The detector names accepted by ``method``.

    Returns
    -------
    list of str
        ``hodges_bui``, ``bonato``, ``tkeo``, ``lidierth``, ``abbink``, ``silva``, ``londral``,
        ``aglr``, ``sampen``, ``changepoint``.

    Examples
    --------
    >>> import cramplab
    >>> "bonato" in cramplab.onset_methods()
    True
    """
    return list(_on.method_names())


def onset_parameters(method: str | None = None) -> pd.DataFrame:
    """Every onset-detection parameter with its value, unit, default, rule and help.

    Parameters
    ----------
    method : str, optional
        Only the shared sections (``onsets``, ``baseline``, ``post``) and this method's section.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (dotted name), ``value``, ``unit``, ``default``, ``range``, ``help``.

    Examples
    --------
    >>> import cramplab
    >>> t = cramplab.onset_parameters("hodges_bui")
    >>> t.set_index("key").loc["hodges_bui.h", "default"]
    '3'
    """
    table = pd.DataFrame([tuple(r) for r in _ROWS], columns=_PARAM_COLUMNS)
    if method is None:
        return table
    if method not in onset_methods():
        raise ValueError(f"onset_parameters: method={method!r} is not a detector ({', '.join(onset_methods())})")
    keep = table["key"].str.split(".").str[0].isin(["onsets", "baseline", "post", method])
    return table[keep].reset_index(drop=True)


def _flatten(method: str, kwargs: Mapping[str, Any], params: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {"onsets.method": method}
    for key, value in (params or {}).items():
        if not isinstance(key, str) or "." not in key:
            raise ValueError(f"detect_onsets: params key {key!r} must be 'section.field' (e.g. 'hodges_bui.h')")
        out[key] = field_text("detect_onsets", key, value)
    own = set(_fields(method))
    pre = set(_fields("onsets")) - {"method"}
    shared = {prefix: set(_fields(section)) for prefix, section in _SHARED_PREFIXES.items()}
    for kw, value in kwargs.items():
        if kw in own:
            key = f"{method}.{kw}"
        elif kw in pre:
            key = f"onsets.{kw}"
        else:
            key = next((f"{_SHARED_PREFIXES[p]}.{kw[len(p):]}" for p, names in shared.items()
                        if kw.startswith(p) and kw[len(p):] in names), None)
            if key is None:
                valid = sorted(own | pre | {p + n for p, ns in shared.items() for n in ns})
                raise TypeError(f"detect_onsets() got an unexpected keyword argument {kw!r} for method {method!r} "
                                f"(parameters: {', '.join(valid)})")
        out[key] = field_text("detect_onsets", key, value)
    return out


@dataclass(frozen=True, repr=False)
class Onsets:
    """Onsets and offsets of every channel, with the evidence behind them.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per event: ``channel``, ``channel_name``, ``method``, ``event``, ``onset_sample``,
        ``offset_sample`` (exclusive end), ``onset_s``, ``offset_s``, ``duration_s``, ``score``
        (mean test function over the event / on-threshold), ``onset_censored``, ``offset_censored``.
    channels : pandas.DataFrame
        One row per channel: ``status`` (ok, no_activity, baseline_not_quiet, flat, non_finite),
        ``message``, ``n_events``, ``threshold``, ``threshold_off``, the rest window used
        (``baseline_start_s``, ``baseline_end_s``, ``baseline_automatic``), ``baseline_mean`` and
        ``baseline_sd`` of the test function (for ``sampen``: of the window SampEn values the threshold
        comes from) and ``baseline_rms`` of the preprocessed signal.
    test_function : numpy.ndarray
        The detector's test function per sample (1-D for 1-D input, else channels x samples), in
        the units of ``threshold``; NaN where undefined.
    fs_hz : float
    method : str
    """

    events: pd.DataFrame
    channels: pd.DataFrame
    test_function: np.ndarray
    fs_hz: float
    method: str

    @property
    def threshold(self):
        """The on-threshold (a float for one channel, else an array per channel)."""
        v = self.channels["threshold"].to_numpy()
        return float(v[0]) if len(v) == 1 else v

    @property
    def status(self):
        """The status ("ok" or the reason nothing was detected): a str for one channel, else a list."""
        v = list(self.channels["status"])
        return v[0] if len(v) == 1 else v

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        return f"Onsets(method={self.method!r}, n_channels={len(self.channels)}, n_events={len(self.events)})"


def _signal(x, fs_hz, channel_names):
    if isinstance(x, (str, os.PathLike)):
        from .io import read

        x = read(x)
    if isinstance(x, _core.core.Recording):
        if fs_hz is not None and float(fs_hz) != float(x.fs_hz):
            raise ValueError(f"detect_onsets: fs_hz={fs_hz} differs from the recording's {x.fs_hz} Hz (leave it out)")
        return x.data, float(x.fs_hz), list(channel_names or x.channel_names)
    if fs_hz is None:
        raise TypeError("detect_onsets() needs fs_hz for an array signal")
    return x, float(fs_hz), list(channel_names or [])


def detect_onsets(x, *, fs_hz: float | None = None, method: str = "hodges_bui", baseline: tuple[float, float] | None = None,
                  params: Mapping[str, Any] | None = None, channel_names=None, **kwargs) -> Onsets:
    """Detect EMG onsets and offsets with one of the published detectors.

    The signal is band-passed (zero phase, ``low_hz``-``high_hz``), the rest window is the given
    ``baseline`` or the quietest ``baseline_length_s`` window, the chosen detector compares its
    test function with thresholds from that window, and the active spans are post-processed
    (gaps shorter than ``post_merge_gap_s`` closed, events shorter than ``post_min_active_s``
    dropped, events closer than ``post_min_rest_s`` joined).

    Parameters
    ----------
    x : array_like, cramplab.Recording or path
        1-D (samples) or 2-D (channels x samples) signal; a Recording (or a file path) gives its
        sampling rate and channel names.
    fs_hz : float
        Sampling rate (required for arrays, at least 100 Hz).
    method : str, default "hodges_bui"
        One of :func:`onset_methods`.
    baseline : (float, float), optional
        The rest window ``(start_s, end_s)`` in seconds from the first sample; default the
        quietest window (``baseline_length_s``, searched in steps of ``baseline_step_s``).
    params : dict, optional
        Parameters by dotted name (``{"hodges_bui.h": 2.5, "post.min_active_s": 0.1}``).
    channel_names : list of str, optional
        Names for the ``channel_name`` column (default ``ch0``, ``ch1``, ...).
    **kwargs
        The method's parameters by field name (see :func:`onset_parameters`), the preprocessing
        fields (``bandpass``, ``low_hz``, ``high_hz``, ``order``) and the ``baseline_*`` /
        ``post_*`` fields.

    Returns
    -------
    Onsets
        Events, per-channel thresholds and evidence, and the test function.

    Raises
    ------
    ValueError
        A parameter outside its rule (the message names the dotted parameter, the value and the
        rule), an unknown method, fs_hz below 100 Hz, a rest window that does not fit.
    TypeError
        An unknown keyword (the message lists the valid ones).

    See Also
    --------
    evaluate_onsets : accuracy against ground truth.

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(scale=1e-6, size=8000)
    >>> x[4000:6000] += rng.normal(scale=2e-5, size=2000)  # a burst from 2 s to 3 s
    >>> res = cramplab.detect_onsets(x, fs_hz=2000, baseline=(0.0, 1.5))
    >>> res.events[["onset_s", "offset_s"]].round(1).values.tolist()
    [[2.0, 3.0]]
    """
    data, fs, names = _signal(x, fs_hz, channel_names)
    if method not in onset_methods():
        raise ValueError(f"detect_onsets: method={method!r} is not a detector ({', '.join(onset_methods())})")
    if baseline is not None:
        try:
            start_s, end_s = baseline
        except (TypeError, ValueError):
            raise ValueError(f"detect_onsets: baseline={baseline!r} must be a (start_s, end_s) pair") from None
        kwargs = {**kwargs, "baseline_start_s": float(start_s), "baseline_end_s": float(end_s)}
    flat = _flatten(method, kwargs, params)
    out = _on.detect_onsets(data, fs, flat, names)
    rows = out["test_function"]  # one array per channel, owned by the library (no copy)
    tf = rows[0] if out["one_d"] else np.stack(rows)
    return Onsets(events=pd.DataFrame(dict(out["events"])), channels=pd.DataFrame(dict(out["channels"])),
                  test_function=tf, fs_hz=fs, method=method)


@dataclass(frozen=True, repr=False)
class OnsetEvaluation:
    """Accuracy of detected events against ground truth.

    Attributes
    ----------
    summary : pandas.Series
        ``n_true``, ``n_detected``, ``true_positives``, ``false_positives``, ``false_negatives``,
        ``precision``, ``recall``, ``f1``; onset and offset ``*_bias_s``, ``*_sd_s``, ``*_mae_s``,
        ``*_rmse_s``, ``*_median_abs_s``, ``*_loa_low_s`` / ``*_loa_high_s`` (Bland-Altman,
        bias +- 1.96 SD); ``misclassified_fraction`` (NaN without n_samples).
    pairs : pandas.DataFrame
        The matched pairs: ``true_index``, ``detected_index``, ``onset_error_s``,
        ``offset_error_s`` (detected - true; the Bland-Altman data).
    """

    summary: pd.Series
    pairs: pd.DataFrame

    def __getattr__(self, name: str):
        summary = object.__getattribute__(self, "summary")
        if name in summary.index:
            return summary[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        s = self.summary
        return (f"OnsetEvaluation(f1={s['f1']:.3f}, precision={s['precision']:.3f}, recall={s['recall']:.3f}, "
                f"onset_median_abs_s={s['onset_median_abs_s']:.4f})")


def _events(obj, fs_hz: float, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(onset_sample, offset_sample) arrays from an Onsets, a DataFrame / dict with sample or
    second columns, or a (k, 2) array of samples."""
    if isinstance(obj, Onsets):
        obj = obj.events
    if isinstance(obj, (pd.DataFrame, Mapping)):
        cols = obj.columns if isinstance(obj, pd.DataFrame) else obj.keys()
        if "onset_sample" in cols and "offset_sample" in cols:
            return (np.asarray(obj["onset_sample"], dtype=np.int64), np.asarray(obj["offset_sample"], dtype=np.int64))
        if "onset_s" in cols and "offset_s" in cols:
            on = np.rint(np.asarray(obj["onset_s"], dtype=float) * fs_hz).astype(np.int64)
            off = np.rint(np.asarray(obj["offset_s"], dtype=float) * fs_hz).astype(np.int64)
            return on, off
        raise ValueError(f"evaluate_onsets: {what} needs onset_sample/offset_sample or onset_s/offset_s columns "
                         f"(has {list(cols)})")
    if hasattr(obj, "bursts"):  # the truth of cramplab.simulate.bursts
        return _events(obj.bursts, fs_hz, what)
    a = np.asarray(obj)
    if a.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"evaluate_onsets: {what} must be a (k, 2) array of [onset, offset) samples, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"evaluate_onsets: {what} as an array must hold integer samples (use onset_s/offset_s columns "
                         "for times)")
    return a[:, 0].astype(np.int64), a[:, 1].astype(np.int64)


def evaluate_onsets(detected, truth, *, fs_hz: float, tolerance_s: float = 0.05, n_samples: int | None = None,
                    channel=None) -> OnsetEvaluation:
    """Match detected onsets against ground truth and measure detection and timing accuracy.

    A detected and a true event match when their onsets are within ``tolerance_s``; matching is
    one-to-one, closest pairs first (SCIENCE.md §5.10).

    Parameters
    ----------
    detected : Onsets, DataFrame, dict or (k, 2) int array
        Detected events: an :class:`Onsets` result, a table with ``onset_sample`` /
        ``offset_sample`` (or ``onset_s`` / ``offset_s``) columns, or [onset, offset) samples.
    truth : DataFrame, dict, simulated truth or (k, 2) int array
        The reference events, in the same forms (``cramplab.simulate.bursts``' truth works as is).
    fs_hz : float
        Sampling rate.
    tolerance_s : float, default 0.05
        Largest onset difference of a match (``evaluate.tolerance_s``).
    n_samples : int, optional
        Signal length, for the fraction of misclassified samples.
    channel : int or str, optional
        Keep only this channel's rows of ``detected`` and ``truth`` when they have a ``channel``
        (index) or ``channel_name`` column.

    Returns
    -------
    OnsetEvaluation
        ``summary`` (precision, recall, f1, errors ...) and the matched ``pairs``.

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> truth = np.array([[1000, 3000], [6000, 7000]])
    >>> found = np.array([[1020, 2990], [4000, 4100], [6010, 7050]])
    >>> ev = cramplab.evaluate_onsets(found, truth, fs_hz=2000)
    >>> round(float(ev.f1), 3), round(float(ev.onset_bias_s), 4)
    (0.8, 0.0075)
    """
    def pick(obj, what):
        if channel is None:
            return obj
        if isinstance(obj, Onsets):
            obj = obj.events
        if hasattr(obj, "bursts") and not isinstance(obj, (pd.DataFrame, Mapping)):
            obj = obj.bursts
        if isinstance(obj, (pd.DataFrame, Mapping)):
            frame = pd.DataFrame(dict(obj)) if isinstance(obj, Mapping) else obj
            col = "channel_name" if isinstance(channel, str) and "channel_name" in frame else "channel"
            if col not in frame:
                raise ValueError(f"evaluate_onsets: channel={channel!r} given but {what} has no {col} column")
            return frame[frame[col] == channel]
        raise ValueError(f"evaluate_onsets: channel={channel!r} needs {what} as a table with a channel column")

    d_on, d_off = _events(pick(detected, "detected"), float(fs_hz), "detected")
    t_on, t_off = _events(pick(truth, "truth"), float(fs_hz), "truth")
    params = {"evaluate.tolerance_s": field_text("evaluate_onsets", "tolerance_s", tolerance_s)}
    out = _on.evaluate_onsets(d_on, d_off, t_on, t_off, float(fs_hz), params, int(n_samples or 0))
    summary = pd.DataFrame(dict(out["summary"])).drop(columns=["label"]).iloc[0]
    return OnsetEvaluation(summary=summary, pairs=pd.DataFrame(dict(out["pairs"])))
