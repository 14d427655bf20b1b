// Stimulation-artefact suppression per pulse (SCIENCE.md §4.2): blanking with zero / linear /
// cubic fill, or template subtraction (running median of the neighbouring pulses of the same
// train, aligned on the pulse samples) followed by blanking of the residual spike. The samples that
// were replaced are returned as intervals so that later steps (RMS, spectra, onsets) can ignore them.
// Run it on the unfiltered (at most DC-removed) signal, before any filtering: a filter smears the
// spike over its impulse response (SCIENCE.md §4).
#pragma once

#include <emg/params.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace emg::stim {

enum class SuppressMethod {
  blank_linear,          ///< replace the blanked span by the straight line between its neighbours (default)
  blank_cubic,           ///< cubic Hermite between the neighbours, slopes from one-sided differences
  blank_zero,            ///< replace the blanked span by zeros
  template_subtraction,  ///< subtract a running-median template, then blank the residual spike
};
/// Parse "blank_linear", "blank_cubic", "blank_zero" or "template_subtraction"; throws
/// InvalidArgument naming `method` (and `function`).
SuppressMethod parse_suppress_method(std::string_view name, std::string_view function = "parse_suppress_method");
std::string to_string(SuppressMethod method);

/// After the last template sample above template_end_z noise SDs, subtraction goes on while the
/// template stays above this many noise SDs (the end of a decaying tail).
inline constexpr double kTemplateTailZ = 1.0;

/// Largest template_pulses accepted (the per-sample median works on a fixed buffer of this size).
inline constexpr long kMaxTemplatePulses = 15;

/// Parameters of suppress_artifacts. Sample counts: pre = llround(pre_s fs), blank =
/// max(1, llround(blank_s fs)), guard = llround(mwave_guard_s fs), template lengths llround(. fs).
/// validate(fs_hz): fs_hz finite > 0; pre_s in [0, 0.01]; blank_s in (0, 0.05]; template_pulses in 1..kMaxTemplatePulses;
/// template_window_s in [0, 1] (0 = automatic); template_max_s in (0, 1] and >= 1 sample; mwave_guard_s
/// in [0, 0.05]; template_end_z in [0, 100];
/// residual_fill one of the blank_ methods; at least one sample in every automatic template.
struct SuppressParams {
  SuppressMethod method = SuppressMethod::blank_linear;
  double pre_s = 0.2e-3;          ///< the blanked span starts this long before each pulse sample
  double blank_s = 3e-3;          ///< ... and ends this long after it (1-10 ms: the amplifier recovery)
  long template_pulses = 7;       ///< pulses in the running median (5-10), the pulse itself included
  double template_window_s = 0.0; ///< template length after the pulse; 0 = up to the next pulse of the train
  double template_max_s = 0.05;   ///< cap on the template length
  bool subtract_mwave = true;     ///< false: subtract the template only before t_k + mwave_guard_s
  double mwave_guard_s = 2e-3;    ///< where an M-wave may start; also the end of the scale_template fit
  double template_end_z = 4.0;    ///< automatic end of the subtraction, in template noise SDs (0 = whole window)
  bool scale_template = false;    ///< scale each pulse's template by its least-squares gain
  SuppressMethod residual_fill = SuppressMethod::blank_linear;  ///< fill of the residual spike (template mode)

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// A half-open span of samples [start_sample, end_sample).
struct SampleInterval {
  std::int64_t start_sample = 0;
  std::int64_t end_sample = 0;
  bool operator==(const SampleInterval&) const = default;
};

struct Suppressed {
  RowMatrixXd data;                       ///< same shape as the input
  std::vector<SampleInterval> intervals;  ///< the replaced span of each pulse (same order), on every channel
};

/// Suppress the artefact of every pulse on every channel of x (channels x samples). `pulses` are
/// sample indices into x, strictly increasing, inside [0, n_samples).
///
/// `train_ids` (empty = one train) labels each pulse with its train; a train is a maximal run of
/// consecutive pulses with the same id. Templates never mix trains.
///
/// Blanked span of pulse k: intervals[k] = [s_k, e_k) with e_k = min(p_k + blank, n_samples,
/// max(p_k + 1, p_{k+1} - pre)) and s_k = max(0, p_k - pre, e_{k-1}): every span holds its pulse,
/// spans never overlap, touching spans are filled as one run. Fill of a run [s, e): zero -> 0;
/// linear -> the straight line from y[s-1] to y[e]; cubic -> cubic Hermite through y[s-1] and y[e]
/// with slopes y[s-1] - y[s-2] and y[e+1] - y[e] per sample (linear when one is missing). A run at
/// the start (end) of the signal holds its one neighbour; a run covering the whole signal becomes 0.
///
/// template_subtraction: pulse k's segment is the offsets i in [s_k - p_k, L_k) around p_k, where
/// L_k = llround(template_window_s fs) or, when template_window_s = 0, the distance to the next pulse
/// of the same train (the previous interval for the last pulse of a train; template_max_s for a
/// one-pulse train), capped at template_max_s; the segment also ends at s_{k+1} and at the end of
/// the signal. The template T_k[i] is the per-sample median of x[p_j + i] over the template_pulses
/// pulses j of the train nearest to k (a window centred on k, shifted to stay inside the train;
/// the whole train when shorter), using the pulses whose segment holds offset i. The median includes
/// pulse k itself (excluding it would add about pi/(2 m) of the EMG power to the segment).
/// Subtraction end (template_end_z > 0 and >= 3 pulses in the median): a median template carries
/// the EMG of its pulses (SD about 1.2533 sigma / sqrt(m)), and because the median switches from
/// pulse to pulse at every sample that noise is broadband: subtracted over a whole inter-pulse
/// interval it lowers the RMS and raises the MNF (measured at 40 Hz: -4 % RMS, +15 % MNF). So the
/// template is subtracted only up to its last sample whose |T_k| exceeds template_end_z x its noise
/// SD, and on from there while |T_k| > kTemplateTailZ x that SD; sigma is the median over the offsets
/// of the across-pulse spread 1.4826 MAD. Beyond that point y = x. template_end_z = 0 subtracts over
/// the whole segment (the literal SCIENCE.md §4.2 scheme).
/// y = x - g_k T_k over the subtracted offsets, g_k = 1 or, with scale_template, the least-squares
/// gain <x_k, T_k> / <T_k, T_k> over the offsets [s_k - p_k, max(guard, blank)) clamped to [0.5, 2]
/// (it follows a pulse-to-pulse change of the artefact size, and scales an M-wave inside the
/// template with it). Then the blanked spans are filled
/// with residual_fill.
///
/// M-waves are time-locked to the pulses: a template that reaches into the M-wave holds the median
/// M-wave, and subtracting it removes the M-wave as well (subtract_mwave = true leaves the EMG plus
/// the M-wave's pulse-to-pulse variation: the "residual EMG" of SCIENCE.md §4.3). subtract_mwave =
/// false subtracts only the offsets before mwave_guard_s (set it just before the earliest M-wave
/// onset, latency 3-6 ms); the part of the artefact tail under the M-wave then stays.
///
/// The input is never modified; an empty pulse list returns a copy of x and no intervals.
/// Cost O(n_channels n_samples template_pulses); no per-sample allocation.
/// @throws InvalidArgument for invalid params, an empty or non-finite x, pulses outside
///         [0, n_samples) or not strictly increasing, train_ids of the wrong size.
Suppressed suppress_artifacts(MatrixView x, double fs_hz, const std::vector<std::int64_t>& pulses,
                              const SuppressParams& params = {}, const std::vector<long>& train_ids = {});

/// The spans suppress_artifacts replaces (intervals[k] for pulse k), from the signal length alone.
std::vector<SampleInterval> suppression_intervals(std::int64_t n_samples, double fs_hz,
                                                  const std::vector<std::int64_t>& pulses,
                                                  const SuppressParams& params = {});

/// 1 for every sample inside one of `intervals`, else 0 (length n_samples; intervals are clipped).
std::vector<std::uint8_t> suppressed_mask(const std::vector<SampleInterval>& intervals, std::int64_t n_samples);

}  // namespace emg::stim
