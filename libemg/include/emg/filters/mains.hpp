// Power-line interference removal at the line frequency and all its harmonics (SCIENCE.md §3.3).
#pragma once

#include <emg/params.hpp>
#include <emg/types.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace emg::filters {

enum class MainsMethod {
  interpolation,  ///< spectrum interpolation (Mewett et al. 2004): default
  notch,          ///< cascade of iirnotch sections applied zero-phase
};
MainsMethod parse_mains_method(std::string_view name);
std::string to_string(MainsMethod method);

struct MainsParams {
  double line_hz = 50.0;        ///< 50 or 60; 0 = detect from the spectrum
  MainsMethod method = MainsMethod::interpolation;
  double max_hz = 0.0;          ///< highest harmonic frequency treated; 0 = up to Nyquist
  double bandwidth_hz = 0.5;    ///< interpolation: half-width of the band replaced around each harmonic
  double q = 30.0;              ///< notch quality factor

  void validate(double fs_hz) const;
  static const ParamTable& describe();
};

struct MainsResult {
  RowMatrixXd data;                  ///< cleaned signal, same shape as the input
  double line_hz = 0.0;              ///< line frequency used (detected when line_hz = 0)
  std::vector<double> harmonics_hz;  ///< every frequency treated (line_hz * h, h = 1, 2, ...)
  VectorXd removed_power;            ///< per channel: mean power removed, mean((x - y)^2) (units^2)
  VectorXd removed_fraction;         ///< per channel: removed_power / mean(x^2)
};

/// Remove 50/60 Hz interference and its harmonics up to max_hz (default Nyquist) in one call.
MainsResult remove_mains(MatrixView x, double fs_hz, const MainsParams& params = {});

/// Detect the line frequency (50 or 60 Hz) from the relative peak power at each candidate.
double detect_line_frequency(MatrixView x, double fs_hz);

}  // namespace emg::filters
