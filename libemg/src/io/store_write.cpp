// emg::io::write: a Recording (plus derived items) into a new CrampLab file, atomically.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>

#include "detail/check.hpp"
#include "io/detail/atomic_file.hpp"
#include "io/detail/chunk_codec.hpp"
#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"
#include "io/detail/store_truth.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <vector>

#include <emg/parallel.hpp>

namespace emg::io {

namespace {

using detail::Storage;
using emg::detail::fail_param;
using emg::detail::fmt;

constexpr const char* kFn = "write";

/// Counts k with k * conversion + offset == v bit for bit (the reader computes exactly this), and
/// their range; false when a sample has no such count.
bool exact_counts(const RowMatrixXd& x, long c, double conversion, double offset, double& kmin, double& kmax) {
  const double* v = x.row(c).data();
  const Eigen::Index n = x.cols();
  for (Eigen::Index j = 0; j < n; ++j) {
    const double k = std::nearbyint((v[j] - offset) / conversion);
    if (!(k >= -2147483648.0 && k <= 2147483647.0)) return false;
    const double scaled = k * conversion;  // separate statements: no fused multiply-add
    const double back = scaled + offset;
    if (std::bit_cast<std::uint64_t>(back) != std::bit_cast<std::uint64_t>(v[j])) return false;
    kmin = std::min(kmin, k);
    kmax = std::max(kmax, k);
  }
  return true;
}

/// Integer storage that reproduces every sample, or Float64 (with `why` saying which channel fails).
Storage integer_storage(const Recording& rec, std::string& why) {
  double kmin = 0.0, kmax = 0.0;
  for (long c = 0; c < rec.n_channels(); ++c) {
    const auto& ch = rec.channels()[static_cast<std::size_t>(c)];
    if (!std::isfinite(ch.conversion) || ch.conversion == 0.0 || !std::isfinite(ch.offset)) {
      why = "channel \"" + ch.name + "\" has no finite conversion/offset (conversion=" + fmt(ch.conversion) + ")";
      return Storage::Float64;
    }
    if (!exact_counts(rec.data(), c, ch.conversion, ch.offset, kmin, kmax)) {
      why = "channel \"" + ch.name + "\" has samples that are not count * conversion + offset";
      return Storage::Float64;
    }
  }
  if (kmin >= -32768.0 && kmax <= 32767.0) return Storage::Int16;
  return Storage::Int32;
}

const H5::PredType& file_type(Storage s) {
  switch (s) {
    case Storage::Float64: return H5::PredType::IEEE_F64LE;
    case Storage::Float32: return H5::PredType::IEEE_F32LE;
    case Storage::Int16: return H5::PredType::STD_I16LE;
    case Storage::Int32: return H5::PredType::STD_I32LE;
  }
  return H5::PredType::IEEE_F64LE;
}

void check_options(const WriteOptions& o) {
  if (o.deflate_level < 1 || o.deflate_level > 9) {
    fail_param(kFn, "deflate_level", std::to_string(o.deflate_level), "must be in 1..9");
  }
  if (!std::isfinite(o.chunk_s) || o.chunk_s <= 0.0) fail_param(kFn, "chunk_s", fmt(o.chunk_s), "must be finite and > 0");
}

/// Float32 of v, or InvalidArgument naming the sample when it is beyond the float32 range.
inline float to_float32(double v, const Recording& rec, long c, std::int64_t sample) {
  const float f = static_cast<float>(v);
  if (!std::isfinite(f)) {
    fail_param(kFn, "sample_type", "float32",
               "cannot store " + fmt(v) + " (channel \"" + rec.channels()[static_cast<std::size_t>(c)].name +
                   "\", sample " + std::to_string(sample) + "): beyond the float32 range");
  }
  return f;
}

/// Samples of every channel converted to T (counts, float32 or float64) and written in blocks of
/// block_n samples through HDF5's own pipeline.
template <class T>
void write_converted(H5::DataSet& ds, const Recording& rec, Storage storage, std::int64_t block_n,
                     const H5::PredType& mem_type, double& max_err) {
  const long nch = rec.n_channels();
  const std::int64_t n = rec.n_samples();
  std::vector<T> buf(static_cast<std::size_t>(nch) * static_cast<std::size_t>(std::min(block_n, n)));
  H5::DataSpace fspace = ds.getSpace();
  for (std::int64_t t0 = 0; t0 < n; t0 += block_n) {
    const std::int64_t len = std::min(block_n, n - t0);
    for (long c = 0; c < nch; ++c) {
      const double* v = rec.data().row(c).data() + t0;
      T* out = buf.data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(len);
      if (storage == Storage::Float64) {
        for (std::int64_t j = 0; j < len; ++j) out[j] = static_cast<T>(v[j]);
      } else if (storage == Storage::Float32) {
        for (std::int64_t j = 0; j < len; ++j) {
          out[j] = static_cast<T>(to_float32(v[j], rec, c, t0 + j));
          max_err = std::max(max_err, std::abs(static_cast<double>(out[j]) - v[j]));
        }
      } else {
        const auto& ch = rec.channels()[static_cast<std::size_t>(c)];
        for (std::int64_t j = 0; j < len; ++j) out[j] = static_cast<T>(std::nearbyint((v[j] - ch.offset) / ch.conversion));
      }
    }
    const hsize_t start[2] = {0, static_cast<hsize_t>(t0)};
    const hsize_t count[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(len)};
    fspace.selectHyperslab(H5S_SELECT_SET, count, start);
    H5::DataSpace mspace(2, count);
    ds.write(buf.data(), mem_type, mspace, fspace);
  }
}

/// One chunk (all channels, samples [t0, t0 + chunk_n)) of `rec` as HDF5 would filter it:
/// converted to the file type T (little-endian), zero-padded past the end of the recording like
/// HDF5's own edge chunks, shuffled and deflated into `out`.
template <class T>
void encode_chunk(const Recording& rec, Storage storage, std::int64_t t0, std::int64_t chunk_n, int level,
                  std::vector<T>& raw, std::vector<std::uint8_t>& shuffled, std::vector<std::uint8_t>& out,
                  double& max_err) {
  const long nch = rec.n_channels();
  const std::int64_t len = std::min(chunk_n, rec.n_samples() - t0);
  const std::size_t cn = static_cast<std::size_t>(chunk_n);
  raw.assign(static_cast<std::size_t>(nch) * cn, T{});
  for (long c = 0; c < nch; ++c) {
    const double* v = rec.data().row(c).data() + t0;
    T* dst = raw.data() + static_cast<std::size_t>(c) * cn;
    if (storage == Storage::Float64) {
      for (std::int64_t j = 0; j < len; ++j) dst[j] = static_cast<T>(v[j]);
    } else if (storage == Storage::Float32) {
      for (std::int64_t j = 0; j < len; ++j) {
        const float f = to_float32(v[j], rec, c, t0 + j);
        dst[j] = static_cast<T>(f);
        max_err = std::max(max_err, std::abs(static_cast<double>(f) - v[j]));
      }
    } else {
      const auto& ch = rec.channels()[static_cast<std::size_t>(c)];
      for (std::int64_t j = 0; j < len; ++j) dst[j] = static_cast<T>(std::nearbyint((v[j] - ch.offset) / ch.conversion));
    }
  }
  const std::size_t bytes = raw.size() * sizeof(T);
  const auto* in = reinterpret_cast<const std::uint8_t*>(raw.data());
  shuffled.resize(bytes);
  if constexpr (std::endian::native == std::endian::little) {
    detail::shuffle_bytes(in, bytes, sizeof(T), shuffled.data());
  } else {  // file types are little-endian: swap each element first
    std::vector<std::uint8_t> le(bytes);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      for (std::size_t b = 0; b < sizeof(T); ++b) le[i * sizeof(T) + b] = in[i * sizeof(T) + sizeof(T) - 1 - b];
    }
    detail::shuffle_bytes(le.data(), bytes, sizeof(T), shuffled.data());
  }
  detail::deflate_bytes(shuffled.data(), bytes, level, out);
}

/// Shuffle+deflate written chunk by chunk with H5Dwrite_chunk. The CPU work (conversion, shuffle,
/// deflate: ~95 % of a compressed write) runs with the HDF5 lock released, on up to
/// get_num_threads() OpenMP threads over the chunks of a batch; the lock is re-taken only to store
/// the batch. `lock` is held on entry and on exit (also when this throws).
template <class T>
void write_encoded(H5::DataSet& ds, const Recording& rec, Storage storage, std::int64_t chunk_n, int level,
                   std::unique_lock<std::recursive_mutex>& lock, double& max_err) {
  const std::int64_t n = rec.n_samples();
  const std::int64_t n_chunks = (n + chunk_n - 1) / chunk_n;
  const std::size_t raw_bytes = static_cast<std::size_t>(rec.n_channels()) * static_cast<std::size_t>(chunk_n) * sizeof(T);
  const int threads = static_cast<int>(std::clamp<std::int64_t>(n_chunks, 1, std::max(1, get_num_threads())));
  // About 8 MB of raw chunks per batch (and at least 2 chunks per thread), so the compressed
  // batch waiting for the lock stays small.
  const std::int64_t per_bytes =
      static_cast<std::int64_t>(std::min<std::size_t>(detail::encode_batch_bytes() / std::max<std::size_t>(raw_bytes, 1), std::size_t{1} << 30));
  const std::int64_t batch = std::max<std::int64_t>(1, std::min(std::max(per_bytes, 2 * static_cast<std::int64_t>(threads)), n_chunks));
  std::vector<std::vector<std::uint8_t>> out(static_cast<std::size_t>(batch));
  std::vector<double> err(static_cast<std::size_t>(batch), 0.0);
  std::vector<std::exception_ptr> failed(static_cast<std::size_t>(batch));
  for (std::int64_t b0 = 0; b0 < n_chunks; b0 += batch) {
    const std::int64_t nb = std::min(batch, n_chunks - b0);
    const int team = static_cast<int>(std::min<std::int64_t>(threads, nb));
    lock.unlock();
    try {
#pragma omp parallel num_threads(team)
      {
        std::vector<T> raw;
        std::vector<std::uint8_t> shuffled;
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t k = 0; k < nb; ++k) {
          const auto i = static_cast<std::size_t>(k);
          try {
            err[i] = 0.0;
            encode_chunk<T>(rec, storage, (b0 + k) * chunk_n, chunk_n, level, raw, shuffled, out[i], err[i]);
          } catch (...) {
            failed[i] = std::current_exception();
          }
        }
      }
    } catch (...) {
      lock.lock();
      throw;
    }
    lock.lock();
    for (std::int64_t k = 0; k < nb; ++k) {  // the first failing chunk, whatever the thread count
      const auto i = static_cast<std::size_t>(k);
      if (failed[i]) std::rethrow_exception(failed[i]);
      max_err = std::max(max_err, err[i]);
    }
    for (std::int64_t k = 0; k < nb; ++k) {
      const auto& chunk = out[static_cast<std::size_t>(k)];
      const hsize_t offset[2] = {0, static_cast<hsize_t>((b0 + k) * chunk_n)};
      detail::write_raw_chunk(ds, offset, 0, chunk.data(), chunk.size());
    }
  }
}

void write_table_columns(H5::H5File& f, const Recording& rec, std::string& where) {
  where = "/recording/channels";
  H5::Group channels = detail::create_group(f, "recording/channels");
  for (const auto& [field, member] : detail::kChannelStrings) {
    std::vector<std::string> v;
    for (const auto& ch : rec.channels()) v.push_back(ch.*member);
    detail::write_column(channels, field, v);
  }
  for (const auto& [field, member] : detail::kChannelNumbers) {
    std::vector<double> v;
    for (const auto& ch : rec.channels()) v.push_back(ch.*member);
    detail::write_column(channels, field, v);
  }
  where = "/recording/history";
  H5::Group recording = f.openGroup("recording");
  detail::write_column(recording, "history", rec.history());
  for (const auto& [key, value] : rec.attributes()) detail::write_attr(recording, key, value);

  where = "/stimulation";
  H5::Group stim = detail::create_group(f, "stimulation");
  detail::write_column(stim, "pulses", rec.stimulation().pulses);
  H5::Group trains = detail::create_group(f, "stimulation/trains");
  const auto& tr = rec.stimulation().trains;
  const auto ints = [&](auto member) {
    std::vector<std::int64_t> v;
    for (const auto& t : tr) v.push_back(static_cast<std::int64_t>(t.*member));
    return v;
  };
  const auto reals = [&](auto member) {
    std::vector<double> v;
    for (const auto& t : tr) v.push_back(t.*member);
    return v;
  };
  detail::write_column(trains, "train_id", ints(&StimTrain::train_id));
  detail::write_column(trains, "start_sample", ints(&StimTrain::start_sample));
  detail::write_column(trains, "end_sample", ints(&StimTrain::end_sample));
  detail::write_column(trains, "frequency_hz", reals(&StimTrain::frequency_hz));
  detail::write_column(trains, "pulse_width_us", reals(&StimTrain::pulse_width_us));
  detail::write_column(trains, "intensity", reals(&StimTrain::intensity));
  detail::write_column(trains, "n_pulses", ints(&StimTrain::n_pulses));

  where = "/events";
  H5::Group events = detail::create_group(f, "events");
  std::vector<std::int64_t> channel, start, end;
  std::vector<std::string> kind, source;
  for (const auto& e : rec.events()) {
    channel.push_back(e.channel);
    start.push_back(e.start_sample);
    end.push_back(e.end_sample);
    kind.push_back(e.kind);
    source.push_back(e.source);
  }
  detail::write_column(events, "channel", channel);
  detail::write_column(events, "start_sample", start);
  detail::write_column(events, "end_sample", end);
  detail::write_column(events, "kind", kind);
  detail::write_column(events, "source", source);
}

}  // namespace

WriteReport write(const std::string& path, const Recording& recording, const WriteOptions& options,
                  const std::vector<DerivedItem>& derived, const GroundTruth& truth) {
  check_options(options);
  recording.validate();
  const long nch = recording.n_channels();
  const std::int64_t n = recording.n_samples();
  if (!truth.empty()) detail::check_truth_for_write(truth, nch, n, kFn);

  Storage storage = Storage::Float64;
  std::string why;
  if (options.sample_type == SampleType::Float32) {
    storage = Storage::Float32;
  } else if (options.sample_type == SampleType::Auto || options.sample_type == SampleType::Integer) {
    storage = integer_storage(recording, why);
    if (storage == Storage::Float64 && options.sample_type == SampleType::Integer) {
      throw FormatError(path + ": sample_type=integer impossible: " + why);
    }
  }
  const bool integer = storage == Storage::Int16 || storage == Storage::Int32;
  const bool deflate = options.compression == Compression::Deflate || (options.compression == Compression::Auto && integer);

  WriteReport report;
  report.sample_type = detail::storage_name(storage);
  report.compression = deflate ? "shuffle+deflate(" + std::to_string(options.deflate_level) + ")" : "none";

  std::int64_t chunk_n = std::llround(std::min(options.chunk_s * recording.fs_hz(), 9.0e18));
  chunk_n = std::clamp<std::int64_t>(chunk_n, 1, n);
  // HDF5 chunks must stay below 4 GiB; keep them far smaller so the chunk cache stays useful.
  const std::int64_t max_chunk_n =
      std::max<std::int64_t>(1, (std::int64_t{64} << 20) / (nch * static_cast<std::int64_t>(detail::storage_bytes(storage))));
  chunk_n = std::min(chunk_n, max_chunk_n);

  detail::AtomicTarget target(path, options.overwrite, kFn);
  std::string where = "/";
  {
    // Held for every HDF5 call; write_encoded releases it while it compresses. Declared before
    // the HDF5 objects so that they are always closed under it, also when unwinding.
    auto lock = detail::h5_lock();
    try {
      H5::H5File f = detail::create_file(target.temp_path());
      detail::write_attr(f, "format", std::string("cramplab"));
      detail::write_attr_int(f, "format_version", kFormatVersion);
      detail::write_attr(f, "created_by", detail::created_by_string());

      where = "/recording/data";
      H5::Group rec_group = detail::create_group(f, "recording");
      const hsize_t dims[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(n)};
      const hsize_t chunk[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(chunk_n)};
      H5::DSetCreatPropList dcpl = detail::untimed_dcpl();
      dcpl.setChunk(2, chunk);
      dcpl.setFillTime(H5D_FILL_TIME_NEVER);
      if (deflate) {
        dcpl.setShuffle();
        dcpl.setDeflate(static_cast<unsigned>(options.deflate_level));
      }
      const bool direct = deflate && detail::direct_chunk_writes();
      H5::DSetAccPropList dapl;
      const std::size_t chunk_bytes = static_cast<std::size_t>(nch * chunk_n) * detail::storage_bytes(storage);
      if (deflate) {
        // Whole chunks go to the file one at a time (direct writes bypass the cache; the pipeline
        // reference writes each chunk with one H5Dwrite), so no cache: every chunk is stored when
        // written, in order, and both paths give the same file.
        dapl.setChunkCache(0, 0, 1.0);
      } else {
        // Room for a few chunks: HDF5 assembles each chunk from our rows and writes it in one piece
        // (without a cache it writes every row segment separately, 3x slower for 8 channels).
        dapl.setChunkCache(521, std::max<std::size_t>(std::size_t{1} << 20, 2 * chunk_bytes), 1.0);
      }
      H5::DataSpace space(2, dims);
      H5::DataSet ds = rec_group.createDataSet("data", file_type(storage), space, dcpl, dapl);

      std::vector<double> conversion(static_cast<std::size_t>(nch), 1.0), offset(static_cast<std::size_t>(nch), 0.0);
      std::vector<std::string> units;
      for (long c = 0; c < nch; ++c) {
        const auto& ch = recording.channels()[static_cast<std::size_t>(c)];
        units.push_back(ch.units);
        if (integer) {
          conversion[static_cast<std::size_t>(c)] = ch.conversion;
          offset[static_cast<std::size_t>(c)] = ch.offset;
        }
      }
      detail::write_attr(ds, "fs_hz", recording.fs_hz());
      detail::write_attr(ds, "start_time_s", recording.start_time_s());
      detail::write_attr(ds, "units", units);
      detail::write_attr(ds, "conversion", conversion);
      detail::write_attr(ds, "offset", offset);

      const int level = options.deflate_level;
      const std::int64_t block_n =
          deflate ? chunk_n
                  : chunk_n * std::max<std::int64_t>(1, (std::int64_t{8} << 20) /
                                                            static_cast<std::int64_t>(std::max<std::size_t>(chunk_bytes, 1)));
      if (direct && storage == Storage::Float64) {
        write_encoded<double>(ds, recording, storage, chunk_n, level, lock, report.max_abs_error);
      } else if (direct && storage == Storage::Float32) {
        write_encoded<float>(ds, recording, storage, chunk_n, level, lock, report.max_abs_error);
      } else if (direct && storage == Storage::Int16) {
        write_encoded<std::int16_t>(ds, recording, storage, chunk_n, level, lock, report.max_abs_error);
      } else if (direct) {
        write_encoded<std::int32_t>(ds, recording, storage, chunk_n, level, lock, report.max_abs_error);
      } else if (storage == Storage::Float64 && !deflate) {
        ds.write(recording.data().data(), H5::PredType::NATIVE_DOUBLE);
      } else if (storage == Storage::Float64) {
        write_converted<double>(ds, recording, storage, block_n, H5::PredType::NATIVE_DOUBLE, report.max_abs_error);
      } else if (storage == Storage::Float32) {
        write_converted<float>(ds, recording, storage, block_n, H5::PredType::NATIVE_FLOAT, report.max_abs_error);
      } else if (storage == Storage::Int16) {
        write_converted<std::int16_t>(ds, recording, storage, block_n, H5::PredType::NATIVE_INT16, report.max_abs_error);
      } else {
        write_converted<std::int32_t>(ds, recording, storage, block_n, H5::PredType::NATIVE_INT32, report.max_abs_error);
      }
      write_table_columns(f, recording, where);
      for (std::size_t i = 0; i < derived.size(); ++i) {
        where = "/" + derived[i].group + "/" + derived[i].name;
        detail::write_derived_item(f, derived[i], kFn, "derived[" + std::to_string(i) + "]");
      }
      if (!truth.empty()) detail::write_truth(f, truth, options.deflate_level, where);
      f.close();
    } catch (const H5::Exception& e) {
      throw IoError(path + ": cannot write " + where + ": " + detail::h5_error_detail(e));
    }
  }
  target.commit();
  std::error_code ec;
  report.file_bytes = static_cast<std::uint64_t>(std::filesystem::file_size(path, ec));
  return report;
}

}  // namespace emg::io
