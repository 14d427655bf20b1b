// Parameters of the sample-entropy and Bayesian-changepoint onset detectors (SCIENCE.md §5.8,
// §5.9). Each validate(fs_hz) names the dotted parameter ("sampen.window_s"), its value and the rule.
#pragma once

#include <emg/params.hpp>
#include <limits>

namespace emg::detect {

/// Zhang & Zhou 2012 (§5.9): SampEn(m, r) = -ln(A/B) in sliding windows of window_s (templates of
/// length m and m + 1, Chebyshev distance, self-matches excluded, the same W - m templates for
/// both counts), with the tolerance r times the SD of the signal over the rest window (a fixed
/// absolute tolerance, so the larger spread of active EMG gives few matches and a high SampEn;
/// an isolated spike adds only m + 1 templates and barely changes it).
/// A window with fewer than min_matches matching (m+1)-pairs (A = 0: undefined; small A: relative
/// SE ~1/sqrt(A), and one chance pair can persist over a whole window length inside a burst) gets
/// the largest finite value a window can have, ln((W-m)(W-m-1)/2). Rest windows of band-passed
/// noise at the defaults have A ~ 100-200.
/// Windows start every step_s (0 = every sample; the counts are exact and updated incrementally
/// as the window slides, at O(candidate matches) per sample: ~0.2 s for a 10-minute 2 kHz channel).
/// Threshold: mu0 + h sigma0 of the window SampEn over the windows inside the rest window.
/// Windows above it count in runs of consecutive windows whose starts span >= min_run_s; a kept
/// run is active from its first window's start to its last window's end (a sample is active when
/// a window of a kept run contains it). The test function is, per sample, the largest SampEn of
/// the windows containing it (NaN where no window does); the active set is within test > threshold.
/// Defaults tuned on simulate_bursts (10 x 60 s, 10 and 20 dB) [E].
struct SampEnParams {
  long m = 2;              ///< template length
  double r = 0.2;          ///< tolerance in units of the rest-window SD of the signal
  /// SampEn window; NaN = automatic (window_for): 0.125 s (SCIENCE.md: 100-250 ms), lengthened to
  /// kAutoWindowSamples at low rates, where a 0.125-s window holds too few template pairs for a
  /// usable SampEn (250 Hz: 31 samples, ~400 pairs, almost never min_matches matches).
  double window_s = std::numeric_limits<double>::quiet_NaN();
  double step_s = 0.0;     ///< spacing of the windows; 0 = one sample
  double h = 5.0;          ///< threshold in baseline SDs of the window SampEn
  long min_matches = 15;   ///< fewer matching (m+1)-pairs A than this: SampEn set to the maximum
  double min_run_s = 0.05; ///< windows above the threshold count only in runs whose starts span this long
  static constexpr double kAutoWindowS = 0.125;
  static constexpr long kAutoWindowSamples = 250;
  /// The window used at fs_hz: window_s when set, else max(kAutoWindowS, kAutoWindowSamples / fs_hz).
  double window_for(double fs_hz) const;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Tenan et al. 2017 (§5.8), approximated by the single-changepoint posterior of a Gaussian
/// mean-and-variance shift of the rectified EMG |x| within a window around each candidate edge.
/// Why |x| with both moments free: Tenan et al. ran bcp on the rectified EMG; for Gaussian x of SD
/// sigma, |x| is half-normal with mean 0.80 sigma and SD 0.60 sigma, so an activation shifts both
/// together, and |x| (skewness 1.0) is far closer to Gaussian than x^2 (chi-square, skewness 2.8).
/// Samples are treated as independent (band-passed EMG is not), so the posterior is sharper than
/// it should be; it locates the edge well but its spread is not a calibrated uncertainty.
/// Candidates: spans where the centred moving average (smooth_s) of |x| exceeds mu0 + h sigma0 of
/// its rest-window values (gaps shorter than smooth_s closed, spans shorter than smooth_s dropped).
/// Each candidate onset (offset) gets a window of at most window_s centred on it, clipped to the
/// midpoints towards the neighbouring candidate edges so that it holds one change. Within the
/// window, every split t (both segments at least min_segment_s long) has the prior 1/(number of
/// splits) and the marginal likelihood of two independent Gaussian segments with their own mean
/// and variance under the reference prior p(mu, sigma^2) ~ 1/sigma^2 (closed form,
/// Gamma((k-1)/2) k^(-1/2) (pi S)^(-(k-1)/2) per segment of k samples with sum of squared
/// deviations S; O(W) per window from running sums). The edge is the first split t whose
/// cumulative posterior sum_{u <= t} P(u | window) reaches cutoff (cutoff 0.5 = the posterior
/// median). Candidate edges at the first / last sample are kept. Refined spans that overlap are
/// merged; a span whose refined onset is not before its refined offset keeps its candidate edges.
/// The test function is the smoothed |x| (units of the signal); the threshold mu0 + h sigma0.
struct ChangepointParams {
  double cutoff = 0.5;         ///< cumulative posterior probability that places an edge
  double window_s = 1.0;       ///< the window the single-changepoint model sees around each candidate
  double h = 3.0;              ///< candidate changes: smoothed |x| crossing mu0 + h sigma0
  double smooth_s = 0.05;      ///< moving-average window of |x| for the candidates
  double min_segment_s = 0.01; ///< shortest segment on either side of a split
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

}  // namespace emg::detect
