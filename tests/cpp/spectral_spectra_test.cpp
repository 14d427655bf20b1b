// Windows, periodogram, Welch, STFT and spectrogram against SciPy golden files, plus bad input.
#include <emg/errors.hpp>
#include <emg/parallel.hpp>
#include <emg/spectral/spectra.hpp>
#include <emg/spectral/window.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include "golden.hpp"

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

namespace {

using emg::RowMatrixXd;
using emg::VectorXd;
namespace sp = emg::spectral;

const std::array<const char*, 7> kWindows = {"hann", "hamming", "blackman", "boxcar", "bartlett", "tukey", "flattop"};
const std::array<sp::Detrend, 3> kDetrends = {sp::Detrend::none, sp::Detrend::constant, sp::Detrend::linear};

sp::Window window_of(double code, double param) { return sp::Window{kWindows.at(static_cast<std::size_t>(code)), param}; }

// max |a - b| relative to max |b| (the "relative to the reference spectrum" tolerance)
double rel_diff(const RowMatrixXd& a, const RowMatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

RowMatrixXd row(const VectorXd& v) { return v.transpose(); }

using emg::test::expect_error;

TEST(SpectralWindow, MatchesScipy) {
  emg::test::Golden g("spectral_windows.txt");
  for (const char* name : kWindows) {
    for (long n : {1L, 2L, 7L, 64L}) {
      const auto key = std::string(name) + "_" + std::to_string(n);
      EXPECT_LT(rel_diff(row(sp::get_window(sp::Window{name}, n)), g.matrix(key)), 1e-14) << key;
    }
  }
  EXPECT_LT(rel_diff(row(sp::get_window(sp::Window::parse("tukey:0.25"), 64)), g.matrix("tukey0.25_64")), 1e-14);
  EXPECT_LT(rel_diff(row(sp::get_window(sp::Window{"tukey", 0.0}, 64)), g.matrix("tukey0.0_64")), 1e-14);
  EXPECT_LT(rel_diff(row(sp::get_window(sp::Window{"tukey", 1.0}, 64)), g.matrix("tukey1.0_64")), 1e-14);
}

TEST(SpectralWindow, ParseAndErrors) {
  const auto w = sp::Window::parse("tukey:0.25");
  EXPECT_EQ(w.name, "tukey");
  EXPECT_DOUBLE_EQ(w.param, 0.25);
  EXPECT_EQ(w.to_string(), "tukey:0.25");
  EXPECT_EQ(sp::Window::parse("hann").to_string(), "hann");
  expect_error([] { sp::Window::parse("kaiser"); }, "Window::parse: window=kaiser is not a known window");
  expect_error([] { sp::Window::parse("tukey:x"); }, "window=tukey:x has a parameter that is not a finite number");
  expect_error([] { sp::get_window(sp::Window{"hann"}, 0); }, "get_window: n=0 must be >= 1");
  expect_error([] { sp::get_window(sp::Window{"hann", 0.5}, 8); }, "get_window: window=hann:0.5 takes no parameter");
  expect_error([] { sp::get_window(sp::Window{"tukey", 1.5}, 8); }, "window=tukey:1.5 needs a tukey alpha in [0, 1]");
}

TEST(SpectralWelch, MatchesScipy) {
  emg::test::Golden g("spectral_welch.txt");
  const RowMatrixXd& x = g.matrix("x");
  const double fs = g.scalar("fs");
  int cases = 0;
  for (int i = 0; g.has("case" + std::to_string(i) + "_params"); ++i, ++cases) {
    const auto k = "case" + std::to_string(i);
    const VectorXd prm = g.vector(k + "_params");
    sp::WelchParams p;
    p.window = window_of(prm(0), prm(1));
    p.nperseg = static_cast<long>(prm(2));
    p.noverlap = static_cast<long>(prm(3));
    p.nfft = static_cast<long>(prm(4));
    p.detrend = kDetrends.at(static_cast<std::size_t>(prm(5)));
    p.scaling = prm(6) == 0 ? sp::Scaling::density : sp::Scaling::spectrum;
    p.average = prm(7) == 0 ? sp::Average::mean : sp::Average::median;
    const auto r = sp::welch(x, fs, p);
    EXPECT_EQ(rel_diff(row(r.freqs_hz), g.matrix(k + "_freqs")), 0.0) << k;
    EXPECT_LT(rel_diff(r.power, g.matrix(k + "_power")), 1e-10) << k;
  }
  EXPECT_EQ(cases, 7);
}

TEST(SpectralPeriodogram, MatchesScipy) {
  emg::test::Golden g("spectral_welch.txt");
  const RowMatrixXd& x = g.matrix("x");
  for (int i = 0; i < 3; ++i) {
    const auto k = "pgram" + std::to_string(i);
    const VectorXd prm = g.vector(k + "_params");
    sp::PeriodogramParams p;
    p.window = window_of(prm(0), prm(1));
    p.nfft = static_cast<long>(prm(2));
    p.detrend = kDetrends.at(static_cast<std::size_t>(prm(3)));
    p.scaling = prm(4) == 0 ? sp::Scaling::density : sp::Scaling::spectrum;
    const auto r = sp::periodogram(x, g.scalar("fs"), p);
    EXPECT_EQ(rel_diff(row(r.freqs_hz), g.matrix(k + "_freqs")), 0.0) << k;
    EXPECT_LT(rel_diff(r.power, g.matrix(k + "_power")), 1e-10) << k;
  }
}

TEST(SpectralStft, MatchesScipy) {
  emg::test::Golden g("spectral_stft.txt");
  const RowMatrixXd& x = g.matrix("x");
  for (int i = 0; i < 3; ++i) {
    const auto k = "stft" + std::to_string(i);
    const VectorXd prm = g.vector(k + "_params");
    sp::StftParams p;
    p.window = window_of(prm(0), prm(1));
    p.nperseg = static_cast<long>(prm(2));
    p.noverlap = static_cast<long>(prm(3));
    p.nfft = static_cast<long>(prm(4));
    p.detrend = kDetrends.at(static_cast<std::size_t>(prm(5)));
    p.boundary_zeros = prm(6) != 0;
    p.padded = prm(7) != 0;
    p.scaling = prm(8) == 0 ? sp::Scaling::density : sp::Scaling::spectrum;
    const auto r = sp::stft(x, g.scalar("fs"), p);
    ASSERT_EQ(r.coefficients.size(), 1u);
    EXPECT_LT(rel_diff(row(r.times_s), g.matrix(k + "_times")), 1e-14) << k;
    const RowMatrixXd re = r.coefficients[0].real(), im = r.coefficients[0].imag();
    const RowMatrixXd& gre = g.matrix(k + "_real");
    const RowMatrixXd& gim = g.matrix(k + "_imag");
    ASSERT_EQ(re.rows(), gre.rows());
    ASSERT_EQ(re.cols(), gre.cols());
    const double scale = (gre.array().square() + gim.array().square()).sqrt().maxCoeff();
    EXPECT_LT((re - gre).cwiseAbs().maxCoeff() / scale, 1e-10) << k;
    EXPECT_LT((im - gim).cwiseAbs().maxCoeff() / scale, 1e-10) << k;
  }
}

TEST(SpectralSpectrogram, MatchesScipy) {
  emg::test::Golden g("spectral_stft.txt");
  const RowMatrixXd& x = g.matrix("x");
  for (int i = 0; i < 2; ++i) {
    const auto k = "sgram" + std::to_string(i);
    const VectorXd prm = g.vector(k + "_params");
    sp::SpectrogramParams p;
    p.window = window_of(prm(0), prm(1));
    p.nperseg = static_cast<long>(prm(2));
    p.noverlap = static_cast<long>(prm(3));
    p.nfft = static_cast<long>(prm(4));
    p.detrend = kDetrends.at(static_cast<std::size_t>(prm(5)));
    p.scaling = prm(6) == 0 ? sp::Scaling::density : sp::Scaling::spectrum;
    const auto r = sp::spectrogram(x, g.scalar("fs"), p);
    EXPECT_LT(rel_diff(row(r.times_s), g.matrix(k + "_times")), 1e-14) << k;
    EXPECT_LT(rel_diff(r.power.at(0), g.matrix(k + "_power")), 1e-10) << k;
  }
}

TEST(SpectralWelch, WhiteNoiseLevelAndThreadIndependence) {
  // deterministic pseudo-random white noise (LCG) with unit variance
  RowMatrixXd x(1, 200000);
  unsigned long long s = 12345;
  for (long i = 0; i < x.cols(); ++i) {
    double u = 0.0;
    for (int k = 0; k < 12; ++k) {  // Irwin-Hall: sum of 12 uniforms - 6 has unit variance
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      u += static_cast<double>(s >> 11) * 0x1.0p-53;
    }
    x(0, i) = u - 6.0;
  }
  const double fs = 2000.0;
  sp::WelchParams p;
  p.nperseg = 512;
  emg::set_num_threads(1);
  const auto a = sp::welch(x, fs, p);
  emg::set_num_threads(2);
  const auto b = sp::welch(x, fs, p);
  emg::set_num_threads(3);
  const auto c = sp::welch(x, fs, p);
  emg::set_num_threads(0);
  EXPECT_TRUE(a.power == b.power);
  EXPECT_TRUE(a.power == c.power);
  const double level = a.power.row(0).segment(1, a.power.cols() - 2).mean();
  EXPECT_NEAR(level * fs / 2.0, 1.0, 0.02);  // one-sided density of unit-variance noise = 2 / fs
}

TEST(SpectralErrors, BadInput) {
  RowMatrixXd x = RowMatrixXd::Ones(1, 100);
  sp::WelchParams p;
  p.nperseg = 50;
  expect_error([&] { sp::welch(x, 0.0, p); }, "welch: fs_hz=0 must be finite and > 0");
  expect_error([&] { sp::welch(x, std::nan(""), p); }, "welch: fs_hz=nan must be finite and > 0");
  expect_error([&] { sp::welch(RowMatrixXd(1, 0), 100.0, p); }, "empty input");
  RowMatrixXd bad = x;
  bad(0, 7) = std::numeric_limits<double>::infinity();
  expect_error([&] { sp::welch(bad, 100.0, p); }, "welch: x=inf at channel 0, sample 7 must be finite");
  expect_error([&] { sp::periodogram(bad, 100.0); }, "periodogram: x=inf at channel 0, sample 7");
  auto q = p;
  q.nperseg = 0;
  expect_error([&] { sp::welch(x, 100.0, q); }, "welch: nperseg=0 must be >= 1");
  q.nperseg = 101;
  expect_error([&] { sp::welch(x, 100.0, q); }, "welch: nperseg=101 must be <= the signal length (100 samples)");
  q = p;
  q.noverlap = 50;
  expect_error([&] { sp::welch(x, 100.0, q); }, "welch: noverlap=50 must be < nperseg (50)");
  q = p;
  q.nfft = 49;
  expect_error([&] { sp::welch(x, 100.0, q); }, "welch: nfft=49 must be >= nperseg (50)");
  q = p;
  q.window = sp::Window{"kaiser"};
  expect_error([&] { sp::welch(x, 100.0, q); }, "welch: window=kaiser is not a known window");
  sp::StftParams sq;
  sq.nperseg = 200;
  expect_error([&] { sp::stft(x, 100.0, sq); }, "stft: nperseg=200 must be <= the signal length");
  sp::SpectrogramParams gq;
  gq.nperseg = 10;
  gq.noverlap = 10;
  expect_error([&] { sp::spectrogram(x, 100.0, gq); }, "spectrogram: noverlap=10 must be < nperseg (10)");
  sp::PeriodogramParams pp;
  pp.nfft = -3;
  expect_error([&] { sp::periodogram(x, 100.0, pp); }, "periodogram: nfft=-3 must be >= 1");
  expect_error([] { sp::parse_detrend("cubic"); }, "detrend=cubic must be one of none, constant, linear");
  expect_error([] { sp::parse_scaling("psd"); }, "scaling=psd must be one of density, spectrum");
  expect_error([] { sp::parse_average("mode"); }, "average=mode must be one of mean, median");
  EXPECT_EQ(sp::to_string(sp::parse_detrend("linear")), "linear");
  EXPECT_EQ(sp::to_string(sp::parse_scaling("spectrum")), "spectrum");
  EXPECT_EQ(sp::to_string(sp::parse_average("median")), "median");
}

}  // namespace
