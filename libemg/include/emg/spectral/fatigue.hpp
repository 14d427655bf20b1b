// Sliding-window fatigue series (MNF, MDF, RMS, ARV) and their linear trends (SCIENCE.md §6.2).
#pragma once

#include <emg/params.hpp>
#include <emg/spectral/spectra.hpp>
#include <emg/types.hpp>

#include <vector>

namespace emg::spectral {

struct FatigueParams {
  double window_s = 1.0;    ///< analysis epoch length
  double step_s = 0.5;      ///< hop between epoch starts
  double segment_s = 0.25;  ///< Welch segment length inside an epoch (50 % overlap, Hann)
  double low_hz = 20.0;     ///< analysis band for MNF / MDF
  double high_hz = 450.0;   ///< analysis band; clipped to Nyquist when above it
  Detrend detrend = Detrend::constant;

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

/// Ordinary least-squares line y = intercept + slope * t with the slope's 95 % CI (Student t,
/// n - 2 degrees of freedom) and the normalised slope 100 * slope / intercept (%/s).
struct Trend {
  double slope = 0.0;       ///< units per second
  double intercept = 0.0;   ///< value at t = 0 (the initial value, e.g. IMF for MDF)
  double slope_ci_low = 0.0;
  double slope_ci_high = 0.0;
  double normalized_slope_pct_per_s = 0.0;
  double r_squared = 0.0;
  long n = 0;
};

/// Fit a Trend; needs >= 3 points with distinct times (CI needs n - 2 >= 1).
Trend linear_trend(const VectorXd& t, const VectorXd& y);

/// Quantile of Student's t distribution with `dof` degrees of freedom (scipy.stats.t.ppf), used
/// for the trend CI; p in (0, 1), dof > 0.
double student_t_ppf(double p, double dof);

struct FatigueSeries {
  VectorXd times_s;  ///< epoch centres, from the start of the signal
  RowMatrixXd mnf_hz, mdf_hz, rms, arv;  ///< channels x epochs
  std::vector<Trend> mnf_trend, mdf_trend, rms_trend, arv_trend;  ///< one per channel
};

/// Split the signal into epochs of window_s every step_s, estimate each epoch's Welch PSD and
/// compute MNF / MDF in [low_hz, high_hz], RMS and ARV, then the linear trend of each.
/// Epoch count = floor((n - W) / S) + 1 with W, S the rounded window and step in samples. An
/// epoch with no power in the band has NaN MNF / MDF; trends are NaN (with n set) when there are
/// fewer than 3 epochs or a NaN in the series.
FatigueSeries fatigue_series(MatrixView x, double fs_hz, const FatigueParams& params = {});

}  // namespace emg::spectral
