#include "io/detail/h5.hpp"

#include <emg/errors.hpp>

#include <cstdlib>
#include <memory>

namespace emg::io::detail {

std::unique_lock<std::recursive_mutex> h5_lock() {
  static std::recursive_mutex mutex;
  // HDF5's automatic error printing is a per-thread setting in thread-safe builds (Debian's):
  // silence it once in every thread that touches HDF5 (cramplab import --jobs N).
  thread_local bool quiet = false;
  std::unique_lock<std::recursive_mutex> lock(mutex);
  if (!quiet) {
    H5::Exception::dontPrint();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    quiet = true;
  }
  return lock;
}

namespace {
herr_t innermost(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err != nullptr) {
    if (err->func_name != nullptr) *out = err->func_name;
    if (err->desc != nullptr && err->desc[0] != '\0') *out += std::string(out->empty() ? "" : ": ") + err->desc;
  }
  return 0;
}

[[noreturn]] void bad(const std::string& what, const std::string& rule) { throw FormatError(what + ": " + rule); }

std::int64_t rank1_length(const H5::DataSpace& space, const std::string& what) {
  if (space.getSimpleExtentType() == H5S_SCALAR) bad(what, "must be a 1-D array, found a scalar");
  if (space.getSimpleExtentNdims() != 1) {
    bad(what, "must be a 1-D array, found " + std::to_string(space.getSimpleExtentNdims()) + "-D");
  }
  hsize_t n = 0;
  space.getSimpleExtentDims(&n);
  return static_cast<std::int64_t>(n);
}

// `read(buf, memtype)` reads the whole attribute or dataset.
template <class Read>
std::vector<std::string> read_strings(const H5::DataType& file_type, const H5::DataSpace& space, std::size_t n,
                                      const std::string& what, Read&& read) {
  if (file_type.getClass() != H5T_STRING) bad(what, "must hold strings");
  H5::StrType ftype(file_type.getId());
  std::vector<std::string> out(n);
  if (n == 0) return out;
  if (ftype.isVariableStr()) {
    H5::StrType mtype = vlen_utf8();
    std::vector<char*> ptrs(n, nullptr);
    read(static_cast<void*>(ptrs.data()), mtype);
    for (std::size_t i = 0; i < n; ++i) out[i] = ptrs[i] ? ptrs[i] : "";
    H5Dvlen_reclaim(mtype.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
  } else {
    const std::size_t width = ftype.getSize();
    std::vector<char> buf(width * n);
    H5::StrType mtype(H5::PredType::C_S1, width);
    mtype.setCset(ftype.getCset());
    read(static_cast<void*>(buf.data()), mtype);
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * width;
      std::size_t len = 0;
      while (len < width && s[len] != '\0') ++len;
      out[i] = std::string(s, len);
    }
  }
  return out;
}
}  // namespace

std::string h5_error_detail(const H5::Exception& e) {
  std::string inner;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &inner);
  H5Eclear2(H5E_DEFAULT);
  std::string outer = e.getDetailMsg();
  if (inner.empty()) return outer;
  if (outer.empty()) return inner;
  return outer + " (" + inner + ")";
}

H5::StrType vlen_utf8() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

namespace {
/// Throws H5::Exception (so the callers' HDF5 handlers report it) when a C call failed.
void check_c(herr_t status, const char* func, const char* what) {
  if (status < 0) throw H5::PropListIException(func, what);
}

/// RAII for a C property list id.
class CPlist {
 public:
  explicit CPlist(hid_t cls) : id_(H5Pcreate(cls)) {
    if (id_ < 0) throw H5::PropListIException("H5Pcreate", "cannot create a property list");
  }
  CPlist(const CPlist&) = delete;
  CPlist& operator=(const CPlist&) = delete;
  ~CPlist() { H5Pclose(id_); }
  hid_t id() const { return id_; }

 private:
  hid_t id_;
};
}  // namespace

H5::H5File create_file(const std::string& path) {
  // The file creation list is also the root group's creation list (HDF5 creates "/" with it).
  H5::FileCreatPropList fcpl;
  check_c(H5Pset_obj_track_times(fcpl.getId(), false), "H5Pset_obj_track_times", "file creation list");
  return H5::H5File(path, H5F_ACC_EXCL, fcpl);
}

H5::Group create_group(const H5::H5Location& parent, const std::string& name) {
  CPlist gcpl(H5P_GROUP_CREATE);
  check_c(H5Pset_obj_track_times(gcpl.id(), false), "H5Pset_obj_track_times", "group creation list");
  const hid_t id = H5Gcreate2(parent.getId(), name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT);
  if (id < 0) throw H5::GroupIException("H5Gcreate2", "cannot create group '" + name + "'");
  H5::Group g(id);  // the wrapper takes its own reference ...
  H5Idec_ref(id);   // ... so drop the one H5Gcreate2 returned: g alone owns the group now
  return g;
}

H5::DSetCreatPropList untimed_dcpl() {
  H5::DSetCreatPropList dcpl;
  check_c(H5Pset_obj_track_times(dcpl.getId(), false), "H5Pset_obj_track_times", "dataset creation list");
  return dcpl;
}

void write_raw_chunk(const H5::DataSet& ds, const hsize_t* offset, std::uint32_t filter_mask, const void* data,
                     std::size_t bytes) {
  if (H5Dwrite_chunk(ds.getId(), H5P_DEFAULT, filter_mask, offset, bytes, data) < 0) {
    throw H5::DataSetIException("H5Dwrite_chunk", "cannot write a chunk");
  }
}

bool has_attr(const H5::H5Object& obj, const std::string& name) { return obj.attrExists(name); }

bool has_link(const H5::Group& group, const std::string& name) {
  return H5Lexists(group.getId(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {
H5::Attribute fresh_attr(H5::H5Object& obj, const std::string& name, const H5::DataType& type,
                         const H5::DataSpace& space) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  return obj.createAttribute(name, type, space);
}
}  // namespace

void write_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  H5::StrType t = vlen_utf8();
  fresh_attr(obj, name, t, H5::DataSpace(H5S_SCALAR)).write(t, value);
}

void write_attr(H5::H5Object& obj, const std::string& name, double value) {
  fresh_attr(obj, name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_DOUBLE, &value);
}

void write_attr_int(H5::H5Object& obj, const std::string& name, std::int64_t value) {
  fresh_attr(obj, name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_INT64, &value);
}

void write_attr(H5::H5Object& obj, const std::string& name, const std::vector<double>& values) {
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  fresh_attr(obj, name, H5::PredType::IEEE_F64LE, space).write(H5::PredType::NATIVE_DOUBLE, values.data());
}

void write_attr(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values) {
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  H5::StrType t = vlen_utf8();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  fresh_attr(obj, name, t, space).write(t, ptrs.data());
}

std::string read_attr_string(const H5::H5Object& obj, const std::string& name, const std::string& what) {
  const std::string w = what + " attribute '" + name + "'";
  if (!obj.attrExists(name)) bad(w, "is missing");
  H5::Attribute a = obj.openAttribute(name);
  H5::DataSpace space = a.getSpace();
  if (space.getSimpleExtentNpoints() != 1) bad(w, "must be a single string");
  return read_strings(a.getDataType(), space, 1, w, [&](void* b, const H5::DataType& t) { a.read(t, b); })[0];
}

double read_attr_double(const H5::H5Object& obj, const std::string& name, const std::string& what) {
  const std::string w = what + " attribute '" + name + "'";
  if (!obj.attrExists(name)) bad(w, "is missing");
  H5::Attribute a = obj.openAttribute(name);
  const H5T_class_t cls = a.getTypeClass();
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) bad(w, "must be a number");
  if (a.getSpace().getSimpleExtentNpoints() != 1) bad(w, "must be a single number");
  double v = 0.0;
  a.read(H5::PredType::NATIVE_DOUBLE, &v);
  return v;
}

std::int64_t read_attr_int(const H5::H5Object& obj, const std::string& name, const std::string& what) {
  const std::string w = what + " attribute '" + name + "'";
  if (!obj.attrExists(name)) bad(w, "is missing");
  H5::Attribute a = obj.openAttribute(name);
  if (a.getTypeClass() != H5T_INTEGER) bad(w, "must be an integer");
  if (a.getSpace().getSimpleExtentNpoints() != 1) bad(w, "must be a single integer");
  std::int64_t v = 0;
  a.read(H5::PredType::NATIVE_INT64, &v);
  return v;
}

std::vector<double> read_attr_doubles(const H5::H5Object& obj, const std::string& name, const std::string& what) {
  const std::string w = what + " attribute '" + name + "'";
  if (!obj.attrExists(name)) bad(w, "is missing");
  H5::Attribute a = obj.openAttribute(name);
  const H5T_class_t cls = a.getTypeClass();
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) bad(w, "must hold numbers");
  std::vector<double> v(static_cast<std::size_t>(a.getSpace().getSimpleExtentNpoints()));
  if (!v.empty()) a.read(H5::PredType::NATIVE_DOUBLE, v.data());
  return v;
}

std::vector<std::string> read_attr_strings(const H5::H5Object& obj, const std::string& name, const std::string& what) {
  const std::string w = what + " attribute '" + name + "'";
  if (!obj.attrExists(name)) bad(w, "is missing");
  H5::Attribute a = obj.openAttribute(name);
  H5::DataSpace space = a.getSpace();
  return read_strings(a.getDataType(), space, static_cast<std::size_t>(space.getSimpleExtentNpoints()), w,
                      [&](void* b, const H5::DataType& t) { a.read(t, b); });
}

std::vector<std::string> attr_names(const H5::H5Object& obj) {
  std::vector<std::string> names;
  const int n = obj.getNumAttrs();
  for (int i = 0; i < n; ++i) names.push_back(obj.openAttribute(static_cast<unsigned>(i)).getName());
  return names;
}

namespace {
H5::DataSet fresh_column(H5::Group& group, const std::string& name, const H5::DataType& type, std::size_t n) {
  if (has_link(group, name)) group.unlink(name);
  hsize_t dims = n;
  return group.createDataSet(name, type, H5::DataSpace(1, &dims), untimed_dcpl());
}
}  // namespace

void write_column(H5::Group& group, const std::string& name, const std::vector<double>& values) {
  auto ds = fresh_column(group, name, H5::PredType::IEEE_F64LE, values.size());
  if (!values.empty()) ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_column(H5::Group& group, const std::string& name, const std::vector<std::int64_t>& values) {
  auto ds = fresh_column(group, name, H5::PredType::STD_I64LE, values.size());
  if (!values.empty()) ds.write(values.data(), H5::PredType::NATIVE_INT64);
}

void write_column(H5::Group& group, const std::string& name, const std::vector<std::string>& values) {
  H5::StrType t = vlen_utf8();
  auto ds = fresh_column(group, name, t, values.size());
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (!values.empty()) ds.write(ptrs.data(), t);
}

std::int64_t column_length(const H5::DataSet& ds, const std::string& what) { return rank1_length(ds.getSpace(), what); }

std::vector<double> read_column_doubles(const H5::DataSet& ds, const std::string& what) {
  const H5T_class_t cls = ds.getTypeClass();
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) bad(what, "must hold numbers");
  std::vector<double> v(static_cast<std::size_t>(rank1_length(ds.getSpace(), what)));
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

std::vector<std::int64_t> read_column_ints(const H5::DataSet& ds, const std::string& what) {
  if (ds.getTypeClass() != H5T_INTEGER) bad(what, "must hold integers");
  std::vector<std::int64_t> v(static_cast<std::size_t>(rank1_length(ds.getSpace(), what)));
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_INT64);
  return v;
}

std::vector<std::string> read_column_strings(const H5::DataSet& ds, const std::string& what) {
  H5::DataSpace space = ds.getSpace();
  const auto n = static_cast<std::size_t>(rank1_length(space, what));
  return read_strings(ds.getDataType(), space, n, what, [&](void* b, const H5::DataType& t) { ds.read(b, t); });
}

}  // namespace emg::io::detail
