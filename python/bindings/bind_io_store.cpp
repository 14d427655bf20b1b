// cramplab._core.io: the CrampLab HDF5 recording store and SHA-256 (emg/io/store.hpp, checksum.hpp).
#include "common.hpp"

#include <emg/errors.hpp>
#include <emg/io/checksum.hpp>
#include <emg/io/store.hpp>
#include <emg/io/tables.hpp>
#include <emg/truth.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cramplab {

namespace {

namespace io = emg::io;

double none_to_nan(const py::handle& v) { return v.is_none() ? std::numeric_limits<double>::quiet_NaN() : v.cast<double>(); }

emg::ChannelInfo channel_from(const py::dict& d, const std::string& fallback_name) {
  emg::ChannelInfo c;
  c.name = fallback_name;
  for (const auto& [key, value] : d) {
    const auto k = key.cast<std::string>();
    if (k == "name") c.name = value.cast<std::string>();
    else if (k == "type") c.type = value.cast<std::string>();
    else if (k == "units") c.units = value.cast<std::string>();
    else if (k == "target_muscle") c.target_muscle = value.cast<std::string>();
    else if (k == "placement") c.placement = value.cast<std::string>();
    else if (k == "reference") c.reference = value.cast<std::string>();
    else if (k == "low_cutoff_hz") c.low_cutoff_hz = none_to_nan(value);
    else if (k == "high_cutoff_hz") c.high_cutoff_hz = none_to_nan(value);
    else if (k == "notch_hz") c.notch_hz = none_to_nan(value);
    else if (k == "conversion") c.conversion = none_to_nan(value);
    else if (k == "offset") c.offset = value.cast<double>();
    else if (k == "digital_min") c.digital_min = none_to_nan(value);
    else if (k == "digital_max") c.digital_max = none_to_nan(value);
    else throw py::value_error("_store_recording: channels: unknown field '" + k + "'");
  }
  return c;
}

py::object matrix_out(const RowMatrixXd& m) {
  RowMatrixXd copy = m;
  return signal_out(std::move(copy), m.rows() == 1);
}

/// A 1-D numpy view of `v` (lists are converted); ValueError naming the dataset otherwise.
py::array one_d(const py::handle& v, const py::handle& name, const char* field) {
  py::array a = py::array::ensure(v);
  if (!a || a.ndim() != 1) {
    throw py::value_error("derived: " + std::string(field) + "['" + py::str(name).cast<std::string>() + "'] must be 1-D");
  }
  return a;
}

std::vector<std::int64_t> int64_column(const py::handle& v, const py::handle& name) {
  py::array a = one_d(v, name, "int_arrays");
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b' && a.size() > 0) {
    throw py::value_error("derived: int_arrays['" + py::str(name).cast<std::string>() + "'] must hold integers, found dtype " +
                          py::str(a.dtype()).cast<std::string>());
  }
  auto c = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  return {c.data(), c.data() + c.size()};
}

std::vector<std::uint8_t> bool_column(const py::handle& v, const py::handle& name) {
  py::array a = one_d(v, name, "bool_arrays");
  const char kind = a.dtype().kind();
  const std::string what = "derived: bool_arrays['" + py::str(name).cast<std::string>() + "']";
  if (kind != 'b' && kind != 'i' && kind != 'u' && a.size() > 0) {
    throw py::value_error(what + " must hold booleans, found dtype " + py::str(a.dtype()).cast<std::string>());
  }
  auto c = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(c.size()));
  for (py::ssize_t i = 0; i < c.size(); ++i) {
    const std::int64_t x = c.data()[i];
    if (x != 0 && x != 1) throw py::value_error(what + "[" + std::to_string(i) + "] = " + std::to_string(x) + " must be 0 or 1");
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x);
  }
  return out;
}

std::vector<std::string> text_column(const py::handle& v, const py::handle& name) {
  std::vector<std::string> out;
  std::size_t i = 0;
  for (const auto& x : py::iter(v)) {
    if (!py::isinstance<py::str>(x)) {
      throw py::value_error("derived: text_arrays['" + py::str(name).cast<std::string>() + "'][" + std::to_string(i) +
                            "] must be str, found " + py::str(py::type::of(x).attr("__name__")).cast<std::string>());
    }
    out.push_back(x.cast<std::string>());
    ++i;
  }
  return out;
}

/// 1-D object array of Python str.
py::array text_out(const std::vector<std::string>& v) {
  py::array out(py::dtype("O"), static_cast<py::ssize_t>(v.size()));
  auto* cells = static_cast<PyObject**>(out.mutable_data());
  for (std::size_t i = 0; i < v.size(); ++i) {
    py::str s(v[i]);
    Py_XDECREF(cells[i]);
    cells[i] = s.release().ptr();
  }
  return out;
}

io::DerivedItem derived_from(const py::handle& h) {
  if (!py::isinstance<py::dict>(h)) throw py::value_error("derived: each item must be a dict with group, name, arrays, parameters");
  const auto d = h.cast<py::dict>();
  io::DerivedItem item;
  for (const auto& [key, value] : d) {
    const auto k = key.cast<std::string>();
    if (k == "group") item.group = value.cast<std::string>();
    else if (k == "name") item.name = value.cast<std::string>();
    else if (k == "library_version") item.library_version = value.cast<std::string>();
    else if (k == "input_sha256") item.input_sha256 = value.cast<std::string>();
    else if (k == "parameters") {
      for (const auto& [pk, pv] : value.cast<py::dict>()) item.parameters[py::str(pk)] = py::str(pv).cast<std::string>();
    } else if (k == "arrays") {
      for (const auto& [ak, av] : value.cast<py::dict>()) {
        auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(av);
        if (!arr || arr.ndim() < 1 || arr.ndim() > 2) {
          throw py::value_error("derived: arrays['" + ak.cast<std::string>() + "'] must be a 1-D or 2-D array of numbers");
        }
        const Eigen::Index rows = arr.ndim() == 1 ? 1 : static_cast<Eigen::Index>(arr.shape(0));
        const Eigen::Index cols = arr.ndim() == 1 ? static_cast<Eigen::Index>(arr.shape(0)) : static_cast<Eigen::Index>(arr.shape(1));
        item.arrays.emplace(ak.cast<std::string>(), Eigen::Map<const RowMatrixXd>(arr.data(), rows, cols));
      }
    } else if (k == "int_arrays") {
      for (const auto& [ak, av] : value.cast<py::dict>()) item.int_arrays.emplace(ak.cast<std::string>(), int64_column(av, ak));
    } else if (k == "bool_arrays") {
      for (const auto& [ak, av] : value.cast<py::dict>()) item.bool_arrays.emplace(ak.cast<std::string>(), bool_column(av, ak));
    } else if (k == "text_arrays") {
      for (const auto& [ak, av] : value.cast<py::dict>()) item.text_arrays.emplace(ak.cast<std::string>(), text_column(av, ak));
    } else if (k == "columns") {
      for (const auto& c : value) {
        if (!py::isinstance<py::str>(c)) throw py::value_error("derived: columns must be a list of str");
        item.columns.push_back(c.cast<std::string>());
      }
    } else {
      throw py::value_error("derived: unknown key '" + k +
                            "' (use group, name, arrays, int_arrays, bool_arrays, text_arrays, columns, parameters, "
                            "library_version, input_sha256)");
    }
  }
  return item;
}

std::vector<io::DerivedItem> derived_list(const py::object& items) {
  std::vector<io::DerivedItem> out;
  if (items.is_none()) return out;
  if (py::isinstance<py::dict>(items)) {
    out.push_back(derived_from(items));
    return out;
  }
  for (const auto& h : items) out.push_back(derived_from(h));
  return out;
}

py::dict derived_dict(const io::DerivedItem& item) {
  py::dict d;
  d["group"] = item.group;
  d["name"] = item.name;
  py::dict arrays;
  for (const auto& [k, m] : item.arrays) arrays[py::str(k)] = matrix_out(m);
  d["arrays"] = arrays;
  py::dict ints, bools, texts;
  for (const auto& [k, v] : item.int_arrays) ints[py::str(k)] = py::array_t<std::int64_t>(static_cast<py::ssize_t>(v.size()), v.data());
  for (const auto& [k, v] : item.bool_arrays) {
    py::array_t<bool> a(static_cast<py::ssize_t>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) a.mutable_data()[i] = v[i] != 0;
    bools[py::str(k)] = a;
  }
  for (const auto& [k, v] : item.text_arrays) texts[py::str(k)] = text_out(v);
  d["int_arrays"] = ints;
  d["bool_arrays"] = bools;
  d["text_arrays"] = texts;
  d["columns"] = item.columns;
  d["parameters"] = item.parameters;
  d["library_version"] = item.library_version;
  d["input_sha256"] = item.input_sha256;
  return d;
}

py::dict header_dict(const io::FileHeader& h) {
  py::dict d;
  d["format_version"] = h.format_version;
  d["created_by"] = h.created_by;
  d["fs_hz"] = h.fs_hz;
  d["start_time_s"] = h.start_time_s;
  d["n_channels"] = h.n_channels;
  d["n_samples"] = h.n_samples;
  d["duration_s"] = static_cast<double>(h.n_samples) / h.fs_hz;
  d["sample_type"] = h.sample_type;
  d["compression"] = h.compression;
  py::list channels, names;
  for (const auto& c : h.channels) {
    channels.append(channel_as_dict(c));
    names.append(c.name);
  }
  d["channels"] = channels;
  d["channel_names"] = names;
  d["attributes"] = h.attributes;
  d["derived"] = h.derived;
  d["has_truth"] = h.has_truth;
  return d;
}

io::SampleType parse_sample_type(const std::string& s) {
  if (s == "auto") return io::SampleType::Auto;
  if (s == "float64") return io::SampleType::Float64;
  if (s == "float32") return io::SampleType::Float32;
  if (s == "integer") return io::SampleType::Integer;
  throw py::value_error("write: sample_type='" + s + "' must be one of 'auto', 'float64', 'float32', 'integer'");
}

io::Compression parse_compression(const std::string& s) {
  if (s == "auto") return io::Compression::Auto;
  if (s == "none") return io::Compression::None;
  if (s == "deflate") return io::Compression::Deflate;
  throw py::value_error("write: compression='" + s + "' must be one of 'auto', 'none', 'deflate'");
}

emg::Recording read_py(const py::handle& path_obj, std::int64_t start_sample, std::int64_t stop_sample,
                       std::optional<double> start_s, std::optional<double> stop_s, const py::object& channels) {
  const std::string path = as_path(path_obj);
  io::ReadOptions o;
  o.start_sample = start_sample;
  o.stop_sample = stop_sample;
  if (!channels.is_none()) {
    if (py::isinstance<py::str>(channels)) throw py::value_error("read: channels must be a list of names or indices, not a string");
    bool names = false, ints = false;
    for (const auto& c : channels) {
      if (py::isinstance<py::str>(c)) {
        names = true;
        o.channel_names.push_back(c.cast<std::string>());
      } else {
        ints = true;
        o.channel_indices.push_back(py::int_(py::reinterpret_borrow<py::object>(c)).cast<long>());
      }
    }
    if (names && ints) throw py::value_error("read: channels must be all names or all indices, not a mix");
    if (!names && !ints) throw py::value_error("read: channels=[] must name at least one channel (or be None for all)");
  }
  const bool seconds = start_s.has_value() || stop_s.has_value();
  if (seconds && (start_sample != 0 || stop_sample != -1)) {
    throw py::value_error("read: give start_sample/stop_sample or start_s/stop_s, not both");
  }
  py::gil_scoped_release nogil;
  if (seconds) {
    const io::FileHeader h = io::read_header(path);
    const auto w = io::window_s(h, start_s.value_or(0.0), stop_s.value_or(static_cast<double>(h.n_samples) / h.fs_hz));
    o.start_sample = w.start_sample;
    o.stop_sample = w.stop_sample;
  }
  return io::read(path, o);
}

/// Test and fixture helper: a Recording with every piece of metadata the store keeps.
emg::Recording make_recording(const py::handle& data, double fs_hz, double start_time_s, const py::object& channels,
                              const py::object& events, const std::vector<std::int64_t>& pulses, const py::object& trains,
                              const std::vector<std::string>& history, const std::map<std::string, std::string>& attributes) {
  SignalIn x = as_signal(data, "_store_recording", "data");
  RowMatrixXd owned = x.map;
  emg::Recording rec(std::move(owned), fs_hz, {}, start_time_s);
  if (!channels.is_none()) {
    long i = 0;
    for (const auto& c : channels) {
      rec.set_channel_info(i, channel_from(c.cast<py::dict>(), "ch" + std::to_string(i)));
      ++i;
    }
  }
  if (!events.is_none()) {
    for (const auto& e : events) {
      const auto d = e.cast<py::dict>();
      emg::Event ev;
      ev.channel = d.contains("channel") ? d["channel"].cast<long>() : -1;
      ev.start_sample = d["start_sample"].cast<std::int64_t>();
      ev.end_sample = d.contains("end_sample") ? d["end_sample"].cast<std::int64_t>() : ev.start_sample;
      ev.kind = d.contains("kind") ? d["kind"].cast<std::string>() : "";
      ev.source = d.contains("source") ? d["source"].cast<std::string>() : "";
      rec.add_event(ev);
    }
  }
  emg::Stimulation stim;
  stim.pulses = pulses;
  if (!trains.is_none()) {
    for (const auto& t : trains) {
      const auto d = t.cast<py::dict>();
      stim.trains.push_back({d["train_id"].cast<long>(), d["start_sample"].cast<std::int64_t>(),
                             d["end_sample"].cast<std::int64_t>(), d["frequency_hz"].cast<double>(),
                             d["pulse_width_us"].cast<double>(), d["intensity"].cast<double>(), d["n_pulses"].cast<long>()});
    }
  }
  rec.set_stimulation(std::move(stim));
  for (const auto& h : history) rec.append_history(h);
  for (const auto& [k, v] : attributes) rec.set_attribute(k, v);
  return rec;
}

py::dict recording_metadata(const emg::Recording& rec) {
  py::dict d;
  py::list channels, events, trains;
  for (const auto& c : rec.channels()) channels.append(channel_as_dict(c));
  for (const auto& e : rec.events()) {
    py::dict ev;
    ev["channel"] = e.channel;
    ev["start_sample"] = e.start_sample;
    ev["end_sample"] = e.end_sample;
    ev["kind"] = e.kind;
    ev["source"] = e.source;
    events.append(ev);
  }
  for (const auto& t : rec.stimulation().trains) {
    py::dict tr;
    tr["train_id"] = t.train_id;
    tr["start_sample"] = t.start_sample;
    tr["end_sample"] = t.end_sample;
    tr["frequency_hz"] = t.frequency_hz;
    tr["pulse_width_us"] = t.pulse_width_us;
    tr["intensity"] = t.intensity;
    tr["n_pulses"] = t.n_pulses;
    trains.append(tr);
  }
  d["fs_hz"] = rec.fs_hz();
  d["start_time_s"] = rec.start_time_s();
  d["channels"] = channels;
  d["events"] = events;
  d["pulses"] = rec.stimulation().pulses;
  d["trains"] = trains;
  d["history"] = rec.history();
  d["attributes"] = rec.attributes();
  return d;
}

}  // namespace

void bind_io_store(py::module_& m) {
  m.attr("FORMAT_VERSION") = io::kFormatVersion;

  m.def("read", &read_py, py::arg("path"), py::kw_only(), py::arg("start_sample") = 0, py::arg("stop_sample") = -1,
        py::arg("start_s") = py::none(), py::arg("stop_s") = py::none(), py::arg("channels") = py::none(), R"doc(
Read a CrampLab HDF5 recording file, or a time window / channel subset of it.

Only the requested part is read from disk (HDF5 hyperslabs). Samples are returned bit for bit as
written: float64 files exactly, integer ADC counts as ``count * conversion + offset`` in float64.

Parameters
----------
path : str or os.PathLike
    The ``.h5`` file written by :func:`write`.
start_sample, stop_sample : int, optional
    Samples ``[start_sample, stop_sample)`` of the file (``stop_sample=-1``: to the end).
start_s, stop_s : float, optional
    The same window in seconds from the first sample (rounded to the nearest sample); use
    either these or the sample indices.
channels : list of str or list of int, optional
    Channel names or indices to read, in the order wanted (default: all).

Returns
-------
Recording
    With ``start_time_s`` moved to the window, events, stimulation pulses and trains that overlap
    the window (shifted to it and clipped), the history and the file's attributes.

Raises
------
ValueError
    If the window is empty or outside the file, a channel name is unknown (the message lists the
    channels) or given twice.
cramplab.FormatError
    If the file is not HDF5, not a CrampLab file, written by a newer format_version, malformed
    (shapes that disagree, NaN/Inf samples), naming the file and the HDF5 object.
cramplab.IoError
    If the file does not exist or cannot be read (e.g. truncated).

See Also
--------
write, read_header, validate_file

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> rec = cramplab.Recording(np.arange(20.0).reshape(2, 10), fs_hz=100.0, channel_names=["FHB", "AH"])
>>> path = os.path.join(tempfile.mkdtemp(), "trial.h5")
>>> _ = cio.write(path, rec)
>>> part = cio.read(path, start_sample=2, stop_sample=5, channels=["AH"])
>>> part.data
array([[12., 13., 14.]])
>>> part.start_time_s
0.02
)doc");

  m.def(
      "write",
      [](const py::handle& path_obj, const emg::Recording& rec, const std::string& sample_type,
         const std::string& compression, int deflate_level, double chunk_s, bool overwrite, const py::object& derived,
         const emg::GroundTruth* truth) {
        const std::string path = as_path(path_obj);
        io::WriteOptions o{.sample_type = parse_sample_type(sample_type),
                           .compression = parse_compression(compression),
                           .deflate_level = deflate_level,
                           .chunk_s = chunk_s,
                           .overwrite = overwrite};
        const auto items = derived_list(derived);
        static const emg::GroundTruth no_truth;
        io::WriteReport r;
        {
          py::gil_scoped_release nogil;
          r = io::write(path, rec, o, items, truth ? *truth : no_truth);
        }
        py::dict d;
        d["sample_type"] = r.sample_type;
        d["compression"] = r.compression;
        d["max_abs_error"] = r.max_abs_error;
        d["file_bytes"] = r.file_bytes;
        return d;
      },
      py::arg("path"), py::arg("recording"), py::kw_only(), py::arg("sample_type") = "auto",
      py::arg("compression") = "auto", py::arg("deflate_level") = 1, py::arg("chunk_s") = 1.0,
      py::arg("overwrite") = false, py::arg("derived") = py::none(), py::arg("truth") = py::none(), R"doc(
Write a Recording to a CrampLab HDF5 file (docs/FORMAT.md), atomically.

The file is written under a temporary name in the same directory and renamed over ``path`` at
the end, so a reader never sees a half-written file and a failed write leaves an existing file
untouched.

Parameters
----------
path : str or os.PathLike
    Target file (conventionally ``.h5``).
recording : Recording
    What to store: samples, channel metadata, events, stimulation, history, attributes.
sample_type : {'auto', 'float64', 'float32', 'integer'}, optional
    ``'auto'`` (default) stores integer ADC counts (int16 or int32) when every channel has a
    ``conversion`` that reproduces every sample bit for bit, else float64 (exact).
    ``'float32'`` is lossy (see ``max_abs_error``); ``'integer'`` fails unless counts are exact.
compression : {'auto', 'none', 'deflate'}, optional
    ``'auto'`` (default): none for float data (EMG noise barely compresses), shuffle + deflate
    for integer counts. ``'deflate'``: shuffle + deflate at ``deflate_level``.
deflate_level : int, optional
    1..9 (default 1: measured best speed/size trade-off).
chunk_s : float, optional
    HDF5 chunk length along time in seconds (default 1.0), all channels per chunk.
overwrite : bool, optional
    Replace an existing file (default False: refuse with IoError).
derived : dict or list of dict, optional
    Derived items stored beside the recording: ``{"group": "derived" | "metrics", "name": str,
    "arrays": {name: array}, "parameters": {key: str}, "library_version": str,
    "input_sha256": str}``, optionally with 1-D ``"int_arrays"`` (int64), ``"bool_arrays"``
    (stored as uint8 0/1), ``"text_arrays"`` (sequences of str) and, for a table item,
    ``"columns"`` (the column names in order; see :func:`cramplab.io.write_table`).
truth : GroundTruth, optional
    The simulator's ground truth, stored as ``/truth`` (nothing is stored for None or an empty
    GroundTruth). Its activity must be empty or of the recording's shape and every sample index
    inside the recording; read it back with :func:`read_truth`.

Returns
-------
dict
    ``sample_type``, ``compression``, ``max_abs_error`` (0 unless float32), ``file_bytes``.

Raises
------
ValueError
    For bad options (deflate_level outside 1..9, chunk_s <= 0, unknown sample_type), a
    malformed derived item (message names the item and field), or a truth that does not fit the
    recording (message names the field, e.g. ``truth.activity`` or ``truth.pulses[3].sample``).
cramplab.IoError
    If the target exists and overwrite is False, or the directory does not exist.
cramplab.FormatError
    If sample_type='integer' but a channel's samples are not exact counts.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> rec = cramplab.Recording(np.zeros((2, 1000)), fs_hz=1000.0)
>>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
>>> report = cio.write(path, rec)
>>> report["sample_type"], report["compression"]
('float64', 'none')
>>> cio.write(path, rec)
Traceback (most recent call last):
...
cramplab._core.IoError: write: ... already exists (pass overwrite=true to replace it)
)doc");

  m.def(
      "read_header",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        io::FileHeader h;
        {
          py::gil_scoped_release nogil;
          h = io::read_header(path);
        }
        return header_dict(h);
      },
      py::arg("path"), R"doc(
The header of a CrampLab file without reading the samples.

Parameters
----------
path : str or os.PathLike

Returns
-------
dict
    ``format_version``, ``created_by``, ``fs_hz``, ``start_time_s``, ``n_channels``,
    ``n_samples``, ``duration_s``, ``sample_type`` (on disk), ``compression``, ``channels``
    (list of dicts with the BIDS-EMG fields; None for NaN), ``channel_names``, ``attributes``,
    ``derived`` (item paths such as ``"derived/bandpass"``), ``has_truth`` (the file has a
    ``/truth`` group).

Raises
------
cramplab.FormatError, cramplab.IoError
    As :func:`read`.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
>>> _ = cio.write(path, cramplab.Recording(np.ones((3, 500)), fs_hz=250.0))
>>> h = cio.read_header(path)
>>> h["n_channels"], h["duration_s"], h["channel_names"]
(3, 2.0, ['ch0', 'ch1', 'ch2'])
)doc");

  m.def(
      "read_truth",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        py::gil_scoped_release nogil;
        return io::read_truth(path);
      },
      py::arg("path"), R"doc(
The ground truth (``/truth``) of a simulated recording's file, read whole.

The truth is never cut to a window: whatever part of the samples :func:`read` reads, this returns
the activity of every sample and every pulse, train, burst and firing of the file.

Parameters
----------
path : str or os.PathLike

Returns
-------
GroundTruth

Raises
------
cramplab.FormatError
    If the file has no ``/truth`` (a real recording) or it is malformed: a missing column,
    columns of unequal length, a sample index outside the recording, activity of another shape
    or with unknown codes; the message names the file and the HDF5 object.
cramplab.IoError
    If the file does not exist or cannot be read.

See Also
--------
has_truth, write, cramplab.io.truth_tables

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "sim.h5")
>>> truth = cramplab.GroundTruth(attributes={"generator": "doc"}, activity=np.full((1, 10), 2, np.uint8),
...                              pulses={"sample": [1, 6]})
>>> _ = cio.write(path, cramplab.Recording(np.zeros((1, 10)), fs_hz=100.0), truth=truth)
>>> back = cio.read_truth(path)
>>> back.attributes, back.pulses["sample"], int(back.activity.max())
({'generator': 'doc'}, array([1, 6]), 2)
)doc");

  m.def(
      "has_truth",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        py::gil_scoped_release nogil;
        return io::has_truth(path);
      },
      py::arg("path"), R"doc(
True if the CrampLab file has a ``/truth`` group (a simulated recording).

Raises
------
cramplab.FormatError, cramplab.IoError
    As :func:`read_header`.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "real.h5")
>>> _ = cio.write(path, cramplab.Recording(np.zeros((1, 10)), fs_hz=100.0))
>>> cio.has_truth(path)
False
)doc");

  m.def(
      "write_derived",
      [](const py::handle& path_obj, const py::object& items) {
        const std::string path = as_path(path_obj);
        const auto list = derived_list(items);
        py::gil_scoped_release nogil;
        io::write_derived(path, list);
      },
      py::arg("path"), py::arg("items"), R"doc(
Add (or replace) derived items in an existing CrampLab file, atomically.

The file is copied to a temporary file, the items are written there, and the copy is renamed
over the original; the recording itself is not touched.

Parameters
----------
path : str or os.PathLike
items : dict or list of dict
    See ``derived`` in :func:`write`. An item with the path of an existing one replaces it.

Raises
------
ValueError
    For a malformed item (message names the item and field).
cramplab.FormatError, cramplab.IoError
    If the file is not a CrampLab file or cannot be written.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
>>> _ = cio.write(path, cramplab.Recording(np.ones((1, 100)), fs_hz=100.0))
>>> cio.write_derived(path, {"group": "metrics", "name": "rms", "arrays": {"values": [1.0, 2.0]},
...                          "parameters": {"window_s": 0.5}})
>>> cio.read_header(path)["derived"]
['metrics/rms']
)doc");

  m.def(
      "read_derived",
      [](const py::handle& path_obj, const std::string& item) {
        const std::string path = as_path(path_obj);
        io::DerivedItem d;
        {
          py::gil_scoped_release nogil;
          d = io::read_derived(path, item);
        }
        return derived_dict(d);
      },
      py::arg("path"), py::arg("item"), R"doc(
Read one derived item.

Parameters
----------
path : str or os.PathLike
item : str
    ``"derived/<name>"`` or ``"metrics/<name>"`` (see ``read_header(path)["derived"]``).

Returns
-------
dict
    ``group``, ``name``, ``arrays`` (float64; 1-D arrays for single-row data), ``int_arrays``
    (int64), ``bool_arrays`` (bool), ``text_arrays`` (object arrays of str), ``columns`` (a table
    item's column names in order, else empty; :func:`cramplab.io.read_table` makes the
    DataFrame), ``parameters`` (strings), ``library_version``, ``input_sha256``.

Raises
------
ValueError
    If the item does not exist (the message lists the items present).

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "rec.h5")
>>> _ = cio.write(path, cramplab.Recording(np.ones((1, 100)), fs_hz=100.0),
...               derived={"name": "rms", "group": "derived", "arrays": {"values": [[1.0, 2.0], [3.0, 4.0]]}})
>>> cio.read_derived(path, "derived/rms")["arrays"]["values"]
array([[1., 2.],
       [3., 4.]])
)doc");

  m.def(
      "_read_table_item",
      [](const py::handle& path_obj, const std::string& item) {
        const std::string path = as_path(path_obj);
        io::DerivedItem d;
        {
          py::gil_scoped_release nogil;
          d = io::read_derived(path, item);
          try {
            (void)io::item_table(d);  // the table rules of item_table (a listed column missing, bool cells 0/1, ...)
          } catch (const emg::FormatError& e) {
            throw emg::FormatError(path + ": " + e.what());
          }
        }
        return derived_dict(d);
      },
      py::arg("path"), py::arg("item"),
      "read_derived for a table item, checked as emg::io::item_table checks it (FormatError naming file and item); "
      "cramplab.io.read_table makes the DataFrame.");

  m.def(
      "validate_file",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        py::gil_scoped_release nogil;
        return io::validate_file(path);
      },
      py::arg("path"), R"doc(
Every structural problem of a CrampLab file (empty list = valid).

Checks root attributes, dtypes, shapes, channel tables, attribute lengths, finite samples,
event/stimulation ranges, derived items (table items: every listed column present, 1-D, of its
declared type, all of one length, no unlisted datasets) and the ground truth (``/truth``: columns, lengths,
sample ranges, activity shape and codes). Never raises for a malformed file.

Parameters
----------
path : str or os.PathLike

Returns
-------
list of str
    One ``"<object>: <problem>"`` line per problem.

Raises
------
cramplab.IoError
    Only if the file does not exist or cannot be opened at all.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> d = tempfile.mkdtemp()
>>> _ = cio.write(os.path.join(d, "ok.h5"), cramplab.Recording(np.ones((1, 10)), fs_hz=10.0))
>>> cio.validate_file(os.path.join(d, "ok.h5"))
[]
>>> with open(os.path.join(d, "bad.h5"), "w") as f:
...     _ = f.write("not hdf5")
>>> cio.validate_file(os.path.join(d, "bad.h5"))
['not an HDF5 file (no HDF5 signature)']
)doc");

  m.def(
      "is_cramplab_file",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        py::gil_scoped_release nogil;
        return io::is_cramplab_file(path);
      },
      py::arg("path"), R"doc(
True if ``path`` is an HDF5 file whose root attribute ``format`` is ``"cramplab"``.

Never raises (a missing or unreadable file is simply not a CrampLab file).

Examples
--------
>>> from cramplab._core import io as cio
>>> cio.is_cramplab_file("no-such-file.h5")
False
)doc");

  m.def(
      "sha256_file",
      [](const py::handle& path_obj) {
        const std::string path = as_path(path_obj);
        py::gil_scoped_release nogil;
        return io::sha256_file(path);
      },
      py::arg("path"), R"doc(
Lower-case hex SHA-256 of a file (FIPS 180-4), streamed; equals ``hashlib.sha256``.

Raises
------
cramplab.IoError
    If the file cannot be read.

Examples
--------
>>> import os, tempfile
>>> from cramplab._core import io as cio
>>> path = os.path.join(tempfile.mkdtemp(), "abc.txt")
>>> with open(path, "wb") as f:
...     _ = f.write(b"abc")
>>> cio.sha256_file(path)
'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
)doc");

  m.def(
      "data_sha256",
      [](const emg::Recording& rec) {
        py::gil_scoped_release nogil;
        return io::data_sha256(rec);
      },
      py::arg("recording"), R"doc(
SHA-256 of a recording's samples (float64 little-endian, channel after channel) followed by
``fs_hz`` as float64: the input checksum stored with derived items.

Equals ``hashlib.sha256(data.astype('<f8').tobytes() + np.float64(fs_hz).tobytes()).hexdigest()``.

Examples
--------
>>> import hashlib
>>> from cramplab._core import io as cio
>>> rec = cramplab.Recording(np.arange(6.0).reshape(2, 3), fs_hz=1000.0)
>>> expected = hashlib.sha256(rec.data.astype("<f8").tobytes() + np.float64(1000.0).tobytes()).hexdigest()
>>> cio.data_sha256(rec) == expected
True
)doc");

  m.def("_store_recording", &make_recording, py::arg("data"), py::kw_only(), py::arg("fs_hz"),
        py::arg("start_time_s") = 0.0, py::arg("channels") = py::none(), py::arg("events") = py::none(),
        py::arg("pulses") = std::vector<std::int64_t>{}, py::arg("trains") = py::none(),
        py::arg("history") = std::vector<std::string>{}, py::arg("attributes") = std::map<std::string, std::string>{},
        "Test/fixture helper: a Recording with channel metadata (dicts), events, stimulation, history, attributes.");
  m.def("_store_metadata", &recording_metadata, py::arg("recording"),
        "Test helper: every piece of a Recording's metadata as plain Python objects.");
}

}  // namespace cramplab
