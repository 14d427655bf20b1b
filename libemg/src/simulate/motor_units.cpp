// Level B of the simulator (SCIENCE.md §7.2): Fuglevand 1993 motor-unit pool, cramp firing after
// Minetto et al. 2009, Hermite-Rodriguez MUAPs and (optional) twitch force.
#include <emg/simulate/motor_units.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace emg::simulate {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kPool = "MotorUnitPoolParams";
constexpr std::string_view kCramp = "CrampFiringParams";
constexpr std::string_view kSimPool = "simulate_pool";
constexpr std::string_view kSimCramp = "simulate_cramp_firing";
constexpr std::string_view kHermite = "hermite_rodriguez";
constexpr double kClipSd = 3.9;       // Gaussian ISIs are clipped at +-3.9 SD
constexpr double kMaxGaussCv = 0.25;  // < 1/3.9, so that clipped Gaussian ISIs stay > 0
constexpr int kMaxUnits = 100000;

/// One unit's constants, unit i = 1..n in Fuglevand's numbering (stored at index i - 1).
struct Unit {
  double threshold = 0.0;     // RTE_i
  double peak_rate_hz = 0.0;  // PFR_i
  double twitch_peak = 0.0;   // P_i
  double twitch_time_s = 0.0; // T_i
  double muap_lambda_s = 0.0;
  double muap_amplitude = 0.0;
  int muap_order = 1;
};

struct Pool {
  std::vector<Unit> units;
  double e_max = 0.0;
};

Pool build_pool(const MotorUnitPoolParams& p) {
  Pool pool;
  const int n = p.n_units;
  const double dn = static_cast<double>(n);
  const double a = std::log(p.recruitment_range) / dn;
  const double rte_n = std::exp(a * dn);
  const double time_exponent = std::log(p.twitch_time_range) / std::log(p.twitch_force_range);  // 1/c
  pool.units.resize(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const double i = static_cast<double>(k + 1);
    Unit& u = pool.units[static_cast<std::size_t>(k)];
    u.threshold = std::exp(a * i);
    u.peak_rate_hz = p.peak_rate_first_hz - p.peak_rate_diff_hz * u.threshold / rte_n;
    u.twitch_peak = std::exp(std::log(p.twitch_force_range) * i / dn);
    u.twitch_time_s = p.twitch_time_longest_s * std::pow(1.0 / u.twitch_peak, time_exponent);
    const double frac = n == 1 ? 1.0 : static_cast<double>(k) / static_cast<double>(n - 1);
    u.muap_lambda_s = p.muap_width_max_s - (p.muap_width_max_s - p.muap_width_min_s) * frac;
    u.muap_amplitude = p.muap_amplitude * std::sqrt(u.threshold / rte_n);
    u.muap_order = (k % 2 == 0) ? 1 : 2;
  }
  const double pfr_n = p.peak_rate_first_hz - p.peak_rate_diff_hz;
  pool.e_max = rte_n + (pfr_n - p.min_rate_hz) / p.excitation_gain;
  return pool;
}

/// Discharge times of every unit (seconds, ascending per unit, all with a sample < n) and the
/// ISI sums for the mean rates (consecutive discharges of one bout only).
struct Discharges {
  std::vector<std::vector<double>> times_s;
  std::vector<long> isi_count;
  std::vector<double> isi_sum_s;
  explicit Discharges(std::size_t n_units) : times_s(n_units), isi_count(n_units, 0), isi_sum_s(n_units, 0.0) {}
};

inline std::int64_t to_sample(double t_s, double fs_hz) {
  return static_cast<std::int64_t>(std::floor(t_s * fs_hz + 0.5));
}

/// Twitch force of one unit added to `force`: the impulse-invariant second-order recursion whose
/// impulse response is P (k dt/T) e^(1 - k dt/T) at k = 0, 1, ... (exact at the samples).
void add_twitches(VectorXd& force, const std::vector<std::int64_t>& samples, const Unit& u, double fs_hz) {
  if (samples.empty()) return;
  const std::int64_t n = force.size();
  const double dt_over_t = 1.0 / (fs_hz * u.twitch_time_s);
  const double r = std::exp(-dt_over_t);
  const double gain = u.twitch_peak * std::numbers::e * dt_over_t * r;
  // Stop 40 contraction times after the last discharge (the twitch is then < 2e-15 of its peak).
  const std::int64_t tail = static_cast<std::int64_t>(std::ceil(40.0 * u.twitch_time_s * fs_hz));
  const std::int64_t stop = std::min<std::int64_t>(n, samples.back() + tail);
  double y1 = 0.0, y2 = 0.0;
  double x1 = 0.0;  // discharges at the previous sample
  std::size_t next = 0;
  for (std::int64_t k = samples.front(); k < stop; ++k) {
    const double y = 2.0 * r * y1 - r * r * y2 + gain * x1;
    double x = 0.0;
    while (next < samples.size() && samples[next] == k) {
      x += 1.0;
      ++next;
    }
    force[k] += y;
    y2 = y1;
    y1 = y;
    x1 = x;
  }
}

/// Firing list, EMG, force and mean rates from the discharge times.
MotorUnitActivity assemble(const Discharges& d, const Pool& pool, long n, double fs_hz, bool with_force) {
  MotorUnitActivity out;
  const std::size_t n_units = pool.units.size();
  out.emg = VectorXd::Zero(n);
  if (with_force) out.force = VectorXd::Zero(n);
  out.unit_mean_rate_hz.assign(n_units, 0.0);
  std::size_t total = 0;
  for (const auto& t : d.times_s) total += t.size();
  std::vector<std::pair<std::int64_t, long>> all;
  all.reserve(total);
  std::vector<std::int64_t> samples;
  for (std::size_t u = 0; u < n_units; ++u) {
    const Unit& unit = pool.units[u];
    samples.clear();
    for (double t : d.times_s[u]) samples.push_back(to_sample(t, fs_hz));
    if (d.isi_count[u] > 0 && d.isi_sum_s[u] > 0.0) {
      out.unit_mean_rate_hz[u] = static_cast<double>(d.isi_count[u]) / d.isi_sum_s[u];
    }
    if (samples.empty()) continue;
    for (std::int64_t s : samples) all.emplace_back(s, static_cast<long>(u));
    // EMG: the unit's MUAP (computed once), centred on each discharge, cut at the signal edges.
    const VectorXd muap = unit.muap_amplitude * hermite_rodriguez(unit.muap_order, unit.muap_lambda_s, fs_hz);
    const std::int64_t half = (muap.size() - 1) / 2;
    for (std::int64_t s : samples) {
      const std::int64_t from = std::max<std::int64_t>(0, s - half);
      const std::int64_t to = std::min<std::int64_t>(n, s + half + 1);
      for (std::int64_t k = from; k < to; ++k) out.emg[k] += muap[k - s + half];
    }
    if (with_force) add_twitches(out.force, samples, unit, fs_hz);
  }
  std::sort(all.begin(), all.end());
  out.firing_sample.resize(all.size());
  out.firing_unit.resize(all.size());
  for (std::size_t k = 0; k < all.size(); ++k) {
    out.firing_sample[k] = all[k].first;
    out.firing_unit[k] = all[k].second;
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parameters

void MotorUnitPoolParams::validate(double fs_hz) const {
  detail::check_fs(kPool, fs_hz);
  if (n_units < 1 || n_units > kMaxUnits) {
    fail_param(kPool, "n_units", std::to_string(n_units), "must be in 1.." + std::to_string(kMaxUnits));
  }
  if (!std::isfinite(recruitment_range) || recruitment_range <= 1.0) {
    fail_param(kPool, "recruitment_range", fmt(recruitment_range), "must be finite and > 1");
  }
  detail::check_positive(kPool, "excitation_gain", excitation_gain);
  detail::check_positive(kPool, "min_rate_hz", min_rate_hz);
  detail::check_positive(kPool, "peak_rate_first_hz", peak_rate_first_hz);
  detail::check_nonnegative(kPool, "peak_rate_diff_hz", peak_rate_diff_hz);
  if (peak_rate_first_hz - peak_rate_diff_hz <= min_rate_hz) {
    fail_param(kPool, "peak_rate_first_hz", fmt(peak_rate_first_hz),
               "minus peak_rate_diff_hz=" + fmt(peak_rate_diff_hz) +
                   " (the last unit's peak rate) must be > min_rate_hz=" + fmt(min_rate_hz) +
                   " (rates inverted)");
  }
  if (!std::isfinite(isi_cv) || isi_cv <= 0.0 || isi_cv > kMaxGaussCv) {
    fail_param(kPool, "isi_cv", fmt(isi_cv),
               "must be in (0, 0.25] (Gaussian ISIs clipped at +-3.9 SD must stay positive; the cramp mode has "
               "its own gamma ISIs)");
  }
  if (!std::isfinite(twitch_force_range) || twitch_force_range <= 1.0) {
    fail_param(kPool, "twitch_force_range", fmt(twitch_force_range), "must be finite and > 1");
  }
  detail::check_positive(kPool, "twitch_time_longest_s", twitch_time_longest_s);
  if (!std::isfinite(twitch_time_range) || twitch_time_range < 1.0) {
    fail_param(kPool, "twitch_time_range", fmt(twitch_time_range), "must be finite and >= 1");
  }
  if (twitch_time_longest_s / twitch_time_range * fs_hz < 2.0) {
    fail_param(kPool, "twitch_time_longest_s", fmt(twitch_time_longest_s),
               "divided by twitch_time_range=" + fmt(twitch_time_range) +
                   " (the shortest contraction time) must span >= 2 samples at fs_hz=" + fmt(fs_hz));
  }
  detail::check_positive(kPool, "muap_width_min_s", muap_width_min_s);
  detail::check_positive(kPool, "muap_width_max_s", muap_width_max_s);
  if (muap_width_min_s > muap_width_max_s) {
    fail_param(kPool, "muap_width_min_s", fmt(muap_width_min_s), "must be <= muap_width_max_s=" + fmt(muap_width_max_s));
  }
  if (muap_width_min_s * fs_hz < 1.0 - 1e-9) {
    fail_param(kPool, "muap_width_min_s", fmt(muap_width_min_s),
               "must span >= 1 sample (fs_hz=" + fmt(fs_hz) + " is too low for this MUAP width; need fs_hz >= " +
                   fmt(1.0 / muap_width_min_s) + ")");
  }
  if (muap_width_max_s * fs_hz > 1e6) {
    fail_param(kPool, "muap_width_max_s", fmt(muap_width_max_s), "must span <= 1e6 samples at fs_hz=" + fmt(fs_hz));
  }
  detail::check_positive(kPool, "muap_amplitude", muap_amplitude);
}

const ParamTable& MotorUnitPoolParams::describe() {
  static const ParamTable table = {
      {"n_units", "", "120", "1..100000", "number of motor units n (Fuglevand 1993)"},
      {"recruitment_range", "", "30", "> 1", "RR: recruitment thresholds RTE_i = exp(ln(RR) i / n)"},
      {"excitation_gain", "pps", "1", "> 0", "g_e: rate gain per unit of excitation above threshold"},
      {"min_rate_hz", "Hz", "8", "> 0", "MFR: discharge rate at recruitment"},
      {"peak_rate_first_hz", "Hz", "35", "> min_rate_hz + peak_rate_diff_hz", "PFR1: peak rate of the first unit"},
      {"peak_rate_diff_hz", "Hz", "10", ">= 0", "PFRD: PFR_i = PFR1 - PFRD RTE_i / RTE_n"},
      {"isi_cv", "", "0.2", "(0, 0.25]", "CV of the Gaussian ISIs (clipped at +-3.9 SD)"},
      {"twitch_force_range", "", "100", "> 1", "RP: twitch peak P_i = exp(ln(RP) i / n)"},
      {"twitch_time_longest_s", "s", "0.09", "> 0", "T_L: contraction time of the smallest unit"},
      {"twitch_time_range", "", "3", ">= 1", "RT: T_i = T_L (1/P_i)^(ln RT / ln RP)"},
      {"muap_width_min_s", "s", "0.0005", "[1/fs_hz, muap_width_max_s]",
       "Hermite-Rodriguez width lambda of the largest unit"},
      {"muap_width_max_s", "s", "0.002", ">= muap_width_min_s", "Hermite-Rodriguez width lambda of the smallest unit"},
      {"muap_amplitude", "", "1", "> 0", "MUAP peak of the largest unit; unit i: muap_amplitude sqrt(RTE_i / RTE_n)"},
  };
  return table;
}

void CrampFiringParams::validate() const {
  detail::check_positive(kCramp, "rate_min_hz", rate_min_hz);
  detail::check_positive(kCramp, "rate_max_hz", rate_max_hz);
  if (rate_min_hz > rate_max_hz) {
    fail_param(kCramp, "rate_min_hz", fmt(rate_min_hz), "must be <= rate_max_hz=" + fmt(rate_max_hz) + " (rates inverted)");
  }
  if (!std::isfinite(rate_mean_hz) || rate_mean_hz < rate_min_hz || rate_mean_hz > rate_max_hz) {
    fail_param(kCramp, "rate_mean_hz", fmt(rate_mean_hz),
               "must be in [rate_min_hz, rate_max_hz] = [" + fmt(rate_min_hz) + ", " + fmt(rate_max_hz) + "]");
  }
  detail::check_nonnegative(kCramp, "rate_sd_hz", rate_sd_hz);
  if (!std::isfinite(isi_cv) || isi_cv <= 0.0 || isi_cv > 2.0) {
    fail_param(kCramp, "isi_cv", fmt(isi_cv), "must be in (0, 2]");
  }
  if (!std::isfinite(doublet_fraction) || doublet_fraction < 0.0 || doublet_fraction > 0.5) {
    fail_param(kCramp, "doublet_fraction", fmt(doublet_fraction), "must be in [0, 0.5]");
  }
  detail::check_positive(kCramp, "doublet_isi_min_s", doublet_isi_min_s);
  detail::check_positive(kCramp, "doublet_isi_max_s", doublet_isi_max_s);
  if (doublet_isi_min_s > doublet_isi_max_s) {
    fail_param(kCramp, "doublet_isi_min_s", fmt(doublet_isi_min_s),
               "must be <= doublet_isi_max_s=" + fmt(doublet_isi_max_s));
  }
  detail::check_nonnegative(kCramp, "modulation_hz", modulation_hz);
  if (!std::isfinite(modulation_depth) || modulation_depth < 0.0 || modulation_depth >= 1.0) {
    fail_param(kCramp, "modulation_depth", fmt(modulation_depth), "must be in [0, 1)");
  }
  // The shortest mean regular ISI (at rate_max_hz on a modulation peak) must leave room for the
  // doublet range, or redrawing short regular ISIs would distort the distribution.
  const double mean_doublet = 0.5 * (doublet_isi_min_s + doublet_isi_max_s);
  const double shortest = (1.0 / (rate_max_hz * (1.0 + modulation_depth)) - doublet_fraction * mean_doublet) /
                          (1.0 - doublet_fraction);
  if (shortest < 2.0 * doublet_isi_max_s) {
    fail_param(kCramp, "rate_max_hz", fmt(rate_max_hz),
               "is too high: its mean regular ISI at the modulation peak (" + fmt(shortest) +
                   " s) must be >= 2 doublet_isi_max_s=" + fmt(2.0 * doublet_isi_max_s) + " s");
  }
  if (!std::isfinite(active_fraction) || active_fraction <= 0.0 || active_fraction > 1.0) {
    fail_param(kCramp, "active_fraction", fmt(active_fraction), "must be in (0, 1]");
  }
  detail::check_positive(kCramp, "duration_min_s", duration_min_s);
  if (!std::isfinite(duration_max_s) || duration_max_s < duration_min_s) {
    fail_param(kCramp, "duration_max_s", fmt(duration_max_s), "must be finite and >= duration_min_s=" + fmt(duration_min_s));
  }
  if (!std::isfinite(recruitment_s) || recruitment_s < 0.0 || recruitment_s >= duration_min_s) {
    fail_param(kCramp, "recruitment_s", fmt(recruitment_s), "must be in [0, duration_min_s=" + fmt(duration_min_s) + ")");
  }
}

const ParamTable& CrampFiringParams::describe() {
  static const ParamTable table = {
      {"rate_mean_hz", "Hz", "14.5", "[rate_min_hz, rate_max_hz]", "mean of the unit rates (Minetto 2009: 14.5 pps)"},
      {"rate_sd_hz", "Hz", "5.1", ">= 0", "SD of the unit rates before bounding (Minetto 2009: 5.1 pps)"},
      {"rate_min_hz", "Hz", "6", "(0, rate_max_hz]", "lowest unit rate"},
      {"rate_max_hz", "Hz", "25", ">= rate_min_hz", "highest unit rate"},
      {"isi_cv", "", "0.45", "(0, 2]", "CV of the gamma-distributed regular ISIs (Minetto 2009: 44.6 %)"},
      {"doublet_fraction", "", "0.04", "[0, 0.5]", "fraction of ISIs that are doublets"},
      {"doublet_isi_min_s", "s", "0.003", "(0, doublet_isi_max_s]", "shortest doublet ISI"},
      {"doublet_isi_max_s", "s", "0.01", ">= doublet_isi_min_s", "longest doublet ISI (regular ISIs are longer)"},
      {"modulation_hz", "Hz", "1.4", ">= 0", "frequency of the common rate modulation (common drive)"},
      {"modulation_depth", "", "0.2", "[0, 1)", "relative depth of the common rate modulation"},
      {"active_fraction", "", "0.5", "(0, 1]", "fraction of the pool, lowest thresholds first, that fires"},
      {"duration_min_s", "s", "5", "> recruitment_s", "shortest unit activity (from the onset)"},
      {"duration_max_s", "s", "40", ">= duration_min_s", "longest unit activity (from the onset)"},
      {"recruitment_s", "s", "0.3", "[0, duration_min_s)", "active units join in threshold order over this time"},
  };
  return table;
}

// ---------------------------------------------------------------------------------------------
// MUAP

VectorXd hermite_rodriguez(int order, double lambda_s, double fs_hz) {
  if (order != 1 && order != 2) fail_param(kHermite, "order", std::to_string(order), "must be 1 or 2");
  detail::check_positive(kHermite, "lambda_s", lambda_s);
  detail::check_fs(kHermite, fs_hz);
  if (lambda_s * fs_hz > 1e6) fail_param(kHermite, "lambda_s", fmt(lambda_s), "must span <= 1e6 samples at fs_hz=" + fmt(fs_hz));
  const long half = static_cast<long>(std::floor(4.0 * lambda_s * fs_hz + 1e-9));  // |t| <= 4 lambda
  VectorXd out(2 * half + 1);
  // Analytic peaks: phi_1 = x e^(-x^2) peaks at x = 1/sqrt(2) with e^(-1/2)/sqrt(2); phi_2 at x = 0 with 1.
  const double peak = order == 1 ? std::exp(-0.5) / std::sqrt(2.0) : 1.0;
  for (long k = -half; k <= half; ++k) {
    const double x = static_cast<double>(k) / (fs_hz * lambda_s);
    const double g = std::exp(-x * x);
    out[k + half] = (order == 1 ? x * g : (1.0 - 2.0 * x * x) * g) / peak;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Voluntary pool

MotorUnitActivity simulate_pool(const VectorXd& excitation, double fs_hz, const MotorUnitPoolParams& params, Rng& rng,
                                bool with_force) {
  params.validate(fs_hz);
  const long n = excitation.size();
  for (long k = 0; k < n; ++k) {
    if (!std::isfinite(excitation[k]) || excitation[k] < 0.0) {
      fail_param(kSimPool, "excitation[" + std::to_string(k) + "]", fmt(excitation[k]), "must be finite and >= 0");
    }
  }
  const Pool pool = build_pool(params);
  const std::uint64_t base = rng.next_u64();
  Discharges d(pool.units.size());
  const double g = params.excitation_gain, mfr = params.min_rate_hz, cv = params.isi_cv;
  for (std::size_t u = 0; u < pool.units.size(); ++u) {
    const Unit& unit = pool.units[u];
    Rng ur(derive_seed(base, u + 1));
    const double thr = unit.threshold;
    auto e_at = [&](long k) { return excitation[k] * pool.e_max; };
    auto rate = [&](double e) { return std::min(g * (e - thr) + mfr, unit.peak_rate_hz); };
    std::vector<double>& times = d.times_s[u];
    long s = 0;
    for (;;) {
      while (s < n && e_at(s) < thr) ++s;  // wait for recruitment
      if (s >= n) break;
      double t = static_cast<double>(s) / fs_hz + ur.uniform() / rate(e_at(s));
      bool in_bout = false;
      double last = 0.0;
      for (;;) {
        const long k = static_cast<long>(std::floor(t * fs_hz));
        if (k >= n || to_sample(t, fs_hz) >= n) {
          s = n;
          break;
        }
        const double e = e_at(k);
        if (e < thr) {  // de-recruited before this discharge
          s = k;
          break;
        }
        times.push_back(t);
        if (in_bout) {
          ++d.isi_count[u];
          d.isi_sum_s[u] += t - last;
        }
        in_bout = true;
        last = t;
        const double z = std::clamp(ur.normal(), -kClipSd, kClipSd);
        t += (1.0 + cv * z) / rate(e);
      }
    }
  }
  return assemble(d, pool, n, fs_hz, with_force);
}

// ---------------------------------------------------------------------------------------------
// Cramp

MotorUnitActivity simulate_cramp_firing(long n_samples, double fs_hz, double onset_s, const MotorUnitPoolParams& params,
                                        const CrampFiringParams& cramp, Rng& rng, bool with_force) {
  params.validate(fs_hz);
  cramp.validate();
  if (n_samples < 0) fail_param(kSimCramp, "n_samples", std::to_string(n_samples), "must be >= 0");
  detail::check_nonnegative(kSimCramp, "onset_s", onset_s);
  const Pool pool = build_pool(params);
  const std::uint64_t base = rng.next_u64();
  const long n_active = std::max(
      1L, std::min<long>(params.n_units, std::lround(cramp.active_fraction * static_cast<double>(params.n_units))));

  // Shared draws: the modulation phase, the unit rates and the activity ends.
  Rng setup(derive_seed(base, 0));
  const double phase = setup.uniform(0.0, 2.0 * std::numbers::pi);
  std::vector<double> unit_rate(static_cast<std::size_t>(n_active));
  for (double& r : unit_rate) r = setup.truncated_normal(cramp.rate_mean_hz, cramp.rate_sd_hz, cramp.rate_min_hz, cramp.rate_max_hz);
  std::vector<double> duration(static_cast<std::size_t>(n_active));
  for (double& x : duration) x = setup.uniform(cramp.duration_min_s, cramp.duration_max_s);
  std::sort(duration.begin(), duration.end(), std::greater<>());

  const double f = cramp.doublet_fraction;
  const double p_doublet = f / (1.0 - f);
  const double mean_doublet = 0.5 * (cramp.doublet_isi_min_s + cramp.doublet_isi_max_s);
  const double shape = 1.0 / (cramp.isi_cv * cramp.isi_cv);
  const double omega = 2.0 * std::numbers::pi * cramp.modulation_hz;
  const double end_of_signal = static_cast<double>(n_samples) / fs_hz;

  Discharges d(pool.units.size());
  for (long k = 0; k < n_active; ++k) {
    const std::size_t u = static_cast<std::size_t>(k);
    Rng ur(derive_seed(base, u + 1));
    const double start = onset_s + cramp.recruitment_s * static_cast<double>(k) / static_cast<double>(n_active);
    const double end = std::min(onset_s + duration[u], end_of_signal);
    const double r0 = unit_rate[u];
    std::vector<double>& times = d.times_s[u];
    auto emit = [&](double t) {
      if (!times.empty()) {
        ++d.isi_count[u];
        d.isi_sum_s[u] += t - times.back();
      }
      times.push_back(t);
    };
    auto inside = [&](double t) { return t < end && to_sample(t, fs_hz) < n_samples; };
    double t = start + ur.uniform() / r0;
    while (inside(t)) {
      emit(t);
      if (f > 0.0 && ur.uniform() < p_doublet) {
        t += ur.uniform(cramp.doublet_isi_min_s, cramp.doublet_isi_max_s);
        if (!inside(t)) break;
        emit(t);
      }
      const double r = r0 * (1.0 + cramp.modulation_depth * std::sin(omega * (t - onset_s) + phase));
      const double mean_isi = (1.0 / r - f * mean_doublet) / (1.0 - f);
      double isi = 0.0;
      for (int tries = 0; tries < 100; ++tries) {
        isi = ur.gamma(shape) * mean_isi / shape;
        if (isi >= cramp.doublet_isi_max_s) break;
      }
      t += std::max(isi, cramp.doublet_isi_max_s);
    }
  }
  return assemble(d, pool, n_samples, fs_hz, with_force);
}

}  // namespace emg::simulate
