// Amplitude estimators of the EMG (SCIENCE.md §3.4). Inputs are channels x samples.
#pragma once

#include <emg/params.hpp>
#include <emg/types.hpp>

#include <string>
#include <string_view>

namespace emg::filters {

/// Full-wave rectification |x|.
RowMatrixXd rectify(MatrixView x);

/// Where a moving window sits relative to its output sample.
///  - centered: samples [n - (N-1)/2, n + N/2] (integer division), like a centred moving average;
///  - trailing: samples [n - N + 1, n] (causal).
/// Near the edges the window is truncated to the samples that exist and the statistic is taken
/// over those samples only (no zero padding), so the output has the input's length.
enum class WindowAlign { centered, trailing };
WindowAlign parse_align(std::string_view name);
std::string to_string(WindowAlign align);

/// Number of samples of a window of window_s seconds: round(window_s * fs_hz), >= 1.
long window_samples(double window_s, double fs_hz, std::string_view function);

/// Moving RMS over a window of window_s seconds (must fit in the signal).
RowMatrixXd moving_rms(MatrixView x, double fs_hz, double window_s,
                       WindowAlign align = WindowAlign::centered);

/// Moving average over a window of window_s seconds.
RowMatrixXd moving_average(MatrixView x, double fs_hz, double window_s,
                           WindowAlign align = WindowAlign::centered);

/// Linear envelope: full-wave rectification then zero-phase Butterworth low-pass
/// (order `order`, cut-off cutoff_hz, sosfiltfilt with odd padding).
RowMatrixXd linear_envelope(MatrixView x, double fs_hz, double cutoff_hz = 6.0, int order = 2);

/// Teager-Kaiser energy operator psi[n] = x[n]^2 - x[n-1] x[n+1] for 1 <= n <= N-2; the two end
/// samples repeat their neighbours (psi[0] = psi[1], psi[N-1] = psi[N-2]). Needs N >= 3.
RowMatrixXd tkeo(MatrixView x);

/// Average rectified value per channel: mean |x|.
VectorXd arv(MatrixView x);

/// Root mean square per channel.
VectorXd rms(MatrixView x);

/// Integrated EMG per channel: sum |x| / fs_hz (units of x times seconds).
VectorXd iemg(MatrixView x, double fs_hz);

}  // namespace emg::filters
