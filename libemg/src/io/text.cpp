// Plain-text tables: tolerant of the header dialects found in real exports (OpenSignals '#'
// headers, Biometrics/UCI "Channel k:" lines, a row of column names), strict about the data.
#include <emg/errors.hpp>
#include <emg/io/text.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <random>
#include <unistd.h>

namespace emg::io {

namespace {

constexpr std::string_view kFn = "read_text";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n\v\f");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(first, last - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Quote a file's text for an error message, escaping bytes that would garble a terminal.
std::string quote(std::string_view s, std::size_t max_len = 80) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < max_len; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t') {
      out += "\\t";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > max_len) out += "...";
  return out + "'";
}

[[noreturn]] void format_error(const std::string& path, long line, const std::string& what) {
  throw FormatError(std::string(kFn) + ": " + path + ":" + std::to_string(line) + ": " + what);
}

// A field is a number when from_chars consumes all of it (a leading '+' is allowed).
bool parse_number(std::string_view field, double& value) {
  field = trim(field);
  if (field.empty()) return false;
  if (field.front() == '+') field.remove_prefix(1);
  const char* end = field.data() + field.size();
  const auto res = std::from_chars(field.data(), end, value);
  return res.ec == std::errc() && res.ptr == end;
}

// Delimiter code ' ' means "runs of blanks".
std::vector<std::string_view> split(std::string_view line, char delim) {
  std::vector<std::string_view> fields;
  if (delim == ' ') {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= line.size()) break;
      std::size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      fields.push_back(line.substr(i, j - i));
      i = j;
    }
    return fields;
  }
  std::size_t start = 0;
  while (true) {
    const auto pos = line.find(delim, start);
    if (pos == std::string_view::npos) {
      fields.push_back(line.substr(start));
      break;
    }
    fields.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
  return fields;
}

char detect_delimiter(std::string_view line) {
  if (line.find('\t') != std::string_view::npos) return '\t';
  if (line.find(',') != std::string_view::npos) return ',';
  if (line.find(';') != std::string_view::npos) return ';';
  return ' ';
}

bool all_numeric(const std::vector<std::string_view>& fields) {
  if (fields.empty()) return false;
  double v = 0.0;
  for (auto f : fields) {
    if (!parse_number(f, v)) return false;
  }
  return true;
}

std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return std::string(trim(s));
}

struct HeaderInfo {
  double fs_hz = 0.0;
  long fs_line = 0;
  double start_time_s = std::numeric_limits<double>::quiet_NaN();  // "# Start Time (s):= 12.5"
  std::vector<std::string> units;                    // "# Units:= s<d>V<d>V" (one per column)
  std::vector<std::string> opensignals_labels;       // "# Labels:= EMG"
  std::vector<std::string> channel_names, channel_units;  // "Channel k: 'name', n values, engineering units: mV"
  std::vector<std::string> header_lines;             // non-comment, non-numeric lines before the data
  std::vector<long> header_line_nos;
  long first_header_line = 0;
};

void parse_comment(std::string_view body, long line_no, HeaderInfo& h, const std::string& path) {
  const auto pos = body.find(":=");
  if (pos == std::string_view::npos) return;
  const std::string key = lower(trim(body.substr(0, pos)));
  const auto value = trim(body.substr(pos + 2));
  if (key.rfind("sampling rate", 0) == 0) {
    double fs = 0.0;
    if (!parse_number(value, fs) || !std::isfinite(fs) || fs <= 0.0) {
      format_error(path, line_no, "sampling rate " + quote(value) + " is not a positive number");
    }
    h.fs_hz = fs;
    h.fs_line = line_no;
  } else if (key.rfind("start time", 0) == 0) {
    double t = 0.0;
    if (!parse_number(value, t) || !std::isfinite(t)) {
      format_error(path, line_no, "start time " + quote(value) + " is not a finite number of seconds");
    }
    h.start_time_s = t;
  } else if (key == "units") {
    h.units.clear();
    auto list = body.substr(pos + 2);
    if (!list.empty() && list.front() == ' ') list.remove_prefix(1);
    for (auto f : split(list, detect_delimiter(list))) h.units.push_back(unquote(f));
  } else if (key == "labels") {
    h.opensignals_labels.clear();
    for (auto f : split(value, detect_delimiter(value))) h.opensignals_labels.push_back(unquote(f));
  }
}

// "Channel 4: 'Recto Femoral', 38971 values, engineering units: mV, no filters."
bool parse_channel_line(std::string_view line, HeaderInfo& h) {
  if (lower(line.substr(0, std::min<std::size_t>(line.size(), 8))) != "channel ") return false;
  const auto q1 = line.find('\'');
  if (q1 == std::string_view::npos) return false;
  const auto q2 = line.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return false;
  h.channel_names.emplace_back(trim(line.substr(q1 + 1, q2 - q1 - 1)));
  std::string units;
  const std::string low = lower(line);
  const auto u = low.find("engineering units:");
  if (u != std::string::npos) {
    auto rest = line.substr(u + std::strlen("engineering units:"));
    units = std::string(trim(rest.substr(0, rest.find(','))));
  }
  h.channel_units.push_back(units);
  return true;
}

bool is_time_name(const std::string& name) {
  const std::string n = lower(name);
  return n == "time" || n == "t" || n == "time_s" || n == "seconds" || n == "time (s)" || n == "time[s]" ||
         n == "time_sec";
}

// Names must be non-empty and unique for a Recording; repair header names instead of failing.
void make_unique_names(std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) names[i] = "ch" + std::to_string(i);
    std::string base = names[i];
    for (int k = 2;; ++k) {
      bool clash = false;
      for (std::size_t j = 0; j < i; ++j) clash = clash || names[j] == names[i];
      if (!clash) break;
      names[i] = base + "_" + std::to_string(k);
    }
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Vicon Nexus CSV exports start with a "Devices" (or "Trajectories") block line, then the rate,
// device names, column names and units; their Frame / Sub Frame columns are not channels.
bool is_vicon(const HeaderInfo& h) {
  if (h.header_lines.empty()) return false;
  const std::string first(trim(h.header_lines.front()));
  return first == "Devices" || first == "Trajectories" || first.rfind("Devices,", 0) == 0 ||
         first.rfind("Trajectories,", 0) == 0;
}

[[noreturn]] void vicon_error(const std::string& path, const HeaderInfo& h, const std::string& what) {
  throw FormatError(std::string(kFn) + ": " + path + ":" + std::to_string(h.first_header_line) +
                    ": Vicon Nexus CSV export: " + what +
                    " (expected: 'Devices', the rate, device names, column names, units, then data)");
}

// The start of another section of a Vicon export ("Trajectories", "Model Outputs", ...).
bool is_vicon_block(std::string_view line) {
  for (std::string_view name : {"Devices", "Trajectories", "Model Outputs", "Segments", "Joints"}) {
    if (line.substr(0, name.size()) == name && (line.size() == name.size() || line[name.size()] == ',')) return true;
  }
  return false;
}

// Vicon "Devices" block: rate on the 2nd line, column names on the line starting "Frame",
// units on the line after it. Frame / Sub Frame columns are dropped.
void read_vicon_header(const std::string& path, HeaderInfo& h, char delim, std::size_t n_fields,
                       std::vector<std::string>& names, std::vector<std::string>& units, std::vector<long>& skip) {
  if (h.header_lines.size() < 3) vicon_error(path, h, "header too short");
  double rate = 0.0;
  const auto rate_fields = split(h.header_lines[1], delim);
  if (rate_fields.empty() || !parse_number(rate_fields[0], rate) || !(rate > 0.0) || !std::isfinite(rate)) {
    vicon_error(path, h, "line " + std::to_string(h.header_line_nos[1]) + " should hold the sampling rate, found " +
                             quote(h.header_lines[1], 40));
  }
  if (h.fs_hz == 0.0) {
    h.fs_hz = rate;
    h.fs_line = h.header_line_nos[1];
  }
  std::size_t name_line = h.header_lines.size();
  for (std::size_t i = 0; i < h.header_lines.size(); ++i) {
    if (lower(trim(h.header_lines[i])).rfind("frame", 0) == 0) name_line = i;
  }
  if (name_line == h.header_lines.size()) vicon_error(path, h, "no 'Frame,Sub Frame,...' column-name line");
  const auto name_fields = split(h.header_lines[name_line], delim);
  if (name_fields.size() != n_fields) {
    vicon_error(path, h, "line " + std::to_string(h.header_line_nos[name_line]) + " names " +
                             std::to_string(name_fields.size()) + " columns but the data have " + std::to_string(n_fields));
  }
  for (std::size_t k = 0; k < n_fields; ++k) {
    names[k] = unquote(name_fields[k]);
    const std::string n = lower(names[k]);
    if (n == "frame" || n == "sub frame") skip.push_back(static_cast<long>(k));
  }
  if (name_line + 1 < h.header_lines.size()) {
    const auto unit_fields = split(h.header_lines[name_line + 1], delim);
    if (unit_fields.size() == n_fields) {
      for (std::size_t k = 0; k < n_fields; ++k) units[k] = unquote(unit_fields[k]);
    }
  }
}

}  // namespace

std::string format_double(double value) { return detail::fmt(value); }

Recording read_text(const std::string& path, const TextReadOptions& options) {
  if (options.fs_hz != 0.0 && (!std::isfinite(options.fs_hz) || options.fs_hz < 0.0)) {
    detail::fail_param(kFn, "fs_hz", detail::fmt(options.fs_hz), "must be finite and > 0 (or 0 to read it from the file)");
  }
  const std::string tc = lower(options.time_column);

  std::error_code dir_ec;
  if (std::filesystem::is_directory(path, dir_ec)) throw IoError(std::string(kFn) + ": '" + path + "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(std::string(kFn) + ": cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError(std::string(kFn) + ": error while reading '" + path + "'");
  const std::string text = buf.str();

  // ---- pass over the lines: header, then data rows ------------------------------------------
  HeaderInfo h;
  char delim = options.delimiter == '\0' ? '\0' : (options.delimiter == '\t' || options.delimiter == ',' ||
                                                   options.delimiter == ';' ? options.delimiter : ' ');
  std::size_t n_fields = 0;
  std::vector<double> values;  // row-major n_rows x n_fields
  std::vector<long> row_line;  // source line of each row
  std::vector<char> row_complete;
  long line_no = 0;
  bool in_data = false;
  bool vicon = false;
  long vicon_end_line = 0;  // line of the block that ended the Devices block
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view raw(text.data() + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const auto line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      // untrimmed: a units line may end in empty (tab-separated) fields
      if (!in_data) parse_comment(raw.substr(raw.find('#') + 1), line_no, h, path);
      continue;
    }
    if (!in_data) {
      const char d = delim ? delim : detect_delimiter(line);
      auto fields = split(d == ' ' ? line : raw, d);
      if (!all_numeric(fields)) {
        if (!parse_channel_line(line, h)) {
          h.header_lines.emplace_back(raw);
          h.header_line_nos.push_back(line_no);
        }
        if (h.first_header_line == 0) h.first_header_line = line_no;
        continue;
      }
      vicon = is_vicon(h);
      delim = d;
      n_fields = fields.size();
      in_data = true;
    }
    // A Vicon export continues with other blocks ("Trajectories", ...) after the analog one.
    if (vicon && is_vicon_block(line)) {
      vicon_end_line = line_no;
      break;
    }
    // Split the untrimmed line: a leading tab is an empty first field, not indentation.
    const auto fields = split(delim == ' ' ? line : raw, delim);
    if (fields.size() != n_fields) {
      format_error(path, line_no, "expected " + std::to_string(n_fields) + " fields, found " +
                                      std::to_string(fields.size()) + ": " + quote(raw));
    }
    bool complete = true;
    for (std::size_t k = 0; k < n_fields; ++k) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (trim(fields[k]).empty()) {
        complete = false;  // allowed only in a trailing block (checked below)
      } else if (!parse_number(fields[k], v)) {
        format_error(path, line_no, "field " + std::to_string(k + 1) + " is not a number: " + quote(fields[k]) +
                                        " (line " + quote(raw) + ")");
      } else if (!std::isfinite(v)) {
        format_error(path, line_no, "field " + std::to_string(k + 1) + " is not finite: " + quote(fields[k]));
      }
      values.push_back(v);
    }
    row_line.push_back(line_no);
    row_complete.push_back(complete ? 1 : 0);
  }
  if (!in_data) {
    if (h.header_lines.empty() && h.channel_names.empty()) throw FormatError(std::string(kFn) + ": " + path + ": file is empty (no data rows)");
    if (is_vicon(h)) vicon_error(path, h, "no data rows after the header");
    throw FormatError(std::string(kFn) + ": " + path + ": no numeric data rows found (" +
                      std::to_string(line_no) + " lines of header or comments)");
  }
  // ---- column names, time column, channel selection -------------------------------------------
  std::vector<std::string> names(n_fields);
  std::vector<std::string> units(n_fields);
  bool named = false;
  std::vector<long> skip_cols;  // columns that are neither channels nor time (Vicon frame numbers)
  if (vicon) {
    read_vicon_header(path, h, delim, n_fields, names, units, skip_cols);
    named = true;
  } else if (!h.header_lines.empty()) {
    const auto last = h.header_lines.back();
    const char d = delim;
    auto fields = split(last, d);
    if (fields.size() == n_fields) {
      for (std::size_t k = 0; k < n_fields; ++k) names[k] = unquote(fields[k]);
      named = true;
    }
  }
  if (!named && h.channel_names.size() == n_fields) {
    names = h.channel_names;
    units = h.channel_units;
    named = true;
  }
  if (!named && h.opensignals_labels.size() == n_fields) {
    names = h.opensignals_labels;
    named = true;
  }

  const long n_rows_all = static_cast<long>(row_line.size());
  long time_col = -1;
  bool index_column = false;  // time_col holds sample numbers, not seconds
  if (tc == "none") {
  } else if (tc == "auto") {
    for (std::size_t k = 0; k < n_fields && named; ++k) {
      if (is_time_name(names[k])) {
        time_col = static_cast<long>(k);
        break;
      }
    }
    // Without names: a first column that strictly increases over the whole file is time.
    if (time_col < 0 && !named && n_fields >= 2 && n_rows_all >= 3) {
      bool increasing = true;
      for (long r = 1; r < n_rows_all && increasing; ++r) {
        const double a = values[static_cast<std::size_t>(r - 1) * n_fields];
        const double b = values[static_cast<std::size_t>(r) * n_fields];
        increasing = b > a;  // NaN (empty field) also ends it
      }
      if (increasing) time_col = 0;
      // 0, 1, 2, ... is a sample counter, not seconds: drop it but never take fs = 1 Hz from it.
      bool counter = increasing;
      for (long r = 0; r < n_rows_all && counter; ++r) {
        const double v = values[static_cast<std::size_t>(r) * n_fields];
        counter = v == values[0] + static_cast<double>(r);
      }
      index_column = counter;
    }
  } else {
    for (std::size_t k = 0; k < n_fields; ++k) {
      if (lower(names[k]) == tc) time_col = static_cast<long>(k);
    }
    if (time_col < 0) {
      detail::fail_param(kFn, "time_column", "\"" + options.time_column + "\"",
                         "is not a column of " + path + " (columns: " + (named ? join(names) : std::string("unnamed")) +
                             "; use \"auto\" or \"none\")");
    }
  }

  std::vector<long> data_cols;
  for (long k = 0; k < static_cast<long>(n_fields); ++k) {
    if (k != time_col && std::find(skip_cols.begin(), skip_cols.end(), k) == skip_cols.end()) data_cols.push_back(k);
  }
  std::vector<long> used = data_cols;
  if (!options.columns.empty()) {
    used.clear();
    for (std::size_t i = 0; i < options.columns.size(); ++i) {
      const long c = options.columns[i];
      if (c < 0 || c >= static_cast<long>(data_cols.size())) {
        detail::fail_param(kFn, "columns[" + std::to_string(i) + "]", std::to_string(c),
                           "must be in [0, " + std::to_string(data_cols.size()) + ") (" + path + " has " +
                               std::to_string(data_cols.size()) + " data columns" +
                               (time_col >= 0 ? " after the time column" : std::string()) + ")");
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (options.columns[j] == c) {
          detail::fail_param(kFn, "columns[" + std::to_string(i) + "]", std::to_string(c), "is listed twice");
        }
      }
      used.push_back(data_cols[static_cast<std::size_t>(c)]);
    }
  }
  if (used.empty()) {
    throw FormatError(std::string(kFn) + ": " + path + ": no data columns (only a time column)");
  }

  // Rows with empty fields in the used columns may only form a trailing block (e.g. a channel
  // that stopped early in a Biometrics export); they are dropped and the history says so.
  auto row_ok = [&](long r) {
    if (row_complete[static_cast<std::size_t>(r)]) return true;
    const double* row = values.data() + static_cast<std::size_t>(r) * n_fields;
    if (time_col >= 0 && std::isnan(row[time_col])) return false;
    for (long c : used) {
      if (std::isnan(row[c])) return false;
    }
    return true;
  };
  long n_rows = n_rows_all;
  while (n_rows > 0 && !row_ok(n_rows - 1)) --n_rows;
  for (long r = 0; r < n_rows; ++r) {
    if (!row_ok(r)) {
      format_error(path, row_line[static_cast<std::size_t>(r)],
                   "empty field in the middle of the data (only trailing rows may be incomplete)");
    }
  }
  if (n_rows == 0) throw FormatError(std::string(kFn) + ": " + path + ": no complete data rows in the selected columns");
  const long dropped = n_rows_all - n_rows;

  // ---- sampling rate ------------------------------------------------------------------------
  double fs = options.fs_hz;
  std::string fs_source = "fs_hz option";
  double start_time = 0.0;
  if (time_col >= 0) {
    auto t = [&](long r) { return values[static_cast<std::size_t>(r) * n_fields + time_col]; };
    if (!index_column) start_time = t(0);
    // A '# Sampling Rate' header states the rate exactly; printed times only approximate it.
    if (fs == 0.0 && !index_column && h.fs_hz > 0.0 && n_rows >= 2) {
      const double step = (t(n_rows - 1) - t(0)) / static_cast<double>(n_rows - 1);
      if (!(std::abs(step * h.fs_hz - 1.0) <= 0.01)) {
        format_error(path, h.fs_line, "header sampling rate " + detail::fmt(h.fs_hz) + " Hz disagrees with the time column '" +
                                          (named ? names[time_col] : std::string("0")) + "' (mean step " +
                                          detail::fmt(step) + " s); pass fs_hz (CLI: --fs-hz) to choose");
      }
    }
    if (fs == 0.0 && !index_column && h.fs_hz == 0.0) {
      if (n_rows < 3) format_error(path, row_line[0], "a time column needs at least 3 rows to give the sampling rate");
      std::vector<double> dt(static_cast<std::size_t>(n_rows - 1));
      for (long r = 1; r < n_rows; ++r) dt[static_cast<std::size_t>(r - 1)] = t(r) - t(r - 1);
      std::vector<double> sorted = dt;
      std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
      double med = sorted[sorted.size() / 2];
      if (sorted.size() % 2 == 0) {
        med = 0.5 * (med + *std::max_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2)));
      }
      if (!(med > 0.0)) format_error(path, row_line[0], "time column '" + names[time_col] + "' is not increasing");
      // Printed times are rounded, so single steps may differ from the median by the rounding
      // quantum; a step outside [0.5, 1.5] x median is a gap, a repeat or a reversal.
      for (std::size_t i = 0; i < dt.size(); ++i) {
        if (!(dt[i] > 0.5 * med && dt[i] < 1.5 * med)) {
          format_error(path, row_line[i + 1],
                       "time column is not evenly spaced (step " + detail::fmt(dt[i]) + " s, median step " +
                           detail::fmt(med) + " s); pass fs_hz (CLI: --fs-hz) to use the sample index instead");
        }
      }
      const double mean = (t(n_rows - 1) - t(0)) / static_cast<double>(n_rows - 1);
      if (std::abs(mean - med) > 0.01 * med) {
        format_error(path, row_line[0], "time column is not evenly spaced within 1 % (mean step " + detail::fmt(mean) +
                                            " s, median step " + detail::fmt(med) + " s); pass fs_hz (CLI: --fs-hz)");
      }
      fs = 1.0 / med;
      // Differences of printed decimal times carry ~1e-16 relative error: 4000 Hz would come out
      // as 3999.9999999999964. Snap to the integer when it is that close.
      if (std::abs(fs - std::round(fs)) <= 1e-9 * fs) fs = std::round(fs);
      fs_source = "time column '" + (named ? names[time_col] : std::string("0")) + "'";
    }
  }
  if (fs == 0.0 && h.fs_hz > 0.0) {
    fs = h.fs_hz;
    fs_source = "header line " + std::to_string(h.fs_line);
  }
  if ((time_col < 0 || index_column) && std::isfinite(h.start_time_s)) start_time = h.start_time_s;
  if (!vicon && h.units.size() == n_fields) {
    for (std::size_t k = 0; k < n_fields; ++k) {
      if (units[k].empty()) units[k] = h.units[k];
    }
  }
  if (fs == 0.0) {
    detail::fail_param(kFn, "fs_hz", "0",
                       "is unknown: " + path + " has no time column" +
                           (index_column ? std::string(" (its first column counts samples)") : std::string()) +
                           " and no '# Sampling Rate' header; "
                       "pass the sampling rate (CLI: --fs-hz)");
  }

  // ---- assemble the recording ------------------------------------------------------------------
  RowMatrixXd data(static_cast<Eigen::Index>(used.size()), n_rows);
  for (std::size_t c = 0; c < used.size(); ++c) {
    for (long r = 0; r < n_rows; ++r) {
      data(static_cast<Eigen::Index>(c), r) = values[static_cast<std::size_t>(r) * n_fields + used[c]];
    }
  }
  std::vector<std::string> all_names = names;
  if (!named) {
    for (std::size_t k = 0; k < data_cols.size(); ++k) all_names[data_cols[k]] = "ch" + std::to_string(k);
  }
  make_unique_names(all_names);
  std::vector<ChannelInfo> info(used.size());
  for (std::size_t c = 0; c < used.size(); ++c) {
    info[c].name = all_names[used[c]];
    info[c].units = options.units.empty() ? units[used[c]] : options.units;
  }
  Recording rec(std::move(data), fs, std::move(info), start_time);
  std::string note = "read_text(path=" + path + ", fs_hz=" + detail::fmt(fs) + " from " + fs_source;
  if (vicon_end_line > 0) note += ", Vicon Devices block only (next block at line " + std::to_string(vicon_end_line) + ")";
  if (dropped > 0) note += ", dropped " + std::to_string(dropped) + " trailing incomplete rows from line " +
                           std::to_string(row_line[static_cast<std::size_t>(n_rows)]);
  rec.append_history(note + ")");
  return rec;
}

// ---- writing ----------------------------------------------------------------------------------

namespace {

// Write through a temporary file in the target directory, then rename, so readers never see a
// half-written table and a failure leaves any previous file intact. Without `overwrite` the final
// step is link(2), which fails atomically if the target appeared meanwhile.
template <class Body>
void write_atomically(const std::string& fn, const std::string& path, bool overwrite, Body&& body) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    throw IoError(fn + ": '" + path + "' already exists (pass overwrite=true to replace it)");
  }
  std::random_device rd;
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (!f) throw IoError(fn + ": cannot create '" + tmp + "': " + std::strerror(errno));
  try {
    body(f);
  } catch (...) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  bool ok = std::fflush(f) == 0 && !std::ferror(f);
  const int err = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw IoError(fn + ": error writing '" + path + "': " + std::strerror(err));
  }
  if (overwrite) {
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      const int e = errno;
      std::remove(tmp.c_str());
      throw IoError(fn + ": cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(e));
    }
    return;
  }
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    if (e == EEXIST) throw IoError(fn + ": '" + path + "' already exists (pass overwrite=true to replace it)");
    throw IoError(fn + ": cannot create '" + path + "': " + std::strerror(e));
  }
  std::remove(tmp.c_str());
}

template <class Body>
void write_atomically(const std::string& path, Body&& body) {
  write_atomically("write_tsv", path, true, std::forward<Body>(body));
}

void write_row(std::FILE* f, const std::vector<std::string>& cells) {
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k) std::fputc('\t', f);
    std::fputs(cells[k].c_str(), f);
  }
  std::fputc('\n', f);
}

void check_cell(const std::string& cell) {
  if (cell.find_first_of("\t\n\r") != std::string::npos) {
    detail::fail_param("write_tsv", "cell", "\"" + cell + "\"", "must not contain tabs or line breaks");
  }
}

}  // namespace

void write_tsv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  if (header.empty()) detail::fail_param("write_tsv", "header", "[]", "must name at least one column");
  for (const auto& c : header) check_cell(c);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != header.size()) {
      detail::fail_param("write_tsv", "rows[" + std::to_string(r) + "]", std::to_string(rows[r].size()) + " cells",
                         "must have one cell per header column (" + std::to_string(header.size()) + ")");
    }
    for (const auto& c : rows[r]) check_cell(c);
  }
  write_atomically(path, [&](std::FILE* f) {
    write_row(f, header);
    for (const auto& row : rows) write_row(f, row);
  });
}

void write_tsv_columns(const std::string& path, const std::vector<std::string>& header,
                       const std::vector<const double*>& columns, long n_rows) {
  if (header.empty()) detail::fail_param("write_tsv_columns", "header", "[]", "must name at least one column");
  if (columns.size() != header.size()) {
    detail::fail_param("write_tsv_columns", "columns", std::to_string(columns.size()) + " columns",
                       "must match the header (" + std::to_string(header.size()) + " names)");
  }
  if (n_rows < 0) detail::fail_param("write_tsv_columns", "n_rows", std::to_string(n_rows), "must be >= 0");
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] == nullptr && n_rows > 0) detail::fail_param("write_tsv_columns", "columns[" + std::to_string(k) + "]", "null", "must point to n_rows values");
  }
  for (const auto& c : header) check_cell(c);
  write_atomically(path, [&](std::FILE* f) {
    write_row(f, header);
    char buf[64];
    for (long r = 0; r < n_rows; ++r) {
      for (std::size_t k = 0; k < columns.size(); ++k) {
        if (k) std::fputc('\t', f);
        const double v = columns[k][r];
        if (std::isfinite(v)) {
          auto res = std::to_chars(buf, buf + sizeof buf, v);
          std::fwrite(buf, 1, static_cast<std::size_t>(res.ptr - buf), f);
        } else {
          std::fputs(detail::fmt(v).c_str(), f);
        }
      }
      std::fputc('\n', f);
    }
  });
}

namespace {

// Text a table cell cannot hold and read back unchanged.
void check_text_cell(const std::string& what, const std::string& text, char delim) {
  const bool bad = text.find_first_of(std::string("\r\n") + delim) != std::string::npos ||
                   (!text.empty() && (trim(text).size() != text.size() || text.front() == '"' || text.front() == '\'' ||
                                      text.front() == '#'));
  if (bad) {
    detail::fail_param("write_text", what, "\"" + text + "\"",
                       std::string("cannot be stored in a ") + (delim == ',' ? "comma" : delim == ';' ? "semicolon" : "tab") +
                           "-separated table (delimiter, line break, quote, '#' or surrounding blanks)");
  }
}

void put_number(std::FILE* f, double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::fwrite(buf, 1, static_cast<std::size_t>(res.ptr - buf), f);
}

}  // namespace

void write_text(const std::string& path, const Recording& recording, char delimiter, bool overwrite) {
  if (delimiter != ',' && delimiter != '\t' && delimiter != ';') {
    detail::fail_param("write_text", "delimiter", delimiter == '\0' ? std::string("'\\0'") : "'" + std::string(1, delimiter) + "'",
                       "must be ',' (CSV), ';' or '\\t' (TSV)");
  }
  recording.validate();
  const auto& ch = recording.channels();
  for (std::size_t c = 0; c < ch.size(); ++c) {
    check_text_cell("channels[" + std::to_string(c) + "].name", ch[c].name, delimiter);
    check_text_cell("channels[" + std::to_string(c) + "].units", ch[c].units, delimiter);
    if (is_time_name(ch[c].name)) {
      detail::fail_param("write_text", "channels[" + std::to_string(c) + "].name", "\"" + ch[c].name + "\"",
                         "would be read back as the time column; rename the channel");
    }
  }
  const std::string d(1, delimiter);
  write_atomically("write_text", path, overwrite, [&](std::FILE* f) {
    std::string head = "# CrampLab text export\n# Sampling Rate (Hz):= " + format_double(recording.fs_hz()) +
                       "\n# Start Time (s):= " + format_double(recording.start_time_s()) + "\n# Units:= s";
    for (const auto& c : ch) head += d + c.units;
    head += "\ntime_s";
    for (const auto& c : ch) head += d + c.name;
    head += "\n";
    std::fputs(head.c_str(), f);
    const auto& x = recording.data();
    const double fs = recording.fs_hz();
    const double t0 = recording.start_time_s();
    for (long s = 0; s < recording.n_samples(); ++s) {
      put_number(f, t0 + static_cast<double>(s) / fs);
      for (long c = 0; c < recording.n_channels(); ++c) {
        std::fputc(delimiter, f);
        put_number(f, x(c, s));
      }
      std::fputc('\n', f);
    }
  });
}

}  // namespace emg::io
