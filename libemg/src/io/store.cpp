// emg::io store entry points that are neither the sample writer nor the sample reader: time
// windows, the quick "is this ours" probe, and derived items in existing files.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>

#include "detail/check.hpp"
#include "io/detail/atomic_file.hpp"
#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace emg::io {

using emg::detail::fail_param;
using emg::detail::fmt;

ReadOptions window_s(const FileHeader& header, double start_s, double stop_s) {
  constexpr const char* fn = "window_s";
  const double duration = static_cast<double>(header.n_samples) / header.fs_hz;
  if (!std::isfinite(start_s) || start_s < 0.0) fail_param(fn, "start_s", fmt(start_s), "must be finite and >= 0");
  if (!std::isfinite(stop_s) || stop_s <= start_s) {
    fail_param(fn, "stop_s", fmt(stop_s), "must be finite and > start_s (" + fmt(start_s) + ")");
  }
  ReadOptions o;
  o.start_sample = std::llround(start_s * header.fs_hz);
  o.stop_sample = std::llround(stop_s * header.fs_hz);
  if (o.start_sample >= header.n_samples) {
    fail_param(fn, "start_s", fmt(start_s), "must be before the end of the recording (" + fmt(duration) + " s)");
  }
  if (o.stop_sample > header.n_samples) {
    fail_param(fn, "stop_s", fmt(stop_s), "must be <= the duration of the recording (" + fmt(duration) + " s)");
  }
  if (o.stop_sample <= o.start_sample) {
    fail_param(fn, "stop_s", fmt(stop_s), "gives an empty window: shorter than one sample at fs_hz=" + fmt(header.fs_hz));
  }
  return o;
}

bool is_cramplab_file(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    char sig[8] = {};
    if (!in.read(sig, 8) || std::memcmp(sig, "\x89HDF\r\n\x1a\n", 8) != 0) return false;
  }
  auto lock = detail::h5_lock();
  try {
    H5::H5File f = detail::open_existing(path);
    return detail::has_attr(f, "format") && detail::read_attr_string(f, "format", "/") == "cramplab";
  } catch (const std::exception&) {
    return false;
  } catch (const H5::Exception&) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
}

namespace {
/// Check `path` is a CrampLab file this library can modify (FormatError otherwise).
void check_ours(const H5::H5File& f, const std::string& path) {
  detail::Problems problems(path, false);
  detail::check_root(f, problems);
}

[[noreturn]] void with_file(const std::string& path, const FormatError& e) {
  const std::string m = e.what();
  if (m.rfind(path + ":", 0) == 0) throw e;
  throw FormatError(path + ": " + m);
}
}  // namespace

void write_derived(const std::string& path, const std::vector<DerivedItem>& items) {
  detail::check_derived_items(items, "write_derived");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError("write_derived: " + path + ": no such file");
  detail::AtomicTarget target(path, true, "write_derived");
  std::string where = "/";
  {
    auto lock = detail::h5_lock();
    try {
      {
        H5::H5File in = detail::open_existing(path);
        check_ours(in, path);
      }
      std::filesystem::copy_file(path, target.temp_path(), ec);
      if (ec) throw IoError("write_derived: cannot copy " + path + " to a temporary file: " + ec.message());
      H5::H5File f = detail::open_existing(target.temp_path(), true);
      for (std::size_t i = 0; i < items.size(); ++i) {
        where = "/" + items[i].group + "/" + items[i].name;
        detail::write_derived_item(f, items[i], "write_derived", "derived[" + std::to_string(i) + "]");
      }
      f.close();
    } catch (const H5::Exception& e) {
      throw IoError(path + ": cannot write " + where + ": " + detail::h5_error_detail(e));
    } catch (const FormatError& e) {
      with_file(path, e);
    }
  }
  target.commit();
}

DerivedItem read_derived(const std::string& path, const std::string& item) {
  auto lock = detail::h5_lock();
  try {
    H5::H5File f = detail::open_existing(path);
    check_ours(f, path);
    return detail::read_derived_item(f, item, path);
  } catch (const H5::Exception& e) {
    throw IoError(path + ": cannot read /" + item + ": " + detail::h5_error_detail(e));
  } catch (const FormatError& e) {
    with_file(path, e);
  }
}

}  // namespace emg::io
