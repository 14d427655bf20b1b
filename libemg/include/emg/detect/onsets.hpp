// EMG onset/offset detection (SCIENCE.md §5): the published detectors behind one call, with a
// shared preprocessing (zero-phase band-pass), a shared baseline (a given rest window or the
// quietest window of the signal), shared post-processing (merge short gaps, drop short events,
// enforce a minimum rest) and one result shape: events with onset/offset samples and times, a
// per-event score, the test function the detector thresholded and the thresholds it used.
//
// The method-specific parameter structs live in onset_methods.hpp; every parameter has one
// dotted name on every surface ("hodges_bui.h", "baseline.length_s", "post.merge_gap_s").
#pragma once

#include <emg/detect/onset_methods.hpp>
#include <emg/fields.hpp>
#include <emg/params.hpp>
#include <emg/recording.hpp>
#include <emg/types.hpp>
#include <emg/table.hpp>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace emg::detect {

/// The detectors (SCIENCE.md §5.1-§5.9).
enum class OnsetMethod { hodges_bui, bonato, tkeo, lidierth, abbink, silva, londral, aglr, sampen, changepoint };
std::string to_string(OnsetMethod m);
/// Parse a method name; InvalidArgument listing the names when unknown.
OnsetMethod parse_onset_method(const std::string& name);
/// Every method name, in the order of the enum.
const std::vector<std::string>& onset_method_names();

/// Lowest sampling rate the detectors accept (their windows and band-pass need it).
inline constexpr double kMinOnsetFsHz = 100.0;

/// Preprocessing shared by every detector (section "onsets"): SCIENCE.md §5 works on band-passed,
/// zero-mean EMG. validate(fs_hz): fs_hz >= kMinOnsetFsHz; 0 < low_hz < high_hz; order 1..10.
/// A high_hz at or above 0.45 fs is lowered to 0.45 fs (the result's message says so).
struct OnsetPreParams {
  OnsetMethod method = OnsetMethod::hodges_bui;
  bool bandpass = true;    ///< zero-phase Butterworth band-pass (sosfiltfilt, odd padding) before the detector
  double low_hz = 20.0;    ///< lower edge (also removes drift and most ECG energy)
  double high_hz = 450.0;  ///< upper edge
  int order = 4;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// The rest window the thresholds come from (section "baseline").
/// Given (start_s and end_s both finite): that window, in seconds from the first sample.
/// Automatic (both NaN): the window of length_s, stepped by step_s, whose mean square of the
/// preprocessed signal is the smallest (the quietest window); ties go to the earliest.
/// Quietness check: the window is cut into `parts` equal pieces; when the largest piece RMS
/// exceeds max_spread x the smallest (0 = no check), or the window RMS exceeds max_rms (units of
/// the signal; 0 = no check), the result is empty with status baseline_not_quiet.
/// validate(fs_hz, n_samples): start_s, end_s both NaN or both finite with 0 <= start_s < end_s
/// <= duration; length_s > 0 and <= duration (automatic); step_s > 0; the window at least
/// 0.05 s and 10 samples; parts 1..100; max_spread 0 or >= 1; max_rms >= 0.
struct OnsetBaselineParams {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  double start_s = kNaN;
  double end_s = kNaN;
  double length_s = 2.0;
  double step_s = 0.05;
  long parts = 4;
  double max_spread = 5.0;
  double max_rms = 0.0;
  void validate(double fs_hz, std::int64_t n_samples) const;
  static const ParamTable& describe();
};

/// Post-processing shared by every detector (section "post"), applied in this order to the
/// detector's raw active intervals: (1) gaps shorter than merge_gap_s are closed; (2) events
/// shorter than min_active_s are dropped; (3) an event starting less than min_rest_s after the
/// previous event's offset is merged into it. validate(): all >= 0 and finite.
struct OnsetPostParams {
  double merge_gap_s = 0.05;
  double min_active_s = 0.05;
  double min_rest_s = 0.0;
  void validate() const;
  static const ParamTable& describe();
};

/// Everything detect_onsets needs: the shared sections and one struct per method (only the
/// chosen method's struct is used, and validated).
struct OnsetParams {
  OnsetPreParams onsets;
  OnsetBaselineParams baseline;
  OnsetPostParams post;
  HodgesBuiParams hodges_bui;
  BonatoParams bonato;
  TkeoParams tkeo;
  LidierthParams lidierth;
  AbbinkParams abbink;
  SilvaParams silva;
  LondralParams londral;
  AglrParams aglr;
  SampEnParams sampen;
  ChangepointParams changepoint;
  /// Validate the shared sections and the chosen method's section for a signal of n_samples at fs_hz.
  void validate(double fs_hz, std::int64_t n_samples) const;
};

/// Every parameter as a named field: onsets.*, baseline.*, post.*, then one section per method.
std::vector<FieldRef> onset_fields(OnsetParams& p);

/// One detected event. Times are sample / fs_hz (seconds from the first sample).
struct OnsetEvent {
  std::int64_t onset_sample = 0;   ///< first active sample
  std::int64_t offset_sample = 0;  ///< first sample after the event (exclusive end)
  double onset_s = 0.0;
  double offset_s = 0.0;
  /// Mean of the test function over [onset, offset) divided by the on-threshold (how far above
  /// the threshold the event is; >= 1 for an event that is above it on average).
  double score = 0.0;
  bool onset_censored = false;   ///< the event starts at the first sample (its onset may be earlier)
  bool offset_censored = false;  ///< the event ends at the last sample
};

/// The result for one channel.
/// Status codes ("ok" or one of these; `message` has the details): no_activity (no event above
/// the threshold), baseline_not_quiet, flat (the baseline has no variation: a silent or constant
/// signal), non_finite (NaN/Inf samples; nothing detected). Events are empty unless status is ok.
struct Onsets {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::string method;
  long channel = 0;
  std::string channel_name;
  double fs_hz = 0.0;
  std::vector<OnsetEvent> events;
  /// The detector's test function, one value per input sample (delay-corrected, NaN where not
  /// defined), and the thresholds it was compared with (threshold_off = NaN for single-threshold
  /// detectors). Units are the test function's (SCIENCE.md §5 per method).
  std::vector<double> test_function;
  double threshold = kNaN;
  double threshold_off = kNaN;
  double baseline_start_s = kNaN;  ///< the rest window used
  double baseline_end_s = kNaN;
  bool baseline_automatic = false;
  double baseline_mean = kNaN;     ///< of the test function over the rest window
  double baseline_sd = kNaN;
  double baseline_rms = kNaN;      ///< of the preprocessed signal over the rest window
  std::string status = "ok";
  std::string message;
};

/// Detect onsets and offsets in one channel. x must be finite for any detection (NaN/Inf gives
/// status non_finite); InvalidArgument for parameters that break their rules (naming the dotted
/// parameter, the value and the rule), fs_hz below kMinOnsetFsHz or a signal shorter than the
/// baseline window.
Onsets detect_onsets(std::span<const double> x, double fs_hz, const OnsetParams& params = {});

/// Every channel of a recording (or the listed channel indices), in parallel over channels.
std::vector<Onsets> detect_onsets(const Recording& rec, const OnsetParams& params = {},
                                  const std::vector<long>& channels = {});

/// Every row of a channels x samples matrix (or the listed rows), in parallel over rows; the
/// results have `channel` set to the row and an empty channel_name.
std::vector<Onsets> detect_onsets(MatrixView x, double fs_hz, const OnsetParams& params = {},
                                  const std::vector<long>& channels = {});

/// One row per event: channel, channel_name, method, event, onset_sample, offset_sample,
/// onset_s, offset_s, duration_s, score, onset_censored, offset_censored.
Table onsets_table(const std::vector<Onsets>& results);
/// One row per channel: channel, channel_name, method, status, message, n_events, threshold,
/// threshold_off, baseline_start_s, baseline_end_s, baseline_automatic, baseline_mean,
/// baseline_sd, baseline_rms.
Table onset_channels_table(const std::vector<Onsets>& results);
/// The test functions side by side, one row per sample: sample, time_s, then one column per
/// result named by its channel (ch<channel> when the name is empty, holds '/', or repeats an
/// earlier column). A shorter test function (a non_finite channel has none) is padded with NaN.
Table test_function_table(const std::vector<Onsets>& results);

// ---- evaluation against ground truth (SCIENCE.md §5.10) -----------------------------------------

/// A reference event in samples: [onset, offset).
struct TrueEvent {
  std::int64_t onset_sample = 0;
  std::int64_t offset_sample = 0;
};

/// Matching rule (section "evaluate"): a detected event and a true event match when their onsets
/// differ by at most tolerance_s; matching is one-to-one, closest pairs first (ties to the
/// earlier true event). validate(): tolerance_s finite > 0.
struct OnsetEvaluateParams {
  double tolerance_s = 0.05;
  void validate() const;
  static const ParamTable& describe();
};

/// Detection and timing accuracy of one channel (or pooled over several).
/// Errors are detected - true, in seconds, over the matched pairs. Bland-Altman limits are
/// bias +- 1.96 SD. NaN where undefined (no pairs; precision with no detections, ...).
struct OnsetEvaluation {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  long n_true = 0, n_detected = 0;
  long true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision = kNaN, recall = kNaN, f1 = kNaN;
  double onset_bias_s = kNaN, onset_sd_s = kNaN, onset_mae_s = kNaN, onset_rmse_s = kNaN, onset_median_abs_s = kNaN;
  double onset_loa_low_s = kNaN, onset_loa_high_s = kNaN;
  double offset_bias_s = kNaN, offset_sd_s = kNaN, offset_mae_s = kNaN, offset_rmse_s = kNaN, offset_median_abs_s = kNaN;
  double offset_loa_low_s = kNaN, offset_loa_high_s = kNaN;
  /// Fraction of samples whose active/rest label differs from the truth (biosignalEMG's PCE;
  /// NaN when n_samples is not given).
  double misclassified_fraction = kNaN;
  /// The matched pairs: index into the true and the detected events, and the errors in seconds.
  std::vector<long> true_index, detected_index;
  std::vector<double> onset_error_s, offset_error_s;
};

/// Match `detected` against `truth` (both sorted by onset) at fs_hz. n_samples > 0 also gives
/// the misclassified fraction over [0, n_samples).
OnsetEvaluation evaluate_onsets(const std::vector<OnsetEvent>& detected, const std::vector<TrueEvent>& truth,
                                double fs_hz, const OnsetEvaluateParams& params = {}, std::int64_t n_samples = 0);

/// Summary metrics as one row of a table (the columns of OnsetEvaluation without the pairs).
Table evaluation_table(const std::vector<std::string>& labels, const std::vector<OnsetEvaluation>& evaluations,
                       const std::string& label_column = "channel");
/// The matched pairs of one evaluation: true_index, detected_index, onset_error_s, offset_error_s
/// (the Bland-Altman data).
Table evaluation_pairs_table(const OnsetEvaluation& e);

}  // namespace emg::detect
