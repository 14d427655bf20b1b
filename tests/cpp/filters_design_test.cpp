// butter / iirnotch / iirpeak / sosfreqz against SciPy golden values, and parameter errors.
#include <emg/errors.hpp>
#include <emg/filters/design.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <cmath>
#include <functional>
#include <string>

namespace {

using emg::filters::BType;
using emg::filters::Sos;

/// Largest |a - b| / max(|b|, floor) over all coefficients (coefficients can be ~1e-20).
double max_rel_diff(const Sos& a, const emg::RowMatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
  double worst = 0.0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < 6; ++j) {
      const double scale = std::max(std::abs(b(i, j)), 1e-300);
      worst = std::max(worst, std::abs(a(i, j) - b(i, j)) / scale);
    }
  }
  return worst;
}

using emg::test::error_of;

TEST(FiltersDesign, ButterMatchesScipyEveryTypeOrderAndFs) {
  const emg::test::Golden g("filters_design.txt");
  int checked = 0;
  for (double fs : {250.0, 1000.0, 2048.0, 10000.0}) {
    for (BType bt : {BType::lowpass, BType::highpass, BType::bandpass, BType::bandstop}) {
      const std::string tag = emg::filters::to_string(bt) + "_fs" + std::to_string(static_cast<int>(fs));
      const emg::VectorXd cut = g.vector("cut_" + tag);
      const std::vector<double> cutv(cut.data(), cut.data() + cut.size());
      for (int order = 1; order <= 10; ++order) {
        const std::string name = "butter_" + tag + "_n" + std::to_string(order);
        const Sos sos = emg::filters::butter(order, cutv, bt, fs);
        EXPECT_LE(max_rel_diff(sos, g.matrix(name)), 1e-10) << name;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 160);
}

TEST(FiltersDesign, EmgBandPassSectionOrder) {
  const emg::test::Golden g("filters_design.txt");
  const Sos sos = emg::filters::butter(4, {20.0, 450.0}, BType::bandpass, 2048.0);
  ASSERT_EQ(sos.rows(), 4);
  EXPECT_LE(max_rel_diff(sos, g.matrix("butter_emg_2048")), 1e-12);
  // Poles nearest the unit circle come last (SciPy's "nearest" pairing).
  EXPECT_GT(sos(3, 5), sos(0, 5));
}

TEST(FiltersDesign, NotchAndPeakMatchScipy) {
  const emg::test::Golden g("filters_design.txt");
  struct Case {
    double w0, q, fs;
    const char* tag;
  };
  for (const Case c : {Case{50, 30, 1000, "50_30_1000"}, Case{60, 10, 2048, "60_10_2048"}, Case{400, 2.5, 1000, "400_2p5_1000"}}) {
    EXPECT_LE(max_rel_diff(emg::filters::iirnotch(c.w0, c.q, c.fs), g.matrix(std::string("notch_") + c.tag)), 1e-12);
    EXPECT_LE(max_rel_diff(emg::filters::iirpeak(c.w0, c.q, c.fs), g.matrix(std::string("peak_") + c.tag)), 1e-12);
  }
}

TEST(FiltersDesign, SosfreqzMatchesScipy) {
  const emg::test::Golden g("filters_design.txt");
  const Sos sos = emg::filters::butter(4, {20.0, 450.0}, BType::bandpass, 2048.0);
  const Eigen::VectorXcd h = emg::filters::sosfreqz(sos, g.vector("freqz_f"), 2048.0);
  const auto re = g.vector("freqz_re"), im = g.vector("freqz_im");
  for (Eigen::Index i = 0; i < h.size(); ++i) {
    EXPECT_NEAR(h(i).real(), re(i), 1e-12);
    EXPECT_NEAR(h(i).imag(), im(i), 1e-12);
  }
}

TEST(FiltersDesign, ParseBtypeAcceptsScipyAliases) {
  EXPECT_EQ(emg::filters::parse_btype("low"), BType::lowpass);
  EXPECT_EQ(emg::filters::parse_btype("hp"), BType::highpass);
  EXPECT_EQ(emg::filters::parse_btype("band"), BType::bandpass);
  EXPECT_EQ(emg::filters::parse_btype("pass"), BType::bandpass);
  EXPECT_EQ(emg::filters::parse_btype("stop"), BType::bandstop);
  EXPECT_EQ(emg::filters::parse_btype("BandStop"), BType::bandstop);
  EXPECT_NE(error_of([] { emg::filters::parse_btype("notch"); }).find("btype='notch'"), std::string::npos);
}

TEST(FiltersDesign, BadParametersNameParameterValueAndRule) {
  using emg::filters::butter;
  auto msg = [](auto f) { return error_of(f); };
  EXPECT_NE(msg([] { butter(0, {10.0}, BType::lowpass, 1000.0); }).find("butter: order=0 must be in 1..10"),
            std::string::npos);
  EXPECT_NE(msg([] { butter(11, {10.0}, BType::lowpass, 1000.0); }).find("order=11"), std::string::npos);
  EXPECT_NE(msg([] { butter(-2, {10.0}, BType::lowpass, 1000.0); }).find("order=-2"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {10.0}, BType::lowpass, 0.0); }).find("fs_hz=0 must be finite and > 0"),
            std::string::npos);
  EXPECT_NE(msg([] { butter(4, {10.0}, BType::lowpass, -5.0); }).find("fs_hz=-5"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {10.0}, BType::lowpass, NAN); }).find("fs_hz=nan"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {10.0}, BType::lowpass, INFINITY); }).find("fs_hz=inf"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {0.0}, BType::lowpass, 1000.0); }).find("cutoff_hz=0 must be > 0"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {-3.0}, BType::highpass, 1000.0); }).find("cutoff_hz=-3"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {500.0}, BType::lowpass, 1000.0); })
                .find("cutoff_hz=500 must be > 0 and below Nyquist (500 Hz for fs_hz=1000)"),
            std::string::npos);
  EXPECT_NE(msg([] { butter(4, {100.0, 50.0}, BType::bandpass, 1000.0); })
                .find("cutoff_hz=[100, 50] must be increasing (low < high)"),
            std::string::npos);
  EXPECT_NE(msg([] { butter(4, {50.0, 50.0}, BType::bandstop, 1000.0); }).find("low < high"), std::string::npos);
  EXPECT_NE(msg([] { butter(4, {50.0}, BType::bandpass, 1000.0); }).find("must have exactly 2 values"),
            std::string::npos);
  EXPECT_NE(msg([] { butter(4, {50.0, 60.0}, BType::lowpass, 1000.0); }).find("must have exactly 1 value"),
            std::string::npos);
  // The classic mistake: an EMG band-pass on a recording sampled too slowly.
  const std::string emg = msg([] { butter(4, {20.0, 450.0}, BType::bandpass, 500.0); });
  EXPECT_NE(emg.find("cutoff_hz=450"), std::string::npos) << emg;
  EXPECT_NE(emg.find("below Nyquist (250 Hz for fs_hz=500)"), std::string::npos) << emg;
}

TEST(FiltersDesign, NotchBadParameters) {
  EXPECT_NE(error_of([] { emg::filters::iirnotch(600.0, 30.0, 1000.0); }).find("iirnotch: w0_hz=600"), std::string::npos);
  EXPECT_NE(error_of([] { emg::filters::iirnotch(0.0, 30.0, 1000.0); }).find("w0_hz=0"), std::string::npos);
  EXPECT_NE(error_of([] { emg::filters::iirpeak(50.0, 0.0, 1000.0); }).find("iirpeak: q=0 must be finite and > 0"),
            std::string::npos);
  EXPECT_NE(error_of([] { emg::filters::iirpeak(50.0, 10.0, NAN); }).find("fs_hz=nan"), std::string::npos);
}

TEST(FiltersDesign, ValidateSos) {
  Sos sos = emg::filters::butter(2, {10.0}, BType::lowpass, 100.0);
  EXPECT_NO_THROW(emg::filters::validate_sos(sos, "f"));
  Sos bad = sos;
  bad(0, 3) = 2.0;
  EXPECT_NE(error_of([&] { emg::filters::validate_sos(bad, "f"); }).find("a0 == 1"), std::string::npos);
  bad = sos;
  bad(0, 1) = NAN;
  EXPECT_NE(error_of([&] { emg::filters::validate_sos(bad, "f"); }).find("must be finite"), std::string::npos);
  EXPECT_NE(error_of([] { emg::filters::validate_sos(Sos(0, 6), "f"); }).find("at least one section"),
            std::string::npos);
}

}  // namespace
