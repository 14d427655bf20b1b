#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"

#include <emg/errors.hpp>
#include <emg/version.hpp>

#include "detail/check.hpp"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>

namespace emg::io::detail {

using emg::detail::fail_param;

namespace {

std::vector<std::string> split_path(const std::string& name) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : name) {
    if (ch == '/') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  return parts;
}

bool valid_dataset_name(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && s != "." && s != "..";
}

/// Well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF) without NUL bytes, which a
/// variable-length HDF5 string cannot hold.
bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned cp = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

void check_item(const DerivedItem& item, const std::string& fn, const std::string& label) {
  if (item.group != "derived" && item.group != "metrics") {
    fail_param(fn, label + ".group", "\"" + item.group + "\"", "must be \"derived\" or \"metrics\"");
  }
  for (const auto& part : split_path(item.name)) {
    if (part.empty() || part == "." || part == "..") {
      fail_param(fn, label + ".name", "\"" + item.name + "\"",
                 "must be a non-empty slash path without empty, '.' or '..' components");
    }
  }
  std::map<std::string, const char*> kinds;  // dataset name -> column type
  const auto names = [&](const auto& map, const char* field, const char* kind) {
    for (const auto& [key, value] : map) {
      if (!valid_dataset_name(key)) {
        fail_param(fn, label + "." + field, "\"" + key + "\"", "dataset names must be non-empty, not '.' or '..', and contain no '/'");
      }
      if (!kinds.emplace(key, kind).second) {
        fail_param(fn, label + "." + field, "\"" + key + "\"", "is also the name of another dataset of the item");
      }
    }
  };
  names(item.arrays, "arrays", "double");
  names(item.int_arrays, "int_arrays", "int64");
  names(item.bool_arrays, "bool_arrays", "bool");
  names(item.text_arrays, "text_arrays", "string");
  for (const auto& [key, v] : item.text_arrays) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!valid_utf8(v[i])) {
        fail_param(fn, label + ".text_arrays[\"" + key + "\"][" + std::to_string(i) + "]", "(" + std::to_string(v[i].size()) + " bytes)",
                   "must be UTF-8 text without NUL characters");
      }
    }
  }
  if (!item.columns.empty()) {
    std::set<std::string> seen;
    std::size_t rows = 0;
    for (std::size_t i = 0; i < item.columns.size(); ++i) {
      const std::string& c = item.columns[i];
      const std::string field = label + ".columns[" + std::to_string(i) + "]";
      if (!seen.insert(c).second) fail_param(fn, field, "\"" + c + "\"", "appears twice");
      const auto k = kinds.find(c);
      if (k == kinds.end()) fail_param(fn, field, "\"" + c + "\"", "is not a dataset of the item (a table column needs one)");
      std::size_t n = 0;
      if (const auto a = item.arrays.find(c); a != item.arrays.end()) {
        if (a->second.rows() != 1) {
          fail_param(fn, label + ".arrays[\"" + c + "\"]", std::to_string(a->second.rows()) + " rows",
                     "must be one row (1-D): it is a table column");
        }
        n = static_cast<std::size_t>(a->second.cols());
      } else if (const auto b = item.int_arrays.find(c); b != item.int_arrays.end()) {
        n = b->second.size();
      } else if (const auto d = item.bool_arrays.find(c); d != item.bool_arrays.end()) {
        n = d->second.size();
      } else {
        n = item.text_arrays.at(c).size();
      }
      if (i == 0) rows = n;
      if (n != rows) {
        fail_param(fn, field, "\"" + c + "\" (" + std::to_string(n) + " rows)",
                   "must have as many rows as column \"" + item.columns[0] + "\" (" + std::to_string(rows) + ")");
      }
    }
    for (const auto& [key, kind] : kinds) {
      if (!seen.count(key)) {
        fail_param(fn, label + ".columns", "(" + std::to_string(item.columns.size()) + " names)",
                   "must list every dataset of a table item; \"" + key + "\" is missing");
      }
    }
  }
  for (const auto& [key, value] : item.parameters) {
    if (key.empty()) fail_param(fn, label + ".parameters", "\"\"", "parameter names must not be empty");
  }
  if (!item.input_sha256.empty() && !is_hex64(item.input_sha256)) {
    fail_param(fn, label + ".input_sha256", "\"" + item.input_sha256 + "\"", "must be empty or 64 lower-case hex digits");
  }
}

}  // namespace

// The one time stamp in a CrampLab file. SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/
// source-date-epoch/: decimal seconds since 1970-01-01 UTC) replaces the clock, so that files with
// derived items can be made byte-identical too; every other object in the file is untimed.
std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env != nullptr) {
    const std::string text(env);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || v < 0 || text.find_first_not_of("0123456789") != std::string::npos) {
      fail_param("created_at", "SOURCE_DATE_EPOCH", "\"" + text + "\"", "must be a non-negative integer (seconds since 1970-01-01 UTC)");
    }
    now = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  if (gmtime_r(&now, &tm) == nullptr) {
    fail_param("created_at", "SOURCE_DATE_EPOCH", std::to_string(static_cast<long long>(now)), "is beyond the calendar range");
  }
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void check_derived_items(const std::vector<DerivedItem>& items, const std::string& function) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string label = "derived[" + std::to_string(i) + "]";
    check_item(items[i], function, label);
    const std::string path = items[i].group + "/" + items[i].name;
    if (!seen.insert(path).second) fail_param(function, label + ".name", "\"" + items[i].name + "\"", "appears twice");
  }
}

void write_derived_item(H5::H5File& file, const DerivedItem& item, const std::string& function, const std::string& label) {
  check_item(item, function, label);
  // Walk/create the intermediate groups; an item may not live inside another item.
  H5::Group g = has_link(file, item.group) ? file.openGroup(item.group) : create_group(file, item.group);
  const auto parts = split_path(item.name);
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    if (has_link(g, parts[k])) {
      g = g.openGroup(parts[k]);
      if (g.attrExists("created_at")) {
        fail_param(function, label + ".name", "\"" + item.name + "\"", "lies inside the existing item \"" + parts[k] + "\"");
      }
    } else {
      g = create_group(g, parts[k]);
    }
  }
  const std::string& leaf = parts.back();
  if (has_link(g, leaf)) {
    H5::Group old = g.openGroup(leaf);
    if (!old.attrExists("created_at")) {
      fail_param(function, label + ".name", "\"" + item.name + "\"", "is a group holding other items");
    }
    old.close();
    g.unlink(leaf);
  }
  H5::Group out = create_group(g, leaf);
  // Datasets in column order for tables (then the sorted names of any others): HDF5 lays them out
  // in creation order, so the same item always gives the same bytes.
  std::vector<std::string> order = item.columns;
  const std::set<std::string> listed(order.begin(), order.end());
  const auto rest = [&](const auto& map) {
    for (const auto& [key, value] : map)
      if (!listed.count(key)) order.push_back(key);
  };
  rest(item.arrays);
  rest(item.int_arrays);
  rest(item.bool_arrays);
  rest(item.text_arrays);
  std::vector<std::string> types;
  for (const auto& key : order) {
    if (const auto a = item.arrays.find(key); a != item.arrays.end()) {
      const RowMatrixXd& m = a->second;
      const bool one_d = m.rows() == 1;
      const hsize_t dims[2] = {static_cast<hsize_t>(one_d ? m.cols() : m.rows()), static_cast<hsize_t>(m.cols())};
      H5::DataSpace space(one_d ? 1 : 2, dims);
      H5::DataSet ds = out.createDataSet(key, H5::PredType::IEEE_F64LE, space, untimed_dcpl());
      if (m.size() > 0) ds.write(m.data(), H5::PredType::NATIVE_DOUBLE);
      types.push_back("double");
    } else if (const auto b = item.int_arrays.find(key); b != item.int_arrays.end()) {
      write_column(out, key, b->second);
      types.push_back("int64");
    } else if (const auto d = item.bool_arrays.find(key); d != item.bool_arrays.end()) {
      const hsize_t n = d->second.size();
      H5::DataSet ds = out.createDataSet(key, H5::PredType::STD_U8LE, H5::DataSpace(1, &n), untimed_dcpl());
      if (n > 0) ds.write(d->second.data(), H5::PredType::NATIVE_UINT8);
      types.push_back("bool");
    } else {
      write_column(out, key, item.text_arrays.at(key));
      types.push_back("string");
    }
  }
  if (!item.columns.empty()) {
    types.resize(item.columns.size());
    write_attr(out, "columns", item.columns);
    write_attr(out, "column_types", types);
  }
  for (const auto& [key, value] : item.parameters) write_attr(out, "param." + key, value);
  write_attr(out, "library_version", item.library_version.empty() ? emg::version() : item.library_version);
  write_attr(out, "input_sha256", item.input_sha256);
  write_attr(out, "created_at", utc_now_iso8601());
}

DerivedItem read_derived_item(const H5::H5File& file, const std::string& item, const std::string& path) {
  const std::string where = "/" + item;
  const auto slash = item.find('/');
  DerivedItem out;
  out.group = item.substr(0, slash);
  if (slash == std::string::npos || (out.group != "derived" && out.group != "metrics") || slash + 1 >= item.size()) {
    fail_param("read_derived", "item", "\"" + item + "\"", "must be \"derived/<name>\" or \"metrics/<name>\"");
  }
  out.name = item.substr(slash + 1);
  if (H5Lexists(file.getId(), item.c_str(), H5P_DEFAULT) <= 0 || file.childObjType(item) != H5O_TYPE_GROUP) {
    H5Eclear2(H5E_DEFAULT);
    std::string have;
    for (const auto& d : list_derived(file)) have += (have.empty() ? "" : ", ") + d;
    fail_param("read_derived", "item", "\"" + item + "\"",
               "is not in " + path + " (items: " + (have.empty() ? std::string("none") : have) + ")");
  }
  H5::Group g = file.openGroup(item);
  if (!g.attrExists("created_at")) throw FormatError(path + ": " + where + ": is not a derived item (no 'created_at')");
  for (const auto& name : attr_names(g)) {
    if (name.rfind("param.", 0) == 0) out.parameters[name.substr(6)] = read_attr_string(g, name, where);
  }
  out.library_version = read_attr_string(g, "library_version", where);
  out.input_sha256 = read_attr_string(g, "input_sha256", where);
  if (is_table_group(g)) {
    Problems problems(path, false);  // throws FormatError at the first problem
    check_table_group(g, where, problems);
    out.columns = read_attr_strings(g, "columns", where);
  }
  const hsize_t n = g.getNumObjs();
  for (hsize_t i = 0; i < n; ++i) {
    const std::string name = g.getObjnameByIdx(i);
    if (g.childObjType(name) != H5O_TYPE_DATASET) continue;
    H5::DataSet ds = g.openDataSet(name);
    const std::string w = where + "/" + name;
    const std::string kind = dataset_kind(ds);
    H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentType() == H5S_SCALAR ? 0 : space.getSimpleExtentNdims();
    if (kind == "string") {
      out.text_arrays.emplace(name, read_column_strings(ds, path + ": " + w));
      continue;
    }
    if (ds.getTypeClass() != H5T_FLOAT && ds.getTypeClass() != H5T_INTEGER) {
      throw FormatError(path + ": " + w + ": must hold numbers or strings");
    }
    if (rank == 1 && kind == "int64") {
      out.int_arrays.emplace(name, read_column_ints(ds, path + ": " + w));
      continue;
    }
    if (rank == 1 && kind == "bool") {
      std::vector<std::uint8_t> v(static_cast<std::size_t>(column_length(ds, path + ": " + w)));
      if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_UINT8);
      out.bool_arrays.emplace(name, std::move(v));
      continue;
    }
    if (rank < 1 || rank > 2) throw FormatError(path + ": " + w + ": must be 1-D or 2-D");
    hsize_t dims[2] = {1, 1};
    space.getSimpleExtentDims(dims);
    RowMatrixXd m = rank == 1 ? RowMatrixXd(1, static_cast<Eigen::Index>(dims[0]))
                              : RowMatrixXd(static_cast<Eigen::Index>(dims[0]), static_cast<Eigen::Index>(dims[1]));
    if (m.size() > 0) ds.read(m.data(), H5::PredType::NATIVE_DOUBLE);
    out.arrays.emplace(name, std::move(m));
  }
  return out;
}

std::string dataset_kind(const H5::DataSet& ds) {
  const H5T_class_t cls = ds.getTypeClass();
  if (cls == H5T_STRING) return "string";
  if (cls == H5T_FLOAT) {
    const std::size_t bytes = ds.getFloatType().getSize();
    return bytes == 8 ? "double" : "float" + std::to_string(8 * bytes);
  }
  if (cls == H5T_INTEGER) {
    const H5::IntType t = ds.getIntType();
    const std::size_t bytes = t.getSize();
    const bool is_signed = t.getSign() != H5T_SGN_NONE;
    if (bytes == 8 && is_signed) return "int64";
    if (bytes == 1 && !is_signed) return "bool";
    return (is_signed ? "int" : "uint") + std::to_string(8 * bytes);
  }
  return "HDF5 type class " + std::to_string(static_cast<int>(cls));
}

bool is_table_group(const H5::Group& g) { return g.attrExists("columns") || g.attrExists("column_types"); }

void check_table_group(const H5::Group& g, const std::string& where, Problems& problems) {
  std::vector<std::string> cols, types;
  try {
    cols = read_attr_strings(g, "columns", where);
    types = read_attr_strings(g, "column_types", where);
  } catch (const FormatError& e) {
    problems.add_plain(e.what());
    return;
  }
  if (cols.empty()) {
    problems.add(where, "attribute 'columns' is empty (a table has at least one column)");
    return;
  }
  if (types.size() != cols.size()) {
    problems.add(where, "attribute 'column_types' has " + std::to_string(types.size()) + " entries, 'columns' has " +
                            std::to_string(cols.size()));
    return;
  }
  std::set<std::string> seen;
  std::string first;
  std::int64_t rows = -1;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string& name = cols[i];
    const std::string& type = types[i];
    const std::string w = where + "/" + name;
    if (!valid_dataset_name(name) || !seen.insert(name).second) {
      problems.add(where, "attribute 'columns' entry \"" + name + "\" must be a unique dataset name");
      continue;
    }
    if (type != "double" && type != "int64" && type != "bool" && type != "string") {
      problems.add(where, "attribute 'column_types' entry \"" + type + "\" (column \"" + name +
                              "\") must be double, int64, bool or string");
      continue;
    }
    if (H5Lexists(g.getId(), name.c_str(), H5P_DEFAULT) <= 0 || g.childObjType(name) != H5O_TYPE_DATASET) {
      H5Eclear2(H5E_DEFAULT);
      problems.add(w, "is missing (listed in attribute 'columns')");
      continue;
    }
    H5::DataSet ds = g.openDataSet(name);
    H5::DataSpace space = ds.getSpace();
    if (space.getSimpleExtentType() == H5S_SCALAR || space.getSimpleExtentNdims() != 1) {
      problems.add(w, "must be 1-D (a table column), found " +
                          (space.getSimpleExtentType() == H5S_SCALAR ? std::string("a scalar")
                                                                     : std::to_string(space.getSimpleExtentNdims()) + "-D"));
      continue;
    }
    const std::string kind = dataset_kind(ds);
    if (kind != type) problems.add(w, "holds " + kind + ", attribute 'column_types' declares " + type);
    hsize_t n = 0;
    space.getSimpleExtentDims(&n);
    if (rows < 0) {
      rows = static_cast<std::int64_t>(n);
      first = name;
    } else if (static_cast<std::int64_t>(n) != rows) {
      problems.add(w, "has " + std::to_string(n) + " rows, column \"" + first + "\" has " + std::to_string(rows));
    }
  }
  const hsize_t n_obj = g.getNumObjs();
  for (hsize_t i = 0; i < n_obj; ++i) {
    const std::string name = g.getObjnameByIdx(i);
    if (!seen.count(name)) problems.add(where + "/" + name, "is not listed in attribute 'columns' of the table");
  }
}

}  // namespace emg::io::detail
