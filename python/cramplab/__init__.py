"""CrampLab: EMG analysis for muscle-cramp and fatigue research.

NumPy in, NumPy out: signals are 1-D ``(n_samples,)`` or 2-D ``(n_channels, n_samples)``
float64 arrays with time on the last axis; every parameter after the data is keyword-only and
carries its unit in its name (``fs_hz``, ``window_s``). The numerical work happens in the C++
library libemg (``cramplab._core``) with the GIL released; functions that SciPy also has follow
SciPy's names and semantics and are tested against it.

Filters
    butter, iirnotch, iirpeak, sosfreqz, sosfilt, sosfilt_zi, sosfiltfilt, SosFilter,
    remove_mains, detect_line_frequency
Amplitude
    rectify, moving_rms, moving_average, linear_envelope, tkeo, arv, rms, iemg
Spectra
    get_window, periodogram, welch, stft, spectrogram, mean_frequency, median_frequency,
    peak_frequency, band_power, spectral_moments, fatigue_index_fi_nsm5, fatigue_series,
    linear_trend, student_t_ppf, fatigue_params, fatigue_table, trend_table
Data
    Recording, ChannelInfo, Event
"""
from __future__ import annotations

from . import _core
from ._core import ConfigError, FormatError, IoError, get_num_threads, set_num_threads
from ._core.amplitude import arv, iemg, linear_envelope, moving_average, moving_rms, rectify, rms, tkeo
from ._core.core import ChannelInfo, Event, Recording
from ._core.filters import SosFilter, butter, iirnotch, iirpeak, sosfilt, sosfilt_zi, sosfiltfilt, sosfreqz
from ._core.mains import MainsResult, detect_line_frequency, remove_mains
from ._core.spectral import (
    FatigueSeries,
    Psd,
    Spectrogram,
    Stft,
    Trend,
    band_power,
    fatigue_index_fi_nsm5,
    fatigue_params,
    fatigue_series,
    get_window,
    linear_trend,
    mean_frequency,
    median_frequency,
    peak_frequency,
    periodogram,
    spectral_moments,
    spectrogram,
    stft,
    student_t_ppf,
    welch,
)
from ._results import fatigue_table, trend_table

__version__ = _core.__version__

__all__ = [
    "ChannelInfo", "ConfigError", "Event", "FatigueSeries", "FormatError", "IoError", "MainsResult",
    "Psd", "Recording", "SosFilter", "Spectrogram", "Stft", "Trend", "arv", "band_power", "butter",
    "detect_line_frequency", "fatigue_index_fi_nsm5", "fatigue_params", "fatigue_series", "fatigue_table",
    "get_num_threads", "get_window", "iemg", "iirnotch", "iirpeak", "linear_envelope", "linear_trend",
    "mean_frequency", "median_frequency", "moving_average", "moving_rms", "peak_frequency", "periodogram",
    "rectify", "remove_mains", "rms", "set_num_threads", "sosfilt", "sosfilt_zi", "sosfiltfilt", "sosfreqz",
    "spectral_moments", "spectrogram", "stft", "student_t_ppf", "tkeo", "trend_table", "welch",
]
