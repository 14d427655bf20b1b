"""Regenerate tests/data/fixtures/cramplab_v1*.h5: CrampLab files of format_version 1.

These fixtures are kept forever: every future cramplab must read them (tests/cpp/io_store_test.cpp
and tests/python/test_store.py check their exact contents). Only regenerate them when the
content below changes, never to "update" them to a newer format_version.

    PYTHONPATH=build/python .venv/bin/python tests/data/make_fixture_v1.py

cramplab_v1.h5        int16 ADC counts (shuffle+deflate), 3 channels x 2000 samples at 1000 Hz,
                      events, stimulation pulses and a train, history, attributes, a derived item.
cramplab_v1_float.h5  float64 samples (incl. -0.0 and a subnormal), filter cut-offs set, one
                      metrics item; the same events.
"""
from __future__ import annotations

import os

import numpy as np

from cramplab._core import io as cio

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

CONVERSION = [0.5e-6, 1e-6, 1e-3]
OFFSET = [0.0, 1e-3, 0.0]


def counts():
    """count of channel c at sample j: ((j * 37 + c * 1000) % 4001) - 2000."""
    j = np.arange(2000)
    return np.stack([((j * 37 + c * 1000) % 4001) - 2000 for c in range(3)]).astype(np.float64)


def int_recording():
    k = counts()
    data = np.stack([k[c] * CONVERSION[c] + OFFSET[c] for c in range(3)])
    channels = [
        {"name": "FHB", "target_muscle": "flexor hallucis brevis", "placement": "mid-belly", "reference": "ankle",
         "units": "V", "conversion": CONVERSION[0], "offset": OFFSET[0], "digital_min": -32768, "digital_max": 32767},
        {"name": "AH", "target_muscle": "abductor hallucis", "units": "V", "conversion": CONVERSION[1],
         "offset": OFFSET[1], "digital_min": -32768, "digital_max": 32767},
        {"name": "TRIG", "type": "TRIG", "units": "V", "conversion": CONVERSION[2], "offset": OFFSET[2]},
    ]
    return cio._store_recording(
        data, fs_hz=1000.0, start_time_s=2.5, channels=channels,
        events=[{"channel": -1, "start_sample": 500, "end_sample": 1500, "kind": "cramp", "source": "manual"},
                {"channel": 1, "start_sample": 1200, "end_sample": 1200, "kind": "marker", "source": "fixture"}],
        pulses=[100, 200, 300],
        trains=[{"train_id": 1, "start_sample": 100, "end_sample": 300, "frequency_hz": 10.0, "pulse_width_us": 200.0,
                 "intensity": 12.5, "n_pulses": 3}],
        history=["import(fixture)"],
        attributes={"subject": "S01", "source_format": "synthetic"})


def float_recording():
    j = np.arange(1000)
    data = np.stack([np.sin(2 * np.pi * 50 * j / 500.0) * 1e-4, np.cos(j / 7.0) * 3e-5])
    data[0, 0] = -0.0
    data[1, 0] = 5e-324
    channels = [{"name": "VL", "low_cutoff_hz": 20.0, "high_cutoff_hz": 200.0},
                {"name": "VM", "notch_hz": 50.0, "units": "mV"}]
    return cio._store_recording(
        data, fs_hz=500.0, channels=channels,
        events=[{"channel": 0, "start_sample": 10, "end_sample": 20, "kind": "onset", "source": "detector"}],
        history=["bandpass(low_hz=20, high_hz=200)"], attributes={"subject": "S02"})


def main():
    os.makedirs(OUT, exist_ok=True)
    rec = int_recording()
    rms = {"group": "derived", "name": "rms", "arrays": {"values": np.arange(8) + 0.5, "times_s": np.arange(8) * 0.25},
           "parameters": {"window_s": "0.25"}, "library_version": "0.1.0", "input_sha256": cio.data_sha256(rec)}
    report = cio.write(os.path.join(OUT, "cramplab_v1.h5"), rec, derived=[rms], overwrite=True)
    assert report["sample_type"] == "int16", report
    frec = float_recording()
    mdf = {"group": "metrics", "name": "fatigue/mdf", "arrays": {"mdf_hz": [[80.0, 79.5], [81.0, 78.0]]},
           "parameters": {"epoch_s": "1"}, "library_version": "0.1.0", "input_sha256": cio.data_sha256(frec)}
    report = cio.write(os.path.join(OUT, "cramplab_v1_float.h5"), frec, derived=[mdf], overwrite=True)
    assert report["sample_type"] == "float64", report
    for name in ("cramplab_v1.h5", "cramplab_v1_float.h5"):
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    main()
