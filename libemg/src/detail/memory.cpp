#include "detail/memory.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace emg::detail {

void advise_huge_pages(double* data, long count) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{1} << 21;
  const auto bytes = static_cast<std::uintptr_t>(count) * sizeof(double);
  if (bytes < 4 * kHuge) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // failure is harmless
#else
  (void)data;
  (void)count;
#endif
}

RowMatrixXd fresh_matrix(Eigen::Index rows, Eigen::Index cols) {
  RowMatrixXd y(rows, cols);
  advise_huge_pages(y.data(), static_cast<long>(y.size()));
  return y;
}

}  // namespace emg::detail
