"""Shared pytest fixtures: the real recordings in datasets/ and seeded synthetic signals.

The loaders here use only NumPy/SciPy (independent of CrampLab's own readers) so that parity
tests compare CrampLab against SciPy on exactly the same samples.
"""
from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest

REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
DATASETS = REPO / "datasets" / "real"

#: fs values the parity tests sweep (issue #2)
FS_VALUES = (250.0, 1000.0, 2000.0, 2048.0, 4000.0, 10000.0)


def _edf_signals(path: pathlib.Path):
    """Minimal EDF reader for tests: returns (physical signals list, fs list, labels)."""
    raw = path.read_bytes()
    n_header = int(raw[184:192])
    n_records = int(raw[236:244])
    record_s = float(raw[244:252])
    ns = int(raw[252:256])
    off = 256

    def field(width):
        nonlocal off
        vals = [raw[off + i * width: off + (i + 1) * width].decode("ascii").strip() for i in range(ns)]
        off += ns * width
        return vals

    labels = field(16)
    field(80)  # transducer
    field(8)  # physical dimension
    pmin = np.array(field(8), float)
    pmax = np.array(field(8), float)
    dmin = np.array(field(8), float)
    dmax = np.array(field(8), float)
    field(80)  # prefiltering
    nsamp = np.array(field(8), int)
    data = np.frombuffer(raw, dtype="<i2", offset=n_header).reshape(n_records, -1)
    gain = (pmax - pmin) / (dmax - dmin)
    starts = np.concatenate([[0], np.cumsum(nsamp)])
    sigs = [(data[:, starts[i]:starts[i + 1]].reshape(-1).astype(float) - dmin[i]) * gain[i] + pmin[i]
            for i in range(ns)]
    return sigs, [n / record_s for n in nsamp], labels


def _load(name: str):
    if name == "biosppy_emg1":
        x = np.loadtxt(DATASETS / "biosppy-examples" / "emg_1.txt", comments="#")
        return (x - x.mean())[None, :], 1000.0
    if name == "biosppy_emg_lowsnr":
        x = np.loadtxt(DATASETS / "biosppy-examples" / "emg.txt", comments="#")
        return (x - x.mean())[None, :], 1000.0
    if name.startswith("physionet_"):
        kind = name.split("_", 1)[1]
        # the .dat (int16, 10000 adu/mV) is exact; the .txt twins have corrupted lines (PROVENANCE.md)
        x = np.fromfile(DATASETS / "physionet-emgdb" / f"emg_{kind}.dat", dtype="<i2").astype(float)
        return x[None, :] / 10000.0 * 1e-3, 4000.0  # adu -> mV -> V
    if name == "uci_3Asen":
        x = np.loadtxt(DATASETS / "uci-lower-limb" / "3Asen.txt", skiprows=7)
        return np.ascontiguousarray(x[:, :4].T) * 1e-3, 1000.0
    if name == "pyomeca_shoulder":
        x = np.genfromtxt(DATASETS / "pyomeca-shoulder-c3d" / "analogs.csv", delimiter=",", skip_header=5)
        return np.ascontiguousarray(x[:, 8:19].T), 2000.0  # EMG1..EMG11, volts
    if name == "emggo_ta":
        from scipy.io import loadmat

        m = loadmat(DATASETS / "emggo-samples" / "sample_data.mat", squeeze_me=True, struct_as_record=False)
        emg = m["EMG"]
        return np.asarray(emg.channelData, float).reshape(1, -1) * 1e-6, float(emg.fs)
    if name == "myonset_thumbs":
        sigs, fs, labels = _edf_signals(DATASETS / "myonset-rt-task" / "example_data.edf")
        exg = [s for s, lab in zip(sigs, labels) if lab.startswith("EXG")]
        bipolar = np.vstack([exg[0] - exg[1], exg[2] - exg[3]]) * 1e-6
        return bipolar, fs[0]
    raise KeyError(name)


#: name -> (data (channels, samples) float64, fs_hz). fs covers 250, 1000, 2000, 2048, 4000 Hz.
REAL_RECORDINGS = ("biosppy_emg1", "biosppy_emg_lowsnr", "physionet_healthy", "physionet_myopathy",
                   "uci_3Asen", "pyomeca_shoulder", "emggo_ta", "myonset_thumbs")

_cache: dict[str, tuple[np.ndarray, float]] = {}


def load_real(name: str) -> tuple[np.ndarray, float]:
    """Load a shipped real recording as (channels x samples float64 C-contiguous, fs_hz)."""
    if name not in _cache:
        x, fs = _load(name)
        _cache[name] = (np.ascontiguousarray(x, dtype=np.float64), float(fs))
    x, fs = _cache[name]
    return x.copy(), fs


@pytest.fixture(params=REAL_RECORDINGS)
def real_recording(request):
    """Each shipped real recording: (name, data, fs_hz)."""
    x, fs = load_real(request.param)
    return request.param, x, fs


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


def rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x))))
