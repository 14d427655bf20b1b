// Declared parameters: one table per params struct feeds CLI options, config keys and docs.
#pragma once

#include <string>
#include <vector>

namespace emg {

/// One declared parameter (Essentia-style): the same `name` is the C++ field, the Python
/// keyword, the CLI option (`--<section>.<name>`) and the config key.
struct ParamInfo {
  std::string name;           ///< e.g. "low_hz"
  std::string unit;           ///< e.g. "Hz", "s", "" for dimensionless
  std::string default_value;  ///< printed default, e.g. "20"
  std::string range;          ///< rule in words, e.g. "(0, fs_hz/2)"
  std::string help;           ///< one sentence
};

using ParamTable = std::vector<ParamInfo>;

}  // namespace emg
