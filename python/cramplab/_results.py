"""Pure-Python conveniences on top of the compiled results (pandas tables).

fatigue_table
    Tidy long table of a fatigue series: one row per channel and epoch.
trend_table
    One row per channel and metric with the linear-trend statistics.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__: list[str] = ["fatigue_table", "trend_table"]

_SERIES = ("mnf_hz", "mdf_hz", "rms", "arv")
_TREND_FIELDS = ("slope", "intercept", "slope_ci_low", "slope_ci_high", "normalized_slope_pct_per_s",
                 "r_squared", "n")


def _channel_names(n_channels: int, channel_names: Sequence[str] | None) -> list[str]:
    if channel_names is None:
        return [f"ch{i}" for i in range(n_channels)]
    names = [str(c) for c in channel_names]
    if len(names) != n_channels:
        raise ValueError(f"channel_names: {len(names)} names given for {n_channels} channels")
    return names


def _as_2d(series) -> dict[str, np.ndarray]:
    return {k: np.atleast_2d(np.asarray(getattr(series, k))) for k in _SERIES}


def fatigue_table(series, channel_names: Sequence[str] | None = None):
    """Tidy long DataFrame of a fatigue series.

    Parameters
    ----------
    series : FatigueSeries
        Result of :func:`cramplab.fatigue_series` (1-D or multichannel).
    channel_names : sequence of str, optional
        One name per channel; default ``ch0``, ``ch1``, ...

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``time_s``, ``mnf_hz``, ``mdf_hz``, ``rms``, ``arv``; one row per
        channel and epoch, channels in order, epochs in time order.

    Raises
    ------
    ValueError
        If the number of channel names does not match the series.

    See Also
    --------
    trend_table, fatigue_series

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.random.default_rng(0).normal(size=20000)
    >>> s = cramplab.fatigue_series(x, fs_hz=2000.0)
    >>> table = cramplab.fatigue_table(s, channel_names=["TA"])
    >>> table.shape, table.columns.tolist()
    ((19, 6), ['channel', 'time_s', 'mnf_hz', 'mdf_hz', 'rms', 'arv'])
    """
    import pandas as pd

    values = _as_2d(series)
    times = np.asarray(series.times_s)
    n_channels = values["mnf_hz"].shape[0]
    names = _channel_names(n_channels, channel_names)
    data = {
        "channel": np.repeat(np.asarray(names, dtype=object), times.size),
        "time_s": np.tile(times, n_channels),
    }
    for k in _SERIES:
        data[k] = values[k].reshape(-1)
    return pd.DataFrame(data)


def trend_table(series, channel_names: Sequence[str] | None = None):
    """Linear-trend statistics of a fatigue series, one row per channel and metric.

    Parameters
    ----------
    series : FatigueSeries
        Result of :func:`cramplab.fatigue_series`.
    channel_names : sequence of str, optional
        One name per channel; default ``ch0``, ``ch1``, ...

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``metric`` (``mnf_hz``, ``mdf_hz``, ``rms``, ``arv``), ``slope``,
        ``intercept``, ``slope_ci_low``, ``slope_ci_high``, ``normalized_slope_pct_per_s``,
        ``r_squared``, ``n``. Slopes are per second; the CI is the 95 % Student-t interval.

    Raises
    ------
    ValueError
        If the number of channel names does not match the series.

    See Also
    --------
    fatigue_table, linear_trend

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = np.random.default_rng(0).normal(size=(2, 20000))
    >>> trends = cramplab.trend_table(cramplab.fatigue_series(x, fs_hz=2000.0))
    >>> trends.shape, trends.metric.unique().tolist()
    ((8, 9), ['mnf_hz', 'mdf_hz', 'rms', 'arv'])
    """
    import pandas as pd

    rows = []
    trends = {k: getattr(series, k.replace("_hz", "") + "_trend") for k in _SERIES}
    per_channel = {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in trends.items()}
    n_channels = len(per_channel["mnf_hz"])
    names = _channel_names(n_channels, channel_names)
    for c, name in enumerate(names):
        for metric in _SERIES:
            t = per_channel[metric][c]
            row = {"channel": name, "metric": metric}
            row.update({f: getattr(t, f) for f in _TREND_FIELDS})
            rows.append(row)
    return pd.DataFrame(rows, columns=["channel", "metric", *_TREND_FIELDS])
