"""Recording store benchmark: cramplab's HDF5 writer/reader against h5py on the same data, one run.

Workload: 8 channels x 1 hour at 2048 Hz (float64 Gaussian noise in volts, seeded), and the same
shape as int16 ADC counts. Everything is timed with a warm page cache (best of --repeats runs
after one warm-up), so the numbers compare CPU work, not the disk. Results go to stdout as a
table; docs/PERFORMANCE.md "Recording store (HDF5)" holds a copy with the machine it ran on.

    PYTHONPATH=build/python .venv/bin/python bench/bench_io.py [--quick] [--repeats N] [--markdown]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

import h5py
import numpy as np

from cramplab._core import core as ccore
from cramplab._core import io as cio

FS_HZ = 2048.0
N_CH = 8


def best_of(fn, repeats):
    fn()  # warm-up (page cache, allocator)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="8 ch x 5 min instead of 8 ch x 1 h")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--dir", default=None, help="directory for the temporary files (default: system temp)")
    args = ap.parse_args()

    duration_s = 300.0 if args.quick else 3600.0
    n = int(duration_s * FS_HZ)
    rng = np.random.default_rng(20261122)
    x = rng.normal(scale=1e-4, size=(N_CH, n))
    conversion = 0.2 / 65536.0  # a 16-bit +-0.1 V ADC: exact counts below
    counts = np.clip(np.round(rng.normal(scale=600.0, size=(N_CH, n))), -32768, 32767)
    x_counts = counts * conversion + 0.0  # no fused multiply-add (the reader's expression); + 0.0 turns -0.0 into +0.0
    mb = x.nbytes / 1e6
    rec = ccore.Recording(x, fs_hz=FS_HZ)
    rec_counts = cio._store_recording(x_counts, fs_hz=FS_HZ,
                                      channels=[{"conversion": conversion, "offset": 0.0} for _ in range(N_CH)])
    tmp = tempfile.mkdtemp(prefix="cramplab_bench_io_", dir=args.dir)
    rows = []

    def row(what, seconds, ref=None, note=""):
        ratio = "" if ref is None else f"{ref / seconds:.2f}x"
        rows.append((what, seconds, mb / seconds / 1e3, ratio, note))
        log(f"{what}: {seconds * 1e3:.1f} ms {ratio} {note}")

    try:
        ours = os.path.join(tmp, "ours.h5")
        theirs = os.path.join(tmp, "h5py.h5")
        chunk = (N_CH, int(FS_HZ))

        def w_ours():
            cio.write(ours, rec, overwrite=True)

        def w_h5py():
            with h5py.File(theirs, "w") as f:
                f.create_dataset("data", data=x, chunks=chunk)

        t_wh = best_of(w_h5py, args.repeats)
        row("write float64: h5py (chunks 8 x 2048, no compression)", t_wh)
        row("write float64: cramplab.write (auto = none, chunk_s=1)", best_of(w_ours, args.repeats), t_wh)

        def r_h5py():
            with h5py.File(ours, "r") as f:
                return f["recording/data"][...]

        def r_ours():
            return cio.read(ours)

        t_rh = best_of(r_h5py, args.repeats)
        row("read float64: h5py f['recording/data'][...]", t_rh)
        t_full = best_of(r_ours, args.repeats)
        row("read float64: cramplab.read (full Recording)", t_full, t_rh)
        assert np.array_equal(cio.read(ours).data, x)
        t_cache = best_of(lambda: np.fromfile(ours, dtype=np.uint8), args.repeats)
        row("page cache: np.fromfile(file bytes) after a warm read", t_cache, t_rh,
            note=f"cramplab.read = {t_full / t_cache:.2f}x page-cache time")

        mid = duration_s / 2

        def win_ours():
            return cio.read(ours, start_s=mid, stop_s=mid + 1.0)

        def win_h5py():
            with h5py.File(ours, "r") as f:
                return f["recording/data"][:, int(mid * FS_HZ):int((mid + 1) * FS_HZ)]

        t_wh5 = best_of(win_h5py, args.repeats * 10)
        row("1-s window mid-recording: h5py", t_wh5)
        t_win = best_of(win_ours, args.repeats * 10)
        row("1-s window mid-recording: cramplab.read(start_s, stop_s)", t_win, t_wh5,
            note=f"{100 * t_win / t_full:.3f} % of the full read")
        assert np.array_equal(win_ours().data, win_h5py())

        for chunk_s in (0.25, 4.0):
            path = os.path.join(tmp, f"chunk{chunk_s}.h5")
            t_w = best_of(lambda: cio.write(path, rec, chunk_s=chunk_s, overwrite=True), args.repeats)
            row(f"write float64 chunk_s={chunk_s}", t_w, t_wh)
            row(f"read float64 chunk_s={chunk_s}", best_of(lambda: cio.read(path), args.repeats), t_rh)
            row(f"1-s window chunk_s={chunk_s}",
                best_of(lambda: cio.read(path, start_s=mid, stop_s=mid + 1.0), args.repeats * 10), t_wh5)

        # deflate on float noise, timed on the first tenth and scaled (the full hour takes minutes)
        tenth = n // 10
        rec10 = ccore.Recording(x[:, :tenth], fs_hz=FS_HZ)
        plain10, deflated = os.path.join(tmp, "plain10.h5"), os.path.join(tmp, "deflate.h5")
        cio.write(plain10, rec10)
        t_wd = 10 * best_of(lambda: cio.write(deflated, rec10, compression="deflate", overwrite=True), 1)
        size_none, size_defl = os.path.getsize(plain10), os.path.getsize(deflated)
        row("write float64 shuffle+deflate(1) (1/10 of the data, x10)", t_wd, t_wh,
            note=f"file {100 * size_defl / size_none:.1f} % of uncompressed")
        row("read float64 shuffle+deflate(1) (1/10 of the data, x10)", 10 * best_of(lambda: cio.read(deflated), 1), t_rh)

        # int16 ADC counts: shuffle+deflate (auto) against no compression
        ints_auto = os.path.join(tmp, "int_auto.h5")
        ints_none = os.path.join(tmp, "int_none.h5")
        rep = cio.write(ints_auto, rec_counts, overwrite=True)
        assert rep["sample_type"] == "int16", rep
        t_wi = best_of(lambda: cio.write(ints_auto, rec_counts, overwrite=True), args.repeats)
        t_wn = best_of(lambda: cio.write(ints_none, rec_counts, compression="none", overwrite=True), args.repeats)
        s_auto, s_none = os.path.getsize(ints_auto), os.path.getsize(ints_none)
        row("write int16 counts, none", t_wn, t_wh, note=f"file {s_none / 1e6:.1f} MB")
        row(f"write int16 counts, auto = {rep['compression']}", t_wi, t_wh,
            note=f"file {s_auto / 1e6:.1f} MB = {100 * s_auto / s_none:.1f} % of none")
        t_ri = best_of(lambda: cio.read(ints_auto), args.repeats)
        t_rn = best_of(lambda: cio.read(ints_none), args.repeats)
        row("read int16 counts, none (-> float64 volts)", t_rn, t_rh)
        row(f"read int16 counts, {rep['compression']} (-> float64 volts)", t_ri, t_rh)
        row("1-s window int16 counts, shuffle+deflate",
            best_of(lambda: cio.read(ints_auto, start_s=mid, stop_s=mid + 1.0), args.repeats * 10), t_wh5)
        assert np.array_equal(cio.read(ints_auto).data, x_counts)

        def r_h5py_int():
            with h5py.File(ints_auto, "r") as f:
                d = f["recording/data"]
                return d[...] * d.attrs["conversion"][:, None] + d.attrs["offset"][:, None]

        row("read int16 counts, shuffle+deflate: h5py + numpy scaling", best_of(r_h5py_int, args.repeats), t_rh)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load = os.getloadavg()
    head = f"8 ch x {duration_s:.0f} s at 2048 Hz ({mb:.0f} MB float64), best of {args.repeats}, warm page cache, " \
           f"load average {load[0]:.2f}"
    if args.markdown:
        print(head + "\n")
        print("| operation | time | GB/s (float64-equivalent) | ratio vs h5py | note |")
        print("|---|---:|---:|---:|---|")
        for what, s, gbs, ratio, note in rows:
            print(f"| {what} | {s * 1e3:.1f} ms | {gbs:.2f} | {ratio} | {note} |")
    else:
        print(head)
        for what, s, gbs, ratio, note in rows:
            print(f"{what:70s} {s * 1e3:9.1f} ms {gbs:6.2f} GB/s {ratio:>7s}  {note}")


if __name__ == "__main__":
    main()
