// Level B of the simulator (SCIENCE.md §7.2): a motor-unit pool after Fuglevand, Winter & Patla
// 1993 (recruitment, rate coding, ISI variability, twitch force) with Hermite-Rodriguez MUAPs,
// and a cramp mode whose firing statistics follow Minetto et al. 2009 (14.5 +- 5.1 pps, bounded
// 6-25 pps, ISI CV ~0.45, ~4 % doublets, common 1-2 Hz rate modulation, reverse de-recruitment).
#pragma once

#include <emg/params.hpp>
#include <emg/simulate/random.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <vector>

namespace emg::simulate {

struct MotorUnitPoolParams {
  int n_units = 120;
  double recruitment_range = 30.0;   ///< RR: RTE_i = exp(ln(RR) i / n)
  double excitation_gain = 1.0;      ///< g_e (pps per unit of excitation)
  double min_rate_hz = 8.0;          ///< MFR
  double peak_rate_first_hz = 35.0;  ///< PFR1
  double peak_rate_diff_hz = 10.0;   ///< PFRD
  double isi_cv = 0.2;               ///< 0.1-0.2; Gaussian ISIs clipped at +-3.9 SD
  double twitch_force_range = 100.0; ///< RP
  double twitch_time_longest_s = 0.090;  ///< T_L
  double twitch_time_range = 3.0;    ///< RT
  double muap_width_min_s = 0.5e-3;  ///< lambda of the largest unit ...
  double muap_width_max_s = 2.0e-3;  ///< ... and of the smallest (large units = short, big MUAPs)
  double muap_amplitude = 1.0;       ///< peak of the largest unit's MUAP in units; unit i scales with its size
  // Unit i = 1..n (output index i - 1): RTE_i = exp(ln(RR) i / n); rate FR_i = min(g_e (E - RTE_i) + MFR,
  // PFR_i), PFR_i = PFR1 - PFRD RTE_i / RTE_n, for E >= RTE_i; twitch peak P_i = exp(ln(RP) i / n),
  // contraction time T_i = T_L (1/P_i)^(1/c), c = ln(RP) / ln(RT) (= ln(100)/ln(RT) for RP = 100),
  // twitch P_i (t/T_i) e^(1 - t/T_i), summed linearly (no force-saturation nonlinearity).
  // MUAP of unit i: Hermite-Rodriguez order 1 for odd i, 2 for even i; width
  // lambda_i = max - (max - min) (i - 1)/(n - 1); peak muap_amplitude * sqrt(RTE_i / RTE_n).
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

struct CrampFiringParams {
  double rate_mean_hz = 14.5;     ///< unit mean rates drawn N(mean, sd) bounded to [min, max]
  double rate_sd_hz = 5.1;
  double rate_min_hz = 6.0;
  double rate_max_hz = 25.0;
  double isi_cv = 0.45;
  double doublet_fraction = 0.04;
  double doublet_isi_min_s = 0.003;
  double doublet_isi_max_s = 0.010;
  double modulation_hz = 1.4;     ///< common drive
  double modulation_depth = 0.2;  ///< relative rate modulation
  double active_fraction = 0.5;   ///< fraction of the pool (lowest thresholds first) that joins the cramp
  double duration_min_s = 5.0;    ///< unit activity duration range; later-recruited units stop first
  double duration_max_s = 40.0;
  double recruitment_s = 0.3;     ///< active units join one after another, in threshold order, over this time from onset
  // Unit k of the active set (k = 0 lowest threshold) starts at onset + recruitment_s k / n_active and stays
  // active until onset + D_k, D ~ U[duration_min_s, duration_max_s] sorted so that D_k decreases with k.
  // Regular ISIs are gamma with CV isi_cv and a mean that follows the unit rate r_k (1 + depth sin(2 pi
  // modulation_hz t + phase)), the phase common to all units; regular ISIs shorter than doublet_isi_max_s
  // are redrawn. After a regular discharge a doublet follows with probability f/(1 - f) (f =
  // doublet_fraction), so f of all ISIs are doublet ISIs ~ U[doublet_isi_min_s, doublet_isi_max_s]; the
  // regular mean is (1/r - f mean_doublet_isi)/(1 - f) so that the unit's mean rate stays r.
  void validate() const;
  static const ParamTable& describe();
};

/// Firings, surface signal and (optionally) force of a pool.
struct MotorUnitActivity {
  VectorXd emg;                        ///< sum of MUAP trains (each MUAP centred on its firing sample), in units
  VectorXd force;                      ///< sum of twitches (arbitrary units; empty unless asked)
  std::vector<long> firing_unit;       ///< one entry per discharge, sorted by sample then unit
  std::vector<std::int64_t> firing_sample;
  std::vector<double> unit_mean_rate_hz;  ///< per unit: ISIs / summed ISI time of its discharges in the signal (0 = < 2 discharges)
};

/// Voluntary activity driven by `excitation` (one value per sample, >= 0), normalised to
/// E_max = RTE_n + (PFR_n - MFR)/g_e, the excitation at which every unit fires at its peak rate:
/// E = excitation * E_max, 0 = rest; the last unit is recruited at RTE_n / E_max (0.64 by default).
/// A unit fires first at a uniformly random phase of its first ISI after it is recruited; each
/// next ISI is Gaussian, mean 1/FR(E(t)) at the current discharge time, SD isi_cv/FR, clipped at
/// +-3.9 SD; a discharge that falls where E < RTE_i does not happen (the unit is de-recruited).
/// Units are indexed 0..n-1 in threshold order; the pool's random draws use one value of `rng`
/// (one child stream per unit).
MotorUnitActivity simulate_pool(const VectorXd& excitation, double fs_hz, const MotorUnitPoolParams& pool, Rng& rng,
                                bool with_force = false);

/// Cramp activity over [onset_s, onset_s + longest unit duration) in a signal of n_samples: the
/// lowest-threshold round(active_fraction n) units (at least 1) fire as CrampFiringParams describes.
/// unit_mean_rate_hz counts doublet ISIs too.
MotorUnitActivity simulate_cramp_firing(long n_samples, double fs_hz, double onset_s, const MotorUnitPoolParams& pool,
                                        const CrampFiringParams& cramp, Rng& rng, bool with_force = false);

/// Hermite-Rodriguez MUAP of order 1 or 2 with width lambda_s, sampled at fs_hz over +-4 lambda
/// (t_k = k/fs_hz, |k| <= floor(4 lambda fs_hz), centre at index floor(4 lambda fs_hz)), divided by
/// the analytic peak (phi_1: e^(-1/2)/sqrt(2) at t = lambda/sqrt(2); phi_2: 1 at t = 0).
VectorXd hermite_rodriguez(int order, double lambda_s, double fs_hz);

}  // namespace emg::simulate
