#include "detail/fft.hpp"

#include <emg/errors.hpp>

#include <fftw3.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace emg::detail {
namespace {

enum class Kind { r2c, c2r };

struct PlanCache {
  std::mutex mutex;
  std::map<std::pair<Kind, std::size_t>, fftw_plan> plans;
  ~PlanCache() {
    for (auto& kv : plans) fftw_destroy_plan(kv.second);
  }
};

PlanCache& cache() {
  static PlanCache c;
  return c;
}

fftw_plan get_plan(Kind kind, std::size_t n) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);  // the FFTW planner is not thread-safe
  auto key = std::make_pair(kind, n);
  auto it = c.plans.find(key);
  if (it != c.plans.end()) return it->second;
  const int ni = static_cast<int>(n);
  double* r = fftw_alloc_real(n);
  fftw_complex* z = fftw_alloc_complex(n / 2 + 1);
  fftw_plan p = nullptr;
  if (r && z) {
    p = (kind == Kind::r2c) ? fftw_plan_dft_r2c_1d(ni, r, z, FFTW_ESTIMATE)
                            : fftw_plan_dft_c2r_1d(ni, z, r, FFTW_ESTIMATE);
  }
  fftw_free(r);
  fftw_free(z);
  if (!p) throw std::runtime_error("FFTW could not create a plan of length " + std::to_string(n));
  c.plans.emplace(key, p);
  return p;
}

}  // namespace

void FftwFree::operator()(void* p) const noexcept { fftw_free(p); }

RealBuffer fft_alloc_real(std::size_t n) {
  auto* p = fftw_alloc_real(n == 0 ? 1 : n);
  if (!p) throw std::bad_alloc();
  return RealBuffer(p);
}

ComplexBuffer fft_alloc_complex(std::size_t n) {
  auto* p = fftw_alloc_complex(n == 0 ? 1 : n);
  if (!p) throw std::bad_alloc();
  return ComplexBuffer(reinterpret_cast<std::complex<double>*>(p));
}

void rfft(std::size_t n, const double* in, std::complex<double>* out) {
  fftw_plan p = get_plan(Kind::r2c, n);
  // r2c with FFTW_ESTIMATE and out-of-place does not modify the input.
  fftw_execute_dft_r2c(p, const_cast<double*>(in), reinterpret_cast<fftw_complex*>(out));
}

RfftPlan rfft_plan(std::size_t n) { return RfftPlan{get_plan(Kind::r2c, n), n}; }

void rfft(const RfftPlan& plan, const double* in, std::complex<double>* out) {
  fftw_execute_dft_r2c(static_cast<fftw_plan>(plan.plan), const_cast<double*>(in),
                       reinterpret_cast<fftw_complex*>(out));
}

void irfft(std::size_t n, std::complex<double>* in, double* out) {
  fftw_plan p = get_plan(Kind::c2r, n);
  fftw_execute_dft_c2r(p, reinterpret_cast<fftw_complex*>(in), out);
}

std::size_t fft_plan_count() {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.plans.size();
}

}  // namespace emg::detail
