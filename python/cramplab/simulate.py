"""Ground-truth simulator: EIC sessions, whole studies and voluntary-burst trials.

Every simulated recording comes with a :class:`cramplab.GroundTruth` (pulse times, M-waves, cramp
onset/offset per train, bursts, motor-unit firings, per-sample activity, the generator's
parameters and seed), and the same seed gives the same numbers on every run and thread count.
The methods and default values are those of SCIENCE.md §7 (docs/SIMULATOR.md).

Parameters are grouped in sections with the same names as the command line
(``cramplab simulate session --ladder.start_hz 6``) and the ``simulate.ini`` of a study folder:
pass each section as a keyword dict, e.g. ``ladder={"start_hz": 6}``, or dotted names in
``params={"ladder.start_hz": 6}``. :func:`parameters` lists every name with its default, unit,
range and meaning.

Examples
--------
>>> import cramplab.simulate as sim
>>> (rec, truth), = sim.session(ctf_hz=15.0, seed=3, session={"snr_db": 20, "post_s": 10})
>>> trains = truth.trains                     # dict of numpy columns
>>> trains["frequency_hz"][trains["cramp"]].tolist()
[16.0]
>>> rec.stimulation.trains[0].frequency_hz
4.0
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._params import field_text

_sim = _core.simulate

__all__ = [
    "SimulatedRecording",
    "bursts",
    "emg_psd_model",
    "parameters",
    "plan_study",
    "session",
    "shaped_noise",
    "study_presets",
    "write_study",
]


@dataclass(frozen=True)
class SimulatedRecording:
    """A simulated recording and its ground truth.

    Attributes
    ----------
    recording : cramplab.Recording
        The signal as a lab would record it (ADC counts kept when quantised), with its
        ``stimulation`` pulses and trains.
    truth : cramplab.GroundTruth
        What the recording really contains (see :func:`cramplab.io.truth_tables`).
    """

    recording: Any
    truth: Any

    def __iter__(self):  # allows ``rec, truth = simulated``
        return iter((self.recording, self.truth))


def _flatten(params: Mapping[str, Any] | None, sections: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if "." not in key:
            raise ValueError(f"simulate: params key {key!r} must be 'section.field' (e.g. 'ladder.start_hz')")
        out[key] = field_text("simulate", key, value)
    for section, fields in sections.items():
        if not isinstance(fields, Mapping):
            raise TypeError(
                f"simulate: {section}= must be a dict of that section's fields (e.g. {section}={{...}}), "
                f"got {type(fields).__name__}"
            )
        for name, value in fields.items():
            key = f"{section}.{name}"
            out[key] = field_text("simulate", key, value)
    return out


def _wrap(pairs) -> list[SimulatedRecording]:
    return [SimulatedRecording(rec, truth) for rec, truth in pairs]


def session(*, ctf_hz: float, seed: int = 1, params: Mapping[str, Any] | None = None,
            **sections: Mapping[str, Any]) -> list[SimulatedRecording]:
    """Simulate one electrically-induced-cramp session (a frequency ladder).

    Trains at ``ladder.start_hz``, ``+ ladder.step_hz``, ... up to ``ladder.max_hz`` with their
    artefacts and M-waves; a cramp afterdischarge follows every train whose frequency reaches
    ``ctf_hz`` (and the ladder stops there unless ``ladder={"stop_at_first_cramp": False}``).

    Parameters
    ----------
    ctf_hz : float
        The subject's true cramp threshold frequency in Hz (> 0; above ``ladder.max_hz`` no
        train cramps, a censored session).
    seed : int
        Random seed; the same seed gives the same bytes.
    params : dict, optional
        Parameters by dotted name, ``{"ladder.start_hz": 6}``.
    **sections : dict
        Parameters by section: ``session``, ``ladder``, ``afterdischarge``, ``artifact``,
        ``mwave``, ``spectrum``, ``pool``, ``cramp_firing``, ``hum``, ``wander``, ``ecg``,
        ``adc``; see :func:`parameters`.

    Returns
    -------
    list of SimulatedRecording
        One element (layout ``session``) or one per train (``session={"layout": "per_train"}``).

    Raises
    ------
    ValueError
        For an unknown parameter name or a value outside its range; the message names it.
    """
    return _wrap(_sim.simulate_session(_flatten(params, sections), float(ctf_hz), int(seed)))


def bursts(*, seed: int = 1, params: Mapping[str, Any] | None = None,
           **sections: Mapping[str, Any]) -> SimulatedRecording:
    """Simulate a trial of voluntary EMG bursts with ground-truth onsets and offsets.

    Parameters
    ----------
    seed : int
        Random seed.
    params : dict, optional
        Parameters by dotted name, ``{"bursts.snr_db": 6}``.
    **sections : dict
        ``bursts``, ``spectrum``, ``pool``, ``hum``, ``wander``, ``ecg``, ``adc``.

    Returns
    -------
    SimulatedRecording
        ``truth.bursts`` holds every burst (channel, onset_sample, offset_sample, rise_s).

    Examples
    --------
    >>> import cramplab.simulate as sim
    >>> rec, truth = sim.bursts(seed=1, bursts={"duration_s": 20, "snr_db": 15})
    >>> len(truth.bursts["onset_sample"]) > 3
    True
    """
    return _wrap(_sim.simulate_bursts(_flatten(params, sections), int(seed)))[0]


def _conditions(conditions: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    out = []
    for c in conditions or []:
        if not isinstance(c, Mapping) or "name" not in c:
            raise ValueError("simulate: each condition must be a dict with at least 'name' and 'ctf_shift_hz'")
        out.append({k: field_text("simulate", f"condition.{k}", v) for k, v in c.items()})
    return out


def plan_study(*, preset: str = "hydration", seed: int = 1, conditions: Iterable[Mapping[str, Any]] | None = None,
               params: Mapping[str, Any] | None = None, **sections: Mapping[str, Any]) -> pd.DataFrame:
    """Draw a study plan: subjects, condition order, true CTF and covariates of every session.

    Parameters
    ----------
    preset : {"hydration", "rehydration", "fatigue", "prior_cramp"}
        The published design to start from (conditions, effects, n and CTF distribution).
    seed : int
        Seed of the whole study.
    conditions : list of dict, optional
        Conditions replacing the preset's: ``{"name": "water", "ctf_shift_hz": -5.1,
        "body_mass_change_pct": -2, "usg": 1.02}``.
    params, **sections
        As in :func:`session`, plus the ``study`` section (``n_subjects``, ``ctf_mean_hz``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per session: subject, session (position in the order), condition,
        baseline_ctf_hz, true_ctf_hz, ladder_ctf_hz (first ladder frequency >= the true CTF;
        NaN when censored), body_mass_change_pct, usg, seed. ``df.attrs`` holds the study's name,
        description and conditions.

    Examples
    --------
    >>> import cramplab.simulate as sim
    >>> plan = sim.plan_study(preset="fatigue", seed=2)
    >>> sorted(plan["condition"].unique())
    ['fatigued', 'rested']
    """
    flat = _flatten(params, sections)
    flat["study.seed"] = str(int(seed))
    columns, info = _sim.plan_study(flat, preset, _conditions(conditions))
    df = pd.DataFrame(columns)
    df.attrs.update(info)
    return df


def write_study(path, *, preset: str = "hydration", seed: int = 1,
                conditions: Iterable[Mapping[str, Any]] | None = None, jobs: int = 1, overwrite: bool = False,
                params: Mapping[str, Any] | None = None, **sections: Mapping[str, Any]) -> dict:
    """Simulate a whole study and write it as a study folder.

    The folder receives ``recordings/*.h5`` (CrampLab files with ``/truth``), ``manifest.tsv``
    (one row per recording: recording_id, subject, session, condition, file, order,
    body_mass_change_pct, usg), ``study.ini`` (pipeline settings), ``simulate.ini`` (every
    generator setting: ``cramplab simulate study --config simulate.ini`` makes the same bytes)
    and ``truth/sessions.tsv``, ``truth/subjects.tsv`` (true CTFs).

    Parameters
    ----------
    path : str or os.PathLike
        The study folder (created; must be empty unless ``overwrite``).
    preset, seed, conditions, params, **sections
        As in :func:`plan_study`.
    jobs : int
        Sessions simulated in parallel; the files do not depend on it.
    overwrite : bool
        Write into a non-empty folder, replacing files of the same name.

    Returns
    -------
    dict
        n_sessions, n_recordings, bytes, seconds.
    """
    import os

    flat = _flatten(params, sections)
    flat["study.seed"] = str(int(seed))
    return _sim.write_study(os.fspath(path), flat, preset, _conditions(conditions), int(jobs), bool(overwrite))


def parameters(kind: str = "session") -> pd.DataFrame:
    """Every parameter of a simulator kind with its default, unit, range and meaning.

    Parameters
    ----------
    kind : {"session", "bursts", "study"}

    Returns
    -------
    pandas.DataFrame
        Columns name (``section.field``), default, unit, range, help.

    Examples
    --------
    >>> import cramplab.simulate as sim
    >>> p = sim.parameters("session").set_index("name")
    >>> p.loc["ladder.start_hz", "default"]
    '4'
    """
    return pd.DataFrame(_sim.parameters(kind), columns=["name", "default", "unit", "range", "help"])


def study_presets() -> list[str]:
    """Names of the study presets (published designs, SCIENCE.md §9)."""
    return list(_sim.study_presets())


def shaped_noise(n_samples: int, *, fs_hz: float, low_corner_hz: float = 60.0, high_corner_hz: float = 120.0,
                 scale: float = 1.0, seed: int = 1) -> np.ndarray:
    """Unit-variance Gaussian noise with the EMG model spectrum (level A, SCIENCE.md §7.1).

    Parameters
    ----------
    n_samples : int
    fs_hz : float
    low_corner_hz, high_corner_hz : float
        Corners of P(f) = k f_h^4 f^2 / ((f^2 + f_l^2)(f^2 + f_h^2)^2).
    scale : float
        Multiplies both corners (< 1 = spectral compression, as in fatigue).
    seed : int

    Returns
    -------
    numpy.ndarray
        ``(n_samples,)`` float64.

    Examples
    --------
    >>> import numpy as np, cramplab
    >>> x = cramplab.simulate.shaped_noise(120000, fs_hz=2000.0, seed=1)
    >>> f, p = cramplab.welch(x, fs_hz=2000.0, nperseg=1024)
    >>> abs(cramplab.mean_frequency(f, p, low_hz=20.0, high_hz=450.0) - 115.5) < 2    # SCIENCE.md §7.1
    True
    """
    return _sim.shaped_noise(int(n_samples), float(fs_hz), float(low_corner_hz), float(high_corner_hz), float(scale),
                             int(seed))


def emg_psd_model(f_hz, *, low_corner_hz: float = 60.0, high_corner_hz: float = 120.0,
                  scale: float = 1.0) -> np.ndarray:
    """The model PSD P(f) (k = 1) at the frequencies ``f_hz`` (SCIENCE.md §7.1).

    Parameters
    ----------
    f_hz : array_like
    low_corner_hz, high_corner_hz, scale : float

    Returns
    -------
    numpy.ndarray
    """
    return _sim.emg_psd_model(np.atleast_1d(np.asarray(f_hz, dtype=float)), float(low_corner_hz),
                              float(high_corner_hz), float(scale))
