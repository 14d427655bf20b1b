#include "detail/check.hpp"

#include <charconv>
#include <cstdio>

namespace emg::detail {

std::string fmt(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

void fail(std::string_view function, std::string_view message) {
  std::string text;
  text.reserve(function.size() + message.size() + 2);
  text.append(function).append(": ").append(message);
  throw InvalidArgument(text);
}

void fail_param(std::string_view function, std::string_view param, std::string_view value, std::string_view rule) {
  std::string text;
  text.append(function).append(": ").append(param).append("=").append(value).append(" ").append(rule);
  throw InvalidArgument(text);
}

void check_below_nyquist(std::string_view function, std::string_view param, double f_hz, double fs_hz) {
  check_fs(function, fs_hz);
  const double nyq = fs_hz / 2.0;
  if (!std::isfinite(f_hz) || f_hz <= 0.0 || f_hz >= nyq) {
    fail_param(function, param, fmt(f_hz),
               "must be > 0 and below Nyquist (" + fmt(nyq) + " Hz for fs_hz=" + fmt(fs_hz) + ")");
  }
}

void check_signal(std::string_view function, MatrixView x, long min_samples) {
  if (x.rows() < 1 || x.cols() < 1) {
    fail_param(function, "x", "shape (" + std::to_string(x.rows()) + ", " + std::to_string(x.cols()) + ")",
               "must have at least one channel and one sample (empty input)");
  }
  if (x.cols() < min_samples) {
    fail_param(function, "x", std::to_string(x.cols()) + " samples",
               "is too short: at least " + std::to_string(min_samples) + " samples are needed");
  }
  if (!x.allFinite()) {
    for (Eigen::Index c = 0; c < x.rows(); ++c) {
      for (Eigen::Index n = 0; n < x.cols(); ++n) {
        if (!std::isfinite(x(c, n))) {
          fail_param(function, "x", fmt(x(c, n)) + " at channel " + std::to_string(c) + ", sample " + std::to_string(n),
                     "must be finite (NaN or Inf in the data)");
        }
      }
    }
  }
}

}  // namespace emg::detail
