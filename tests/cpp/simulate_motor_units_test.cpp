// Level B simulator (SCIENCE.md §7.2): Fuglevand 1993 recruitment / rate coding / twitches against
// the closed forms, Hermite-Rodriguez MUAPs against their formulas, and the cramp mode against the
// discharge statistics of Minetto et al. 2009 (14.5 +- 5.1 pps in 6-25 pps, ISI CV 44.6 %, ~4 %
// doublets, common 1-2 Hz drive, reverse de-recruitment).
#include <emg/errors.hpp>
#include <emg/simulate/motor_units.hpp>
#include <emg/spectral/spectra.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>
#include <vector>

namespace {

using emg::RowMatrixXd;
using emg::VectorXd;
namespace sim = emg::simulate;

constexpr double kFs = 2000.0;

// --- closed forms of SCIENCE.md §7.2, written out independently of the implementation --------
struct Closed {
  const sim::MotorUnitPoolParams& p;
  double n() const { return static_cast<double>(p.n_units); }
  double rte(int i) const { return std::exp(std::log(p.recruitment_range) / n() * i); }  // i = 1..n
  double pfr(int i) const { return p.peak_rate_first_hz - p.peak_rate_diff_hz * rte(i) / rte(p.n_units); }
  double e_max() const { return rte(p.n_units) + (pfr(p.n_units) - p.min_rate_hz) / p.excitation_gain; }
  double rate(int i, double e_abs) const {
    if (e_abs < rte(i)) return 0.0;
    return std::min(p.excitation_gain * (e_abs - rte(i)) + p.min_rate_hz, pfr(i));
  }
  long n_recruited(double excitation) const {
    const double e = excitation * e_max();
    if (e < rte(1)) return 0;
    return std::min<long>(p.n_units, static_cast<long>(std::floor(std::log(e) * n() / std::log(p.recruitment_range))));
  }
  double twitch_peak(int i) const { return std::pow(p.twitch_force_range, i / n()); }
  double twitch_time(int i) const {
    const double c = std::log(p.twitch_force_range) / std::log(p.twitch_time_range);  // = ln 100 / ln RT
    return p.twitch_time_longest_s * std::pow(1.0 / twitch_peak(i), 1.0 / c);
  }
  // documented MUAP rule: order 1 for odd i, 2 for even i; lambda linear in i; peak ~ sqrt(RTE_i / RTE_n)
  int order(int i) const { return i % 2 == 1 ? 1 : 2; }
  double lambda(int i) const {
    const double frac = p.n_units == 1 ? 1.0 : (i - 1.0) / (n() - 1.0);
    return p.muap_width_max_s - (p.muap_width_max_s - p.muap_width_min_s) * frac;
  }
  double amplitude(int i) const { return p.muap_amplitude * std::sqrt(rte(i) / rte(p.n_units)); }
};

double hr_formula(int order, double t, double lambda) {
  const double x = t / lambda;
  return order == 1 ? x * std::exp(-x * x) / (std::exp(-0.5) / std::sqrt(2.0)) : (1.0 - 2.0 * x * x) * std::exp(-x * x);
}

std::vector<std::vector<std::int64_t>> trains(const sim::MotorUnitActivity& a, int n_units) {
  std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(n_units));
  for (std::size_t k = 0; k < a.firing_sample.size(); ++k) out.at(static_cast<std::size_t>(a.firing_unit[k])).push_back(a.firing_sample[k]);
  return out;
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }
double sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}
double corr(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}
/// Kendall's tau-a of (x_i, y_i).
double kendall(const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0.0;
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) s += ((x[i] - x[j]) * (y[i] - y[j]) > 0) ? 1.0 : ((x[i] - x[j]) * (y[i] - y[j]) < 0 ? -1.0 : 0.0);
  return s / (0.5 * static_cast<double>(n) * static_cast<double>(n - 1));
}

VectorXd constant(double e, double seconds) { return VectorXd::Constant(static_cast<long>(seconds * kFs), e); }

// --- MUAPs -----------------------------------------------------------------------------------

TEST(SimMotorUnits, HermiteRodriguezMatchesFormula) {
  for (int order : {1, 2}) {
    for (double lambda : {0.5e-3, 1.3e-3, 2e-3}) {
      const VectorXd m = sim::hermite_rodriguez(order, lambda, 10000.0);
      const long half = static_cast<long>(std::floor(4.0 * lambda * 10000.0 + 1e-9));  // |t| <= 4 lambda
      ASSERT_EQ(m.size(), 2 * half + 1);
      double err = 0.0;
      for (long k = -half; k <= half; ++k) err = std::max(err, std::abs(m[k + half] - hr_formula(order, static_cast<double>(k) / 10000.0, lambda)));
      EXPECT_LT(err, 1e-14) << order << " " << lambda;
      // peak 1 (order 2 exactly at the centre; order 1 within the sampling of the peak)
      EXPECT_NEAR(m.cwiseAbs().maxCoeff(), 1.0, order == 2 ? 1e-15 : 0.02);
      // both shapes have zero area (no DC) and the symmetry of their order
      EXPECT_LT(std::abs(m.sum()) / m.cwiseAbs().sum(), 1e-3);
      for (long k = 1; k <= half; ++k) EXPECT_NEAR(m[half + k], (order == 1 ? -1.0 : 1.0) * m[half - k], 1e-15);
    }
  }
  EXPECT_ERROR(sim::hermite_rodriguez(3, 1e-3, kFs), "hermite_rodriguez", "order=3");
  EXPECT_ERROR(sim::hermite_rodriguez(1, 0.0, kFs), "lambda_s=0");
}

// EMG = sum of the documented MUAPs at the firing samples; force = sum of analytic twitches.
TEST(SimMotorUnits, EmgAndForceAreSuperpositions) {
  sim::MotorUnitPoolParams p;
  p.n_units = 40;
  const Closed c{p};
  sim::Rng rng(11);
  const VectorXd exc = constant(0.45, 2.0);
  const auto a = sim::simulate_pool(exc, kFs, p, rng, true);
  ASSERT_GT(a.firing_sample.size(), 200u);
  const long n = exc.size();
  VectorXd emg = VectorXd::Zero(n), force = VectorXd::Zero(n);
  for (std::size_t k = 0; k < a.firing_sample.size(); ++k) {
    const int i = static_cast<int>(a.firing_unit[k]) + 1;
    const long s = static_cast<long>(a.firing_sample[k]);
    for (long j = 0; j < n; ++j) {
      const double t = static_cast<double>(j - s) / kFs;
      if (std::abs(t) <= 4.0 * c.lambda(i) + 1e-9) emg[j] += c.amplitude(i) * hr_formula(c.order(i), t, c.lambda(i));
      if (t >= 0.0) force[j] += c.twitch_peak(i) * (t / c.twitch_time(i)) * std::exp(1.0 - t / c.twitch_time(i));
    }
  }
  EXPECT_LT(emg::test::max_rel(a.emg, emg), 1e-12);
  EXPECT_LT(emg::test::max_rel(a.force, force), 1e-9);
  EXPECT_EQ(sim::simulate_pool(exc, kFs, p, rng, false).force.size(), 0);
}

// --- voluntary pool --------------------------------------------------------------------------

TEST(SimMotorUnits, RecruitedCountMatchesClosedForm) {
  sim::MotorUnitPoolParams p;
  const Closed c{p};
  EXPECT_NEAR(c.e_max(), 47.0, 1e-12);  // 30 + (25 - 8) / 1
  for (double e : {0.0, 0.03, 0.1, 0.25, 0.4, 0.55, 0.62, 0.7, 1.0}) {
    const double frac = std::log(e * c.e_max()) * c.n() / std::log(p.recruitment_range);
    if (e > 0.0) {
      ASSERT_GT(std::abs(frac - std::round(frac)), 1e-6) << "level too close to a threshold";
    }
    sim::Rng rng(3);
    const auto a = sim::simulate_pool(constant(e, 2.0), kFs, p, rng);
    const auto tr = trains(a, p.n_units);
    long recruited = 0;
    for (int u = 0; u < p.n_units; ++u) {
      const bool fired = !tr[static_cast<std::size_t>(u)].empty();
      EXPECT_EQ(fired, u < c.n_recruited(e)) << "e=" << e << " unit " << u;  // the lowest thresholds first
      recruited += fired;
    }
    EXPECT_EQ(recruited, c.n_recruited(e)) << "e=" << e;
  }
  EXPECT_EQ(c.n_recruited(0.62), 118);
  EXPECT_EQ(c.n_recruited(0.7), 120);
}

TEST(SimMotorUnits, RatesAndIsiCvMatchFuglevand) {
  for (double cv : {0.1, 0.2}) {
    sim::MotorUnitPoolParams p;
    p.isi_cv = cv;
    const Closed c{p};
    const double e = 0.5;
    sim::Rng rng(5);
    const auto a = sim::simulate_pool(constant(e, 30.0), kFs, p, rng);
    const auto tr = trains(a, p.n_units);
    double worst = 0.0;
    std::vector<double> z;  // ISI * FR - 1, pooled over units: SD = cv, |.| <= 3.9 cv
    std::vector<double> unit_cv;
    for (int u = 0; u < c.n_recruited(e); ++u) {
      const auto& s = tr[static_cast<std::size_t>(u)];
      ASSERT_GT(s.size(), 200u);
      const double fr = c.rate(u + 1, e * c.e_max());
      const double measured = static_cast<double>(s.size() - 1) * kFs / static_cast<double>(s.back() - s.front());
      worst = std::max(worst, std::abs(measured / fr - 1.0));
      EXPECT_NEAR(a.unit_mean_rate_hz[static_cast<std::size_t>(u)], measured, 0.005 * measured);
      std::vector<double> isi;
      for (std::size_t k = 1; k < s.size(); ++k) {
        isi.push_back(static_cast<double>(s[k] - s[k - 1]) / kFs);
        z.push_back(isi.back() * fr - 1.0);
      }
      unit_cv.push_back(sd(isi) / mean(isi));
    }
    EXPECT_LT(worst, 0.05) << "cv=" << cv;  // every unit's rate within +-5 % of FR_i
    EXPECT_NEAR(sd(z), cv, 0.03 * cv);
    EXPECT_NEAR(mean(unit_cv), cv, 0.05 * cv);
    const double zmax = std::max(-*std::min_element(z.begin(), z.end()), *std::max_element(z.begin(), z.end()));
    EXPECT_LT(zmax, 3.9 * cv + 35.0 / kFs);  // clipped at 3.9 SD (+ one sample of rounding at 35 Hz)
    EXPECT_GT(zmax, 3.0 * cv);
    for (long u = c.n_recruited(e); u < p.n_units; ++u) EXPECT_EQ(a.unit_mean_rate_hz[static_cast<std::size_t>(u)], 0.0);
  }
}

TEST(SimMotorUnits, RecruitmentOrderFollowsThresholds) {
  sim::MotorUnitPoolParams p;
  const Closed c{p};
  const double ramp_s = 20.0;
  VectorXd exc(static_cast<long>(ramp_s * kFs));
  for (long k = 0; k < exc.size(); ++k) exc[k] = static_cast<double>(k) / (ramp_s * kFs);
  sim::Rng rng(8);
  const auto a = sim::simulate_pool(exc, kFs, p, rng);
  const auto tr = trains(a, p.n_units);
  std::vector<double> idx, first;
  for (int i = 1; i <= p.n_units; ++i) {
    const auto& s = tr[static_cast<std::size_t>(i - 1)];
    ASSERT_FALSE(s.empty()) << i;
    const double t_rec = std::ceil(c.rte(i) / c.e_max() * ramp_s * kFs) / kFs;  // first sample above threshold
    const double t0 = static_cast<double>(s.front()) / kFs;
    EXPECT_GE(t0, t_rec - 0.5 / kFs) << i;
    EXPECT_LE(t0, t_rec + 1.0 / p.min_rate_hz + 1.0 / kFs) << i;  // within its first ISI at ~MFR
    idx.push_back(i);
    first.push_back(t0);
  }
  EXPECT_GT(kendall(idx, first), 0.95);
  // sorted by sample then unit
  for (std::size_t k = 1; k < a.firing_sample.size(); ++k) {
    ASSERT_TRUE(a.firing_sample[k - 1] < a.firing_sample[k] ||
                (a.firing_sample[k - 1] == a.firing_sample[k] && a.firing_unit[k - 1] < a.firing_unit[k]));
  }
}

TEST(SimMotorUnits, ForceRisesWithExcitationAndMatchesRates) {
  sim::MotorUnitPoolParams p;
  const Closed c{p};
  const double step_s = 3.0;
  std::vector<double> levels;
  for (int k = 1; k <= 10; ++k) levels.push_back(0.1 * k);
  VectorXd exc(static_cast<long>(static_cast<double>(levels.size()) * step_s * kFs));
  const long step = static_cast<long>(step_s * kFs);
  for (std::size_t k = 0; k < levels.size(); ++k) exc.segment(static_cast<long>(k) * step, step).setConstant(levels[k]);
  sim::Rng rng(21);
  const auto a = sim::simulate_pool(exc, kFs, p, rng, true);
  double prev = 0.0;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const double m = a.force.segment(static_cast<long>(k) * step + step / 3, 2 * step / 3).mean();
    EXPECT_GT(m, prev * 1.02) << "level " << levels[k];
    prev = m;
  }
  // Steady mean force = sum_i FR_i * (twitch area P_i T_i e)
  const double e = 0.5;
  sim::Rng rng2(22);
  const auto b = sim::simulate_pool(constant(e, 20.0), kFs, p, rng2, true);
  double expected = 0.0;
  for (int i = 1; i <= p.n_units; ++i) expected += c.rate(i, e * c.e_max()) * c.twitch_peak(i) * c.twitch_time(i) * std::exp(1.0);
  const double measured = b.force.segment(static_cast<long>(2 * kFs), static_cast<long>(18 * kFs)).mean();
  EXPECT_NEAR(measured / expected, 1.0, 0.03);
}

TEST(SimMotorUnits, SameSeedSameBytes) {
  sim::MotorUnitPoolParams p;
  sim::CrampFiringParams cr;
  VectorXd exc(static_cast<long>(5 * kFs));
  for (long k = 0; k < exc.size(); ++k) exc[k] = static_cast<double>(k) / static_cast<double>(exc.size());
  auto same = [](const sim::MotorUnitActivity& x, const sim::MotorUnitActivity& y) {
    return x.emg.size() == y.emg.size() && x.force.size() == y.force.size() &&
           std::memcmp(x.emg.data(), y.emg.data(), sizeof(double) * static_cast<std::size_t>(x.emg.size())) == 0 &&
           std::memcmp(x.force.data(), y.force.data(), sizeof(double) * static_cast<std::size_t>(x.force.size())) == 0 &&
           x.firing_sample == y.firing_sample && x.firing_unit == y.firing_unit && x.unit_mean_rate_hz == y.unit_mean_rate_hz;
  };
  sim::Rng r1(99), r2(99), r3(100);
  EXPECT_TRUE(same(sim::simulate_pool(exc, kFs, p, r1, true), sim::simulate_pool(exc, kFs, p, r2, true)));
  EXPECT_FALSE(same(sim::simulate_pool(exc, kFs, p, r1, true), sim::simulate_pool(exc, kFs, p, r3, true)));
  sim::Rng c1(7), c2(7), c3(8);
  const long n = static_cast<long>(12 * kFs);
  EXPECT_TRUE(same(sim::simulate_cramp_firing(n, kFs, 1.0, p, cr, c1, true), sim::simulate_cramp_firing(n, kFs, 1.0, p, cr, c2, true)));
  EXPECT_FALSE(same(sim::simulate_cramp_firing(n, kFs, 1.0, p, cr, c1), sim::simulate_cramp_firing(n, kFs, 1.0, p, cr, c3)));
}

// --- cramp mode ------------------------------------------------------------------------------

struct CrampStats {
  std::vector<double> unit_rate, unit_cv_regular, unit_cv_all, first_s, last_s, unit_index;
  long n_isi = 0, n_doublet = 0, n_below_3ms = 0;
};

void collect(const sim::MotorUnitActivity& a, int n_units, CrampStats& st) {
  const auto tr = trains(a, n_units);
  for (int u = 0; u < n_units; ++u) {
    const auto& s = tr[static_cast<std::size_t>(u)];
    if (s.size() < 20) continue;
    std::vector<double> all, regular;
    for (std::size_t k = 1; k < s.size(); ++k) {
      const double isi = static_cast<double>(s[k] - s[k - 1]) / kFs;
      all.push_back(isi);
      ++st.n_isi;
      if (isi <= 0.010 + 0.5 / kFs) ++st.n_doublet;
      else regular.push_back(isi);
      if (isi < 0.003 - 0.5 / kFs - 1e-12) ++st.n_below_3ms;
    }
    st.unit_rate.push_back(1.0 / mean(all));
    st.unit_cv_all.push_back(sd(all) / mean(all));
    st.unit_cv_regular.push_back(sd(regular) / mean(regular));
    st.first_s.push_back(static_cast<double>(s.front()) / kFs);
    st.last_s.push_back(static_cast<double>(s.back()) / kFs);
    st.unit_index.push_back(u);
  }
}

TEST(SimMotorUnits, CrampFiringMatchesMinetto2009) {
  const sim::MotorUnitPoolParams p;
  const sim::CrampFiringParams cr;
  const double onset = 1.0;
  const long n = static_cast<long>(45 * kFs);
  CrampStats all;
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    sim::Rng rng(seed);
    const auto a = sim::simulate_cramp_firing(n, kFs, onset, p, cr, rng);
    CrampStats st;
    collect(a, p.n_units, st);
    const auto tr = trains(a, p.n_units);
    // the lowest-threshold half of the pool fires, the rest is silent
    for (int u = 0; u < p.n_units; ++u) {
      EXPECT_EQ(tr[static_cast<std::size_t>(u)].empty(), u >= 60) << u;
      EXPECT_EQ(a.unit_mean_rate_hz[static_cast<std::size_t>(u)] > 0.0, u < 60) << u;
    }
    ASSERT_EQ(st.unit_rate.size(), 60u);
    // recruitment within [onset, onset + recruitment_s + one slow ISI]; activity within [min, max]
    for (std::size_t k = 0; k < st.first_s.size(); ++k) {
      EXPECT_GE(st.first_s[k], onset);
      EXPECT_LE(st.first_s[k], onset + cr.recruitment_s + 1.0 / cr.rate_min_hz);
      EXPECT_LE(st.last_s[k], onset + cr.duration_max_s);
      EXPECT_GE(st.last_s[k], onset + cr.duration_min_s - 2.0 / cr.rate_min_hz);
    }
    // de-recruitment in reverse order: later-recruited (higher threshold) units stop first
    EXPECT_LT(kendall(st.unit_index, st.last_s), -0.9) << "seed " << seed;
    EXPECT_GT(kendall(st.unit_index, st.first_s), 0.5) << "seed " << seed;
    auto append = [](std::vector<double>& to, const std::vector<double>& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(all.unit_rate, st.unit_rate);
    append(all.unit_cv_regular, st.unit_cv_regular);
    append(all.unit_cv_all, st.unit_cv_all);
    all.n_isi += st.n_isi;
    all.n_doublet += st.n_doublet;
    all.n_below_3ms += st.n_below_3ms;
  }
  const double rate_mean = mean(all.unit_rate), rate_sd = sd(all.unit_rate);
  const double cv_regular = mean(all.unit_cv_regular), cv_all = mean(all.unit_cv_all);
  const double doublets = static_cast<double>(all.n_doublet) / static_cast<double>(all.n_isi);
  std::cout << "cramp (240 units): rate " << rate_mean << " +- " << rate_sd << " pps ["
            << *std::min_element(all.unit_rate.begin(), all.unit_rate.end()) << ", "
            << *std::max_element(all.unit_rate.begin(), all.unit_rate.end()) << "], ISI CV regular " << cv_regular
            << " all " << cv_all << ", doublets " << doublets << "\n";
  EXPECT_NEAR(rate_mean, 14.5, 1.5);  // Minetto 2009: 14.5 +- 5.1 pps
  EXPECT_NEAR(rate_sd, 5.1, 1.5);     // (the 6-25 bounds shrink the SD to ~4.3)
  for (double r : all.unit_rate) {    // 6-25 pps, +-8 % for the finite number of ISIs per unit
    EXPECT_GE(r, 6.0 * 0.92);
    EXPECT_LE(r, 25.0 * 1.08);
  }
  EXPECT_NEAR(cv_regular, 0.45, 0.07);  // ISI CV 44.6 %
  EXPECT_NEAR(doublets, 0.04, 0.015);   // ~4 % doublets (ISI 3-10 ms)
  EXPECT_EQ(all.n_below_3ms, 0);
}

// Cumulative spike train of units [from, to) in bins of `bin` samples over [begin, end) samples.
std::vector<double> cst(const sim::MotorUnitActivity& a, long from, long to, long begin, long end, long bin) {
  std::vector<double> out(static_cast<std::size_t>((end - begin) / bin), 0.0);
  for (std::size_t k = 0; k < a.firing_sample.size(); ++k) {
    const long u = a.firing_unit[k], s = static_cast<long>(a.firing_sample[k]);
    if (u < from || u >= to || s < begin) continue;
    const std::size_t b = static_cast<std::size_t>((s - begin) / bin);
    if (b < out.size()) out[b] += 1.0;
  }
  return out;
}

TEST(SimMotorUnits, CrampCommonDrivePeaksAtModulationFrequency) {
  const sim::MotorUnitPoolParams p;
  sim::CrampFiringParams cr;
  cr.duration_min_s = 32.0;  // keep every unit active over the analysis window
  cr.duration_max_s = 40.0;
  const long n = static_cast<long>(34 * kFs);
  const long begin = static_cast<long>(1 * kFs), end = static_cast<long>(31 * kFs);
  for (double depth : {0.2, 0.0}) {
    cr.modulation_depth = depth;
    sim::Rng rng(17);
    const auto a = sim::simulate_cramp_firing(n, kFs, 0.0, p, cr, rng);
    // spectrum of the cumulative spike train (100 Hz bins), Welch with 10-s segments
    const std::vector<double> c = cst(a, 0, 60, begin, end, 20);
    RowMatrixXd x(1, static_cast<long>(c.size()));
    for (std::size_t k = 0; k < c.size(); ++k) x(0, static_cast<long>(k)) = c[k];
    emg::spectral::WelchParams wp;
    wp.nperseg = 1000;
    const auto psd = emg::spectral::welch(x, 100.0, wp);
    long best = -1;
    double best_p = 0.0, band_sum = 0.0;
    long band_n = 0;
    for (long k = 0; k < psd.freqs_hz.size(); ++k) {
      const double f = psd.freqs_hz[k];
      if (f < 0.5 || f > 5.0) continue;
      band_sum += psd.power(0, k);
      ++band_n;
      if (psd.power(0, k) > best_p) {
        best_p = psd.power(0, k);
        best = k;
      }
    }
    // correlation of the spike counts of even- and odd-numbered units in 250-ms bins
    const std::vector<double> ce = cst(a, 0, 60, begin, end, 500);
    std::vector<double> even(ce.size(), 0.0), odd(ce.size(), 0.0);
    for (std::size_t k = 0; k < a.firing_sample.size(); ++k) {
      const long s = static_cast<long>(a.firing_sample[k]);
      if (s < begin || s >= end) continue;
      const std::size_t b = static_cast<std::size_t>((s - begin) / 500);
      (a.firing_unit[k] % 2 == 0 ? even : odd)[b] += 1.0;
    }
    const double r = corr(even, odd);
    const double ratio = best_p / (band_sum / static_cast<double>(band_n));
    std::cout << "depth " << depth << ": CST peak " << psd.freqs_hz[best] << " Hz (x" << ratio << " band mean), r(even, odd) = " << r << "\n";
    if (depth > 0.0) {
      EXPECT_NEAR(psd.freqs_hz[best], cr.modulation_hz, 0.2);
      EXPECT_GT(ratio, 5.0);
      EXPECT_GT(r, 0.5);
    } else {
      EXPECT_LT(ratio, 5.0);
      EXPECT_LT(std::abs(r), 0.3);
    }
  }
}

// Mean square of the cramp EMG = sum_u rate_u * energy of its MUAP (Campbell; MUAPs have zero
// mean, so the trains add in power). Also prints the RMS the session composer scales.
TEST(SimMotorUnits, CrampEmgPowerMatchesRates) {
  const sim::MotorUnitPoolParams p;  // muap_amplitude = 1
  const Closed c{p};
  const sim::CrampFiringParams cr;
  const long n = static_cast<long>(45 * kFs);
  double first_second = 0.0, window = 0.0, expected = 0.0;
  const int seeds = 4;
  for (int seed = 1; seed <= seeds; ++seed) {
    sim::Rng rng(static_cast<std::uint64_t>(seed));
    const auto a = sim::simulate_cramp_firing(n, kFs, 0.0, p, cr, rng);
    first_second += std::sqrt(a.emg.head(static_cast<long>(kFs)).squaredNorm() / kFs) / seeds;
    // window [0.5 s, 4.5 s]: every active unit is firing
    const long b = static_cast<long>(0.5 * kFs), len = static_cast<long>(4 * kFs);
    window += a.emg.segment(b, len).squaredNorm() / static_cast<double>(len) / seeds;
    for (int i = 1; i <= p.n_units; ++i) {
      const double r = a.unit_mean_rate_hz[static_cast<std::size_t>(i - 1)];
      if (r <= 0.0) continue;
      const VectorXd m = sim::hermite_rodriguez(c.order(i), c.lambda(i), kFs);
      expected += r / kFs * c.amplitude(i) * c.amplitude(i) * m.squaredNorm() / seeds;
    }
  }
  std::cout << "cramp EMG RMS (muap_amplitude 1): first second " << first_second << ", 0.5-4.5 s " << std::sqrt(window)
            << ", Campbell " << std::sqrt(expected) << "\n";
  EXPECT_NEAR(window / expected, 1.0, 0.15);
}

TEST(SimMotorUnits, CrampEdgeCases) {
  const sim::MotorUnitPoolParams p;
  sim::CrampFiringParams cr;
  sim::Rng rng(4);
  const auto empty = sim::simulate_cramp_firing(0, kFs, 0.0, p, cr, rng);
  EXPECT_EQ(empty.emg.size(), 0);
  EXPECT_TRUE(empty.firing_sample.empty());
  // onset late in a short signal: nothing before the onset, nothing past the end
  const long n = static_cast<long>(3 * kFs);
  const auto a = sim::simulate_cramp_firing(n, kFs, 2.0, p, cr, rng, true);
  ASSERT_FALSE(a.firing_sample.empty());
  EXPECT_GE(a.firing_sample.front(), static_cast<std::int64_t>(2 * kFs));
  EXPECT_LT(a.firing_sample.back(), n);
  EXPECT_EQ(a.force.size(), n);
  EXPECT_EQ(a.emg.head(static_cast<long>(2 * kFs) - 20).cwiseAbs().maxCoeff(), 0.0);
  // no doublets requested -> no ISI below 10 ms (20 samples; rounding both ends keeps >= 20)
  cr.doublet_fraction = 0.0;
  const auto b = sim::simulate_cramp_firing(static_cast<long>(10 * kFs), kFs, 0.0, p, cr, rng);
  const auto tr = trains(b, p.n_units);
  long short_isi = 0, n_isi = 0;
  for (const auto& s : tr) {
    for (std::size_t k = 1; k < s.size(); ++k) {
      short_isi += (s[k] - s[k - 1]) < 20;
      ++n_isi;
    }
  }
  EXPECT_GT(n_isi, 1000);
  EXPECT_EQ(short_isi, 0);
  // a single active unit
  cr.active_fraction = 0.001;
  const auto one = sim::simulate_cramp_firing(static_cast<long>(10 * kFs), kFs, 0.0, p, cr, rng);
  EXPECT_TRUE(std::all_of(one.firing_unit.begin(), one.firing_unit.end(), [](long u) { return u == 0; }));
  EXPECT_FALSE(one.firing_unit.empty());
}

// --- bad parameters --------------------------------------------------------------------------

TEST(SimMotorUnits, BadParametersNameTheParameter) {
  const VectorXd exc = constant(0.5, 0.5);
  auto pool_err = [&](auto edit, double fs = kFs) {
    sim::MotorUnitPoolParams p;
    edit(p);
    sim::Rng rng(1);
    return emg::test::error_of([&] { (void)sim::simulate_pool(exc, fs, p, rng); });
  };
  EXPECT_HAS(pool_err([](auto& p) { p.n_units = 0; }), "MotorUnitPoolParams: n_units=0");
  EXPECT_HAS(pool_err([](auto& p) { p.recruitment_range = 1.0; }), "recruitment_range=1");
  EXPECT_HAS(pool_err([](auto& p) { p.excitation_gain = -1.0; }), "excitation_gain=-1");
  EXPECT_HAS(pool_err([](auto& p) { p.min_rate_hz = 0.0; }), "min_rate_hz=0");
  EXPECT_HAS(pool_err([](auto& p) { p.peak_rate_first_hz = 15.0; }), "rates inverted");
  EXPECT_HAS(pool_err([](auto& p) { p.peak_rate_diff_hz = -1.0; }), "peak_rate_diff_hz=-1");
  EXPECT_HAS(pool_err([](auto& p) { p.isi_cv = 0.0; }), "isi_cv=0");
  EXPECT_HAS(pool_err([](auto& p) { p.isi_cv = 0.3; }), "isi_cv=0.3");
  EXPECT_HAS(pool_err([](auto& p) { p.twitch_force_range = 1.0; }), "twitch_force_range=1");
  EXPECT_HAS(pool_err([](auto& p) { p.twitch_time_longest_s = 0.0; }), "twitch_time_longest_s=0");
  EXPECT_HAS(pool_err([](auto& p) { p.twitch_time_range = 0.5; }), "twitch_time_range=0.5");
  EXPECT_HAS(pool_err([](auto& p) { p.muap_width_min_s = 3e-3; }), "muap_width_min_s=0.003 must be <= muap_width_max_s");
  EXPECT_HAS(pool_err([](auto&) {}, 1000.0), "fs_hz=1000 is too low for this MUAP width");
  EXPECT_HAS(pool_err([](auto& p) { p.muap_amplitude = 0.0; }), "muap_amplitude=0");
  EXPECT_HAS(pool_err([](auto&) {}, 0.0), "fs_hz=0");
  {
    VectorXd bad = exc;
    bad[7] = -0.1;
    sim::Rng rng(1);
    EXPECT_ERROR(sim::simulate_pool(bad, kFs, sim::MotorUnitPoolParams{}, rng), "simulate_pool", "excitation[7]=-0.1");
  }
  auto cramp_err = [&](auto edit) {
    sim::CrampFiringParams c;
    edit(c);
    sim::Rng rng(1);
    return emg::test::error_of([&] { (void)sim::simulate_cramp_firing(1000, kFs, 0.0, sim::MotorUnitPoolParams{}, c, rng); });
  };
  EXPECT_HAS(cramp_err([](auto& c) { c.rate_min_hz = 30.0; }), "CrampFiringParams: rate_min_hz=30 must be <= rate_max_hz=25 (rates inverted)");
  EXPECT_HAS(cramp_err([](auto& c) { c.rate_mean_hz = 30.0; }), "rate_mean_hz=30");
  EXPECT_HAS(cramp_err([](auto& c) { c.rate_sd_hz = -1.0; }), "rate_sd_hz=-1");
  EXPECT_HAS(cramp_err([](auto& c) { c.isi_cv = 0.0; }), "isi_cv=0");
  EXPECT_HAS(cramp_err([](auto& c) { c.doublet_fraction = 0.6; }), "doublet_fraction=0.6");
  EXPECT_HAS(cramp_err([](auto& c) { c.doublet_isi_min_s = 0.02; }), "doublet_isi_min_s=0.02");
  EXPECT_HAS(cramp_err([](auto& c) { c.rate_max_hz = 60.0; }), "rate_max_hz=60 is too high");
  EXPECT_HAS(cramp_err([](auto& c) { c.modulation_depth = 1.0; }), "modulation_depth=1");
  EXPECT_HAS(cramp_err([](auto& c) { c.modulation_hz = -1.0; }), "modulation_hz=-1");
  EXPECT_HAS(cramp_err([](auto& c) { c.active_fraction = 0.0; }), "active_fraction=0");
  EXPECT_HAS(cramp_err([](auto& c) { c.duration_max_s = 1.0; }), "duration_max_s=1");
  EXPECT_HAS(cramp_err([](auto& c) { c.recruitment_s = 6.0; }), "recruitment_s=6");
  {
    sim::Rng rng(1);
    EXPECT_ERROR(sim::simulate_cramp_firing(-1, kFs, 0.0, sim::MotorUnitPoolParams{}, sim::CrampFiringParams{}, rng),
                 "simulate_cramp_firing", "n_samples=-1");
    EXPECT_ERROR(sim::simulate_cramp_firing(10, kFs, -1.0, sim::MotorUnitPoolParams{}, sim::CrampFiringParams{}, rng),
                 "onset_s=-1");
  }
  // every declared parameter is described
  EXPECT_EQ(sim::MotorUnitPoolParams::describe().size(), 13u);
  EXPECT_EQ(sim::CrampFiringParams::describe().size(), 14u);
}

}  // namespace
