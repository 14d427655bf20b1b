// MATLAB MAT files through libmatio. MAT files carry no schema, so the layout is recognised from
// variable names and shapes: a numeric matrix (the samples) and a scalar sampling rate, either at
// the top level or as fields of a 1 x 1 struct (emgGO: EMG.channelData + EMG.fs). Sizes are checked
// from the variable headers before any data are read, so a hostile header cannot exhaust memory.
#include <emg/errors.hpp>
#include <emg/io/matlab.hpp>

#include "detail/check.hpp"

#include <matio.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace emg::io {

namespace {

constexpr const char* kFn = "read_matlab";
constexpr long kMaxChannels = 65536;
constexpr std::size_t kMaxVariables = 100000;
constexpr int kMaxDepth = 4;

// libmatio reports problems through its log function; keep the last one for our message instead
// of letting it print.
thread_local std::string g_last_matio_message;

void matio_log(int /*level*/, char* message) {
  if (message) g_last_matio_message = message;
}

void quiet_matio() {
  static const bool once = [] {
    Mat_LogInitFunc("cramplab", matio_log);
    return true;
  }();
  (void)once;
}

[[noreturn]] void format_error(const std::string& path, const std::string& what) {
  throw FormatError(std::string(kFn) + ": " + path + ": " + what);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct VarDeleter {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};
using VarPtr = std::unique_ptr<matvar_t, VarDeleter>;

struct MatDeleter {
  void operator()(mat_t* m) const { Mat_Close(m); }
};

double n_elements(const matvar_t* v) {
  if (!v || v->rank < 0 || !v->dims) return 0.0;
  double n = 1.0;
  for (int i = 0; i < v->rank; ++i) n *= static_cast<double>(v->dims[i]);
  return n;
}

bool is_numeric_class(matio_classes c) {
  return c == MAT_C_DOUBLE || c == MAT_C_SINGLE || (c >= MAT_C_INT8 && c <= MAT_C_UINT64);
}

bool is_integer_class(matio_classes c) { return c >= MAT_C_INT8 && c <= MAT_C_UINT64; }

const char* class_name(matio_classes c) {
  switch (c) {
    case MAT_C_EMPTY: return "empty";
    case MAT_C_CELL: return "cell";
    case MAT_C_STRUCT: return "struct";
    case MAT_C_OBJECT: return "object";
    case MAT_C_CHAR: return "char";
    case MAT_C_SPARSE: return "sparse";
    case MAT_C_DOUBLE: return "double";
    case MAT_C_SINGLE: return "single";
    case MAT_C_INT8: return "int8";
    case MAT_C_UINT8: return "uint8";
    case MAT_C_INT16: return "int16";
    case MAT_C_UINT16: return "uint16";
    case MAT_C_INT32: return "int32";
    case MAT_C_UINT32: return "uint32";
    case MAT_C_INT64: return "int64";
    case MAT_C_UINT64: return "uint64";
    case MAT_C_FUNCTION: return "function";
    case MAT_C_OPAQUE: return "opaque";
  }
  return "unknown";
}

std::string dims_text(const matvar_t* v) {
  if (!v->dims || v->rank <= 0) return "?";
  std::string s;
  for (int i = 0; i < v->rank; ++i) s += (i ? "x" : "") + std::to_string(v->dims[i]);
  return s;
}

// Children of a struct or cell (nullptr entries possible); empty for anything else.
std::vector<matvar_t*> children(const matvar_t* v) {
  std::vector<matvar_t*> out;
  if (!v || !v->data) return out;
  if (v->class_type == MAT_C_STRUCT) {
    const double n = n_elements(v) * static_cast<double>(Mat_VarGetNumberOfFields(const_cast<matvar_t*>(v)));
    if (n > 1e7) return out;
    auto** items = static_cast<matvar_t**>(v->data);
    out.assign(items, items + static_cast<std::size_t>(n));
  } else if (v->class_type == MAT_C_CELL) {
    const double n = n_elements(v);
    if (n > 1e7) return out;
    auto** items = static_cast<matvar_t**>(v->data);
    out.assign(items, items + static_cast<std::size_t>(n));
  }
  return out;
}

// Elements a variable will occupy once read (recursing into structs and cells of the header).
double total_elements(const matvar_t* v, int depth) {
  if (!v) return 0.0;
  if (depth > 16) return std::numeric_limits<double>::infinity();
  double n = n_elements(v);
  for (const auto* c : children(v)) n += total_elements(c, depth + 1);
  return n;
}

std::string describe(const matvar_t* v, int depth) {
  std::string s = std::string(v->name ? v->name : "?") + " (" + class_name(v->class_type) + " " + dims_text(v);
  if (v->class_type == MAT_C_STRUCT && depth < 2 && n_elements(v) == 1.0) {
    std::string inner;
    for (const auto* c : children(v)) {
      if (c) inner += (inner.empty() ? "" : ", ") + describe(c, depth + 1);
    }
    if (!inner.empty()) s += ": " + inner;
  }
  return s + ")";
}

// A string from a char array (ASCII / UTF-8 bytes or UTF-16 code units below 128).
bool char_text(const matvar_t* v, std::string& out) {
  if (!v || v->class_type != MAT_C_CHAR || !v->data) return false;
  const double n = n_elements(v);
  if (v->rank != 2 || v->dims[0] > 1 || n > 4096) return false;
  out.clear();
  const auto count = static_cast<std::size_t>(n);
  if (v->data_size == 1) {
    const auto* p = static_cast<const unsigned char*>(v->data);
    for (std::size_t i = 0; i < count; ++i) out += static_cast<char>(p[i]);
  } else if (v->data_size == 2) {
    const auto* p = static_cast<const std::uint16_t*>(v->data);
    for (std::size_t i = 0; i < count; ++i) out += p[i] < 128 ? static_cast<char>(p[i]) : '?';
  } else {
    return false;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return true;
}

double element(const matvar_t* v, std::size_t i) {
  switch (v->class_type) {
    case MAT_C_DOUBLE: return static_cast<const double*>(v->data)[i];
    case MAT_C_SINGLE: return static_cast<double>(static_cast<const float*>(v->data)[i]);
    case MAT_C_INT8: return static_cast<const std::int8_t*>(v->data)[i];
    case MAT_C_UINT8: return static_cast<const std::uint8_t*>(v->data)[i];
    case MAT_C_INT16: return static_cast<const std::int16_t*>(v->data)[i];
    case MAT_C_UINT16: return static_cast<const std::uint16_t*>(v->data)[i];
    case MAT_C_INT32: return static_cast<const std::int32_t*>(v->data)[i];
    case MAT_C_UINT32: return static_cast<const std::uint32_t*>(v->data)[i];
    case MAT_C_INT64: return static_cast<double>(static_cast<const std::int64_t*>(v->data)[i]);
    case MAT_C_UINT64: return static_cast<double>(static_cast<const std::uint64_t*>(v->data)[i]);
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

// matio's data_size must match the class, or the buffer is not what we index into.
bool data_matches_class(const matvar_t* v) {
  std::size_t want = 0;
  switch (v->class_type) {
    case MAT_C_DOUBLE: case MAT_C_INT64: case MAT_C_UINT64: want = 8; break;
    case MAT_C_SINGLE: case MAT_C_INT32: case MAT_C_UINT32: want = 4; break;
    case MAT_C_INT16: case MAT_C_UINT16: want = 2; break;
    case MAT_C_INT8: case MAT_C_UINT8: want = 1; break;
    default: return false;
  }
  if (static_cast<std::size_t>(v->data_size) != want) return false;
  return v->nbytes >= want * static_cast<std::size_t>(n_elements(v));
}

bool is_real_numeric(const matvar_t* v) {
  return v && is_numeric_class(v->class_type) && !v->isComplex && !v->isLogical && v->rank == 2 && v->data &&
         data_matches_class(v);
}

bool is_scalar_number(const matvar_t* v, double& value) {
  if (!is_real_numeric(v) || n_elements(v) != 1.0) return false;
  value = element(v, 0);
  return true;
}

bool name_in(const std::string& name, std::initializer_list<const char*> set) {
  const std::string n = lower(name);
  for (const char* s : set) {
    if (n == s) return true;
  }
  return false;
}

bool is_fs_name(const std::string& n) {
  return name_in(n, {"fs", "fs_hz", "fsamp", "srate", "sf", "samplingrate", "sampling_rate", "samplerate", "sample_rate",
                     "samplingfrequency", "sampling_frequency", "samplefrequency", "sample_frequency", "freq_hz", "rate"});
}
bool is_data_name(const std::string& n) {
  return name_in(n, {"data", "emg", "emgdata", "emg_data", "channeldata", "channel_data", "signal", "signals", "samples",
                     "values", "raw", "x"});
}
bool is_time_name(const std::string& n) { return name_in(n, {"t", "time", "time_s", "times", "timestamps", "timestamp"}); }
bool is_names_name(const std::string& n) {
  return name_in(n, {"names", "labels", "channelnames", "channel_names", "channellabels", "channel_labels", "chanlabels",
                     "chan_names", "channels", "label"});
}
bool is_duration_name(const std::string& n) { return name_in(n, {"duration", "duration_s", "dur"}); }

// The variables one layout is looked for in: the top level, or the fields of one 1 x 1 struct.
struct Scope {
  std::string prefix;  // "" or "EMG."
  std::vector<const matvar_t*> vars;
};

void collect_scopes(const std::string& prefix, const std::vector<const matvar_t*>& vars, int depth, std::vector<Scope>& out) {
  out.push_back({prefix, vars});
  if (depth >= kMaxDepth) return;
  for (const auto* v : vars) {
    if (v && v->class_type == MAT_C_STRUCT && n_elements(v) == 1.0 && v->name) {
      std::vector<const matvar_t*> fields;
      for (const auto* c : children(v)) fields.push_back(c);
      collect_scopes(prefix + v->name + ".", fields, depth + 1, out);
    }
  }
}

struct Layout {
  const Scope* scope = nullptr;
  const matvar_t* data = nullptr;
  double fs = 0.0;
  std::string fs_name;
};

Layout find_layout(const Scope& s) {
  Layout l;
  l.scope = &s;
  double best = 0.0;
  for (const auto* v : s.vars) {
    if (!v || !v->name) continue;
    double value = 0.0;
    if (is_fs_name(v->name) && is_scalar_number(v, value) && l.fs_name.empty()) {
      l.fs = value;
      l.fs_name = s.prefix + v->name;
    }
    if (!is_real_numeric(v) || n_elements(v) < 2.0 || is_time_name(v->name)) continue;
    const double score = n_elements(v) + (is_data_name(v->name) ? 1e30 : 0.0);
    if (score > best) {
      best = score;
      l.data = v;
    }
  }
  return l;
}

// Index of the time axis of an r x c matrix (0 = rows are samples).
int time_axis(const Scope& s, const matvar_t* data, double fs, std::string& why) {
  const double r = static_cast<double>(data->dims[0]);
  const double c = static_cast<double>(data->dims[1]);
  if (r == 1.0) return 1;
  if (c == 1.0) return 0;
  for (const auto* v : s.vars) {
    if (!v || !v->name || v == data) continue;
    if (is_time_name(v->name) && is_real_numeric(v)) {
      const double n = n_elements(v);
      if ((n == r) != (n == c)) {
        why = "time vector " + s.prefix + v->name;
        return n == r ? 0 : 1;
      }
    }
    double dur = 0.0;
    if (fs > 0.0 && is_duration_name(v->name) && is_scalar_number(v, dur)) {
      const double n = std::round(fs * dur);
      const bool rows = std::abs(n - r) <= 1.0, cols = std::abs(n - c) <= 1.0;
      if (rows != cols) {
        why = "fs x " + s.prefix + v->name;
        return rows ? 0 : 1;
      }
    }
  }
  if (r == c) {
    why = "square matrix: assumed samples x channels (MATLAB convention)";
    return 0;
  }
  why = "longer axis";
  return r > c ? 0 : 1;
}

std::vector<std::string> channel_names(const Scope& s, long n_channels) {
  for (const auto* v : s.vars) {
    if (!v || !v->name || !is_names_name(v->name) || v->class_type != MAT_C_CELL) continue;
    const auto items = children(v);
    if (static_cast<long>(items.size()) != n_channels) continue;
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto* item : items) {
      std::string text;
      if (!char_text(item, text) || text.empty() || !seen.insert(text).second) break;
      names.push_back(text);
    }
    if (static_cast<long>(names.size()) == n_channels) return names;
  }
  return {};
}

std::string units_of(const Scope& s) {
  for (const auto* v : s.vars) {
    std::string text;
    if (v && v->name && name_in(v->name, {"units", "unit"}) && char_text(v, text)) return text;
  }
  return "";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

void integer_limits(matio_classes c, double& lo, double& hi) {
  switch (c) {
    case MAT_C_INT8: lo = -128.0; hi = 127.0; break;
    case MAT_C_UINT8: lo = 0.0; hi = 255.0; break;
    case MAT_C_INT16: lo = -32768.0; hi = 32767.0; break;
    case MAT_C_UINT16: lo = 0.0; hi = 65535.0; break;
    case MAT_C_INT32: lo = -2147483648.0; hi = 2147483647.0; break;
    case MAT_C_UINT32: lo = 0.0; hi = 4294967295.0; break;
    case MAT_C_INT64: lo = -9223372036854775808.0; hi = 9223372036854775807.0; break;
    default: lo = 0.0; hi = 18446744073709551615.0; break;
  }
}

// MAT v5: after the 128-byte header come tagged top-level elements (type, byte count). libmatio
// reads a cut-off compressed variable without complaint, so check that every element fits the file.
void check_v5_elements(const std::string& path, std::uintmax_t size) {
  std::ifstream in(path, std::ios::binary);
  char hdr[128];
  in.read(hdr, sizeof hdr);
  if (in.gcount() < 128) format_error(path, "truncated or not a MAT file: shorter than the 128-byte MAT header");
  const std::string magic(hdr, 10);
  if (magic == "MATLAB 7.3") return;  // HDF5 inside: libmatio checks it
  if (magic != "MATLAB 5.0") {
    std::string shown = magic;
    for (auto& c : shown) c = (c >= 0x20 && c < 0x7f) ? c : '?';
    format_error(path, "not a MAT v5 / v7.3 file (no 'MATLAB 5.0 MAT-file' text header; file starts '" + shown + "')");
  }
  bool swap = false;
  if (hdr[126] == 'M' && hdr[127] == 'I') {
    swap = true;
  } else if (!(hdr[126] == 'I' && hdr[127] == 'M')) {
    format_error(path, "MAT header has no endian indicator ('IM' or 'MI' at byte 126)");
  }
  auto u32 = [&](const unsigned char* b) {
    return swap ? (std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3])
                : (std::uint32_t{b[3]} << 24 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[1]} << 8 | b[0]);
  };
  std::uintmax_t pos = 128;
  long index = 0;
  while (pos + 8 <= size) {
    unsigned char tag[8];
    in.seekg(static_cast<std::streamoff>(pos));
    in.read(reinterpret_cast<char*>(tag), 8);
    if (in.gcount() < 8) break;
    const std::uint32_t type = u32(tag), nbytes = u32(tag + 4);
    if (type != 14 && type != 15) {
      format_error(path, "top-level element " + std::to_string(index) + " at byte " + std::to_string(pos) +
                             " has type " + std::to_string(type) + ", not a variable (miMATRIX 14 / miCOMPRESSED 15)");
    }
    std::uintmax_t end = pos + 8 + nbytes;
    if (end > size) {
      format_error(path, "truncated: variable " + std::to_string(index) + " at byte " + std::to_string(pos) + " declares " +
                             std::to_string(nbytes) + " bytes but the file ends " + std::to_string(size - pos - 8) +
                             " bytes after its tag");
    }
    if (type == 14) end = (end + 7) / 8 * 8;
    pos = end;
    ++index;
  }
}

}  // namespace

Recording read_matlab(const std::string& path, double fs_hz) {
  if (fs_hz != 0.0 && (!std::isfinite(fs_hz) || fs_hz < 0.0)) {
    detail::fail_param(kFn, "fs_hz", detail::fmt(fs_hz), "must be finite and > 0 (or 0 to read it from the file)");
  }
  quiet_matio();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(std::string(kFn) + ": '" + path + "' is a directory, not a file");
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw IoError(std::string(kFn) + ": cannot open '" + path + "'");
  }
  const auto file_bytes = std::filesystem::file_size(path, ec);
  if (ec) throw IoError(std::string(kFn) + ": cannot stat '" + path + "': " + ec.message());
  if (file_bytes == 0) format_error(path, "empty file");

  check_v5_elements(path, file_bytes);
  g_last_matio_message.clear();
  std::unique_ptr<mat_t, MatDeleter> mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (!mat) {
    format_error(path, "not a MAT file libmatio can read" +
                           (g_last_matio_message.empty() ? std::string() : " (" + g_last_matio_message + ")"));
  }
  const std::string header = Mat_GetHeader(mat.get()) ? Mat_GetHeader(mat.get()) : "";

  // Headers first: refuse declared sizes that no file of this size can hold. Deflate expands at
  // most ~1032:1, so a real file cannot hold more elements than that per file byte.
  const double budget = 1032.0 * static_cast<double>(file_bytes) + 1e6;
  std::vector<std::string> names;
  double declared = 0.0;
  while (true) {
    VarPtr info(Mat_VarReadNextInfo(mat.get()));
    if (!info) break;
    if (names.size() >= kMaxVariables) format_error(path, "more than " + std::to_string(kMaxVariables) + " variables");
    declared += total_elements(info.get(), 0);
    if (!(declared <= budget)) {
      format_error(path, "variable '" + std::string(info->name ? info->name : "?") + "' declares " + dims_text(info.get()) +
                             " elements, more than a " + std::to_string(file_bytes) + "-byte file can hold");
    }
    names.emplace_back(info->name ? info->name : "");
  }
  std::vector<VarPtr> vars;
  for (const auto& name : names) {
    if (name.empty()) continue;
    g_last_matio_message.clear();
    VarPtr v(Mat_VarRead(mat.get(), name.c_str()));
    if (!v) {
      format_error(path, "cannot read variable '" + name + "'" +
                             (g_last_matio_message.empty() ? std::string(" (truncated or corrupt file?)") : " (" + g_last_matio_message + ")"));
    }
    vars.push_back(std::move(v));
  }
  std::vector<const matvar_t*> top;
  for (const auto& v : vars) top.push_back(v.get());
  std::vector<Scope> scopes;
  collect_scopes("", top, 0, scopes);

  // Prefer a scope that holds both the samples and their rate.
  Layout chosen;
  for (const auto& s : scopes) {
    const Layout l = find_layout(s);
    if (l.data && !l.fs_name.empty()) {
      chosen = l;
      break;
    }
    if (l.data && !chosen.data) chosen = l;
  }
  if (!chosen.data) {
    std::vector<std::string> found;
    for (const auto* v : top) found.push_back(describe(v, 0));
    format_error(path, "no numeric matrix with at least 2 real samples found (a matrix plus a scalar fs, or a struct "
                       "holding them); variables: " + (found.empty() ? std::string("none") : join(found)));
  }
  const Scope& scope = *chosen.scope;
  const matvar_t* data = chosen.data;
  const std::string var_name = scope.prefix + data->name;
  double fs = fs_hz;
  std::string fs_note = "fs_hz option";
  if (fs == 0.0) {
    if (chosen.fs_name.empty()) {
      detail::fail_param(kFn, "fs_hz", "0", "is unknown: " + path + " has no sampling-rate variable (fs, Fs, fs_hz, "
                                            "samplingRate, ...) beside '" + var_name + "'; pass the sampling rate (CLI: --fs-hz)");
    }
    fs = chosen.fs;
    fs_note = chosen.fs_name;
    if (!std::isfinite(fs) || fs <= 0.0 || fs > 1e7) {
      format_error(path, "sampling rate " + chosen.fs_name + " = " + detail::fmt(fs) + " is not in (0, 1e7] Hz");
    }
  } else if (!chosen.fs_name.empty() && chosen.fs != fs) {
    fs_note += " (file says " + chosen.fs_name + " = " + detail::fmt(chosen.fs) + ")";
  }

  std::string why;
  const int taxis = time_axis(scope, data, fs, why);
  const auto rows = static_cast<long>(data->dims[0]);
  const auto cols = static_cast<long>(data->dims[1]);
  const long n_samples = taxis == 0 ? rows : cols;
  const long n_channels = taxis == 0 ? cols : rows;
  if (n_channels > kMaxChannels) {
    format_error(path, "'" + var_name + "' (" + dims_text(data) + ") would give " + std::to_string(n_channels) +
                           " channels (time axis from " + why + "); more than " + std::to_string(kMaxChannels));
  }
  RowMatrixXd x(n_channels, n_samples);
  // MATLAB stores column-major: element (i, j) at i + j * rows.
  for (long ch = 0; ch < n_channels; ++ch) {
    for (long s = 0; s < n_samples; ++s) {
      const long i = taxis == 0 ? s : ch;
      const long j = taxis == 0 ? ch : s;
      const double v = element(data, static_cast<std::size_t>(i + j * rows));
      if (!std::isfinite(v)) {
        format_error(path, "'" + var_name + "' has a non-finite value (" + detail::fmt(v) + ") at channel " +
                               std::to_string(ch) + ", sample " + std::to_string(s) + " (MATLAB index (" +
                               std::to_string(i + 1) + "," + std::to_string(j + 1) + "))");
      }
      x(ch, s) = v;
    }
  }
  std::vector<ChannelInfo> info(static_cast<std::size_t>(n_channels));
  const auto names_found = channel_names(scope, n_channels);
  const std::string units = units_of(scope);
  for (long ch = 0; ch < n_channels; ++ch) {
    auto& ci = info[static_cast<std::size_t>(ch)];
    ci.name = names_found.empty() ? "ch" + std::to_string(ch) : names_found[static_cast<std::size_t>(ch)];
    ci.units = units;
    if (is_integer_class(data->class_type)) {
      ci.conversion = 1.0;
      ci.offset = 0.0;
      integer_limits(data->class_type, ci.digital_min, ci.digital_max);
    }
  }
  Recording rec(std::move(x), fs, std::move(info));
  rec.set_attribute("matlab_variable", var_name);
  rec.set_attribute("matlab_class", class_name(data->class_type));
  if (!header.empty()) rec.set_attribute("matlab_header", header.substr(0, 116));
  if (why.rfind("square", 0) == 0) rec.set_attribute("warning", why);
  rec.append_history(std::string(kFn) + "(path=" + path + "): '" + var_name + "' " + class_name(data->class_type) + " " +
                     dims_text(data) + " -> " + std::to_string(n_channels) + " channel(s) x " + std::to_string(n_samples) +
                     " samples (time axis: " + why + "), fs_hz=" + detail::fmt(fs) + " from " + fs_note);
  return rec;
}

}  // namespace emg::io
