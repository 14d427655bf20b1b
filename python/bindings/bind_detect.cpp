// cramplab._core.detect: the cramp decision per train, the cramp threshold frequency and the
// session analysis (emg/detect/{cramp,ctf,session}.hpp). Parameters arrive as {"section.field":
// "text"} maps set through emg::detect::session_analysis_fields (one name, C++ defaults, the CLI's
// parse rules and messages); results leave as the library's emg::Table columns ({name: numpy
// array}), so the DataFrames of cramplab/cramp.py have the TSV / JSON / store columns.
#include "common.hpp"

#include <emg/detect/session.hpp>
#include <emg/errors.hpp>
#include <emg/table.hpp>

#include <map>
#include <string>
#include <vector>

namespace cramplab {

// ---- shared with bind_stim.cpp (defined there) ----
namespace stimbind {
using Params = std::map<std::string, std::string>;
py::array object_array(const py::list& items);
py::array int64_array(const std::vector<std::int64_t>& v);
py::dict table_dict(const emg::Table& t);
void apply_params(emg::detect::SessionAnalysisParams& p, const Params& params, const std::string& function,
                  const std::vector<std::string>& sections);
py::list parameter_rows(emg::detect::SessionAnalysisParams& p);
py::dict trains_dict(const emg::detect::StimAnalysis& a);
py::array intervals_array(const std::vector<emg::stim::SampleInterval>& iv);
std::vector<std::int64_t> as_int64_vector(const py::handle& x, const char* function, const char* name);
std::vector<emg::stim::PulseTrain> trains_from(const py::iterable& trains, const char* function);
}  // namespace stimbind

namespace {

using namespace stimbind;
namespace det = emg::detect;
namespace st = emg::stim;

std::vector<std::int64_t> ids_of(const std::vector<long>& v) { return std::vector<std::int64_t>(v.begin(), v.end()); }

/// ctf_table with uncounted_train_ids as an int64 array (instead of "a;b" text).
py::dict ctf_dict(const det::SessionAnalysis& s) {
  py::dict d = table_dict(det::ctf_table(s));
  py::list ids;
  ids.append(int64_array(ids_of(s.ctf.uncounted_train_ids)));
  d["uncounted_train_ids"] = object_array(ids);
  return d;
}

py::dict stim_dict(const det::StimAnalysis& a, const emg::Recording& rec, const det::SessionAnalysisParams& p) {
  py::dict out;
  out["pulses"] = table_dict(det::pulses_table(a));
  out["trains"] = trains_dict(a);
  out["mwaves"] = table_dict(det::mwaves_table(a));
  out["mwave_trends"] = table_dict(det::mwave_trends_table(a));
  out["intervals"] = intervals_array(a.intervals);
  // the spans the cramp decision leaves out of its envelope (cramp_suppress.*)
  out["cramp_intervals"] = intervals_array(st::suppression_intervals(rec.n_samples(), a.fs_hz, a.pulses, p.cramp.suppression));
  out["channel"] = a.channel;
  out["channel_name"] = a.channel_name;
  out["fs_hz"] = a.fs_hz;
  out["source"] = a.search.source;
  out["search_channel"] = a.search.channel;
  out["raw_pulses"] = int64_array(a.search.pulses);
  det::SessionAnalysisParams used = p;
  out["parameters"] = parameter_rows(used);
  return out;
}

det::SessionAnalysisParams session_params(const Params& params, const char* function) {
  det::SessionAnalysisParams p;
  apply_params(p, params, function, {});
  return p;
}

/// The column names of each result table (from an empty analysis).
std::vector<std::string> table_columns(const std::string& name) {
  det::SessionAnalysis s;
  emg::Table t;
  if (name == "pulses") t = det::pulses_table(s.stim);
  else if (name == "trains") t = det::trains_table(s.stim);
  else if (name == "mwaves") t = det::mwaves_table(s.stim);
  else if (name == "mwave_trends") t = det::mwave_trends_table(s.stim);
  else if (name == "cramps") t = det::cramps_table(s);
  else if (name == "ctf") t = det::ctf_table(s);
  else throw py::value_error("table_columns: name='" + name + "' must be pulses, trains, mwaves, mwave_trends, cramps or ctf");
  std::vector<std::string> out;
  for (const emg::Column& c : t.columns) out.push_back(c.name);
  return out;
}

}  // namespace

void bind_detect(py::module_& m) {
  m.def(
      "detect_cramps",
      [](const py::handle& x, double fs_hz, long channel, const py::iterable& trains, const Params& params,
         const std::string& channel_name) {
        SignalIn s = as_signal(x, "detect_cramps");
        const std::vector<st::PulseTrain> tv = trains_from(trains, "detect_cramps");
        det::SessionAnalysisParams p;
        apply_params(p, params, "detect_cramps", {"cramp", "cramp_suppress"});
        det::SessionAnalysis a;
        a.stim.channel = channel;
        a.stim.channel_name = channel_name;
        a.stim.fs_hz = fs_hz;
        {
          py::gil_scoped_release nogil;
          a.cramps = det::detect_cramps(s.view(), fs_hz, channel, tv, p.cramp);
        }
        return table_dict(det::cramps_table(a));
      },
      py::arg("x"), py::arg("fs_hz"), py::arg("channel"), py::arg("trains"), py::arg("params"), py::arg("channel_name"),
      "Cramp decision per train as {column: array} (cramps_table columns); params: cramp.* and cramp_suppress.*.");
  m.def(
      "cramp_threshold_frequency",
      [](const py::dict& cols, const Params& params, const std::string& source, const std::string& channel_name) {
        const char* fn = "cramp_threshold_frequency";
        for (const char* k : {"train_id", "frequency_hz", "decided", "cramp", "status"}) {
          if (!cols.contains(k)) {
            throw py::value_error(std::string(fn) + ": cramps must have the column '" + k +
                                  "' (the detect_cramps table: train_id, frequency_hz, decided, cramp, status)");
          }
        }
        const std::vector<std::int64_t> ids = as_int64_vector(cols["train_id"], fn, "train_id");
        const auto freq = cols["frequency_hz"].cast<std::vector<double>>();
        const auto decided = cols["decided"].cast<std::vector<bool>>();
        const auto cramp = cols["cramp"].cast<std::vector<bool>>();
        const auto status = cols["status"].cast<std::vector<std::string>>();
        const std::size_t n = ids.size();
        if (freq.size() != n || decided.size() != n || cramp.size() != n || status.size() != n) {
          throw py::value_error(std::string(fn) + ": the cramps columns must have the same length");
        }
        std::vector<det::CrampResult> rs(n);
        for (std::size_t i = 0; i < n; ++i) {
          rs[i].train_id = static_cast<long>(ids[i]);
          rs[i].frequency_hz = freq[i];
          rs[i].decided = decided[i];
          rs[i].cramp = cramp[i];
          rs[i].status = status[i];
        }
        det::SessionAnalysisParams p;
        apply_params(p, params, fn, {"ctf"});
        det::SessionAnalysis a;
        a.stim.search.source = source;
        a.stim.channel_name = channel_name;
        a.ctf = det::cramp_threshold_frequency(rs, p.ctf);
        return ctf_dict(a);
      },
      py::arg("cramps"), py::arg("params"), py::arg("source") = "", py::arg("channel_name") = "",
      "The CTF as a one-row {column: array} (ctf_table columns) from the train_id, frequency_hz, decided, "
      "cramp, status columns of a cramps table; params: ctf.*.");
  m.def(
      "analyse_stimulation",
      [](const emg::Recording& rec, const Params& params) {
        const det::SessionAnalysisParams p = session_params(params, "analyse_stimulation");
        det::StimAnalysis a;
        {
          py::gil_scoped_release nogil;
          a = det::analyse_stimulation(rec, p);
        }
        return stim_dict(a, rec, p);
      },
      py::arg("recording"), py::arg("params"),
      "Stimulation part of the session analysis: {table name: {column: array}} plus intervals and the parameters used.");
  m.def(
      "analyse_session",
      [](const emg::Recording& rec, const Params& params) {
        const det::SessionAnalysisParams p = session_params(params, "analyse_session");
        det::SessionAnalysis a;
        {
          py::gil_scoped_release nogil;
          a = det::analyse_session(rec, p);
        }
        py::dict out = stim_dict(a.stim, rec, p);
        out["cramps"] = table_dict(det::cramps_table(a));
        out["ctf"] = ctf_dict(a);
        return out;
      },
      py::arg("recording"), py::arg("params"),
      "The whole session analysis: the stimulation tables plus cramps and ctf.");
  m.def(
      "parameters",
      [] {
        det::SessionAnalysisParams p;
        return parameter_rows(p);
      },
      "Every session analysis parameter: (key, value, unit, default, range, help) rows with the C++ defaults.");
  m.def("table_columns", &table_columns, py::arg("name"),
        "Column names of a result table: pulses, trains, mwaves, mwave_trends, cramps or ctf.");
}

}  // namespace cramplab
