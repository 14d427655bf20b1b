// The table parts of a CrampLab file (/events, /stimulation, /recording/history and the /recording
// attributes): checked reading, and cutting them to a read window.
#pragma once

#include <emg/recording.hpp>

#include "io/detail/store_layout.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace emg::io::detail {

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
