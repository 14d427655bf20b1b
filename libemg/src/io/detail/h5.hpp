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
