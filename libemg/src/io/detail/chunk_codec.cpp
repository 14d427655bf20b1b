#include "io/detail/chunk_codec.hpp"

#include <zlib.h>

#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace emg::io::detail {

namespace {
std::atomic<bool> g_direct{true};
std::atomic<std::size_t> g_batch_bytes{std::size_t{8} << 20};

template <std::size_t S>
void shuffle_fixed(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t b = 0; b < S; ++b) out[b * n + i] = in[i * S + b];
  }
}
template <std::size_t S>
void unshuffle_fixed(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t b = 0; b < S; ++b) out[i * S + b] = in[b * n + i];
  }
}
}  // namespace

void shuffle_bytes(const std::uint8_t* in, std::size_t n_bytes, std::size_t element_bytes, std::uint8_t* out) {
  const std::size_t n = element_bytes == 0 ? 0 : n_bytes / element_bytes;
  if (element_bytes <= 1 || n <= 1) {  // H5Z__filter_shuffle leaves these untouched
    if (n_bytes > 0) std::memcpy(out, in, n_bytes);
    return;
  }
  switch (element_bytes) {
    case 2: shuffle_fixed<2>(in, n, out); break;
    case 4: shuffle_fixed<4>(in, n, out); break;
    case 8: shuffle_fixed<8>(in, n, out); break;
    default:
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t b = 0; b < element_bytes; ++b) out[b * n + i] = in[i * element_bytes + b];
      }
  }
  const std::size_t done = n * element_bytes;
  if (done < n_bytes) std::memcpy(out + done, in + done, n_bytes - done);
}

void unshuffle_bytes(const std::uint8_t* in, std::size_t n_bytes, std::size_t element_bytes, std::uint8_t* out) {
  const std::size_t n = element_bytes == 0 ? 0 : n_bytes / element_bytes;
  if (element_bytes <= 1 || n <= 1) {
    if (n_bytes > 0) std::memcpy(out, in, n_bytes);
    return;
  }
  switch (element_bytes) {
    case 2: unshuffle_fixed<2>(in, n, out); break;
    case 4: unshuffle_fixed<4>(in, n, out); break;
    case 8: unshuffle_fixed<8>(in, n, out); break;
    default:
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t b = 0; b < element_bytes; ++b) out[i * element_bytes + b] = in[b * n + i];
      }
  }
  const std::size_t done = n * element_bytes;
  if (done < n_bytes) std::memcpy(out + done, in + done, n_bytes - done);
}

void deflate_bytes(const std::uint8_t* in, std::size_t n_bytes, int level, std::vector<std::uint8_t>& out) {
  // H5Z__filter_deflate: one compress2() call into a compressBound()-sized buffer. zlib's output
  // does not depend on the size of that buffer as long as it fits, so this is the same stream.
  if (n_bytes > std::numeric_limits<uLong>::max()) throw std::runtime_error("deflate: chunk too large");
  uLongf dst = compressBound(static_cast<uLong>(n_bytes));
  out.resize(static_cast<std::size_t>(dst));
  const int status = compress2(out.data(), &dst, in, static_cast<uLong>(n_bytes), level);
  if (status != Z_OK) throw std::runtime_error("deflate: zlib compress2 failed (status " + std::to_string(status) + ")");
  out.resize(static_cast<std::size_t>(dst));
}

bool inflate_bytes(const std::uint8_t* in, std::size_t in_bytes, std::uint8_t* out, std::size_t n_bytes) {
  if (in_bytes > std::numeric_limits<uLong>::max() || n_bytes > std::numeric_limits<uLong>::max()) return false;
  uLongf dst = static_cast<uLongf>(n_bytes);
  const int status = uncompress(out, &dst, in, static_cast<uLong>(in_bytes));
  return status == Z_OK && dst == n_bytes;
}

void set_direct_chunk_writes(bool on) { g_direct.store(on); }
bool direct_chunk_writes() { return g_direct.load(); }
void set_encode_batch_bytes(std::size_t bytes) { g_batch_bytes.store(bytes > 0 ? bytes : std::size_t{8} << 20); }
std::size_t encode_batch_bytes() { return g_batch_bytes.load(); }

}  // namespace emg::io::detail
