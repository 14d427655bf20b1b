// emg::io importers/exporters (formats.hpp) and the quality summary (quality.hpp) into
// cramplab._core.io. C3D and NWB are handled in the pure-Python layer (cramplab.io).
#include "common.hpp"

#include <emg/io/formats.hpp>
#include <emg/quality.hpp>
#include <emg/recording.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cramplab {

namespace {

char as_delimiter(const std::optional<std::string>& delimiter, const char* function) {
  if (!delimiter) return 0;
  if (delimiter->size() != 1) {
    throw py::value_error(std::string(function) + ": delimiter='" + *delimiter +
                          "' must be a single character (e.g. ',', ';' or '\\t') or None to detect it");
  }
  return (*delimiter)[0];
}

emg::Recording import_file(const py::handle& path, const std::string& format, double fs_hz,
                           const std::optional<std::string>& delimiter, const std::optional<std::vector<long>>& columns,
                           const std::string& time_column, const std::string& units, const std::string& wraparound,
                           double min_fs_hz) {
  const std::string p = as_path(path);
  emg::io::ImportOptions opt;
  opt.format = emg::io::parse_format(format);
  opt.text.fs_hz = fs_hz;
  opt.text.delimiter = as_delimiter(delimiter, "import_file");
  if (columns) opt.text.columns = *columns;
  opt.text.time_column = time_column;
  opt.text.units = units;
  opt.wfdb.wraparound = wraparound;
  opt.min_fs_hz = min_fs_hz;
  py::gil_scoped_release nogil;
  return emg::io::import_file(p, opt);
}

py::dict export_file(const emg::Recording& recording, const py::handle& path, const std::string& format, bool overwrite,
                     const std::optional<std::string>& delimiter, int edf_digital_bits) {
  const std::string p = as_path(path);
  emg::io::ExportOptions opt;
  opt.format = emg::io::parse_format(format);
  opt.overwrite = overwrite;
  opt.delimiter = as_delimiter(delimiter, "export_file");
  opt.edf_digital_bits = edf_digital_bits;
  emg::io::ExportReport report;
  {
    py::gil_scoped_release nogil;
    report = emg::io::export_file(recording, p, opt);
  }
  py::dict d;
  d["format"] = report.format;
  d["path"] = p;
  d["max_abs_error"] = py::array_t<double>(static_cast<py::ssize_t>(report.max_abs_error.size()),
                                           report.max_abs_error.data());
  d["warnings"] = report.warnings;
  return d;
}

py::dict quality_columns(const emg::QualityReport& r) {
  py::list name, units, mn, mx, mean, rms, saturated, clipped, flat, dead, mains_hz, mains_db;
  for (const auto& c : r.channels) {
    name.append(c.name);
    units.append(c.units);
    mn.append(c.min);
    mx.append(c.max);
    mean.append(c.mean);
    rms.append(c.rms);
    saturated.append(c.saturated);
    clipped.append(c.clipped);
    flat.append(c.flat_fraction);
    dead.append(c.dead);
    mains_hz.append(c.mains_hz);
    mains_db.append(c.mains_db);
  }
  py::dict d;
  d["name"] = name;
  d["units"] = units;
  d["min"] = mn;
  d["max"] = mx;
  d["mean"] = mean;
  d["rms"] = rms;
  d["saturated"] = saturated;
  d["clipped"] = clipped;
  d["flat_fraction"] = flat;
  d["dead"] = dead;
  d["mains_hz"] = mains_hz;
  d["mains_db"] = mains_db;
  return d;
}

}  // namespace

void bind_io_formats(py::module_& m) {
  m.def("import_file", &import_file, py::arg("path"), py::kw_only(), py::arg("format") = "auto", py::arg("fs_hz") = 0.0,
        py::arg("delimiter") = py::none(), py::arg("columns") = py::none(), py::arg("time_column") = "auto",
        py::arg("units") = "", py::arg("wraparound") = "error", py::arg("min_fs_hz") = 0.0, R"doc(
Import a recording from a lab file (C++ readers: text, EDF/BDF, WFDB, OpenSignals, MAT, CrampLab).

Use :func:`cramplab.import_file`, which also reads C3D and NWB.

Parameters
----------
path : str or os.PathLike
    The file (for WFDB the ``.hea`` header). Never modified.
format : str, optional
    "auto" (magic bytes, then extension), "cramplab", "text"/"csv"/"tsv"/"txt", "edf", "bdf",
    "wfdb", "opensignals", "mat".
fs_hz : float, optional
    Sampling rate for files that do not state one (text without a time column, MAT); 0 = from the file.
delimiter : str, optional
    Text: one character; None = detect (tab, comma, semicolon, whitespace).
columns : sequence of int, optional
    Text: data columns to keep (counted after the time column); None = all.
time_column : str, optional
    Text: "auto", "none" or the name of the time column.
units : str, optional
    Text: units for every channel ("" = from the header).
wraparound : {"error", "unwrap", "keep"}, optional
    WFDB int16 wrap-around handling (default: refuse the file).
min_fs_hz : float, optional
    Refuse recordings sampled below this rate (0 = accept any).

Returns
-------
Recording
    With attributes ``source_file``, ``source_format``, ``source_sha256``.

Raises
------
cramplab.IoError
    If the file cannot be read.
cramplab.FormatError
    If it is malformed (the message names the file and, for text, the line).
ValueError
    For an unknown format name or bad option.

See Also
--------
cramplab.import_file, cramplab.read
)doc");

  m.def("export_file", &export_file, py::arg("recording"), py::arg("path"), py::kw_only(), py::arg("format") = "auto",
        py::arg("overwrite") = false, py::arg("delimiter") = py::none(), py::arg("edf_digital_bits") = 0, R"doc(
Export a recording to CSV/TSV, EDF+/BDF+ or CrampLab HDF5, atomically.

Use :func:`cramplab.export_file`, which also writes NWB.

Parameters
----------
recording : Recording
path : str or os.PathLike
    Output file; its directory must exist.
format : str, optional
    "auto" (from the extension), "text"/"csv"/"tsv", "edf", "bdf", "cramplab".
overwrite : bool, optional
    Replace an existing file (default: refuse with IoError).
delimiter : str, optional
    Text: one character; None = from the extension (.csv comma, else tab).
edf_digital_bits : int, optional
    EDF/BDF sample resolution; 0 = 16 for EDF, 24 for BDF.

Returns
-------
dict
    ``format``, ``path``, ``max_abs_error`` (per channel, channel units; 0 for lossless formats) and
    ``warnings`` (what the format could not hold).

Raises
------
cramplab.IoError
    If the file exists and overwrite is False, or the directory does not exist.
ValueError
    For an unknown format name or bad option.
)doc");

  m.def(
      "detect_format",
      [](const py::handle& path) {
        const std::string p = as_path(path);
        emg::io::Format f;
        {
          py::gil_scoped_release nogil;
          f = emg::io::detect_format(p);
        }
        return emg::io::format_name(f);
      },
      py::arg("path"), R"doc(
Format of a file from its magic bytes, then its extension.

Parameters
----------
path : str or os.PathLike

Returns
-------
str
    "cramplab", "text", "edf", "bdf", "wfdb", "opensignals", "mat", "c3d" or "nwb".

Raises
------
cramplab.IoError
    If the file cannot be read.
cramplab.FormatError
    If it is empty or of no known format.
)doc");

  py::class_<emg::ChannelQuality>(m, "ChannelQuality", "Signal-quality summary of one channel.")
      .def_readonly("name", &emg::ChannelQuality::name)
      .def_readonly("units", &emg::ChannelQuality::units)
      .def_readonly("min", &emg::ChannelQuality::min)
      .def_readonly("max", &emg::ChannelQuality::max)
      .def_readonly("mean", &emg::ChannelQuality::mean)
      .def_readonly("rms", &emg::ChannelQuality::rms)
      .def_readonly("saturated", &emg::ChannelQuality::saturated)
      .def_readonly("clipped", &emg::ChannelQuality::clipped)
      .def_readonly("flat_fraction", &emg::ChannelQuality::flat_fraction)
      .def_readonly("dead", &emg::ChannelQuality::dead)
      .def_readonly("mains_hz", &emg::ChannelQuality::mains_hz)
      .def_readonly("mains_db", &emg::ChannelQuality::mains_db);

  py::class_<emg::QualityReport>(m, "QualityReport", "Signal-quality summary of a recording.")
      .def_readonly("fs_hz", &emg::QualityReport::fs_hz)
      .def_readonly("n_samples", &emg::QualityReport::n_samples)
      .def_readonly("duration_s", &emg::QualityReport::duration_s)
      .def_readonly("channels", &emg::QualityReport::channels)
      .def("columns", &quality_columns,
           "Per-channel results as a dict of equal-length lists (``pandas.DataFrame(report.columns())``).");

  m.def(
      "quality_report",
      [](const emg::Recording& recording, double flat_run_s, double dead_rms_ratio, double clip_run_samples) {
        emg::QualityParams p;
        p.flat_run_s = flat_run_s;
        p.dead_rms_ratio = dead_rms_ratio;
        p.clip_run_samples = clip_run_samples;
        py::gil_scoped_release nogil;
        return emg::quality_report(recording, p);
      },
      py::arg("recording"), py::kw_only(), py::arg("flat_run_s") = emg::QualityParams{}.flat_run_s,
      py::arg("dead_rms_ratio") = emg::QualityParams{}.dead_rms_ratio,
      py::arg("clip_run_samples") = emg::QualityParams{}.clip_run_samples, R"doc(
Signal-quality summary: ranges, saturation and clipping counts, flat or dead channels, mains level.

Use :func:`cramplab.quality_report`, which returns a pandas DataFrame.

Parameters
----------
recording : Recording
flat_run_s : float, optional
    Runs of identical samples at least this long count as flat (default 0.1 s).
dead_rms_ratio : float, optional
    A channel with RMS below this fraction of the median channel RMS is dead (default 1e-3).
clip_run_samples : float, optional
    Runs of at least this many samples at the channel's own min or max count as clipping (default 3).

Returns
-------
QualityReport
    ``fs_hz``, ``n_samples``, ``duration_s`` and one ChannelQuality per channel; ``columns()``
    gives a dict for pandas.

Raises
------
ValueError
    If a parameter is out of range.
)doc");
}

}  // namespace cramplab
