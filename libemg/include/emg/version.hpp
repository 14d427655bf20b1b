#pragma once

#include <string>

namespace emg {

/// Library version, e.g. "0.1.0".
std::string version();
/// Git commit the library was built from (empty when built outside a git checkout).
std::string git_sha();

}  // namespace emg
