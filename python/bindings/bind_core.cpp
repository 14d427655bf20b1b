// emg::Recording and its metadata, plus the recording operations of emg/processing.hpp.
#include "common.hpp"

#include <emg/processing.hpp>
#include <emg/recording.hpp>
#include <emg/truth.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <type_traits>

namespace cramplab {

namespace {


emg::Recording make_recording(const py::handle& data, double fs_hz, const std::optional<std::vector<std::string>>& names,
                              const std::optional<std::vector<std::string>>& units, double start_time_s,
                              const std::optional<std::map<std::string, std::string>>& attributes) {
  SignalIn x = as_signal(data, "Recording", "data");
  const long n_ch = static_cast<long>(x.map.rows());
  std::vector<emg::ChannelInfo> channels(static_cast<std::size_t>(n_ch));
  for (long i = 0; i < n_ch; ++i) channels[static_cast<std::size_t>(i)].name = "ch" + std::to_string(i);
  if (names) {
    if (static_cast<long>(names->size()) != n_ch) {
      throw py::value_error("Recording: channel_names has " + std::to_string(names->size()) +
                            " entries but data has " + std::to_string(n_ch) + " channels");
    }
    for (long i = 0; i < n_ch; ++i) channels[static_cast<std::size_t>(i)].name = (*names)[static_cast<std::size_t>(i)];
  }
  if (units) {
    if (units->size() == 1) {
      for (auto& ch : channels) ch.units = (*units)[0];
    } else if (static_cast<long>(units->size()) == n_ch) {
      for (long i = 0; i < n_ch; ++i) channels[static_cast<std::size_t>(i)].units = (*units)[static_cast<std::size_t>(i)];
    } else {
      throw py::value_error("Recording: units has " + std::to_string(units->size()) +
                            " entries; give one for all channels or one per channel (" + std::to_string(n_ch) + ")");
    }
  }
  RowMatrixXd owned = x.map;
  emg::Recording rec(std::move(owned), fs_hz, std::move(channels), start_time_s);
  if (attributes) {
    for (const auto& [k, v] : *attributes) rec.set_attribute(k, v);
  }
  return rec;
}

long resolve_channel(const emg::Recording& r, const py::handle& which) {
  if (py::isinstance<py::str>(which)) return r.channel_index(which.cast<std::string>());
  return which.cast<long>();
}

// Keyword-based channel metadata edit: only the fields given change. A float field given as
// None is left alone; to clear conversion/digital limits pass float("nan").
void edit_channel(emg::Recording& r, const py::handle& which, const py::kwargs& kw) {
  const long index = resolve_channel(r, which);
  if (index < 0 || index >= r.n_channels()) {
    throw py::value_error("Recording.set_channel_info: channel=" + std::to_string(index) + " must be in [0, " +
                          std::to_string(r.n_channels()) + ")");
  }
  emg::ChannelInfo info = r.channels()[static_cast<std::size_t>(index)];
  static const char* const kText[] = {"name", "type", "units", "target_muscle", "placement", "reference"};
  static const char* const kNum[] = {"conversion", "offset", "digital_min", "digital_max"};
  std::string* text_fields[] = {&info.name, &info.type, &info.units, &info.target_muscle, &info.placement, &info.reference};
  double* num_fields[] = {&info.conversion, &info.offset, &info.digital_min, &info.digital_max};
  for (const auto& item : kw) {
    const auto key = item.first.cast<std::string>();
    bool known = false;
    for (std::size_t i = 0; i < 6; ++i) {
      if (key == kText[i]) {
        if (!item.second.is_none()) *text_fields[i] = item.second.cast<std::string>();
        known = true;
      }
    }
    for (std::size_t i = 0; i < 4; ++i) {
      if (key == kNum[i]) {
        if (!item.second.is_none()) *num_fields[i] = item.second.cast<double>();
        known = true;
      }
    }
    if (!known) {
      throw py::type_error("Recording.set_channel_info: unknown field '" + key +
                           "' (editable: name, type, units, target_muscle, placement, reference, conversion, "
                           "offset, digital_min, digital_max; the filter cut-offs follow the data)");
    }
  }
  r.set_channel_info(index, std::move(info));
}

emg::StimTrain train_from(const py::handle& t) {
  if (py::isinstance<emg::StimTrain>(t)) return t.cast<emg::StimTrain>();
  const py::dict d(py::reinterpret_borrow<py::object>(t));
  emg::StimTrain s;
  for (const auto& item : d) {
    const auto key = item.first.cast<std::string>();
    if (key == "train_id") s.train_id = item.second.cast<long>();
    else if (key == "start_sample") s.start_sample = item.second.cast<std::int64_t>();
    else if (key == "end_sample") s.end_sample = item.second.cast<std::int64_t>();
    else if (key == "frequency_hz") s.frequency_hz = item.second.cast<double>();
    else if (key == "pulse_width_us") s.pulse_width_us = item.second.cast<double>();
    else if (key == "intensity") s.intensity = item.second.cast<double>();
    else if (key == "n_pulses") s.n_pulses = item.second.cast<long>();
    else throw py::value_error("Recording.set_stimulation: trains has unknown column '" + key + "'");
  }
  return s;
}


// ---- GroundTruth: tables as dicts of numpy columns (in and out) ----

constexpr const char* kTruthFn = "GroundTruth";

[[noreturn]] void truth_bad(const std::string& what, const std::string& rule) {
  throw py::value_error(std::string(kTruthFn) + ": " + what + " " + rule);
}

std::string dtype_name(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

/// One 1-D numpy column of the kinds in `kinds` ('i' integers, 'f' floats, ...).
py::array column_array(const py::handle& v, const std::string& what, const char* kinds) {
  py::array a = py::module_::import("numpy").attr("asarray")(v);
  if (a.ndim() != 1) truth_bad(what, "must be 1-D, got " + std::to_string(a.ndim()) + "-D");
  if (a.size() > 0 && std::string(kinds).find(a.dtype().kind()) == std::string::npos) {
    truth_bad(what, std::string("must hold ") + (std::string(kinds).find('f') != std::string::npos ? "numbers" : "integers") +
                        " (got dtype " + dtype_name(a) + ")");
  }
  return a;
}

std::vector<std::int64_t> int_column(const py::handle& v, const std::string& what) {
  auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(column_array(v, what, "iub"));
  return std::vector<std::int64_t>(a.data(), a.data() + a.size());
}

std::vector<double> real_column(const py::handle& v, const std::string& what) {
  auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(column_array(v, what, "fiub"));
  return std::vector<double>(a.data(), a.data() + a.size());
}

std::vector<std::int64_t> flag_column(const py::handle& v, const std::string& what) {
  auto out = int_column(v, what);
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] != 0 && out[k] != 1) truth_bad(what + "[" + std::to_string(k) + "]=" + std::to_string(out[k]), "must be a bool (0 or 1)");
  }
  return out;
}

std::vector<std::string> string_column(const py::handle& v, const std::string& what) {
  std::vector<std::string> out;
  if (py::isinstance<py::str>(v)) truth_bad(what, "must be a sequence of str, not one str");
  for (const auto& x : v) {
    if (py::isinstance<py::bytes>(x)) out.push_back(x.cast<std::string>());
    else if (py::isinstance<py::str>(x)) out.push_back(x.cast<std::string>());
    else truth_bad(what, "must hold str (got " + py::str(py::type::of(x)).cast<std::string>() + ")");
  }
  return out;
}

template <class Row, class M>
py::array ints_out(const std::vector<Row>& rows, M Row::*member) {
  py::array_t<std::int64_t> a(static_cast<py::ssize_t>(rows.size()));
  auto* d = a.mutable_data();
  for (std::size_t k = 0; k < rows.size(); ++k) d[k] = static_cast<std::int64_t>(rows[k].*member);
  return a;
}
template <class Row>
py::array reals_out(const std::vector<Row>& rows, double Row::*member) {
  py::array_t<double> a(static_cast<py::ssize_t>(rows.size()));
  auto* d = a.mutable_data();
  for (std::size_t k = 0; k < rows.size(); ++k) d[k] = rows[k].*member;
  return a;
}
template <class Row>
py::array flags_out(const std::vector<Row>& rows, bool Row::*member) {
  py::array_t<bool> a(static_cast<py::ssize_t>(rows.size()));
  auto* d = a.mutable_data();
  for (std::size_t k = 0; k < rows.size(); ++k) d[k] = rows[k].*member;
  return a;
}
template <class Row>
py::array strings_out(const std::vector<Row>& rows, std::string Row::*member) {
  py::list l;
  for (const auto& r : rows) l.append(py::str(r.*member));
  return py::module_::import("numpy").attr("array")(l, py::arg("dtype") = "object");
}

/// A table given as a mapping of columns (dict, DataFrame) or a sequence of row objects.
template <class Row>
class TableIn {
 public:
  TableIn(const py::handle& table, std::string name, std::vector<std::string> columns)
      : name_(std::move(name)), columns_(std::move(columns)) {
    if (table.is_none()) return;
    if (py::isinstance<py::list>(table) || py::isinstance<py::tuple>(table)) {
      for (const auto& r : table) {
        if (!py::isinstance<Row>(r)) {
          truth_bad(name_, "must be a dict of columns or a list of " + row_type() + " (got an item of type " +
                               py::str(py::type::of(r)).cast<std::string>() + ")");
        }
        rows_.push_back(r.cast<Row>());
      }
      return;
    }
    if (!py::hasattr(table, "keys")) truth_bad(name_, "must be a dict of columns (name -> 1-D array) or a list of " + row_type());
    std::string known;
    for (const auto& c : columns_) known += (known.empty() ? "" : ", ") + c;
    bool first = true;
    for (const auto& key : table.attr("keys")()) {
      const std::string k = py::str(key).cast<std::string>();
      if (std::find(columns_.begin(), columns_.end(), k) == columns_.end()) {
        truth_bad(name_ + "['" + k + "']", "is not a column (columns: " + known + ")");
      }
      py::object col = table[key];
      values_[k] = col;
      const auto n = static_cast<std::size_t>(py::len(col));
      if (first) {
        n_ = n;
        first = false;
      } else if (n != n_) {
        truth_bad(name_ + "['" + k + "']", "has " + std::to_string(n) + " rows, the columns before it have " + std::to_string(n_));
      }
    }
    rows_.resize(n_);
    by_columns_ = true;
  }

  template <class M>
  void ints(const char* column, M Row::*member) {
    if (const auto* v = find(column)) {
      const auto c = int_column(*v, what(column));
      for (std::size_t k = 0; k < n_; ++k) rows_[k].*member = static_cast<M>(c[k]);
    }
  }
  void reals(const char* column, double Row::*member) {
    if (const auto* v = find(column)) {
      const auto c = real_column(*v, what(column));
      for (std::size_t k = 0; k < n_; ++k) rows_[k].*member = c[k];
    }
  }
  void flags(const char* column, bool Row::*member) {
    if (const auto* v = find(column)) {
      const auto c = flag_column(*v, what(column));
      for (std::size_t k = 0; k < n_; ++k) rows_[k].*member = c[k] != 0;
    }
  }
  void strings(const char* column, std::string Row::*member) {
    if (const auto* v = find(column)) {
      auto c = string_column(*v, what(column));
      for (std::size_t k = 0; k < n_; ++k) rows_[k].*member = std::move(c[k]);
    }
  }
  std::vector<Row> take() { return std::move(rows_); }

 private:
  static std::string row_type() {
    if constexpr (std::is_same_v<Row, emg::TruthPulse>) return "TruthPulse";
    else if constexpr (std::is_same_v<Row, emg::TruthTrain>) return "TruthTrain";
    else return "TruthBurst";
  }
  const py::object* find(const char* column) const {
    if (!by_columns_) return nullptr;
    auto it = values_.find(column);
    return it == values_.end() ? nullptr : &it->second;
  }
  std::string what(const char* column) const { return name_ + "['" + column + "']"; }

  std::string name_;
  std::vector<std::string> columns_;
  std::map<std::string, py::object> values_;
  std::vector<Row> rows_;
  std::size_t n_ = 0;
  bool by_columns_ = false;
};

const std::vector<std::string> kPulseColumns{"sample", "train_id", "artifact_amplitude", "clipped",
                                             "mwave_sample", "mwave_amplitude", "fwave_sample"};
const std::vector<std::string> kTrainColumns{"train_id", "frequency_hz", "start_sample", "end_sample",
                                             "n_pulses", "cramp", "cramp_onset_sample", "cramp_offset_sample",
                                             "cramp_amplitude", "cramp_spectral_scale"};
const std::vector<std::string> kBurstColumns{"channel", "onset_sample", "offset_sample", "kind", "amplitude", "rise_s"};

std::vector<emg::TruthPulse> pulses_in(const py::handle& table) {
  TableIn<emg::TruthPulse> t(table, "pulses", kPulseColumns);
  using P = emg::TruthPulse;
  t.ints("sample", &P::sample);
  t.ints("train_id", &P::train_id);
  t.reals("artifact_amplitude", &P::artifact_amplitude);
  t.flags("clipped", &P::clipped);
  t.ints("mwave_sample", &P::mwave_sample);
  t.reals("mwave_amplitude", &P::mwave_amplitude);
  t.ints("fwave_sample", &P::fwave_sample);
  return t.take();
}

std::vector<emg::TruthTrain> trains_in(const py::handle& table) {
  TableIn<emg::TruthTrain> t(table, "trains", kTrainColumns);
  using T = emg::TruthTrain;
  t.ints("train_id", &T::train_id);
  t.reals("frequency_hz", &T::frequency_hz);
  t.ints("start_sample", &T::start_sample);
  t.ints("end_sample", &T::end_sample);
  t.ints("n_pulses", &T::n_pulses);
  t.flags("cramp", &T::cramp);
  t.ints("cramp_onset_sample", &T::cramp_onset_sample);
  t.ints("cramp_offset_sample", &T::cramp_offset_sample);
  t.reals("cramp_amplitude", &T::cramp_amplitude);
  t.reals("cramp_spectral_scale", &T::cramp_spectral_scale);
  return t.take();
}

std::vector<emg::TruthBurst> bursts_in(const py::handle& table) {
  TableIn<emg::TruthBurst> t(table, "bursts", kBurstColumns);
  using B = emg::TruthBurst;
  t.ints("channel", &B::channel);
  t.ints("onset_sample", &B::onset_sample);
  t.ints("offset_sample", &B::offset_sample);
  t.strings("kind", &B::kind);
  t.reals("amplitude", &B::amplitude);
  t.reals("rise_s", &B::rise_s);
  return t.take();
}

py::dict pulses_out(const std::vector<emg::TruthPulse>& r) {
  using P = emg::TruthPulse;
  py::dict d;
  d["sample"] = ints_out(r, &P::sample);
  d["train_id"] = ints_out(r, &P::train_id);
  d["artifact_amplitude"] = reals_out(r, &P::artifact_amplitude);
  d["clipped"] = flags_out(r, &P::clipped);
  d["mwave_sample"] = ints_out(r, &P::mwave_sample);
  d["mwave_amplitude"] = reals_out(r, &P::mwave_amplitude);
  d["fwave_sample"] = ints_out(r, &P::fwave_sample);
  return d;
}

py::dict trains_out(const std::vector<emg::TruthTrain>& r) {
  using T = emg::TruthTrain;
  py::dict d;
  d["train_id"] = ints_out(r, &T::train_id);
  d["frequency_hz"] = reals_out(r, &T::frequency_hz);
  d["start_sample"] = ints_out(r, &T::start_sample);
  d["end_sample"] = ints_out(r, &T::end_sample);
  d["n_pulses"] = ints_out(r, &T::n_pulses);
  d["cramp"] = flags_out(r, &T::cramp);
  d["cramp_onset_sample"] = ints_out(r, &T::cramp_onset_sample);
  d["cramp_offset_sample"] = ints_out(r, &T::cramp_offset_sample);
  d["cramp_amplitude"] = reals_out(r, &T::cramp_amplitude);
  d["cramp_spectral_scale"] = reals_out(r, &T::cramp_spectral_scale);
  return d;
}

py::dict bursts_out(const std::vector<emg::TruthBurst>& r) {
  using B = emg::TruthBurst;
  py::dict d;
  d["channel"] = ints_out(r, &B::channel);
  d["onset_sample"] = ints_out(r, &B::onset_sample);
  d["offset_sample"] = ints_out(r, &B::offset_sample);
  d["kind"] = strings_out(r, &B::kind);
  d["amplitude"] = reals_out(r, &B::amplitude);
  d["rise_s"] = reals_out(r, &B::rise_s);
  return d;
}

emg::ActivityMatrix activity_in(const py::handle& v) {
  if (v.is_none()) return {};
  py::array a = py::module_::import("numpy").attr("asarray")(v);
  if (a.size() == 0) return {};
  if (a.ndim() != 2) truth_bad("activity", "must be 2-D (n_channels, n_samples), got " + std::to_string(a.ndim()) + "-D");
  const char kind = a.dtype().kind();
  if (kind != 'u' && kind != 'i' && kind != 'b') truth_bad("activity", "must hold integer Activity codes (got dtype " + dtype_name(a) + ")");
  if (!a.dtype().is(py::dtype::of<std::uint8_t>())) {
    const auto lo = a.attr("min")().cast<std::int64_t>();
    const auto hi = a.attr("max")().cast<std::int64_t>();
    if (lo < 0 || hi > 255) {
      truth_bad("activity", "holds values in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], must fit uint8 (codes 0-3)");
    }
  }
  auto u = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(a);
  emg::ActivityMatrix m(static_cast<Eigen::Index>(u.shape(0)), static_cast<Eigen::Index>(u.shape(1)));
  std::copy(u.data(), u.data() + u.size(), m.data());
  return m;
}

emg::GroundTruth make_truth(const std::optional<std::map<std::string, std::string>>& attributes,
                            const py::object& activity, const py::object& pulses, const py::object& trains,
                            const py::object& bursts, const py::object& firing_unit, const py::object& firing_sample) {
  emg::GroundTruth t;
  if (attributes) t.attributes = *attributes;
  t.activity = activity_in(activity);
  t.pulses = pulses_in(pulses);
  t.trains = trains_in(trains);
  t.bursts = bursts_in(bursts);
  if (!firing_unit.is_none()) {
    const auto u = int_column(firing_unit, "firing_unit");
    t.firing_unit.assign(u.begin(), u.end());
  }
  if (!firing_sample.is_none()) t.firing_sample = int_column(firing_sample, "firing_sample");
  if (t.firing_unit.size() != t.firing_sample.size()) {
    truth_bad("firing_unit", "has " + std::to_string(t.firing_unit.size()) + " entries but firing_sample has " +
                                 std::to_string(t.firing_sample.size()) + " (one unit and one sample per discharge)");
  }
  return t;
}

template <class V>
py::array int64_out(const V& v) {
  py::array_t<std::int64_t> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

}  // namespace

void bind_truth(py::module_& m);

void bind_core(py::module_& m) {
  py::class_<emg::ChannelInfo>(m, "ChannelInfo", "Per-channel metadata with BIDS-EMG field names (read-only).")
      .def_readonly("name", &emg::ChannelInfo::name)
      .def_readonly("type", &emg::ChannelInfo::type)
      .def_readonly("units", &emg::ChannelInfo::units)
      .def_readonly("target_muscle", &emg::ChannelInfo::target_muscle)
      .def_readonly("placement", &emg::ChannelInfo::placement)
      .def_readonly("reference", &emg::ChannelInfo::reference)
      .def_property_readonly("low_cutoff_hz", [](const emg::ChannelInfo& c) { return nan_to_none(c.low_cutoff_hz); },
                             "High-pass edge applied by a filter operation (None = never filtered).")
      .def_property_readonly("high_cutoff_hz", [](const emg::ChannelInfo& c) { return nan_to_none(c.high_cutoff_hz); },
                             "Low-pass edge applied by a filter operation (None = never filtered).")
      .def_property_readonly("notch_hz", [](const emg::ChannelInfo& c) { return nan_to_none(c.notch_hz); },
                             "Line frequency removed (with harmonics) by remove_mains (None = never).")
      .def_property_readonly("conversion", [](const emg::ChannelInfo& c) { return nan_to_none(c.conversion); },
                             "Units per ADC count when the samples are integer counts (None = not counts).")
      .def_readonly("offset", &emg::ChannelInfo::offset, "Value in `units` at ADC count 0.")
      .def_property_readonly("digital_min", [](const emg::ChannelInfo& c) { return nan_to_none(c.digital_min); },
                             "Lowest ADC count the device can record (None = unknown).")
      .def_property_readonly("digital_max", [](const emg::ChannelInfo& c) { return nan_to_none(c.digital_max); },
                             "Highest ADC count the device can record (None = unknown).")
      .def("_asdict", &channel_as_dict,
           "All fields as a dict (one row of cramplab.io.channels_table).")
      .def("__repr__", [](const emg::ChannelInfo& c) {
        return "ChannelInfo(name='" + c.name + "', type='" + c.type + "', units='" + c.units + "')";
      });

  py::class_<emg::Event>(m, "Event", "A labelled interval on one channel (-1 = all channels).")
      .def(py::init([](long channel, std::int64_t start_sample, std::optional<std::int64_t> end_sample,
                       std::string kind, std::string source) {
             return emg::Event{channel, start_sample, end_sample.value_or(start_sample), std::move(kind),
                               std::move(source)};
           }),
           py::kw_only(), py::arg("channel") = -1, py::arg("start_sample"), py::arg("end_sample") = py::none(),
           py::arg("kind") = "", py::arg("source") = "",
           "An event from start_sample to end_sample (default: an instant) on `channel` (-1 = all).")
      .def_readonly("channel", &emg::Event::channel)
      .def_readonly("start_sample", &emg::Event::start_sample)
      .def_readonly("end_sample", &emg::Event::end_sample)
      .def_readonly("kind", &emg::Event::kind)
      .def_readonly("source", &emg::Event::source)
      .def("__repr__", [](const emg::Event& e) {
        return "Event(channel=" + std::to_string(e.channel) + ", start_sample=" + std::to_string(e.start_sample) +
               ", end_sample=" + std::to_string(e.end_sample) + ", kind='" + e.kind + "', source='" + e.source + "')";
      });

  py::class_<emg::StimTrain>(m, "StimTrain", "One stimulation train (sample indices into the recording).")
      .def(py::init([](long train_id, std::int64_t start_sample, std::int64_t end_sample, double frequency_hz,
                       double pulse_width_us, double intensity, long n_pulses) {
             return emg::StimTrain{train_id, start_sample, end_sample, frequency_hz, pulse_width_us, intensity, n_pulses};
           }),
           py::kw_only(), py::arg("train_id") = 0, py::arg("start_sample") = 0, py::arg("end_sample") = 0,
           py::arg("frequency_hz") = 0.0, py::arg("pulse_width_us") = 0.0, py::arg("intensity") = 0.0,
           py::arg("n_pulses") = 0)
      .def_readonly("train_id", &emg::StimTrain::train_id)
      .def_readonly("start_sample", &emg::StimTrain::start_sample)
      .def_readonly("end_sample", &emg::StimTrain::end_sample)
      .def_readonly("frequency_hz", &emg::StimTrain::frequency_hz)
      .def_readonly("pulse_width_us", &emg::StimTrain::pulse_width_us)
      .def_readonly("intensity", &emg::StimTrain::intensity)
      .def_readonly("n_pulses", &emg::StimTrain::n_pulses)
      .def("__repr__", [](const emg::StimTrain& t) {
        return "StimTrain(train_id=" + std::to_string(t.train_id) + ", start_sample=" + std::to_string(t.start_sample) +
               ", end_sample=" + std::to_string(t.end_sample) + ", n_pulses=" + std::to_string(t.n_pulses) + ")";
      });

  py::class_<emg::Stimulation>(m, "Stimulation", "Stimulation pulses (sample indices) and the train table.")
      .def_property_readonly("pulses",
                             [](const emg::Stimulation& s) {
                               py::array_t<std::int64_t> a(static_cast<py::ssize_t>(s.pulses.size()));
                               std::copy(s.pulses.begin(), s.pulses.end(), a.mutable_data());
                               return a;
                             })
      .def_readonly("trains", &emg::Stimulation::trains);

  py::class_<emg::Recording>(m, "Recording", R"doc(
A multichannel EMG recording: data (channels x samples, float64), sampling rate, channel metadata,
events and the history of the operations that produced it.

Parameters
----------
data : array_like, shape (n_samples,) or (n_channels, n_samples)
    Samples; copied once into the recording (a Recording owns its data).
fs_hz : float
    Sampling rate in Hz, finite and > 0.
channel_names : sequence of str, optional
    One unique name per channel (default ``ch0, ch1, ...``).
units : sequence of str, optional
    One unit for all channels or one per channel (default ``"V"``).
start_time_s : float, optional
    Time of the first sample in seconds (default 0).
attributes : dict of str to str, optional
    Free-form recording metadata (source_file, device, subject, ...).

Raises
------
ValueError
    If fs_hz is not finite and > 0, the data is empty or holds NaN/Inf, or the names are not unique.

Notes
-----
``data`` is a read-only view: operations such as :meth:`bandpass` return a new Recording whose
channel metadata (cut-offs, notch) and history stay true to what was done to the data.

Examples
--------
>>> import numpy as np, cramplab
>>> rec = cramplab.Recording(np.random.default_rng(0).normal(size=(2, 4000)), fs_hz=2000.0,
...                          channel_names=["FHB", "AH"])
>>> rec.bandpass(low_hz=20, high_hz=450).channels[0].low_cutoff_hz
20.0
)doc")
      .def(py::init(&make_recording), py::arg("data"), py::kw_only(), py::arg("fs_hz"),
           py::arg("channel_names") = py::none(), py::arg("units") = py::none(), py::arg("start_time_s") = 0.0,
           py::arg("attributes") = py::none())
      .def_property_readonly(
          "data", [](const emg::Recording& r) -> const RowMatrixXd& { return r.data(); },
          py::return_value_policy::reference_internal, "Samples, (n_channels, n_samples), read-only view.")
      .def_property_readonly("fs_hz", &emg::Recording::fs_hz)
      .def_property_readonly("start_time_s", &emg::Recording::start_time_s)
      .def_property_readonly("n_channels", &emg::Recording::n_channels)
      .def_property_readonly("n_samples", &emg::Recording::n_samples)
      .def_property_readonly("duration_s", &emg::Recording::duration_s)
      .def_property_readonly("channels", &emg::Recording::channels)
      .def_property_readonly("channel_names",
                             [](const emg::Recording& r) {
                               std::vector<std::string> names;
                               for (const auto& c : r.channels()) names.push_back(c.name);
                               return names;
                             })
      .def_property_readonly("events", &emg::Recording::events)
      .def_property_readonly("stimulation", &emg::Recording::stimulation,
                             "Stimulation pulses and trains (a copy; change with set_stimulation).")
      .def_property_readonly("attributes", &emg::Recording::attributes,
                             "Recording metadata as a dict (a copy; change with set_attribute).")
      .def("set_attribute", &emg::Recording::set_attribute, py::arg("key"), py::arg("value"),
           "Set or replace one metadata attribute (key must be non-empty).")
      .def("set_channel_info", &edit_channel, py::arg("channel"), R"doc(
Edit one channel's metadata by keyword; fields not given stay as they are.

Parameters
----------
channel : int or str
    Channel index or name.
**fields
    Any of name, type, units, target_muscle, placement, reference (str) and conversion, offset,
    digital_min, digital_max (float; ``float("nan")`` clears). The filter cut-offs cannot be
    edited: they follow the operations applied to the data.

Raises
------
ValueError
    If the channel does not exist or the new name is empty or already used.
TypeError
    For an unknown field.

Examples
--------
>>> import numpy as np, cramplab
>>> rec = cramplab.Recording(np.zeros((2, 10)), fs_hz=1000.0)
>>> rec.set_channel_info("ch1", name="TA", target_muscle="tibialis anterior", units="mV")
>>> rec.channels[1]
ChannelInfo(name='TA', type='EMG', units='mV')
)doc")
      .def(
          "add_event",
          [](emg::Recording& r, long channel, std::int64_t start_sample, std::optional<std::int64_t> end_sample,
             std::string kind, std::string source) {
            r.add_event(emg::Event{channel, start_sample, end_sample.value_or(start_sample), std::move(kind),
                                   std::move(source)});
          },
          py::kw_only(), py::arg("channel") = -1, py::arg("start_sample"), py::arg("end_sample") = py::none(),
          py::arg("kind") = "", py::arg("source") = "",
          "Add an event [start_sample, end_sample] (default an instant) on `channel` (-1 = all channels).\n"
          "ValueError if the channel or samples are outside the recording.")
      .def(
          "set_stimulation",
          [](emg::Recording& r, const std::vector<std::int64_t>& pulses, const py::iterable& trains) {
            emg::Stimulation s;
            s.pulses = pulses;
            for (const auto& t : trains) s.trains.push_back(train_from(t));
            r.set_stimulation(std::move(s));
          },
          py::kw_only(), py::arg("pulses") = std::vector<std::int64_t>{}, py::arg("trains") = py::list(),
          "Replace the stimulation: pulse sample indices (strictly increasing, inside the recording) and\n"
          "trains (StimTrain objects or dicts with the StimTrain field names).")
      .def_property_readonly("history", &emg::Recording::history)
      .def("channel_index", &emg::Recording::channel_index, py::arg("name"))
      .def(
          "select_channels",
          [](const emg::Recording& r, const std::vector<py::object>& which) {
            std::vector<long> idx;
            for (const auto& w : which) {
              if (py::isinstance<py::str>(w)) idx.push_back(r.channel_index(w.cast<std::string>()));
              else idx.push_back(w.cast<long>());
            }
            return r.select_channels(idx);
          },
          py::arg("channels"), "A new Recording with the given channels (indices or names), in that order.")
      .def(
          "bandpass",
          [](const emg::Recording& r, double low_hz, double high_hz, int order, bool zero_phase) {
            emg::BandpassParams p{.low_hz = low_hz, .high_hz = high_hz, .order = order, .zero_phase = zero_phase};
            py::gil_scoped_release nogil;
            return emg::bandpass(r, p);
          },
          py::kw_only(), py::arg("low_hz") = 20.0, py::arg("high_hz") = 450.0, py::arg("order") = 4,
          py::arg("zero_phase") = true, R"doc(
Butterworth band-pass of every channel (default 4th order, 20-450 Hz, zero-phase).

Zero-phase (forward-backward) filtering squares the magnitude response: the edges sit at -6 dB
and the effective order doubles. Channel cut-off metadata and history are updated.

Raises
------
ValueError
    If the band is not 0 < low_hz < high_hz < fs_hz/2 (e.g. 20-450 Hz on a 500 Hz recording)
    or order is outside 1..10.
)doc")
      .def(
          "remove_mains",
          [](const emg::Recording& r, double line_hz, const std::string& method, std::optional<double> max_hz,
             double bandwidth_hz, double q) {
            emg::filters::MainsParams p;
            p.line_hz = line_hz;
            p.method = emg::filters::parse_mains_method(method);
            p.max_hz = max_hz.value_or(0.0);
            p.bandwidth_hz = bandwidth_hz;
            p.q = q;
            py::gil_scoped_release nogil;
            auto res = emg::remove_mains(r, p);
            return std::make_pair(std::move(res.recording), std::move(res.report));
          },
          py::kw_only(), py::arg("line_hz") = 50.0, py::arg("method") = "interpolation", py::arg("max_hz") = py::none(),
          py::arg("bandwidth_hz") = 0.5, py::arg("q") = 30.0,
          "Remove line interference and its harmonics; returns (Recording, MainsResult).")
      .def("__repr__", [](const emg::Recording& r) {
        return "Recording(n_channels=" + std::to_string(r.n_channels()) + ", n_samples=" +
               std::to_string(r.n_samples()) + ", fs_hz=" + std::to_string(r.fs_hz()) + ")";
      });
  bind_truth(m);
}

}  // namespace cramplab

namespace cramplab {

void bind_truth(py::module_& m) {
  using emg::GroundTruth;
  using emg::TruthBurst;
  using emg::TruthPulse;
  using emg::TruthTrain;

  py::enum_<emg::Activity>(m, "Activity", py::arithmetic(), R"doc(
Activity state of one sample of one channel; the integer codes are those of ``/truth/activity``.

``rest`` (0) baseline noise only, ``voluntary`` (1) voluntary burst, ``stimulation`` (2) inside a
stimulation train (first pulse to last pulse + M-wave end), ``cramp`` (3) cramp afterdischarge.

Examples
--------
>>> import cramplab
>>> int(cramplab.Activity.cramp), cramplab.Activity(2).name
(3, 'stimulation')
)doc")
      .value("rest", emg::Activity::rest)
      .value("voluntary", emg::Activity::voluntary)
      .value("stimulation", emg::Activity::stimulation)
      .value("cramp", emg::Activity::cramp);

  py::class_<TruthPulse>(m, "TruthPulse", "One simulated stimulation pulse and the responses it evoked (sample indices).")
      .def(py::init([](std::int64_t sample, long train_id, double artifact_amplitude, bool clipped, std::int64_t mwave_sample,
                       double mwave_amplitude, std::int64_t fwave_sample) {
             return TruthPulse{sample, train_id, artifact_amplitude, clipped, mwave_sample, mwave_amplitude, fwave_sample};
           }),
           py::kw_only(), py::arg("sample") = 0, py::arg("train_id") = 0, py::arg("artifact_amplitude") = 0.0,
           py::arg("clipped") = false, py::arg("mwave_sample") = -1, py::arg("mwave_amplitude") = 0.0,
           py::arg("fwave_sample") = -1, "A pulse at `sample`; mwave_sample / fwave_sample -1 = no response.")
      .def_readonly("sample", &TruthPulse::sample, "Sample of the pulse onset.")
      .def_readonly("train_id", &TruthPulse::train_id)
      .def_readonly("artifact_amplitude", &TruthPulse::artifact_amplitude, "Peak artefact amplitude in units (signed).")
      .def_readonly("clipped", &TruthPulse::clipped, "The artefact reached the ADC range.")
      .def_readonly("mwave_sample", &TruthPulse::mwave_sample, "M-wave onset sample, -1 when none.")
      .def_readonly("mwave_amplitude", &TruthPulse::mwave_amplitude, "M-wave peak-to-peak amplitude in units.")
      .def_readonly("fwave_sample", &TruthPulse::fwave_sample, "F-wave onset sample, -1 when none.")
      .def("__repr__", [](const TruthPulse& p) {
        return "TruthPulse(sample=" + std::to_string(p.sample) + ", train_id=" + std::to_string(p.train_id) +
               ", mwave_sample=" + std::to_string(p.mwave_sample) + ")";
      });

  py::class_<TruthTrain>(m, "TruthTrain", "One simulated stimulation train and whether (and how) it produced a cramp.")
      .def(py::init([](long train_id, double frequency_hz, std::int64_t start_sample, std::int64_t end_sample, long n_pulses,
                       bool cramp, std::int64_t cramp_onset_sample, std::int64_t cramp_offset_sample, double cramp_amplitude,
                       double cramp_spectral_scale) {
             return TruthTrain{train_id,   frequency_hz,       start_sample,        end_sample,      n_pulses,
                               cramp,      cramp_onset_sample, cramp_offset_sample, cramp_amplitude, cramp_spectral_scale};
           }),
           py::kw_only(), py::arg("train_id") = 0, py::arg("frequency_hz") = 0.0, py::arg("start_sample") = 0,
           py::arg("end_sample") = 0, py::arg("n_pulses") = 0, py::arg("cramp") = false, py::arg("cramp_onset_sample") = -1,
           py::arg("cramp_offset_sample") = -1, py::arg("cramp_amplitude") = 0.0, py::arg("cramp_spectral_scale") = 1.0,
           "A train from start_sample (first pulse) to end_sample (last pulse); cramp samples -1 = no cramp.")
      .def_readonly("train_id", &TruthTrain::train_id)
      .def_readonly("frequency_hz", &TruthTrain::frequency_hz)
      .def_readonly("start_sample", &TruthTrain::start_sample, "First pulse.")
      .def_readonly("end_sample", &TruthTrain::end_sample, "Last pulse.")
      .def_readonly("n_pulses", &TruthTrain::n_pulses)
      .def_readonly("cramp", &TruthTrain::cramp, "True iff frequency_hz >= the subject's CTF.")
      .def_readonly("cramp_onset_sample", &TruthTrain::cramp_onset_sample, "-1 when none.")
      .def_readonly("cramp_offset_sample", &TruthTrain::cramp_offset_sample, "-1 when none.")
      .def_readonly("cramp_amplitude", &TruthTrain::cramp_amplitude, "Peak RMS of the afterdischarge in units (0 when none).")
      .def_readonly("cramp_spectral_scale", &TruthTrain::cramp_spectral_scale,
                    "Corner-frequency scale of the cramp EMG (< 1 = compressed).")
      .def("__repr__", [](const TruthTrain& t) {
        return "TruthTrain(train_id=" + std::to_string(t.train_id) + ", frequency_hz=" + py::repr(py::float_(t.frequency_hz)).cast<std::string>() +
               ", cramp=" + (t.cramp ? "True" : "False") + ")";
      });

  py::class_<TruthBurst>(m, "TruthBurst", "A burst of EMG activity (voluntary contraction, cramp, ...) on one channel.")
      .def(py::init([](long channel, std::int64_t onset_sample, std::int64_t offset_sample, std::string kind, double amplitude,
                       double rise_s) {
             return TruthBurst{channel, onset_sample, offset_sample, std::move(kind), amplitude, rise_s};
           }),
           py::kw_only(), py::arg("channel") = 0, py::arg("onset_sample") = 0, py::arg("offset_sample") = 0,
           py::arg("kind") = "", py::arg("amplitude") = 0.0, py::arg("rise_s") = 0.0,
           "A burst from onset_sample to offset_sample on `channel` (-1 = all channels).")
      .def_readonly("channel", &TruthBurst::channel)
      .def_readonly("onset_sample", &TruthBurst::onset_sample)
      .def_readonly("offset_sample", &TruthBurst::offset_sample)
      .def_readonly("kind", &TruthBurst::kind, "'voluntary', 'cramp', ...")
      .def_readonly("amplitude", &TruthBurst::amplitude, "Plateau / peak RMS in units.")
      .def_readonly("rise_s", &TruthBurst::rise_s, "Rise time of the amplitude template in seconds.")
      .def("__repr__", [](const TruthBurst& b) {
        return "TruthBurst(channel=" + std::to_string(b.channel) + ", onset_sample=" + std::to_string(b.onset_sample) +
               ", offset_sample=" + std::to_string(b.offset_sample) + ", kind='" + b.kind + "')";
      });

  const auto state = [](const GroundTruth& t) {
    return py::make_tuple(t.attributes, py::cast(t.activity), pulses_out(t.pulses), trains_out(t.trains),
                          bursts_out(t.bursts), int64_out(t.firing_unit), int64_out(t.firing_sample));
  };
  py::class_<GroundTruth>(m, "GroundTruth", R"doc(
What a simulated recording really contains: generator attributes, the per-sample activity state,
the stimulation pulses and trains (with their M-waves and cramps), bursts and motor-unit firings.

Stored as the ``/truth`` group of a CrampLab file (``cramplab.write(..., truth=...)``, read back
whole with :func:`cramplab.read_truth`; docs/FORMAT.md). All properties are read-only copies,
except ``activity`` (a read-only view). Sample indices count from the recording's first sample.

Parameters
----------
attributes : dict of str to str, optional
    Generator name and version, seed, every generator parameter, subject values (``ctf_hz``).
activity : array_like of int, shape (n_channels, n_samples), optional
    :class:`Activity` codes (converted to uint8); must match the recording's shape when written.
pulses, trains, bursts : dict of array_like or list, optional
    Tables as a mapping of column name to 1-D column (a dict, or a pandas DataFrame), or a list of
    :class:`TruthPulse` / :class:`TruthTrain` / :class:`TruthBurst`. Missing columns take the
    defaults of those classes (-1 for "none" samples). Columns: pulses ``sample, train_id,
    artifact_amplitude, clipped, mwave_sample, mwave_amplitude, fwave_sample``; trains ``train_id,
    frequency_hz, start_sample, end_sample, n_pulses, cramp, cramp_onset_sample,
    cramp_offset_sample, cramp_amplitude, cramp_spectral_scale``; bursts ``channel, onset_sample,
    offset_sample, kind, amplitude, rise_s``.
firing_unit, firing_sample : array_like of int, optional
    Motor-unit discharges: unit index and sample, one entry each per discharge.

Raises
------
ValueError
    For an unknown column, columns of unequal length, non-integer sample columns, a flag other
    than 0/1, activity that is not 2-D integers in 0..255, or firing_unit and firing_sample of
    different lengths.

Examples
--------
>>> import numpy as np, cramplab
>>> t = cramplab.GroundTruth(attributes={"seed": "7"}, activity=np.zeros((1, 8), np.uint8),
...                          pulses={"sample": [2, 4], "mwave_sample": [3, -1]},
...                          trains=[cramplab.TruthTrain(frequency_hz=20.0, start_sample=2, end_sample=4, n_pulses=2)])
>>> t.pulses["mwave_sample"], t.pulses["clipped"]
(array([ 3, -1]), array([False, False]))
>>> t.trains["frequency_hz"], t.activity.shape, t.empty
(array([20.]), (1, 8), False)
)doc")
      .def(py::init(&make_truth), py::kw_only(), py::arg("attributes") = py::none(), py::arg("activity") = py::none(),
           py::arg("pulses") = py::none(), py::arg("trains") = py::none(), py::arg("bursts") = py::none(),
           py::arg("firing_unit") = py::none(), py::arg("firing_sample") = py::none())
      .def_property_readonly("attributes", [](const GroundTruth& t) { return t.attributes; },
                             "Generator attributes as a dict of str (a copy).")
      .def_property_readonly(
          "activity", [](const GroundTruth& t) -> const emg::ActivityMatrix& { return t.activity; },
          py::return_value_policy::reference_internal,
          "Activity codes, uint8 (n_channels, n_samples), or (0, 0) when not simulated; a read-only view.")
      .def_property_readonly("pulses", [](const GroundTruth& t) { return pulses_out(t.pulses); },
                             "Pulse table: dict of numpy columns (int64 samples, float64 values, bool clipped).")
      .def_property_readonly("trains", [](const GroundTruth& t) { return trains_out(t.trains); },
                             "Train table: dict of numpy columns (bool cramp).")
      .def_property_readonly("bursts", [](const GroundTruth& t) { return bursts_out(t.bursts); },
                             "Burst table: dict of numpy columns (kind as an object array of str).")
      .def_property_readonly("firing_unit", [](const GroundTruth& t) { return int64_out(t.firing_unit); },
                             "Motor-unit index of every discharge (int64).")
      .def_property_readonly("firing_sample", [](const GroundTruth& t) { return int64_out(t.firing_sample); },
                             "Sample of every discharge (int64), parallel to firing_unit.")
      .def_property_readonly("empty", &GroundTruth::empty, "True when nothing is set (write() then stores no /truth).")
      .def(py::pickle(state,
                      [](const py::tuple& s) {
                        if (s.size() != 7) throw py::value_error("GroundTruth: bad pickle state");
                        return make_truth(s[0].cast<std::map<std::string, std::string>>(), s[1], s[2], s[3], s[4], s[5], s[6]);
                      }))
      .def("__repr__", [](const GroundTruth& t) {
        return "GroundTruth(attributes=" + std::to_string(t.attributes.size()) + ", activity=(" +
               std::to_string(t.activity.rows()) + ", " + std::to_string(t.activity.cols()) + "), pulses=" +
               std::to_string(t.pulses.size()) + ", trains=" + std::to_string(t.trains.size()) + ", bursts=" +
               std::to_string(t.bursts.size()) + ", firings=" + std::to_string(t.firing_sample.size()) + ")";
      });
}

}  // namespace cramplab
