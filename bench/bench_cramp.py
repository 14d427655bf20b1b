#!/usr/bin/env python3
"""Time CrampLab's cramp analysis against the fastest equivalent paths built from SciPy/NumPy,
NeuroKit2 and BioSPPy on the same simulated EIC trial in one process, and print the ratios; then
time a simulated study of about 600 trains through ``cramplab cramp`` and a Python loop.

The trial is the one of bench/bench_cramp.cpp (Google Benchmark, per-stage C++ numbers, run and
parsed here when it is built): 2 kHz, SNR 20 dB, 5 s before the first train, a 4, 6, ..., 12 Hz
ladder of 5-s trains with 6 s of rest (all five delivered), 5 s after the last, cramps from 8 Hz
on (afterdischarges of 2-4 s), seed 7: 58.3 s, 200 pulses. Every path does the same four stages
on the EMG channel alone (no stored pulses): pulse detection from the artefacts, artefact
suppression, M-wave measures per pulse and the cramp decision per train (baseline, band-pass,
envelope, thresholds, minimum duration, gaps). Each path's pulses and decisions are compared
with CrampLab's and the simulator's truth, and a path that disagrees is still timed but flagged.
Timings are the best of ``--repeats`` runs (time.perf_counter) after one warm-up run; nothing
passes or fails on time.

Run from the repository root with the extension on the path, e.g.::

    PYTHONPATH=build/python .venv/bin/python bench/bench_cramp.py --markdown
    PYTHONPATH=build/python .venv/bin/python bench/bench_cramp.py --quick     # smoke run, < 1 min
"""
from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import importlib.metadata
import json
import math
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import scipy
import scipy.signal

import cramplab
import cramplab.simulate as sim

REPO = pathlib.Path(__file__).resolve().parents[1]

# ---- the workload (the same trial as bench/bench_cramp.cpp) --------------------------------

TRIAL = dict(ctf_hz=8.0, seed=7,
             session={"fs_hz": 2000.0, "snr_db": 20.0, "pre_s": 5.0, "post_s": 5.0},
             ladder={"start_hz": 4.0, "step_hz": 2.0, "max_hz": 12.0, "train_duration_s": 5.0, "rest_s": 6.0,
                     "stop_at_first_cramp": False},
             afterdischarge={"duration_min_s": 2.0, "duration_max_s": 4.0})
CRAMPLAB_PARAMS = {"find.source": "emg"}

# The ~600-train study: the shipped default study's settings (bench/bench_simulate.py) with more
# subjects; the hydration preset's ladders run 4 Hz up to each session's CTF in 2-Hz steps.
STUDY = dict(preset="hydration", seed=20261202,
             params={"ladder.rest_s": 10, "session.post_s": 20, "afterdischarge.duration_min_s": 4,
                     "afterdischarge.duration_max_s": 15, "hum.amplitude": 5e-6})
STUDY_SUBJECTS = 27      # 54 sessions, about 600 trains (the count is read from truth/sessions.tsv)
QUICK_SUBJECTS = 3


@dataclass(frozen=True)
class PeerParams:
    """The parameters every peer uses: CrampLab's defaults where a peer has the same notion."""
    threshold_mad: float = 12.0      # pulses: |diff| above median + k 1.4826 MAD
    refractory_s: float = 0.005      # 0.5 / pulses.max_frequency_hz (100 Hz)
    shape_s: float = 0.002           # pulses.shape_window_s
    min_step_fraction: float = 0.5   # pulses.min_step_fraction
    local_s: float = 0.05            # half-width of the local floor (pulses.local_window_s)
    local_threshold_mad: float = 8.0 # pulses.local_threshold_mad
    train_gap_s: float = 1.0         # trains.max_gap_s
    min_pulses: int = 3              # trains.min_pulses
    blank_pre_s: float = 0.2e-3      # suppress.pre_s
    blank_s: float = 3e-3            # suppress.blank_s
    mw_start_s: float = 2e-3         # mwave.window_start_s
    mw_end_s: float = 25e-3          # mwave.window_end_s
    mw_base_s: float = 5e-3          # mwave.baseline_s
    mw_base_end_s: float = 0.5e-3    # mwave.baseline_end_s
    mw_onset_sd: float = 3.0         # mwave.onset_sd
    band_hz: tuple[float, float] = (20.0, 450.0)
    order: int = 4
    window_s: float = 0.1            # cramp.window_s (moving RMS)
    baseline: tuple[float, float] = (-2.0, -0.1)   # cramp.baseline_start_s, baseline_end_s
    k_on: float = 3.0
    k_off: float = 2.0
    blank_after_s: float = 0.1       # cramp.blank_s
    onset_within_s: float = 0.5
    min_duration_s: float = 1.0
    max_gap_s: float = 0.2
    post_window_s: float = 30.0


P = PeerParams()


# ---- shared NumPy stages: pulses, trains, blanking, M-waves (no Python loop per pulse) --------


def np_pulses(x: np.ndarray, fs: float) -> np.ndarray:
    """Artefact onsets: peaks of |diff(x)| above a MAD threshold, one per refractory period."""
    d = np.abs(np.diff(x))
    med = np.median(d)
    thr = med + P.threshold_mad * 1.4826 * np.median(np.abs(d - med))
    peaks, _ = scipy.signal.find_peaks(d, height=thr, distance=max(1, round(P.refractory_s * fs)))
    # The global MAD threshold alone also takes the steep phases of large M-waves (about 2.4 pulses per
    # pulse on this trial): keep the peaks whose step is at least half the range of x within
    # +-shape_s, as a spike jumps in a sample or two and an M-wave rises over several.
    h = max(2, round(P.shape_s * fs))
    win = x[np.clip(peaks[:, None] + np.arange(-h, h + 2)[None, :], 0, x.size - 1)]
    peaks = peaks[d[peaks] >= P.min_step_fraction * (win.max(axis=1) - win.min(axis=1))]
    # ... and those above a local MAD floor of |diff| (+-local_s), so cramp EMG does not trip it.
    L = round(P.local_s * fs)
    loc = d[np.clip(peaks[:, None] + np.arange(-L, L + 1)[None, :], 0, d.size - 1)]
    lmed = np.median(loc, axis=1)
    lmad = np.median(np.abs(loc - lmed[:, None]), axis=1)
    peaks = peaks[d[peaks] > lmed + P.local_threshold_mad * 1.4826 * lmad]
    # d[i] = |x[i+1] - x[i]|: the step lands on sample i+1. A biphasic spike has two steps within
    # the refractory period; find_peaks keeps the larger, so move back to the first large step.
    prev = np.maximum(peaks - 1, 0)
    first = np.where(d[prev] >= 0.3 * d[peaks], prev, peaks)
    return first + 1


def np_trains(pulses: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group pulses closer than train_gap_s: train id per pulse (-1 for groups below min_pulses),
    and the first and last pulse of every train."""
    if pulses.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = np.concatenate(([True], np.diff(pulses) > P.train_gap_s * fs))
    group = np.cumsum(new) - 1
    counts = np.bincount(group)
    keep = counts >= P.min_pulses
    remap = np.full(counts.size, -1)
    remap[keep] = np.arange(int(keep.sum()))
    ids = remap[group]
    starts = pulses[np.flatnonzero(new)][keep]
    ends = pulses[np.r_[np.flatnonzero(new)[1:] - 1, pulses.size - 1]][keep]
    return ids, starts, ends


def np_blank(x: np.ndarray, fs: float, pulses: np.ndarray) -> np.ndarray:
    """Blank [p - pre, p + blank] around every pulse and bridge it linearly (one np.interp)."""
    pre, post = round(P.blank_pre_s * fs), max(1, round(P.blank_s * fs))
    idx = (pulses[:, None] + np.arange(-pre, post)[None, :]).ravel()
    idx = idx[(idx >= 0) & (idx < x.size)]
    mask = np.zeros(x.size, bool)
    mask[idx] = True
    y = x.copy()
    good = np.flatnonzero(~mask)
    bad = np.flatnonzero(mask)
    y[bad] = np.interp(bad, good, x[good])
    return y


def np_mwaves(y: np.ndarray, fs: float, pulses: np.ndarray, ids: np.ndarray) -> dict[str, np.ndarray]:
    """Peak-to-peak over [p + 2 ms, p + 25 ms) and the onset latency (first |y - mu| above 3 SD of
    the train's pooled pre-pulse baseline [p - 5 ms, p - 0.5 ms)), all pulses at once."""
    sel = ids >= 0
    p, tid = pulses[sel], ids[sel]
    a, b = round(P.mw_start_s * fs), round(P.mw_end_s * fs)
    w = np.clip(p[:, None] + np.arange(a, b)[None, :], 0, y.size - 1)
    win = y[w]
    p2p = win.max(axis=1) - win.min(axis=1)
    bw = np.clip(p[:, None] + np.arange(-round(P.mw_base_s * fs), -round(P.mw_base_end_s * fs))[None, :], 0, y.size - 1)
    base = y[bw]
    n_t = int(tid.max()) + 1 if tid.size else 0
    cnt = np.bincount(tid, minlength=n_t) * base.shape[1]
    mu = np.bincount(tid, base.sum(axis=1), n_t) / cnt
    var = np.bincount(tid, (base * base).sum(axis=1), n_t) / cnt - mu * mu
    sd = np.sqrt(np.maximum(var, 0.0))
    above = np.abs(win - mu[tid, None]) > P.mw_onset_sd * sd[tid, None]
    first = np.argmax(above, axis=1)
    latency = np.where(above.any(axis=1), (a + first) / fs, np.nan)
    return {"peak_to_peak": p2p, "latency_s": latency}


def runs(active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-open [start, end) of every run of True."""
    d = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def decide(active: np.ndarray, onset_ok: int, fs: float) -> bool:
    """The shared cramp rule on an activity mask over the post-train window P (index 0 = start of
    P): an active run starts at or before onset_ok and, with gaps <= max_gap_s bridged, lasts at
    least min_duration_s."""
    s, e = runs(active)
    if s.size == 0 or s[0] > onset_ok:
        return False
    gap = s[1:] - e[:-1]
    brk = np.flatnonzero(gap > P.max_gap_s * fs)
    end = e[brk[0]] if brk.size else e[-1]
    return (end - s[0]) >= P.min_duration_s * fs


def windows(n: int, fs: float, starts: np.ndarray, ends: np.ndarray):
    """Per train: baseline [b0, b1) and post window [p0, p1) in samples, onset limit inside P."""
    out = []
    for k, (t0, t1) in enumerate(zip(starts, ends)):
        b0 = max(0, int(t0 + round(P.baseline[0] * fs)))
        b1 = int(t0 + round(P.baseline[1] * fs))
        p0 = int(t1 + round(P.blank_after_s * fs))
        p1 = min(n, int(t1 + round(P.post_window_s * fs)), int(starts[k + 1]) if k + 1 < starts.size else n)
        out.append((b0, b1, p0, p1, int(round((P.onset_within_s - P.blank_after_s) * fs))))
    return out


# ---- peer (a): SciPy/NumPy vectorised --------------------------------------------------------


def scipy_cramps(y: np.ndarray, fs: float, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Band-pass (sosfiltfilt), centred moving RMS by cumulative sums, thresholds from the
    baseline, onset within 0.5 s, sustained >= 1 s above the off-threshold with gaps <= 0.2 s."""
    sos = scipy.signal.butter(P.order, P.band_hz, btype="band", fs=fs, output="sos")
    z = scipy.signal.sosfiltfilt(sos, y)
    w = round(P.window_s * fs)
    c = np.concatenate(([0.0], np.cumsum(z * z)))
    env = np.full(z.size, np.nan)
    h = w // 2
    env[h:z.size - w + 1 + h] = np.sqrt(np.maximum(c[w:] - c[:-w], 0.0) / w)
    out = np.zeros(starts.size, bool)
    for k, (b0, b1, p0, p1, lim) in enumerate(windows(z.size, fs, starts, ends)):
        eb = env[b0:b1]
        mu, sd = np.nanmean(eb), np.nanstd(eb)
        ep = env[p0:p1]
        on = ep > mu + P.k_on * sd
        if not on[:lim + 1].any():
            continue
        o = int(np.argmax(on))
        active = np.zeros(ep.size, bool)
        active[o:] = ep[o:] > mu + P.k_off * sd
        out[k] = decide(active, lim, fs)
    return out


# ---- peer (b): NeuroKit2 for the activity part -------------------------------------------------


def neurokit_cramps(nk, y: np.ndarray, fs: float, starts: np.ndarray, ends: np.ndarray,
                    activation: bool = True) -> np.ndarray:
    """nk.emg_clean (100-Hz high-pass) -> nk.emg_amplitude (TKEO + linear envelope), then per
    train nk.emg_activation(method="threshold") on [baseline, post window] with the threshold
    mu_B + k_off sd_B of the amplitude; the shared rule on its activations (gaps bridged).
    activation=False: the same thresholds (on mu_B + k_on sd_B, off mu_B + k_off sd_B) applied
    with NumPy instead of emg_activation, whose per-sample pandas loop dominates its time."""
    clean = nk.emg_clean(y, sampling_rate=int(fs))
    amp = np.asarray(nk.emg_amplitude(clean, sampling_rate=int(fs)))
    out = np.zeros(starts.size, bool)
    for k, (b0, b1, p0, p1, lim) in enumerate(windows(amp.size, fs, starts, ends)):
        ab, ap = amp[b0:b1], amp[p0:p1]
        if not activation:
            mu, sd = np.mean(ab), np.std(ab)
            on = ap > mu + P.k_on * sd
            if on[:lim + 1].any():
                o = int(np.argmax(on))
                active = np.zeros(ap.size, bool)
                active[o:] = ap[o:] > mu + P.k_off * sd
                out[k] = decide(active, lim, fs)
            continue
        thr = float(np.mean(ab) + P.k_off * np.std(ab))
        seg = np.concatenate((ab, ap))          # baseline first: emg_activation wants rest before an onset
        if thr >= seg.max():                    # emg_activation raises when nothing reaches the threshold
            continue
        _, info = nk.emg_activation(emg_amplitude=seg, sampling_rate=int(fs), method="threshold", threshold=thr)
        active = np.zeros(seg.size, bool)
        for a, b in zip(info["EMG_Onsets"], info["EMG_Offsets"]):
            active[int(a):int(b)] = True
        out[k] = decide(active[ab.size:], lim, fs)
    return out


# ---- peer (c): BioSPPy for the activity part ---------------------------------------------------


def biosppy_cramps(bio, y: np.ndarray, fs: float, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """biosppy.signals.tools.filter_signal (Butterworth band-pass, zero phase), then per train
    biosppy.signals.emg.hodges_bui_onset_detector on [baseline, post window] (100-ms moving average
    of the rectified signal, test function in baseline SDs of that average, threshold k_off)."""
    tools, emg = bio
    z, _, _ = tools.filter_signal(signal=y, ftype="butter", band="bandpass", order=P.order,
                                  frequency=list(P.band_hz), sampling_rate=fs)
    w = round(P.window_s * fs)
    out = np.zeros(starts.size, bool)
    for k, (b0, b1, p0, p1, lim) in enumerate(windows(z.size, fs, starts, ends)):
        seg = np.concatenate((z[b0:b1], z[p0:p1]))
        seg = seg - seg.mean()
        rest = np.convolve(np.abs(seg[:b1 - b0]), np.ones(w) / w, mode="valid")
        _, tf = emg.hodges_bui_onset_detector(signal=seg, rest={"mean": rest.mean(), "std_dev": rest.std()},
                                              sampling_rate=fs, size=w, threshold=P.k_off)
        active = np.zeros(seg.size, bool)
        active[w // 2:w // 2 + tf.size] = tf >= P.k_off   # tf is a 'valid' moving average: centre it
        on = np.zeros(seg.size, bool)
        on[w // 2:w // 2 + tf.size] = tf >= P.k_on
        ap, onp = active[b1 - b0:], on[b1 - b0:]
        if not onp[:lim + 1].any():
            continue
        ap[:int(np.argmax(onp))] = False
        out[k] = decide(ap, lim, fs)
    return out


# ---- the paths -------------------------------------------------------------------------------


@dataclass
class Path:
    name: str
    stages: list[tuple[str, Callable[[dict], dict]]]
    note: str = ""
    note_ok: str = ""
    total_s: float = math.nan
    stage_s: dict[str, float] = field(default_factory=dict)
    result: dict = field(default_factory=dict)


def numpy_front(x: np.ndarray, fs: float) -> list[tuple[str, Callable[[dict], dict]]]:
    def pulses(s):
        s["pulses"] = np_pulses(x, fs)
        s["ids"], s["starts"], s["ends"] = np_trains(s["pulses"], fs)
        return s

    def blank(s):
        s["y"] = np_blank(x, fs, s["pulses"])
        return s

    def mwaves(s):
        s["mwaves"] = np_mwaves(s["y"], fs, s["pulses"], s["ids"])
        return s
    return [("pulses + trains", pulses), ("suppression", blank), ("M-waves", mwaves)]


def make_paths(x: np.ndarray, fs: float, log) -> tuple[list[Path], list[str]]:
    notes = []
    paths = [Path("SciPy/NumPy vectorised", numpy_front(x, fs) + [
        ("cramp decision", lambda s: {**s, "cramps": scipy_cramps(s["y"], fs, s["starts"], s["ends"])})],
        note_ok="butter + sosfiltfilt, cumsum moving RMS")]
    try:
        nk = importlib.import_module("neurokit2")
        paths.append(Path(f"NeuroKit2 {nk.__version__} + NumPy", numpy_front(x, fs) + [
            ("cramp decision", lambda s: {**s, "cramps": neurokit_cramps(nk, s["y"], fs, s["starts"], s["ends"])})],
            note_ok="emg_clean, emg_amplitude, emg_activation per train"))
        paths.append(Path(f"NeuroKit2 {nk.__version__} + NumPy thresholds", numpy_front(x, fs) + [
            ("cramp decision", lambda s: {**s, "cramps": neurokit_cramps(nk, s["y"], fs, s["starts"], s["ends"],
                                                                         activation=False)})],
            note_ok="emg_clean, emg_amplitude; thresholds in NumPy"))
    except ImportError:
        notes.append("neurokit2: not installed, skipped (scripts/bootstrap installs it)")
    try:
        bio = importlib.import_module("biosppy")
        bt, be = importlib.import_module("biosppy.signals.tools"), importlib.import_module("biosppy.signals.emg")
        version = importlib.metadata.version("biosppy")   # biosppy.__version__ lags the release
        paths.append(Path(f"BioSPPy {version} + NumPy", numpy_front(x, fs) + [
            ("cramp decision",
             lambda s: {**s, "cramps": biosppy_cramps((bt, be), s["y"], fs, s["starts"], s["ends"])})],
            note_ok="tools.filter_signal, emg.hodges_bui_onset_detector per train"))
    except (ImportError, importlib.metadata.PackageNotFoundError) as exc:
        notes.append(f"biosppy: not importable ({exc}), skipped")
    return paths, notes


def run_path(path: Path) -> dict:
    s: dict = {}
    for _, fn in path.stages:
        s = fn(s)
    return s


MIN_TIMED_S = 0.5   # fast calls are repeated beyond `repeats` until this much time is spent (<= 200 runs)


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Warm-up run (its output is returned), then the best wall time of at least `repeats` runs
    (more for fast calls, up to MIN_TIMED_S in total: the best of many is steadier under load)."""
    out = fn()
    best, spent, runs_done = math.inf, 0.0, 0
    while runs_done < repeats or (spent < MIN_TIMED_S and runs_done < 200):
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        best, spent, runs_done = min(best, t), spent + t, runs_done + 1
    return best, out


def time_path(path: Path, repeats: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path.total_s, path.result = best_of(lambda: run_path(path), repeats)
        s: dict = {}
        for name, fn in path.stages:
            before = dict(s)
            t, s = best_of(lambda fn=fn, before=before: fn(dict(before)), repeats)
            path.stage_s[name] = t


# ---- CrampLab --------------------------------------------------------------------------------


def cramplab_analyse():
    """cramplab.analyse_session (the public wrapper), or None while it does not exist."""
    fn = getattr(cramplab, "analyse_session", None)
    if fn is None:
        try:
            fn = importlib.import_module("cramplab.cramp").analyse_session
        except (ImportError, AttributeError):
            fn = None
    if fn is None and os.environ.get("BENCH_CRAMP_CORE"):   # before the wrapper exists: the binding
        core = getattr(getattr(cramplab._core, "detect", None), "analyse_session", None)
        if core is not None:
            return lambda rec, params: core(rec, params)
    return fn


def table(result: Any, name: str):
    """A result table by name from whatever analyse_session returns (object or mapping)."""
    t = result[name] if isinstance(result, dict) else getattr(result, name)
    return t


def n_rows(t: Any) -> int:
    """Rows of a DataFrame or of a dict of columns."""
    if isinstance(t, dict):
        return len(next(iter(t.values()))) if t else 0
    return len(t)


def cramplab_summary(result: Any) -> dict:
    pulses = table(result, "pulses")
    cramps = table(result, "cramps")
    mw = table(result, "mwaves")
    return {"n_pulses": n_rows(pulses), "cramps": np.asarray(cramps["cramp"], bool),
            "decided": np.asarray(cramps["decided"], bool), "frequency_hz": np.asarray(cramps["frequency_hz"], float),
            "peak_to_peak": np.asarray(mw["peak_to_peak"], float)}


def cpp_stages(build: pathlib.Path, log) -> tuple[list[tuple[str, float]], str]:
    exe = build / "bench" / "bench_cramp"
    if not exe.exists():
        return [], f"{exe} not built (cmake --build {build} --target bench_cramp): C++ per-stage numbers skipped"
    log(f"running {exe} ...")
    flags = ["--benchmark_format=json", "--benchmark_repetitions=3"]
    r = subprocess.run([str(exe), *flags, "--benchmark_min_time=0.5"], capture_output=True, text=True)
    if r.returncode != 0:  # Google Benchmark >= 1.8 may want the unit
        r = subprocess.run([str(exe), *flags, "--benchmark_min_time=0.5s"], capture_output=True, text=True)
    if r.returncode != 0:
        return [], f"{exe} failed (exit {r.returncode}): {r.stderr.strip()[-300:]}"
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    best: dict[str, float] = {}   # the best of the repetitions, like the Python side
    for b in json.loads(r.stdout)["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration":
            name = b.get("run_name", b["name"]).removeprefix("BM_")
            best[name] = min(best.get(name, math.inf), b["real_time"] * scale[b["time_unit"]])
    return list(best.items()), ""


# ---- the ~600-train study ------------------------------------------------------------------------


def study(exe: pathlib.Path, n_subjects: int, repeats: int, analyse, log) -> dict:
    out: dict = {"n_subjects": n_subjects}
    with tempfile.TemporaryDirectory(prefix="bench_cramp_") as tmp:
        tmp = pathlib.Path(tmp)
        d = tmp / "study"
        log(f"generating the study ({n_subjects} subjects x 2 sessions) ...")
        t0 = time.perf_counter()
        sim.write_study(d, preset=STUDY["preset"], seed=STUDY["seed"], jobs=2,
                        params={**STUDY["params"], "study.n_subjects": n_subjects})
        out["generate_s"] = time.perf_counter() - t0
        rows = [line.split("\t") for line in (d / "truth" / "sessions.tsv").read_text().splitlines()]
        col = rows[0].index("n_trains")
        out["n_trains"] = sum(int(r[col]) for r in rows[1:])
        files = sorted(str(p) for p in (d / "recordings").glob("*.h5"))
        out["n_files"] = len(files)
        out["samples"] = 0
        out["mb"] = sum(os.path.getsize(f) for f in files) / 1e6
        for jobs in (1, 2):
            if not exe.exists():
                out[f"cli{jobs}_error"] = f"{exe} not found (set CRAMPLAB_EXE or --build)"
                continue
            best = math.inf
            for _ in range(repeats):
                res = tmp / f"out{jobs}"
                shutil.rmtree(res, ignore_errors=True)
                t0 = time.perf_counter()
                r = subprocess.run([str(exe), "cramp", *files, "-o", str(res), "--jobs", str(jobs), "--quiet",
                                    "--find.source", "emg"], capture_output=True, text=True)
                t = time.perf_counter() - t0
                if r.returncode != 0:
                    out[f"cli{jobs}_error"] = f"exit {r.returncode}: {(r.stderr or r.stdout).strip()[-300:]}"
                    break
                best = min(best, t)
            out[f"cli{jobs}_s"] = best
        if (tmp / "out2" / "ctf.tsv").exists():
            lines = (tmp / "out2" / "ctf.tsv").read_text().splitlines()
            hdr = lines[0].split("\t")
            out["cli_trains_found"] = sum(int(line.split("\t")[hdr.index("n_trains")]) for line in lines[1:])
        if analyse is not None:
            threads = cramplab.get_num_threads()
            recs = []
            t0 = time.perf_counter()
            for f in files:
                recs.append(cramplab.read(f))
            out["read_s"] = time.perf_counter() - t0
            out["samples"] = sum(int(r.n_samples) for r in recs)
            best, found = math.inf, 0
            for _ in range(repeats):
                t0 = time.perf_counter()
                res = [analyse(r, params=CRAMPLAB_PARAMS) for r in recs]
                best = min(best, time.perf_counter() - t0)
                found = sum(n_rows(table(x, "cramps")) for x in res)
            out["py_s"] = best
            out["py_trains_found"] = found
            # the binding releases the GIL: two Python threads, one recording each at a time
            cramplab.set_num_threads(1)
            try:
                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    best = math.inf
                    for _ in range(repeats):
                        t0 = time.perf_counter()
                        res = list(pool.map(lambda r: analyse(r, params=CRAMPLAB_PARAMS), recs))
                        best = min(best, time.perf_counter() - t0)
            finally:
                cramplab.set_num_threads(threads)
            out["py2_s"] = best
    return out


# ---- output ------------------------------------------------------------------------------------


def fmt_t(s: float) -> str:
    if not math.isfinite(s):
        return "-"
    return f"{s * 1e3:.2f} ms" if s < 1.0 else f"{s:.2f} s"


def print_rows(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        t = [header] + rows
        w = [max(len(r[i]) for r in t) for i in range(len(header))]
        for j, r in enumerate(t):
            print("  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)))
            if j == 0:
                print("  ".join("-" * x for x in w))
    print()


def load() -> str:
    try:
        return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: 1 timed repeat, a {2 * QUICK_SUBJECTS}-session study instead of ~600 trains")
    ap.add_argument("--repeats", type=int, default=None,
                    help="timed runs per measurement after the warm-up, at least (default 5; --quick 1)")
    ap.add_argument("--markdown", action="store_true", help="print the tables as Markdown (docs/PERFORMANCE.md)")
    ap.add_argument("--build", default=None,
                    help="build directory with tools/cramplab and bench/bench_cramp "
                         "(default: that of $CRAMPLAB_EXE, else build)")
    ap.add_argument("--no-study", action="store_true", help="skip the study timing")
    ap.add_argument("--subjects", type=int, default=None,
                    help=f"study subjects (2 sessions each; default {STUDY_SUBJECTS})")
    args = ap.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 5)
    if repeats < 1:
        ap.error("--repeats must be >= 1")
    if args.build:
        build = pathlib.Path(args.build)
    elif "CRAMPLAB_EXE" in os.environ:
        build = pathlib.Path(os.environ["CRAMPLAB_EXE"]).resolve().parents[1]
    else:
        build = REPO / "build"
    exe = pathlib.Path(os.environ.get("CRAMPLAB_EXE", build / "tools" / "cramplab"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_before = load()
    (rec, truth), = sim.session(**TRIAL)
    x = np.ascontiguousarray(rec.data[0], dtype=np.float64)
    fs = float(rec.fs_hz)
    tt = truth.trains
    true_pulses = int(np.asarray(truth.pulses["sample"]).size) if "sample" in truth.pulses else int(sum(tt["n_pulses"]))
    true_cramps = np.asarray(tt["cramp"], bool)
    log(f"trial: {x.size / fs:.1f} s at {fs:g} Hz, {true_pulses} pulses in {len(true_cramps)} trains, "
        f"{int(true_cramps.sum())} cramps (truth)")

    paths, notes = make_paths(x, fs, log)
    # One untimed pass over every path (and CrampLab) first: glibc raises its mmap threshold only
    # after the first large frees, so whatever ran first would pay page faults for its ~1-MB
    # temporaries (measured: the first path timed ~40 % slower without this).
    analyse = cramplab_analyse()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in paths:
            run_path(p)
        if analyse is not None:
            analyse(rec, params=CRAMPLAB_PARAMS)

    # CrampLab
    ours: dict = {}
    cl_rows: list[tuple[str, float]] = []
    if analyse is None:
        log("cramplab.analyse_session not available in this build: only the C++ benchmark is timed")
    else:
        before = cramplab.get_num_threads()
        for n in (1, 2):
            cramplab.set_num_threads(n)
            t, res = best_of(lambda: analyse(rec, params=CRAMPLAB_PARAMS), repeats)
            cl_rows.append((f"cramplab.analyse_session, {n} thread{'s' if n > 1 else ''}", t))
        cramplab.set_num_threads(before)
        ours = cramplab_summary(res)
        core = getattr(getattr(cramplab._core, "detect", None), "analyse_session", None)
        if core is not None and core is not analyse:
            t, _ = best_of(lambda: core(rec, CRAMPLAB_PARAMS), repeats)
            cl_rows.append(("cramplab._core.detect.analyse_session (column dicts)", t))
    cl_time = min((t for _, t in cl_rows[:2]), default=math.nan)

    for p in paths:
        log(f"timing {p.name} ...")
        time_path(p, repeats)
        log(f"  {fmt_t(p.total_s)}")

    cpp, cpp_note = cpp_stages(build, log)
    if cpp_note:
        notes.append(cpp_note)
    cpp_time = dict(cpp).get("analyse_session", math.nan)

    st = None
    if not args.no_study:
        st = study(exe, args.subjects or (QUICK_SUBJECTS if args.quick else STUDY_SUBJECTS),
                   1 if args.quick else min(repeats, 3), analyse, log)
    load_after = load()

    # ---- report ----
    print(f"# Cramp analysis of one EIC trial ({x.size / fs:.1f} s, {fs:g} Hz, 1 channel, {true_pulses} pulses, "
          f"{len(true_cramps)} trains, {int(true_cramps.sum())} cramps); best of >= {repeats} runs after a warm-up "
          f"(fast calls: as many runs as fit in {MIN_TIMED_S:g} s, <= 200)\n")
    ref_cramps = ours.get("cramps", true_cramps)
    ref_name = "CrampLab" if ours else "truth"
    def ratio(t: float, ref: float) -> str:
        if not (math.isfinite(t) and math.isfinite(ref)):
            return "-"
        return f"{t / ref:.1f}x" if t / ref < 10 else f"{t / ref:.0f}x"
    hdr = ["path", "time per trial", "/ cramplab (Python)", "/ C++ analyse_session", "pulses found",
           f"cramp yes/no = {ref_name}", "M-wave p-p vs CrampLab (rel. diff)"]
    rows = []
    for name, t in cl_rows:
        rows.append([name, fmt_t(t), ratio(t, cl_time), ratio(t, cpp_time), str(ours["n_pulses"]),
                     f"{int((ours['cramps'] == true_cramps).sum())}/{true_cramps.size} vs truth", "-"])
    if math.isfinite(cpp_time):
        rows.append(["emg::detect::analyse_session, C++ (bench_cramp)", fmt_t(cpp_time), ratio(cpp_time, cl_time),
                     "1", "-", "-", "-"])
    for p in paths:
        r = p.result
        n_p = int(r["pulses"].size)
        c = r["cramps"]
        agree = (c.size == ref_cramps.size) and bool(np.all(c == ref_cramps))
        n_same = int(np.sum(c == ref_cramps)) if c.size == ref_cramps.size else 0
        p2p = "-"
        if ours and ours["peak_to_peak"].size == r["mwaves"]["peak_to_peak"].size:
            a, b = r["mwaves"]["peak_to_peak"], ours["peak_to_peak"]
            rel = np.abs(a - b) / np.abs(b)
            p2p = f"median {100 * np.nanmedian(rel):.2g} %, max {100 * np.nanmax(rel):.2g} %"
        ok_pulses = abs(n_p - (ours.get("n_pulses", true_pulses))) <= 3
        if not (agree and ok_pulses):
            p.note = "DISAGREES with " + ref_name + (f" (cramps {c.astype(int).tolist()} vs "
                                                    f"{ref_cramps.astype(int).tolist()})" if not agree else "") + \
                     (f" (pulses {n_p})" if not ok_pulses else "")
        rows.append([p.name, fmt_t(p.total_s), ratio(p.total_s, cl_time), ratio(p.total_s, cpp_time), str(n_p),
                     f"{n_same}/{ref_cramps.size}" + ("" if agree else " (DISAGREES)"), p2p])
    print_rows(hdr, rows, args.markdown)
    if paths:
        fastest = min(paths, key=lambda q: q.total_s)
        for label, ref in (("cramplab.analyse_session", cl_time), ("the C++ analyse_session", cpp_time)):
            if math.isfinite(ref):
                print(f"fastest peer: {fastest.name}, {fmt_t(fastest.total_s)}: {ratio(fastest.total_s, ref)} "
                      f"the time of {label} ({fmt_t(ref)}); target >= 100x")
        print()

    stage_names = [n for n, _ in paths[0].stages] if paths else []
    if paths:
        print("## Per stage (each stage timed alone on the previous stage's output)\n")
        print_rows(["path"] + stage_names,
                   [[p.name] + [fmt_t(p.stage_s[n]) for n in stage_names] for p in paths], args.markdown)
    if paths:
        print("Activity part of each peer (pulses, suppression and M-waves are the same NumPy code in all):")
        for p in paths:
            print(f"- {p.name}: {p.note_ok}")
        print()
    if cpp:
        print("## CrampLab C++ stages (bench/bench_cramp, Google Benchmark, same trial)\n")
        print_rows(["benchmark", "time"], [[n, fmt_t(t)] for n, t in cpp], args.markdown)

    if st is not None:
        print(f"## Study: {st['n_files']} recordings, {st['n_trains']} trains (truth), {st['mb']:.0f} MB on disk\n")
        srows = [["generation (cramplab.simulate.write_study, jobs 2; not counted)", fmt_t(st["generate_s"]), "-", "-"]]
        for jobs in (1, 2):
            if f"cli{jobs}_error" in st:
                srows.append([f"cramplab cramp --jobs {jobs}", "failed (see note)", "-", "-"])
                notes.append(f"cramplab cramp --jobs {jobs} failed: {st[f'cli{jobs}_error']}")
            else:
                t = st[f"cli{jobs}_s"]
                srows.append([f"cramplab cramp FILES -o DIR --jobs {jobs} --quiet --find.source emg", fmt_t(t),
                              f"{st['n_trains'] / t:.0f}", str(st.get("cli_trains_found", "?"))])
        if "py_s" in st:
            srows.append(["cramplab.read of every file (not counted below)", fmt_t(st["read_s"]), "-", "-"])
            srows.append(["Python loop: analyse_session per recording", fmt_t(st["py_s"]),
                          f"{st['n_trains'] / st['py_s']:.0f}", str(st["py_trains_found"])])
            srows.append(["the same over 2 Python threads (ThreadPoolExecutor; GIL released)", fmt_t(st["py2_s"]),
                          f"{st['n_trains'] / st['py2_s']:.0f}", str(st["py_trains_found"])])
        print_rows(["step", "time", "trains/s", "train rows"], srows, args.markdown)

    for p in paths:
        if p.note:
            print(f"WARNING: {p.name}: {p.note}")
    for n in notes:
        print(f"note: {n}")
    print(f"load average before / after: {load_before} / {load_after}; CPU: {cpu()}; Python {platform.python_version()}, "
          f"NumPy {np.__version__}, SciPy {scipy.__version__}, cramplab {cramplab.__version__}")
    return 0


def cpu() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} x {os.cpu_count()}"
    except OSError:
        pass
    return f"{platform.processor() or '?'} x {os.cpu_count()}"


if __name__ == "__main__":
    sys.exit(main())
