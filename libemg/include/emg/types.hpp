// Core numeric types shared by every libemg module.
#pragma once

#include <Eigen/Core>

#include <complex>
#include <cstdint>

namespace emg {

/// Multichannel signal: channels x samples, row-major, so each channel is one contiguous row
/// (the numpy C-order layout `(n_channels, n_samples)`).
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixXcd = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Read-only view of a multichannel signal (no copy for row-major double data).
using MatrixView = Eigen::Ref<const RowMatrixXd>;

using Eigen::VectorXd;

}  // namespace emg
