// Private FFT helpers over FFTW3 with a cached, mutex-guarded plan store.
//
// Plans are created once per (kind, n) with FFTW_ESTIMATE on internal aligned buffers and then
// executed on the caller's arrays with fftw_execute_dft_r2c / _c2r (thread-safe new-array
// execution), so callers may run transforms concurrently from several threads. Caller arrays must
// be allocated with fft_alloc_* (16-byte alignment as FFTW requires for new-array execution) or
// use the copying helpers below.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

namespace emg::detail {

/// Aligned buffers suitable for new-array execution.
struct FftwFree {
  void operator()(void* p) const noexcept;
};
using RealBuffer = std::unique_ptr<double[], FftwFree>;
using ComplexBuffer = std::unique_ptr<std::complex<double>[], FftwFree>;
RealBuffer fft_alloc_real(std::size_t n);
ComplexBuffer fft_alloc_complex(std::size_t n);

/// Forward real-to-complex DFT of n real samples into n/2 + 1 bins (unnormalised, like numpy.fft.rfft).
/// `in` and `out` must come from fft_alloc_*; the input is not modified.
void rfft(std::size_t n, const double* in, std::complex<double>* out);

/// A cached r2c plan looked up once, so that a loop of many equal-length transforms (Welch / STFT
/// segments) does not take the cache lock on every call. Valid for the life of the process.
struct RfftPlan {
  void* plan = nullptr;
  std::size_t n = 0;
};
RfftPlan rfft_plan(std::size_t n);

/// rfft with a plan from rfft_plan (same buffer rules as rfft).
void rfft(const RfftPlan& plan, const double* in, std::complex<double>* out);

/// Inverse of rfft: n/2 + 1 bins to n real samples, unnormalised (multiply by 1/n to invert).
/// FFTW's c2r destroys its input, so `in` is modified.
void irfft(std::size_t n, std::complex<double>* in, double* out);

/// Number of cached plans (for tests).
std::size_t fft_plan_count();

}  // namespace emg::detail
