// emg::io::write: a Recording (plus derived items) into a new CrampLab file, atomically.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>

#include "detail/check.hpp"
#include "io/detail/atomic_file.hpp"
#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"
#include "io/detail/store_truth.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

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

/// Samples in [t0, t1) of every channel converted to T (counts or float32) and written.
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
      if (storage == Storage::Float32) {
        for (std::int64_t j = 0; j < len; ++j) {
          out[j] = static_cast<T>(v[j]);
          if (!std::isfinite(out[j])) {
            fail_param(kFn, "sample_type", "float32",
                       "cannot store " + fmt(v[j]) + " (channel \"" + rec.channels()[static_cast<std::size_t>(c)].name +
                           "\", sample " + std::to_string(t0 + j) + "): beyond the float32 range");
          }
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

void write_table_columns(H5::H5File& f, const Recording& rec, std::string& where) {
  where = "/recording/channels";
  H5::Group channels = f.createGroup("recording/channels");
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
  H5::Group stim = f.createGroup("stimulation");
  detail::write_column(stim, "pulses", rec.stimulation().pulses);
  H5::Group trains = f.createGroup("stimulation/trains");
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
  H5::Group events = f.createGroup("events");
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
    auto lock = detail::h5_lock();
    try {
      H5::H5File f(target.temp_path(), H5F_ACC_EXCL);
      detail::write_attr(f, "format", std::string("cramplab"));
      detail::write_attr_int(f, "format_version", kFormatVersion);
      detail::write_attr(f, "created_by", detail::created_by_string());

      where = "/recording/data";
      H5::Group rec_group = f.createGroup("recording");
      const hsize_t dims[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(n)};
      const hsize_t chunk[2] = {static_cast<hsize_t>(nch), static_cast<hsize_t>(chunk_n)};
      H5::DSetCreatPropList dcpl;
      dcpl.setChunk(2, chunk);
      dcpl.setFillTime(H5D_FILL_TIME_NEVER);
      if (deflate) {
        dcpl.setShuffle();
        dcpl.setDeflate(static_cast<unsigned>(options.deflate_level));
      }
      H5::DSetAccPropList dapl;
      const std::size_t chunk_bytes = static_cast<std::size_t>(nch * chunk_n) * detail::storage_bytes(storage);
      // Room for a few chunks: HDF5 assembles each chunk from our rows and writes it in one piece
      // (without a cache it writes every row segment separately, 3x slower for 8 channels).
      dapl.setChunkCache(521, std::max<std::size_t>(std::size_t{1} << 20, 2 * chunk_bytes), 1.0);
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

      const std::int64_t block_n = chunk_n * std::max<std::int64_t>(1, (std::int64_t{8} << 20) / static_cast<std::int64_t>(std::max<std::size_t>(chunk_bytes, 1)));
      if (storage == Storage::Float64) {
        ds.write(recording.data().data(), H5::PredType::NATIVE_DOUBLE);
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
