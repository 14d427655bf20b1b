"""Onset-detector accuracy sweep and speed benchmark: CrampLab's ten detectors against NeuroKit2 and BioSPPy.

Accuracy: simulated burst trials (``cramplab.simulate.bursts``) over SNR 0-30 dB for the base condition
(rise times 20-200 ms, bursts 0.5-2 s, no drift, no ECG) and, at 10 and 20 dB, one condition row each
for fast / slow rises, short / long bursts, baseline drift and ECG contamination. Every CrampLab
detector runs at its DEFAULT parameters with the automatic rest window (the headline) and with the
known lead rest given; NeuroKit2's ``emg_process`` and BioSPPy's detectors run side by side on the same
trials. All of them are scored by one scorer, ``cramplab.evaluate_onsets`` (one-to-one, closest first,
onset tolerance 50 ms), checked against an independent matcher in this file on the first trial.

Speed: one 10-minute 2-kHz channel; every CrampLab detector (best of 3, one thread) against the peer
that implements the same method.

Re-tuning: detectors that miss the targets at SNR >= 10 dB get a small grid of alternative defaults,
tried on tuning seeds and validated on held-out seeds.

Run from the repository root::

    PYTHONPATH=build/python .venv/bin/python bench/bench_onsets.py [--quick]
    PYTHONPATH=build/python .venv/bin/python bench/bench_onsets.py --markdown --plot docs/figures/onsets_sweep.png \\
        --csv onsets_trials.csv

Progress goes to stderr, the tables to stdout. Fixed seeds: the accuracy numbers are the same on every
run; the timings depend on the machine and its load (the load average is printed around them).
NeuroKit2 and BioSPPy are benchmark-only dependencies; when one is missing its rows are skipped.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

import cramplab
import cramplab.simulate as sim

FS_HZ = 2000.0
TOLERANCE_S = 0.05
SNRS_DB = (0, 5, 10, 15, 20, 30)
CONDITION_SNRS_DB = (10, 20)
LEAD_S = 3.0                                   # bursts.lead_s default: quiet time before the first burst
REST_S = (0.25, LEAD_S - 0.25)                 # the known rest window given to the "[rest]" variants and the peers
TARGET_F1 = 0.95
TARGET_MEDIAN_MS = 15.0

# name -> simulator sections (only what differs from the base condition)
CONDITIONS: dict[str, dict[str, dict[str, float]]] = {
    "base": {},
    "rise_fast": {"bursts": {"rise_min_s": 0.02, "rise_max_s": 0.05}},
    "rise_slow": {"bursts": {"rise_min_s": 0.15, "rise_max_s": 0.20}},
    "dur_short": {"bursts": {"burst_min_s": 0.4, "burst_max_s": 0.8}},
    "dur_long": {"bursts": {"burst_min_s": 2.0, "burst_max_s": 4.0}},
    "drift": {"wander": {"amplitude": 1e-3, "max_hz": 0.5}},
    "ecg": {"ecg": {"amplitude": 2e-4, "heart_rate_bpm": 70}},
}
CONDITION_TEXT = {
    "base": "rise 20-200 ms, bursts 0.5-2 s, rests 1-3 s, white noise",
    "rise_fast": "rise 20-50 ms",
    "rise_slow": "rise 150-200 ms",
    "dur_short": "bursts 0.4-0.8 s",
    "dur_long": "bursts 2-4 s",
    "drift": "baseline wander 1 mV peak (10x the burst RMS), 4 sinusoids <= 0.5 Hz",
    "ecg": "ECG 0.2 mV R peak (2x the burst RMS), 70 bpm",
}

# re-tuning grid: each detector's threshold, then the shared post-processing and rest-window length
THRESHOLD_GRID: dict[str, tuple[str, list[float]]] = {
    "hodges_bui": ("hodges_bui.h", [2.0, 3.0, 4.0]),
    "bonato": ("bonato.pfa", [0.05, 0.01, 0.001]),
    "tkeo": ("tkeo.j", [3.0, 4.0, 6.0]),
    "lidierth": ("lidierth.h", [2.0, 3.0, 4.0]),
    "abbink": ("abbink.h", [4.0, 5.0, 7.0]),
    "silva": ("silva.h", [3.0, 4.0, 6.0]),
    "londral": ("londral.h", [2.0, 3.0, 5.0]),
    "aglr": ("aglr.h", [8.0, 15.0, 25.0]),
    "sampen": ("sampen.h", [3.0, 5.0, 7.0]),
    "changepoint": ("changepoint.h", [2.0, 3.0, 5.0]),
}
LOOP_TARGET = ("bsp.abbink", "bsp.londral", "bsp.solnik", "nk.emg_activation")   # the >= 1000x group of the issue
MIN_ACTIVE_GRID = [0.05, 0.1, 0.2]
BASELINE_LENGTH_GRID = [2.0, 3.0]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average n/a"


# --------------------------------------------------------------------------------------------------
# detectors: every one maps (trial) -> (onset samples, offset samples)
# --------------------------------------------------------------------------------------------------

@dataclass
class Trial:
    """One simulated trial and the signals the detectors need."""

    condition: str
    snr_db: float
    seed: int
    x: np.ndarray                  # raw channel (V)
    truth: np.ndarray              # (k, 2) int64 [onset, offset) samples
    fs_hz: float
    y_bsp: np.ndarray | None = None   # BioSPPy's 20-450 Hz band-pass of x (filled when peers run)

    @property
    def rest_samples(self) -> list[int]:
        return [int(round(REST_S[0] * self.fs_hz)), int(round(REST_S[1] * self.fs_hz))]


@dataclass
class Detector:
    name: str
    family: str                    # cramplab | neurokit2 | biosppy
    run: Callable[[Trial], tuple[np.ndarray, np.ndarray]]
    offsets: bool = True           # False: the peer gives onsets only (onset-only F1)
    baseline: str = "-"            # auto | rest | given | -
    loop: bool = False             # loop-based peer (timed once in the speed section)
    span_s: float | None = None    # run on the first ~span_s seconds only (cut in a rest), score that span
    note: str = ""
    pair: str = ""                 # the CrampLab method it implements (speed pairing)


def _as_int(a) -> np.ndarray:
    a = np.asarray(a, dtype=float).ravel()
    return np.unique(np.rint(a[np.isfinite(a)]).astype(np.int64))


def pair_alternating(idx, n: int) -> tuple[np.ndarray, np.ndarray]:
    """BioSPPy returns onsets and offsets interleaved in one sorted array (np.union1d): pair them
    as onset, offset, onset, ... (every detector starts at rest); a trailing onset ends at n."""
    idx = _as_int(idx)
    on, off = idx[0::2], idx[1::2]
    if len(off) < len(on):
        off = np.append(off, n)
    return on, off


def pair_next(onsets, offsets, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair each onset with the first offset after it (NeuroKit2 gives two arrays); none left: n."""
    on, offs = _as_int(onsets), _as_int(offsets)
    j = np.searchsorted(offs, on, side="right")
    padded = np.append(offs, n)
    return on, padded[j].astype(np.int64)


def cramplab_detector(method: str, with_rest: bool, params: dict | None = None, label: str | None = None) -> Detector:
    def run(t: Trial):
        res = cramplab.detect_onsets(t.x, fs_hz=t.fs_hz, method=method, baseline=REST_S if with_rest else None,
                                     params=params or None)
        ev = res.events
        return ev["onset_sample"].to_numpy(np.int64), ev["offset_sample"].to_numpy(np.int64)

    name = label or (f"{method} [rest]" if with_rest else method)
    return Detector(name, "cramplab", run, baseline="rest" if with_rest else "auto", pair=method)


def peer_detectors(span_abbink_s: float) -> tuple[list[Detector], dict[str, str]]:
    """NeuroKit2 and BioSPPy, each called the way its documentation says, at its defaults or at the
    papers' values where BioSPPy has no default (bench/README.md has the table)."""
    peers: list[Detector] = []
    versions: dict[str, str] = {}
    try:
        nk = importlib.import_module("neurokit2")
        versions["neurokit2"] = importlib.metadata.version("neurokit2")

        def run_nk(t: Trial):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, info = nk.emg_process(t.x, sampling_rate=int(round(t.fs_hz)))
            return pair_next(info["EMG_Onsets"], info["EMG_Offsets"], len(t.x))

        peers.append(Detector("nk.emg_activation", "neurokit2", run_nk, baseline="-", loop=True,
                              note="emg_process(raw) defaults: 100 Hz HP, TKEO envelope, threshold 0.1 SD",
                              pair="hodges_bui"))
    except ImportError as exc:
        log(f"neurokit2 not importable ({exc}): its row is skipped")
    try:
        be = importlib.import_module("biosppy.signals.emg")
        versions["biosppy"] = importlib.metadata.version("biosppy")
    except ImportError as exc:
        log(f"biosppy not importable ({exc}): its rows are skipped")
        return peers, versions

    def smp(t: Trial, s: float) -> int:
        return int(round(s * t.fs_hz))

    def unit_sd(t: Trial) -> np.ndarray:
        r = t.rest_samples
        return t.y_bsp / np.std(t.y_bsp[r[0]:r[1]])

    def silva_threshold(t: Trial, size: int, h: float) -> float:
        # the fixed threshold of Silva's double criterion: mu0 + h sigma0 of the test function (the moving
        # average of |x - mean|, as BioSPPy computes it) over the known rest
        r = t.rest_samples
        z = np.abs(t.y_bsp - np.mean(t.y_bsp))[r[0]:r[1]]
        tf = np.convolve(z, np.ones(size) / size, mode="valid")
        return float(np.mean(tf) + h * np.std(tf))

    n = lambda t: len(t.y_bsp)  # noqa: E731
    specs = [
        ("bsp.find_onsets", False, "find_onsets",
         lambda t: be.find_onsets(signal=t.y_bsp, sampling_rate=t.fs_hz)[0],
         "defaults: size 0.05 s, threshold 1.2 mean + 2 SD of the envelope (no rest)"),
        ("bsp.hodges_bui", False, "hodges_bui",
         lambda t: be.hodges_bui_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                                size=smp(t, 0.02), threshold=3)[0],
         "size 20 ms, threshold 3"),
        ("bsp.bonato", False, "bonato",
         lambda t: be.bonato_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                            threshold=9.17, active_state_duration=smp(t, 0.03) // 2,
                                            samples_above_fail=1, fail_size=5)[0],
         "zeta 9.17 (Pfa 0.05, m 5, r0 1), min state 30 ms"),
        ("bsp.lidierth", False, "lidierth",
         lambda t: be.lidierth_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                              size=smp(t, 0.02), threshold=3, active_state_duration=smp(t, 0.025),
                                              fail_size=smp(t, 0.01))[0],
         "size 20 ms, threshold 3, T1 25 ms, T2 10 ms"),
        ("bsp.silva", False, "silva",
         lambda t: be.silva_onset_detector(signal=t.y_bsp, sampling_rate=t.fs_hz, size=smp(t, 0.05),
                                           threshold_size=smp(t, 0.5),
                                           threshold=silva_threshold(t, smp(t, 0.05), 4.0))[0],
         "size 50 ms, threshold_size 500 ms, threshold mu0 + 4 SD of the test function at rest"),
        ("bsp.abbink", True, "abbink",
         lambda t: be.abbink_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                            size=smp(t, 0.02), alarm_size=smp(t, 0.1), threshold=5,
                                            transition_threshold=1.5)[0],
         f"size 20 ms, alarm_size 100 ms, threshold 5, transition 1.5; first ~{span_abbink_s:g} s only"),
        ("bsp.londral", True, "londral",
         lambda t: be.londral_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                             size=smp(t, 0.05), threshold=3, active_state_duration=smp(t, 0.05))[0],
         "size 50 ms, threshold 3, min active 50 ms; signal in V"),
        ("bsp.solnik", True, "tkeo",
         lambda t: be.solnik_onset_detector(signal=t.y_bsp, rest=t.rest_samples, sampling_rate=t.fs_hz,
                                            threshold=4, active_state_duration=smp(t, 0.025))[0],
         "threshold 4, min active 25 ms; signal in V"),
        ("bsp.londral (unit SD)", True, "londral",
         lambda t: be.londral_onset_detector(signal=unit_sd(t), rest=t.rest_samples, sampling_rate=t.fs_hz,
                                             size=smp(t, 0.05), threshold=3, active_state_duration=smp(t, 0.05))[0],
         "as bsp.londral, signal divided by its rest SD"),
        ("bsp.solnik (unit SD)", True, "tkeo",
         lambda t: be.solnik_onset_detector(signal=unit_sd(t), rest=t.rest_samples, sampling_rate=t.fs_hz,
                                            threshold=4, active_state_duration=smp(t, 0.025))[0],
         "as bsp.solnik, signal divided by its rest SD"),
    ]
    for name, loop, pair, fn, note in specs:
        def run(t: Trial, fn=fn):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pair_alternating(fn(t), n(t))

        peers.append(Detector(name, "biosppy", run, baseline="-" if name == "bsp.find_onsets" else "given", loop=loop,
                              span_s=span_abbink_s if name == "bsp.abbink" else None, note=note, pair=pair))
    return peers, versions


def bsp_bandpass(x: np.ndarray, fs_hz: float) -> np.ndarray:
    """The 20-450 Hz 4th-order Butterworth band-pass BioSPPy's detectors expect, with BioSPPy's own
    filter_signal (zero phase)."""
    bt = importlib.import_module("biosppy.signals.tools")
    y, _, _ = bt.filter_signal(signal=x, ftype="butter", band="bandpass", order=4, frequency=[20.0, 450.0],
                               sampling_rate=fs_hz)
    return np.asarray(y)


# --------------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------------

def independent_match(det_on: np.ndarray, true_on: np.ndarray, tol_samples: float) -> np.ndarray:
    """One-to-one matching written here from the rule (SCIENCE.md 5.10): candidate pairs with
    |onset difference| <= tolerance, taken closest first, each event used once. Returns the signed
    onset errors (samples) of the matched pairs."""
    cands = []
    for i, t in enumerate(true_on):
        for j, d in enumerate(det_on):
            dist = abs(float(d) - float(t))
            if dist <= tol_samples:
                cands.append((dist, i, j))
    cands.sort()
    used_t, used_d, errs = set(), set(), []
    for dist, i, j in cands:
        if i in used_t or j in used_d:
            continue
        used_t.add(i)
        used_d.add(j)
        errs.append(float(det_on[j]) - float(true_on[i]))
    return np.array(errs)


def cut_in_rest(truth: np.ndarray, n: int, after_s: float, fs_hz: float) -> int:
    """The middle of the first rest that starts after after_s (so a shortened run ends at rest)."""
    start = after_s * fs_hz
    for k in range(len(truth) - 1):
        if truth[k, 1] >= start:
            return int((truth[k, 1] + truth[k + 1, 0]) // 2)
    return n


def score(det: Detector, trial: Trial) -> dict:
    n = len(trial.x)
    truth = trial.truth
    cut = n
    t0 = time.perf_counter()
    err = ""
    try:
        if det.span_s is not None:
            cut = cut_in_rest(truth, n, det.span_s, trial.fs_hz)
            sub = Trial(trial.condition, trial.snr_db, trial.seed, trial.x[:cut], truth, trial.fs_hz,
                        None if trial.y_bsp is None else trial.y_bsp[:cut])
            on, off = det.run(sub)
        else:
            on, off = det.run(trial)
    except Exception as exc:  # a peer that crashes on this input: a failure, no detections
        on, off = np.zeros(0, np.int64), np.zeros(0, np.int64)
        err = f"{type(exc).__name__}: {exc}"[:160]
    elapsed = time.perf_counter() - t0
    if cut < n:
        truth = truth[truth[:, 0] < cut]
        keep = on < cut
        on, off = on[keep], off[keep]
    if not det.offsets:
        off = on.copy()
    detected = np.column_stack([on, off]).astype(np.int64) if len(on) else np.zeros((0, 2), np.int64)
    ev = cramplab.evaluate_onsets(detected, truth, fs_hz=trial.fs_hz, tolerance_s=TOLERANCE_S)
    s = ev.summary
    onset_err_ms = ev.pairs["onset_error_s"].to_numpy(float) * 1e3 if len(ev.pairs) else np.zeros(0)
    offset_err_ms = ev.pairs["offset_error_s"].to_numpy(float) * 1e3 if len(ev.pairs) else np.zeros(0)
    return dict(condition=trial.condition, snr_db=trial.snr_db, seed=trial.seed, detector=det.name,
                family=det.family, baseline=det.baseline, offsets_scored=det.offsets,
                scored_s=cut / trial.fs_hz, n_true=int(s["n_true"]), n_detected=int(s["n_detected"]),
                tp=int(s["true_positives"]), fp=int(s["false_positives"]), fn=int(s["false_negatives"]),
                f1=float(s["f1"]), onset_median_abs_ms=float(s["onset_median_abs_s"]) * 1e3,
                onset_bias_ms=float(s["onset_bias_s"]) * 1e3,
                offset_median_abs_ms=float(s["offset_median_abs_s"]) * 1e3 if det.offsets else float("nan"),
                failed=bool(err), error=err, time_s=elapsed,
                _onset_err_ms=onset_err_ms, _offset_err_ms=offset_err_ms if det.offsets else np.zeros(0),
                _detected=detected)


def check_scorer(rows: list[dict], trial: Trial) -> list[str]:
    """cramplab.evaluate_onsets against independent_match on one trial, for every detector."""
    bad = []
    tol = TOLERANCE_S * trial.fs_hz
    for r in rows:
        truth = trial.truth[trial.truth[:, 0] < r["scored_s"] * trial.fs_hz]
        mine = independent_match(r["_detected"][:, 0], truth[:, 0], tol)
        theirs = np.sort(r["_onset_err_ms"] * trial.fs_hz / 1e3)
        if len(mine) != r["tp"] or not np.allclose(np.sort(mine), theirs, atol=1e-6):
            bad.append(f"{r['detector']}: evaluate_onsets TP {r['tp']} vs independent {len(mine)}")
    return bad


def aggregate(rows: pd.DataFrame, errs: dict) -> pd.DataFrame:
    """Pooled over seeds: F1 from the summed TP/FP/FN, median |onset error| over all matched pairs."""
    out = []
    for key, g in rows.groupby(["detector", "condition", "snr_db"], sort=False):
        tp, fp, fn = g["tp"].sum(), g["fp"].sum(), g["fn"].sum()
        f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
        e = np.concatenate([errs[(key[0], key[1], key[2], s)] for s in g["seed"]]) if len(g) else np.zeros(0)
        out.append(dict(detector=key[0], family=g["family"].iloc[0], baseline=g["baseline"].iloc[0],
                        condition=key[1], snr_db=key[2], n_trials=len(g), n_true=int(g["n_true"].sum()),
                        tp=int(tp), fp=int(fp), fn=int(fn), f1=f1,
                        median_abs_ms=float(np.median(np.abs(e))) if len(e) else float("nan"),
                        bias_ms=float(np.mean(e)) if len(e) else float("nan"),
                        failures=int(g["failed"].sum()), time_s=float(g["time_s"].mean())))
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------------

def render(df: pd.DataFrame, markdown: bool) -> str:
    cols = [str(c) for c in df.columns]
    cells = [[("" if (isinstance(v, float) and math.isnan(v)) else str(v)) for v in row] for row in df.itertuples(index=False)]
    if markdown:
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in cells]
        return "\n".join(lines)
    w = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w[i]) for i, c in enumerate(cols))]
    lines += ["  ".join(r[i].ljust(w[i]) for i in range(len(cols))) for r in cells]
    return "\n".join(lines)


def cell(f1: float, mae: float) -> str:
    if math.isnan(f1):
        return "-"
    return f"{f1:.3f} / " + ("-" if math.isnan(mae) else f"{mae:.1f}")


def better(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """(f1, mae): higher F1 wins, ties (to 3 decimals) go to the lower median error."""
    fa, fb = round(a[0], 3), round(b[0], 3)
    if fa != fb:
        return fa > fb
    ma = a[1] if not math.isnan(a[1]) else 1e9
    mb = b[1] if not math.isnan(b[1]) else 1e9
    return ma < mb


def best_of(agg: pd.DataFrame, names) -> str | None:
    best, bv = None, None
    for _, r in agg[agg["detector"].isin(list(names))].iterrows():
        v = (r["f1"], r["median_abs_ms"])
        if bv is None or better(v, bv):
            best, bv = r["detector"], v
    return best


def snr_table(agg: pd.DataFrame, order: list[str], condition: str = "base", flag: bool = True) -> pd.DataFrame:
    a = agg[agg["condition"] == condition]
    snrs = sorted(a["snr_db"].unique())
    best = {s: best_of(a[a["snr_db"] == s], order) for s in snrs} if flag else {}
    rows = []
    for d in order:
        row = {"detector": d}
        for s in snrs:
            r = a[(a["detector"] == d) & (a["snr_db"] == s)]
            if r.empty:
                row[f"{s:g} dB"] = "-"
                continue
            r = r.iloc[0]
            c = cell(r["f1"], r["median_abs_ms"])
            if r["failures"]:
                c += f" ({r['failures']} fail)"
            row[f"{s:g} dB"] = c + (" *" if best.get(s) == d else "")
        rows.append(row)
    return pd.DataFrame(rows)


def condition_table(agg: pd.DataFrame, order: list[str], snrs=CONDITION_SNRS_DB) -> pd.DataFrame:
    conds = [c for c in CONDITIONS if c in set(agg["condition"])]
    rows = []
    for d in order:
        row = {"detector": d}
        for s in snrs:
            for c in conds:
                r = agg[(agg["detector"] == d) & (agg["condition"] == c) & (agg["snr_db"] == s)]
                if not r.empty:
                    row[f"{c} {s:g}"] = cell(r.iloc[0]["f1"], r.iloc[0]["median_abs_ms"])
        rows.append(row)
    return pd.DataFrame(rows)


def targets_report(agg: pd.DataFrame, cramplab_names: list[str], peer_names: list[str]) -> list[str]:
    a = agg[agg["condition"] == "base"]
    lines = []
    hi = [s for s in sorted(a["snr_db"].unique()) if s >= 10]
    def ok(d, s):
        r = a[(a["detector"] == d) & (a["snr_db"] == s)]
        return bool(len(r)) and r.iloc[0]["f1"] >= TARGET_F1 and r.iloc[0]["median_abs_ms"] <= TARGET_MEDIAN_MS

    meets = {d: all(ok(d, s) for s in hi) for d in cramplab_names}
    for s in hi:
        b = best_of(a[a["snr_db"] == s], cramplab_names)
        if b is None:
            continue
        r = a[(a["detector"] == b) & (a["snr_db"] == s)].iloc[0]
        ok = r["f1"] >= TARGET_F1 and r["median_abs_ms"] <= TARGET_MEDIAN_MS
        lines.append(f"{s:g} dB: best CrampLab {b} F1 {r['f1']:.3f}, median |err| {r['median_abs_ms']:.1f} ms -> "
                     f"{'MET' if ok else 'NOT met'} (F1 >= {TARGET_F1}, <= {TARGET_MEDIAN_MS:g} ms)")
    good = [d for d, v in meets.items() if v]
    lines.append("detectors meeting F1 >= 0.95 and median <= 15 ms at every SNR >= 10 dB: " + (", ".join(good) or "none"))
    for s in sorted(a["snr_db"].unique()):
        b = best_of(a[a["snr_db"] == s], cramplab_names)
        if b is None or not peer_names:
            continue
        rb = a[(a["detector"] == b) & (a["snr_db"] == s)].iloc[0]
        lost = []
        for p in peer_names:
            rp = a[(a["detector"] == p) & (a["snr_db"] == s)]
            if rp.empty:
                continue
            rp = rp.iloc[0]
            if rp["f1"] > rb["f1"]:
                lost.append(f"{p} F1 {rp['f1']:.3f}")
            if not math.isnan(rp["median_abs_ms"]) and rp["median_abs_ms"] < rb["median_abs_ms"]:
                lost.append(f"{p} median {rp['median_abs_ms']:.1f} ms (F1 {rp['f1']:.3f})")
        lines.append(f"{s:g} dB: best CrampLab {b} ({cell(rb['f1'], rb['median_abs_ms'])}) beats every peer on F1 and "
                     "median error" + ("" if not lost else " EXCEPT " + "; ".join(lost)))
    return lines


# --------------------------------------------------------------------------------------------------
# the sweep
# --------------------------------------------------------------------------------------------------

def simulate(condition: str, snr_db: float, seed: int, duration_s: float) -> Trial:
    sections = {k: dict(v) for k, v in CONDITIONS[condition].items()}
    sections.setdefault("bursts", {}).update({"duration_s": duration_s, "snr_db": snr_db, "fs_hz": FS_HZ,
                                              "lead_s": LEAD_S})
    rec, truth = sim.bursts(seed=seed, **sections)
    b = truth.bursts
    t = np.column_stack([np.asarray(b["onset_sample"], np.int64), np.asarray(b["offset_sample"], np.int64)])
    return Trial(condition, float(snr_db), int(seed), np.ascontiguousarray(np.asarray(rec.data)[0], dtype=float),
                 t, float(rec.fs_hz))


def trial_plan(seeds: list[int], conditions: list[str]) -> list[tuple[str, float, int]]:
    plan = [("base", s, seed) for s in SNRS_DB for seed in seeds]
    plan += [(c, s, seed) for c in conditions if c != "base" for s in CONDITION_SNRS_DB for seed in seeds]
    return plan


def run_sweep(detectors: list[Detector], plan, duration_s: float, check: bool):
    rows, errs = [], {}
    scorer_issues: list[str] = []
    t_start = time.perf_counter()
    need_bsp = any(d.family == "biosppy" for d in detectors)
    for i, (cond, snr, seed) in enumerate(plan):
        trial = simulate(cond, snr, seed, duration_s)
        if need_bsp:
            trial.y_bsp = bsp_bandpass(trial.x, trial.fs_hz)
        trial_rows = [score(d, trial) for d in detectors]
        if check and i == 0:
            scorer_issues = check_scorer(trial_rows, trial)
        for r in trial_rows:
            errs[(r["detector"], cond, float(snr), seed)] = r["_onset_err_ms"]
            rows.append({k: v for k, v in r.items() if not k.startswith("_")})
        slow = sorted(trial_rows, key=lambda r: -r["time_s"])[:2]
        log(f"[{i + 1}/{len(plan)}] {cond} {snr:g} dB seed {seed}: {len(trial.truth)} bursts, "
            f"{time.perf_counter() - t_start:.0f} s elapsed (slowest: "
            + ", ".join(f"{r['detector']} {r['time_s']:.1f} s" for r in slow) + ")")
    return pd.DataFrame(rows), errs, scorer_issues


# --------------------------------------------------------------------------------------------------
# re-tuning defaults on held-out seeds (CrampLab only)
# --------------------------------------------------------------------------------------------------

def pooled(trials: list[Trial], det: Detector) -> dict[float, tuple[float, float]]:
    """(F1, median |onset err| ms) per SNR, pooled over the trials."""
    by: dict[float, list[dict]] = {}
    for t in trials:
        by.setdefault(t.snr_db, []).append(score(det, t))
    out = {}
    for s, rs in by.items():
        tp, fp, fn = (sum(r[k] for r in rs) for k in ("tp", "fp", "fn"))
        e = np.concatenate([r["_onset_err_ms"] for r in rs])
        f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
        out[s] = (f1, float(np.median(np.abs(e))) if len(e) else float("nan"))
    return out


def merit(res: dict[float, tuple[float, float]]) -> tuple:
    hi = [v for s, v in res.items() if s >= 10]
    met = sum(1 for f1, m in hi if f1 >= TARGET_F1 and m <= TARGET_MEDIAN_MS)
    mean_f1 = round(float(np.mean([f1 for f1, _ in hi])), 3)
    mean_m = float(np.nanmean([m for _, m in hi]))
    return (met, mean_f1, -mean_m)


def retune(methods: list[str], tune_seeds: list[int], heldout_seeds: list[int], duration_s: float):
    tune_snrs = [s for s in SNRS_DB if s >= 10]
    valid_snrs = [s for s in SNRS_DB if s >= 5]
    log(f"re-tuning {', '.join(methods)} on seeds {tune_seeds}, validating on {heldout_seeds}")
    tune = [simulate("base", s, seed, duration_s) for s in tune_snrs for seed in tune_seeds]
    held = [simulate("base", s, seed, duration_s) for s in valid_snrs for seed in heldout_seeds]
    rows, recs = [], []
    for m in methods:
        key, hs = THRESHOLD_GRID[m]
        default = cramplab.onset_parameters(m).set_index("key")
        d_h = float(default.loc[key, "default"])
        d_min = float(default.loc["post.min_active_s", "default"])
        d_len = float(default.loc["baseline.length_s", "default"])
        grid = []
        for h in sorted(set(hs) | {d_h}):
            for mn in sorted(set(MIN_ACTIVE_GRID) | {d_min}):
                for ln in sorted(set(BASELINE_LENGTH_GRID) | {d_len}):
                    grid.append({key: h, "post.min_active_s": mn, "baseline.length_s": ln})
        scored = []
        for g in grid:
            det = cramplab_detector(m, False, params=g, label=m)
            scored.append((merit(pooled(tune, det)), g))
        d_params = {key: d_h, "post.min_active_s": d_min, "baseline.length_s": d_len}
        d_merit = next(mr for mr, g in scored if g == d_params)
        best_merit, best = max(scored, key=lambda x: x[0])
        before = pooled(held, cramplab_detector(m, False, label=m))
        after = pooled(held, cramplab_detector(m, False, params=best, label=m)) if best != d_params else before
        changed = {k: v for k, v in best.items() if v != d_params[k]}
        mb, ma = merit(before), merit(after)
        drops = [f"{s:g} dB {before[s][0]:.3f} -> {after[s][0]:.3f}" for s in valid_snrs
                 if s >= 10 and after[s][0] < before[s][0] - 0.02]
        change = ", ".join(f"{k} {d_params[k]:g} -> {v:g}" for k, v in changed.items())
        if not changed:
            verdict = "keep the defaults (the best tuning point is the default)"
        elif ma <= mb:
            verdict = "do not change (no held-out gain): " + change
        elif drops:
            verdict = f"MIXED, not recommended ({change}: F1 falls by > 0.02 at " + "; ".join(drops) + ")"
        else:
            verdict = "RECOMMEND " + change
        recs.append(f"{m}: tuning merit default {d_merit[:2]} best {best_merit[:2]}; held-out SNRs met "
                    f"{mb[0]} -> {ma[0]}, mean F1 (>=10 dB) {mb[1]:.3f} -> {ma[1]:.3f}: {verdict}")
        for s in valid_snrs:
            rows.append({"detector": m, "alternative": ", ".join(f"{k}={v:g}" for k, v in changed.items()) or "(default)",
                         "SNR dB": f"{s:g}", "held-out before": cell(*before[s]), "held-out after": cell(*after[s])})
        log(recs[-1])
    return pd.DataFrame(rows), recs


# --------------------------------------------------------------------------------------------------
# speed
# --------------------------------------------------------------------------------------------------

def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def speed(methods: list[str], peers: list[Detector], minutes: float, precheck_s: float, repeats: int,
          always_scale: bool = False):
    duration_s = minutes * 60.0
    log(f"speed: simulating a {minutes:g}-minute {FS_HZ:g}-Hz channel (20 dB)")
    full = simulate("base", 20, 7, duration_s)
    lines = [f"speed on {minutes:g} min at {FS_HZ:g} Hz, 1 channel; before: {loadavg()}"]
    if hasattr(cramplab, "set_num_threads"):
        cramplab.set_num_threads(1)
    ours = {}
    for m in methods:
        det = cramplab_detector(m, False)
        ours[m] = best_time(lambda: det.run(full), repeats)
        log(f"  cramplab {m}: {ours[m] * 1e3:.1f} ms")
    rows = [{"detector": m, "family": "cramplab", "time_s": ours[m], "how": f"best of {repeats}"} for m in methods]
    peer_times = {}
    for p in peers:
        def call(t: Trial, p=p):
            if p.family == "biosppy":          # the peer's own band-pass is part of its time
                t.y_bsp = bsp_bandpass(t.x, t.fs_hz)
            return p.run(t)
        try:
            if p.loop:
                short = simulate("base", 20, 7, precheck_s)
                t_short = best_time(lambda: call(short), 1)
                predicted = t_short * duration_s / precheck_s
                if predicted > 120.0 * minutes / 10.0 or always_scale:
                    why = "quick mode" if always_scale else f"> {120.0 * minutes / 10.0:g} s predicted"
                    how = f"{t_short:.1f} s on {precheck_s:g} s, scaled linearly x{duration_s / precheck_s:g} ({why})"
                    if p.name == "bsp.abbink":   # each alarm searches from the signal start: quadratic
                        how += "; quadratic in length, so a lower bound"
                    peer_times[p.name] = (predicted, how)
                else:
                    peer_times[p.name] = (best_time(lambda: call(full), 1), "once")
            else:
                peer_times[p.name] = (best_time(lambda: call(full), repeats), f"best of {repeats}")
        except Exception as exc:
            peer_times[p.name] = (float("nan"), f"failed: {type(exc).__name__}: {exc}"[:120])
        log(f"  {p.name}: {peer_times[p.name][0]:.2f} s ({peer_times[p.name][1]})")
        rows.append({"detector": p.name, "family": p.family, "time_s": peer_times[p.name][0], "how": peer_times[p.name][1]})
    lines.append(f"after: {loadavg()}")
    fastest = min(ours, key=ours.get) if ours else None
    pairs = []
    for p in peers:
        t_p, how = peer_times[p.name]
        targets = [p.pair] if p.name not in ("bsp.find_onsets", "nk.emg_activation") else [fastest, "hodges_bui"]
        if p.name.endswith("(unit SD)"):
            continue
        need = 1000.0 if p.name in LOOP_TARGET else 20.0
        for m in dict.fromkeys(t for t in targets if t in ours):
            ratio = t_p / ours[m]
            pairs.append({"peer": p.name, "peer s": f"{t_p:.3f}", "cramplab": m, "cramplab ms": f"{ours[m] * 1e3:.1f}",
                          "ratio": f"{ratio:,.0f}x", "target": f">= {need:g}x",
                          "met": "yes" if ratio >= need else "NO", "peer timing": how})
    worst = max(ours.values()) if ours else float("nan")
    lines.append(f"slowest CrampLab detector: {max(ours, key=ours.get)} {worst:.3f} s on {minutes:g} min "
                 f"(target: well under 1 s)" if ours else "")
    return pd.DataFrame(rows), pd.DataFrame(pairs), lines


# --------------------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------------------

def plot(agg: pd.DataFrame, order: list[str], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = agg[agg["condition"] == "base"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.2))
    cmap = plt.get_cmap("tab20")
    for i, d in enumerate(order):
        r = a[a["detector"] == d].sort_values("snr_db")
        if r.empty:
            continue
        fam = r["family"].iloc[0]
        style = dict(color=cmap(i % 20), lw=1.8 if fam == "cramplab" else 1.3,
                     ls="-" if fam == "cramplab" else "--", marker="o" if fam == "cramplab" else "s", ms=3.5)
        ax1.plot(r["snr_db"], r["f1"], label=d, **style)
        ax2.plot(r["snr_db"], r["median_abs_ms"], label=d, **style)
    ax1.axhline(TARGET_F1, color="k", lw=0.8, ls=":")
    ax2.axhline(TARGET_MEDIAN_MS, color="k", lw=0.8, ls=":")
    ax1.set(xlabel="SNR (dB)", ylabel="F1 (onset within 50 ms)", ylim=(-0.02, 1.02), title="Detection")
    ax2.set(xlabel="SNR (dB)", ylabel="median |onset error| (ms), matched pairs", ylim=(0, 52), title="Timing")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    ax2.legend(fontsize=7, ncol=2, loc="upper right")
    fig.suptitle("Onset detectors on simulated bursts (rise 20-200 ms): CrampLab defaults, automatic rest window "
                 "(solid) vs NeuroKit2 / BioSPPy (dashed)", fontsize=10)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------------------------------

def parse_seeds(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 seed, 30-s trials, conditions at 10 dB only, 1-min speed "
                    "signal, 2+2 tuning seeds (< 3 min)")
    ap.add_argument("--seeds", type=int, default=None, help="seeds 1..N per cell (default 4; quick 1)")
    ap.add_argument("--duration-s", type=float, default=None, help="trial length (default 60; quick 30)")
    ap.add_argument("--detectors", default=None, help="comma list of CrampLab methods and peer names "
                    "(nk.emg_activation, bsp.find_onsets, bsp.hodges_bui, ...); default all")
    ap.add_argument("--peers", dest="peers", action="store_true", default=True, help="run NeuroKit2 and BioSPPy (default)")
    ap.add_argument("--no-peers", dest="peers", action="store_false")
    ap.add_argument("--no-rest-variant", action="store_true", help="skip the CrampLab runs with the known rest window")
    ap.add_argument("--conditions", default=",".join(CONDITIONS), help="condition rows (base always runs)")
    ap.add_argument("--abbink-s", type=float, default=10.0, help="BioSPPy's Abbink runs on the first ~N s of each trial "
                    "(its transition search is quadratic in the signal length)")
    ap.add_argument("--markdown", action="store_true", help="tables as Markdown")
    ap.add_argument("--plot", default=None, metavar="PATH", help="F1 and median onset error vs SNR (PNG)")
    ap.add_argument("--csv", default=None, metavar="PATH", help="the per-trial rows")
    ap.add_argument("--speed", dest="speed", action="store_true", default=True, help="speed section (default on)")
    ap.add_argument("--no-speed", dest="speed", action="store_false")
    ap.add_argument("--speed-minutes", type=float, default=None, help="speed signal length (default 10; quick 1)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per fast detector, best kept")
    ap.add_argument("--tune", dest="tune", action="store_true", default=True, help="re-tune missed defaults (default on)")
    ap.add_argument("--no-tune", dest="tune", action="store_false")
    ap.add_argument("--tune-seeds", default=None, help="tuning seeds (default 1-5; quick 1-2)")
    ap.add_argument("--heldout-seeds", default=None, help="held-out seeds (default 101-105; quick 101-102)")
    args = ap.parse_args(argv)

    n_seeds = args.seeds or (1 if args.quick else 4)
    duration_s = args.duration_s or (30.0 if args.quick else 60.0)
    minutes = args.speed_minutes or (1.0 if args.quick else 10.0)
    tune_seeds = parse_seeds(args.tune_seeds or ("1-2" if args.quick else "1-5"))
    heldout_seeds = parse_seeds(args.heldout_seeds or ("101-102" if args.quick else "101-105"))
    global CONDITION_SNRS_DB
    if args.quick:
        CONDITION_SNRS_DB = (10,)
    conditions = ["base"] + [c for c in args.conditions.split(",") if c and c != "base"]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        ap.error(f"unknown conditions {unknown} (known: {', '.join(CONDITIONS)})")

    methods = cramplab.onset_methods()
    peers, versions = peer_detectors(args.abbink_s) if args.peers else ([], {})
    if args.detectors:
        want = [w.strip() for w in args.detectors.split(",") if w.strip()]
        known = set(methods) | {p.name for p in peers}
        bad = [w for w in want if w not in known]
        if bad:
            ap.error(f"unknown detectors {bad} (known: {', '.join(sorted(known))})")
        methods = [m for m in methods if m in want]
        peers = [p for p in peers if p.name in want]
    detectors = [cramplab_detector(m, False) for m in methods]
    if not args.no_rest_variant:
        detectors += [cramplab_detector(m, True) for m in methods]
    detectors += peers

    out = sys.stdout
    md = args.markdown
    hdr = (lambda s: f"\n### {s}\n") if md else (lambda s: f"\n== {s} ==")
    seeds = list(range(1, n_seeds + 1))
    plan = trial_plan(seeds, conditions)
    log(f"{len(plan)} trials of {duration_s:g} s x {len(detectors)} detectors; {loadavg()}")
    t0 = time.perf_counter()
    trials, errs, scorer_issues = run_sweep(detectors, plan, duration_s, check=True)
    sweep_s = time.perf_counter() - t0
    agg = aggregate(trials, errs)
    if args.csv:
        trials.to_csv(args.csv, index=False)

    print(hdr("Setup"), file=out)
    print(f"cramplab {getattr(cramplab, '__version__', '?')}, " + ", ".join(f"{k} {v}" for k, v in versions.items())
          + f"; {n_seeds} seed(s) x {duration_s:g}-s trials at {FS_HZ:g} Hz, tolerance {TOLERANCE_S * 1e3:g} ms; "
          f"F1 pooled over trials (summed TP/FP/FN), median |onset error| over all matched pairs; known rest "
          f"{REST_S[0]:g}-{REST_S[1]:g} s; sweep {sweep_s:.0f} s.", file=out)
    print("scorer check (cramplab.evaluate_onsets vs the independent matcher, first trial, every detector): "
          + ("agree" if not scorer_issues else "DISAGREE: " + "; ".join(scorer_issues)), file=out)
    for c in conditions:
        print(f"- {c}: {CONDITION_TEXT[c]}", file=out)

    headline = [m for m in methods] + [p.name for p in peers]
    print(hdr("Base condition, F1 / median |onset error| ms per SNR (CrampLab defaults, automatic rest window; "
              "* = best at that SNR)"), file=out)
    print(render(snr_table(agg, headline), md), file=out)
    a = agg[(agg["condition"] == "base") & agg["detector"].isin(headline)]
    bias = a.pivot_table(index="detector", columns="snr_db", values="bias_ms", sort=False).reindex(headline)
    bias.columns = [f"{c:g} dB" for c in bias.columns]
    print(hdr("Mean signed onset error (detected - true, ms, matched pairs), base condition"), file=out)
    print(render(bias.round(1).reset_index(), md), file=out)
    if not args.no_rest_variant:
        print(hdr("CrampLab defaults with the known rest window given (F1 / median ms)"), file=out)
        print(render(snr_table(agg, [f"{m} [rest]" for m in methods], flag=False), md), file=out)
    if len(conditions) > 1:
        print(hdr("Condition effects (F1 / median ms) at " + " and ".join(f"{s:g}" for s in CONDITION_SNRS_DB) + " dB"),
              file=out)
        print(render(condition_table(agg, headline), md), file=out)
    fails = agg.groupby("detector")["failures"].sum()
    fails = fails[fails > 0]
    if len(fails):
        print("peer failures (exception; counted as no detections): " +
              ", ".join(f"{d} {n}" for d, n in fails.items()), file=out)
        errors = trials[trials["failed"]].groupby("detector")["error"].first()
        for d, e in errors.items():
            print(f"  {d}: {e}", file=out)
    print(hdr("Targets"), file=out)
    for line in targets_report(agg, methods, [p.name for p in peers]):
        print("- " + line, file=out)
    if args.plot:
        plot(agg, headline, args.plot)
        log(f"plot written to {args.plot}")

    if args.tune and methods:
        base = agg[(agg["condition"] == "base") & (agg["snr_db"] >= 10) & agg["detector"].isin(methods)]
        miss = [m for m in methods if any((r["f1"] < TARGET_F1 or r["median_abs_ms"] > TARGET_MEDIAN_MS)
                                          for _, r in base[base["detector"] == m].iterrows())]
        print(hdr(f"Re-tuning defaults (tuning seeds {tune_seeds[0]}-{tune_seeds[-1]}, held-out "
                  f"{heldout_seeds[0]}-{heldout_seeds[-1]}, base condition, automatic rest window)"), file=out)
        if miss:
            t1 = time.perf_counter()
            table, recs = retune(miss, tune_seeds, heldout_seeds, duration_s)
            print(f"grid: threshold x post.min_active_s {MIN_ACTIVE_GRID} x baseline.length_s {BASELINE_LENGTH_GRID}; "
                  f"merit = (SNRs >= 10 dB meeting both targets, mean F1, -mean median error); {time.perf_counter() - t1:.0f} s",
                  file=out)
            for r in recs:
                print("- " + r, file=out)
            print(render(table[table["alternative"] != "(default)"], md) if (table["alternative"] != "(default)").any()
                  else "(no detector changed)", file=out)
        else:
            print("every CrampLab detector meets the targets at SNR >= 10 dB: nothing to tune", file=out)

    if args.speed and methods:
        precheck_s = 15.0 if minutes <= 1.0 else 60.0
        rows, pairs, lines = speed(methods, peers, minutes, precheck_s, args.repeats, always_scale=args.quick)
        print(hdr(f"Speed ({minutes:g}-min 2-kHz channel, band-pass included on both sides, CrampLab 1 thread)"), file=out)
        for line in lines:
            print(line, file=out)
        rows = rows.assign(time_s=rows["time_s"].map(lambda v: f"{v:.4f}"))
        print(render(rows, md), file=out)
        if len(pairs):
            print(hdr("Speed ratios (peer time / CrampLab time)"), file=out)
            print(render(pairs, md), file=out)
    log(f"done in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
