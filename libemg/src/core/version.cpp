#include <emg/version.hpp>

#include "version_info.hpp"

namespace emg {

std::string version() { return EMG_VERSION_STRING; }
std::string git_sha() { return EMG_GIT_SHA_STRING; }

}  // namespace emg
