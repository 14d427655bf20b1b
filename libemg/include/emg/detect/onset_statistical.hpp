// Parameters of the statistical onset detectors (SCIENCE.md §5.2, §5.3, §5.7): Bonato's double
// threshold, the TKEO-conditioned threshold (Solnik / Li) and AGLR (Staude). Each
// validate(fs_hz) names the dotted parameter ("bonato.pfa"), its value and the rule.
#pragma once

#include <emg/params.hpp>

#include <string>

namespace emg::detect {

/// Bonato et al. 1998 (§5.2): g[k] = (x[k-1]^2 + x[k]^2) / sigma0^2 ~ chi2(2) at rest (sigma0^2 =
/// variance of x over the rest window); active when at least r0 of m successive test samples
/// exceed zeta (a centred window of m test samples), zeta from the false-alarm probability pfa:
/// P solves 1 - BinomCDF(r0 - 1; m, P) = pfa and zeta = -2 ln P (bonato_zeta). m = round(m_s fs)
/// test samples when sliding (g at every sample), round(m_s fs / 2) on disjoint pairs (each pair's
/// g is shown on both of its samples). State rule: active phases shorter than min_length_s are
/// dropped, then rest phases shorter than min_length_s are closed. whiten_order > 0 first whitens
/// x with an AR model of that order fitted on the rest window (Yule-Walker), as the chi2 law
/// assumes white noise (the first whiten_order samples then have an undefined, NaN, test
/// function); 0 = the band-passed signal as is (BioSPPy, biosignalEMG).
struct BonatoParams {
  double pfa = 0.05;
  double m_s = 0.01;
  long r0 = 1;
  double min_length_s = 0.03;
  bool sliding = true;
  long whiten_order = 0;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// zeta of Bonato's detector (units of sigma0^2): P solves 1 - BinomCDF(r0 - 1; m, P) = pfa
/// (bisection to machine precision), zeta = -2 ln P. Check value: pfa 0.05, m 5, r0 1 -> 9.17.
/// InvalidArgument unless 0 < pfa < 1 and 1 <= r0 <= m.
double bonato_zeta(double pfa, long m, long r0);

/// TKEO conditioning (§5.3): |psi[n]| = |x^2[n] - x[n+1] x[n-1]| (edge samples: x^2), low-passed
/// zero-phase (lowpass_hz, Butterworth lowpass_order; 0 = none), against mu0 + j sigma0 of its
/// rest-window values; an interval counts when above for at least min_duration_s. The test
/// function is the conditioned |psi| itself (units of the signal squared). Defaults [E, tuned on
/// simulated bursts, SCIENCE.md §5.10]: 15 Hz and j = 4 (50 Hz / j = 8 missed 20 dB bursts).
struct TkeoParams {
  double lowpass_hz = 15.0;
  int lowpass_order = 2;
  double j = 4.0;
  double min_duration_s = 0.025;
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// AGLR, Staude et al. 2001 (§5.7): AR whitening (ar_order, Yule-Walker on the rest window; 0 =
/// none), then a one-sided variance-step log-likelihood ratio over a centred window of window_s:
/// S = (L/2)(rho - ln rho - 1) with rho = mean(e^2) / theta0 (gaussian), or L (rho - ln rho - 1)
/// with rho = mean|e| / mean|e|_rest (laplace); S = 0 where rho <= 1 (a one-sided test for a rise).
/// Alarm while S > h. Each alarm's onset is re-estimated as the split maximising the two-segment
/// likelihood (scale estimated on both sides, each side >= min_samples) over the search_s before
/// the end of the first alarming window, plus min_samples after it; the offset the same way
/// backwards in time (the signal whitened backwards) from the start of the last alarming window.
/// The first / last ar_order samples (no full AR history) count as at rest.
struct AglrParams {
  long ar_order = 8;
  double window_s = 0.05;
  double h = 15.0;
  std::string model = "gaussian";  ///< gaussian | laplace
  long min_samples = 10;           ///< Delta: fewest samples on either side of a re-estimated change
  double search_s = 0.1;           ///< length of the change-time search before the alarm (>= window_s)
  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

}  // namespace emg::detect
