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
/// Parse "centered" (also "centred", "center") or "trailing"; throws InvalidArgument naming `align`.
WindowAlign parse_align(std::string_view name);
/// Same, with `function` in the error message ("moving_rms: align=... must be ...").
WindowAlign parse_align(std::string_view name, std::string_view function);
std::string to_string(WindowAlign align);

/// Number of samples of a window of window_s seconds: round(window_s * fs_hz) (halves away from
/// zero, like std::round), at least 1.
long window_samples(double window_s, double fs_hz, std::string_view function);

/// Moving RMS over a window of window_s seconds (must fit in the signal).
///
/// One pass per channel with a running sum of squares (channels in parallel). The window sum is
/// recomputed exactly every max(kRecomputeEvery, window) outputs, so rounding error cannot
/// accumulate over long recordings: an hour at 2048 Hz with a DC offset 1000 times the noise
/// matches a direct per-window sum to ~5e-15 relative. Right after a loud burst a quiet window
/// carries the burst's rounding residue (relative to the burst's power) until the next restart;
/// a sum that rounds below zero is clamped to 0 (never NaN).
/// @throws InvalidArgument for fs_hz <= 0, window_s <= 0, a window longer than the signal, empty
///         input, NaN/Inf samples, and finite samples so large that window sums overflow (~1e154).
RowMatrixXd moving_rms(MatrixView x, double fs_hz, double window_s,
                       WindowAlign align = WindowAlign::centered);

/// Moving average over a window of window_s seconds (same scheme and checks as moving_rms; the
/// absolute error is bounded by a few 1e-13 times the largest |x| within the window).
RowMatrixXd moving_average(MatrixView x, double fs_hz, double window_s,
                           WindowAlign align = WindowAlign::centered);

/// Linear envelope: full-wave rectification then zero-phase Butterworth low-pass
/// (order `order`, cut-off cutoff_hz, sosfiltfilt with odd padding and SciPy's default padlen).
/// Equals max(sosfiltfilt(butter(order, cutoff_hz, lowpass, fs_hz), |x|), 0): the low-pass can
/// undershoot slightly below zero after an abrupt end of activity, and an amplitude envelope is
/// non-negative by definition, so those samples are set to 0.
/// Zero-phase filtering squares the magnitude response: cutoff_hz is the -6 dB point.
/// @throws InvalidArgument for fs_hz, cutoff_hz outside (0, fs_hz/2), order outside
///         1..kMaxButterOrder, a signal not longer than the filter's padlen, NaN/Inf, empty input.
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

/// Exact window sums are recomputed at least this often, in outputs (see moving_rms).
inline constexpr long kRecomputeEvery = 4096;

}  // namespace emg::filters
