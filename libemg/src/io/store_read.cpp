// emg::io::read / read_header: hyperslab reads of a time window and a channel subset.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>

#include "detail/check.hpp"
#include "io/detail/direct_read.hpp"
#include "io/detail/store_layout.hpp"
#include "io/detail/store_tables.hpp"
#include "io/detail/store_truth.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <cmath>

namespace emg::io {

namespace {

using detail::DataInfo;
using detail::Storage;
using emg::detail::fail_param;
using emg::detail::fmt;

constexpr const char* kFn = "read";

struct Selection {
  std::vector<long> rows;
  bool all = true;  ///< every channel in file order (one hyperslab for the whole block)
  std::int64_t start = 0;
  std::int64_t stop = 0;
};

Selection resolve(const ReadOptions& o, const DataInfo& info, const std::vector<ChannelInfo>& channels) {
  Selection s;
  const std::int64_t n = info.n_samples;
  if (o.start_sample < 0 || o.start_sample >= n) {
    fail_param(kFn, "start_sample", std::to_string(o.start_sample), "must be in [0, " + std::to_string(n) + ")");
  }
  s.start = o.start_sample;
  s.stop = o.stop_sample == -1 ? n : o.stop_sample;
  if (o.stop_sample != -1 && (s.stop <= s.start || s.stop > n)) {
    fail_param(kFn, "stop_sample", std::to_string(o.stop_sample),
               "must be -1 (to the end) or in (start_sample, n_samples] = (" + std::to_string(s.start) + ", " +
                   std::to_string(n) + "]");
  }
  const long nch = info.n_channels;
  if (!o.channel_names.empty()) {
    for (std::size_t k = 0; k < o.channel_names.size(); ++k) {
      const std::string& name = o.channel_names[k];
      long found = -1;
      std::string names;
      for (long c = 0; c < nch; ++c) {
        const auto& cn = channels[static_cast<std::size_t>(c)].name;
        if (cn == name) found = c;
        names += (c ? ", " : "") + cn;
      }
      if (found < 0) fail_param(kFn, "channels", "\"" + name + "\"", "is not a channel (channels: " + names + ")");
      s.rows.push_back(found);
    }
  } else if (!o.channel_indices.empty()) {
    for (std::size_t k = 0; k < o.channel_indices.size(); ++k) {
      const long c = o.channel_indices[k];
      if (c < 0 || c >= nch) {
        fail_param(kFn, "channels[" + std::to_string(k) + "]", std::to_string(c), "must be in [0, " + std::to_string(nch) + ")");
      }
      s.rows.push_back(c);
    }
  } else {
    for (long c = 0; c < nch; ++c) s.rows.push_back(c);
  }
  for (std::size_t k = 0; k < s.rows.size(); ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (s.rows[j] == s.rows[k]) {
        fail_param(kFn, "channels[" + std::to_string(k) + "]", "\"" + channels[static_cast<std::size_t>(s.rows[k])].name + "\"",
                   "appears twice");
      }
    }
  }
  s.all = static_cast<long>(s.rows.size()) == nch;
  for (std::size_t k = 0; s.all && k < s.rows.size(); ++k) s.all = s.rows[k] == static_cast<long>(k);
  return s;
}

/// Filtered or integer data: chunk-aligned blocks of every channel into one reused buffer, then
/// the selected rows are converted (value = count * conversion + offset, exactly as the writer checked).
template <class T>
void read_blocks(const H5::DataSet& ds, const H5::PredType& mem_type, const DataInfo& info, const Selection& sel,
                 RowMatrixXd& out) {
  const long nch = info.n_channels;
  const std::int64_t chunk_n = info.chunk_n > 0 ? info.chunk_n : 65536;
  const std::int64_t chunk_bytes = chunk_n * nch * static_cast<std::int64_t>(sizeof(T));
  const std::int64_t per_block = std::max<std::int64_t>(1, (std::int64_t{8} << 20) / chunk_bytes);
  const std::int64_t block_n = std::min(chunk_n * per_block, sel.stop - sel.start + chunk_n);
  std::vector<T> buf(static_cast<std::size_t>(nch) * static_cast<std::size_t>(block_n));
  H5::DataSpace fspace = ds.getSpace();
  const bool integer = info.storage == Storage::Int16 || info.storage == Storage::Int32;
  for (std::int64_t t0 = sel.start; t0 < sel.stop;) {
    const std::int64_t t1 = std::min(sel.stop, (t0 / chunk_n + per_block) * chunk_n);
    const std::int64_t len = t1 - t0;
    const hsize_t start[2] = {0, static_cast<hsize_t>(t0)};
    const hsize_t count[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(len)};
    fspace.selectHyperslab(H5S_SELECT_SET, count, start);
    H5::DataSpace mspace(2, count);
    ds.read(buf.data(), mem_type, mspace, fspace);
    for (std::size_t k = 0; k < sel.rows.size(); ++k) {
      const long c = sel.rows[k];
      const T* src = buf.data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(len);
      double* dst = out.row(static_cast<Eigen::Index>(k)).data() + (t0 - sel.start);
      if (integer) {
        const double conv = info.conversion[static_cast<std::size_t>(c)];
        const double off = info.offset[static_cast<std::size_t>(c)];
        for (std::int64_t j = 0; j < len; ++j) {
          const double scaled = static_cast<double>(src[j]) * conv;  // separate statements: no FMA
          dst[j] = scaled + off;
        }
      } else {
        for (std::int64_t j = 0; j < len; ++j) dst[j] = static_cast<double>(src[j]);
      }
    }
    t0 = t1;
  }
}

/// Ask for transparent huge pages on a large fresh buffer (as NumPy does for its arrays): filling
/// it then takes ~500x fewer page faults, which otherwise cost more than the copy itself.
void advise_huge_pages(void* data, std::size_t bytes) {
  constexpr std::size_t kPage = 4096;
  if (bytes < (std::size_t{4} << 20)) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kPage - 1) / kPage * kPage;
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / kPage * kPage;
#ifdef MADV_HUGEPAGE  // Linux only; elsewhere a no-op
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advisory: errors ignored
#else
  (void)begin;
  (void)end;
#endif
}

RowMatrixXd read_samples(const H5::DataSet& ds, const DataInfo& info, const Selection& sel) {
  RowMatrixXd out(static_cast<Eigen::Index>(sel.rows.size()), static_cast<Eigen::Index>(sel.stop - sel.start));
  advise_huge_pages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(double));
  if (detail::read_direct_f64(ds, info, sel.rows, sel.start, sel.stop, out.data(), out.cols())) return out;
  const hsize_t len = static_cast<hsize_t>(sel.stop - sel.start);
  const bool is_float = info.storage == Storage::Float64 || info.storage == Storage::Float32;
  if (is_float && !info.filtered) {
    // Unfiltered chunks with no chunk cache: HDF5 copies from the file straight into our rows.
    H5::DataSpace fspace = ds.getSpace();
    if (sel.all) {
      const hsize_t start[2] = {0, static_cast<hsize_t>(sel.start)};
      const hsize_t count[2] = {static_cast<hsize_t>(info.n_channels), len};
      fspace.selectHyperslab(H5S_SELECT_SET, count, start);
      H5::DataSpace mspace(2, count);
      ds.read(out.data(), H5::PredType::NATIVE_DOUBLE, mspace, fspace);
    } else {
      for (std::size_t k = 0; k < sel.rows.size(); ++k) {
        const hsize_t start[2] = {static_cast<hsize_t>(sel.rows[k]), static_cast<hsize_t>(sel.start)};
        const hsize_t count[2] = {1, len};
        fspace.selectHyperslab(H5S_SELECT_SET, count, start);
        H5::DataSpace mspace(2, count);
        ds.read(out.row(static_cast<Eigen::Index>(k)).data(), H5::PredType::NATIVE_DOUBLE, mspace, fspace);
      }
    }
    return out;
  }
  switch (info.storage) {
    case Storage::Int16: read_blocks<std::int16_t>(ds, H5::PredType::NATIVE_INT16, info, sel, out); break;
    case Storage::Int32: read_blocks<std::int32_t>(ds, H5::PredType::NATIVE_INT32, info, sel, out); break;
    case Storage::Float32: read_blocks<float>(ds, H5::PredType::NATIVE_FLOAT, info, sel, out); break;
    case Storage::Float64: read_blocks<double>(ds, H5::PredType::NATIVE_DOUBLE, info, sel, out); break;
  }
  return out;
}

void check_finite(const RowMatrixXd& x, const Selection& sel, const std::vector<ChannelInfo>& channels,
                  const std::string& path) {
  for (Eigen::Index k = 0; k < x.rows(); ++k) {
    const double* v = x.row(k).data();
    bool all_finite = true;
    for (Eigen::Index j = 0; j < x.cols(); ++j) all_finite &= std::isfinite(v[j]);
    if (all_finite) continue;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(v[j])) {
        const long c = sel.rows[static_cast<std::size_t>(k)];
        throw FormatError(path + ": /recording/data: channel \"" + channels[static_cast<std::size_t>(c)].name +
                          "\" (index " + std::to_string(c) + ") has a non-finite sample (" + fmt(v[j]) +
                          ") at sample index " + std::to_string(sel.start + j));
      }
    }
  }
}

[[noreturn]] void with_file(const std::string& path, const FormatError& e) {
  const std::string m = e.what();
  if (m.rfind(path + ":", 0) == 0) throw e;
  throw FormatError(path + ": " + m);
}

struct Opened {
  H5::H5File file;
  int version = 0;
  std::string created_by;
  DataInfo info;
  std::vector<ChannelInfo> channels;
};

Opened open_checked(const std::string& path, std::string& where) {
  Opened o;
  o.file = detail::open_existing(path);
  detail::Problems problems(path, false);
  where.assign(1, '/');  // (GCC 12 warns falsely about where = "/", bug 105329)
  o.version = detail::check_root(o.file, problems, &o.created_by);
  where = "/recording/data";
  o.info = *detail::inspect_data(o.file, problems);
  where = "/recording/channels";
  o.channels = detail::read_channels(o.file, o.info, problems);
  return o;
}

}  // namespace

namespace detail {
void scan_data(const H5::H5File& file, const DataInfo& info, const std::vector<ChannelInfo>& channels, Problems& problems) {
  H5::DataSet ds = open_data(file, info);
  Selection sel;
  for (long c = 0; c < info.n_channels; ++c) sel.rows.push_back(c);
  std::vector<bool> reported(static_cast<std::size_t>(info.n_channels), false);
  const std::int64_t chunk_n = info.chunk_n > 0 ? info.chunk_n : 65536;
  const std::int64_t step = chunk_n * std::max<std::int64_t>(1, (std::int64_t{1} << 20) / (chunk_n * info.n_channels));
  for (std::int64_t t0 = 0; t0 < info.n_samples; t0 += step) {
    sel.start = t0;
    sel.stop = std::min(info.n_samples, t0 + step);
    const RowMatrixXd x = read_samples(ds, info, sel);
    for (Eigen::Index c = 0; c < x.rows(); ++c) {
      if (reported[static_cast<std::size_t>(c)]) continue;
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        if (!std::isfinite(x(c, j))) {
          problems.add("/recording/data", "channel \"" + channels[static_cast<std::size_t>(c)].name + "\" (index " +
                                              std::to_string(c) + ") has a non-finite sample (" + fmt(x(c, j)) +
                                              ") at sample index " + std::to_string(t0 + j));
          reported[static_cast<std::size_t>(c)] = true;
          break;
        }
      }
    }
  }
}
}  // namespace detail

Recording read(const std::string& path, const ReadOptions& options) {
  auto lock = detail::h5_lock();
  std::string where = "/";
  try {
    Opened o = open_checked(path, where);
    const Selection sel = resolve(options, o.info, o.channels);
    where = "/recording/data";
    H5::DataSet ds = detail::open_data(o.file, o.info);
    std::vector<ChannelInfo> channels;
    for (long c : sel.rows) channels.push_back(o.channels[static_cast<std::size_t>(c)]);
    const double start_time = o.info.start_time_s + static_cast<double>(sel.start) / o.info.fs_hz;
    // The Recording checks every sample is finite; only when that fails do we read again to name
    // the channel and sample in file coordinates (one pass over the data in the common case).
    std::optional<Recording> made;
    try {
      made.emplace(read_samples(ds, o.info, sel), o.info.fs_hz, channels, start_time);
    } catch (const InvalidArgument& e) {
      check_finite(read_samples(ds, o.info, sel), sel, o.channels, path);
      throw FormatError(path + ": " + e.what());
    }
    Recording& rec = *made;
    detail::TableWindow window{sel.start, sel.stop, o.info.n_samples, o.info.n_channels, sel.rows};
    detail::read_tables(o.file, path, window, rec, where);
    return std::move(rec);
  } catch (const H5::Exception& e) {
    throw IoError(path + ": cannot read " + where + ": " + detail::h5_error_detail(e));
  } catch (const FormatError& e) {
    with_file(path, e);
  }
}

FileHeader read_header(const std::string& path) {
  auto lock = detail::h5_lock();
  std::string where = "/";
  try {
    Opened o = open_checked(path, where);
    FileHeader h;
    h.format_version = o.version;
    h.created_by = o.created_by;
    h.fs_hz = o.info.fs_hz;
    h.start_time_s = o.info.start_time_s;
    h.n_channels = o.info.n_channels;
    h.n_samples = static_cast<long>(o.info.n_samples);
    h.sample_type = detail::storage_name(o.info.storage);
    h.compression = o.info.compression;
    h.channels = std::move(o.channels);
    where = "/recording";
    H5::Group rec = o.file.openGroup("recording");
    for (const auto& name : detail::attr_names(rec)) h.attributes[name] = detail::read_attr_string(rec, name, "/recording");
    where = "/derived";
    h.derived = detail::list_derived(o.file);
    h.has_truth = detail::truth_present(o.file);
    return h;
  } catch (const H5::Exception& e) {
    throw IoError(path + ": cannot read " + where + ": " + detail::h5_error_detail(e));
  } catch (const FormatError& e) {
    with_file(path, e);
  }
}

GroundTruth read_truth(const std::string& path) {
  auto lock = detail::h5_lock();
  std::string where = "/";
  try {
    Opened o = open_checked(path, where);
    where = "/truth";
    detail::Problems problems(path, false);
    return detail::read_truth_group(o.file, o.info.n_channels, o.info.n_samples, problems);
  } catch (const H5::Exception& e) {
    throw IoError(path + ": cannot read " + where + ": " + detail::h5_error_detail(e));
  } catch (const FormatError& e) {
    with_file(path, e);
  }
}

bool has_truth(const std::string& path) {
  auto lock = detail::h5_lock();
  try {
    H5::H5File f = detail::open_existing(path);
    detail::Problems problems(path, false);
    detail::check_root(f, problems);
    return detail::truth_present(f);
  } catch (const H5::Exception& e) {
    throw IoError(path + ": cannot read /truth: " + detail::h5_error_detail(e));
  } catch (const FormatError& e) {
    with_file(path, e);
  }
}

}  // namespace emg::io
