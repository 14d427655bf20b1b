// Steps shared by the subcommands: read INPUT, band-pass and remove mains as the options say.
#pragma once

#include "common/options.hpp"

#include <emg/recording.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cramplab {

/// "0,1,3" -> {0, 1, 3}; throws UsageError on anything else.
std::vector<long> parse_columns(const std::string& text);

/// Validate the general options (threads) and apply them.
void apply_general(const InputArgs& args);

/// Read INPUT (a text table) with the input options.
emg::Recording load_input(const std::string& path, const InputArgs& args);

struct Preprocessed {
  emg::Recording recording;
  std::optional<emg::filters::MainsResult> mains;  ///< set when mains removal ran
};

/// Band-pass (unless --no-bandpass), then mains removal (unless --no-mains). Parameters are
/// validated against the recording before any work starts.
Preprocessed preprocess(const emg::Recording& rec, const PreprocessArgs& args, Progress& progress);

/// Output path check: the parent directory must exist (IoError otherwise).
void check_output_parent(const std::string& path);

/// Refuse to write over the input file (UsageError): inputs are never modified.
void check_not_input(const std::string& input, const std::string& output);

}  // namespace cramplab
