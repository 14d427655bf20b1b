// Format dispatch: magic bytes decide (a .csv that is really EDF is read as EDF), the extension
// only where a format has no magic (WFDB headers, NWB without h5 probing, text).
#include <emg/errors.hpp>
#include <emg/io/checksum.hpp>
#include <emg/io/edf.hpp>
#include <emg/io/formats.hpp>
#include <emg/io/matlab.hpp>
#include <emg/io/opensignals.hpp>
#include <emg/io/store.hpp>
#include <emg/io/wfdb.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace emg::io {

namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string extension(const std::string& path) { return lower(fs::path(path).extension().string()); }

std::string hex_bytes(const std::string& bytes, std::size_t n) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < bytes.size() && i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned char>(bytes[i]));
    out += (i ? " " : "") + std::string(buf);
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

const std::string kHdf5Sig("\x89HDF\r\n\x1a\n", 8);

// Text: no NUL bytes and mostly printable (UTF-8 multibyte sequences count as printable).
bool looks_like_text(const std::string& head) {
  if (head.empty()) return false;
  std::size_t bad = 0;
  for (unsigned char c : head) {
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v') ++bad;
  }
  return bad * 100 <= head.size();
}

const char* kNames = "auto, cramplab, text (csv, tsv, txt), edf, bdf, wfdb, opensignals, mat, c3d, nwb";

}  // namespace

Format parse_format(const std::string& name) {
  const std::string n = lower(name);
  if (n == "auto") return Format::Auto;
  if (n == "cramplab" || n == "h5" || n == "hdf5") return Format::Cramplab;
  if (n == "text" || n == "csv" || n == "tsv" || n == "txt") return Format::Text;
  if (n == "edf" || n == "edf+") return Format::Edf;
  if (n == "bdf" || n == "bdf+") return Format::Bdf;
  if (n == "wfdb") return Format::Wfdb;
  if (n == "opensignals" || n == "plux") return Format::OpenSignals;
  if (n == "mat" || n == "matlab") return Format::Matlab;
  if (n == "c3d") return Format::C3d;
  if (n == "nwb") return Format::Nwb;
  detail::fail_param("parse_format", "format", "\"" + name + "\"", std::string("is not one of ") + kNames);
}

std::string format_name(Format format) {
  switch (format) {
    case Format::Auto: return "auto";
    case Format::Cramplab: return "cramplab";
    case Format::Text: return "text";
    case Format::Edf: return "edf";
    case Format::Bdf: return "bdf";
    case Format::Wfdb: return "wfdb";
    case Format::OpenSignals: return "opensignals";
    case Format::Matlab: return "mat";
    case Format::C3d: return "c3d";
    case Format::Nwb: return "nwb";
  }
  return "unknown";
}

Format detect_format(const std::string& path) {
  constexpr const char* kFn = "detect_format";
  std::error_code ec;
  const std::string ext = extension(path);
  // A WFDB record may be named by its .hea, by its .dat, or without extension.
  if (ext == ".hea") {
    if (!fs::exists(path, ec)) throw IoError(std::string(kFn) + ": cannot open '" + path + "': no such file");
    return Format::Wfdb;
  }
  if (fs::is_directory(path, ec)) throw IoError(std::string(kFn) + ": '" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (ext.empty() && fs::exists(path + ".hea", ec)) return Format::Wfdb;
    throw IoError(std::string(kFn) + ": cannot open '" + path + "': " + std::strerror(errno));
  }
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw IoError(std::string(kFn) + ": error while reading '" + path + "'");
  if (head.empty()) throw FormatError(std::string(kFn) + ": " + path + ": empty file");

  // MAT v7.3 is HDF5 behind a 512-byte MATLAB text header: check MATLAB before HDF5.
  if (starts_with(head, "MATLAB 5.0 MAT-file") || starts_with(head, "MATLAB 7.3 MAT-file")) return Format::Matlab;
  if (starts_with(head, kHdf5Sig)) {
    if (is_cramplab_file(path)) return Format::Cramplab;
    if (is_opensignals_file(path)) return Format::OpenSignals;
    if (ext == ".nwb") return Format::Nwb;
    throw FormatError(std::string(kFn) + ": " + path + ": HDF5 file but neither CrampLab nor OpenSignals layout");
  }
  if (head.size() >= 8 && head.compare(0, 8, "0       ") == 0) return Format::Edf;
  if (head.size() >= 8 && head.compare(0, 8, std::string("\xFF" "BIOSEMI", 8)) == 0) return Format::Bdf;
  if (head.size() >= 2 && static_cast<unsigned char>(head[1]) == 0x50 && ext == ".c3d") return Format::C3d;
  if (ext == ".dat") {
    const auto hea = fs::path(path).replace_extension(".hea");
    if (fs::exists(hea, ec)) return Format::Wfdb;
  }
  if (ext == ".nwb") return Format::Nwb;
  if (looks_like_text(head)) return Format::Text;
  throw FormatError(std::string(kFn) + ": " + path + ": unknown format (first bytes: " + hex_bytes(head, 16) +
                    "); supported: CrampLab/OpenSignals HDF5, EDF/BDF, WFDB, MAT v5, C3D, NWB, text tables");
}

Recording import_file(const std::string& path, const ImportOptions& options) {
  constexpr const char* kFn = "import_file";
  if (!std::isfinite(options.min_fs_hz) || options.min_fs_hz < 0.0) {
    detail::fail_param(kFn, "min_fs_hz", detail::fmt(options.min_fs_hz), "must be finite and >= 0");
  }
  const Format format = options.format == Format::Auto ? detect_format(path) : options.format;
  std::string source = path;
  Recording rec = [&]() -> Recording {
    switch (format) {
      case Format::Text: return read_text(path, options.text);
      case Format::Edf:
      case Format::Bdf: return read_edf(path);
      case Format::Wfdb: {
        // the checksum covers the signal file, which holds the samples
        fs::path p(path);
        if (lower(p.extension().string()) == ".hea" || p.extension().empty()) p.replace_extension(".dat");
        source = p.string();
        return read_wfdb(path, options.wfdb);
      }
      case Format::OpenSignals: return read_opensignals(path);
      case Format::Matlab: return read_matlab(path, options.text.fs_hz);
      case Format::Cramplab: return read(path);
      case Format::C3d:
        throw FormatError(std::string(kFn) + ": " + path + ": C3D files are read by the Python layer: cramplab.import_file (ezc3d)");
      case Format::Nwb:
        throw FormatError(std::string(kFn) + ": " + path + ": NWB files are read by the Python layer: cramplab.import_file (pynwb)");
      case Format::Auto: break;
    }
    throw FormatError(std::string(kFn) + ": " + path + ": no reader for format " + format_name(format));
  }();
  if (options.min_fs_hz > 0.0 && rec.fs_hz() < options.min_fs_hz) {
    throw FormatError(std::string(kFn) + ": " + path + ": sampling rate " + detail::fmt(rec.fs_hz()) +
                      " Hz is below min_fs_hz=" + detail::fmt(options.min_fs_hz) +
                      " Hz (EMG analysis needs at least this rate; pass min_fs_hz=0 to import anyway)");
  }
  const std::string name = fs::path(path).filename().string();
  // A CrampLab file keeps the provenance of its original import.
  if (format != Format::Cramplab || rec.attributes().count("source_file") == 0) {
    rec.set_attribute("source_file", fs::path(source).filename().string());
    rec.set_attribute("source_format", format_name(format));
    rec.set_attribute("source_sha256", sha256_file(source));
  }
  rec.append_history("import " + format_name(format) + " " + name);
  return rec;
}

ExportReport export_file(const Recording& recording, const std::string& path, const ExportOptions& options) {
  constexpr const char* kFn = "export_file";
  const std::string ext = extension(path);
  Format format = options.format;
  if (format == Format::Auto) {
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
      format = Format::Text;
    } else if (ext == ".edf") {
      format = Format::Edf;
    } else if (ext == ".bdf") {
      format = Format::Bdf;
    } else if (ext == ".h5" || ext == ".hdf5" || ext == ".cramplab") {
      format = Format::Cramplab;
    } else if (ext == ".nwb") {
      format = Format::Nwb;
    } else {
      detail::fail_param(kFn, "path", "\"" + path + "\"",
                         "has no export extension (.csv, .tsv, .txt, .edf, .bdf, .h5, .nwb); pass format");
    }
  }
  if (options.edf_digital_bits != 0 &&
      !((format == Format::Edf && options.edf_digital_bits == 16) || (format == Format::Bdf && options.edf_digital_bits == 24))) {
    detail::fail_param(kFn, "edf_digital_bits", std::to_string(options.edf_digital_bits),
                       "must be 0, 16 (EDF) or 24 (BDF) for the chosen format");
  }
  ExportReport report;
  report.format = format_name(format);
  const std::vector<double> lossless(static_cast<std::size_t>(recording.n_channels()), 0.0);
  switch (format) {
    case Format::Text: {
      char d = options.delimiter;
      if (d == 0) d = ext == ".csv" ? ',' : '\t';
      write_text(path, recording, d, options.overwrite);
      report.max_abs_error = lossless;
      if (!recording.events().empty() || !recording.stimulation().pulses.empty() || !recording.stimulation().trains.empty()) {
        report.warnings.push_back("events and stimulation are not stored in text tables");
      }
      if (!recording.attributes().empty()) report.warnings.push_back("recording attributes are not stored in text tables");
      break;
    }
    case Format::Edf:
    case Format::Bdf: {
      auto r = write_edf(recording, path, format == Format::Bdf, options.overwrite);
      report.max_abs_error = std::move(r.max_abs_error);
      report.warnings = std::move(r.warnings);
      break;
    }
    case Format::Cramplab: {
      WriteOptions wo;
      wo.overwrite = options.overwrite;
      const auto r = write(path, recording, wo);
      report.max_abs_error.assign(static_cast<std::size_t>(recording.n_channels()), r.max_abs_error);
      break;
    }
    case Format::Nwb:
      throw FormatError(std::string(kFn) + ": " + path + ": NWB files are written by the Python layer: cramplab.export_file (pynwb)");
    default:
      detail::fail_param(kFn, "format", "\"" + format_name(format) + "\"", "cannot be exported (text, edf, bdf, cramplab, nwb)");
  }
  return report;
}

}  // namespace emg::io
