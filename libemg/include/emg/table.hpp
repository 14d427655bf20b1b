// A small column-oriented table: the one shape in which result tables leave the library, so that
// the CLI's TSV/JSON files, Python's DataFrames and the store's /derived and /metrics groups carry
// the same columns with the same names.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace emg {

/// One column: numbers (NaN = missing), integers, booleans (stored as 0/1 bytes) or text.
struct Column {
  std::string name;  ///< with its unit where it has one: "onset_s", "frequency_hz"
  std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::uint8_t>, std::vector<std::string>> values;
  bool is_bool() const { return std::holds_alternative<std::vector<std::uint8_t>>(values); }
  std::size_t size() const;
};

struct Table {
  std::vector<Column> columns;
  std::size_t n_rows() const { return columns.empty() ? 0 : columns.front().size(); }
  /// The column named `name`; InvalidArgument listing the columns when absent.
  const Column& column(const std::string& name) const;
  Table& add(std::string name, std::vector<double> v);
  Table& add(std::string name, std::vector<std::int64_t> v);
  Table& add_bool(std::string name, std::vector<std::uint8_t> v);
  Table& add(std::string name, std::vector<std::string> v);
  /// Throws InvalidArgument when the columns differ in length or two share a name.
  void validate(const std::string& what) const;
};

/// Text of one cell: numbers in their shortest round-trip form ("nan" for NaN, "inf"), booleans
/// as true/false.
std::string cell_text(const Column& c, std::size_t row);

}  // namespace emg
