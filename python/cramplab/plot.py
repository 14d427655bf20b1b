"""Figures for the cramp analysis (matplotlib, imported on first use).

:func:`train` shows one stimulation train of a :func:`cramplab.analyse_session` result the way
the decision saw it: the raw signal with the train's pulses and the spans the decision suppressed,
and below it the envelope as used by the decision (:func:`envelope`: ``cramp_suppress.*``
suppression, ``cramp.*`` zero-phase band-pass, centred moving RMS over ``cramp.window_s`` on the
``cramp.hop_s`` grid, suppressed / saturated / non-finite samples left out), with the baseline
window and level, the on / off thresholds and the post-train window from the cramps table's
evidence, the cramp onset / offset and the decision in the title. Every artist carries a ``gid``
(``"signal"``, ``"pulses"``, ``"suppressed"``, ``"envelope"``, ``"baseline"``, ``"threshold_on"``,
``"threshold_off"``, ``"baseline_window"``, ``"post_window"``, ``"onset"``, ``"offset"``,
``"decision"``) so that a script can find or restyle it.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import cramplab, cramplab.plot, cramplab.simulate as sim
>>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
...                             session={"post_s": 10})
>>> fig = cramplab.plot.train(cramplab.analyse_session(rec), 3)
>>> fig.axes[0].get_title()
'train 3 (10 Hz): cramp, status recording_ends_in_window; offset_censored'
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["envelope", "onsets", "train"]


def _value(result, key: str) -> str:
    return result.parameter(key)


def _number(result, key: str) -> float:
    return float(_value(result, key))


def _flag(result, key: str) -> bool:
    return _value(result, key) == "true"


def _samples(t_s: float, fs_hz: float) -> int:
    """llround(t_s fs_hz), as the library converts times to samples."""
    v = t_s * fs_hz
    return int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))


def _rails(y: np.ndarray, finite: np.ndarray, run: int) -> np.ndarray:
    """Runs of >= run equal samples at the finite min or max of the channel (saturation)."""
    mask = np.zeros(y.size, dtype=bool)
    if not finite.any():
        return mask
    lo, hi = y[finite].min(), y[finite].max()
    if not hi > lo:
        return mask
    at = finite & ((y == lo) | (y == hi))
    # runs of the same value among the rail samples
    change = np.ones(y.size, dtype=bool)
    change[1:] = (y[1:] != y[:-1]) | (at[1:] != at[:-1])
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], y.size]
    for s, e in zip(starts, ends):
        if at[s] and e - s >= run:
            mask[s:e] = True
    return mask


def _bridge(y: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """Linear bridge over the non-finite runs (ends hold their one neighbour; all bad = 0)."""
    if finite.all():
        return y
    if not finite.any():
        return np.zeros_like(y)
    idx = np.arange(y.size)
    out = y.copy()
    out[~finite] = np.interp(idx[~finite], idx[finite], y[finite])
    return out


def _train_pulses(trains) -> tuple[np.ndarray, np.ndarray]:
    """All pulses of the trains in time order with the index of their train (the decision's order)."""
    pairs = []
    for k, t in enumerate(trains.itertuples(index=False)):
        p = np.asarray(getattr(t, "pulses", []), dtype=np.int64)
        if p.size == 0:
            if t.start_sample < 0:
                continue
            p = np.array([t.start_sample, t.end_sample] if t.end_sample > t.start_sample else [t.start_sample])
        pairs.extend((int(s), k) for s in p)
    pairs.sort()
    pulses, ids = [], []
    for s, k in pairs:
        if pulses and pulses[-1] == s:
            continue
        pulses.append(s)
        ids.append(k)
    return np.asarray(pulses, dtype=np.int64), np.asarray(ids, dtype=np.int64)


def envelope(result) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The envelope as used by the cramp decision, rebuilt with the result's own parameters.

    The steps are those of the C++ decision (``emg::detect::detect_cramps``, SCIENCE.md §1.6),
    done here with the kernels: saturated runs (>= ``cramp.saturation_run`` samples at the
    channel's min or max) and non-finite samples are marked and the latter bridged linearly; the
    artefact of every pulse is suppressed with the ``cramp_suppress.*`` settings
    (:func:`cramplab.suppress_artifacts`; with ``cramp.suppress=false`` only its spans are taken);
    the signal is band-passed with a zero-phase Butterworth filter (``cramp.low_hz``,
    ``cramp.high_hz``, ``cramp.order``: :func:`cramplab.butter`, :func:`cramplab.sosfiltfilt`;
    high-pass only when ``high_hz`` reaches Nyquist, none when ``low_hz`` does, when
    ``cramp.bandpass=false`` or when the signal is not longer than the filter's padlen); the
    centred moving RMS over ``cramp.window_s`` is taken every ``cramp.hop_s`` over the samples that
    are neither suppressed, saturated nor non-finite, NaN where fewer than
    ``cramp.min_valid_fraction`` of the window is usable.

    Parameters
    ----------
    result : cramplab.SessionAnalysis or cramplab.StimAnalysis
        From :func:`cramplab.analyse_session` (it carries the channel's samples and parameters).

    Returns
    -------
    times_s : numpy.ndarray
        Envelope times (the hop grid), seconds from the first sample.
    values : numpy.ndarray
        The envelope (signal units), NaN where undefined.
    intervals : numpy.ndarray
        ``(n_pulses, 2)`` int64: the suppressed spans left out of the envelope.

    Examples
    --------
    >>> import cramplab, cramplab.plot, cramplab.simulate as sim
    >>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
    ...                             session={"post_s": 10})
    >>> res = cramplab.analyse_session(rec)
    >>> t, e, spans = cramplab.plot.envelope(res)
    >>> round(float(t[1] - t[0]), 3), spans.shape
    (0.01, (48, 2))
    """
    import cramplab

    fs = float(result.fs_hz)
    x = np.ascontiguousarray(result.signal, dtype=np.float64)
    n = x.size
    finite = np.isfinite(x)
    bad = _rails(x, finite, int(_value(result, "cramp.saturation_run"))) | ~finite
    y = _bridge(x, finite)
    pulses, ids = _train_pulses(result.trains)
    supp = {k[len("cramp_suppress."):]: v for k, v in zip(result.parameters["key"], result.parameters["value"])
            if k.startswith("cramp_suppress.")}
    intervals = np.zeros((0, 2), dtype=np.int64)
    if pulses.size:
        if _flag(result, "cramp.suppress"):
            y, intervals = cramplab.suppress_artifacts(y, fs_hz=fs, pulses=pulses, train_ids=ids, **supp)
        else:
            intervals = cramplab.suppression_intervals(n, fs_hz=fs, pulses=pulses, **supp)
    nyq = fs / 2.0
    low, high = _number(result, "cramp.low_hz"), _number(result, "cramp.high_hz")
    order = int(_value(result, "cramp.order"))
    if _flag(result, "cramp.bandpass") and low < nyq:
        if high < nyq:
            sos = np.asarray(cramplab.butter(order=order, cutoff_hz=[low, high], btype="bandpass", fs_hz=fs))
        else:
            sos = np.asarray(cramplab.butter(order=order, cutoff_hz=low, btype="highpass", fs_hz=fs))
        zeros = min(int(np.sum(sos[:, 2] == 0.0)), int(np.sum(sos[:, 5] == 0.0)))
        if n > 3 * (2 * sos.shape[0] + 1 - zeros):  # the decision's (SciPy's) default padlen
            y = cramplab.sosfiltfilt(sos, y)
    usable = ~bad
    for a, b in intervals:
        usable[a:b] = False
    s2 = np.concatenate([[0.0], np.cumsum(np.where(usable, y * y, 0.0))])
    cnt = np.concatenate([[0], np.cumsum(usable)])
    w = max(2, _samples(_number(result, "cramp.window_s"), fs))
    h = max(1, _samples(_number(result, "cramp.hop_s"), fs))
    c = np.arange(0, (n - 1) // h + 1) * h
    lo = np.maximum(0, c - (w - 1) // 2)
    hi = np.minimum(n, c + w // 2 + 1)
    m = cnt[hi] - cnt[lo]
    need = _number(result, "cramp.min_valid_fraction") * w
    with np.errstate(invalid="ignore", divide="ignore"):
        env = np.sqrt(np.maximum(0.0, (s2[hi] - s2[lo]) / m))
    env[(m <= 0) | (m < need)] = np.nan
    return c / fs, env, np.asarray(intervals, dtype=np.int64).reshape(-1, 2)


def _baseline_window(result, row) -> tuple[float, float]:
    """B = [start + baseline_start_s, start + baseline_end_s], starting no earlier than blank_s
    after the previous train's last pulse (as the decision takes it), in seconds."""
    fs = float(result.fs_hz)
    start = int(row["start_sample"])
    b0 = start + _samples(_number(result, "cramp.baseline_start_s"), fs)
    b1 = start + _samples(_number(result, "cramp.baseline_end_s"), fs)
    trains = result.trains
    ends = np.sort(trains["end_sample"][trains["start_sample"] >= 0].to_numpy(dtype=np.int64))
    before = ends[ends < start]
    if before.size:
        blank = _samples(_number(result, "cramp.blank_s"), fs)
        if before[-1] + blank > b0:
            b0 = int(before[-1]) + blank
    return b0 / fs, b1 / fs


def train(result_or_recording, train_id: int, *, params=None, channel=None, ax=None, before_s: float | None = None,
          after_s: float | None = None):
    """One stimulation train with its pulses, suppressed spans, envelope, thresholds and decision.

    The upper axes show the raw signal, the train's pulses (markers) and the spans the decision
    suppressed (shaded); the lower axes the envelope as used by the decision (:func:`envelope`),
    the baseline window and its level (``baseline_mean``), the on / off thresholds
    (``threshold_on``, ``threshold_off`` of the cramps table), the post-train window
    (``window_start_s`` .. ``window_end_s``) and the cramp onset and offset. The title gives the
    decision and the status; a text box the baseline and thresholds.

    Parameters
    ----------
    result_or_recording : cramplab.SessionAnalysis, cramplab.Recording or path
        A result of :func:`cramplab.analyse_session`, or a recording (or its file) that is then
        analysed with ``params`` and ``channel``.
    train_id : int
        A ``train_id`` of the result's cramps table.
    params : dict, optional
        Parameters of the analysis when a recording is given (see :func:`cramplab.analyse_session`).
    channel : int or str, optional
        Channel analysed when a recording is given.
    ax : matplotlib.axes.Axes or (Axes, Axes), optional
        Where to draw: a pair (signal axes, envelope axes), or one Axes (the envelope then goes on
        a twin y axis). Default: a new figure with two stacked axes sharing the time axis.
    before_s, after_s : float, optional
        The view from the first pulse - ``before_s`` to the last pulse + ``after_s``; default from
        the start of the baseline window to the end of the post-train window.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``train_id`` is not in the result.
    TypeError
        If the result has no cramp decisions (a :class:`cramplab.StimAnalysis`).

    See Also
    --------
    envelope, cramplab.analyse_session

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cramplab, cramplab.plot, cramplab.simulate as sim
    >>> (rec, truth), = sim.session(ctf_hz=9.0, seed=5, ladder={"start_hz": 6, "rest_s": 8},
    ...                             session={"post_s": 10})
    >>> fig = cramplab.plot.train(rec, 1)
    >>> [line.get_gid() for line in fig.axes[1].get_lines()][:4]
    ['envelope', 'baseline', 'threshold_on', 'threshold_off']
    """
    import matplotlib.pyplot as plt

    from .cramp import SessionAnalysis, analyse_session

    result = result_or_recording
    if not isinstance(result, SessionAnalysis):
        if hasattr(result, "trains") and hasattr(result, "mwaves"):
            raise TypeError("plot.train: the result has no cramp decisions; use cramplab.analyse_session")
        result = analyse_session(result, params=params, channel=channel)
    cramps = result.cramps
    rows = cramps.index[cramps["train_id"] == int(train_id)]
    if len(rows) == 0:
        raise ValueError(f"plot.train: train_id={train_id} is not in the result (train_ids: "
                         f"{cramps['train_id'].tolist()})")
    r = cramps.loc[rows[0]]
    fs = float(result.fs_hz)
    x = np.asarray(result.signal)
    n = x.size
    t_env, env, intervals = envelope(result)

    have_train = int(r["start_sample"]) >= 0
    start_s = r["start_sample"] / fs if have_train else math.nan
    end_s = r["end_sample"] / fs if have_train else math.nan
    b0, b1 = _baseline_window(result, r) if have_train else (math.nan, math.nan)
    t0 = start_s - before_s if before_s is not None else b0
    t1 = end_s + after_s if after_s is not None else float(r["window_end_s"])
    if not math.isfinite(t1):
        t1 = end_s + _number(result, "cramp.post_window_s")
    if not (math.isfinite(t0) and math.isfinite(t1)):
        t0, t1 = 0.0, (n - 1) / fs
    t0, t1 = max(0.0, t0), min((n - 1) / fs, t1)
    a, b = int(math.floor(t0 * fs)), min(n, int(math.ceil(t1 * fs)) + 1)

    if ax is None:
        fig, (ax_sig, ax_env) = plt.subplots(2, 1, sharex=True, figsize=(10, 6), constrained_layout=True)
    elif isinstance(ax, (tuple, list)):
        ax_sig, ax_env = ax
        fig = ax_sig.figure
    else:
        ax_sig, ax_env = ax, ax.twinx()
        fig = ax.figure

    ax_sig.plot(np.arange(a, b) / fs, x[a:b], color="0.35", lw=0.6, label="signal", gid="signal")
    pulses = result.pulses
    mine = pulses["sample"][pulses["train_id"] == int(train_id)].to_numpy(dtype=np.int64)
    if mine.size:
        ax_sig.plot(mine / fs, x[mine], "v", color="tab:red", ms=4, label="pulses", gid="pulses")
    first = True
    for s, e in intervals:
        if e > a and s < b:
            ax_sig.axvspan(s / fs, e / fs, color="tab:orange", alpha=0.3, lw=0, gid="suppressed",
                           label="suppressed" if first else None)
            first = False
    ax_sig.set_ylabel(f"{result.channel_name} (raw)")
    ax_sig.legend(loc="upper right", fontsize="x-small")

    view = (t_env >= t0) & (t_env <= t1)
    ax_env.plot(t_env[view], env[view], color="tab:blue", lw=1.0, label="envelope (as decided)", gid="envelope")
    for key, gid, style, color in (("baseline_mean", "baseline", ":", "0.2"),
                                   ("threshold_on", "threshold_on", "--", "tab:red"),
                                   ("threshold_off", "threshold_off", "--", "tab:green")):
        v = float(r[key])
        if math.isfinite(v):
            ax_env.axhline(v, ls=style, color=color, lw=1.0, label=gid.replace("_", " "), gid=gid)
    if math.isfinite(b0):
        ax_env.axvspan(b0, b1, color="0.8", alpha=0.4, lw=0, gid="baseline_window", label="baseline window")
    if math.isfinite(r["window_start_s"]) and math.isfinite(r["window_end_s"]):
        ax_env.axvspan(r["window_start_s"], r["window_end_s"], color="tab:blue", alpha=0.07, lw=0,
                       gid="post_window", label="post window")
    for key, gid, color in (("onset_s", "onset", "tab:purple"), ("offset_s", "offset", "tab:brown")):
        v = float(r[key])
        if math.isfinite(v):
            ax_env.axvline(v, color=color, lw=1.2, label=gid, gid=gid)
    ax_env.set_ylabel("envelope (RMS)")
    ax_env.set_xlabel("time (s)")
    ax_env.set_xlim(t0, t1)
    ax_env.legend(loc="upper left", fontsize="x-small", ncol=3)

    decision = ("cramp" if r["cramp"] else "no cramp") if r["decided"] else "no decision"
    freq = float(r["frequency_hz"])
    f_text = f" ({freq:.3g} Hz)" if math.isfinite(freq) else ""
    ax_sig.set_title(f"train {int(r['train_id'])}{f_text}: {decision}, status {r['status']}", fontsize="medium")
    lines = [f"baseline {r['baseline_mean']:.3g} \u00b1 {r['baseline_sd']:.3g}",
             f"on {r['threshold_on']:.3g}, off {r['threshold_off']:.3g}"]
    if r["cramp"]:
        lines.append(f"onset {r['onset_s']:.2f} s, offset {r['offset_s']:.2f} s, {r['duration_s']:.1f} s")
    ax_env.text(0.99, 0.97, "\n".join(lines), transform=ax_env.transAxes, ha="right", va="top", fontsize="small",
                gid="decision", bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8})
    return fig


def onsets(result, x, *, channel=0, ax=None):
    """A channel's detected onsets: the signal with the events, and the detector's test function.

    The upper axes show the signal with every event shaded (``onset_s`` .. ``offset_s``); the
    lower axes the test function the detector thresholded (``result.test_function``), the on /
    off thresholds (``threshold``, ``threshold_off`` of ``result.channels``) and the rest window
    the thresholds came from (shaded). The title gives the method, the status and the count.

    Parameters
    ----------
    result : cramplab.Onsets
        A result of :func:`cramplab.detect_onsets`.
    x : array_like or cramplab.Recording
        The signal the result was computed from (1-D, channels x samples, or a Recording).
    channel : int, default 0
        The row of ``result.channels`` (and of ``x``) to show.
    ax : (Axes, Axes), optional
        Where to draw (signal axes, test-function axes); default a new figure with two stacked
        axes sharing the time axis.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``channel`` is not in the result or ``x`` does not match its length.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, cramplab, cramplab.plot
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(scale=1e-6, size=8000)
    >>> x[4000:6000] += rng.normal(scale=2e-5, size=2000)
    >>> res = cramplab.detect_onsets(x, fs_hz=2000, baseline=(0.0, 1.5))
    >>> fig = cramplab.plot.onsets(res, x)
    >>> [line.get_gid() for line in fig.axes[1].get_lines()]
    ['test_function', 'threshold']
    """
    import matplotlib.pyplot as plt

    data = np.asarray(x.data if hasattr(x, "data") and hasattr(x, "fs_hz") else x, dtype=float)
    data = np.atleast_2d(data)
    tf = np.atleast_2d(np.asarray(result.test_function))
    n_ch = len(result.channels)
    if not 0 <= int(channel) < n_ch:
        raise ValueError(f"plot.onsets: channel={channel} must be in [0, {n_ch})")
    c = int(channel)
    if data.shape[0] != n_ch or data.shape[1] != tf.shape[1]:
        raise ValueError(f"plot.onsets: x has shape {data.shape}, the result {n_ch} channel(s) x {tf.shape[1]} samples")
    row = result.channels.iloc[c]
    t = np.arange(data.shape[1]) / result.fs_hz
    if ax is None:
        fig, (ax_sig, ax_tf) = plt.subplots(2, 1, sharex=True, figsize=(10, 5.5))
    else:
        ax_sig, ax_tf = ax
        fig = ax_sig.figure
    ax_sig.plot(t, data[c], lw=0.5, color="0.3", gid="signal")
    events = result.events[result.events["channel"] == row["channel"]]
    for _, e in events.iterrows():
        ax_sig.axvspan(e["onset_s"], e["offset_s"], color="tab:orange", alpha=0.25, lw=0, gid="event")
    ax_sig.set_ylabel("signal")
    ax_tf.plot(t, tf[c], lw=0.7, color="tab:blue", gid="test_function")
    ax_tf.axhline(row["threshold"], color="tab:red", lw=1, gid="threshold")
    if math.isfinite(float(row["threshold_off"])):
        ax_tf.axhline(row["threshold_off"], color="tab:red", lw=1, ls="--", gid="threshold_off")
    if math.isfinite(float(row["baseline_start_s"])):
        ax_tf.axvspan(row["baseline_start_s"], row["baseline_end_s"], color="tab:green", alpha=0.15, lw=0, gid="baseline")
    ax_tf.set_ylabel("test function")
    ax_tf.set_xlabel("time [s]")
    ax_sig.set_title(f"{row['channel_name']}: {result.method}, status {row['status']}, {len(events)} event(s)",
                     fontsize="medium")
    return fig
