// The table parts of a CrampLab file (/events, /stimulation, /recording/history and the /recording
// attributes): checked reading, and cutting them to a read window.
#pragma once

#include <emg/errors.hpp>
#include <emg/recording.hpp>

#include "io/detail/store_layout.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace emg::io::detail {

/// The columns of one table group (e.g. "/events", "/truth/pulses"), read one by one. Reports
/// (through `problems`) a missing group or column, a column of the wrong class or rank, and a
/// column whose length differs from the first one read; after a problem ok() is false and the
/// remaining columns come back empty.
class TableReader {
 public:
  TableReader(const H5::H5File& file, std::string group, Problems& problems)
      : file_(file), group_(std::move(group)), problems_(problems) {
    ok_ = has_link(file, group_.substr(1)) && file.childObjType(group_.substr(1)) == H5O_TYPE_GROUP;
    if (!ok_) problems_.add(group_, "is missing");
  }
  bool ok() const { return ok_; }

  std::vector<std::int64_t> ints(const char* name) {
    return column(name, [](const H5::DataSet& ds, const std::string& w) { return read_column_ints(ds, w); });
  }
  std::vector<double> reals(const char* name) {
    return column(name, [](const H5::DataSet& ds, const std::string& w) { return read_column_doubles(ds, w); });
  }
  std::vector<std::string> strings(const char* name) {
    return column(name, [](const H5::DataSet& ds, const std::string& w) { return read_column_strings(ds, w); });
  }

  /// Number of rows (the first column's length), after every column was read.
  std::size_t rows() const { return rows_; }

 private:
  template <class Read>
  auto column(const char* name, Read&& read) -> decltype(read(std::declval<H5::DataSet>(), std::string())) {
    decltype(read(std::declval<H5::DataSet>(), std::string())) out;
    if (!ok_) return out;
    const std::string rel = group_.substr(1) + "/" + name;
    const std::string where = group_ + "/" + name;
    if (H5Lexists(file_.getId(), rel.c_str(), H5P_DEFAULT) <= 0) {
      problems_.add(where, "is missing");
      ok_ = false;
      return out;
    }
    try {
      out = read(file_.openDataSet(rel), where);
    } catch (const FormatError& e) {
      problems_.add_plain(e.what());
      ok_ = false;
      return out;
    }
    if (first_) {
      rows_ = out.size();
      first_ = false;
    } else if (out.size() != rows_) {
      problems_.add(where, "has " + std::to_string(out.size()) + " rows, the other columns of " + group_ + " have " +
                               std::to_string(rows_));
      ok_ = false;
    }
    return out;
  }

  const H5::H5File& file_;
  std::string group_;
  Problems& problems_;
  bool ok_ = true;
  bool first_ = true;
  std::size_t rows_ = 0;
};

struct RawTables {
  std::vector<Event> events;
  Stimulation stimulation;
};

/// Read /events and /stimulation, reporting missing columns, unequal column lengths and rows out
/// of range of the data (n_samples, n_channels).
RawTables read_raw_tables(const H5::H5File& file, std::int64_t n_samples, long n_channels, Problems& problems);

struct TableWindow {
  std::int64_t start = 0, stop = 0;  ///< samples [start, stop) of the file
  std::int64_t n_samples = 0;
  long n_channels = 0;
  std::vector<long> rows;            ///< selected channels, in output order
};

/// Add the events, stimulation, history and attributes of the file to `rec`, cut to `window`:
/// rows overlapping the window are kept, shifted to it and clipped to its ends; events of
/// unselected channels are dropped. `where` tracks the HDF5 object for error messages.
void read_tables(const H5::H5File& file, const std::string& path, const TableWindow& window, Recording& rec,
                 std::string& where);

}  // namespace emg::io::detail
