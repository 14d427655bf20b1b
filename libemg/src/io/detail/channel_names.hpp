// Channel names an importer gives: unique within a recording, as Recording requires.
#pragma once

#include <emg/recording.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace emg::detail {

/// `name` if no channel in `taken` uses it, else the first free "<name>_2", "<name>_3", ...
inline std::string unique_name(const std::string& name, const std::vector<ChannelInfo>& taken) {
  auto used = [&](const std::string& n) {
    return std::any_of(taken.begin(), taken.end(), [&](const ChannelInfo& c) { return c.name == n; });
  };
  if (!used(name)) return name;
  for (int k = 2;; ++k) {
    const std::string candidate = name + "_" + std::to_string(k);
    if (!used(candidate)) return candidate;
  }
}

}  // namespace emg::detail
