// M-wave measures per pulse (SCIENCE.md §4.3): onset latency, first-phase peak latency,
// peak-to-peak amplitude, area and duration within [t_k + 2 ms, t_k + 25 ms] (clipped at the next
// pulse), measured on the artefact-suppressed signal; and their trend along each train and across
// trains (a peripheral-fatigue marker: the M-wave declines along a train, sometimes to nothing).
#pragma once

#include <emg/params.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace emg::stim {

/// Parameters of measure_mwaves. validate(fs_hz): fs_hz finite > 0; 0 <= window_start_s <
/// window_end_s <= 0.2; baseline_s in (0, 0.1]; baseline_end_s in [0, baseline_s); onset_sd,
/// extend_sd, detect_sd finite >= 0 with extend_sd <= onset_sd; onset_fraction in [0, 1);
/// min_peak_to_peak finite >= 0.
struct MwaveMeasureParams {
  double window_start_s = 2e-3;    ///< search window [t_k + window_start_s, ...
  double window_end_s = 25e-3;     ///< ... t_k + window_end_s), clipped at the next pulse and the signal end
  double baseline_s = 5e-3;        ///< pre-pulse baseline [t_k - baseline_s, t_k - baseline_end_s)
  double baseline_end_s = 0.5e-3;  ///< keeps the pre-pulse part of the blanked span out of the baseline
  double onset_sd = 3.0;           ///< onset threshold: onset_sd x baseline SD ...
  double onset_fraction = 0.02;    ///< ... and at least this fraction of the window's peak |x - mean|
  double extend_sd = 1.5;          ///< onset / offset extended outwards while |x - mean| > extend_sd x SD
  double detect_sd = 5.0;          ///< found only when the peak |x - mean| > detect_sd x baseline SD ...
  double min_peak_to_peak = 0.0;   ///< ... and the peak-to-peak > this (units)

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// One pulse's M-wave on one channel. Times are from the pulse sample.
struct Mwave {
  long channel = 0;
  long train_id = 0;              ///< train_ids[k] (0 when no train ids were given)
  long pulse_index = 0;           ///< index of the pulse within its train (0 = first)
  std::int64_t pulse_sample = 0;
  bool found = false;             ///< an M-wave stands out of the baseline (status ok / no_baseline / onset_at_window_start)
  std::string status;             ///< ok | no_baseline | onset_at_window_start | below_noise | no_window
  double latency_s = 0.0;         ///< onset latency (NaN when not found)
  double peak_latency_s = 0.0;    ///< latency of the extremum of the first phase (NaN when not found)
  double peak_to_peak = 0.0;      ///< max - min over the window (units; also when not found; NaN for no_window)
  double area = 0.0;              ///< sum |x - baseline mean| / fs over [onset, offset] (units s; NaN when not found)
  double duration_s = 0.0;        ///< (offset - onset + 1) / fs (NaN when not found)
  std::int64_t onset_sample = -1; ///< -1 when not found
  std::int64_t offset_sample = -1;///< last sample of the M-wave, -1 when not found
  double baseline_mean = 0.0;     ///< the train's baseline mean (0 when there is no baseline)
  double baseline_sd = 0.0;       ///< the train's baseline SD, used for the thresholds
};

/// Measure the M-wave of every pulse on every channel of x (channels x samples, artefact-suppressed,
/// e.g. by suppress_artifacts with blanking; pulses strictly increasing inside [0, n_samples);
/// train_ids as in suppress_artifacts: empty = one train). Returns channel-major: all pulses of
/// channel 0, then channel 1, ...
///
/// Per pulse p (samples, llround(. fs)): window W = [p + window_start, min(p + window_end, next pulse,
/// n)); baseline B_k = [max(p - baseline, previous pulse + 1, 0), p - baseline_end). mu and sigma
/// are the mean and (population) SD over the baseline samples of all pulses of the train (status
/// no_baseline and mu = sigma = 0 when the train has fewer than 2): a few ms of coloured EMG before
/// each pulse would misjudge both (measured: SD 40 % low, mean off by about one SD), so the signal
/// should hold a steady DC level within a train (DC removal or band-pass after suppression is fine).
/// Peak-to-peak = max - min of x over W. Peak P = max |x - mu| over W. Found iff P > detect_sd sigma, P > 0 and the
/// peak-to-peak > min_peak_to_peak (else below_noise). Threshold theta = max(onset_sd sigma,
/// onset_fraction P); c = first sample of W with |x - mu| > theta; the onset walks back from c
/// while the previous sample is in W and |x - mu| > extend_sd sigma there (so it starts at the first
/// sample off the baseline when sigma = 0); the offset likewise forwards from the last sample above
/// theta. Peak latency: the sample of max |x - mu| in the run of samples of the same sign as x[c] - mu
/// starting at c (the first phase). Onset at the first sample of W -> status onset_at_window_start
/// (an artefact residue or a window starting too late).
///
/// Accuracy on the simulator's M-wave (sin(2 pi u) sin^2(pi u), 12 ms, onset at latency 4 ms) in
/// Gaussian noise, measured by tests/cpp/stim_artifacts_test.cpp: see that file; at high SNR the onset
/// is within 1 sample; the template starts with a cubic rise, so at 20 dB the onset is late by 1-3
/// samples at 2 kHz and the duration short by about as much, while the peak latency stays within a
/// sample and the peak-to-peak is biased high by noise (about +4 %).
/// @throws InvalidArgument for invalid params, an empty or non-finite x, bad pulses or train_ids.
std::vector<Mwave> measure_mwaves(MatrixView x, double fs_hz, const std::vector<std::int64_t>& pulses,
                                  const MwaveMeasureParams& params = {}, const std::vector<long>& train_ids = {});

/// Trend of the M-wave along one train on one channel (found pulses only).
struct MwaveTrainTrend {
  long channel = 0;
  long train_id = 0;
  long n_pulses = 0;
  long n_found = 0;
  double first_peak_to_peak = 0.0;  ///< of the first / last found pulse (NaN when none)
  double last_peak_to_peak = 0.0;
  double mean_peak_to_peak = 0.0;
  double last_first_ratio = 0.0;         ///< last_peak_to_peak / first_peak_to_peak
  double fitted_last_first_ratio = 0.0;  ///< the OLS line's value at the last found pulse / at the first
  /// OLS of peak-to-peak (area) against the pulse index: slope in units (units s) per pulse,
  /// normalized_slope_pct_per_s is then % per pulse. NaN fields and n < 3 when fewer than 3 found.
  spectral::Trend peak_to_peak_trend;
  spectral::Trend area_trend;
  double mean_latency_s = 0.0;
  double mean_duration_s = 0.0;
};

struct MwaveTrends {
  std::vector<MwaveTrainTrend> trains;  ///< per channel (ascending), then per train in order of appearance
  /// Per channel (index = channel): OLS of each train's mean (first) peak-to-peak against the train's
  /// order 0, 1, 2, ... (slope in units per train); n < 3 and NaN when fewer than 3 trains have a found M-wave.
  std::vector<spectral::Trend> across_trains_mean;
  std::vector<spectral::Trend> across_trains_first;
};

/// Summarise measure_mwaves' output (any order of channels and trains; a train = the pulses with
/// the same (channel, train_id), ordered by pulse_index).
MwaveTrends mwave_trends(const std::vector<Mwave>& mwaves);

}  // namespace emg::stim
