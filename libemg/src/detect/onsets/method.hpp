// The interface between detect_onsets (onsets.cpp: preprocessing, baseline, post-processing,
// tables) and the detectors (one family per file: envelope.cpp, statistical.cpp, entropy.cpp),
// plus the small building blocks the detectors share (common.cpp).
#pragma once

#include <emg/detect/onsets.hpp>
#include <emg/fields.hpp>
#include <emg/filters/design.hpp>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace emg::detect::detail {

/// What a detector sees: the preprocessed (band-passed, finite, zero-mean) signal of one channel
/// and the rest window, as a sample range [baseline_begin, baseline_end) inside it.
struct OnsetContext {
  std::span<const double> x;
  double fs_hz = 0.0;
  std::int64_t baseline_begin = 0;
  std::int64_t baseline_end = 0;
};

/// A raw active interval [begin, end) in samples.
struct Span {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

/// What a detector returns. The framework then applies OnsetPostParams to `active`, scores every
/// event from `test_function` and `threshold`, and fills Onsets.
struct MethodResult {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> test_function;  ///< one value per sample of x, delay-corrected (NaN = undefined)
  std::vector<Span> active;           ///< sorted, disjoint, non-empty, within [0, x.size())
  double threshold = kNaN;            ///< on-threshold, in test-function units (> 0 for the score)
  double threshold_off = kNaN;        ///< off-threshold when the method has one
  double baseline_mean = kNaN;        ///< mu0 / sigma0 of the test function over the rest window
  double baseline_sd = kNaN;
  std::string message;                ///< why nothing could be detected, when the detector knows (else "")
};

/// A number in messages: 4 significant digits ("16.29", "0.0001234").
std::string fmt4(double v);

// ---- the detectors (same order as OnsetMethod) ----
MethodResult run_hodges_bui(const OnsetContext& c, const HodgesBuiParams& p);
MethodResult run_bonato(const OnsetContext& c, const BonatoParams& p);
MethodResult run_tkeo(const OnsetContext& c, const TkeoParams& p);
MethodResult run_lidierth(const OnsetContext& c, const LidierthParams& p);
MethodResult run_abbink(const OnsetContext& c, const AbbinkParams& p);
MethodResult run_silva(const OnsetContext& c, const SilvaParams& p);
MethodResult run_londral(const OnsetContext& c, const LondralParams& p);
MethodResult run_aglr(const OnsetContext& c, const AglrParams& p);
MethodResult run_sampen(const OnsetContext& c, const SampEnParams& p);
MethodResult run_changepoint(const OnsetContext& c, const ChangepointParams& p);

// ---- the field sections of each family (section name = method name) ----
void add_envelope_fields(FieldBuilder& b, OnsetParams& p);     ///< hodges_bui, lidierth, abbink, silva, londral
void add_statistical_fields(FieldBuilder& b, OnsetParams& p);  ///< bonato, tkeo, aglr
void add_entropy_fields(FieldBuilder& b, OnsetParams& p);      ///< sampen, changepoint

// ---- shared building blocks (common.cpp) ----

/// Mean and population SD (ddof 0) of v over [begin, end), ignoring NaN; {NaN, NaN} when none.
struct MeanSd {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double sd = std::numeric_limits<double>::quiet_NaN();
};
MeanSd mean_sd(std::span<const double> v, std::int64_t begin, std::int64_t end);

/// A spread that cannot be zero: max(sd, 1e-12 max(|mean|, tiny)), so a threshold mu + k sd
/// stays above mu on a perfectly steady baseline.
double guarded_sd(const MeanSd& s);

/// Centred moving average with a window of w samples (w >= 1): output n averages samples
/// [n - (w-1)/2, n + w/2] that exist (truncated at the edges, no padding). O(n), exact restarts.
std::vector<double> moving_average_centred(std::span<const double> v, long w);

/// Zero-phase filtering of v with `sos` (sosfiltfilt, odd padding); InvalidArgument starting with
/// `what` when the signal is not longer than the filter's padding (`hint` appended).
std::vector<double> zero_phase(std::span<const double> v, const filters::Sos& sos, const std::string& what,
                               const std::string& hint = "");

/// Zero-phase Butterworth low-pass (sosfiltfilt, odd padding) of v; cutoff_hz <= 0 returns v.
/// InvalidArgument naming `key` when cutoff_hz >= fs/2 or the signal is too short for the filter.
std::vector<double> lowpass_zero_phase(std::span<const double> v, double fs_hz, double cutoff_hz, int order,
                                       const char* key);

/// Samples of a duration: round(seconds * fs_hz), at least `at_least`.
long samples_of(double seconds, double fs_hz, long at_least = 1);

/// Intervals where v > on, each extended while v > off (hysteresis; off <= on; NaN counts as below).
std::vector<Span> threshold_spans(std::span<const double> v, double on, double off);

/// Close gaps shorter than `gap` samples, then drop intervals shorter than `min_length` samples.
std::vector<Span> close_gaps_drop_short(std::vector<Span> s, std::int64_t gap, std::int64_t min_length);

/// The Hodges-Bui test function (shared with Lidierth): moving average (window_s, centred) of the
/// low-passed |x|, normalised by the baseline: (e - mu0) / sigma0. Fills mean/sd of e over the rest window.
std::vector<double> normalised_envelope(const OnsetContext& c, double lowpass_hz, int order, double window_s,
                                        const char* section, MeanSd& e_stats);

/// Check helpers: InvalidArgument "<section>.<name>=<value> must be <rule>".
void require(bool ok, const char* section, const char* name, double value, const char* rule);

}  // namespace emg::detect::detail
