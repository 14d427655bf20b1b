// The CrampLab recording file: HDF5, versioned, readable with plain h5py (docs/FORMAT.md).
//
//   /                      attrs format="cramplab", format_version, created_by
//   /recording/data        (n_channels, n_samples), chunked along time; float64, float32 or integer
//                          ADC counts with per-channel attrs conversion/offset; attrs fs_hz,
//                          start_time_s, units
//   /recording             attrs: Recording::attributes(); dataset /recording/history (strings)
//   /recording/channels/<field>   one 1-D dataset per ChannelInfo field
//   /stimulation/pulses, /stimulation/trains/<column>, /events/<column>
//   /derived/<name>/..., /metrics/<name>/...   DerivedItem (parameters, version, input checksum)
//   /truth                 optional: the simulator's GroundTruth (attributes, /truth/activity,
//                          /truth/pulses|trains|bursts|firings/<column>)
//
// Every write is atomic (temporary file in the target's directory + rename). HDF5's own errors never
// escape: they become IoError (cannot open / read / write) or FormatError (not our layout, newer
// format_version, shapes that disagree) naming the file and the HDF5 object path.
#pragma once

#include <emg/recording.hpp>
#include <emg/truth.hpp>
#include <emg/types.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace emg::io {

/// The format version this library writes; the reader accepts every version <= this.
inline constexpr int kFormatVersion = 1;

enum class SampleType {
  Auto,     ///< integer counts when every channel has a conversion that reproduces every sample
            ///< bit-exactly (smallest of int16/int32 that holds them), else float64
  Float64,
  Float32,  ///< lossy: the writer reports the largest rounding error in WriteReport
  Integer,  ///< integer counts or FormatError if any channel cannot be represented exactly
};

enum class Compression {
  Auto,     ///< the measured default: none for float data, shuffle+deflate(1) for integer counts
  None,
  Deflate,  ///< shuffle + deflate at `deflate_level`
};

struct WriteOptions {
  SampleType sample_type = SampleType::Auto;
  Compression compression = Compression::Auto;
  int deflate_level = 1;         ///< 1..9
  double chunk_s = 1.0;          ///< chunk length along time in seconds (clamped to [1, n_samples] samples)
  bool overwrite = false;        ///< false: refuse (IoError) to replace an existing file
};

struct WriteReport {
  std::string sample_type;       ///< "float64", "float32", "int16", "int32"
  std::string compression;       ///< "none" or "shuffle+deflate(N)"
  double max_abs_error = 0.0;    ///< largest |stored - original| (0 unless float32)
  std::uint64_t file_bytes = 0;
};

/// A derived result stored beside the recording: datasets plus the provenance that produced them.
/// `name` is a slash path below /derived or /metrics ("bandpass/data"). Dataset names are unique
/// across the four maps. A *table item* (emg/io/tables.hpp) lists its columns in `columns`: each
/// one 1-D dataset of the maps, all of one length, and no other datasets (docs/FORMAT.md, "Tables").
struct DerivedItem {
  std::string group = "derived";                 ///< "derived" or "metrics"
  std::string name;
  std::map<std::string, RowMatrixXd> arrays;    ///< float64 datasets: name -> values (1-D = one row)
  std::map<std::string, std::vector<std::int64_t>> int_arrays;   ///< 1-D int64 datasets
  std::map<std::string, std::vector<std::uint8_t>> bool_arrays;  ///< 1-D uint8 datasets (booleans 0/1)
  std::map<std::string, std::vector<std::string>> text_arrays;   ///< 1-D UTF-8 string datasets
  std::vector<std::string> columns;  ///< table items: the column names in order (attrs columns, column_types)
  std::map<std::string, std::string> parameters; ///< stored as attributes "param.<key>"
  std::string library_version;                    ///< defaults to emg::version() when empty
  std::string input_sha256;                       ///< checksum of the input (see data_sha256)
};

/// Header information without reading the samples.
struct FileHeader {
  int format_version = 0;
  std::string created_by;
  double fs_hz = 0.0;
  double start_time_s = 0.0;
  long n_channels = 0;
  long n_samples = 0;
  std::string sample_type;                 ///< on-disk type: float64, float32, int16, int32
  std::string compression;
  std::vector<ChannelInfo> channels;
  std::map<std::string, std::string> attributes;
  std::vector<std::string> derived;        ///< "derived/<name>" and "metrics/<name>" items present
  bool has_truth = false;                  ///< the file has a /truth group (read it with read_truth)
};

/// What to read. Samples [start_sample, stop_sample) of the named (or indexed) channels, read with
/// HDF5 hyperslabs so only that part of the file is touched. Events and stimulation are kept when
/// they overlap the window and are shifted to it. The ground truth (/truth) is not part of a
/// Recording: read_truth reads all of it, whatever window was read.
struct ReadOptions {
  std::int64_t start_sample = 0;
  std::int64_t stop_sample = -1;           ///< -1 = to the end
  std::vector<std::string> channel_names;  ///< empty = all (names take precedence over indices)
  std::vector<long> channel_indices;
};

/// Convert a time window in seconds (relative to the first sample) to a sample range of `header`.
/// Throws InvalidArgument if the window is empty or outside the recording.
ReadOptions window_s(const FileHeader& header, double start_s, double stop_s);

/// Write `recording` (plus derived items, plus `truth` as /truth when !truth.empty()) to a new
/// file, atomically. InvalidArgument naming "truth.<field>" when the truth does not fit the
/// recording: truth.activity must be empty or (n_channels, n_samples) with Activity codes only,
/// every sample index inside the recording (docs/FORMAT.md lists the rules).
WriteReport write(const std::string& path, const Recording& recording, const WriteOptions& options = {},
                  const std::vector<DerivedItem>& derived = {}, const GroundTruth& truth = {});
Recording read(const std::string& path, const ReadOptions& options = {});
FileHeader read_header(const std::string& path);

/// The whole /truth group of a file (never cut to a window). FormatError naming the file and the
/// HDF5 object when the file has no /truth or it is malformed (missing column, unequal lengths,
/// sample out of range, activity shape or code).
GroundTruth read_truth(const std::string& path);
/// True if the CrampLab file at `path` has a /truth group (FormatError/IoError as read_header).
bool has_truth(const std::string& path);

/// Add (or replace) derived items in an existing file, atomically (copy, modify, rename).
void write_derived(const std::string& path, const std::vector<DerivedItem>& items);
/// Read one derived item ("derived/bandpass" or "metrics/fatigue").
DerivedItem read_derived(const std::string& path, const std::string& item);

/// Structural validation of a CrampLab file: every problem found (empty = valid). Never throws
/// for a malformed file (only for a file that cannot be opened at all: IoError).
std::vector<std::string> validate_file(const std::string& path);

/// True if `path` starts with the HDF5 signature and has root attribute format == "cramplab".
bool is_cramplab_file(const std::string& path);

}  // namespace emg::io
