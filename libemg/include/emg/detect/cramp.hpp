// Cramp decision per stimulation train (SCIENCE.md §1.6): after artefact suppression and band-pass
// filtering, a moving-RMS envelope that ignores the suppressed spans is compared with thresholds
// from the pre-train baseline; a cramp is EMG that is above the on-threshold right after the train
// and stays above the off-threshold (short dips tolerated) for a minimum duration. Every threshold
// is a parameter and every result carries its evidence (baseline level, thresholds) and a status
// that names each reason the decision could not be made or needs a second look.
#pragma once

#include <emg/params.hpp>
#include <emg/recording.hpp>
#include <emg/stim/artifacts.hpp>
#include <emg/stim/pulses.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace emg::detect {

/// Parameters of detect_cramps (SCIENCE.md §1.6; every default is an [E] engineering choice).
/// Times of the baseline window are relative to the train's first pulse; the post-train window
/// P = [t_end + blank_s, t_end + post_window_s] is relative to its last pulse t_end, and also ends
/// at the next train's first pulse and at the end of the recording.
///
/// validate(fs_hz): fs_hz finite > 0; window_s in [0.02, 1] and >= 2 samples; hop_s in (0, window_s]
/// and >= 1 sample; min_valid_fraction in (0, 1]; baseline_start_s < baseline_end_s <= 0;
/// min_baseline_s in (0, baseline_end_s - baseline_start_s]; k_on >= k_off >= 0; min_on_ratio in [1, 100]; mvc_fraction >= 0
/// (> 0 needs e_mvc > 0); e_mvc >= 0; blank_s in [0, 1]; onset_within_s > blank_s; min_duration_s in
/// (0, 60]; max_gap_s in [0, min_duration_s); post_window_s >= onset_within_s + min_duration_s;
/// refine_s in [0, 1]; max_baseline_ratio 0 or >= 1; baseline_active_fraction in (0, 1];
/// saturation_run >= 2; band edges 0 < low_hz < high_hz; order 1..10; spectral_window_s >=
/// spectral_segment_s > 0; fit_min_s > 0; suppression valid (when suppress).
struct CrampParams {
  // -- preprocessing (SCIENCE.md §3.2, §4.2) --
  bool suppress = true;  ///< suppress the artefact of every pulse (stim::suppress_artifacts) before filtering
  /// Suppression of every pulse: by default the whole artefact + M-wave span (25 ms) is blanked with
  /// a straight line, so the band-pass never sees the spike, its tail or the M-wave. The same spans
  /// (also when suppress = false) are left out of the envelope.
  stim::SuppressParams suppression{.blank_s = 25e-3};
  bool bandpass = true;   ///< zero-phase Butterworth band-pass (sosfiltfilt) after suppression
  double low_hz = 20.0;   ///< lower band edge; the whole band-pass is skipped (noted) when >= fs/2
  double high_hz = 450.0; ///< upper band edge; at or above fs/2 only the high-pass is applied (noted)
  int order = 4;          ///< Butterworth order N

  // -- envelope (§1.6 step 1) --
  double window_s = 0.1;  ///< moving-RMS window W (50-250 ms), centred on each envelope sample
  double hop_s = 0.01;    ///< envelope sample spacing
  /// An envelope sample is defined only when at least this fraction of its window is usable
  /// (not suppressed, not saturated, not non-finite); else it is NaN (treated as below threshold).
  double min_valid_fraction = 0.5;

  // -- baseline (§1.6 step 2) --
  double baseline_start_s = -2.0;  ///< B = [t_start + baseline_start_s, t_start + baseline_end_s]
  double baseline_end_s = -0.1;
  double min_baseline_s = 1.0;     ///< defined envelope needed inside B, else status baseline_too_short
  bool robust_baseline = false;    ///< level and spread as median and 1.4826 MAD instead of mean and SD
  /// Baseline activity (restless subject, a previous cramp still going): status baseline_active
  /// when the baseline level exceeds max_baseline_ratio x the recording's noise floor (10th
  /// percentile of the envelope over the whole channel; 0 = no such check), or when more than
  /// baseline_active_fraction of the baseline samples exceed median + k_on x 1.4826 MAD of B.
  double max_baseline_ratio = 2.0;
  double baseline_active_fraction = 0.1;

  // -- thresholds (§1.6 step 4) --
  double k_on = 3.0;          ///< theta_on = max(mu_B + k_on sigma_B, min_on_ratio mu_B, mvc_fraction e_mvc)
  /// Floor of theta_on relative to the baseline level: a very steady baseline (sigma_B -> 0) would
  /// otherwise let a few-% rise of the envelope count as a cramp (1 = no floor).
  double min_on_ratio = 1.5;
  double k_off = 2.0;         ///< theta_off = mu_B + k_off sigma_B (hysteresis)
  double mvc_fraction = 0.0;  ///< a: amplitude-relative criterion (0.05-0.5 to emulate "> x % MVC")
  double e_mvc = 0.0;         ///< RMS envelope level of the best MVIC plateau (units; 0 = none)

  // -- decision (§1.6 steps 3, 5, 7) --
  double blank_s = 0.1;         ///< tau_blank: P starts this long after the last pulse (artefact tail, M-, F-waves)
  double post_window_s = 30.0;  ///< T_post: P ends this long after the last pulse
  double onset_within_s = 0.5;  ///< a cramp crosses theta_on no later than t_end + onset_within_s
  double min_duration_s = 1.0;  ///< D_min: onset to offset at least this long (0.5-5 s)
  double max_gap_s = 0.2;       ///< g: dips below theta_off up to this long do not end the cramp
  bool accept_delayed = false;  ///< sustained activity starting after onset_within_s counts as a cramp
  /// Edge refinement (Staude et al. 2001 style): an edge is re-estimated at sample resolution as
  /// the maximum-likelihood change of variance (two zero-mean Gaussian segments, both powers
  /// estimated) within +-refine_s of the envelope crossing (0 = keep the envelope times). The
  /// centred envelope stays above theta_off for about W/2 after the activity ends, so the offset
  /// is refined by default; on the slow rise of a cramp the envelope crossing (which leads by up
  /// to W/2) is the better onset estimate, so the onset is not (see tests/cpp/detect_cramp_test.cpp).
  double refine_s = 0.3;
  bool refine_onset = false;
  bool refine_offset = true;
  bool require_ok_train = false;  ///< a train whose own status is not "ok" gets no decision
  long saturation_run = 3;        ///< >= this many consecutive samples at the channel's min or max = saturated

  // -- measures (§1.6 step 6, §6) --
  double spectral_window_s = 1.0;    ///< MNF/MDF over the first spectral_window_s of the cramp (Welch)
  double spectral_segment_s = 0.25;  ///< Welch segment (Hann, 50 % overlap, zero-padded to a power of two)
  bool fit_decay = true;             ///< fit e(t) = c + A exp(-(t - t_peak)/tau) from the peak to the offset
  double fit_min_s = 1.0;            ///< shortest peak-to-offset span that is fitted

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// The decision for one train. Times are in seconds from the recording's first sample (sample / fs).
/// `decided` says whether `cramp` is a decision; when it is false the status says why.
/// Status codes ("ok" or these, joined by "; "; `message` gives the details):
///   decision impossible (decided = false): no_stimulation, not_detected, non_finite, baseline_too_short,
///     baseline_flat, baseline_active, saturated, recording_ends_in_window (before the decision
///     could be made), next_train_in_window (idem), train_status (with require_ok_train);
///   decided but flagged: delayed_activity, offset_censored (the cramp was still on at the end of
///     P), recording_ends_in_window (P cut short by the end of the recording), train_status (the
///     train's own status is not "ok": missing / extra / irregular pulses, cut, ...).
struct CrampResult {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  long train_id = 0;
  double frequency_hz = kNaN;       ///< nominal frequency when known, else the measured one
  std::int64_t start_sample = -1;   ///< first pulse
  std::int64_t end_sample = -1;     ///< last pulse (t_end)
  std::string status = "ok";
  std::string message;              ///< human-readable details of every status code
  bool decided = false;
  bool cramp = false;
  bool offset_censored = false;     ///< offset = end of P (the cramp may have gone on)
  double onset_s = kNaN;            ///< cramp onset (NaN when no cramp)
  double offset_s = kNaN;           ///< cramp end: start of the first dip below theta_off longer than max_gap_s
  double duration_s = kNaN;         ///< offset_s - t_end (SCIENCE.md §1.6 step 6)
  std::int64_t onset_sample = -1;
  std::int64_t offset_sample = -1;
  double delayed_onset_s = kNaN;    ///< onset of sustained activity starting after onset_within_s (NaN = none)
  double peak_rms = kNaN;           ///< largest envelope value between onset and offset
  double mean_rms_1s = kNaN;        ///< mean envelope over the first 1 s of the cramp (to the offset)
  double mean_rms_5s = kNaN;        ///< ... over the first 5 s
  double peak_rms_pct_mvc = kNaN;   ///< 100 peak_rms / e_mvc (NaN without e_mvc)
  double mean_rms_1s_pct_mvc = kNaN;
  double mean_rms_5s_pct_mvc = kNaN;
  double area = kNaN;               ///< integral of max(e - baseline_mean, 0) over the cramp (units s)
  double mnf_hz = kNaN;             ///< mean frequency over the first spectral_window_s (NaN if too short)
  double mdf_hz = kNaN;             ///< median frequency, same epoch
  double epoch_snr_db = kNaN;       ///< 10 log10(epoch power / baseline_mean^2) of that epoch (SCIENCE.md §6.1)
  double decay_tau_s = kNaN;        ///< tau of the exponential fit (NaN: not fitted, too short, no decay)
  // evidence
  double baseline_mean = kNaN;      ///< mu_B (median when robust)
  double baseline_sd = kNaN;        ///< sigma_B (1.4826 MAD when robust)
  double baseline_s = 0.0;          ///< defined envelope time inside B
  double noise_floor = kNaN;        ///< 10th percentile of the channel's envelope
  double threshold_on = kNaN;
  double threshold_off = kNaN;
  double window_start_s = kNaN;     ///< P as analysed
  double window_end_s = kNaN;
  std::string preprocessing;        ///< what was done to the channel before the envelope (incl. skipped steps)
  bool ok() const { return status == "ok"; }
};

/// Cramp decision for every train (in the given order) on one channel of x (channels x samples,
/// raw: suppression and filtering are done here). `trains` come from stim::group_trains /
/// find_trains / match_trains; their `pulses` (or, when empty, start_sample and end_sample) give
/// the pulses. No trains: one result with status no_stimulation (decided = false).
/// Non-finite samples are allowed: they are excluded (and linearly bridged before filtering); a
/// train whose baseline or post window holds any gets status non_finite.
/// Cost O(n_samples) plus O(window) per train; the work arrays are allocated once per call.
/// @throws InvalidArgument for invalid params, a channel out of range, an empty x, or a train whose
///         pulses lie outside x or are not increasing.
std::vector<CrampResult> detect_cramps(MatrixView x, double fs_hz, long channel,
                                       const std::vector<stim::PulseTrain>& trains, const CrampParams& params = {});

/// Same on a recording's channel ("" = the first EMG-type channel, else channel 0).
std::vector<CrampResult> detect_cramps(const Recording& rec, const std::vector<stim::PulseTrain>& trains,
                                       const std::string& channel = "", const CrampParams& params = {});

/// Convenience: the trains are found by stim::find_trains (source "auto": the stored /stimulation
/// first, then a trigger channel, then the EMG itself), then as above.
std::vector<CrampResult> detect_cramps(const Recording& rec, const std::string& channel = "",
                                       const CrampParams& params = {}, const stim::FindTrainsParams& find = {});

}  // namespace emg::detect
