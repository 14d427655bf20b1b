// cramplab._core.onsets: the onset/offset detectors and their evaluation (emg/detect/onsets.hpp).
// Parameters arrive as {"section.field": "text"} maps set through emg::detect::onset_fields (one
// name, the C++ defaults, the CLI's parse rules and messages); results leave as the library's
// emg::Table columns ({name: numpy array}), so the DataFrames of cramplab/onsets.py have the
// columns of `cramplab onsets`' TSV files.
#include "common.hpp"

#include <emg/detect/onsets.hpp>
#include <emg/errors.hpp>
#include <emg/table.hpp>

#include <map>
#include <string>
#include <vector>

namespace cramplab {

namespace stimbind {  // defined in bind_stim.cpp
py::dict table_dict(const emg::Table& t);
std::vector<std::int64_t> as_int64_vector(const py::handle& x, const char* function, const char* name);
}  // namespace stimbind

namespace {

namespace det = emg::detect;
using Params = std::map<std::string, std::string>;

det::OnsetParams onset_params(const Params& params, const char* function) {
  det::OnsetParams p;
  const std::vector<emg::FieldRef> fields = det::onset_fields(p);
  for (const auto& [key, value] : params) emg::set_field(emg::find_field(fields, key, function, "onset"), value);
  return p;
}

py::list parameter_rows() {
  det::OnsetParams p;
  py::list rows;
  for (const emg::FieldRef& f : det::onset_fields(p)) {
    const emg::ParamInfo* i = f.info;
    rows.append(py::make_tuple(f.key, emg::field_text(f), i ? i->unit : "", i ? i->default_value : "", i ? i->range : "",
                               i ? i->help : ""));
  }
  return rows;
}

std::vector<det::OnsetEvent> events_from(const py::handle& on, const py::handle& off, const char* function) {
  const std::vector<std::int64_t> a = stimbind::as_int64_vector(on, function, "onset_sample");
  const std::vector<std::int64_t> b = stimbind::as_int64_vector(off, function, "offset_sample");
  if (a.size() != b.size()) {
    throw emg::InvalidArgument(std::string(function) + ": " + std::to_string(a.size()) + " onsets but " +
                               std::to_string(b.size()) + " offsets");
  }
  std::vector<det::OnsetEvent> out(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) out[k].onset_sample = a[k], out[k].offset_sample = b[k];
  return out;
}

}  // namespace

void bind_onsets(py::module_& m) {
  m.def("parameters", &parameter_rows, "Rows (key, value, unit, default, range, help) of every onset-detector field.");
  m.def("method_names", [] { return det::onset_method_names(); }, "The detector names.");
  m.def(
      "detect_onsets",
      [](const py::handle& x, double fs_hz, const Params& params, const std::vector<std::string>& names) {
        const SignalIn s = as_signal(x, "detect_onsets");
        const det::OnsetParams p = onset_params(params, "detect_onsets");
        const auto n_ch = static_cast<long>(s.map.rows());
        if (!names.empty() && static_cast<long>(names.size()) != n_ch) {
          throw emg::InvalidArgument("detect_onsets: " + std::to_string(names.size()) + " channel names for " +
                                     std::to_string(n_ch) + " channels");
        }
        std::vector<det::Onsets> results;
        {
          py::gil_scoped_release nogil;
          results = det::detect_onsets(emg::MatrixView(s.map), fs_hz, p);  // in parallel over channels, no copies
          for (long c = 0; c < n_ch; ++c) {
            results[static_cast<std::size_t>(c)].channel_name = names.empty() ? "ch" + std::to_string(c) : names[static_cast<std::size_t>(c)];
          }
        }
        // The test functions leave without a copy: each array owns its channel's vector.
        py::list tf;
        for (auto& r : results) {
          auto* v = new std::vector<double>(std::move(r.test_function));
          py::capsule owner(v, [](void* q) { delete static_cast<std::vector<double>*>(q); });
          tf.append(py::array_t<double>(static_cast<py::ssize_t>(v->size()), v->data(), owner));
        }
        py::dict out;
        out["events"] = stimbind::table_dict(det::onsets_table(results));
        out["channels"] = stimbind::table_dict(det::onset_channels_table(results));
        out["test_function"] = tf;
        out["one_d"] = s.one_d;
        return out;
      },
      py::arg("x"), py::arg("fs_hz"), py::arg("params"), py::arg("channel_names"),
      "Detect onsets per channel, in parallel: {events, channels (tables as {column: array}), test_function (one array per channel)}.");
  m.def(
      "evaluate_onsets",
      [](const py::handle& det_on, const py::handle& det_off, const py::handle& true_on, const py::handle& true_off,
         double fs_hz, const Params& params, std::int64_t n_samples) {
        const std::vector<det::OnsetEvent> d = events_from(det_on, det_off, "evaluate_onsets");
        std::vector<det::TrueEvent> t;
        for (const auto& e : events_from(true_on, true_off, "evaluate_onsets")) t.push_back({e.onset_sample, e.offset_sample});
        det::OnsetEvaluateParams p;
        std::vector<emg::FieldRef> fields;
        emg::FieldBuilder(fields).section("evaluate", &det::OnsetEvaluateParams::describe())("tolerance_s", &p.tolerance_s);
        for (const auto& [key, value] : params) emg::set_field(emg::find_field(fields, key, "evaluate_onsets", "evaluate"), value);
        const det::OnsetEvaluation e = det::evaluate_onsets(d, t, fs_hz, p, n_samples);
        py::dict out;
        out["summary"] = stimbind::table_dict(det::evaluation_table({""}, {e}, "label"));
        out["pairs"] = stimbind::table_dict(det::evaluation_pairs_table(e));
        return out;
      },
      py::arg("detected_onset"), py::arg("detected_offset"), py::arg("true_onset"), py::arg("true_offset"), py::arg("fs_hz"),
      py::arg("params"), py::arg("n_samples"), "Match detected events against true ones (samples): {summary, pairs}.");
}

}  // namespace cramplab
