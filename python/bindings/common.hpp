// Shared helpers for the bind_<namespace>.cpp files: numpy <-> Eigen without copies where the
// dtype and layout allow, and the conventions every binding follows:
//  * signals are 1-D (n_samples,) or 2-D (n_channels, n_samples), time on the last axis;
//  * float64 C-contiguous input is used in place (zero copy); anything else real-valued is
//    converted once to float64 (documented), complex or non-numeric input is refused;
//  * outputs have the input's dimensionality (1-D in, 1-D out);
//  * long calls release the GIL (`py::gil_scoped_release`) around the C++ work only.
#pragma once

#include <emg/recording.hpp>
#include <emg/types.hpp>

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

namespace cramplab {

namespace py = pybind11;
using emg::RowMatrixXd;
using emg::VectorXd;
using ConstRowMap = Eigen::Map<const RowMatrixXd, 0, Eigen::OuterStride<>>;

/// A signal argument mapped onto numpy memory (or onto one converted copy).
struct SignalIn {
  py::array array;  ///< keeps the memory alive (the original when no copy was needed)
  bool one_d = false;
  bool copied = false;
  ConstRowMap map{nullptr, 0, 0, Eigen::OuterStride<>(0)};

  ConstRowMap view() const { return map; }
};

/// Map `x` (1-D or 2-D real array, or anything numpy can turn into one) as channels x samples.
/// `function` and `name` go into the error message.
SignalIn as_signal(const py::handle& x, const char* function, const char* name = "x");

/// Return a channels x samples result with the input's dimensionality (no copy).
py::array signal_out(RowMatrixXd&& m, bool one_d);

/// Per-channel values: a Python float for 1-D input, an (n_channels,) array for 2-D input.
py::object per_channel_out(VectorXd&& v, bool one_d);

/// A 1-D float64 vector argument (copied into an Eigen vector; small arrays only).
VectorXd as_vector(const py::handle& x, const char* function, const char* name);

/// Register the ValueError-style exception mapping and the custom cramplab exceptions.
void register_exceptions(py::module_& m);

/// A str or os.PathLike argument as a path string (os.fspath).
std::string as_path(const py::handle& path);

/// NaN (a "not set" metadata value) -> None, anything else -> float.
py::object nan_to_none(double v);

/// Every ChannelInfo field as a dict (NaN fields as None); the one mapping the bindings share.
py::dict channel_as_dict(const emg::ChannelInfo& c);

}  // namespace cramplab
