"""The Python surface as a whole: public names, keyword-only parameters, zero copies, the GIL,
threads and the exception types."""
import inspect
import threading
import time

import numpy as np
import pytest

import cramplab
from cramplab import _core

#: public names fixed by DESIGN.md §5b that this release provides
PUBLIC = [
    "butter", "iirnotch", "iirpeak", "sosfilt", "sosfilt_zi", "sosfiltfilt", "remove_mains",
    "rectify", "moving_rms", "moving_average", "linear_envelope", "tkeo", "arv", "iemg",
    "periodogram", "welch", "stft", "spectrogram", "mean_frequency", "median_frequency",
    "peak_frequency", "band_power", "spectral_moments", "fatigue_index_fi_nsm5", "fatigue_series",
    "Recording",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_exists_and_is_documented(name):
    obj = getattr(cramplab, name)
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 80, f"{name} needs a numpydoc docstring"
    if name != "Recording":
        assert "Parameters" in doc and "Returns" in doc, f"{name}: numpydoc sections missing"


def test_version_and_threads():
    assert cramplab.__version__.count(".") == 2
    n = cramplab.get_num_threads()
    assert n >= 1
    try:
        cramplab.set_num_threads(1)
        assert cramplab.get_num_threads() == 1
    finally:
        cramplab.set_num_threads(0)
    assert cramplab.get_num_threads() == n


def test_exception_hierarchy():
    assert issubclass(cramplab.IoError, OSError)
    assert issubclass(cramplab.FormatError, ValueError)
    assert issubclass(cramplab.ConfigError, ValueError)


def test_parameters_are_keyword_only():
    x = np.zeros(1000)
    with pytest.raises(TypeError):
        cramplab.butter(4, 20.0, "highpass", 1000.0)
    with pytest.raises(TypeError):
        cramplab.welch(x, 1000.0)
    with pytest.raises(TypeError):
        cramplab.moving_rms(x, 1000.0, 0.1)


def test_float64_c_contiguous_input_is_not_copied():
    x = np.zeros((2, 100))
    assert not _core._signal_is_copied(x)
    assert not _core._signal_is_copied(x[0])
    assert not _core._signal_is_copied(x[1:])  # row slice stays C-contiguous
    assert _core._signal_is_copied(np.asfortranarray(x))
    assert _core._signal_is_copied(x.astype(np.float32))
    assert _core._signal_is_copied(x[:, ::2])
    assert _core._signal_is_copied([1.0, 2.0, 3.0])


def test_outputs_never_alias_inputs():
    x = np.random.default_rng(0).normal(size=(2, 4000))
    before = x.copy()
    sos = cramplab.butter(order=2, cutoff_hz=[20.0, 450.0], btype="bandpass", fs_hz=2000.0)
    outputs = [
        cramplab.sosfiltfilt(sos, x), cramplab.sosfilt(sos, x), cramplab.rectify(x),
        cramplab.moving_rms(x, fs_hz=2000.0, window_s=0.1), cramplab.tkeo(x),
        cramplab.welch(x, fs_hz=2000.0).power,
    ]
    for y in outputs:
        assert not np.shares_memory(y, x)
    np.testing.assert_array_equal(x, before)


def test_long_calls_release_the_gil():
    """While a long C++ call runs in a thread, another Python thread keeps running."""
    x = np.random.default_rng(1).normal(size=(4, 2_000_000))
    sos = cramplab.butter(order=4, cutoff_hz=[20.0, 450.0], btype="bandpass", fs_hz=2048.0)
    ticks = 0
    done = threading.Event()

    def work():
        for _ in range(3):
            cramplab.sosfiltfilt(sos, x)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # With the GIL held for the whole call the loop would tick only a handful of times.
    assert ticks > 20, ticks


def test_all_lists_every_public_name_of_the_compiled_submodules():
    compiled = set()
    for sub in (_core.core, _core.filters, _core.amplitude, _core.mains, _core.spectral):
        compiled |= {n for n in dir(sub) if not n.startswith("_")}
    assert compiled <= set(cramplab.__all__), compiled - set(cramplab.__all__)
    for name in cramplab.__all__:
        assert hasattr(cramplab, name), name
