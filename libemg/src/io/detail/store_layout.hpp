// The on-disk layout of a CrampLab file (docs/FORMAT.md) as shared by the writer, the reader and
// the validator: object names, column lists, and the header checks. The checks report through
// Problems, which either throws FormatError at the first problem (read) or collects them all
// (validate_file).
#pragma once

#include <emg/recording.hpp>

#include "io/detail/h5.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace emg::io::detail {

inline const std::array<std::pair<const char*, std::string ChannelInfo::*>, 6> kChannelStrings{{
    {"name", &ChannelInfo::name},
    {"type", &ChannelInfo::type},
    {"units", &ChannelInfo::units},
    {"target_muscle", &ChannelInfo::target_muscle},
    {"placement", &ChannelInfo::placement},
    {"reference", &ChannelInfo::reference},
}};
inline const std::array<std::pair<const char*, double ChannelInfo::*>, 7> kChannelNumbers{{
    {"low_cutoff_hz", &ChannelInfo::low_cutoff_hz},
    {"high_cutoff_hz", &ChannelInfo::high_cutoff_hz},
    {"notch_hz", &ChannelInfo::notch_hz},
    {"conversion", &ChannelInfo::conversion},
    {"offset", &ChannelInfo::offset},
    {"digital_min", &ChannelInfo::digital_min},
    {"digital_max", &ChannelInfo::digital_max},
}};

/// Either throws FormatError("<file>: <object>: <rule>") at the first problem or collects
/// "<object>: <rule>" lines.
class Problems {
 public:
  Problems(std::string file, bool collect) : file_(std::move(file)), collect_(collect) {}
  void add(const std::string& object, const std::string& rule);
  /// A message that is already complete (no object path).
  void add_plain(const std::string& message);
  const std::vector<std::string>& list() const { return list_; }
  bool empty() const { return list_.empty(); }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  bool collect_;
  std::vector<std::string> list_;
};

enum class Storage { Float64, Float32, Int16, Int32 };
const char* storage_name(Storage s);
std::size_t storage_bytes(Storage s);

/// /recording/data as found in the file.
struct DataInfo {
  Storage storage = Storage::Float64;
  long n_channels = 0;
  std::int64_t n_samples = 0;
  std::int64_t chunk_n = 0;        ///< chunk length along time (0 = not chunked)
  bool filtered = false;           ///< compressed (needs the chunk cache)
  std::string compression;         ///< "none" / "shuffle+deflate(N)" / filter names
  double fs_hz = 0.0;
  double start_time_s = 0.0;
  std::vector<double> conversion;  ///< per channel (1 for float storage)
  std::vector<double> offset;      ///< per channel (0 for float storage)
  std::vector<std::string> units;
};

/// Open an existing file read-only (or read-write). IoError if it cannot be opened at all,
/// FormatError if it is not HDF5 (zero-byte, wrong magic, truncated superblock).
H5::H5File open_existing(const std::string& path, bool read_write = false);

/// Root attributes; FormatError for a newer format_version. Returns the version (0 if unusable).
int check_root(const H5::H5File& file, Problems& problems, std::string* created_by = nullptr);

/// Structure and attributes of /recording/data; std::nullopt when unusable (after a problem).
std::optional<DataInfo> inspect_data(const H5::H5File& file, Problems& problems);

/// /recording/channels/<field>, checked against the data (lengths, units, conversion).
std::vector<ChannelInfo> read_channels(const H5::H5File& file, const DataInfo& info, Problems& problems);

/// Open /recording/data with a chunk cache suited to the access: no cache for unfiltered chunks
/// (HDF5 then reads straight into the caller's buffer), room for a few chunks otherwise.
H5::DataSet open_data(const H5::H5File& file, const DataInfo& info);

/// Read every sample in blocks and report the first non-finite value of each channel.
void scan_data(const H5::H5File& file, const DataInfo& info, const std::vector<ChannelInfo>& channels, Problems& problems);

/// Derived items present: "derived/<name>" and "metrics/<name>" (groups with a created_at attribute).
std::vector<std::string> list_derived(const H5::H5File& file);

/// Provenance string for root attribute created_by.
std::string created_by_string();

}  // namespace emg::io::detail
