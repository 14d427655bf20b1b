// Robust location and scale shared by the kernels: the median (mean of the two middle values
// for an even count, as numpy.median) and the MAD-to-sigma factor of a Gaussian.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace emg::detail {

/// 1 / Phi^-1(3/4): 1.4826 x MAD estimates the SD of Gaussian data.
inline constexpr double kMadToSigma = 1.4826;

/// Median of v[0..n), reordering v; NaN when n == 0.
inline double median_in_place(double* v, std::size_t n) {
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double* mid = v + n / 2;
  std::nth_element(v, mid, v + n);
  const double upper = *mid;
  if (n % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(v, mid));
}

/// Median of a copy of v.
inline double median(std::vector<double> v) { return median_in_place(v.data(), v.size()); }

}  // namespace emg::detail
