// Fatigue series and linear trends against the SciPy/NumPy reference loop (golden file).
#include <emg/errors.hpp>
#include <emg/parallel.hpp>
#include <emg/spectral/fatigue.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <functional>
#include <set>
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

sp::FatigueParams golden_params(const emg::test::Golden& g) {
  const VectorXd v = g.vector("params");
  sp::FatigueParams p;
  p.window_s = v(0);
  p.step_s = v(1);
  p.segment_s = v(2);
  p.low_hz = v(3);
  p.high_hz = v(4);
  return p;
}

TEST(SpectralFatigue, MatchesReferenceLoop) {
  emg::test::Golden g("spectral_fatigue.txt");
  const auto s = sp::fatigue_series(g.matrix("x"), g.scalar("fs"), golden_params(g));
  EXPECT_LT(rel(s.times_s, g.vector("times")), 1e-15);
  EXPECT_LT(rel(s.mnf_hz.row(0).transpose(), g.vector("mnf")), 1e-10);
  EXPECT_LT(rel(s.mdf_hz.row(0).transpose(), g.vector("mdf")), 1e-10);
  EXPECT_LT(rel(s.rms.row(0).transpose(), g.vector("rms")), 1e-12);
  EXPECT_LT(rel(s.arv.row(0).transpose(), g.vector("arv")), 1e-12);
  const VectorXd t = g.vector("mdf_trend");
  const sp::Trend& tr = s.mdf_trend.at(0);
  EXPECT_NEAR(tr.slope, t(0), 1e-9 * std::abs(t(0)));
  EXPECT_NEAR(tr.intercept, t(1), 1e-10 * std::abs(t(1)));
  EXPECT_NEAR(tr.slope_ci_low, t(2), 1e-9 * std::abs(t(2)));
  EXPECT_NEAR(tr.slope_ci_high, t(3), 1e-9 * std::abs(t(3)));
  EXPECT_NEAR(tr.normalized_slope_pct_per_s, t(4), 1e-9 * std::abs(t(4)));
  EXPECT_NEAR(tr.r_squared, t(5), 1e-9);
  EXPECT_EQ(tr.n, static_cast<long>(t(6)));
}

TEST(SpectralFatigue, ThreadCountIndependent) {
  emg::test::Golden g("spectral_fatigue.txt");
  // large enough (> 2^18 samples) for the kernels to use a thread team at all
  const RowMatrixXd& x0 = g.matrix("x");
  const long reps = 40;
  RowMatrixXd x(3, x0.cols() * reps);
  for (int c = 0; c < 3; ++c) {
    for (long r = 0; r < reps; ++r) x.block(c, r * x0.cols(), 1, x0.cols()) = x0 * (1.0 + c + 0.01 * static_cast<double>(r));
  }
  emg::set_num_threads(1);
  const auto a = sp::fatigue_series(x, g.scalar("fs"), golden_params(g));
  emg::set_num_threads(2);
  const auto b = sp::fatigue_series(x, g.scalar("fs"), golden_params(g));
  emg::set_num_threads(0);
  EXPECT_TRUE(a.mdf_hz == b.mdf_hz);
  EXPECT_TRUE(a.mnf_hz == b.mnf_hz);
  EXPECT_TRUE(a.rms == b.rms);
}

TEST(SpectralFatigue, StudentTQuantiles) {
  emg::test::Golden g("spectral_fatigue.txt");
  const VectorXd dofs = g.vector("t_dofs"), q975 = g.vector("t_ppf975"), q90 = g.vector("t_ppf90");
  for (long i = 0; i < dofs.size(); ++i) {
    EXPECT_NEAR(sp::student_t_ppf(0.975, dofs(i)), q975(i), 1e-10 * q975(i)) << dofs(i);
    EXPECT_NEAR(sp::student_t_ppf(0.90, dofs(i)), q90(i), 1e-10 * q90(i)) << dofs(i);
    EXPECT_NEAR(sp::student_t_ppf(0.025, dofs(i)), -q975(i), 1e-10 * q975(i)) << dofs(i);
  }
  // closed forms: Cauchy (1 dof) and 2 dof
  EXPECT_NEAR(sp::student_t_ppf(0.975, 1.0), std::tan(M_PI * 0.475), 1e-12);
  EXPECT_NEAR(sp::student_t_ppf(0.975, 2.0), 0.95 * std::sqrt(2.0 / (4.0 * 0.975 * 0.025)), 1e-12);
}

TEST(SpectralFatigue, ExactLineAndShortSeries) {
  VectorXd t = VectorXd::LinSpaced(10, 0.0, 9.0);
  VectorXd y = 50.0 - 0.5 * t.array();
  const auto tr = sp::linear_trend(t, y);
  EXPECT_NEAR(tr.slope, -0.5, 1e-14);
  EXPECT_NEAR(tr.intercept, 50.0, 1e-13);
  EXPECT_NEAR(tr.slope_ci_low, -0.5, 1e-12);
  EXPECT_NEAR(tr.normalized_slope_pct_per_s, -1.0, 1e-13);
  EXPECT_NEAR(tr.r_squared, 1.0, 1e-14);
  RowMatrixXd x = RowMatrixXd::Ones(1, 1500);
  x(0, 10) = 3.0;
  const auto s = sp::fatigue_series(x, 1000.0);
  EXPECT_EQ(s.times_s.size(), 2);
  EXPECT_TRUE(std::isnan(s.mdf_trend[0].slope));
  EXPECT_EQ(s.mdf_trend[0].n, 2);
}

TEST(SpectralFatigue, DescribeListsEveryField) {
  std::set<std::string> names;
  for (const auto& p : sp::FatigueParams::describe()) {
    names.insert(p.name);
    EXPECT_FALSE(p.help.empty());
    EXPECT_FALSE(p.default_value.empty());
    EXPECT_FALSE(p.range.empty());
  }
  EXPECT_EQ(names, (std::set<std::string>{"window_s", "step_s", "segment_s", "low_hz", "high_hz", "detrend"}));
}

TEST(SpectralFatigue, BadInput) {
  const RowMatrixXd x = RowMatrixXd::Ones(1, 1000);
  sp::FatigueParams p;
  auto with = [&](auto f) {
    sp::FatigueParams q = p;
    f(q);
    return q;
  };
  expect_error([&] { sp::fatigue_series(x, -1.0, p); }, "fatigue_series: fs_hz=-1 must be finite and > 0");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.window_s = 0.0; })); },
               "fatigue_series: window_s=0 must be finite and > 0");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.step_s = NAN; })); },
               "fatigue_series: step_s=nan must be finite and > 0");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.segment_s = 2.0; })); },
               "fatigue_series: segment_s=2 must be <= window_s (1)");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.segment_s = 0.001; })); },
               "fatigue_series: segment_s=0.001 must be at least two samples");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.low_hz = 600.0; })); },
               "fatigue_series: low_hz=600 must be below Nyquist (500 Hz)");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.high_hz = 10.0; })); },
               "fatigue_series: high_hz=10 must be finite and > low_hz (20)");
  expect_error([&] { sp::fatigue_series(x, 1000.0, with([](auto& q) { q.window_s = 2.0; })); },
               "fatigue_series: x=1000 samples is shorter than one epoch (window_s=2 s = 2000 samples)");
  RowMatrixXd bad = x;
  bad(0, 3) = NAN;
  expect_error([&] { sp::fatigue_series(bad, 1000.0, p); }, "fatigue_series: x=nan at channel 0, sample 3 must be finite");
  expect_error([&] { sp::fatigue_series(RowMatrixXd(0, 0), 1000.0, p); }, "empty input");
  const VectorXd t3 = VectorXd::LinSpaced(3, 0.0, 2.0);
  expect_error([&] { sp::linear_trend(t3, VectorXd::Ones(2)); }, "linear_trend: y=2 values must have the same length as t (3)");
  expect_error([&] { sp::linear_trend(VectorXd::Ones(2), VectorXd::Ones(2)); }, "linear_trend: t=2 points must have at least 3 points");
  expect_error([&] { sp::linear_trend(VectorXd::Ones(3), t3); }, "linear_trend: t=all equal to 1 must contain distinct times");
  expect_error([&] { sp::student_t_ppf(0.0, 3.0); }, "student_t_ppf: p=0 must be in (0, 1)");
  expect_error([&] { sp::student_t_ppf(0.5, -1.0); }, "student_t_ppf: dof=-1 must be finite and > 0");
}

}  // namespace
