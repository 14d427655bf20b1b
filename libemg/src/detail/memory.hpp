// Allocation helpers for large kernel outputs.
#pragma once

#include <emg/types.hpp>

namespace emg::detail {

/// Ask the kernel for transparent huge pages on [data, data + count) before the first touch
/// (Linux, THP in "madvise" mode): for an hour of 8-channel EMG, first-touch faults on 4-KiB
/// pages otherwise cost as much as the filtering itself. Only a hint; small buffers are skipped.
void advise_huge_pages(double* data, long count);

/// A fresh rows x cols matrix whose storage has been advised for huge pages.
RowMatrixXd fresh_matrix(Eigen::Index rows, Eigen::Index cols);

}  // namespace emg::detail
