// libFuzzer entry point for the text parser; the harness lives in fuzz_common.hpp (shared with the
// regression replay test).
#include "fuzz_common.hpp"

#include <filesystem>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("cramplab_fuzz_text_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  emg::fuzz::run_target("fuzz_text", data, size, dir);
  return 0;
}
