#include "io/detail/direct_read.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace emg::io::detail {

bool read_direct_f64(const H5::DataSet& ds, const DataInfo& info, const std::vector<long>& rows, std::int64_t start,
                     std::int64_t stop, double* out, std::int64_t out_stride) {
  if constexpr (std::endian::native != std::endian::little) return false;
  if (info.storage != Storage::Float64 || info.filtered || info.chunk_n <= 0) return false;
  if (H5Tget_order(ds.getDataType().getId()) != H5T_ORDER_LE) return false;
  const std::int64_t cn = info.chunk_n;
  const auto chunk_bytes = static_cast<hsize_t>(cn) * static_cast<hsize_t>(info.n_channels) * sizeof(double);
  std::vector<double> buf(static_cast<std::size_t>(cn) * static_cast<std::size_t>(info.n_channels));
  for (std::int64_t c = start / cn; c * cn < stop; ++c) {
    const hsize_t coord[2] = {0, static_cast<hsize_t>(c * cn)};
    hsize_t stored = 0;
    std::uint32_t filters = 0;
    // The size check keeps a damaged file from overrunning the buffer; a chunk never written or
    // any other surprise sends the caller back to H5Dread, which reports it properly.
    if (H5Dget_chunk_storage_size(ds.getId(), coord, &stored) < 0 || stored != chunk_bytes ||
        H5Dread_chunk(ds.getId(), H5P_DEFAULT, coord, &filters, buf.data()) < 0 || filters != 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    const std::int64_t t0 = std::max(start, c * cn), t1 = std::min(stop, (c + 1) * cn);
    const auto bytes = static_cast<std::size_t>(t1 - t0) * sizeof(double);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      std::memcpy(out + static_cast<std::int64_t>(k) * out_stride + (t0 - start),
                  buf.data() + rows[k] * cn + (t0 - c * cn), bytes);
    }
  }
  return true;
}

}  // namespace emg::io::detail
