// HDF5's shuffle + deflate filters, reimplemented so that chunks can be compressed outside the
// global HDF5 lock (and in parallel) and stored with H5Dwrite_chunk. The output is byte for byte
// what HDF5's own pipeline (H5Zshuffle.c, H5Zdeflate.c) writes with the same zlib, so every HDF5
// reader (h5py included) decodes it with its usual filters. No HDF5 or zlib types here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace emg::io::detail {

/// HDF5's byte shuffle of `n_bytes` bytes of elements `element_bytes` wide: byte b of element i
/// goes to out[b * n_elements + i]; a trailing partial element is copied unchanged; elements of
/// one byte, or fewer than two elements, are copied unchanged. `in` holds the elements in file
/// (little-endian) byte order. `out` must hold n_bytes.
void shuffle_bytes(const std::uint8_t* in, std::size_t n_bytes, std::size_t element_bytes, std::uint8_t* out);
/// The inverse of shuffle_bytes.
void unshuffle_bytes(const std::uint8_t* in, std::size_t n_bytes, std::size_t element_bytes, std::uint8_t* out);

/// zlib stream (compress2) of `in` at `level` (1..9) into `out` (resized to the compressed size).
/// Throws std::runtime_error when zlib fails (out of memory).
void deflate_bytes(const std::uint8_t* in, std::size_t n_bytes, int level, std::vector<std::uint8_t>& out);
/// Inflate a zlib stream into exactly `n_bytes` bytes; false when the stream is corrupt or of another size.
bool inflate_bytes(const std::uint8_t* in, std::size_t in_bytes, std::uint8_t* out, std::size_t n_bytes);

/// Test hook: false makes io::write compress through HDF5's filter pipeline (one H5Dwrite per
/// chunk, no chunk cache) instead of the direct-chunk writer, to compare the two files. Default true.
void set_direct_chunk_writes(bool on);
bool direct_chunk_writes();
/// Raw (uncompressed) bytes of the chunks the direct writer compresses between two visits to the
/// HDF5 lock (default 8 MiB; at least two chunks per thread). Settable so tests can use many batches.
void set_encode_batch_bytes(std::size_t bytes);
std::size_t encode_batch_bytes();

}  // namespace emg::io::detail
