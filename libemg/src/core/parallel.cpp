#include <emg/parallel.hpp>

#include <omp.h>

#include <atomic>
#include <thread>

namespace emg {
namespace {
std::atomic<int> g_threads{0};  // 0 = default
}

int get_num_threads() {
  const int n = g_threads.load();
  if (n > 0) return n;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

void set_num_threads(int n) { g_threads.store(n > 0 ? n : 0); }

}  // namespace emg
