// Plain-text signal tables (CSV / TSV / whitespace): one column per channel.
#pragma once

#include <emg/recording.hpp>

#include <optional>
#include <string>
#include <vector>

namespace emg::io {

struct TextReadOptions {
  double fs_hz = 0.0;              ///< 0 = from a time column or a "Sampling Rate" header line
  char delimiter = 0;              ///< 0 = detect (tab, comma, semicolon, whitespace)
  std::vector<long> columns;       ///< data columns to keep (after the time column); empty = all
  std::string time_column = "auto";  ///< "auto" (first column named time/t/seconds or strictly
                                     ///< increasing and evenly spaced), "none", or a column name
  std::string units = "";          ///< units to record for every channel (default: from header or "")
};

/// Read a text table. Lines starting with '#' are comments (a '# Sampling Rate (Hz):= 1000'
/// line sets fs_hz); leading non-numeric lines are a header whose last line, if it has as many
/// fields as the data, names the channels. Throws FormatError naming the file and line number.
Recording read_text(const std::string& path, const TextReadOptions& options = {});

/// Write a recording as a table, atomically: '#' lines with the sampling rate ('# Sampling Rate
/// (Hz):= <fs>'), start time and units, a header row 'time_s<d>name...', one row per sample with
/// the shortest text that reads back bit-exactly. read_text() of the result reproduces the data,
/// fs_hz, channel names and units. delimiter ',' (CSV), ';' or '\t' (TSV). IoError if `path` exists and
/// !overwrite.
void write_text(const std::string& path, const Recording& recording, char delimiter = '\t', bool overwrite = false);

/// Shortest text that reads back to exactly `value` ("nan", "inf", "-inf" for non-finite).
std::string format_double(double value);

/// Write a table atomically (temporary file + rename) as TSV with a header line.
void write_tsv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

/// Write numeric columns atomically: header + one row per index, full double precision.
void write_tsv_columns(const std::string& path, const std::vector<std::string>& header,
                       const std::vector<const double*>& columns, long n_rows);

}  // namespace emg::io
