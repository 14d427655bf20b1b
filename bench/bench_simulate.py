#!/usr/bin/env python3
"""Time the simulator: the shipped default study and a 40-subject x 3-condition study written by
`cramplab simulate study` with 1 and 2 jobs (checking that the files are byte-identical), the
signal generation alone (no file writes) from Python, and the burst simulators of the peers
(NeuroKit2's ``emg_simulate``) on the same signal length when they are installed.

Run from the repository root with the extension on the path, e.g.::

    PYTHONPATH=build/python .venv/bin/python bench/bench_simulate.py --markdown
"""
from __future__ import annotations

import argparse
import filecmp
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import cramplab.simulate as sim

REPO = pathlib.Path(__file__).resolve().parents[1]
EXE = pathlib.Path(os.environ.get("CRAMPLAB_EXE", REPO / "build" / "tools" / "cramplab"))

DEFAULT_STUDY = ["--study.preset", "hydration", "--study.n_subjects", "12", "--study.seed", "20261202",
                 "--ladder.rest_s", "10", "--session.post_s", "20", "--afterdischarge.duration_min_s", "4",
                 "--afterdischarge.duration_max_s", "15", "--hum.amplitude", "5e-6"]
BIG_STUDY = ["--study.n_subjects", "40", "--study.condition", "dehydrated,0,-2,0.3,1.025,0.004",
             "--study.condition", "water,-5.1,-2,0.3,1.022,0.004", "--study.condition", "ors,5.4,-2,0.3,1.018,0.004",
             "--study.seed", "7"]


def folder_bytes(path: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def same_files(a: pathlib.Path, b: pathlib.Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files) and \
        len(files) == sum(1 for p in b.rglob("*") if p.is_file())


def time_cli(args: list[str], jobs: int, out: pathlib.Path, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([str(EXE), "simulate", "study", *args, "--jobs", str(jobs), "-q", "-o", str(out)], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=2, help="runs per measurement, best kept")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    if not EXE.exists():
        print(f"cramplab binary not found at {EXE} (set CRAMPLAB_EXE)", file=sys.stderr)
        return 2

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for name, study_args in (("default study (12 x 2)", DEFAULT_STUDY), ("40 subjects x 3 conditions", BIG_STUDY)):
            t1 = time_cli(study_args, 1, tmp / "j1", args.repeats)
            t2 = time_cli(study_args, 2, tmp / "j2", args.repeats)
            manifest = (tmp / "j1" / "manifest.tsv").read_text().splitlines()
            rows.append((name, len(manifest) - 1, folder_bytes(tmp / "j1") / 1e6, t1, t2, same_files(tmp / "j1", tmp / "j2")))

        # generation alone: the 40 x 3 plan's sessions simulated in this process, no files
        plan_kw = dict(conditions=[{"name": "dehydrated", "ctf_shift_hz": 0}, {"name": "water", "ctf_shift_hz": -5.1},
                                   {"name": "ors", "ctf_shift_hz": 5.4}], study={"n_subjects": 40}, seed=7)
        plan = sim.plan_study(**plan_kw)
        t0 = time.perf_counter()
        n_samples = 0
        for ctf, seed in zip(plan.true_ctf_hz, plan.seed):
            (rec, _), = sim.session(ctf_hz=float(ctf), seed=int(seed))
            n_samples += rec.data.shape[1]
        gen_s = time.perf_counter() - t0

    peer_rows = []
    duration_s, fs = 60.0, 2000.0
    t0 = time.perf_counter()
    for s in range(10):
        sim.bursts(seed=s, bursts={"duration_s": duration_s, "fs_hz": fs})
    ours = (time.perf_counter() - t0) / 10
    try:
        nk = importlib.import_module("neurokit2")
        t0 = time.perf_counter()
        for s in range(3):
            nk.emg_simulate(duration=int(duration_s), sampling_rate=int(fs), burst_number=12, random_state=s)
        theirs = (time.perf_counter() - t0) / 3
        peer_rows.append(("neurokit2.emg_simulate", theirs, ours))
    except ImportError:
        peer_rows.append(("neurokit2.emg_simulate (not installed)", float("nan"), ours))

    if args.markdown:
        print("| study | recordings | size MB | 1 job s | 2 jobs s | speed-up | files identical |")
        print("|---|---|---|---|---|---|---|")
        for name, n, mb, t1, t2, same in rows:
            print(f"| {name} | {n} | {mb:.1f} | {t1:.2f} | {t2:.2f} | {t1 / t2:.2f}x | {'yes' if same else 'NO'} |")
        print(f"\nSignal generation alone (40 x 3 sessions, {n_samples / 1e6:.0f} M samples, 1 thread, no files): "
              f"{gen_s:.2f} s = {1e9 * gen_s / n_samples:.1f} ns per sample.\n")
        print("| 60-s burst trial at 2 kHz | peer s | CrampLab s | ratio |")
        print("|---|---|---|---|")
        for name, theirs, o in peer_rows:
            print(f"| {name} | {theirs:.4f} | {o:.4f} | {theirs / o:.1f}x |")
    else:
        for name, n, mb, t1, t2, same in rows:
            print(f"{name}: {n} recordings, {mb:.1f} MB; 1 job {t1:.2f} s, 2 jobs {t2:.2f} s "
                  f"({t1 / t2:.2f}x); files identical: {same}")
        print(f"generation alone: {gen_s:.2f} s for {n_samples / 1e6:.0f} M samples "
              f"({1e9 * gen_s / n_samples:.1f} ns/sample)")
        for name, theirs, o in peer_rows:
            print(f"{name}: {theirs:.4f} s vs CrampLab {o:.4f} s ({theirs / o:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
