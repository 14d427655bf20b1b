// A small radix-2 complex FFT for the simulator. It uses only +, -, *, / and sqrt (all correctly
// rounded in IEEE 754), twiddles included, so its output bytes do not depend on the FFT library,
// the libm build or the CPU (the simulator targets are compiled with -ffp-contract=off).
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace emg::simulate::detail {

inline bool is_pow2(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

inline std::size_t next_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

/// cos / sin of 2 pi k / m for k = 0 .. m/2 - 1 (m a power of two >= 4), computed from exact
/// values by half-angle recursion (sqrt only) and products of those roots.
struct UnitRoots {
  std::vector<double> cos, sin;
  explicit UnitRoots(std::size_t m) {
    std::size_t log2m = 0;
    while ((std::size_t{1} << log2m) < m) ++log2m;
    // c[j], s[j] = cos, sin of 2 pi / 2^j; j = 2 is exact (0, 1)
    std::vector<double> c(log2m + 1, 1.0), s(log2m + 1, 0.0);
    if (log2m >= 1) c[1] = -1.0;
    if (log2m >= 2) {
      c[2] = 0.0;
      s[2] = 1.0;
    }
    for (std::size_t j = 3; j <= log2m; ++j) {
      c[j] = std::sqrt(0.5 * (1.0 + c[j - 1]));
      s[j] = s[j - 1] / (2.0 * c[j]);
    }
    const std::size_t half = m / 2;
    cos.assign(half, 1.0);
    sin.assign(half, 0.0);
    // roots [2^b, 2^(b+1)) = roots [0, 2^b) times the root at index 2^b (angle 2 pi 2^b / m)
    for (std::size_t b = 0; (std::size_t{1} << b) < half; ++b) {
      const std::size_t step = std::size_t{1} << b;
      const double rc = c[log2m - b], rs = s[log2m - b];
      for (std::size_t k = 0; k < step && k + step < half; ++k) {
        cos[k + step] = cos[k] * rc - sin[k] * rs;
        sin[k + step] = cos[k] * rs + sin[k] * rc;
      }
    }
  }
};

/// In-place iterative radix-2 FFT of size n (power of two) on separate real / imaginary arrays.
/// forward: X[k] = sum x[j] exp(-2 pi i jk/n); inverse: the same with +i and no 1/n scaling.
class Fft {
 public:
  explicit Fft(std::size_t n) : n_(n), roots_(n < 4 ? 4 : n), rev_(n) {
    std::size_t bits = 0;
    while ((std::size_t{1} << bits) < n) ++bits;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t r = 0;
      for (std::size_t b = 0; b < bits; ++b)
        if (i & (std::size_t{1} << b)) r |= std::size_t{1} << (bits - 1 - b);
      rev_[i] = r;
    }
  }
  std::size_t size() const { return n_; }

  void transform(double* re, double* im, bool inverse) const {
    const std::size_t n = n_;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t r = rev_[i];
      if (r > i) {
        std::swap(re[i], re[r]);
        std::swap(im[i], im[r]);
      }
    }
    const double sign = inverse ? 1.0 : -1.0;
    const std::size_t table = roots_.cos.size() * 2;  // order of the root table (>= n)
    for (std::size_t len = 2; len <= n; len <<= 1) {
      const std::size_t half = len / 2;
      const std::size_t stride = table / len;
      for (std::size_t start = 0; start < n; start += len) {
        for (std::size_t k = 0; k < half; ++k) {
          const double wr = roots_.cos[k * stride];
          const double wi = sign * roots_.sin[k * stride];
          const std::size_t a = start + k, b = a + half;
          const double tr = re[b] * wr - im[b] * wi;
          const double ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }

 private:
  std::size_t n_;
  UnitRoots roots_;
  std::vector<std::size_t> rev_;
};

}  // namespace emg::simulate::detail
