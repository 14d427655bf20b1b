// cramplab._core.stim: stimulation pulses and trains, artefact suppression, M-waves (emg/stim/*.hpp).
// Parameters arrive as {"section.field": "text"} maps and are set through the session analysis
// field table (emg::detect::session_analysis_fields), so the names, the defaults (C++ in-class
// initialisers), the parse rules and the error messages are the CLI's. Result tables are built by
// the library's emg::Table functions (trains_table, mwaves_table, mwave_trends_table) and converted
// generically to {column: numpy array}; cramplab/cramp.py turns them into DataFrames.
//
// The helpers in namespace cramplab::stimbind are shared with bind_detect.cpp (declared there).
#include "common.hpp"

#include <emg/detect/session.hpp>
#include <emg/errors.hpp>
#include <emg/table.hpp>

#include <map>
#include <string>
#include <vector>

namespace cramplab {
namespace stimbind {

namespace det = emg::detect;
namespace st = emg::stim;
using Params = std::map<std::string, std::string>;

namespace {

py::object numpy() { return py::module_::import("numpy"); }

template <class T>
py::array vector_array(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

}  // namespace

/// A 1-D object array holding `items` (np.array would turn equal-length arrays into a 2-D array).
py::array object_array(const py::list& items) {
  py::array out = numpy().attr("empty")(items.size(), py::arg("dtype") = "object");
  for (std::size_t i = 0; i < items.size(); ++i) out[py::int_(i)] = items[i];
  return out;
}

py::array int64_array(const std::vector<std::int64_t>& v) { return vector_array(v); }

/// emg::Table -> {name: numpy array}: double -> float64, int64 -> int64, bool -> bool, text -> object.
py::dict table_dict(const emg::Table& t) {
  py::dict out;
  for (const emg::Column& c : t.columns) {
    if (const auto* d = std::get_if<std::vector<double>>(&c.values)) {
      out[py::str(c.name)] = vector_array(*d);
    } else if (const auto* i = std::get_if<std::vector<std::int64_t>>(&c.values)) {
      out[py::str(c.name)] = vector_array(*i);
    } else if (const auto* b = std::get_if<std::vector<std::uint8_t>>(&c.values)) {
      py::array_t<bool> a(static_cast<py::ssize_t>(b->size()));
      auto* dst = a.mutable_data();
      for (std::size_t k = 0; k < b->size(); ++k) dst[k] = (*b)[k] != 0;
      out[py::str(c.name)] = a;
    } else {
      py::list l;
      for (const std::string& s : std::get<std::vector<std::string>>(c.values)) l.append(py::str(s));
      out[py::str(c.name)] = object_array(l);
    }
  }
  return out;
}

/// Set every key of `params` in p's field table; `sections` (non-empty) restricts the keys to
/// those sections ("pulses", ...). Unknown keys raise ValueError with find_field's message.
void apply_params(det::SessionAnalysisParams& p, const Params& params, const std::string& function,
                  const std::vector<std::string>& sections) {
  const std::vector<emg::FieldRef> all = det::session_analysis_fields(p);
  std::vector<emg::FieldRef> fields;
  for (const emg::FieldRef& f : all) {
    const std::string section = f.key.substr(0, f.key.find('.'));
    bool keep = sections.empty();
    for (const std::string& s : sections) keep = keep || s == section;
    if (keep) fields.push_back(f);
  }
  for (const auto& [key, value] : params) {
    emg::set_field(emg::find_field(fields, key, function, sections.empty() ? "session analysis" : sections.front()),
                   value);
  }
}

/// Rows (key, value, unit, default, range, help) of the whole field table of `p`.
py::list parameter_rows(det::SessionAnalysisParams& p) {
  py::list rows;
  for (const emg::FieldRef& f : det::session_analysis_fields(p)) {
    const emg::ParamInfo* i = f.info;
    rows.append(py::make_tuple(f.key, emg::field_text(f), i ? i->unit : "", i ? i->default_value : "",
                               i ? i->range : "", i ? i->help : ""));
  }
  return rows;
}

/// trains_table columns plus the per-train sample arrays the flat table cannot carry:
/// missing_samples / extra_samples as int64 arrays (instead of "a;b" text) and `pulses`.
py::dict trains_dict(const det::StimAnalysis& a) {
  py::dict out = table_dict(det::trains_table(a));
  py::list pulses, missing, extra;
  for (const st::PulseTrain& t : a.search.trains) {
    pulses.append(int64_array(t.pulses));
    missing.append(int64_array(t.missing_samples));
    extra.append(int64_array(t.extra_samples));
  }
  out["missing_samples"] = object_array(missing);
  out["extra_samples"] = object_array(extra);
  out["pulses"] = object_array(pulses);
  return out;
}

/// (k, 2) int64 array of [start_sample, end_sample) rows.
py::array intervals_array(const std::vector<st::SampleInterval>& iv) {
  py::array_t<std::int64_t> out({static_cast<py::ssize_t>(iv.size()), py::ssize_t{2}});
  auto r = out.mutable_unchecked<2>();
  for (std::size_t k = 0; k < iv.size(); ++k) {
    r(static_cast<py::ssize_t>(k), 0) = iv[k].start_sample;
    r(static_cast<py::ssize_t>(k), 1) = iv[k].end_sample;
  }
  return out;
}

/// A 1-D integer array argument (pulse samples, train ids); floats must be whole numbers.
std::vector<std::int64_t> as_int64_vector(const py::handle& x, const char* function, const char* name) {
  py::array arr = py::array::ensure(x);
  if (!arr) throw py::value_error(std::string(function) + ": " + name + " must be a 1-D array of integers");
  if (arr.ndim() == 0) throw py::value_error(std::string(function) + ": " + name + " must be a 1-D array of integers");
  if (arr.size() == 0) return {};
  if (arr.ndim() != 1) {
    throw py::value_error(std::string(function) + ": " + name + " must be 1-D; got " + std::to_string(arr.ndim()) + "-D");
  }
  const char kind = arr.dtype().kind();
  if (kind == 'f') {
    auto f = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
    std::vector<std::int64_t> v(static_cast<std::size_t>(f.size()));
    for (py::ssize_t i = 0; i < f.size(); ++i) {
      const double d = f.at(i);
      if (!std::isfinite(d) || d != std::floor(d)) {
        throw py::value_error(std::string(function) + ": " + name + "[" + std::to_string(i) + "]=" +
                              py::str(py::float_(d)).cast<std::string>() + " must be a whole number (a sample index)");
      }
      v[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(d);
    }
    return v;
  }
  if (kind != 'i' && kind != 'u') {
    throw py::value_error(std::string(function) + ": " + name + " must be an array of integers (got dtype " +
                          std::string(py::str(arr.dtype())) + ")");
  }
  auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
  return std::vector<std::int64_t>(a.data(), a.data() + a.size());
}

std::vector<long> as_train_ids(const py::object& x, std::size_t n_pulses, const char* function) {
  if (x.is_none()) return {};
  const std::vector<std::int64_t> v = as_int64_vector(x, function, "train_ids");
  if (v.size() != n_pulses) {
    throw py::value_error(std::string(function) + ": train_ids has " + std::to_string(v.size()) +
                          " entries; must have one per pulse (" + std::to_string(n_pulses) + ")");
  }
  return std::vector<long>(v.begin(), v.end());
}

/// A train from a mapping with PulseTrain field names (missing keys keep the C++ defaults; keys
/// that are not PulseTrain fields, such as start_s or source, are ignored).
st::PulseTrain train_from_mapping(const py::handle& m, std::size_t k, const char* function) {
  st::PulseTrain t;
  const py::object get = m.attr("get");
  const auto has = [&](const char* key) {
    py::object v = get(key);
    return !v.is_none();
  };
  const std::string where = std::string("trains[") + std::to_string(k) + "]";
  try {
    if (has("train_id")) t.train_id = py::int_(get("train_id")).cast<long>();
    else t.train_id = static_cast<long>(k) + 1;
    if (has("start_sample")) t.start_sample = py::int_(get("start_sample")).cast<std::int64_t>();
    if (has("end_sample")) t.end_sample = py::int_(get("end_sample")).cast<std::int64_t>();
    if (has("frequency_hz")) t.frequency_hz = py::float_(get("frequency_hz")).cast<double>();
    if (has("nominal_frequency_hz")) t.nominal_frequency_hz = py::float_(get("nominal_frequency_hz")).cast<double>();
    if (has("nominal_train_id")) t.nominal_train_id = py::int_(get("nominal_train_id")).cast<long>();
    if (has("status")) t.status = py::str(get("status")).cast<std::string>();
    if (has("n_missing")) t.n_missing = py::int_(get("n_missing")).cast<long>();
    if (has("n_extra")) t.n_extra = py::int_(get("n_extra")).cast<long>();
    if (has("n_irregular")) t.n_irregular = py::int_(get("n_irregular")).cast<long>();
    if (has("cut_at_start")) t.cut_at_start = py::bool_(get("cut_at_start")).cast<bool>();
    if (has("cut_at_end")) t.cut_at_end = py::bool_(get("cut_at_end")).cast<bool>();
  } catch (const py::error_already_set& e) {
    throw py::value_error(std::string(function) + ": " + where + " has a field of the wrong type (" + e.what() + ")");
  }
  const std::string pname = where + ".pulses";
  if (has("pulses")) t.pulses = as_int64_vector(get("pulses"), function, pname.c_str());
  if (!has("start_sample") && !t.pulses.empty()) t.start_sample = t.pulses.front();
  if (!has("end_sample") && !t.pulses.empty()) t.end_sample = t.pulses.back();
  t.n_pulses = has("n_pulses") ? py::int_(get("n_pulses")).cast<long>() : static_cast<long>(t.pulses.size());
  return t;
}

std::vector<st::PulseTrain> trains_from(const py::iterable& trains, const char* function) {
  std::vector<st::PulseTrain> out;
  std::size_t k = 0;
  for (const py::handle& m : trains) {
    if (!py::hasattr(m, "get")) {
      throw py::value_error(std::string(function) + ": trains[" + std::to_string(k) +
                            "] must be a mapping with PulseTrain fields (train_id, start_sample, end_sample, pulses, ...)");
    }
    out.push_back(train_from_mapping(m, k, function));
    ++k;
  }
  return out;
}

}  // namespace stimbind

namespace {

using namespace stimbind;

/// One channel of a signal argument: 1-D, or 2-D with a single row.
SignalIn one_channel(const py::handle& x, const char* function) {
  SignalIn s = as_signal(x, function);
  if (s.view().rows() != 1) {
    throw py::value_error(std::string(function) + ": x must be one channel (n_samples,); got " +
                          std::to_string(s.view().rows()) + " channels");
  }
  return s;
}

}  // namespace

void bind_stim(py::module_& m) {
  m.def(
      "detect_pulses",
      [](const py::handle& x, double fs_hz, const std::optional<std::string>& source, const Params& params) {
        SignalIn s = one_channel(x, "detect_pulses");
        det::SessionAnalysisParams p;
        apply_params(p, params, "detect_pulses", {"pulses"});
        st::PulseDetectParams d = p.find.detect;
        if (source) d.source = st::parse_pulse_source(*source);
        std::vector<std::int64_t> pulses;
        {
          py::gil_scoped_release nogil;
          pulses = st::detect_pulses(s.view().row(0).transpose(), fs_hz, d);
        }
        return int64_array(pulses);
      },
      py::arg("x"), py::arg("fs_hz"), py::arg("source"), py::arg("params"),
      "Pulse samples (int64) of one channel; params maps 'pulses.<field>' to text.");
  m.def(
      "group_trains",
      [](const py::handle& pulses, double fs_hz, long n_samples, const Params& params,
         const std::optional<std::vector<double>>& ladder) {
        const std::vector<std::int64_t> pv = as_int64_vector(pulses, "group_trains", "pulses");
        det::SessionAnalysisParams p;
        apply_params(p, params, "group_trains", {"trains"});
        det::StimAnalysis a;
        a.fs_hz = fs_hz;
        {
          py::gil_scoped_release nogil;
          a.search.trains = ladder ? st::group_trains(pv, fs_hz, n_samples, p.find.group, *ladder)
                                   : st::group_trains(pv, fs_hz, n_samples, p.find.group);
        }
        a.search.pulses = pv;
        return trains_dict(a);
      },
      py::arg("pulses"), py::arg("fs_hz"), py::arg("n_samples"), py::arg("params"), py::arg("nominal_ladder_hz"),
      "Trains as {column: array} (trains_table columns, sample lists as int64 arrays, plus pulses).");
  m.def(
      "suppress_artifacts",
      [](const py::handle& x, double fs_hz, const py::handle& pulses, const Params& params, const py::object& train_ids) {
        SignalIn s = as_signal(x, "suppress_artifacts");
        const std::vector<std::int64_t> pv = as_int64_vector(pulses, "suppress_artifacts", "pulses");
        const std::vector<long> ids = as_train_ids(train_ids, pv.size(), "suppress_artifacts");
        det::SessionAnalysisParams p;
        apply_params(p, params, "suppress_artifacts", {"suppress"});
        st::Suppressed r;
        {
          py::gil_scoped_release nogil;
          r = st::suppress_artifacts(s.view(), fs_hz, pv, p.suppress, ids);
        }
        py::array iv = intervals_array(r.intervals);
        return py::make_tuple(signal_out(std::move(r.data), s.one_d), iv);
      },
      py::arg("x"), py::arg("fs_hz"), py::arg("pulses"), py::arg("params"), py::arg("train_ids"),
      "(suppressed signal, intervals (k, 2) int64); params maps 'suppress.<field>' to text.");
  m.def(
      "suppression_intervals",
      [](std::int64_t n_samples, double fs_hz, const py::handle& pulses, const Params& params, const std::string& section) {
        const std::vector<std::int64_t> pv = as_int64_vector(pulses, "suppression_intervals", "pulses");
        det::SessionAnalysisParams p;
        apply_params(p, params, "suppression_intervals", {section});
        const st::SuppressParams& sp = section == "cramp_suppress" ? p.cramp.suppression : p.suppress;
        return intervals_array(st::suppression_intervals(n_samples, fs_hz, pv, sp));
      },
      py::arg("n_samples"), py::arg("fs_hz"), py::arg("pulses"), py::arg("params"), py::arg("section") = "suppress",
      "The spans suppress_artifacts replaces, (k, 2) int64; section 'suppress' or 'cramp_suppress'.");
  m.def(
      "measure_mwaves",
      [](const py::handle& x, double fs_hz, const py::handle& pulses, const Params& params, const py::object& train_ids) {
        SignalIn s = as_signal(x, "measure_mwaves");
        const std::vector<std::int64_t> pv = as_int64_vector(pulses, "measure_mwaves", "pulses");
        const std::vector<long> ids = as_train_ids(train_ids, pv.size(), "measure_mwaves");
        det::SessionAnalysisParams p;
        apply_params(p, params, "measure_mwaves", {"mwave"});
        det::StimAnalysis a;
        a.fs_hz = fs_hz;
        {
          py::gil_scoped_release nogil;
          a.mwaves = st::measure_mwaves(s.view(), fs_hz, pv, p.mwave, ids);
        }
        py::dict out = table_dict(det::mwaves_table(a));
        // the kernel is multichannel: the channel column holds the channel index
        std::vector<std::int64_t> ch;
        for (const st::Mwave& w : a.mwaves) ch.push_back(w.channel);
        out["channel"] = int64_array(ch);
        return out;
      },
      py::arg("x"), py::arg("fs_hz"), py::arg("pulses"), py::arg("params"), py::arg("train_ids"),
      "M-waves as {column: array} (mwaves_table columns; channel = channel index).");
  m.def(
      "mwave_trends",
      [](const py::dict& cols) {
        const auto get_i = [&](const char* k) { return as_int64_vector(cols[k], "mwave_trends", k); };
        const auto get_d = [&](const char* k) { return cols[k].cast<std::vector<double>>(); };
        const std::vector<std::int64_t> channel = get_i("channel"), train = get_i("train_id"),
                                        index = get_i("pulse_in_train"), sample = get_i("pulse_sample");
        const std::vector<double> lat = get_d("latency_s"), plat = get_d("peak_latency_s"), p2p = get_d("peak_to_peak"),
                                  area = get_d("area"), dur = get_d("duration_s");
        const auto found_arr = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(
            numpy().attr("asarray")(cols["found"], py::arg("dtype") = "bool"));
        const std::vector<bool> found(found_arr.data(), found_arr.data() + found_arr.size());
        const std::size_t n = channel.size();
        for (const std::size_t len : {train.size(), index.size(), sample.size(), lat.size(), plat.size(), p2p.size(),
                                      area.size(), dur.size(), found.size()}) {
          if (len != n) throw py::value_error("mwave_trends: the columns must have the same length");
        }
        std::map<std::int64_t, std::vector<st::Mwave>> by_channel;
        for (std::size_t i = 0; i < n; ++i) {
          st::Mwave w;
          w.channel = static_cast<long>(channel[i]);
          w.train_id = static_cast<long>(train[i]);
          w.pulse_index = static_cast<long>(index[i]);
          w.pulse_sample = sample[i];
          w.found = found[i];
          w.latency_s = lat[i];
          w.peak_latency_s = plat[i];
          w.peak_to_peak = p2p[i];
          w.area = area[i];
          w.duration_s = dur[i];
          by_channel[channel[i]].push_back(w);
        }
        // one table per channel (the across-train rows are per channel), concatenated in channel order
        py::list parts;
        for (auto& [c, ws] : by_channel) {
          det::StimAnalysis a;
          a.channel = static_cast<long>(c);
          a.mwave_trends = st::mwave_trends(ws);
          py::dict d = table_dict(det::mwave_trends_table(a));
          const auto rows = static_cast<std::size_t>(py::len(d["train_id"]));
          d["channel"] = int64_array(std::vector<std::int64_t>(rows, c));
          parts.append(d);
        }
        if (parts.empty()) {
          det::StimAnalysis a;
          py::dict d = table_dict(det::mwave_trends_table(a));
          d["channel"] = int64_array({});
          return d;
        }
        if (parts.size() == 1) return parts[0].cast<py::dict>();
        py::dict out;
        for (const auto& kv : parts[0].cast<py::dict>()) {
          py::list pieces;
          for (const py::handle& d : parts) pieces.append(d.cast<py::dict>()[kv.first]);
          out[kv.first] = numpy().attr("concatenate")(pieces);
        }
        return out;
      },
      py::arg("columns"), "M-wave trends as {column: array} from measure_mwaves' columns (mwave_trends_table columns).");
}

}  // namespace cramplab
