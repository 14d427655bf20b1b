// emg::Recording and its metadata, plus the recording operations of emg/processing.hpp.
#include "common.hpp"

#include <emg/processing.hpp>
#include <emg/recording.hpp>

#include <cmath>
#include <cstdint>
#include <map>

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

}  // namespace

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
}

}  // namespace cramplab
