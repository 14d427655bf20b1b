// Shared argument validators: every message names function, parameter, value and rule.
#pragma once

#include <emg/errors.hpp>
#include <emg/types.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <string_view>

namespace emg::detail {

/// Shortest round-trip text for a double (e.g. "0.1", "450", "nan").
std::string fmt(double value);

[[noreturn]] void fail(std::string_view function, std::string_view message);

/// "<function>: <param>=<value> <rule>"
[[noreturn]] void fail_param(std::string_view function, std::string_view param, std::string_view value,
                             std::string_view rule);

inline void check_fs(std::string_view function, double fs_hz) {
  if (!std::isfinite(fs_hz) || fs_hz <= 0.0) fail_param(function, "fs_hz", fmt(fs_hz), "must be finite and > 0");
}

inline void check_positive(std::string_view function, std::string_view param, double value) {
  if (!std::isfinite(value) || value <= 0.0) fail_param(function, param, fmt(value), "must be finite and > 0");
}

inline void check_nonnegative(std::string_view function, std::string_view param, double value) {
  if (!std::isfinite(value) || value < 0.0) fail_param(function, param, fmt(value), "must be finite and >= 0");
}

/// A frequency strictly inside (0, fs/2).
void check_below_nyquist(std::string_view function, std::string_view param, double f_hz, double fs_hz);

/// Non-empty (>= 1 channel, >= min_samples samples) and all finite. Names the first bad sample.
void check_signal(std::string_view function, MatrixView x, long min_samples = 1);

}  // namespace emg::detail
