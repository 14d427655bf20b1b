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
    Recording, ChannelInfo, Event, StimTrain, Stimulation, read, write, read_header, validate_file,
    import_file, export_file, detect_format, quality_report; more in :mod:`cramplab.io`
    (import_events, to_dataframe, events_table, channels_table, trains_table, truth_tables)
Stimulation and cramps (:mod:`cramplab.cramp`; SCIENCE.md §1.6-1.7, §4)
    detect_pulses, group_trains, suppress_artifacts, suppression_intervals, measure_mwaves,
    mwave_trends, detect_cramps, cramp_threshold_frequency (kernels: the C++ params fields as
    keywords); analyse_stimulation, analyse_session (a recording: params by dotted name,
    ``{"cramp.k_on": 3.5}``), StimAnalysis, SessionAnalysis, cramp_parameters; the plot
    helper is :func:`cramplab.plot.train`
Onsets and offsets (:mod:`cramplab.onsets`; SCIENCE.md §5)
    detect_onsets (hodges_bui, bonato, tkeo, lidierth, abbink, silva, londral, aglr, sampen,
    changepoint behind one call), evaluate_onsets (F1, timing errors, Bland-Altman against ground
    truth), Onsets, OnsetEvaluation, onset_methods, onset_parameters; the plot helper is
    :func:`cramplab.plot.onsets`
Ground truth (simulated recordings)
    GroundTruth, TruthPulse, TruthTrain, TruthBurst, Activity, read_truth, has_truth; the simulator
    itself is :mod:`cramplab.simulate` (session, bursts, plan_study, write_study, parameters)
"""
from __future__ import annotations

from . import _core
from ._core import ConfigError, FormatError, IoError, get_num_threads, set_num_threads
from ._core.amplitude import arv, iemg, linear_envelope, moving_average, moving_rms, rectify, rms, tkeo
from ._core.core import (
    Activity,
    ChannelInfo,
    Event,
    GroundTruth,
    Recording,
    StimTrain,
    Stimulation,
    TruthBurst,
    TruthPulse,
    TruthTrain,
)
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
from . import cramp, io, onsets, plot, simulate
from .cramp import (
    SessionAnalysis,
    StimAnalysis,
    analyse_session,
    analyse_stimulation,
    cramp_parameters,
    cramp_threshold_frequency,
    detect_cramps,
    detect_pulses,
    group_trains,
    measure_mwaves,
    mwave_trends,
    suppress_artifacts,
    suppression_intervals,
)
from .onsets import OnsetEvaluation, Onsets, detect_onsets, evaluate_onsets, onset_methods, onset_parameters
from .io import (
    detect_format,
    export_file,
    has_truth,
    import_file,
    quality_report,
    read,
    read_header,
    read_truth,
    validate_file,
    write,
)

__version__ = _core.__version__

__all__ = [
    "SessionAnalysis", "StimAnalysis", "analyse_session", "analyse_stimulation", "cramp_parameters",
    "cramp_threshold_frequency", "detect_cramps", "detect_pulses", "group_trains", "measure_mwaves",
    "mwave_trends", "suppress_artifacts", "suppression_intervals",
    "OnsetEvaluation", "Onsets", "detect_onsets", "evaluate_onsets", "onset_methods", "onset_parameters",
    "Activity", "GroundTruth", "TruthBurst", "TruthPulse", "TruthTrain", "has_truth", "read_truth",
    "ChannelInfo", "ConfigError", "Event", "FatigueSeries", "FormatError", "IoError", "MainsResult",
    "Psd", "Recording", "SosFilter", "Spectrogram", "Stft", "StimTrain", "Stimulation", "Trend",
    "arv", "band_power", "butter", "detect_format", "detect_line_frequency", "export_file",
    "fatigue_index_fi_nsm5", "fatigue_params", "fatigue_series", "fatigue_table", "get_num_threads",
    "get_window", "iemg", "iirnotch", "iirpeak", "import_file", "linear_envelope",
    "linear_trend", "mean_frequency", "median_frequency", "moving_average", "moving_rms",
    "peak_frequency", "periodogram", "quality_report", "read", "read_header", "rectify",
    "remove_mains", "rms", "set_num_threads", "sosfilt", "sosfilt_zi", "sosfiltfilt", "sosfreqz",
    "spectral_moments", "spectrogram", "stft", "student_t_ppf", "tkeo", "trend_table",
    "validate_file", "welch", "write",
]
