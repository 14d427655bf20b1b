// emg::io::validate_file: every structural problem of a CrampLab file, without throwing.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>

#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"
#include "io/detail/store_tables.hpp"
#include "io/detail/store_truth.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

namespace emg::io {

namespace {

void check_strings_attrs(const H5::H5Object& obj, const std::string& where, detail::Problems& p) {
  for (const auto& name : detail::attr_names(obj)) {
    try {
      detail::read_attr_string(obj, name, where);
    } catch (const FormatError& e) {
      p.add_plain(e.what());
    }
  }
}

/// The bool columns of a well-formed table item hold 0 or 1 only (the first other value is reported).
void check_bool_cells(const H5::Group& g, const std::string& where, detail::Problems& p) {
  const auto cols = detail::read_attr_strings(g, "columns", where);
  const auto types = detail::read_attr_strings(g, "column_types", where);
  for (std::size_t k = 0; k < cols.size(); ++k) {
    if (types[k] != "bool") continue;
    H5::DataSet ds = g.openDataSet(cols[k]);
    std::vector<std::uint8_t> v(static_cast<std::size_t>(detail::column_length(ds, where + "/" + cols[k])));
    if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_UINT8);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] > 1) {
        p.add(where + "/" + cols[k], "row " + std::to_string(i) + " holds " + std::to_string(v[i]) + ", a bool column holds 0 or 1");
        break;
      }
    }
  }
}

void check_derived(const H5::H5File& f, detail::Problems& p) {
  for (const auto& item : detail::list_derived(f)) {
    const std::string where = "/" + item;
    H5::Group g = f.openGroup(item);
    for (const char* attr : {"library_version", "input_sha256", "created_at"}) {
      try {
        detail::read_attr_string(g, attr, where);
      } catch (const FormatError& e) {
        p.add_plain(e.what());
      }
    }
    const hsize_t n = g.getNumObjs();
    for (hsize_t i = 0; i < n; ++i) {
      const std::string name = g.getObjnameByIdx(i);
      if (g.childObjType(name) != H5O_TYPE_DATASET) continue;
      H5::DataSet ds = g.openDataSet(name);
      const std::string w = where + "/" + name;
      const H5T_class_t cls = ds.getTypeClass();
      H5::DataSpace space = ds.getSpace();
      const int rank = space.getSimpleExtentType() == H5S_SCALAR ? 0 : space.getSimpleExtentNdims();
      if (cls == H5T_STRING) {
        if (rank != 1) p.add(w, "a string dataset must be 1-D, found " + std::to_string(rank) + "-D");
        else {
          try {
            detail::read_column_strings(ds, w);
          } catch (const FormatError& e) {
            p.add_plain(e.what());
          }
        }
        continue;
      }
      if (cls != H5T_FLOAT && cls != H5T_INTEGER) p.add(w, "must hold numbers or strings");
      if (rank < 1 || rank > 2) p.add(w, "must be 1-D or 2-D, found " + std::to_string(rank) + "-D");
    }
    // Table items: every listed column present, 1-D, of its declared type, all of one length.
    if (detail::is_table_group(g)) {
      const std::size_t before = p.list().size();
      detail::check_table_group(g, where, p);
      if (p.list().size() == before) check_bool_cells(g, where, p);
    }
  }
}

}  // namespace

std::vector<std::string> validate_file(const std::string& path) {
  {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw IoError("validate_file: " + path + ": no such file");
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw IoError("validate_file: " + path + ": cannot open for reading");
  }
  auto lock = detail::h5_lock();
  detail::Problems p(path, true);
  std::string where = "/";
  try {
    H5::H5File f;
    try {
      f = detail::open_existing(path);
    } catch (const FormatError& e) {
      const std::string m = e.what();
      return {m.rfind(path + ": ", 0) == 0 ? m.substr(path.size() + 2) : m};
    }
    if (detail::check_root(f, p) == 0) return p.list();
    where = "/recording/data";
    const auto info = detail::inspect_data(f, p);
    if (info) {
      where = "/recording/channels";
      const auto channels = detail::read_channels(f, *info, p);
      where = "/recording/data";
      detail::scan_data(f, *info, channels, p);
      where = "/events";
      detail::read_raw_tables(f, info->n_samples, info->n_channels, p);
    }
    where = "/recording/history";
    if (!detail::has_link(f, "recording/history")) {
      p.add(where, "is missing");
    } else {
      try {
        detail::read_column_strings(f.openDataSet("recording/history"), where);
      } catch (const FormatError& e) {
        p.add_plain(e.what());
      }
    }
    where = "/recording";
    if (detail::has_link(f, "recording")) check_strings_attrs(f.openGroup("recording"), where, p);
    where = "/derived";
    check_derived(f, p);
    where = "/truth";
    if (detail::truth_present(f)) {
      // Without a usable /recording/data only the structure is checked (no sample ranges).
      detail::read_truth_group(f, info ? info->n_channels : -1, info ? info->n_samples : -1, p);
    }
  } catch (const H5::Exception& e) {
    p.add(where, "HDF5 cannot read it: " + detail::h5_error_detail(e));
  }
  return p.list();
}

}  // namespace emg::io
