// emg::Table to TSV and JSON text, and atomic file writes. The columns are taken from the table
// (never re-listed here), so a TSV file, a JSON file, a DataFrame and a stored item of the same
// table carry the same columns in the same order.
#pragma once

#include <emg/table.hpp>

#include <string>
#include <vector>

namespace cramplab {

/// Header line of column names, then one line per row; cells as emg::cell_text (shortest
/// round-trip numbers, "nan", "inf", true/false); tabs and newlines inside text become spaces.
std::string table_tsv(const emg::Table& table);

/// {"n_rows": N, "columns": {"<name>": [values...], ...}} in column order: numbers (null for NaN
/// and +-inf, which JSON cannot hold), integers, true/false, strings.
std::string table_json(const emg::Table& table);

/// Write `text` to `path` atomically (temporary file in the same directory + rename); IoError
/// naming the path when it cannot be written.
void write_text_atomic(const std::string& path, const std::string& text);

/// The tables one below the other with a leading text column `label_column` holding labels[i]
/// for every row of tables[i]. The tables must have the same column names and types
/// (InvalidArgument naming the first difference).
emg::Table stack_tables(const std::vector<std::string>& labels, const std::vector<const emg::Table*>& tables,
                        const std::string& label_column);

}  // namespace cramplab
