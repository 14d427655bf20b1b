// SHA-256 (FIPS 180-4) for provenance: input checksums of derived results and imported files.
#pragma once

#include <emg/recording.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace emg::io {

/// Lower-case hex SHA-256 of a byte buffer.
std::string sha256_hex(const void* data, std::size_t n_bytes);
/// Of a whole file, streamed (IoError naming the file if it cannot be read).
std::string sha256_file(const std::string& path);
/// Of a recording's samples: float64 little-endian, channel after channel, plus fs_hz, so equal
/// checksums mean equal inputs to any processing step.
std::string data_sha256(const Recording& recording);

}  // namespace emg::io
