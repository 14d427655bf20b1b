#!/usr/bin/env python3
"""Time SciPy/NumPy and CrampLab on the same arrays in one process and print the speed ratios.

Workloads (the issue's): 8 channels x 1 h at 2048 Hz float64 (seeded Gaussian noise) and a 60-s
single-channel trial at 2000 Hz. ``--quick`` shrinks the long workload to 8 channels x 5 min.
Every timing is the best of ``--repeats`` runs (time.perf_counter) after one warm-up run whose
output is kept to check that the peer and CrampLab agree.

Run from the repository root with the extension on the path, e.g.::

    PYTHONPATH=build/python .venv/bin/python bench/compare_peers.py --markdown
"""
from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy
import scipy.signal
import scipy.stats

# ---- workloads and parameters --------------------------------------------------------------

LONG_FS_HZ = 2048.0
TRIAL_FS_HZ = 2000.0
N_CHANNELS = 8
BAND_HZ = (20.0, 450.0)
WELCH_NPERSEG = 512
FATIGUE = dict(window_s=1.0, step_s=0.5, segment_s=0.25, low_hz=20.0, high_hz=450.0)
RMS_WINDOW_S = 0.1

# Targets from the issue: (minimum ratio with 1 thread, minimum ratio with 2 threads).
TARGETS = {
    "sosfiltfilt": (5.0, 8.0),
    "welch": (10.0, 10.0),
    "fatigue_series": (10.0, 10.0),
    "moving_rms": (4.0, 4.0),
}


@dataclass
class Row:
    operation: str
    workload: str
    peer: str
    peer_s: float = math.nan
    one_s: float = math.nan
    two_s: float = math.nan
    max_diff: float = math.nan
    diff_kind: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio1(self) -> float:
        return self.peer_s / self.one_s

    @property
    def ratio2(self) -> float:
        return self.peer_s / self.two_s


def best_of(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Warm-up run (its output is returned), then the best wall time of `repeats` runs."""
    out = fn()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = fn()
        best = min(best, time.perf_counter() - t0)
        del r
    return best, out


def max_rel(a, b, scale: float | None = None) -> float:
    """max |a - b| divided by `scale` (default max |b|)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        if a.size != b.size:
            raise ValueError(f"shape mismatch: cramplab {a.shape} vs peer {b.shape}")
        a = a.reshape(b.shape)
    s = float(np.max(np.abs(b))) if scale is None else scale
    return float(np.max(np.abs(a - b))) / s


# ---- the peers, written the natural NumPy/SciPy way ----------------------------------------


def numpy_moving_rms(x: np.ndarray, w: int) -> np.ndarray:
    """Trailing moving RMS of the fully covered part by the cumulative-sum method."""
    c = np.zeros(x.shape[:-1] + (x.shape[-1] + 1,))
    np.cumsum(x * x, axis=-1, out=c[..., 1:])
    return np.sqrt((c[..., w:] - c[..., :-w]) / w)


def _epochs(x: np.ndarray, fs: float, window_s: float, step_s: float, segment_s: float):
    W, S, seg = round(window_s * fs), round(step_s * fs), round(segment_s * fs)
    return W, S, seg, (x.shape[-1] - W) // S + 1


def _band(f: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    df = f[1] - f[0]
    hi = min(high_hz, f[-1])
    return (f >= low_hz - 1e-9 * df) & (f <= hi + 1e-9 * df)


def _fatigue_metrics(psd, fb, rms, arv, times) -> dict[str, np.ndarray]:
    """MNF, MDF (as libemg's median_frequency: cumulative power at bin upper edges, linear
    interpolation inside the crossing bin) from band-limited PSDs (..., epochs, bins), then the
    OLS trend of every series with its 95 % CI."""
    df = fb[1] - fb[0]
    total = psd.sum(axis=-1)
    mnf = (psd * fb).sum(axis=-1) / total
    cum = np.cumsum(psd, axis=-1)
    half = 0.5 * total
    i = np.minimum(np.argmax(cum >= half[..., None], axis=-1), fb.size - 1)
    p_i = np.take_along_axis(psd, i[..., None], axis=-1)[..., 0]
    below = np.where(i > 0, np.take_along_axis(cum, np.maximum(i - 1, 0)[..., None], axis=-1)[..., 0], 0.0)
    mdf = fb[i] - 0.5 * df + (half - below) / p_i * df
    out = dict(times_s=times, mnf_hz=mnf, mdf_hz=mdf, rms=rms, arv=arv)
    n_ep = times.size
    tq = scipy.stats.t.ppf(0.975, n_ep - 2)
    for name in ("mnf_hz", "mdf_hz", "rms", "arv"):
        trends = []
        for y in out[name].reshape(-1, n_ep):
            fit = scipy.stats.linregress(times, y)
            trends.append((fit.slope, fit.slope - tq * fit.stderr, fit.slope + tq * fit.stderr))
        out[name + "_trend"] = np.array(trends)
    return out


def scipy_fatigue_series(x: np.ndarray, fs: float, window_s: float, step_s: float, segment_s: float,
                         low_hz: float, high_hz: float) -> dict[str, np.ndarray]:
    """The natural way: a loop over epochs with scipy.signal.welch per epoch."""
    W, S, seg, n_ep = _epochs(x, fs, window_s, step_s, segment_s)
    lead = x.shape[:-1]
    psd = fb = None
    rms = np.empty(lead + (n_ep,))
    arv = np.empty(lead + (n_ep,))
    for e in range(n_ep):
        xe = x[..., e * S:e * S + W]
        f, p = scipy.signal.welch(xe, fs, nperseg=seg)
        if psd is None:
            band = _band(f, low_hz, high_hz)
            fb = f[band]
            psd = np.empty(lead + (n_ep, fb.size))
        psd[..., e, :] = p[..., band]
        rms[..., e] = np.sqrt(np.mean(xe * xe, axis=-1))
        arv[..., e] = np.mean(np.abs(xe), axis=-1)
    return _fatigue_metrics(psd, fb, rms, arv, (np.arange(n_ep) * S + 0.5 * W) / fs)


def scipy_fatigue_series_vectorised(x: np.ndarray, fs: float, window_s: float, step_s: float, segment_s: float,
                                    low_hz: float, high_hz: float) -> dict[str, np.ndarray]:
    """SciPy at its best: one welch call over a strided view of all epochs (more memory)."""
    W, S, seg, n_ep = _epochs(x, fs, window_s, step_s, segment_s)
    ep = np.lib.stride_tricks.sliding_window_view(x, W, axis=-1)[..., ::S, :]
    f, p = scipy.signal.welch(ep, fs, nperseg=seg, axis=-1)
    band = _band(f, low_hz, high_hz)
    rms = np.sqrt(np.mean(np.square(ep), axis=-1))
    arv = np.mean(np.abs(ep), axis=-1)
    return _fatigue_metrics(p[..., band], f[band], rms, arv, (np.arange(n_ep) * S + 0.5 * W) / fs)


# ---- the benchmark ---------------------------------------------------------------------------


def time_cramplab(cl, fn: Callable[[], object], repeats: int) -> tuple[float, float, object, object]:
    """Best time with 1 and with 2 threads; returns both outputs (they must be identical)."""
    before = cl.get_num_threads()
    try:
        cl.set_num_threads(1)
        t1, out1 = best_of(fn, repeats)
        cl.set_num_threads(2)
        t2, out2 = best_of(fn, repeats)
    finally:
        cl.set_num_threads(before)
    return t1, t2, out1, out2


def same_bits(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def run(args: argparse.Namespace, log) -> list[Row]:
    import cramplab as cl

    rng = np.random.default_rng(args.seed)
    long_s = 300.0 if args.quick else 3600.0
    n_long = int(long_s * LONG_FS_HZ)
    log(f"generating {N_CHANNELS} x {n_long} samples ({N_CHANNELS * n_long * 8 / 1e6:.0f} MB) ...")
    x = rng.standard_normal((N_CHANNELS, n_long))
    trial = rng.standard_normal(int(60 * TRIAL_FS_HZ))
    long_name = f"{N_CHANNELS} ch x {long_s / 60:g} min @ {LONG_FS_HZ:g} Hz"
    trial_name = f"1 ch x 60 s @ {TRIAL_FS_HZ:g} Hz"
    x_rms = float(np.sqrt(np.mean(x * x)))
    ops = set(args.ops.split(",")) if args.ops else None
    rows: list[Row] = []
    R = args.repeats
    info = args.info

    def wanted(op: str) -> bool:
        return ops is None or op in ops

    sos = scipy.signal.butter(4, BAND_HZ, btype="bandpass", output="sos", fs=LONG_FS_HZ)
    sos_cl = np.asarray(cl.butter(order=4, cutoff_hz=list(BAND_HZ), btype="bandpass", fs_hz=LONG_FS_HZ))
    info.append(f"butter(4, [20, 450] Hz, bandpass, fs 2048 Hz): max |cramplab - scipy| over the sos coefficients "
                f"{np.max(np.abs(sos_cl - sos)):.1e}; both sides filter with SciPy's sos")

    def record(row: Row, peer_fn, cl_fn, compare) -> tuple[object, object]:
        log(f"{row.operation} on {row.workload}: {row.peer} ...")
        row.peer_s, ref = best_of(peer_fn, R)
        log(f"  peer {row.peer_s:.3f} s; cramplab ...")
        row.one_s, row.two_s, out1, out2 = time_cramplab(cl, cl_fn, R)
        row.max_diff = compare(out1, ref)
        if not compare_threads(out1, out2):
            row.notes.append("1- and 2-thread outputs differ")
        log(f"  cramplab {row.one_s:.3f} s (1 thr), {row.two_s:.3f} s (2 thr); max diff {row.max_diff:.2e}")
        rows.append(row)
        return out1, ref

    def compare_threads(a, b) -> bool:
        if hasattr(a, "mnf_hz"):
            return all(same_bits(getattr(a, k), getattr(b, k)) for k in ("mnf_hz", "mdf_hz", "rms", "arv"))
        if hasattr(a, "power"):
            return same_bits(a.power, b.power)
        return same_bits(a, b)

    if wanted("sosfiltfilt"):
        record(Row("sosfiltfilt", long_name, "scipy.signal.sosfiltfilt", diff_kind="x RMS"),
               lambda: scipy.signal.sosfiltfilt(sos, x, axis=-1),
               lambda: cl.sosfiltfilt(sos, x),
               lambda a, b: max_rel(a, b, x_rms))
    if wanted("sosfilt"):
        record(Row("sosfilt", long_name, "scipy.signal.sosfilt", diff_kind="x RMS"),
               lambda: scipy.signal.sosfilt(sos, x, axis=-1),
               lambda: cl.sosfilt(sos, x),
               lambda a, b: max_rel(a, b, x_rms))
    if wanted("welch"):
        def cmp_welch(a, b):
            f, p = b
            if max_rel(a.freqs_hz, f) > 1e-12:
                raise ValueError("welch frequency grids differ")
            return max_rel(a.power, p)
        record(Row("welch", long_name, "scipy.signal.welch", diff_kind="max P"),
               lambda: scipy.signal.welch(x, LONG_FS_HZ, nperseg=WELCH_NPERSEG),
               lambda: cl.welch(x, fs_hz=LONG_FS_HZ, nperseg=WELCH_NPERSEG),
               cmp_welch)
    if wanted("fatigue_series"):
        def cmp_fatigue(a, b):
            if max_rel(a.times_s, b["times_s"]) > 1e-12:
                raise ValueError("fatigue_series epoch times differ")
            diffs = [max_rel(getattr(a, k), b[k]) for k in ("mnf_hz", "mdf_hz", "rms", "arv")]
            for k in ("mnf", "mdf", "rms", "arv"):
                trends = getattr(a, k + "_trend")
                trends = trends if isinstance(trends, (list, tuple)) else [trends]
                mine = [(t.slope, t.slope_ci_low, t.slope_ci_high) for t in trends]
                diffs.append(max_rel(mine, b[("mnf_hz" if k == "mnf" else "mdf_hz" if k == "mdf" else k) + "_trend"]))
            return max(diffs)
        peers = [("SciPy welch per epoch", scipy_fatigue_series)]
        if not args.no_vectorised:
            peers.append(("SciPy welch, all epochs at once", scipy_fatigue_series_vectorised))
        for data, fs, name in ((trial, TRIAL_FS_HZ, trial_name), (x, LONG_FS_HZ, long_name)):
            for peer_name, peer in peers:
                record(Row("fatigue_series", name, peer_name, diff_kind="max value"),
                       lambda data=data, fs=fs, peer=peer: peer(data, fs, **FATIGUE),
                       lambda data=data, fs=fs: cl.fatigue_series(data, fs_hz=fs, **FATIGUE),
                       cmp_fatigue)
    if wanted("moving_rms"):
        w = round(RMS_WINDOW_S * LONG_FS_HZ)
        mine, ref = record(Row("moving_rms", long_name, "NumPy cumsum", diff_kind="max value"),
                           lambda: numpy_moving_rms(x, w),
                           lambda: cl.moving_rms(x, fs_hz=LONG_FS_HZ, window_s=RMS_WINDOW_S, align="trailing"),
                           lambda a, b: max_rel(np.asarray(a)[..., w - 1:], b))
        # Which of the two is off: a direct sum per window over the last outputs, where a running
        # cumulative sum has drifted the most.
        tail = 4000
        windows = np.lib.stride_tricks.sliding_window_view(x[:, -(tail + w - 1):], w, axis=-1)
        direct = np.sqrt(np.mean(np.square(windows), axis=-1))
        info.append(f"moving_rms: max relative error against a direct per-window sum over the last {tail} "
                    f"samples: cramplab {np.max(np.abs(np.asarray(mine)[:, -tail:] / direct - 1)):.1e}, "
                    f"NumPy cumsum {np.max(np.abs(ref[:, -tail:] / direct - 1)):.1e}")
    return rows


def optional_peers() -> list[str]:
    """NeuroKit2 / BioSPPy / MNE filter through SciPy, so SciPy is the peer that sets the pace;
    they are looked for only to say so (never installed by this project)."""
    notes = []
    for name in ("neurokit2", "biosppy", "mne"):
        try:
            mod = importlib.import_module(name)
        except Exception:
            notes.append(f"{name}: not installed, skipped")
            continue
        notes.append(f"{name} {getattr(mod, '__version__', '?')}: installed; its Butterworth filtering and Welch PSD are built on SciPy, "
                     "so it is not timed separately")
    return notes


# ---- output --------------------------------------------------------------------------------


def fmt_time(s: float) -> str:
    if not math.isfinite(s):
        return "-"
    return f"{s * 1e3:.1f} ms" if s < 1.0 else f"{s:.2f} s"


def fmt_ratio(r: float) -> str:
    return "-" if not math.isfinite(r) else f"{r:.1f}x"


def met(row: Row) -> str:
    target = TARGETS.get(row.operation)
    if target is None:
        return "(no target)"
    ok = ["yes" if r >= t else "no" for r, t in zip((row.ratio1, row.ratio2), target)]
    if target[0] == target[1]:
        return f">= {target[0]:g}x: {ok[0]} / {ok[1]}"
    return f">= {target[0]:g}x / >= {target[1]:g}x: {ok[0]} / {ok[1]}"


HEADER = ["operation", "workload", "peer", "peer time", "cramplab 1 thr", "ratio", "cramplab 2 thr", "ratio",
          "max diff", "target (1 thr / 2 thr): met"]


def cells(row: Row) -> list[str]:
    return [row.operation, row.workload, row.peer, fmt_time(row.peer_s), fmt_time(row.one_s), fmt_ratio(row.ratio1),
            fmt_time(row.two_s), fmt_ratio(row.ratio2), f"{row.max_diff:.1e} ({row.diff_kind})", met(row)]


def print_table(rows: list[Row], markdown: bool) -> None:
    table = [HEADER] + [cells(r) for r in rows]
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(HEADER))) + "|")
        for r in table[1:]:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
        for j, r in enumerate(table):
            print("  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
            if j == 0:
                print("  ".join("-" * w for w in widths))
    print()
    print("max diff: max |cramplab - peer| over all outputs, divided by the input's RMS (filters), by the")
    print("peer's largest value (welch, moving_rms) or per fatigue output (MNF, MDF, RMS, ARV and the slope and")
    print("95 % CI of each trend; the largest).")
    print("ratio = peer time / cramplab time; every time is the best of the repeats after a warm-up run.")
    for r in rows:
        for n in r.notes:
            print(f"WARNING: {r.operation} ({r.workload}): {n}")


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import cramplab as cl
    return (f"CPU {cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, NumPy {np.__version__}, "
            f"SciPy {scipy.__version__}, cramplab {cl.__version__}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="8 ch x 5 min instead of 8 ch x 1 h (the trial is unchanged)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per measurement after the warm-up (default 3)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--ops", default="", help="comma-separated subset: sosfiltfilt,sosfilt,welch,fatigue_series,moving_rms")
    p.add_argument("--no-vectorised", action="store_true",
                   help="skip the second fatigue_series peer (one welch call over a strided view of all epochs)")
    p.add_argument("--seed", type=int, default=20260101, help="seed of the Gaussian test data")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be >= 1")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        import cramplab  # noqa: F401
    except ImportError as exc:
        print(f"cannot import cramplab ({exc}); run with PYTHONPATH=<build>/python", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    args.info = []
    rows = run(args, log)
    print(machine())
    print(f"repeats: best of {args.repeats} after a warm-up; total run {time.perf_counter() - t0:.0f} s")
    print()
    print_table(rows, args.markdown)
    for note in args.info + optional_peers():
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
