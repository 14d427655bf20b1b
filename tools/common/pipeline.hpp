// Steps shared by the subcommands: read INPUT, band-pass and remove mains as the options say.
#pragma once

#include "common/options.hpp"

#include <emg/io/formats.hpp>
#include <emg/io/store.hpp>
#include <emg/recording.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cramplab {

/// "0,1,3" -> {0, 1, 3}; throws UsageError on anything else.
std::vector<long> parse_columns(const std::string& text);

/// Validate the general options (threads) and apply them.
void apply_general(const InputArgs& args);

/// Read INPUT (any importable format, emg::io::import_file) with the input options.
emg::Recording load_input(const std::string& path, const ImportArgs& args);

struct Preprocessed {
  emg::Recording recording;
  std::optional<emg::filters::MainsResult> mains;  ///< set when mains removal ran
};

/// Band-pass (unless --no-bandpass), then mains removal (unless --no-mains). Parameters are
/// validated against the recording before any work starts.
Preprocessed preprocess(const emg::Recording& rec, const PreprocessArgs& args, Progress& progress);

/// A file read by info / validate / export: the recording, the reader that read it and, for a
/// CrampLab file, its header.
struct LoadedInput {
  emg::Recording recording;
  std::string format;                           ///< format_name() of the reader
  std::optional<emg::io::FileHeader> header;    ///< set for CrampLab HDF5 files
};

/// Read any importable file. CrampLab files (detected, or --format cramplab) are read with
/// emg::io::read plus read_header; everything else with import_file. Safe to call from several
/// threads: readers backed by libraries with global state (EDFlib, matio) are serialised.
LoadedInput load_any(const std::string& path, const emg::io::ImportOptions& options);

/// Output path check: the parent directory must exist (IoError otherwise).
void check_output_parent(const std::string& path);

/// Refuse to write over the input file (UsageError): inputs are never modified.
void check_not_input(const std::string& input, const std::string& output);

}  // namespace cramplab
