// Spectral metrics against NumPy golden values, the SCIENCE.md §7.1 check values, and bad input.
#include <emg/errors.hpp>
#include <emg/spectral/metrics.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <functional>
#include <string>

namespace {

using emg::RowMatrixXd;
using emg::VectorXd;
namespace sp = emg::spectral;

using emg::test::expect_error;
double rel(const VectorXd& a, const VectorXd& b) {
  if (a.size() != b.size()) return INFINITY;
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

TEST(SpectralMetrics, MatchGolden) {
  emg::test::Golden g("spectral_metrics.txt");
  const VectorXd f = g.vector("freqs");
  const RowMatrixXd& p = g.matrix("power");
  for (int i = 0; i < 3; ++i) {
    const auto k = "band" + std::to_string(i);
    const VectorXd b = g.vector(k);
    const sp::Band band{b(0), b(1)};
    EXPECT_LT(rel(sp::band_power(f, p, band), g.vector(k + "_power")), 1e-13) << k;
    EXPECT_LT(rel(sp::mean_frequency(f, p, band), g.vector(k + "_mnf")), 1e-13) << k;
    EXPECT_LT(rel(sp::median_frequency(f, p, band), g.vector(k + "_mdf")), 1e-12) << k;
    EXPECT_EQ(rel(sp::peak_frequency(f, p, band), g.vector(k + "_peak")), 0.0) << k;
    EXPECT_LT(rel(sp::spectral_moment(f, p, 2.0, band), g.vector(k + "_m2")), 1e-13) << k;
    if (g.has(k + "_fi")) {
      EXPECT_LT(rel(sp::fatigue_index_fi_nsm5(f, p, band), g.vector(k + "_fi")), 1e-12) << k;
    }
  }
}

// Shwedyk / Farina-Merletti model PSD on a fine analytic grid (SCIENCE.md §7.1).
RowMatrixXd shwedyk(const VectorXd& f, double fl, double fh) {
  RowMatrixXd p(1, f.size());
  for (long i = 0; i < f.size(); ++i) {
    const double v = f(i);
    p(0, i) = std::pow(fh, 4) * v * v / ((v * v + fl * fl) * std::pow(v * v + fh * fh, 2));
  }
  return p;
}

TEST(SpectralMetrics, ShwedykCheckValues) {
  const VectorXd f = VectorXd::LinSpaced(100001, 0.0, 1000.0);  // 0.01 Hz grid
  const sp::Band band{20.0, 450.0};
  const RowMatrixXd p = shwedyk(f, 60.0, 120.0);
  // exact quadrature values (scipy.integrate.quad); SCIENCE.md rounds them to 0.1 Hz
  EXPECT_NEAR(sp::mean_frequency(f, p, band)(0), 115.486, 0.01);
  EXPECT_NEAR(sp::median_frequency(f, p, band)(0), 95.674, 0.01);
  EXPECT_NEAR(sp::peak_frequency(f, p, band)(0), 65.0, 0.5);
  const double fi0 = sp::fatigue_index_fi_nsm5(f, p, band)(0);
  EXPECT_NEAR(fi0 / 3.75e-14, 1.0, 0.01);
  struct Row { double s, mnf, mdf, ratio; };
  for (const Row r : {Row{0.9, 105.842, 86.795, 1.4}, Row{0.8, 95.927, 77.894, 2.1}, Row{0.7, 85.803, 69.034, 3.2}}) {
    const RowMatrixXd ps = shwedyk(f, 60.0 * r.s, 120.0 * r.s);
    EXPECT_NEAR(sp::mean_frequency(f, ps, band)(0), r.mnf, 0.01) << r.s;
    EXPECT_NEAR(sp::median_frequency(f, ps, band)(0), r.mdf, 0.01) << r.s;
    EXPECT_NEAR(sp::fatigue_index_fi_nsm5(f, ps, band)(0) / fi0, r.ratio, 0.05) << r.s;
  }
}

TEST(SpectralMetrics, MedianInterpolationAndZeroPower) {
  const VectorXd f = VectorXd::LinSpaced(10, 0.0, 9.0);
  RowMatrixXd p = RowMatrixXd::Zero(1, 10);
  p(0, 3) = 1.0;
  p(0, 4) = 3.0;
  EXPECT_NEAR(sp::median_frequency(f, p)(0), 3.5 + 1.0 / 3.0, 1e-15);
  EXPECT_TRUE(std::isnan(sp::mean_frequency(f, RowMatrixXd::Zero(1, 10))(0)));
  EXPECT_TRUE(std::isnan(sp::median_frequency(f, RowMatrixXd::Zero(1, 10))(0)));
}

TEST(SpectralMetrics, BadInput) {
  const VectorXd f = VectorXd::LinSpaced(250, 0.0, 498.0);
  const RowMatrixXd p = RowMatrixXd::Ones(2, 250);
  VectorXd g = f;
  g(5) += 0.5;
  expect_error([&] { sp::mean_frequency(g, p); }, "mean_frequency: freqs_hz=step 2.5 at index 5 must be a uniform grid");
  expect_error([&] { sp::median_frequency(f, RowMatrixXd::Ones(2, 10)); },
               "median_frequency: power=shape (2, 10) must be channels x n_freqs with n_freqs = 250");
  expect_error([&] { sp::band_power(f, p, {-1.0, 600.0}); }, "band_power: high_hz=600 must lie inside the frequency grid [0, 498] Hz");
  expect_error([&] { sp::band_power(f, p, {300.0, 100.0}); }, "band_power: low_hz=300 must be < high_hz (100)");
  expect_error([&] { sp::band_power(f, p, {100.5, 101.5}); }, "select no frequency bin");
  expect_error([&] { sp::fatigue_index_fi_nsm5(f, p); }, "fatigue_index_fi_nsm5: low_hz=-1 must exclude 0 Hz");
  expect_error([&] { sp::spectral_moment(f, p, -1.0, {0.0, 100.0}); }, "spectral_moment: low_hz=0 must exclude 0 Hz");
  expect_error([&] { sp::spectral_moment(f, p, NAN); }, "spectral_moment: k=nan must be finite");
  RowMatrixXd q = p;
  q(1, 3) = -1.0;
  expect_error([&] { sp::peak_frequency(f, q); }, "peak_frequency: power=-1 at channel 1, bin 3 must be finite and >= 0");
  expect_error([&] { sp::mean_frequency(VectorXd::Ones(1), RowMatrixXd::Ones(1, 1)); }, "must have at least 2 frequencies");
  // a negative-order moment is fine once the band excludes 0 Hz
  EXPECT_GT(sp::spectral_moment(f, p, -1.0, {2.0, 100.0})(0), 0.0);
}

}  // namespace
