// Internals of the entropy-family onset detectors (entropy.cpp), exposed for reuse and tests:
// exact sample entropy (whole series and sliding windows) and the single-changepoint posterior.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace emg::detect::detail {

/// Template-pair counts of SampEn(m, r) over one series of N samples: the N - m templates
/// x[i..i+m-1], i in [0, N - m); b = pairs i < j whose length-m templates are within Chebyshev
/// distance r (|x[i+k] - x[j+k]| <= r for every k < m), a = pairs also within r at k = m.
struct SampEnCounts {
  std::int64_t a = 0;
  std::int64_t b = 0;
};

/// Exact counts (no approximation): a grid of buckets of width ~r over the first template value,
/// so only pairs in neighbouring buckets are compared; O(N + matching candidates), not O(N^2)
/// unless most values are within r of each other. InvalidArgument for m < 1 or r < 0 / NaN.
SampEnCounts sample_entropy_counts(std::span<const double> x, long m, double r);

/// -ln(a / b); +inf when a = 0 < b; NaN when b = 0.
double sampen_from_counts(const SampEnCounts& c);

/// SampEn(m, r) of x with the absolute tolerance r (multiply by the SD yourself for the usual
/// relative r): sampen_from_counts(sample_entropy_counts(x, m, r)).
double sample_entropy(std::span<const double> x, long m, double r);

/// The exact counts of every window [s, s + window) for s = 0, step, 2 step, ... while
/// s + window <= x.size(); each equals sample_entropy_counts(x.subspan(s, window), m, r).
/// Consecutive windows are updated incrementally (the template leaving and the one entering)
/// when step < window - m, and counted afresh otherwise. InvalidArgument for window < m + 2 or step < 1.
std::vector<SampEnCounts> sliding_sample_entropy_counts(std::span<const double> x, long m, double r, long window,
                                                        long step);

/// Posterior over the split t of y (segment 1 = y[0, t), segment 2 = y[t, n)) under the single
/// Gaussian mean-and-variance change model: uniform prior over t in [min_segment, n - min_segment],
/// reference prior 1/sigma^2 for each segment's (mu, sigma^2). posterior has n + 1 entries (zero
/// outside the allowed splits) and sums to 1; empty when no split is allowed (n < 2 min_segment).
/// min_segment is raised to 2 (a segment needs two samples for a variance).
std::vector<double> changepoint_posterior(std::span<const double> y, long min_segment);

/// The first split whose cumulative posterior reaches `cutoff`; -1 when posterior is empty.
std::int64_t posterior_quantile(const std::vector<double>& posterior, double cutoff);

}  // namespace emg::detect::detail
