// Spectral windows with SciPy's names (scipy.signal.get_window, periodic/"fftbins" form).
#pragma once

#include <emg/types.hpp>

#include <string>
#include <string_view>

namespace emg::spectral {

/// A window by name and optional parameter: "hann", "hamming", "blackman", "boxcar",
/// "bartlett", "tukey" (param = alpha, default 0.5), "flattop".
struct Window {
  std::string name = "hann";
  double param = -1.0;  ///< window parameter (tukey alpha); < 0 = the window's default

  /// Parse "hann" or "tukey:0.25" (name[:param]).
  static Window parse(std::string_view text);
  std::string to_string() const;
};

/// Periodic (DFT-even) window of n samples, equal to scipy.signal.get_window(window, n).
VectorXd get_window(const Window& window, long n);

}  // namespace emg::spectral
