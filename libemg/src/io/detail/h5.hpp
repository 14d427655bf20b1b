// Thin helpers over the HDF5 C++ API for the CrampLab store (and any other HDF5 reader in emg::io).
//
// Locking: every HDF5 call in libemg runs under h5_lock(). Debian's libhdf5 happens to be built
// thread-safe, but other builds (conda, Homebrew, manylinux wheels) often are not, and even a
// thread-safe C library does not make the C++ wrapper's reference counting and exception state
// safe. One process-wide recursive mutex costs nothing next to file I/O and makes concurrent
// read()/write() calls from Python threads or OpenMP regions safe everywhere.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace emg::io::detail {

/// Take the process-wide HDF5 lock. The first call also switches off HDF5's error printing
/// (C++ exceptions and the C error stack) so nothing is ever printed to stderr.
std::unique_lock<std::recursive_mutex> h5_lock();

/// The innermost messages of HDF5's current error stack ("" when empty), e.g.
/// "H5FD_read: addr overflow"; used to make IoError/FormatError messages useful.
std::string h5_error_detail(const H5::Exception& e);

/// Variable-length UTF-8 string type (what h5py writes for Python str).
H5::StrType vlen_utf8();

// Deterministic files: HDF5 stores access/modification/change/birth times in every object header
// unless told not to, so two writes of the same data a second apart differ. Every object libemg
// creates in a CrampLab file goes through these helpers, which switch that off.

/// Create (truncate-free, failing if it exists: H5F_ACC_EXCL) an HDF5 file whose root group is
/// untimed.
H5::H5File create_file(const std::string& path);
/// Create the group `name` (a path relative to `parent`; intermediate groups must exist) without
/// object times.
H5::Group create_group(const H5::H5Location& parent, const std::string& name);
/// A dataset creation property list with object times off; add chunking and filters to it.
H5::DSetCreatPropList untimed_dcpl();

bool has_attr(const H5::H5Object& obj, const std::string& name);
bool has_link(const H5::Group& group, const std::string& name);

void write_attr(H5::H5Object& obj, const std::string& name, const std::string& value);
void write_attr(H5::H5Object& obj, const std::string& name, double value);
void write_attr_int(H5::H5Object& obj, const std::string& name, std::int64_t value);
void write_attr(H5::H5Object& obj, const std::string& name, const std::vector<double>& values);
void write_attr(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values);

/// Attribute readers. They throw emg::FormatError("<what>: ...") when the attribute has the
/// wrong class or shape; `what` is the object path used in messages.
std::string read_attr_string(const H5::H5Object& obj, const std::string& name, const std::string& what);
double read_attr_double(const H5::H5Object& obj, const std::string& name, const std::string& what);
std::int64_t read_attr_int(const H5::H5Object& obj, const std::string& name, const std::string& what);
std::vector<double> read_attr_doubles(const H5::H5Object& obj, const std::string& name, const std::string& what);
std::vector<std::string> read_attr_strings(const H5::H5Object& obj, const std::string& name, const std::string& what);
/// Names of all attributes of `obj`.
std::vector<std::string> attr_names(const H5::H5Object& obj);

/// Store one already-filtered chunk (H5Dwrite_chunk) at element offset `offset` (rank = the
/// dataset's); `filter_mask` 0 = every filter of the pipeline was applied. Throws
/// H5::DataSetIException on failure.
void write_raw_chunk(const H5::DataSet& ds, const hsize_t* offset, std::uint32_t filter_mask, const void* data,
                     std::size_t bytes);

/// 1-D datasets (zero-length allowed, so readers need no special case for empty tables).
void write_column(H5::Group& group, const std::string& name, const std::vector<double>& values);
void write_column(H5::Group& group, const std::string& name, const std::vector<std::int64_t>& values);
void write_column(H5::Group& group, const std::string& name, const std::vector<std::string>& values);

/// 1-D dataset readers; FormatError naming `what` when the dataset is not 1-D or has the wrong class.
std::vector<double> read_column_doubles(const H5::DataSet& ds, const std::string& what);
std::vector<std::int64_t> read_column_ints(const H5::DataSet& ds, const std::string& what);
std::vector<std::string> read_column_strings(const H5::DataSet& ds, const std::string& what);
/// Length of a 1-D dataset; FormatError when it is not 1-D.
std::int64_t column_length(const H5::DataSet& ds, const std::string& what);

}  // namespace emg::io::detail
