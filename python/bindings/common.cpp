#include "common.hpp"

#include <emg/errors.hpp>

#include <cmath>
#include <sstream>

namespace cramplab {

namespace {
[[noreturn]] void bad(const char* function, const char* name, const std::string& rule) {
  throw py::value_error(std::string(function) + ": " + name + " " + rule);
}
}  // namespace

SignalIn as_signal(const py::handle& x, const char* function, const char* name) {
  SignalIn s;
  py::array arr = py::array::ensure(x);
  if (!arr) bad(function, name, "must be an array-like of numbers");
  const char kind = arr.dtype().kind();
  if (kind == 'c') bad(function, name, "must be real-valued (got a complex array)");
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
    bad(function, name, "must be a numeric array (got dtype " + std::string(py::str(arr.dtype())) + ")");
  }
  if (arr.ndim() != 1 && arr.ndim() != 2) {
    bad(function, name, "must be 1-D (n_samples,) or 2-D (n_channels, n_samples); got " +
                            std::to_string(arr.ndim()) + "-D");
  }
  using CArray = py::array_t<double, py::array::c_style>;
  if (py::isinstance<CArray>(arr) && arr.dtype().is(py::dtype::of<double>()) &&
      (arr.flags() & py::array::c_style)) {
    s.array = arr;
    s.copied = !py::isinstance<py::array>(x);  // a list etc. was converted by ensure()
  } else {
    s.array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(arr);
    s.copied = true;
    if (!s.array) bad(function, name, "cannot be converted to float64");
  }
  s.one_d = s.array.ndim() == 1;
  const Eigen::Index rows = s.one_d ? 1 : static_cast<Eigen::Index>(s.array.shape(0));
  const Eigen::Index cols = s.one_d ? static_cast<Eigen::Index>(s.array.shape(0)) : static_cast<Eigen::Index>(s.array.shape(1));
  const auto* data = static_cast<const double*>(s.array.data());
  new (&s.map) ConstRowMap(data, rows, cols, Eigen::OuterStride<>(cols));
  return s;
}

py::array signal_out(RowMatrixXd&& m, bool one_d) {
  py::array out = py::cast(std::move(m));
  if (one_d) return out.attr("reshape")(-1).cast<py::array>();
  return out;
}

py::object per_channel_out(VectorXd&& v, bool one_d) {
  if (one_d) return py::float_(v.size() ? v(0) : 0.0);
  return py::cast(std::move(v));
}

VectorXd as_vector(const py::handle& x, const char* function, const char* name) {
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(x);
  if (!arr || arr.ndim() != 1) bad(function, name, "must be a 1-D array of numbers");
  VectorXd v(arr.shape(0));
  for (py::ssize_t i = 0; i < arr.shape(0); ++i) v(i) = arr.at(i);
  return v;
}

void register_exceptions(py::module_& m) {
  // emg::InvalidArgument derives from std::invalid_argument and maps to ValueError by default.
  py::register_exception<emg::IoError>(m, "IoError", PyExc_OSError);
  py::register_exception<emg::FormatError>(m, "FormatError", PyExc_ValueError);
  py::register_exception<emg::ConfigError>(m, "ConfigError", PyExc_ValueError);
}

std::string as_path(const py::handle& path) {
  return py::module_::import("os").attr("fspath")(path).cast<std::string>();
}

py::object nan_to_none(double v) { return std::isnan(v) ? py::object(py::none()) : py::object(py::float_(v)); }

py::dict channel_as_dict(const emg::ChannelInfo& c) {
  py::dict d;
  d["name"] = c.name;
  d["type"] = c.type;
  d["units"] = c.units;
  d["target_muscle"] = c.target_muscle;
  d["placement"] = c.placement;
  d["reference"] = c.reference;
  d["low_cutoff_hz"] = nan_to_none(c.low_cutoff_hz);
  d["high_cutoff_hz"] = nan_to_none(c.high_cutoff_hz);
  d["notch_hz"] = nan_to_none(c.notch_hz);
  d["conversion"] = nan_to_none(c.conversion);
  d["offset"] = c.offset;
  d["digital_min"] = nan_to_none(c.digital_min);
  d["digital_max"] = nan_to_none(c.digital_max);
  return d;
}

}  // namespace cramplab
