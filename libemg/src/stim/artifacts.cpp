// Artefact suppression per pulse: blanking (zero / linear / cubic Hermite fill) and running-median
// template subtraction followed by blanking of the residual spike (SCIENCE.md §4.2).
#include <emg/errors.hpp>
#include <emg/stim/artifacts.hpp>

#include "detail/check.hpp"
#include "detail/robust.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace emg::stim {

using detail::fail_param;
using detail::fmt;

namespace {

constexpr std::string_view kSuppress = "suppress_artifacts";

void check_pulses(std::string_view function, const std::vector<std::int64_t>& pulses, std::int64_t n_samples) {
  for (std::size_t k = 0; k < pulses.size(); ++k) {
    if (pulses[k] < 0 || pulses[k] >= n_samples) {
      fail_param(function, "pulses[" + std::to_string(k) + "]", std::to_string(pulses[k]),
                 "must be in [0, n_samples=" + std::to_string(n_samples) + ") (a sample of x)");
    }
    if (k > 0 && pulses[k] <= pulses[k - 1]) {
      fail_param(function, "pulses[" + std::to_string(k) + "]", std::to_string(pulses[k]),
                 "must be > pulses[" + std::to_string(k - 1) + "]=" + std::to_string(pulses[k - 1]) +
                     " (pulses strictly increasing)");
    }
  }
}

void check_train_ids(std::string_view function, const std::vector<long>& train_ids, std::size_t n_pulses) {
  if (!train_ids.empty() && train_ids.size() != n_pulses) {
    fail_param(function, "train_ids", "size " + std::to_string(train_ids.size()),
               "must be empty or have one entry per pulse (" + std::to_string(n_pulses) + ")");
  }
}

bool is_blank_method(SuppressMethod m) { return m != SuppressMethod::template_subtraction; }

struct Layout {
  Eigen::Index pre = 0;
  Eigen::Index blank = 1;
  Eigen::Index guard = 0;
  Eigen::Index window = 0;  ///< fixed template length (0 = automatic)
  Eigen::Index max_len = 1;
};

Layout layout(const SuppressParams& p, double fs_hz) {
  Layout l;
  l.pre = static_cast<Eigen::Index>(std::llround(p.pre_s * fs_hz));
  l.blank = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(p.blank_s * fs_hz)));
  l.guard = static_cast<Eigen::Index>(std::llround(p.mwave_guard_s * fs_hz));
  l.window = static_cast<Eigen::Index>(std::llround(p.template_window_s * fs_hz));
  l.max_len = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(p.template_max_s * fs_hz)));
  return l;
}

std::vector<SampleInterval> spans(Eigen::Index n, const std::vector<std::int64_t>& pulses, const Layout& l) {
  std::vector<SampleInterval> out(pulses.size());
  std::int64_t prev_end = 0;
  for (std::size_t k = 0; k < pulses.size(); ++k) {
    const std::int64_t p = pulses[k];
    std::int64_t e = std::min<std::int64_t>(p + l.blank, n);
    if (k + 1 < pulses.size()) e = std::min(e, std::max<std::int64_t>(p + 1, pulses[k + 1] - l.pre));
    const std::int64_t s = std::max<std::int64_t>({0, p - l.pre, prev_end});
    out[k] = {s, e};
    prev_end = e;
  }
  return out;
}

/// Fill y[s, e) from its neighbours (the run never covers a neighbour it uses).
void fill_run(double* y, Eigen::Index n, Eigen::Index s, Eigen::Index e, SuppressMethod method) {
  const bool has_left = s > 0, has_right = e < n;
  if (method == SuppressMethod::blank_zero || (!has_left && !has_right)) {
    std::fill(y + s, y + e, 0.0);
    return;
  }
  if (!has_left || !has_right) {
    std::fill(y + s, y + e, has_left ? y[s - 1] : y[e]);
    return;
  }
  const double a = y[s - 1], b = y[e];
  const double h = static_cast<double>(e - s + 1);  // distance between the anchors in samples
  if (method == SuppressMethod::blank_cubic && s >= 2 && e + 1 < n) {
    const double m0 = (y[s - 1] - y[s - 2]) * h;  // slopes per unit of the normalised time u
    const double m1 = (y[e + 1] - y[e]) * h;
    for (Eigen::Index i = s; i < e; ++i) {
      const double u = static_cast<double>(i - s + 1) / h;
      const double u2 = u * u, u3 = u2 * u;
      y[i] = (2.0 * u3 - 3.0 * u2 + 1.0) * a + (u3 - 2.0 * u2 + u) * m0 + (-2.0 * u3 + 3.0 * u2) * b + (u3 - u2) * m1;
    }
    return;
  }
  for (Eigen::Index i = s; i < e; ++i) y[i] = a + (b - a) * static_cast<double>(i - s + 1) / h;
}

void fill_spans(double* y, Eigen::Index n, const std::vector<SampleInterval>& iv, SuppressMethod method) {
  std::size_t k = 0;
  while (k < iv.size()) {
    const Eigen::Index s = iv[k].start_sample;
    Eigen::Index e = iv[k].end_sample;
    std::size_t j = k + 1;
    while (j < iv.size() && iv[j].start_sample <= e) e = std::max<Eigen::Index>(e, iv[j++].end_sample);
    if (e > s) fill_run(y, n, s, e, method);
    k = j;
  }
}

double median_in_place(double* v, long m) { return detail::median_in_place(v, static_cast<std::size_t>(m)); }

/// Segment of each pulse as offsets [lo, hi) around the pulse, and the train runs.
struct Segments {
  std::vector<Eigen::Index> lo, hi;
  std::vector<std::size_t> train_first, train_last;  ///< per pulse: first / last pulse index of its train
};

Segments segments(Eigen::Index n, const std::vector<std::int64_t>& pulses, const std::vector<long>& train_ids,
                  const std::vector<SampleInterval>& iv, const Layout& l) {
  const std::size_t np = pulses.size();
  Segments sg;
  sg.lo.resize(np);
  sg.hi.resize(np);
  sg.train_first.resize(np);
  sg.train_last.resize(np);
  std::size_t first = 0;
  for (std::size_t k = 0; k < np; ++k) {
    if (k > 0 && !train_ids.empty() && train_ids[k] != train_ids[k - 1]) first = k;
    sg.train_first[k] = first;
  }
  std::size_t last = np - 1;
  for (std::size_t k = np; k-- > 0;) {
    if (k + 1 < np && !train_ids.empty() && train_ids[k] != train_ids[k + 1]) last = k;
    sg.train_last[k] = last;
  }
  for (std::size_t k = 0; k < np; ++k) {
    const std::int64_t p = pulses[k];
    Eigen::Index len = l.window;
    if (len == 0) {
      if (k < sg.train_last[k]) len = pulses[k + 1] - p;
      else if (k > sg.train_first[k]) len = p - pulses[k - 1];
      else len = l.max_len;
    }
    len = std::min(len, l.max_len);
    Eigen::Index end = std::min<Eigen::Index>(p + len, n);
    if (k + 1 < np) end = std::min<Eigen::Index>(end, iv[k + 1].start_sample);
    sg.lo[k] = iv[k].start_sample - p;
    sg.hi[k] = std::max<Eigen::Index>(end - p, sg.lo[k]);
  }
  return sg;
}

/// Work buffers of subtract_templates, allocated once per call.
struct TemplateBuffers {
  std::vector<double> tmpl;    ///< T_k[i], i from lo
  std::vector<double> spread;  ///< 1.4826 MAD across the pulses at each offset
};

/// y = x - g_k T_k over every segment (one channel).
void subtract_templates(const double* x, double* y, const std::vector<std::int64_t>& pulses, const Segments& sg,
                        const SuppressParams& params, const Layout& l, TemplateBuffers& wb) {
  const std::size_t np = pulses.size();
  const long m = params.template_pulses;
  std::array<double, kMaxTemplatePulses> buf{};
  std::array<double, kMaxTemplatePulses> dev{};
  for (std::size_t k = 0; k < np; ++k) {
    // neighbour window [j0, j1] of (up to) m pulses centred on k inside the train
    const std::size_t tf = sg.train_first[k], tl = sg.train_last[k];
    const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(m), tl - tf + 1);
    const std::size_t half = (count - 1) / 2;
    std::size_t j0 = k >= tf + half ? k - half : tf;
    if (j0 + count - 1 > tl) j0 = tl + 1 - count;
    const std::size_t j1 = j0 + count - 1;

    const Eigen::Index lo = sg.lo[k];
    Eigen::Index hi = sg.hi[k];
    if (!params.subtract_mwave) hi = std::min(hi, std::max<Eigen::Index>(l.guard, lo));
    if (hi <= lo) continue;
    const auto len = static_cast<std::size_t>(hi - lo);
    wb.tmpl.resize(len);
    wb.spread.resize(len);
    double n_used = 0.0;  // pulses in the median at the offsets after the blank (for the noise level)
    for (Eigen::Index i = lo; i < hi; ++i) {
      long c = 0;
      for (std::size_t j = j0; j <= j1; ++j) {
        if (i >= sg.lo[j] && i < sg.hi[j]) buf[static_cast<std::size_t>(c++)] = x[pulses[j] + i];
      }
      const double med = median_in_place(buf.data(), c);  // c >= 1: pulse k itself
      wb.tmpl[static_cast<std::size_t>(i - lo)] = med;
      for (long j = 0; j < c; ++j) dev[static_cast<std::size_t>(j)] = std::abs(buf[static_cast<std::size_t>(j)] - med);
      wb.spread[static_cast<std::size_t>(i - lo)] = detail::kMadToSigma * median_in_place(dev.data(), c);
      n_used = std::max(n_used, static_cast<double>(c));
    }

    // automatic end: where the template has sunk into its own noise (see the header)
    Eigen::Index end = hi;
    if (params.template_end_z > 0.0 && n_used >= 3.0) {
      // the EMG SD: median over the offsets of the across-pulse spread (artefact jitter inflates few offsets)
      std::vector<double>& sp = wb.spread;
      const double emg_sd = median_in_place(sp.data(), static_cast<long>(sp.size()));
      const double noise = 1.2533 * emg_sd / std::sqrt(n_used);  // SD of a median of n_used values
      const double hi_thr = params.template_end_z * noise;
      Eigen::Index last = lo - 1;
      for (Eigen::Index i = hi - 1; i >= lo; --i) {
        if (std::abs(wb.tmpl[static_cast<std::size_t>(i - lo)]) > hi_thr) {
          last = i;
          break;
        }
      }
      end = last + 1;
      while (end < hi && std::abs(wb.tmpl[static_cast<std::size_t>(end - lo)]) > kTemplateTailZ * noise) ++end;
    }

    const std::int64_t p = pulses[k];
    double gain = 1.0;
    if (params.scale_template) {
      const Eigen::Index fit_hi = std::min(end, std::max(l.guard, l.blank));
      double xt = 0.0, tt = 0.0;
      for (Eigen::Index i = lo; i < fit_hi; ++i) {
        const double t = wb.tmpl[static_cast<std::size_t>(i - lo)];
        xt += x[p + i] * t;
        tt += t * t;
      }
      if (tt > 0.0) gain = std::clamp(xt / tt, 0.5, 2.0);
    }
    for (Eigen::Index i = lo; i < end; ++i) y[p + i] = x[p + i] - gain * wb.tmpl[static_cast<std::size_t>(i - lo)];
  }
}

}  // namespace

SuppressMethod parse_suppress_method(std::string_view name, std::string_view function) {
  if (name == "blank_linear") return SuppressMethod::blank_linear;
  if (name == "blank_cubic") return SuppressMethod::blank_cubic;
  if (name == "blank_zero") return SuppressMethod::blank_zero;
  if (name == "template_subtraction") return SuppressMethod::template_subtraction;
  fail_param(function, "method", std::string(name), "must be blank_linear, blank_cubic, blank_zero or template_subtraction");
}

std::string to_string(SuppressMethod method) {
  switch (method) {
    case SuppressMethod::blank_linear: return "blank_linear";
    case SuppressMethod::blank_cubic: return "blank_cubic";
    case SuppressMethod::blank_zero: return "blank_zero";
    case SuppressMethod::template_subtraction: return "template_subtraction";
  }
  return "?";
}

void SuppressParams::validate(double fs_hz) const {
  detail::check_fs(kSuppress, fs_hz);
  const auto in_range = [](std::string_view param, double v, double lo, bool lo_open, double hi) {
    if (!std::isfinite(v) || v > hi || v < lo || (lo_open && v == lo)) {
      fail_param(kSuppress, param, fmt(v), std::string("must be in ") + (lo_open ? "(" : "[") + fmt(lo) + ", " + fmt(hi) + "]");
    }
  };
  in_range("pre_s", pre_s, 0.0, false, 0.01);
  in_range("blank_s", blank_s, 0.0, true, 0.05);
  if (template_pulses < 1 || template_pulses > kMaxTemplatePulses) {
    fail_param(kSuppress, "template_pulses", std::to_string(template_pulses),
               "must be in 1.." + std::to_string(kMaxTemplatePulses));
  }
  in_range("template_window_s", template_window_s, 0.0, false, 1.0);
  in_range("template_max_s", template_max_s, 0.0, true, 1.0);
  if (template_max_s * fs_hz < 1.0) {
    fail_param(kSuppress, "template_max_s", fmt(template_max_s),
               "must be at least one sample (" + fmt(1.0 / fs_hz) + " s at fs_hz=" + fmt(fs_hz) + ")");
  }
  in_range("mwave_guard_s", mwave_guard_s, 0.0, false, 0.05);
  in_range("template_end_z", template_end_z, 0.0, false, 100.0);
  if (!is_blank_method(residual_fill)) {
    fail_param(kSuppress, "residual_fill", to_string(residual_fill), "must be blank_linear, blank_cubic or blank_zero");
  }
}

const ParamTable& SuppressParams::describe() {
  static const ParamTable table = {
      {"method", "", "blank_linear", "blank_linear|blank_cubic|blank_zero|template_subtraction",
       "how each pulse's artefact is suppressed"},
      {"pre_s", "s", "0.0002", "[0, 0.01]", "the blanked span starts this long before the pulse"},
      {"blank_s", "s", "0.003", "(0, 0.05]", "the blanked span ends this long after the pulse (amplifier recovery, 1-10 ms)"},
      {"template_pulses", "", "7", "1..15", "pulses in the running-median template (5-10), the pulse itself included"},
      {"template_window_s", "s", "0", "[0, 1]", "template length after the pulse; 0 = up to the next pulse of the train"},
      {"template_max_s", "s", "0.05", "(0, 1]", "cap on the template length"},
      {"subtract_mwave", "", "true", "true|false",
       "the template (which holds the median M-wave) is subtracted over its whole length; false: only before "
       "mwave_guard_s"},
      {"mwave_guard_s", "s", "0.002", "[0, 0.05]", "earliest M-wave onset after the pulse (kept when subtract_mwave=false)"},
      {"template_end_z", "", "4", "[0, 100]",
       "the template is subtracted up to its last sample above this many of its noise SDs, then while above 1 SD; "
       "0 = over the whole window"},
      {"scale_template", "", "false", "true|false", "scale each template by its least-squares gain over the artefact span"},
      {"residual_fill", "", "blank_linear", "blank_linear|blank_cubic|blank_zero",
       "fill of the blanked span after template subtraction"},
  };
  return table;
}

std::vector<SampleInterval> suppression_intervals(std::int64_t n_samples, double fs_hz,
                                                  const std::vector<std::int64_t>& pulses, const SuppressParams& params) {
  params.validate(fs_hz);
  if (n_samples < 1) fail_param(kSuppress, "n_samples", std::to_string(n_samples), "must be >= 1");
  check_pulses(kSuppress, pulses, n_samples);
  return spans(static_cast<Eigen::Index>(n_samples), pulses, layout(params, fs_hz));
}

std::vector<std::uint8_t> suppressed_mask(const std::vector<SampleInterval>& intervals, std::int64_t n_samples) {
  if (n_samples < 0) fail_param("suppressed_mask", "n_samples", std::to_string(n_samples), "must be >= 0");
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n_samples), 0);
  for (const SampleInterval& iv : intervals) {
    const std::int64_t s = std::clamp<std::int64_t>(iv.start_sample, 0, n_samples);
    const std::int64_t e = std::clamp<std::int64_t>(iv.end_sample, 0, n_samples);
    for (std::int64_t i = s; i < e; ++i) mask[static_cast<std::size_t>(i)] = 1;
  }
  return mask;
}

Suppressed suppress_artifacts(MatrixView x, double fs_hz, const std::vector<std::int64_t>& pulses,
                              const SuppressParams& params, const std::vector<long>& train_ids) {
  params.validate(fs_hz);
  detail::check_signal(kSuppress, x);
  const Eigen::Index n = x.cols();
  check_pulses(kSuppress, pulses, n);
  check_train_ids(kSuppress, train_ids, pulses.size());

  Suppressed out{RowMatrixXd(x), {}};
  if (pulses.empty()) return out;
  const Layout l = layout(params, fs_hz);
  out.intervals = spans(n, pulses, l);
  const bool tmpl_mode = params.method == SuppressMethod::template_subtraction;
  const SuppressMethod fill = tmpl_mode ? params.residual_fill : params.method;
  Segments sg;
  TemplateBuffers wb;
  if (tmpl_mode) {
    sg = segments(n, pulses, train_ids, out.intervals, l);
    const auto cap = static_cast<std::size_t>(std::min<Eigen::Index>(l.max_len, n) + l.pre + 1);
    wb.tmpl.reserve(cap);
    wb.spread.reserve(cap);
  }
  for (Eigen::Index c = 0; c < x.rows(); ++c) {
    double* y = out.data.row(c).data();
    if (tmpl_mode) subtract_templates(x.row(c).data(), y, pulses, sg, params, l, wb);
    fill_spans(y, n, out.intervals, fill);
  }
  return out;
}

}  // namespace emg::stim
