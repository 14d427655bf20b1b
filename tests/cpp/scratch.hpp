// A private scratch directory per test process (removed at exit) for tests that write files.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <unistd.h>

namespace emg::test {

/// <temp>/emg_test_<pid>: one per process, so tests that ctest runs in parallel never collide.
inline const std::filesystem::path& scratch() {
  struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("emg_test_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// scratch()/name with any file left there by an earlier test removed, for writers that refuse to
/// overwrite.
inline std::string fresh_path(const std::string& name) {
  const auto p = scratch() / name;
  std::filesystem::remove(p);
  return p.string();
}

/// Write `content` (bytes) to scratch()/name and return the path.
inline std::string write_file(const std::string& name, const std::string& content) {
  const auto p = scratch() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

}  // namespace emg::test
