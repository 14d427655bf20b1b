// Reading unfiltered float64 chunks with one H5Dread_chunk each.
//
// For our layout the raw bytes of an unfiltered chunk are already the little-endian float64
// samples of all channels for chunk_n samples. Reading each chunk whole (one pread into a small
// reused buffer) and copying its rows into the caller's rows is about twice as fast as H5Dread,
// which, with or without its chunk cache, moves every row segment through extra buffers.
// Anything unexpected returns false and the caller uses H5Dread.
#pragma once

#include "io/detail/store_layout.hpp"

#include <cstdint>
#include <vector>

namespace emg::io::detail {

/// Samples [start, stop) of file rows `rows` into out rows (row k at out + k * out_stride).
/// Returns false when the fast path does not apply (the output may then be partly written).
bool read_direct_f64(const H5::DataSet& ds, const DataInfo& info, const std::vector<long>& rows, std::int64_t start,
                     std::int64_t stop, double* out, std::int64_t out_stride);

}  // namespace emg::io::detail
