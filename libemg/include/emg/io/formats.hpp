// Import from and export to the file formats labs use. Import never modifies its source; every
// export is atomic (temporary file + rename).
#pragma once

#include <emg/io/text.hpp>
#include <emg/recording.hpp>

#include <string>
#include <vector>

namespace emg::io {

enum class Format { Auto, Cramplab, Text, Edf, Bdf, Wfdb, OpenSignals, Matlab, C3d, Nwb };

/// "auto", "cramplab", "text" (also "csv", "tsv", "txt"), "edf", "bdf", "wfdb", "opensignals",
/// "mat", "c3d", "nwb" -> Format; InvalidArgument listing the names otherwise.
Format parse_format(const std::string& name);
std::string format_name(Format format);

/// Format of a file from its magic bytes, then its extension: HDF5 signature + format attribute
/// (cramplab / OpenSignals), "0       " (EDF), "\xFFBIOSEMI" (BDF), "MATLAB 5.0 MAT-file" (MAT),
/// C3D parameter-block byte, ".hea" (WFDB), ".nwb", else text if the first bytes are printable.
/// IoError if the file cannot be read; FormatError naming the file if it is empty or unknown.
Format detect_format(const std::string& path);

/// How WFDB int16 wrap-around (a jump of more than half the ADC range between neighbours) is
/// handled: "error" (FormatError with the count and first sample), "unwrap" (add/subtract 2^16
/// counts to undo it; recorded in the history), "keep" (import as stored; a warning attribute).
struct WfdbOptions {
  std::string wraparound = "error";
};

struct ImportOptions {
  Format format = Format::Auto;
  TextReadOptions text;          ///< text tables: fs_hz, delimiter, columns, time column, units
  WfdbOptions wfdb;
  double min_fs_hz = 0.0;        ///< refuse recordings sampled below this (e.g. 200 for EMG analysis)
};

/// Import any supported file (C3D and NWB are read in the Python layer; here they give a
/// FormatError that says so). Sets attributes source_file, source_format, source_sha256.
Recording import_file(const std::string& path, const ImportOptions& options = {});

struct ExportOptions {
  Format format = Format::Auto;  ///< Auto = from the output extension
  bool overwrite = false;
  char delimiter = 0;            ///< text: 0 = from extension (.csv comma, else tab)
  int edf_digital_bits = 0;      ///< EDF/BDF: 0 = 16 for EDF, 24 for BDF
};

struct ExportReport {
  std::string format;
  /// Per channel: largest |exported - original| in channel units (EDF/BDF quantisation); 0 for
  /// lossless formats.
  std::vector<double> max_abs_error;
  std::vector<std::string> warnings;  ///< e.g. events or metadata the format cannot hold
};

/// Export to text (CSV/TSV), EDF/EDF+, BDF/BDF+ or CrampLab HDF5 (NWB lives in Python).
ExportReport export_file(const Recording& recording, const std::string& path, const ExportOptions& options = {});

}  // namespace emg::io
