// One harness per fuzz target, shared by the libFuzzer entry points (fuzz_<target>.cpp) and by the
// gtest that replays tests/data/fuzz-regressions/<target>/. A harness turns the fuzzer's bytes into
// files in `workdir` and calls the parser; the parser's documented errors (emg::FormatError,
// IoError, InvalidArgument) are expected outcomes. Anything else escapes: a crash for libFuzzer,
// a test failure in the replay.
#pragma once

#include <emg/errors.hpp>
#include <emg/io/edf.hpp>
#include <emg/io/text.hpp>
#include <emg/io/wfdb.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace emg::fuzz {

inline void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

template <class F>
void expect_emg_errors_only(F&& f) {
  try {
    f();
  } catch (const emg::FormatError&) {
  } catch (const emg::IoError&) {
  } catch (const emg::InvalidArgument&) {
  }
}

/// WFDB: the bytes before the first NUL are the header (written as fz.hea), the bytes after it the
/// signal file fz.dat; all three wrap-around modes are exercised.
inline void run_wfdb_header(const std::uint8_t* data, std::size_t size, const std::string& dir) {
  const void* nul = std::memchr(data, 0, size);
  const std::size_t head = nul ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - data) : size;
  write_bytes(dir + "/fz.hea", data, head);
  const std::size_t rest = head < size ? size - head - 1 : 0;
  write_bytes(dir + "/fz.dat", data + size - rest, rest);
  for (const char* mode : {"error", "unwrap", "keep"}) {
    emg::io::WfdbOptions options;
    options.wraparound = mode;
    expect_emg_errors_only([&] { (void)emg::io::read_wfdb(dir + "/fz.hea", options); });
  }
}

inline void run_edf(const std::uint8_t* data, std::size_t size, const std::string& dir) {
  write_bytes(dir + "/fz.edf", data, size);
  expect_emg_errors_only([&] { (void)emg::io::read_edf(dir + "/fz.edf"); });
}

inline void run_text(const std::uint8_t* data, std::size_t size, const std::string& dir) {
  write_bytes(dir + "/fz.txt", data, size);
  expect_emg_errors_only([&] { (void)emg::io::read_text(dir + "/fz.txt"); });
}

/// Dispatch by target name (the regression folder's name).
inline void run_target(const std::string& target, const std::uint8_t* data, std::size_t size, const std::string& dir) {
  if (target == "fuzz_wfdb_header") return run_wfdb_header(data, size, dir);
  if (target == "fuzz_edf") return run_edf(data, size, dir);
  if (target == "fuzz_text") return run_text(data, size, dir);
  throw std::invalid_argument("unknown fuzz target " + target);
}

}  // namespace emg::fuzz
