// Butterworth / notch / peak design as second-order sections.
//
// butter follows SciPy's route (analog zpk prototype -> frequency transform -> bilinear -> zpk
// to sections with "nearest" pairing) because the section order and pairing are part of the
// contract: callers compare coefficients with scipy.signal.butter(..., output="sos").
#include <emg/filters/design.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <numeric>

namespace emg::filters {

namespace {

using cd = std::complex<double>;

/// A root after conjugate pairing: complex roots keep only the member with positive imaginary
/// part (its conjugate is implied); `real` marks roots that stand alone.
struct Root {
  cd v;
  bool real;
};

/// Split roots into conjugate pairs (one representative each, averaged) followed by real roots,
/// in the order SciPy's pairing walks them: pairs by real part then |imag|, reals ascending.
std::vector<Root> pair_conjugates(std::vector<cd> z) {
  constexpr double tol = 100.0 * std::numeric_limits<double>::epsilon();
  std::stable_sort(z.begin(), z.end(), [](const cd& a, const cd& b) {
    if (a.real() != b.real()) return a.real() < b.real();
    return std::abs(a.imag()) < std::abs(b.imag());
  });
  std::vector<Root> out;
  std::vector<double> reals;
  std::vector<cd> pos, neg;
  for (const cd& v : z) {
    if (std::abs(v.imag()) <= tol * std::abs(v)) {
      reals.push_back(v.real());
    } else if (v.imag() > 0) {
      pos.push_back(v);
    } else {
      neg.push_back(v);
    }
  }
  if (pos.size() != neg.size()) detail::fail("butter", "internal error: unpaired complex root");
  // Within runs of (nearly) equal real part (found on the positive half), order both halves by
  // |imag| so that each positive root lines up with its conjugate.
  std::size_t start = 0;
  while (start < pos.size()) {
    std::size_t stop = start + 1;
    while (stop < pos.size() && pos[stop].real() - pos[stop - 1].real() <= tol * std::abs(pos[stop - 1])) ++stop;
    for (auto* half : {&pos, &neg}) {
      std::stable_sort(half->begin() + static_cast<long>(start), half->begin() + static_cast<long>(stop),
                       [](const cd& a, const cd& b) { return std::abs(a.imag()) < std::abs(b.imag()); });
    }
    start = stop;
  }
  for (std::size_t i = 0; i < pos.size(); ++i) out.push_back({(pos[i] + std::conj(neg[i])) / 2.0, false});
  for (double r : reals) out.push_back({cd(r, 0.0), true});
  return out;
}

/// Index of the root closest to the unit circle (first one on ties), optionally reals only.
std::size_t closest_to_unit_circle(const std::vector<Root>& v, bool reals_only) {
  std::size_t best = v.size();
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (reals_only && !v[i].real) continue;
    const double d = std::abs(1.0 - std::abs(v[i].v));
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

enum class Want { any, real, complex };

/// Index of the zero nearest to `to` among those of the wanted kind (first one on ties).
std::size_t nearest_zero(const std::vector<Root>& z, cd to, Want want) {
  std::vector<std::size_t> order(z.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return std::abs(z[a].v - to) < std::abs(z[b].v - to); });
  for (std::size_t i : order) {
    if (want == Want::any || (want == Want::real) == z[i].real) return i;
  }
  detail::fail("butter", "internal error: no zero of the requested kind");
}

Root take(std::vector<Root>& v, std::size_t i) {
  Root r = v[i];
  v.erase(v.begin() + static_cast<long>(i));
  return r;
}

/// Real polynomial (leading 1) with the given (at most two) roots, right-aligned in 3 slots.
void poly_into(const std::vector<cd>& roots, double* out3) {
  cd c[3] = {1.0, 0.0, 0.0};
  if (roots.size() == 1) {
    c[1] = -roots[0];
  } else if (roots.size() == 2) {
    c[1] = -roots[0] - roots[1];
    c[2] = roots[0] * roots[1];
  }
  const std::size_t n = roots.size() + 1;
  for (std::size_t i = 0; i < 3; ++i) out3[i] = 0.0;
  for (std::size_t i = 0; i < n; ++i) out3[3 - n + i] = c[i].real();
}

void set_section(Sos& sos, long row, const std::vector<cd>& zeros, const std::vector<cd>& poles) {
  double b[3], a[3];
  poly_into(zeros, b);
  poly_into(poles, a);
  for (int i = 0; i < 3; ++i) {
    sos(row, i) = b[i];
    sos(row, 3 + i) = a[i];
  }
}

/// Digital zpk -> sections with SciPy's "nearest" pairing: the poles nearest the unit circle
/// are paired first and placed in the LAST section; the gain goes into the first section.
Sos zpk_to_sos(std::vector<cd> z, std::vector<cd> p, double k) {
  while (z.size() < p.size()) z.emplace_back(0.0, 0.0);
  while (p.size() < z.size()) p.emplace_back(0.0, 0.0);
  const long n_sections = static_cast<long>((p.size() + 1) / 2);
  if (p.size() % 2 == 1) {
    p.emplace_back(0.0, 0.0);
    z.emplace_back(0.0, 0.0);
  }
  std::vector<Root> zr = pair_conjugates(std::move(z));
  std::vector<Root> pr = pair_conjugates(std::move(p));
  auto count_real = [](const std::vector<Root>& v) {
    return std::count_if(v.begin(), v.end(), [](const Root& r) { return r.real; });
  };

  Sos sos = Sos::Zero(n_sections, 6);
  for (long si = n_sections - 1; si >= 0; --si) {
    const Root p1 = take(pr, closest_to_unit_circle(pr, false));
    const auto n_real_p = count_real(pr);
    if (p1.real && n_real_p == 0) {
      const Root z1 = take(zr, nearest_zero(zr, p1.v, Want::real));
      set_section(sos, si, {z1.v, 0.0}, {p1.v, 0.0});
    } else if (pr.size() + 1 == zr.size() && !p1.real && n_real_p == 1 && count_real(zr) == 1) {
      // Keep the lone real zero for the lone real pole: pair this pole with a complex zero.
      const Root z1 = take(zr, nearest_zero(zr, p1.v, Want::complex));
      set_section(sos, si, {z1.v, std::conj(z1.v)}, {p1.v, std::conj(p1.v)});
    } else {
      cd p2 = std::conj(p1.v);
      if (p1.real) p2 = take(pr, closest_to_unit_circle(pr, true)).v;
      if (zr.empty()) {
        set_section(sos, si, {}, {p1.v, p2});
        continue;
      }
      const Root z1 = take(zr, nearest_zero(zr, p1.v, Want::any));
      if (!z1.real) {
        set_section(sos, si, {z1.v, std::conj(z1.v)}, {p1.v, p2});
      } else if (!zr.empty()) {
        const Root z2 = take(zr, nearest_zero(zr, p1.v, Want::real));
        set_section(sos, si, {z1.v, z2.v}, {p1.v, p2});
      } else {
        set_section(sos, si, {z1.v}, {p1.v, p2});
      }
    }
  }
  sos.row(0).head<3>() *= k;
  return sos;
}

cd product(const std::vector<cd>& v, cd offset, double sign) {
  cd acc(1.0, 0.0);
  for (const cd& x : v) acc *= offset + sign * x;
  return acc;
}

std::string list_text(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + detail::fmt(v[i]);
  return s + "]";
}

}  // namespace

BType parse_btype(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "lowpass" || s == "low" || s == "l" || s == "lp") return BType::lowpass;
  if (s == "highpass" || s == "high" || s == "h" || s == "hp") return BType::highpass;
  if (s == "bandpass" || s == "band" || s == "pass" || s == "bp") return BType::bandpass;
  if (s == "bandstop" || s == "stop" || s == "bands" || s == "bs") return BType::bandstop;
  std::string quoted;
  quoted.append("'").append(name).append("'");
  detail::fail_param("butter", "btype", quoted,
                     "must be one of 'lowpass', 'highpass', 'bandpass', 'bandstop' (or SciPy's aliases)");
}

std::string to_string(BType btype) {
  switch (btype) {
    case BType::lowpass: return "lowpass";
    case BType::highpass: return "highpass";
    case BType::bandpass: return "bandpass";
    case BType::bandstop: return "bandstop";
  }
  return "?";
}

Sos butter(int order, const std::vector<double>& cutoff_hz, BType btype, double fs_hz) {
  constexpr std::string_view fn = "butter";
  if (order < 1 || order > kMaxButterOrder) {
    detail::fail_param(fn, "order", std::to_string(order), "must be in 1.." + std::to_string(kMaxButterOrder));
  }
  detail::check_fs(fn, fs_hz);
  const bool band = btype == BType::bandpass || btype == BType::bandstop;
  const std::size_t want = band ? 2 : 1;
  if (cutoff_hz.size() != want) {
    detail::fail_param(fn, "cutoff_hz", list_text(cutoff_hz),
                       "must have exactly " + std::to_string(want) + (band ? " values (low, high)" : " value") +
                           " for a " + to_string(btype) + " filter");
  }
  for (double f : cutoff_hz) detail::check_below_nyquist(fn, "cutoff_hz", f, fs_hz);
  if (band && !(cutoff_hz[0] < cutoff_hz[1])) {
    detail::fail_param(fn, "cutoff_hz", list_text(cutoff_hz), "must be increasing (low < high)");
  }

  // Normalised to Nyquist, then pre-warped for the bilinear transform at fs = 2.
  constexpr double pi = std::numbers::pi;
  constexpr double fs2 = 4.0;
  std::vector<double> warped;
  for (double f : cutoff_hz) warped.push_back(fs2 * std::tan(pi * (f / (fs_hz / 2.0)) / 2.0));

  // Analog Butterworth prototype: N poles on the left unit half circle, no zeros, gain 1.
  std::vector<cd> proto;
  for (int m = -order + 1; m < order; m += 2) {
    const double theta = pi * m / (2.0 * order);
    proto.emplace_back(-std::cos(theta), -std::sin(theta));
  }

  std::vector<cd> z, p;
  double k = 1.0;
  switch (btype) {
    case BType::lowpass: {
      const double wo = warped[0];
      for (const cd& q : proto) p.push_back(wo * q);
      k = std::pow(wo, order);
      break;
    }
    case BType::highpass: {
      const double wo = warped[0];
      for (const cd& q : proto) p.push_back(wo / q);
      z.assign(static_cast<std::size_t>(order), cd(0.0, 0.0));
      k = (1.0 / product(proto, 0.0, -1.0)).real();
      break;
    }
    case BType::bandpass:
    case BType::bandstop: {
      const double bw = warped[1] - warped[0];
      const double wo = std::sqrt(warped[0] * warped[1]);
      std::vector<cd> base;
      for (const cd& q : proto) base.push_back(btype == BType::bandpass ? q * bw / 2.0 : (bw / 2.0) / q);
      std::vector<cd> plus, minus;
      for (const cd& q : base) {
        const cd s = std::sqrt(q * q - wo * wo);
        plus.push_back(q + s);
        minus.push_back(q - s);
      }
      p = plus;
      p.insert(p.end(), minus.begin(), minus.end());
      if (btype == BType::bandpass) {
        z.assign(static_cast<std::size_t>(order), cd(0.0, 0.0));
        k = std::pow(bw, order);
      } else {
        z.assign(static_cast<std::size_t>(order), cd(0.0, wo));
        z.insert(z.end(), static_cast<std::size_t>(order), cd(0.0, -wo));
        k = (1.0 / product(proto, 0.0, -1.0)).real();
      }
      break;
    }
  }

  // Bilinear transform; zeros at infinity land on Nyquist (z = -1).
  const std::size_t degree = p.size() - z.size();
  const double gain = k * (product(z, fs2, -1.0) / product(p, fs2, -1.0)).real();
  std::vector<cd> zd, pd;
  for (const cd& q : z) zd.push_back((fs2 + q) / (fs2 - q));
  zd.insert(zd.end(), degree, cd(-1.0, 0.0));
  for (const cd& q : p) pd.push_back((fs2 + q) / (fs2 - q));
  return zpk_to_sos(std::move(zd), std::move(pd), gain);
}

namespace {

Sos notch_or_peak(std::string_view fn, double w0_hz, double q, double fs_hz, bool notch) {
  detail::check_fs(fn, fs_hz);
  detail::check_below_nyquist(fn, "w0_hz", w0_hz, fs_hz);
  detail::check_positive(fn, "q", q);
  const double w0 = 2.0 * w0_hz / fs_hz;
  const double bw = (w0 / q) * std::numbers::pi;
  const double wr = w0 * std::numbers::pi;
  // -3 dB bandwidth design (Orfanidis): beta = tan(bw/2).
  const double beta = std::tan(bw / 2.0);
  const double g = 1.0 / (1.0 + beta);
  Sos sos(1, 6);
  if (notch) {
    sos << g, g * (-2.0 * std::cos(wr)), g, 1.0, -2.0 * g * std::cos(wr), 2.0 * g - 1.0;
  } else {
    sos << (1.0 - g), 0.0, -(1.0 - g), 1.0, -2.0 * g * std::cos(wr), 2.0 * g - 1.0;
  }
  return sos;
}

}  // namespace

Sos iirnotch(double w0_hz, double q, double fs_hz) { return notch_or_peak("iirnotch", w0_hz, q, fs_hz, true); }

Sos iirpeak(double w0_hz, double q, double fs_hz) { return notch_or_peak("iirpeak", w0_hz, q, fs_hz, false); }

Eigen::VectorXcd sosfreqz(const Sos& sos, const Eigen::VectorXd& freqs_hz, double fs_hz) {
  constexpr std::string_view fn = "sosfreqz";
  validate_sos(sos, fn);
  detail::check_fs(fn, fs_hz);
  for (Eigen::Index i = 0; i < freqs_hz.size(); ++i) {
    if (!std::isfinite(freqs_hz(i))) {
      detail::fail_param(fn, "freqs_hz", detail::fmt(freqs_hz(i)) + " at index " + std::to_string(i), "must be finite");
    }
  }
  Eigen::VectorXcd h(freqs_hz.size());
  for (Eigen::Index i = 0; i < freqs_hz.size(); ++i) {
    const double w = 2.0 * std::numbers::pi * freqs_hz(i) / fs_hz;
    const cd z1 = std::polar(1.0, -w);
    const cd z2 = std::polar(1.0, -2.0 * w);
    cd acc(1.0, 0.0);
    for (Eigen::Index s = 0; s < sos.rows(); ++s) {
      acc *= (sos(s, 0) + sos(s, 1) * z1 + sos(s, 2) * z2) / (sos(s, 3) + sos(s, 4) * z1 + sos(s, 5) * z2);
    }
    h(i) = acc;
  }
  return h;
}

void validate_sos(const Sos& sos, std::string_view function) {
  if (sos.rows() < 1) detail::fail_param(function, "sos", "shape (0, 6)", "must have at least one section");
  for (Eigen::Index s = 0; s < sos.rows(); ++s) {
    for (Eigen::Index j = 0; j < 6; ++j) {
      if (!std::isfinite(sos(s, j))) {
        detail::fail_param(function, "sos", detail::fmt(sos(s, j)) + " at [" + std::to_string(s) + ", " +
                                                std::to_string(j) + "]",
                           "must be finite");
      }
    }
    if (sos(s, 3) != 1.0) {
      detail::fail_param(function, "sos", "a0=" + detail::fmt(sos(s, 3)) + " in section " + std::to_string(s),
                         "must have a0 == 1 in every section (SciPy's sos layout [b0 b1 b2 1 a1 a2])");
    }
  }
}

}  // namespace emg::filters
