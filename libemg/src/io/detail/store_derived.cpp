#include "io/detail/store_derived.hpp"
#include "io/detail/store_layout.hpp"

#include <emg/errors.hpp>
#include <emg/version.hpp>

#include "detail/check.hpp"

#include <cerrno>
#include <cstdlib>
#include <ctime>
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
  for (const auto& [key, value] : item.arrays) {
    if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..") {
      fail_param(fn, label + ".arrays", "\"" + key + "\"", "array names must be non-empty and contain no '/'");
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
  for (const auto& [key, m] : item.arrays) {
    const bool one_d = m.rows() == 1;
    const hsize_t dims[2] = {static_cast<hsize_t>(one_d ? m.cols() : m.rows()), static_cast<hsize_t>(m.cols())};
    H5::DataSpace space(one_d ? 1 : 2, dims);
    H5::DataSet ds = out.createDataSet(key, H5::PredType::IEEE_F64LE, space, untimed_dcpl());
    if (m.size() > 0) ds.write(m.data(), H5::PredType::NATIVE_DOUBLE);
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
  const hsize_t n = g.getNumObjs();
  for (hsize_t i = 0; i < n; ++i) {
    const std::string name = g.getObjnameByIdx(i);
    if (g.childObjType(name) != H5O_TYPE_DATASET) continue;
    H5::DataSet ds = g.openDataSet(name);
    const std::string w = where + "/" + name;
    if (ds.getTypeClass() != H5T_FLOAT && ds.getTypeClass() != H5T_INTEGER) throw FormatError(path + ": " + w + ": must hold numbers");
    H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
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

}  // namespace emg::io::detail
