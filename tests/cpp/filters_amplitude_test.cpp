// Amplitude estimators: golden values from tests/data/make_golden_amplitude.py, the edge rule,
// drift-free running sums on an hour-long record, and every bad input with its message.
#include <emg/errors.hpp>
#include <emg/filters/amplitude.hpp>
#include <emg/parallel.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <random>
#include <string>

namespace {

using emg::RowMatrixXd;
using emg::VectorXd;
using emg::filters::WindowAlign;
namespace fl = emg::filters;

using emg::test::error_of;
using emg::test::max_rel;

RowMatrixXd gaussian(long rows, long cols, unsigned seed, double offset = 0.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd;
  RowMatrixXd x(rows, cols);
  for (long i = 0; i < x.size(); ++i) x.data()[i] = offset + nd(gen);
  return x;
}

TEST(Amplitude, MovingStatsMatchDirectDefinition) {
  const emg::test::Golden g("amplitude_moving.txt");
  const RowMatrixXd x = g.matrix("x");
  for (long w : {1L, 2L, 31L, 60L, 150L}) {
    for (auto align : {WindowAlign::centered, WindowAlign::trailing}) {
      std::string suffix = "_";
      suffix += fl::to_string(align);
      suffix += "_w";
      suffix += std::to_string(w);
      const double window_s = static_cast<double>(w) / 1000.0;
      EXPECT_LT(max_rel(fl::moving_rms(x, 1000.0, window_s, align), g.matrix(std::string("rms") + suffix)), 1e-13) << suffix;
      EXPECT_LT(max_rel(fl::moving_average(x, 1000.0, window_s, align), g.matrix(std::string("avg") + suffix)), 1e-13) << suffix;
    }
  }
}

TEST(Amplitude, EdgeRuleOnKnownValues) {
  RowMatrixXd x(1, 5);
  x << 0, 1, 2, 3, 4;
  RowMatrixXd want(1, 5);
  want << 0.5, 1, 2, 3, 3.5;
  EXPECT_LT(emg::test::max_abs_diff(fl::moving_average(x, 1.0, 3.0), want), 1e-15);
  want << 0, 0.5, 1, 2, 3;
  EXPECT_LT(emg::test::max_abs_diff(fl::moving_average(x, 1.0, 3.0, WindowAlign::trailing), want), 1e-15);
  want << 0.5, 1.5, 2.5, 3.5, 4;  // even N = 2, centred: [n, n + 1]
  EXPECT_LT(emg::test::max_abs_diff(fl::moving_average(x, 1.0, 2.0), want), 1e-15);
  EXPECT_EQ(fl::window_samples(0.1, 2048.0, "t"), 205);
  EXPECT_EQ(fl::window_samples(1e-6, 1000.0, "t"), 1);
}

TEST(Amplitude, HourLongRecordWithDcOffsetDoesNotDrift) {
  const double fs = 2048.0;
  const RowMatrixXd x = gaussian(1, static_cast<long>(fs) * 3600, 7, 1000.0);
  const long w = fl::window_samples(0.1, fs, "t");
  for (auto align : {WindowAlign::centered, WindowAlign::trailing}) {
    const RowMatrixXd r = fl::moving_rms(x, fs, 0.1, align);
    const RowMatrixXd a = fl::moving_average(x, fs, 0.1, align);
    const long back = align == WindowAlign::trailing ? w - 1 : (w - 1) / 2;
    double worst_r = 0.0, worst_a = 0.0;
    std::mt19937_64 pick(3);
    for (int i = 0; i < 3000; ++i) {
      // Late samples are where drift would show; include the very last ones.
      const long n = i < 10 ? x.cols() - 1 - i : static_cast<long>(pick() % static_cast<unsigned long>(x.cols()));
      const long lo = std::max(0L, n - back), hi = std::min(x.cols() - 1, n - back + w - 1);
      long double s2 = 0, s1 = 0;
      for (long k = lo; k <= hi; ++k) {
        s2 += static_cast<long double>(x(0, k)) * x(0, k);
        s1 += x(0, k);
      }
      const auto cnt = static_cast<long double>(hi - lo + 1);
      const double ref_r = static_cast<double>(std::sqrt(s2 / cnt));
      const double ref_a = static_cast<double>(s1 / cnt);
      worst_r = std::max(worst_r, std::abs(r(0, n) - ref_r) / ref_r);
      worst_a = std::max(worst_a, std::abs(a(0, n) - ref_a) / std::abs(ref_a));
    }
    EXPECT_LT(worst_r, 1e-12);
    EXPECT_LT(worst_a, 1e-12);
  }
}

TEST(Amplitude, SilenceAfterBurstGivesZeroNotNan) {
  RowMatrixXd x = RowMatrixXd::Zero(1, 20000);
  x.leftCols(5000) = gaussian(1, 5000, 11, 0.0) * 1e6;
  const RowMatrixXd r = fl::moving_rms(x, 1000.0, 0.05, WindowAlign::trailing);
  EXPECT_TRUE(r.allFinite());
  EXPECT_GE(r.minCoeff(), 0.0);
  EXPECT_LT(r.rightCols(10000).maxCoeff(), 1e-3);  // exact restarts reset the rounding residue
}

TEST(Amplitude, ResultDoesNotDependOnThreadCount) {
  const RowMatrixXd x = gaussian(5, 30001, 5);
  emg::set_num_threads(1);
  const RowMatrixXd one = fl::moving_rms(x, 2000.0, 0.05);
  emg::set_num_threads(2);
  const RowMatrixXd two = fl::moving_rms(x, 2000.0, 0.05);
  emg::set_num_threads(0);
  EXPECT_EQ(emg::test::max_abs_diff(one, two), 0.0);
  for (long c = 0; c < x.rows(); ++c) {  // each channel alone gives the same row
    EXPECT_EQ(emg::test::max_abs_diff(fl::moving_rms(x.row(c), 2000.0, 0.05), one.row(c)), 0.0);
  }
}

TEST(Amplitude, TkeoArvRmsIemgMatchNumpy) {
  const emg::test::Golden g("amplitude_moving.txt");
  const RowMatrixXd x = g.matrix("x");
  EXPECT_LT(max_rel(fl::tkeo(x), g.matrix("tkeo")), 1e-14);
  EXPECT_LT((fl::arv(x) - g.vector("arv")).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_LT((fl::rms(x) - g.vector("rms")).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_LT((fl::iemg(x, 1000.0) - g.vector("iemg_fs1000")).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_LT(emg::test::max_abs_diff(fl::rectify(x), x.cwiseAbs()), 1e-300);
}

TEST(Amplitude, RmsIsAboutSqrtHalfPiTimesArvForGaussianNoise) {
  const RowMatrixXd x = gaussian(3, 200000, 9);
  const VectorXd ratio = fl::rms(x).cwiseQuotient(fl::arv(x));
  for (long c = 0; c < ratio.size(); ++c) EXPECT_NEAR(ratio(c), std::sqrt(std::acos(-1.0) / 2.0), 0.01);
}

TEST(Amplitude, LinearEnvelopeMatchesScipy) {
  const emg::test::Golden g("amplitude_envelope.txt");
  const RowMatrixXd x1 = g.matrix("x_fs1000");
  const RowMatrixXd e1 = fl::linear_envelope(x1, 1000.0, 6.0, 2);
  EXPECT_LT(emg::test::max_abs_diff(e1, g.matrix("env_fs1000_c6_n2")), 1e-10 * std::sqrt(x1.squaredNorm() / static_cast<double>(x1.size())));
  EXPECT_GE(e1.minCoeff(), 0.0);
  const RowMatrixXd x2 = g.matrix("x_fs2048");
  const RowMatrixXd e2 = fl::linear_envelope(x2, 2048.0, 10.0, 4);
  EXPECT_LT(emg::test::max_abs_diff(e2, g.matrix("env_fs2048_c10_n4")), 1e-10 * std::sqrt(x2.squaredNorm() / static_cast<double>(x2.size())));
}

TEST(Amplitude, BadInputsNameFunctionParameterValueAndRule) {
  const RowMatrixXd x = gaussian(2, 1000, 1);
  EXPECT_ERROR(fl::moving_rms(x, 0.0, 0.1), "moving_rms: fs_hz=0", "> 0");
  EXPECT_ERROR(fl::moving_rms(x, std::nan(""), 0.1), "moving_rms: fs_hz=nan");
  EXPECT_ERROR(fl::moving_rms(x, 1000.0, 0.0), "moving_rms: window_s=0", "> 0");
  EXPECT_ERROR(fl::moving_average(x, 1000.0, -1.0), "moving_average: window_s=-1");
  EXPECT_ERROR(fl::moving_rms(x, 1000.0, 1.5), "moving_rms: window_s=1.5", "longer than the signal", "1500 samples");
  RowMatrixXd bad = x;
  bad(1, 17) = std::nan("");
  EXPECT_ERROR(fl::moving_rms(bad, 1000.0, 0.1), "moving_rms: x=nan at channel 1, sample 17", "finite");
  bad(1, 17) = INFINITY;
  EXPECT_ERROR(fl::arv(bad), "arv: x=inf");
  EXPECT_ERROR(fl::rectify(RowMatrixXd(0, 0)), "rectify: x=", "empty");
  EXPECT_ERROR(fl::rms(RowMatrixXd(1, 0)), "rms: x=", "empty");
  EXPECT_ERROR(fl::iemg(x, -2.0), "iemg: fs_hz=-2");
  EXPECT_ERROR(fl::tkeo(x.leftCols(2)), "tkeo: x=2 samples", "at least 3");
  EXPECT_ERROR(fl::parse_align("middle", "moving_rms"), "moving_rms: align='middle'", "'centered' or 'trailing'");
  EXPECT_ERROR(fl::parse_align("x"), "parse_align: align='x'");
  EXPECT_ERROR(fl::linear_envelope(x, 1000.0, 500.0), "linear_envelope: cutoff_hz=500", "Nyquist");
  EXPECT_ERROR(fl::linear_envelope(x, 1000.0, 0.0), "linear_envelope: cutoff_hz=0");
  EXPECT_ERROR(fl::linear_envelope(x, 1000.0, 6.0, 0), "linear_envelope: order=0", "1..10");
  EXPECT_ERROR(fl::linear_envelope(x, 1000.0, 6.0, 11), "linear_envelope: order=11");
  EXPECT_ERROR(fl::linear_envelope(x.leftCols(9), 1000.0, 6.0, 2), "linear_envelope: x=9 samples", "padlen=9");
  EXPECT_ERROR(fl::linear_envelope(bad, 1000.0), "linear_envelope: x=inf");
}

}  // namespace
