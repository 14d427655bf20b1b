// Periodic (DFT-even) windows with scipy.signal.get_window's names and conventions: a periodic
// window of n samples is the symmetric window of n + 1 samples without its last sample.
#include <emg/spectral/window.hpp>

#include "detail/check.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>

namespace emg::spectral {
namespace {

constexpr std::array<std::string_view, 7> kNames = {"hann", "hamming", "blackman", "boxcar",
                                                    "bartlett", "tukey", "flattop"};

std::string names_list() {
  std::string s;
  for (auto n : kNames) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

bool known(std::string_view name) {
  for (auto n : kNames)
    if (n == name) return true;
  return false;
}

// Weighted cosine sum on m symmetric points, evaluated like SciPy: phase from -pi to pi.
template <std::size_t K>
void cosine_sum(const std::array<double, K>& a, long m, long n, double* w) {
  const double pi = std::numbers::pi;
  const double step = 2.0 * pi / static_cast<double>(m - 1);
  for (long i = 0; i < n; ++i) {
    // linspace(-pi, pi, m): the last point is exactly pi, the rest -pi + i * step
    const double fac = (i == m - 1) ? pi : -pi + static_cast<double>(i) * step;
    double v = 0.0;
    for (std::size_t k = 0; k < K; ++k) v += a[k] * std::cos(static_cast<double>(k) * fac);
    w[i] = v;
  }
}

}  // namespace

Window Window::parse(std::string_view text) {
  Window w;
  const auto colon = text.find(':');
  w.name = std::string(text.substr(0, colon));
  if (!known(w.name)) {
    detail::fail_param("Window::parse", "window", std::string(text), "is not a known window (" + names_list() + ")");
  }
  if (colon != std::string_view::npos) {
    const std::string num(text.substr(colon + 1));
    char* end = nullptr;
    const double v = num.empty() ? NAN : std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(v)) {
      detail::fail_param("Window::parse", "window", std::string(text), "has a parameter that is not a finite number");
    }
    w.param = v;
  }
  return w;
}

std::string Window::to_string() const {
  if (param < 0.0) return name;
  return name + ":" + detail::fmt(param);
}

VectorXd get_window(const Window& window, long n) {
  constexpr std::string_view fn = "get_window";
  if (!known(window.name)) {
    detail::fail_param(fn, "window", window.name, "is not a known window (" + names_list() + ")");
  }
  if (n < 1) detail::fail_param(fn, "n", std::to_string(n), "must be >= 1");
  const bool has_param = window.param >= 0.0;
  if (window.name == "tukey") {
    if (has_param && !(window.param <= 1.0)) {
      detail::fail_param(fn, "window", window.to_string(), "needs a tukey alpha in [0, 1]");
    }
  } else if (has_param || std::isnan(window.param)) {
    detail::fail_param(fn, "window", window.to_string(), "takes no parameter (only tukey:alpha does)");
  }
  if (window.name == "tukey" && std::isnan(window.param)) {
    detail::fail_param(fn, "window", window.to_string(), "needs a tukey alpha in [0, 1]");
  }

  VectorXd w = VectorXd::Ones(n);
  if (n == 1 || window.name == "boxcar") return w;
  const long m = n + 1;  // symmetric length before dropping the last point
  const std::string& name = window.name;
  double* p = w.data();
  if (name == "hann") {
    cosine_sum(std::array<double, 2>{0.5, 0.5}, m, n, p);
  } else if (name == "hamming") {
    cosine_sum(std::array<double, 2>{0.54, 0.46}, m, n, p);
  } else if (name == "blackman") {
    cosine_sum(std::array<double, 3>{0.42, 0.50, 0.08}, m, n, p);
  } else if (name == "flattop") {
    cosine_sum(std::array<double, 5>{0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368}, m, n, p);
  } else if (name == "bartlett") {
    const double half = static_cast<double>(m - 1) / 2.0;
    for (long i = 0; i < n; ++i) {
      const double r = 2.0 * static_cast<double>(i) / static_cast<double>(m - 1);
      p[i] = static_cast<double>(i) <= half ? r : 2.0 - r;
    }
  } else if (name == "tukey") {
    const double alpha = has_param ? window.param : 0.5;
    if (alpha <= 0.0) return w;
    if (alpha >= 1.0) return get_window(Window{"hann"}, n);
    const double pi = std::numbers::pi;
    const double mm1 = static_cast<double>(m - 1);
    const long width = static_cast<long>(std::floor(alpha * mm1 / 2.0));
    for (long i = 0; i < n; ++i) {
      const double x = static_cast<double>(i);
      if (i <= width) {
        p[i] = 0.5 * (1.0 + std::cos(pi * (-1.0 + 2.0 * x / alpha / mm1)));
      } else if (i >= m - width - 1) {
        p[i] = 0.5 * (1.0 + std::cos(pi * (-2.0 / alpha + 1.0 + 2.0 * x / alpha / mm1)));
      }
    }
  }
  return w;
}

}  // namespace emg::spectral
