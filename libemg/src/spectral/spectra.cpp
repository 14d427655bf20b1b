// Segment-based spectra (periodogram, Welch, STFT, spectrogram) with SciPy's semantics.
//
// One kernel serves all four: for each segment it fuses the detrend, the window and the copy into
// the FFT input buffer (zero padding beyond nperseg is written once per buffer), runs the cached
// FFTW r2c plan and either accumulates |X|^2 or stores the segment's spectrum. Work is split into
// (channel, block of segments) tasks; block sums are reduced in block order, and the block size
// depends only on the segment count, so results never depend on the number of threads.
#include <emg/parallel.hpp>
#include <emg/spectral/spectra.hpp>

#include "detail/check.hpp"
#include "detail/fft.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>
#include <vector>

namespace emg::spectral {

Detrend parse_detrend(std::string_view s) {
  if (s == "none") return Detrend::none;
  if (s == "constant") return Detrend::constant;
  if (s == "linear") return Detrend::linear;
  detail::fail_param("parse_detrend", "detrend", std::string(s), "must be one of none, constant, linear");
}

Scaling parse_scaling(std::string_view s) {
  if (s == "density") return Scaling::density;
  if (s == "spectrum") return Scaling::spectrum;
  detail::fail_param("parse_scaling", "scaling", std::string(s), "must be one of density, spectrum");
}

Average parse_average(std::string_view s) {
  if (s == "mean") return Average::mean;
  if (s == "median") return Average::median;
  detail::fail_param("parse_average", "average", std::string(s), "must be one of mean, median");
}

std::string to_string(Detrend d) {
  switch (d) {
    case Detrend::none: return "none";
    case Detrend::constant: return "constant";
    case Detrend::linear: return "linear";
  }
  return "?";
}
std::string to_string(Scaling s) { return s == Scaling::density ? "density" : "spectrum"; }
std::string to_string(Average a) { return a == Average::mean ? "mean" : "median"; }

namespace {

using cplx = std::complex<double>;

// Segmentation of one (possibly virtually zero-extended) channel.
struct Layout {
  long n = 0;         // samples in the channel
  long pad_left = 0;  // virtual zeros before the first sample (STFT boundary)
  long nperseg = 0, step = 0, nfft = 0, nseg = 0;
  long nfreq() const { return nfft / 2 + 1; }
};

// Sum of m values. Eigen's packet reduction keeps several vector accumulators (about 4x a
// single-accumulator loop, which is bound by the add latency and cost as much as the FFT).
inline double sum4(const double* v, long m) {
  return Eigen::Map<const VectorXd>(v, m).sum();
}

// Detrend + window + copy of segment j into buf[0..nperseg); buf[nperseg..nfft) stays zero.
void fill_segment(const double* x, const Layout& L, long j, const double* w, Detrend detrend,
                  double* __restrict buf) {
  const long start = j * L.step - L.pad_left;
  const long m = L.nperseg;
  const double* src = x + start;
  if (start < 0 || start + m > L.n) {  // segment touches the virtual zeros: gather, then work in place
    for (long i = 0; i < m; ++i) {
      const long idx = start + i;
      buf[i] = (idx >= 0 && idx < L.n) ? x[idx] : 0.0;
    }
    double mean = 0.0, slope = 0.0;
    const double tc = 0.5 * static_cast<double>(m - 1);
    if (detrend != Detrend::none) mean = sum4(buf, m) / static_cast<double>(m);
    if (detrend == Detrend::linear) {
      double ts = 0.0;
      for (long i = 0; i < m; ++i) ts += (static_cast<double>(i) - tc) * buf[i];
      const double md = static_cast<double>(m);
      const double tt = md * (md * md - 1.0) / 12.0;
      slope = tt > 0.0 ? ts / tt : 0.0;
    }
    for (long i = 0; i < m; ++i) buf[i] = (buf[i] - mean - slope * (static_cast<double>(i) - tc)) * w[i];
    return;
  }
  if (detrend == Detrend::none) {
    for (long i = 0; i < m; ++i) buf[i] = src[i] * w[i];
    return;
  }
  const double mean = sum4(src, m) / static_cast<double>(m);
  if (detrend == Detrend::constant) {
    for (long i = 0; i < m; ++i) buf[i] = (src[i] - mean) * w[i];
    return;
  }
  // least-squares line on centred time: slope = sum(t x) / sum(t^2)
  const double tc = 0.5 * static_cast<double>(m - 1);
  double ts = 0.0;
  for (long i = 0; i < m; ++i) ts += (static_cast<double>(i) - tc) * src[i];
  const double md = static_cast<double>(m);
  const double tt = md * (md * md - 1.0) / 12.0;
  const double slope = tt > 0.0 ? ts / tt : 0.0;
  for (long i = 0; i < m; ++i) buf[i] = (src[i] - mean - slope * (static_cast<double>(i) - tc)) * w[i];
}

// True when v[0..n) is all finite: x * 0 is NaN exactly for NaN / Inf, and the four chains
// keep the loop vectorisable.
bool all_finite(const double* v, long n) {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += v[i] * 0.0;
    a1 += v[i + 1] * 0.0;
    a2 += v[i + 2] * 0.0;
    a3 += v[i + 3] * 0.0;
  }
  for (; i < n; ++i) a0 += v[i] * 0.0;
  return a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0;
}

void check_not_empty(std::string_view fn, MatrixView x) {
  if (x.rows() < 1 || x.cols() < 1) detail::check_signal(fn, x);
}

// Finiteness is checked after the work instead of in an extra pass over the data: a NaN / Inf
// sample always makes its segment's DC bin non-finite (the detrend subtracts a non-finite mean,
// the window multiplies it, the DFT adds it in), so a finite result proves the samples inside
// the segments finite; the samples after the last segment (`used` onwards) are checked here.
// On failure check_signal names the first bad sample; if it finds none, the non-finite result
// is a genuine overflow and is returned as SciPy would.
void check_deferred(std::string_view fn, MatrixView x, long used, bool result_finite) {
  bool ok = result_finite;
  for (Eigen::Index c = 0; ok && c < x.rows(); ++c) {
    if (used < x.cols()) ok = all_finite(x.row(c).data() + used, x.cols() - used);
  }
  if (!ok) detail::check_signal(fn, x);
}

// Samples [0, used) feed at least one segment.
long used_samples(const Layout& L) { return std::min(L.n, (L.nseg - 1) * L.step + L.nperseg - L.pad_left); }

// Per-thread FFT buffers (allocated once per parallel region, never per segment).
struct Buffers {
  detail::RealBuffer in;
  detail::ComplexBuffer out;
  explicit Buffers(long nfft)
      : in(detail::fft_alloc_real(static_cast<std::size_t>(nfft))),
        out(detail::fft_alloc_complex(static_cast<std::size_t>(nfft / 2 + 1))) {
    std::fill(in.get(), in.get() + nfft, 0.0);
  }
};

// Small jobs run on one thread: waking a team costs more than it saves (and on a busy machine a
// lot more). Results never depend on the thread count, so this only affects speed.
int threads_for(long transforms, long nfft) {
  return static_cast<double>(transforms) * static_cast<double>(nfft) < 262144.0 ? 1 : get_num_threads();
}

// Plan lookup takes the cache lock: do it once, before the threads start.
detail::RfftPlan plan_for(long nfft) { return detail::rfft_plan(static_cast<std::size_t>(nfft)); }

long block_size(long nseg) { return std::max<long>(32, (nseg + 63) / 64); }

// Scale factor per bin: base scale, times 2 for every bin except DC and an even nfft's Nyquist.
void one_sided_scale(long nfft, double scale, bool twice, std::vector<double>& s) {
  const long nf = nfft / 2 + 1;
  s.assign(static_cast<std::size_t>(nf), scale);
  if (!twice) return;
  const long last = (nfft % 2 == 0) ? nf - 1 : nf;
  for (long k = 1; k < last; ++k) s[static_cast<std::size_t>(k)] = 2.0 * scale;
}

double window_scale(const VectorXd& w, Scaling scaling, double fs_hz) {
  if (scaling == Scaling::density) return 1.0 / (fs_hz * w.squaredNorm());
  const double s = w.sum();
  return 1.0 / (s * s);
}

struct SegParams {
  long nperseg, noverlap, nfft;
};

// Shared checks of nperseg / noverlap / nfft; fills defaults and returns the resolved values.
SegParams resolve(std::string_view fn, long n, long nperseg, long noverlap, long default_noverlap, long nfft) {
  if (nperseg < 1) detail::fail_param(fn, "nperseg", std::to_string(nperseg), "must be >= 1");
  if (nperseg > n) {
    detail::fail_param(fn, "nperseg", std::to_string(nperseg),
                       "must be <= the signal length (" + std::to_string(n) + " samples)");
  }
  if (noverlap < 0) noverlap = default_noverlap;
  if (noverlap >= nperseg) {
    detail::fail_param(fn, "noverlap", std::to_string(noverlap),
                       "must be < nperseg (" + std::to_string(nperseg) + ")");
  }
  if (nfft == 0) nfft = nperseg;
  if (nfft < nperseg) {
    detail::fail_param(fn, "nfft", std::to_string(nfft),
                       "must be >= nperseg (" + std::to_string(nperseg) + ") or 0 for nperseg");
  }
  return {nperseg, noverlap, nfft};
}

// Segment layout of a channel of n samples (no boundary padding; stft adds its own).
Layout segment_layout(long n, const SegParams& seg) {
  Layout L;
  L.n = n;
  L.nperseg = seg.nperseg;
  L.step = seg.nperseg - seg.noverlap;
  L.nfft = seg.nfft;
  L.nseg = (n - seg.noverlap) / L.step;
  return L;
}

VectorXd rfft_freqs(long nfft, double fs_hz) {
  // the same arithmetic as numpy.fft.rfftfreq(nfft, 1 / fs)
  const double val = 1.0 / (static_cast<double>(nfft) * (1.0 / fs_hz));
  VectorXd f(nfft / 2 + 1);
  for (long k = 0; k < f.size(); ++k) f(k) = static_cast<double>(k) * val;
  return f;
}

VectorXd get_window_checked(std::string_view fn, const Window& window, long n) {
  try {
    return get_window(window, n);
  } catch (const InvalidArgument& e) {
    // re-label "get_window: window=... rule" as coming from the caller
    const std::string_view msg = e.what();
    const auto colon = msg.find(": ");
    detail::fail(fn, colon == std::string_view::npos ? msg : msg.substr(colon + 2));
  }
}

double median_bias(long n) {
  double b = 1.0;
  for (long i = 1; i <= (n - 1) / 2; ++i) {
    const double ii = 2.0 * static_cast<double>(i);
    b += 1.0 / (ii + 1.0) - 1.0 / ii;
  }
  return b;
}

// Welch core on already-validated parameters.
Psd welch_core(std::string_view fn, MatrixView x, double fs_hz, const VectorXd& w, const Layout& L, Detrend detrend,
               Scaling scaling, Average average) {
  const long C = x.rows(), nf = L.nfreq();
  Psd out;
  out.freqs_hz = rfft_freqs(L.nfft, fs_hz);
  out.power.resize(C, nf);
  std::vector<double> scale;
  one_sided_scale(L.nfft, window_scale(w, scaling, fs_hz), true, scale);
  const detail::RfftPlan plan = plan_for(L.nfft);
  const int threads = threads_for(C * L.nseg, L.nfft);

  if (average == Average::mean || L.nseg == 1) {
    const long bs = block_size(L.nseg);
    const long nb = (L.nseg + bs - 1) / bs;
    std::vector<double> partial(static_cast<std::size_t>(C * nb * nf), 0.0);
    const long tasks = C * nb;
#pragma omp parallel num_threads(threads)
    {
      Buffers b(L.nfft);
#pragma omp for schedule(dynamic, 1)
      for (long t = 0; t < tasks; ++t) {
        const long c = t / nb, blk = t % nb;
        const double* xc = x.row(c).data();
        double* acc = partial.data() + static_cast<std::size_t>(t * nf);
        const long j1 = std::min(L.nseg, (blk + 1) * bs);
        for (long j = blk * bs; j < j1; ++j) {
          fill_segment(xc, L, j, w.data(), detrend, b.in.get());
          detail::rfft(plan, b.in.get(), b.out.get());
          const double* z = reinterpret_cast<const double*>(b.out.get());  // interleaved re, im
          for (long k = 0; k < nf; ++k) acc[k] += z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1];
        }
      }
    }
    const double inv = 1.0 / static_cast<double>(L.nseg);
    for (long c = 0; c < C; ++c) {
      for (long k = 0; k < nf; ++k) {
        double s = 0.0;
        for (long blk = 0; blk < nb; ++blk) s += partial[static_cast<std::size_t>((c * nb + blk) * nf + k)];
        out.power(c, k) = s * inv * scale[static_cast<std::size_t>(k)];
      }
    }
    check_deferred(fn, x, used_samples(L), out.power.allFinite());
    return out;
  }

  // median: keep every segment's periodogram (frequency-major so each bin's values are contiguous)
  const double bias = median_bias(L.nseg);
  std::vector<double> seg(static_cast<std::size_t>(nf * L.nseg));
  for (long c = 0; c < C; ++c) {
    const double* xc = x.row(c).data();
#pragma omp parallel num_threads(threads)
    {
      Buffers b(L.nfft);
#pragma omp for schedule(static)
      for (long j = 0; j < L.nseg; ++j) {
        fill_segment(xc, L, j, w.data(), detrend, b.in.get());
        detail::rfft(plan, b.in.get(), b.out.get());
        for (long k = 0; k < nf; ++k) seg[static_cast<std::size_t>(k * L.nseg + j)] = std::norm(b.out[k]);
      }
    }
    // nth_element needs finite values: check the DC bin of every segment first (see check_deferred)
    check_deferred(fn, x, used_samples(L), all_finite(seg.data(), L.nseg));
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
      for (long k = 0; k < nf; ++k) {
        double* v = seg.data() + static_cast<std::size_t>(k * L.nseg);
        const long mid = L.nseg / 2;
        std::nth_element(v, v + mid, v + L.nseg);
        double med = v[mid];
        if (L.nseg % 2 == 0) med = 0.5 * (med + *std::max_element(v, v + mid));
        out.power(c, k) = med * scale[static_cast<std::size_t>(k)] / bias;
      }
    }
  }
  return out;
}

// Per-segment spectra for STFT / spectrogram: calls emit(c, j, X) for every channel and segment.
template <class Emit>
void each_segment(MatrixView x, const VectorXd& w, const Layout& L, Detrend detrend, Emit&& emit) {
  const detail::RfftPlan plan = plan_for(L.nfft);
  const long tasks = x.rows() * L.nseg;
#pragma omp parallel num_threads(threads_for(tasks, L.nfft))
  {
    Buffers b(L.nfft);
#pragma omp for schedule(static)
    for (long t = 0; t < tasks; ++t) {
      const long c = t / L.nseg, j = t % L.nseg;
      fill_segment(x.row(c).data(), L, j, w.data(), detrend, b.in.get());
      detail::rfft(plan, b.in.get(), b.out.get());
      emit(c, j, b.out.get());
    }
  }
}

}  // namespace

Psd welch(MatrixView x, double fs_hz, const WelchParams& p) {
  constexpr std::string_view fn = "welch";
  detail::check_fs(fn, fs_hz);
  check_not_empty(fn, x);
  const long n = x.cols();
  const SegParams s = resolve(fn, n, p.nperseg, p.noverlap, p.nperseg / 2, p.nfft);
  const VectorXd w = get_window_checked(fn, p.window, s.nperseg);
  const Layout L = segment_layout(n, s);
  return welch_core(fn, x, fs_hz, w, L, p.detrend, p.scaling, p.average);
}

Psd periodogram(MatrixView x, double fs_hz, const PeriodogramParams& p) {
  constexpr std::string_view fn = "periodogram";
  detail::check_fs(fn, fs_hz);
  check_not_empty(fn, x);
  if (p.nfft < 0) detail::fail_param(fn, "nfft", std::to_string(p.nfft), "must be >= 1 (or 0 for the signal length)");
  const long n = x.cols();
  const long nfft = p.nfft == 0 ? n : p.nfft;
  // SciPy: a shorter nfft truncates the signal, a longer one zero-pads
  Layout L;
  L.nperseg = std::min(n, nfft);
  L.n = L.nperseg;
  L.step = L.nperseg;
  L.nfft = nfft;
  L.nseg = 1;
  const VectorXd w = get_window_checked(fn, p.window, L.nperseg);
  return welch_core(fn, x, fs_hz, w, L, p.detrend, p.scaling, Average::mean);
}

Stft stft(MatrixView x, double fs_hz, const StftParams& p) {
  constexpr std::string_view fn = "stft";
  detail::check_fs(fn, fs_hz);
  check_not_empty(fn, x);
  const long n = x.cols();
  const SegParams s = resolve(fn, n, p.nperseg, p.noverlap, p.nperseg / 2, p.nfft);
  const VectorXd w = get_window_checked(fn, p.window, s.nperseg);
  Layout L = segment_layout(n, s);
  L.pad_left = p.boundary_zeros ? s.nperseg / 2 : 0;
  long n_ext = n + 2 * L.pad_left;
  if (p.padded) n_ext += ((-(n_ext - s.nperseg)) % L.step + L.step) % L.step % s.nperseg;
  L.nseg = (n_ext - s.nperseg) / L.step + 1;

  Stft out;
  out.freqs_hz = rfft_freqs(L.nfft, fs_hz);
  out.times_s.resize(L.nseg);
  const double half = static_cast<double>(s.nperseg) / 2.0;
  for (long j = 0; j < L.nseg; ++j) {
    out.times_s(j) = (half + static_cast<double>(j * L.step)) / fs_hz;
    if (p.boundary_zeros) out.times_s(j) -= half / fs_hz;
  }
  const double scale = std::sqrt(window_scale(w, p.scaling, fs_hz));
  const long nf = L.nfreq();
  out.coefficients.assign(static_cast<std::size_t>(x.rows()), RowMatrixXcd(nf, L.nseg));
  each_segment(x, w, L, p.detrend, [&](long c, long j, const cplx* X) {
    auto& m = out.coefficients[static_cast<std::size_t>(c)];
    for (long k = 0; k < nf; ++k) m(k, j) = X[k] * scale;
  });
  bool finite = true;
  for (const auto& m : out.coefficients) finite = finite && m.real().allFinite() && m.imag().allFinite();
  check_deferred(fn, x, used_samples(L), finite);
  return out;
}

Spectrogram spectrogram(MatrixView x, double fs_hz, const SpectrogramParams& p) {
  constexpr std::string_view fn = "spectrogram";
  detail::check_fs(fn, fs_hz);
  check_not_empty(fn, x);
  const long n = x.cols();
  const SegParams s = resolve(fn, n, p.nperseg, p.noverlap, p.nperseg / 8, p.nfft);
  const VectorXd w = get_window_checked(fn, p.window, s.nperseg);
  const Layout L = segment_layout(n, s);  // (n - noverlap) / step == (n - nperseg) / step + 1

  Spectrogram out;
  out.freqs_hz = rfft_freqs(L.nfft, fs_hz);
  out.times_s.resize(L.nseg);
  const double half = static_cast<double>(s.nperseg) / 2.0;
  for (long j = 0; j < L.nseg; ++j) out.times_s(j) = (half + static_cast<double>(j * L.step)) / fs_hz;
  std::vector<double> scale;
  one_sided_scale(L.nfft, window_scale(w, p.scaling, fs_hz), true, scale);
  const long nf = L.nfreq();
  out.power.assign(static_cast<std::size_t>(x.rows()), RowMatrixXd(nf, L.nseg));
  each_segment(x, w, L, p.detrend, [&](long c, long j, const cplx* X) {
    auto& m = out.power[static_cast<std::size_t>(c)];
    for (long k = 0; k < nf; ++k) m(k, j) = std::norm(X[k]) * scale[static_cast<std::size_t>(k)];
  });
  bool finite = true;
  for (const auto& m : out.power) finite = finite && m.allFinite();
  check_deferred(fn, x, used_samples(L), finite);
  return out;
}

}  // namespace emg::spectral
