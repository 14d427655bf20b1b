#include "io/detail/store_layout.hpp"

#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/version.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace emg::io::detail {

using emg::detail::fmt;

void Problems::add(const std::string& object, const std::string& rule) {
  if (!collect_) throw FormatError(file_ + ": " + object + ": " + rule);
  list_.push_back(object + ": " + rule);
}

void Problems::add_plain(const std::string& message) {
  if (!collect_) throw FormatError(file_ + ": " + message);
  list_.push_back(message);
}

const char* storage_name(Storage s) {
  switch (s) {
    case Storage::Float64: return "float64";
    case Storage::Float32: return "float32";
    case Storage::Int16: return "int16";
    case Storage::Int32: return "int32";
  }
  return "?";
}

std::size_t storage_bytes(Storage s) {
  switch (s) {
    case Storage::Float64: return 8;
    case Storage::Float32: return 4;
    case Storage::Int16: return 2;
    case Storage::Int32: return 4;
  }
  return 8;
}

std::string created_by_string() {
  const std::string sha = emg::git_sha();
  return "cramplab " + emg::version() + " (git " + (sha.empty() ? std::string("unknown") : sha) + ")";
}

H5::H5File open_existing(const std::string& path, bool read_write) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) throw IoError(path + ": no such file");
      throw IoError(path + ": cannot open for reading");
    }
    char magic[8] = {};
    probe.read(magic, 8);
    if (probe.gcount() == 0) throw FormatError(path + ": empty file (0 bytes), not an HDF5 file");
    // The signature is at byte 0 in our files; only files with a user block need HDF5's own search
    // (which opens the file a second time).
    if (probe.gcount() < 8 || std::memcmp(magic, "\x89HDF\r\n\x1a\n", 8) != 0) {
      const htri_t is_h5 = H5Fis_hdf5(path.c_str());
      if (is_h5 <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw FormatError(path + ": not an HDF5 file (no HDF5 signature)");
      }
    }
  }
  try {
    H5::FileAccPropList fapl;
    // Large unfiltered reads then go from the page cache straight into our buffers.
    fapl.setSieveBufSize(0);
    return H5::H5File(path, read_write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, fapl);
  } catch (const H5::Exception& e) {
    throw FormatError(path + ": cannot open as HDF5 (truncated or damaged?): " + h5_error_detail(e));
  }
}

int check_root(const H5::H5File& file, Problems& problems, std::string* created_by) {
  if (!has_attr(file, "format")) {
    problems.add("/", "missing attribute 'format' (not a CrampLab file)");
    return 0;
  }
  std::string format;
  try {
    format = read_attr_string(file, "format", "/");
  } catch (const FormatError& e) {
    problems.add_plain(e.what());
    return 0;
  }
  if (format != "cramplab") {
    problems.add("/", "attribute 'format' is \"" + format + "\", expected \"cramplab\" (not a CrampLab file)");
    return 0;
  }
  int version = 0;
  std::int64_t v = 0;
  try {
    v = read_attr_int(file, "format_version", "/");
  } catch (const FormatError& e) {
    problems.add_plain(e.what());
    return 0;
  }
  {
    if (v > kFormatVersion) {
      problems.add_plain("format_version " + std::to_string(v) + " is newer than this cramplab reads (" +
                         std::to_string(kFormatVersion) + "); upgrade cramplab");
      return 0;
    }
    if (v < 1) {
      problems.add("/", "attribute 'format_version' is " + std::to_string(v) + ", must be >= 1");
      return 0;
    }
    version = static_cast<int>(v);
  }
  try {
    const std::string cb = read_attr_string(file, "created_by", "/");
    if (created_by) *created_by = cb;
  } catch (const FormatError& e) {
    problems.add_plain(e.what());
  }
  return version;
}

namespace {
std::string describe_filters(const H5::DSetCreatPropList& dcpl, bool& filtered) {
  const int n = dcpl.getNfilters();
  filtered = n > 0;
  if (n == 0) return "none";
  std::string out;
  bool shuffle = false;
  for (int i = 0; i < n; ++i) {
    unsigned int flags = 0;
    size_t cd_n = 4;
    unsigned int cd[4] = {0, 0, 0, 0};
    char name[64] = {};
    unsigned int config = 0;
    const H5Z_filter_t f = dcpl.getFilter(i, flags, cd_n, cd, sizeof(name), name, config);
    if (f == H5Z_FILTER_SHUFFLE) {
      shuffle = true;
    } else if (f == H5Z_FILTER_DEFLATE) {
      out += std::string(out.empty() ? "" : "+") + "deflate(" + std::to_string(cd_n > 0 ? cd[0] : 0) + ")";
    } else {
      out += std::string(out.empty() ? "" : "+") + name;
    }
  }
  return shuffle ? (out.empty() ? "shuffle" : "shuffle+" + out) : out;
}
}  // namespace

std::optional<DataInfo> inspect_data(const H5::H5File& file, Problems& problems) {
  const std::string where = "/recording/data";
  if (!has_link(file, "recording") || !has_link(file.openGroup("recording"), "data")) {
    problems.add(where, "is missing");
    return std::nullopt;
  }
  if (file.childObjType("recording/data") != H5O_TYPE_DATASET) {
    problems.add(where, "must be a dataset");
    return std::nullopt;
  }
  H5::DataSet ds = file.openDataSet("recording/data");
  DataInfo info;
  const H5T_class_t cls = ds.getTypeClass();
  const std::size_t size = ds.getDataType().getSize();
  if (cls == H5T_FLOAT && size == 8) info.storage = Storage::Float64;
  else if (cls == H5T_FLOAT && size == 4) info.storage = Storage::Float32;
  else if (cls == H5T_INTEGER && size == 2 && ds.getIntType().getSign() == H5T_SGN_2) info.storage = Storage::Int16;
  else if (cls == H5T_INTEGER && size == 4 && ds.getIntType().getSign() == H5T_SGN_2) info.storage = Storage::Int32;
  else {
    problems.add(where, "dtype must be float64, float32, int16 or int32");
    return std::nullopt;
  }
  H5::DataSpace space = ds.getSpace();
  if (space.getSimpleExtentNdims() != 2) {
    problems.add(where, "must be 2-D (n_channels, n_samples), found " + std::to_string(space.getSimpleExtentNdims()) + "-D");
    return std::nullopt;
  }
  hsize_t dims[2] = {0, 0};
  space.getSimpleExtentDims(dims);
  info.n_channels = static_cast<long>(dims[0]);
  info.n_samples = static_cast<std::int64_t>(dims[1]);
  if (dims[0] < 1 || dims[1] < 1) {
    problems.add(where, "shape (" + std::to_string(dims[0]) + ", " + std::to_string(dims[1]) +
                            ") must have at least one channel and one sample");
    return std::nullopt;
  }
  H5::DSetCreatPropList dcpl = ds.getCreatePlist();
  if (dcpl.getLayout() == H5D_CHUNKED) {
    hsize_t chunk[2] = {0, 0};
    dcpl.getChunk(2, chunk);
    info.chunk_n = static_cast<std::int64_t>(chunk[1]);
  }
  info.compression = describe_filters(dcpl, info.filtered);

  bool ok = true;
  const auto read_number = [&](const char* name, double& out, bool positive) {
    try {
      out = read_attr_double(ds, name, where);
      if (!std::isfinite(out) || (positive && out <= 0.0)) {
        problems.add(where, std::string("attribute '") + name + "'=" + fmt(out) + (positive ? " must be finite and > 0" : " must be finite"));
        ok = false;
      }
    } catch (const FormatError& e) {
      problems.add_plain(e.what());
      ok = false;
    }
  };
  read_number("fs_hz", info.fs_hz, true);
  read_number("start_time_s", info.start_time_s, false);
  try {
    info.units = read_attr_strings(ds, "units", where);
    if (static_cast<long>(info.units.size()) != info.n_channels) {
      problems.add(where, "attribute 'units' has " + std::to_string(info.units.size()) + " entries but the data has " +
                              std::to_string(info.n_channels) + " channels");
      ok = false;
    }
  } catch (const FormatError& e) {
    problems.add_plain(e.what());
    ok = false;
  }
  const bool integer = info.storage == Storage::Int16 || info.storage == Storage::Int32;
  for (const char* name : {"conversion", "offset"}) {
    std::vector<double> v;
    try {
      v = read_attr_doubles(ds, name, where);
    } catch (const FormatError& e) {
      problems.add_plain(e.what());
      ok = false;
      continue;
    }
    if (static_cast<long>(v.size()) != info.n_channels) {
      problems.add(where, std::string("attribute '") + name + "' has " + std::to_string(v.size()) +
                              " entries but the data has " + std::to_string(info.n_channels) + " channels");
      ok = false;
      continue;
    }
    for (std::size_t c = 0; c < v.size(); ++c) {
      const bool bad = !std::isfinite(v[c]) || (std::string(name) == "conversion" && v[c] == 0.0);
      if (integer && bad) {
        problems.add(where, std::string("attribute '") + name + "'[" + std::to_string(c) + "]=" + fmt(v[c]) +
                                " must be finite" + (std::string(name) == "conversion" ? " and non-zero" : ""));
        ok = false;
      }
    }
    (std::string(name) == "conversion" ? info.conversion : info.offset) = std::move(v);
  }
  if (!ok) return std::nullopt;
  return info;
}

std::vector<ChannelInfo> read_channels(const H5::H5File& file, const DataInfo& info, Problems& problems) {
  std::vector<ChannelInfo> channels(static_cast<std::size_t>(info.n_channels));
  if (!has_link(file, "recording/channels")) {
    problems.add("/recording/channels", "is missing");
    return channels;
  }
  H5::Group g = file.openGroup("recording/channels");
  const auto open = [&](const char* field, std::optional<H5::DataSet>& out) {
    const std::string where = std::string("/recording/channels/") + field;
    if (!has_link(g, field)) {
      problems.add(where, "is missing");
      return where;
    }
    out = g.openDataSet(field);
    return where;
  };
  const auto check_len = [&](const std::string& where, std::size_t n) {
    if (static_cast<long>(n) == info.n_channels) return true;
    problems.add(where, "has " + std::to_string(n) + " entries but /recording/data has " +
                            std::to_string(info.n_channels) + " channels");
    return false;
  };
  for (const auto& [field, member] : kChannelStrings) {
    std::optional<H5::DataSet> ds;
    const std::string where = open(field, ds);
    if (!ds) continue;
    try {
      auto v = read_column_strings(*ds, where);
      if (!check_len(where, v.size())) continue;
      for (std::size_t c = 0; c < v.size(); ++c) channels[c].*member = std::move(v[c]);
    } catch (const FormatError& e) {
      problems.add_plain(e.what());
    }
  }
  for (const auto& [field, member] : kChannelNumbers) {
    std::optional<H5::DataSet> ds;
    const std::string where = open(field, ds);
    if (!ds) continue;
    try {
      auto v = read_column_doubles(*ds, where);
      if (!check_len(where, v.size())) continue;
      for (std::size_t c = 0; c < v.size(); ++c) channels[c].*member = v[c];
    } catch (const FormatError& e) {
      problems.add_plain(e.what());
    }
  }
  std::set<std::string> seen;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const std::string& name = channels[c].name;
    if (name.empty()) problems.add("/recording/channels/name", "entry " + std::to_string(c) + " is empty");
    else if (!seen.insert(name).second) problems.add("/recording/channels/name", "\"" + name + "\" appears twice");
    if (c < info.units.size() && info.units[c] != channels[c].units) {
      problems.add("/recording/data", "attribute 'units'[" + std::to_string(c) + "]=\"" + info.units[c] +
                                          "\" disagrees with /recording/channels/units (\"" + channels[c].units + "\")");
    }
  }
  return channels;
}

H5::DataSet open_data(const H5::H5File& file, const DataInfo& info) {
  H5::DSetAccPropList dapl;
  if (info.filtered) {
    const std::size_t chunk_bytes =
        static_cast<std::size_t>(info.chunk_n) * static_cast<std::size_t>(info.n_channels) * storage_bytes(info.storage);
    dapl.setChunkCache(521, std::max<std::size_t>(std::size_t{1} << 20, 2 * chunk_bytes), 1.0);
  } else {
    dapl.setChunkCache(521, 0, 1.0);
  }
  return file.openDataSet("recording/data", dapl);
}

namespace {
void walk_items(const H5::Group& g, const std::string& prefix, std::vector<std::string>& out) {
  const hsize_t n = g.getNumObjs();
  for (hsize_t i = 0; i < n; ++i) {
    const std::string name = g.getObjnameByIdx(i);
    if (g.childObjType(name) != H5O_TYPE_GROUP) continue;
    H5::Group child = g.openGroup(name);
    const std::string path = prefix + "/" + name;
    if (child.attrExists("created_at")) out.push_back(path);
    else walk_items(child, path, out);
  }
}
}  // namespace

std::vector<std::string> list_derived(const H5::H5File& file) {
  std::vector<std::string> out;
  for (const char* top : {"derived", "metrics"}) {
    if (has_link(file, top) && file.childObjType(top) == H5O_TYPE_GROUP) walk_items(file.openGroup(top), top, out);
  }
  return out;
}

}  // namespace emg::io::detail
