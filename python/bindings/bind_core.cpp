// emg::Recording and its metadata, plus the recording operations of emg/processing.hpp.
#include "common.hpp"

#include <emg/processing.hpp>
#include <emg/recording.hpp>

#include <cmath>

namespace cramplab {

namespace {

py::object nan_to_none(double v) { return std::isnan(v) ? py::object(py::none()) : py::object(py::float_(v)); }

emg::Recording make_recording(const py::handle& data, double fs_hz, const std::optional<std::vector<std::string>>& names,
                              const std::optional<std::vector<std::string>>& units, double start_time_s) {
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
  return emg::Recording(std::move(owned), fs_hz, std::move(channels), start_time_s);
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
      .def("__repr__", [](const emg::ChannelInfo& c) {
        return "ChannelInfo(name='" + c.name + "', type='" + c.type + "', units='" + c.units + "')";
      });

  py::class_<emg::Event>(m, "Event", "A labelled interval on one channel (-1 = all channels).")
      .def_readonly("channel", &emg::Event::channel)
      .def_readonly("start_sample", &emg::Event::start_sample)
      .def_readonly("end_sample", &emg::Event::end_sample)
      .def_readonly("kind", &emg::Event::kind)
      .def_readonly("source", &emg::Event::source);

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
           py::arg("channel_names") = py::none(), py::arg("units") = py::none(), py::arg("start_time_s") = 0.0)
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
