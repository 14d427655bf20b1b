// Applying second-order sections (transposed direct form II, SciPy's sosfilt recurrence).
//
// Speed comes from filtering kLanes channels at once: a short run of samples from kLanes rows is
// interleaved (time-major, channel innermost) into a cache-resident scratch block, every section
// runs over that block with one SIMD vector holding the kLanes channels, and the block goes back
// out. sosfiltfilt builds its padding on the fly while loading blocks and runs the backward pass
// in place in the output, so no padded copy of the signal is ever made. Each channel sees exactly
// the same arithmetic whichever block, lane or thread it lands in, so results do not depend on the
// thread count.
#include <emg/filters/apply.hpp>
#include <emg/parallel.hpp>

#include "detail/check.hpp"
#include "detail/memory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif


namespace emg::filters {

namespace {

constexpr int kLanes = 4;
constexpr long kChunk = 512;  // samples per scratch block: 512 x 4 x 8 B = 16 KiB, stays in L1

// Portable SIMD through GCC/Clang vector extensions: two doubles (SSE2, the x86-64 baseline) or
// four (AVX2, chosen at run time when the CPU has it). The build never contracts a*b+c into an
// FMA (ISO C++ mode), so both paths give bitwise identical results.
typedef double Vec2 __attribute__((vector_size(2 * sizeof(double))));
typedef double Vec4 __attribute__((vector_size(4 * sizeof(double))));

/// [a[0], b[0]] and [a[1], b[1]]: the 2 x 2 transpose step of gather / scatter.
inline Vec2 low_pair(Vec2 a, Vec2 b) {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, 0, 2);
#else
  typedef long long Idx2 __attribute__((vector_size(2 * sizeof(long long))));
  return __builtin_shuffle(a, b, Idx2{0, 2});
#endif
}
inline Vec2 high_pair(Vec2 a, Vec2 b) {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, 1, 3);
#else
  typedef long long Idx2 __attribute__((vector_size(2 * sizeof(long long))));
  return __builtin_shuffle(a, b, Idx2{1, 3});
#endif
}

struct Section {
  double b0, b1, b2, a1, a2;
};

std::vector<Section> sections_of(const Sos& sos) {
  std::vector<Section> s(static_cast<std::size_t>(sos.rows()));
  for (Eigen::Index k = 0; k < sos.rows(); ++k) {
    s[static_cast<std::size_t>(k)] = {sos(k, 0), sos(k, 1), sos(k, 2), sos(k, 4), sos(k, 5)};
  }
  return s;
}

/// One sweep over the block through F consecutive sections starting at `secs`. Fusing
/// sections gives F x (kLanes / width) independent recurrences per sample, enough to keep the FP
/// units busy despite the feedback latency of each one.
///
/// Bit f of `Unit` marks a section with b0 == b2 == 1 (every Butterworth section but the first):
/// 1 * x == x exactly, so skipping those two multiplies changes no bit of the result.
template <int F, typename V, unsigned Unit>
__attribute__((always_inline)) inline void sweep(const Section* secs, double* buf, long n, double* state) {
  constexpr int W = static_cast<int>(sizeof(V) / sizeof(double));
  constexpr int NV = kLanes / W;
  V b0[F], b1[F], b2[F], a1[F], a2[F], z0[F][NV], z1[F][NV];
  for (int f = 0; f < F; ++f) {
    b0[f] = V{} + secs[f].b0;
    b1[f] = V{} + secs[f].b1;
    b2[f] = V{} + secs[f].b2;
    a1[f] = V{} + secs[f].a1;
    a2[f] = V{} + secs[f].a2;
    for (int v = 0; v < NV; ++v) {
      std::memcpy(&z0[f][v], state + f * 2 * kLanes + W * v, sizeof(V));
      std::memcpy(&z1[f][v], state + f * 2 * kLanes + kLanes + W * v, sizeof(V));
    }
  }
  for (long t = 0; t < n; ++t) {
    double* p = buf + t * kLanes;
    V x[NV];
    for (int v = 0; v < NV; ++v) std::memcpy(&x[v], p + W * v, sizeof(V));
#pragma GCC unroll 4
    for (int f = 0; f < F; ++f) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        // Transposed direct form II with SciPy's operation order, so that for the same
        // coefficients the output is bitwise SciPy's (matters for ill-conditioned filters).
        const bool unit = (Unit >> f) & 1u;
        const V y = (unit ? x[v] : b0[f] * x[v]) + z0[f][v];
        z0[f][v] = b1[f] * x[v] - a1[f] * y + z1[f][v];
        z1[f][v] = (unit ? x[v] : b2[f] * x[v]) - a2[f] * y;
        x[v] = y;
      }
    }
    for (int v = 0; v < NV; ++v) std::memcpy(p + W * v, &x[v], sizeof(V));
  }
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < NV; ++v) {
      std::memcpy(state + f * 2 * kLanes + W * v, &z0[f][v], sizeof(V));
      std::memcpy(state + f * 2 * kLanes + kLanes + W * v, &z1[f][v], sizeof(V));
    }
  }
}

bool unit_numerator(const Section& c) { return c.b0 == 1.0 && c.b2 == 1.0; }

/// Calls sweep<F, V, Unit> with the Unit mask of sections [k, k + F) known at compile time.
template <int F, typename V, unsigned Unit = 0, int Bit = 0>
__attribute__((always_inline)) inline void sweep_dispatch(const Section* secs, double* buf, long n, double* state) {
  if constexpr (Bit == F) {
    sweep<F, V, Unit>(secs, buf, n, state);
  } else if (unit_numerator(secs[Bit])) {
    sweep_dispatch<F, V, Unit | (1u << Bit), Bit + 1>(secs, buf, n, state);
  } else {
    sweep_dispatch<F, V, Unit, Bit + 1>(secs, buf, n, state);
  }
}

/// Runs `n` interleaved samples (buf[t * kLanes + lane]) through every section in place.
/// `state` holds, per section, z0 then z1 for each lane (2 * kLanes doubles per section).
void run_sections_sse2(const std::vector<Section>& secs, double* buf, long n, double* state) {
  const std::size_t ns = secs.size();
  std::size_t k = 0;
  for (; k + 1 < ns; k += 2) sweep_dispatch<2, Vec2>(secs.data() + k, buf, n, state + 2 * kLanes * k);
  if (k < ns) sweep_dispatch<1, Vec2>(secs.data() + k, buf, n, state + 2 * kLanes * k);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define EMG_FILTERS_AVX2 1
__attribute__((target("avx2"))) void run_sections_avx2(const std::vector<Section>& secs, double* buf, long n,
                                                       double* state) {
  const std::size_t ns = secs.size();
  std::size_t k = 0;
  for (; k + 3 < ns; k += 4) sweep_dispatch<4, Vec4>(secs.data() + k, buf, n, state + 2 * kLanes * k);
  for (; k + 1 < ns; k += 2) sweep_dispatch<2, Vec4>(secs.data() + k, buf, n, state + 2 * kLanes * k);
  if (k < ns) sweep_dispatch<1, Vec4>(secs.data() + k, buf, n, state + 2 * kLanes * k);
}
#endif

void run_sections(const std::vector<Section>& secs, double* buf, long n, double* state) {
#ifdef EMG_FILTERS_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    run_sections_avx2(secs, buf, n, state);
    return;
  }
#endif
  run_sections_sse2(secs, buf, n, state);
}

/// buf[t * kLanes + l] = src[l][t] (or src[l][-t] when Reverse) for t in [t0, t1): the
/// transpose into the interleaved block, two channels x two samples per SSE2 shuffle.
template <bool Reverse>
void gather_sse2(double* buf, const double* const* src, int lanes, long t0, long t1) {
  long t = t0;
  if (lanes == kLanes) {
    for (; t + 1 < t1; t += 2) {
      for (int l = 0; l < kLanes; l += 2) {
        Vec2 r0, r1;
        std::memcpy(&r0, src[l] + (Reverse ? -t - 1 : t), sizeof r0);
        std::memcpy(&r1, src[l + 1] + (Reverse ? -t - 1 : t), sizeof r1);
        const Vec2 first = Reverse ? high_pair(r0, r1) : low_pair(r0, r1);
        const Vec2 second = Reverse ? low_pair(r0, r1) : high_pair(r0, r1);
        std::memcpy(buf + t * kLanes + l, &first, sizeof first);
        std::memcpy(buf + (t + 1) * kLanes + l, &second, sizeof second);
      }
    }
  }
  for (; t < t1; ++t) {
    for (int l = 0; l < lanes; ++l) buf[t * kLanes + l] = src[l][Reverse ? -t : t];
  }
}

/// dst[l][t] (or dst[l][-t]) = buf[t * kLanes + l] for t in [t0, t1): the inverse of gather.
template <bool Reverse>
void scatter_sse2(const double* buf, double* const* dst, int lanes, long t0, long t1) {
  long t = t0;
  if (lanes == kLanes) {
    for (; t + 1 < t1; t += 2) {
      for (int l = 0; l < kLanes; l += 2) {
        Vec2 a, b;  // a = lanes l, l+1 at t; b = the same at t + 1
        std::memcpy(&a, buf + t * kLanes + l, sizeof a);
        std::memcpy(&b, buf + (t + 1) * kLanes + l, sizeof b);
        const Vec2 r0 = Reverse ? low_pair(b, a) : low_pair(a, b);
        const Vec2 r1 = Reverse ? high_pair(b, a) : high_pair(a, b);
        std::memcpy(dst[l] + (Reverse ? -t - 1 : t), &r0, sizeof r0);
        std::memcpy(dst[l + 1] + (Reverse ? -t - 1 : t), &r1, sizeof r1);
      }
    }
  }
  for (; t < t1; ++t) {
    for (int l = 0; l < lanes; ++l) dst[l][Reverse ? -t : t] = buf[t * kLanes + l];
  }
}

#ifdef EMG_FILTERS_AVX2
/// 4 x 4 transpose of doubles: rows a..d in, columns out (its own inverse).
__attribute__((target("avx2"), always_inline)) inline void transpose4(__m256d& a, __m256d& b, __m256d& c, __m256d& d) {
  const __m256d ab_lo = _mm256_unpacklo_pd(a, b), ab_hi = _mm256_unpackhi_pd(a, b);
  const __m256d cd_lo = _mm256_unpacklo_pd(c, d), cd_hi = _mm256_unpackhi_pd(c, d);
  a = _mm256_permute2f128_pd(ab_lo, cd_lo, 0x20);
  b = _mm256_permute2f128_pd(ab_hi, cd_hi, 0x20);
  c = _mm256_permute2f128_pd(ab_lo, cd_lo, 0x31);
  d = _mm256_permute2f128_pd(ab_hi, cd_hi, 0x31);
}

/// gather for a full group of 4 lanes, 4 samples per 4 x 4 AVX2 transpose; returns the first t
/// it did not handle.
template <bool Reverse>
__attribute__((target("avx2"))) long gather_avx2(double* buf, const double* const* src, long t0, long t1) {
  static_assert(kLanes == 4, "the AVX2 transpose moves 4 lanes");
  long t = t0;
  for (; t + 3 < t1; t += 4) {
    const long at = Reverse ? -t - 3 : t;
    __m256d r0 = _mm256_loadu_pd(src[0] + at), r1 = _mm256_loadu_pd(src[1] + at);
    __m256d r2 = _mm256_loadu_pd(src[2] + at), r3 = _mm256_loadu_pd(src[3] + at);
    transpose4(r0, r1, r2, r3);  // r_k = the 4 lanes at source offset at + k
    double* out = buf + t * kLanes;
    _mm256_storeu_pd(out + (Reverse ? 3 : 0) * kLanes, r0);
    _mm256_storeu_pd(out + (Reverse ? 2 : 1) * kLanes, r1);
    _mm256_storeu_pd(out + (Reverse ? 1 : 2) * kLanes, r2);
    _mm256_storeu_pd(out + (Reverse ? 0 : 3) * kLanes, r3);
  }
  return t;
}

/// The inverse of gather_avx2.
template <bool Reverse>
__attribute__((target("avx2"))) long scatter_avx2(const double* buf, double* const* dst, long t0, long t1) {
  long t = t0;
  for (; t + 3 < t1; t += 4) {
    const double* in = buf + t * kLanes;
    __m256d r0 = _mm256_loadu_pd(in + (Reverse ? 3 : 0) * kLanes), r1 = _mm256_loadu_pd(in + (Reverse ? 2 : 1) * kLanes);
    __m256d r2 = _mm256_loadu_pd(in + (Reverse ? 1 : 2) * kLanes), r3 = _mm256_loadu_pd(in + (Reverse ? 0 : 3) * kLanes);
    transpose4(r0, r1, r2, r3);
    const long at = Reverse ? -t - 3 : t;
    _mm256_storeu_pd(dst[0] + at, r0);
    _mm256_storeu_pd(dst[1] + at, r1);
    _mm256_storeu_pd(dst[2] + at, r2);
    _mm256_storeu_pd(dst[3] + at, r3);
  }
  return t;
}
#endif

bool cpu_has_avx2() {
#ifdef EMG_FILTERS_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

/// buf[t * kLanes + lane] = src[lane][t] (or src[lane][-t] when Reverse) for t in [t0, t1).
template <bool Reverse>
void gather(double* buf, const double* const* src, int lanes, long t0, long t1) {
#ifdef EMG_FILTERS_AVX2
  if (lanes == kLanes && cpu_has_avx2()) t0 = gather_avx2<Reverse>(buf, src, t0, t1);
#endif
  gather_sse2<Reverse>(buf, src, lanes, t0, t1);
}

/// dst[lane][t] (or dst[lane][-t]) = buf[t * kLanes + lane] for t in [t0, t1).
template <bool Reverse>
void scatter(const double* buf, double* const* dst, int lanes, long t0, long t1) {
#ifdef EMG_FILTERS_AVX2
  if (lanes == kLanes && cpu_has_avx2()) t0 = scatter_avx2<Reverse>(buf, dst, t0, t1);
#endif
  scatter_sse2<Reverse>(buf, dst, lanes, t0, t1);
}

/// Per-thread scratch: one block of interleaved samples and the filter state of one lane group.
struct Scratch {
  std::vector<double> buf;
  std::vector<double> state;
  explicit Scratch(std::size_t n_sections) : buf(kChunk * kLanes), state(2 * kLanes * n_sections) {}
  double& at(long t, int lane) { return buf[static_cast<std::size_t>(t * kLanes + lane)]; }
};

RowMatrixXd fresh_output(Eigen::Index rows, Eigen::Index cols) { return detail::fresh_matrix(rows, cols); }

long n_blocks(long n_channels) { return (n_channels + kLanes - 1) / kLanes; }

/// Steady-state zi (per unit step) as plain numbers, section-major.
std::vector<double> unit_zi(const Sos& sos) {
  const auto zi = sosfilt_zi(sos);
  return std::vector<double>(zi.data(), zi.data() + zi.size());
}

/// Lane state = zi * v[lane] for every section (SciPy's zi * x[0] start of filtfilt).
void start_state(Scratch& s, const std::vector<double>& zi, const double v[kLanes]) {
  for (std::size_t k = 0; k < zi.size(); ++k) {
    for (int l = 0; l < kLanes; ++l) s.state[k * kLanes + l] = zi[k] * v[l];
  }
}

/// The padded signal of sosfiltfilt, evaluated lazily: index i of the extension of `r`
/// (length n) by `edge` samples on each side.
struct Extended {
  const double* r;
  long n;
  long edge;
  PadType pad;

  double at(long i) const {
    if (i < edge) {
      const long j = edge - i;
      switch (pad) {
        case PadType::odd: return 2.0 * r[0] - r[j];
        case PadType::even: return r[j];
        default: return r[0];
      }
    }
    if (i < edge + n) return r[i - edge];
    const long j = i - edge - n;
    switch (pad) {
      case PadType::odd: return 2.0 * r[n - 1] - r[n - 2 - j];
      case PadType::even: return r[n - 2 - j];
      default: return r[n - 1];
    }
  }
};

/// A NaN or Inf anywhere in the input leaves the state non-finite for good (NaN and Inf never
/// turn finite again under these recurrences), so the final state tells whether the input was
/// clean without a separate pass over the data.
bool state_finite(const Scratch& s, int lanes) {
  for (std::size_t k = 0; k < s.state.size(); k += kLanes) {
    for (int l = 0; l < lanes; ++l) {
      if (!std::isfinite(s.state[k + l])) return false;
    }
  }
  return true;
}

bool sosfilt_block(const std::vector<Section>& secs, MatrixView x, long c0, int lanes, const SosState& zi,
                   SosState& zf, RowMatrixXd& y, Scratch& s) {
  const long n = x.cols();
  const long n_state = zi.cols();
  std::fill(s.state.begin(), s.state.end(), 0.0);
  for (long k = 0; k < n_state; ++k) {
    for (int l = 0; l < lanes; ++l) s.state[k * kLanes + l] = zi(c0 + l, k);
  }
  std::fill(s.buf.begin(), s.buf.end(), 0.0);
  for (long i0 = 0; i0 < n; i0 += kChunk) {
    const long m = std::min(kChunk, n - i0);
    const double* src[kLanes] = {};
    double* dst[kLanes] = {};
    for (int l = 0; l < lanes; ++l) {
      src[l] = x.row(c0 + l).data() + i0;
      dst[l] = y.row(c0 + l).data() + i0;
    }
    gather<false>(s.buf.data(), src, lanes, 0, m);
    run_sections(secs, s.buf.data(), m, s.state.data());
    scatter<false>(s.buf.data(), dst, lanes, 0, m);
  }
  for (long k = 0; k < n_state; ++k) {
    for (int l = 0; l < lanes; ++l) zf(c0 + l, k) = s.state[k * kLanes + l];
  }
  return state_finite(s, lanes);
}

bool sosfiltfilt_block(const std::vector<Section>& secs, const std::vector<double>& zi, MatrixView x, long c0,
                       int lanes, long edge, PadType pad, RowMatrixXd& y, Scratch& s, std::vector<double>& tail) {
  const long n = x.cols();
  const long len = n + 2 * edge;
  Extended ext[kLanes];
  double* out[kLanes] = {};
  for (int l = 0; l < lanes; ++l) {
    ext[l] = {x.row(c0 + l).data(), n, edge, pad};
    out[l] = y.row(c0 + l).data();
  }
  // Forward outputs of the right padding are needed (reversed) by the backward pass; those of
  // the left padding are not, and neither are backward outputs inside the padding.
  tail.assign(static_cast<std::size_t>(kLanes * edge), 0.0);
  std::fill(s.buf.begin(), s.buf.end(), 0.0);

  double first[kLanes] = {};
  for (int l = 0; l < lanes; ++l) first[l] = ext[l].at(0);
  start_state(s, zi, first);
  for (long i0 = 0; i0 < len; i0 += kChunk) {
    const long m = std::min(kChunk, len - i0);
    const long mid_lo = std::clamp(edge - i0, 0L, m);  // [mid_lo, mid_hi): samples of x itself
    const long mid_hi = std::clamp(edge + n - i0, 0L, m);
    for (int l = 0; l < lanes; ++l) {
      for (long t = 0; t < mid_lo; ++t) s.at(t, l) = ext[l].at(i0 + t);
      for (long t = mid_hi; t < m; ++t) s.at(t, l) = ext[l].at(i0 + t);
    }
    // Pointers are offset so that index t of the block addresses sample i0 + t - edge of x / y.
    const double* src[kLanes] = {};
    double* dst[kLanes] = {};
    if (mid_hi > mid_lo) {
      for (int l = 0; l < lanes; ++l) {
        src[l] = ext[l].r + (i0 - edge);
        dst[l] = out[l] + (i0 - edge);
      }
      gather<false>(s.buf.data(), src, lanes, mid_lo, mid_hi);
    }
    run_sections(secs, s.buf.data(), m, s.state.data());
    if (mid_hi > mid_lo) scatter<false>(s.buf.data(), dst, lanes, mid_lo, mid_hi);
    for (int l = 0; l < lanes; ++l) {
      double* tl = tail.data() + l * edge;
      for (long t = mid_hi; t < m; ++t) tl[i0 + t - edge - n] = s.at(t, l);
    }
  }

  // Backward pass over extended indices len-1 down to edge, in place in y. Indices at or above
  // edge + n read the right-padding outputs kept in `tail`, the rest read (and overwrite) y.
  double last[kLanes] = {};
  for (int l = 0; l < lanes; ++l) last[l] = edge > 0 ? tail[static_cast<std::size_t>(l * edge + edge - 1)] : out[l][n - 1];
  start_state(s, zi, last);
  std::fill(s.buf.begin(), s.buf.end(), 0.0);
  for (long hi = len - 1; hi >= edge; hi -= kChunk) {
    const long m = std::min(kChunk, hi - edge + 1);
    const long n_tail = std::clamp(hi - (edge + n) + 1, 0L, m);  // t < n_tail: from `tail`
    for (int l = 0; l < lanes && n_tail > 0; ++l) {  // (tail is empty when edge == 0)
      const double* tl = tail.data() + l * edge + (hi - edge - n);
      for (long t = 0; t < n_tail; ++t) s.at(t, l) = tl[-t];
    }
    // o[l][-t] is y at extended index hi - t.
    double* o[kLanes] = {};
    if (n_tail < m) {
      for (int l = 0; l < lanes; ++l) o[l] = out[l] + (hi - edge);
      gather<true>(s.buf.data(), o, lanes, n_tail, m);
    }
    run_sections(secs, s.buf.data(), m, s.state.data());
    if (n_tail < m) scatter<true>(s.buf.data(), o, lanes, n_tail, m);
  }
  return state_finite(s, lanes);
}

void check_state_shape(std::string_view fn, std::string_view name, const SosState& st, long rows, long cols) {
  if (st.rows() != rows || st.cols() != cols) {
    detail::fail_param(fn, name, "shape (" + std::to_string(st.rows()) + ", " + std::to_string(st.cols()) + ")",
                       "must be (n_channels, 2*n_sections) = (" + std::to_string(rows) + ", " +
                           std::to_string(cols) + ")");
  }
  if (!st.allFinite()) detail::fail_param(fn, name, "non-finite values", "must be finite");
}

/// Cheap up-front checks; finiteness is checked after filtering (see state_finite).
void check_nonempty(std::string_view fn, MatrixView x) {
  if (x.rows() < 1 || x.cols() < 1) detail::check_signal(fn, x);
}

/// Called when some block ended with a non-finite state: name the bad sample, or report overflow.
[[noreturn]] void fail_nonfinite(std::string_view fn, MatrixView x) {
  detail::check_signal(fn, x);
  detail::fail_param(fn, "x", "finite samples", "overflow to a non-finite output (values too large)");
}

RowMatrixXd sosfilt_impl(std::string_view fn, const Sos& sos, MatrixView x, const SosState& zi, SosState& zf) {
  const auto secs = sections_of(sos);
  RowMatrixXd y = fresh_output(x.rows(), x.cols());
  zf.resize(x.rows(), 2 * sos.rows());
  const long blocks = n_blocks(x.rows());
  std::vector<char> finite(static_cast<std::size_t>(blocks), 1);
#pragma omp parallel num_threads(std::max(1, std::min<int>(get_num_threads(), static_cast<int>(blocks))))
  {
    Scratch s(secs.size());
#pragma omp for schedule(static)
    for (long b = 0; b < blocks; ++b) {
      const long c0 = b * kLanes;
      const int lanes = static_cast<int>(std::min<long>(kLanes, x.rows() - c0));
      finite[static_cast<std::size_t>(b)] = sosfilt_block(secs, x, c0, lanes, zi, zf, y, s);
    }
  }
  if (std::find(finite.begin(), finite.end(), 0) != finite.end()) fail_nonfinite(fn, x);
  return y;
}

}  // namespace

Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> sosfilt_zi(const Sos& sos) {
  constexpr std::string_view fn = "sosfilt_zi";
  validate_sos(sos, fn);
  Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> zi(sos.rows(), 2);
  double scale = 1.0;
  for (Eigen::Index k = 0; k < sos.rows(); ++k) {
    const double b0 = sos(k, 0), b1 = sos(k, 1), b2 = sos(k, 2), a1 = sos(k, 4), a2 = sos(k, 5);
    // Steady state of one section under a unit step: (I - A) zi = B with
    // I - A = [[1 + a1, -1], [a2, 1]]. Solved by LU with partial pivoting in the same operation
    // order as SciPy's route (numpy.linalg.solve -> LAPACK getrf/getrs), because zi feeds
    // sosfiltfilt and ill-conditioned filters amplify even last-bit differences.
    const double m00 = 1.0 + a1, m10 = a2;
    const double r0 = b1 - a1 * b0, r1 = b2 - a2 * b0;
    if (m00 == 0.0 && m10 == 0.0) {
      detail::fail_param(fn, "sos", "section " + std::to_string(k),
                         "has a singular steady-state system (1 + a1 == 0 and a2 == 0)");
    }
    double z0 = 0.0, z1 = 0.0;
    if (std::abs(m00) >= std::abs(m10)) {
      const double l = m10 * (1.0 / m00);
      const double u11 = 1.0 + l;
      const double y1 = r1 - l * r0;
      z1 = y1 / u11;
      z0 = (r0 + z1) / m00;
    } else {
      const double l = m00 * (1.0 / m10);
      const double u11 = -1.0 - l;
      const double y1 = r0 - l * r1;
      z1 = y1 / u11;
      z0 = (r1 - z1) / m10;
    }
    if (!std::isfinite(z0) || !std::isfinite(z1)) {
      detail::fail_param(fn, "sos", "section " + std::to_string(k),
                         "has a pole at z=1 (1 + a1 + a2 == 0), so no step steady state exists");
    }
    zi(k, 0) = scale * z0;
    zi(k, 1) = scale * z1;
    scale *= (b0 + b1 + b2) / (1.0 + a1 + a2);
  }
  return zi;
}

RowMatrixXd sosfilt(const Sos& sos, MatrixView x) {
  validate_sos(sos, "sosfilt");
  check_nonempty("sosfilt", x);
  const SosState zi = SosState::Zero(x.rows(), 2 * sos.rows());
  SosState zf;
  return sosfilt_impl("sosfilt", sos, x, zi, zf);
}

RowMatrixXd sosfilt(const Sos& sos, MatrixView x, const SosState& zi, SosState& zf) {
  validate_sos(sos, "sosfilt");
  check_nonempty("sosfilt", x);
  check_state_shape("sosfilt", "zi", zi, x.rows(), 2 * sos.rows());
  SosState out;
  RowMatrixXd y = sosfilt_impl("sosfilt", sos, x, zi, out);
  zf = std::move(out);
  return y;
}

PadType parse_padtype(std::string_view name) {
  if (name == "odd") return PadType::odd;
  if (name == "even") return PadType::even;
  if (name == "constant") return PadType::constant;
  if (name == "none" || name == "None") return PadType::none;
  std::string quoted;
  quoted.append("'").append(name).append("'");
  detail::fail_param("sosfiltfilt", "padtype", quoted,
                     "must be one of 'odd', 'even', 'constant', 'none'");
}

std::string to_string(PadType padtype) {
  switch (padtype) {
    case PadType::odd: return "odd";
    case PadType::even: return "even";
    case PadType::constant: return "constant";
    case PadType::none: return "none";
  }
  return "?";
}

long default_padlen(const Sos& sos) {
  long zero_b2 = 0, zero_a2 = 0;
  for (Eigen::Index k = 0; k < sos.rows(); ++k) {
    zero_b2 += sos(k, 2) == 0.0;
    zero_a2 += sos(k, 5) == 0.0;
  }
  return 3 * (2 * static_cast<long>(sos.rows()) + 1 - std::min(zero_b2, zero_a2));
}

RowMatrixXd sosfiltfilt(const Sos& sos, MatrixView x, PadType padtype, std::optional<long> padlen) {
  constexpr std::string_view fn = "sosfiltfilt";
  validate_sos(sos, fn);
  if (padlen && *padlen < 0) detail::fail_param(fn, "padlen", std::to_string(*padlen), "must be >= 0");
  check_nonempty(fn, x);
  const long edge = padtype == PadType::none ? 0 : padlen.value_or(default_padlen(sos));
  const long n = x.cols();
  if (n <= edge) {
    detail::fail_param(fn, "padlen", std::to_string(edge),
                       "must be smaller than the signal length: x has " + std::to_string(n) +
                           " samples, and SciPy's rule needs more than padlen");
  }
  const auto zi = unit_zi(sos);
  const auto secs = sections_of(sos);
  RowMatrixXd y = fresh_output(x.rows(), n);
  const long blocks = n_blocks(x.rows());
  std::vector<char> finite(static_cast<std::size_t>(blocks), 1);
#pragma omp parallel num_threads(std::max(1, std::min<int>(get_num_threads(), static_cast<int>(blocks))))
  {
    Scratch s(secs.size());
    std::vector<double> tail;
#pragma omp for schedule(static)
    for (long b = 0; b < blocks; ++b) {
      const long c0 = b * kLanes;
      const int lanes = static_cast<int>(std::min<long>(kLanes, x.rows() - c0));
      finite[static_cast<std::size_t>(b)] = sosfiltfilt_block(secs, zi, x, c0, lanes, edge, padtype, y, s, tail);
    }
  }
  if (std::find(finite.begin(), finite.end(), 0) != finite.end()) fail_nonfinite(fn, x);
  return y;
}

SosFilter::SosFilter(Sos sos, long n_channels) : sos_(std::move(sos)) {
  validate_sos(sos_, "SosFilter");
  if (n_channels < 1) detail::fail_param("SosFilter", "n_channels", std::to_string(n_channels), "must be >= 1");
  state_ = SosState::Zero(n_channels, 2 * sos_.rows());
}

RowMatrixXd SosFilter::process(MatrixView chunk) {
  if (chunk.rows() != state_.rows()) {
    detail::fail_param("SosFilter.process", "chunk", std::to_string(chunk.rows()) + " channels",
                       "must have n_channels=" + std::to_string(state_.rows()) + " rows");
  }
  if (chunk.cols() == 0) return RowMatrixXd(chunk.rows(), 0);
  SosState zf;
  RowMatrixXd y = sosfilt_impl("SosFilter.process", sos_, chunk, state_, zf);
  state_ = std::move(zf);
  return y;
}

void SosFilter::reset() { state_.setZero(); }

}  // namespace emg::filters
