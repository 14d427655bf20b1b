// cramplab.spectral bindings: spectra (periodogram, welch, stft, spectrogram), spectral metrics and
// the fatigue series. Result objects unpack like SciPy's tuples (`f, p = welch(...)`).
#include "common.hpp"

#include <emg/errors.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/metrics.hpp>
#include <emg/spectral/spectra.hpp>
#include <emg/spectral/window.hpp>

#include <charconv>
#include <complex>
#include <cstring>
#include <string>
#include <vector>

namespace cramplab {
namespace {

namespace sp = emg::spectral;

[[noreturn]] void bad(const char* fn, const std::string& what) { throw py::value_error(std::string(fn) + ": " + what); }

// A SciPy-style window argument: "hann", ("tukey", 0.25) or "tukey:0.25".
sp::Window parse_window(const std::string& text, const char* fn) {
  try {
    return sp::Window::parse(text);
  } catch (const emg::InvalidArgument& e) {
    const std::string msg = e.what();
    const auto colon = msg.find(": ");
    bad(fn, colon == std::string::npos ? msg : msg.substr(colon + 2));
  }
}

sp::Window as_window(const py::handle& w, const char* fn) {
  if (py::isinstance<py::str>(w)) return parse_window(w.cast<std::string>(), fn);
  if (py::isinstance<py::tuple>(w)) {
    auto t = w.cast<py::tuple>();
    if (t.size() == 1 && py::isinstance<py::str>(t[0])) return parse_window(t[0].cast<std::string>(), fn);
    if (t.size() == 2 && py::isinstance<py::str>(t[0])) {
      sp::Window out = parse_window(t[0].cast<std::string>(), fn);
      try {
        out.param = t[1].cast<double>();
      } catch (const py::cast_error&) {
        bad(fn, "window=" + std::string(py::repr(w)) + " needs a numeric parameter");
      }
      return out;
    }
  }
  bad(fn, "window=" + std::string(py::repr(w)) + " must be a window name or a (name, parameter) tuple");
}

// detrend: "constant", "linear", "none", False or None.
sp::Detrend as_detrend(const py::handle& d, const char* fn) {
  if (d.is_none()) return sp::Detrend::none;
  if (py::isinstance<py::bool_>(d)) {
    if (!d.cast<bool>()) return sp::Detrend::none;
    bad(fn, "detrend=True must be 'constant', 'linear', False or None");
  }
  if (py::isinstance<py::str>(d)) {
    const auto s = d.cast<std::string>();
    if (s == "constant" || s == "linear" || s == "none") return sp::parse_detrend(s);
    bad(fn, "detrend=" + s + " must be 'constant', 'linear', False or None");
  }
  bad(fn, "detrend=" + std::string(py::repr(d)) + " must be 'constant', 'linear', False or None");
}

sp::Scaling as_scaling(const std::string& s, const char* fn) {
  if (s == "density" || s == "spectrum") return sp::parse_scaling(s);
  bad(fn, "scaling=" + s + " must be 'density' or 'spectrum'");
}

long opt_long(const std::optional<long>& v, long fallback) { return v ? *v : fallback; }

double band_edge(const std::optional<double>& v, const char* fn, const char* name) {
  if (!v) return -1.0;
  if (!(*v >= 0.0)) {
    char buf[64];  // shortest round-trip text, as in the library's messages
    const auto res = std::to_chars(buf, buf + sizeof(buf), *v);
    bad(fn, std::string(name) + "=" + std::string(buf, res.ptr) + " must be >= 0 (or None)");
  }
  return *v;
}

struct PsdOut {
  py::array freqs_hz, power;
};
struct StftOut {
  py::array freqs_hz, times_s, coefficients;
};
struct SpectrogramOut {
  py::array freqs_hz, times_s, power;
};
struct FatigueOut {
  py::array times_s, mnf_hz, mdf_hz, rms, arv;
  py::object mnf_trend, mdf_trend, rms_trend, arv_trend;
  bool one_d = false;
};

// Tuple-like indexing of the result objects (negative indices count from the end).
py::object item(const py::tuple& t, long i) {
  const auto n = static_cast<long>(t.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw py::index_error("index out of range");
  return t[static_cast<std::size_t>(i)];
}

py::array vec(const emg::VectorXd& v) { return py::array_t<double>(v.size(), v.data()); }

PsdOut psd_out(sp::Psd&& p, bool one_d) { return {vec(p.freqs_hz), signal_out(std::move(p.power), one_d)}; }

// channels x rows x cols (or rows x cols for 1-D input) from one matrix per channel.
template <class T, class M>
py::array stack(const std::vector<M>& ms, bool one_d, py::ssize_t rows, py::ssize_t cols) {
  std::vector<py::ssize_t> shape;
  if (!one_d) shape.push_back(static_cast<py::ssize_t>(ms.size()));
  shape.push_back(rows);
  shape.push_back(cols);
  py::array_t<T> a(shape);
  auto* dst = static_cast<T*>(a.mutable_data());
  for (const auto& m : ms) {
    std::memcpy(static_cast<void*>(dst), m.data(), sizeof(T) * static_cast<std::size_t>(rows * cols));
    dst += rows * cols;
  }
  return a;
}

py::object trends(const std::vector<sp::Trend>& t, bool one_d) {
  if (one_d) return py::cast(t.at(0));
  return py::cast(t);
}

template <class F>
py::object metric(const py::handle& freqs, const py::handle& power, const char* fn, std::optional<double> low,
                  std::optional<double> high, F&& f) {
  const emg::VectorXd fr = as_vector(freqs, fn, "freqs_hz");
  SignalIn p = as_signal(power, fn, "power");
  const sp::Band band{band_edge(low, fn, "low_hz"), band_edge(high, fn, "high_hz")};
  emg::VectorXd out;
  {
    py::gil_scoped_release nogil;
    out = f(fr, p.view(), band);
  }
  return per_channel_out(std::move(out), p.one_d);
}

const char* kMetricParams = R"doc(
Parameters
----------
freqs_hz : numpy.ndarray [shape=(n_freqs,)]
    Uniform frequency grid in Hz (e.g. ``Psd.freqs_hz``).
power : numpy.ndarray [shape=(n_freqs,) or (n_channels, n_freqs)]
    Power spectrum, finite and >= 0.
low_hz, high_hz : float or None
    Closed analysis band in Hz; None means from the first / to the last frequency. Both must lie
    inside the grid and low_hz < high_hz.
)doc";

std::string metric_doc(const std::string& head, const std::string& returns, const std::string& example) {
  return head + "\n" + kMetricParams +
         "\nReturns\n-------\n" + returns +
         "\n\nRaises\n------\nValueError\n    Non-uniform grid, size mismatch, negative or non-finite power, band outside the\n"
         "    grid, low_hz >= high_hz, or an empty band.\n\nSee Also\n--------\nwelch, mean_frequency, "
         "median_frequency, spectral_moments\n\nExamples\n--------\n"
         ">>> import numpy as np, cramplab\n"
         ">>> x = np.random.default_rng(0).normal(size=(2, 20000))\n"
         ">>> f, p = cramplab.welch(x, fs_hz=2000.0, nperseg=500)\n>>> v = " + example + "\n>>> v.shape\n(2,)\n";
}

}  // namespace

void bind_spectral(py::module_& m) {
  py::class_<PsdOut>(m, "Psd", "One-sided power spectrum: ``freqs_hz`` and ``power``; unpacks as ``f, p``.")
      .def_readonly("freqs_hz", &PsdOut::freqs_hz, "Frequencies in Hz, shape (n_freqs,).")
      .def_readonly("power", &PsdOut::power, "Power, shape (n_freqs,) or (n_channels, n_freqs).")
      .def("__len__", [](const PsdOut&) { return 2; })
      .def("__iter__", [](const PsdOut& p) { return py::iter(py::make_tuple(p.freqs_hz, p.power)); })
      .def("__getitem__", [](const PsdOut& p, long i) { return item(py::make_tuple(p.freqs_hz, p.power), i); })
      .def("__repr__", [](const PsdOut& p) {
        return "Psd(n_freqs=" + std::to_string(p.freqs_hz.size()) + ", power.shape=" +
               py::str(p.power.attr("shape")).cast<std::string>() + ")";
      });
  py::class_<StftOut>(m, "Stft", "Complex STFT: ``freqs_hz``, ``times_s``, ``coefficients``; unpacks as ``f, t, Z``.")
      .def_readonly("freqs_hz", &StftOut::freqs_hz)
      .def_readonly("times_s", &StftOut::times_s)
      .def_readonly("coefficients", &StftOut::coefficients,
                    "Complex, shape (n_freqs, n_times) or (n_channels, n_freqs, n_times).")
      .def("__len__", [](const StftOut&) { return 3; })
      .def("__iter__", [](const StftOut& s) { return py::iter(py::make_tuple(s.freqs_hz, s.times_s, s.coefficients)); })
      .def("__getitem__", [](const StftOut& s, long i) { return item(py::make_tuple(s.freqs_hz, s.times_s, s.coefficients), i); });
  py::class_<SpectrogramOut>(m, "Spectrogram", "Power spectrogram: ``freqs_hz``, ``times_s``, ``power``; unpacks as ``f, t, S``.")
      .def_readonly("freqs_hz", &SpectrogramOut::freqs_hz)
      .def_readonly("times_s", &SpectrogramOut::times_s)
      .def_readonly("power", &SpectrogramOut::power, "Shape (n_freqs, n_times) or (n_channels, n_freqs, n_times).")
      .def("__len__", [](const SpectrogramOut&) { return 3; })
      .def("__iter__", [](const SpectrogramOut& s) { return py::iter(py::make_tuple(s.freqs_hz, s.times_s, s.power)); })
      .def("__getitem__", [](const SpectrogramOut& s, long i) { return item(py::make_tuple(s.freqs_hz, s.times_s, s.power), i); });

  py::class_<sp::Trend>(m, "Trend", "OLS line y = intercept + slope * t with the slope's 95 % CI (Student t, n - 2 dof).")
      .def_readonly("slope", &sp::Trend::slope, "Units per second.")
      .def_readonly("intercept", &sp::Trend::intercept, "Value at t = 0 (e.g. the initial median frequency).")
      .def_readonly("slope_ci_low", &sp::Trend::slope_ci_low)
      .def_readonly("slope_ci_high", &sp::Trend::slope_ci_high)
      .def_readonly("normalized_slope_pct_per_s", &sp::Trend::normalized_slope_pct_per_s, "100 * slope / intercept.")
      .def_readonly("r_squared", &sp::Trend::r_squared)
      .def_readonly("n", &sp::Trend::n)
      .def("as_dict", [](const sp::Trend& t) {
        py::dict d;
        d["slope"] = t.slope;
        d["intercept"] = t.intercept;
        d["slope_ci_low"] = t.slope_ci_low;
        d["slope_ci_high"] = t.slope_ci_high;
        d["normalized_slope_pct_per_s"] = t.normalized_slope_pct_per_s;
        d["r_squared"] = t.r_squared;
        d["n"] = t.n;
        return d;
      }, "The fields as a dict.")
      .def("__repr__", [](const sp::Trend& t) {
        return "Trend(slope=" + py::str(py::float_(t.slope)).cast<std::string>() +
               ", intercept=" + py::str(py::float_(t.intercept)).cast<std::string>() + ", n=" + std::to_string(t.n) + ")";
      });

  py::class_<FatigueOut>(m, "FatigueSeries",
                         "Fatigue series: epoch centres ``times_s`` and per-epoch ``mnf_hz``, ``mdf_hz``, ``rms``, "
                         "``arv`` ((n_epochs,) for 1-D input, (n_channels, n_epochs) for 2-D) plus their trends "
                         "(a Trend for 1-D input, a list of Trend per channel for 2-D).")
      .def_readonly("times_s", &FatigueOut::times_s)
      .def_readonly("mnf_hz", &FatigueOut::mnf_hz)
      .def_readonly("mdf_hz", &FatigueOut::mdf_hz)
      .def_readonly("rms", &FatigueOut::rms)
      .def_readonly("arv", &FatigueOut::arv)
      .def_readonly("mnf_trend", &FatigueOut::mnf_trend)
      .def_readonly("mdf_trend", &FatigueOut::mdf_trend)
      .def_readonly("rms_trend", &FatigueOut::rms_trend)
      .def_readonly("arv_trend", &FatigueOut::arv_trend)
      .def_readonly("one_d", &FatigueOut::one_d, "True when the input signal was 1-D.")
      .def("__repr__", [](const FatigueOut& f) {
        return "FatigueSeries(n_epochs=" + std::to_string(f.times_s.size()) + ", one_d=" + (f.one_d ? "True" : "False") + ")";
      });

  m.def(
      "get_window",
      [](const py::object& window, long n) {
        const auto w = as_window(window, "get_window");
        return vec(sp::get_window(w, n));
      },
      py::arg("window"), py::arg("n"), R"doc(Periodic window of n samples, like ``scipy.signal.get_window``.

Parameters
----------
window : str or tuple
    "hann", "hamming", "blackman", "boxcar", "bartlett", "flattop", "tukey" or ("tukey", alpha).
n : int
    Number of samples (>= 1).

Returns
-------
numpy.ndarray [shape=(n,)]

Raises
------
ValueError
    Unknown name, bad parameter, n < 1.

See Also
--------
welch

Examples
--------
>>> import cramplab
>>> w = cramplab.get_window(("tukey", 0.25), 256)
>>> w.shape, float(w.max())
((256,), 1.0)
)doc");

  m.def(
      "periodogram",
      [](const py::handle& x, double fs_hz, const py::object& window, std::optional<long> nfft,
         const py::object& detrend, const std::string& scaling) {
        SignalIn s = as_signal(x, "periodogram");
        sp::PeriodogramParams p;
        p.window = as_window(window, "periodogram");
        p.nfft = opt_long(nfft, 0);
        if (nfft && *nfft < 1) bad("periodogram", "nfft=" + std::to_string(*nfft) + " must be >= 1 (or None)");
        p.detrend = as_detrend(detrend, "periodogram");
        p.scaling = as_scaling(scaling, "periodogram");
        sp::Psd r;
        {
          py::gil_scoped_release nogil;
          r = sp::periodogram(s.view(), fs_hz, p);
        }
        return psd_out(std::move(r), s.one_d);
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window") = "boxcar", py::arg("nfft") = py::none(),
      py::arg("detrend") = "constant", py::arg("scaling") = "density",
      R"doc(One-sided periodogram, equal to ``scipy.signal.periodogram``.

Parameters
----------
x : numpy.ndarray [shape=(n_samples,) or (n_channels, n_samples)]
    Signal, time on the last axis; float64 C-contiguous input is used without a copy.
fs_hz : float
    Sampling rate in Hz.
window : str or tuple, default "boxcar"
nfft : int or None
    FFT length; None = signal length. Shorter truncates the signal, longer zero-pads (like SciPy).
detrend : {"constant", "linear", False, None}
scaling : {"density", "spectrum"}
    V**2/Hz or V**2.

Returns
-------
Psd
    ``freqs_hz`` (n_freqs,) and ``power`` (n_freqs,) or (n_channels, n_freqs); unpacks as ``f, p``.

Raises
------
ValueError
    fs_hz <= 0 or not finite, empty input, NaN/Inf in x, unknown window/detrend/scaling, nfft < 1.

See Also
--------
welch

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> f, p = cramplab.periodogram(x, fs_hz=2000.0)
>>> p.shape, float(f[p[0].argmax()])
((2, 10001), 100.0)
)doc");

  m.def(
      "welch",
      [](const py::handle& x, double fs_hz, const py::object& window, long nperseg, std::optional<long> noverlap,
         std::optional<long> nfft, const py::object& detrend, const std::string& scaling, const std::string& average) {
        SignalIn s = as_signal(x, "welch");
        sp::WelchParams p;
        p.window = as_window(window, "welch");
        p.nperseg = nperseg;
        if (noverlap && *noverlap < 0) bad("welch", "noverlap=" + std::to_string(*noverlap) + " must be >= 0 (or None)");
        if (nfft && *nfft < 1) bad("welch", "nfft=" + std::to_string(*nfft) + " must be >= nperseg (or None)");
        p.noverlap = opt_long(noverlap, -1);
        p.nfft = opt_long(nfft, 0);
        p.detrend = as_detrend(detrend, "welch");
        p.scaling = as_scaling(scaling, "welch");
        if (average != "mean" && average != "median") bad("welch", "average=" + average + " must be 'mean' or 'median'");
        p.average = sp::parse_average(average);
        sp::Psd r;
        {
          py::gil_scoped_release nogil;
          r = sp::welch(s.view(), fs_hz, p);
        }
        return psd_out(std::move(r), s.one_d);
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window") = "hann", py::arg("nperseg") = 256,
      py::arg("noverlap") = py::none(), py::arg("nfft") = py::none(), py::arg("detrend") = "constant",
      py::arg("scaling") = "density", py::arg("average") = "mean",
      R"doc(Welch power spectral density, equal to ``scipy.signal.welch``.

Parameters
----------
x : numpy.ndarray [shape=(n_samples,) or (n_channels, n_samples)]
    Signal, time on the last axis; float64 C-contiguous input is used without a copy.
fs_hz : float
    Sampling rate in Hz.
window : str or tuple, default "hann"
    Window name or (name, parameter), e.g. ("tukey", 0.25).
nperseg : int, default 256
    Segment length, 1 <= nperseg <= n_samples (unlike SciPy, a longer one is an error).
noverlap : int or None
    Overlap in samples, < nperseg; None = nperseg // 2.
nfft : int or None
    FFT length >= nperseg; None = nperseg.
detrend : {"constant", "linear", False, None}
    Per-segment detrending.
scaling : {"density", "spectrum"}
average : {"mean", "median"}
    Median averaging includes SciPy's bias correction.

Returns
-------
Psd
    ``freqs_hz`` (n_freqs,) and ``power`` (n_freqs,) or (n_channels, n_freqs); unpacks as ``f, p``.

Raises
------
ValueError
    fs_hz <= 0 or not finite, empty input, NaN/Inf, nperseg < 1 or > n_samples,
    noverlap >= nperseg, nfft < nperseg, unknown window/detrend/scaling/average.

See Also
--------
periodogram, spectrogram, mean_frequency, median_frequency

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> f, p = cramplab.welch(x, fs_hz=2000.0, nperseg=500)
>>> p.shape, float(f[p[0].argmax()])
((2, 251), 100.0)
>>> cramplab.median_frequency(f, p, low_hz=20.0, high_hz=450.0).round()
array([100., 100.])
)doc");

  m.def(
      "stft",
      [](const py::handle& x, double fs_hz, const py::object& window, long nperseg, std::optional<long> noverlap,
         std::optional<long> nfft, const py::object& detrend, const py::object& boundary, bool padded,
         const std::string& scaling) {
        SignalIn s = as_signal(x, "stft");
        sp::StftParams p;
        p.window = as_window(window, "stft");
        p.nperseg = nperseg;
        if (noverlap && *noverlap < 0) bad("stft", "noverlap=" + std::to_string(*noverlap) + " must be >= 0 (or None)");
        if (nfft && *nfft < 1) bad("stft", "nfft=" + std::to_string(*nfft) + " must be >= nperseg (or None)");
        p.noverlap = opt_long(noverlap, -1);
        p.nfft = opt_long(nfft, 0);
        p.detrend = as_detrend(detrend, "stft");
        if (boundary.is_none()) {
          p.boundary_zeros = false;
        } else if (py::isinstance<py::str>(boundary) && boundary.cast<std::string>() == "zeros") {
          p.boundary_zeros = true;
        } else {
          bad("stft", "boundary=" + std::string(py::repr(boundary)) + " must be 'zeros' or None");
        }
        p.padded = padded;
        if (scaling == "spectrum") {
          p.scaling = sp::Scaling::spectrum;
        } else if (scaling == "psd") {
          p.scaling = sp::Scaling::density;
        } else {
          bad("stft", "scaling=" + scaling + " must be 'spectrum' or 'psd'");
        }
        sp::Stft r;
        {
          py::gil_scoped_release nogil;
          r = sp::stft(s.view(), fs_hz, p);
        }
        const auto nf = static_cast<py::ssize_t>(r.freqs_hz.size()), nt = static_cast<py::ssize_t>(r.times_s.size());
        return StftOut{vec(r.freqs_hz), vec(r.times_s), stack<std::complex<double>>(r.coefficients, s.one_d, nf, nt)};
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window") = "hann", py::arg("nperseg") = 256,
      py::arg("noverlap") = py::none(), py::arg("nfft") = py::none(), py::arg("detrend") = false,
      py::arg("boundary") = "zeros", py::arg("padded") = true, py::arg("scaling") = "spectrum",
      R"doc(Short-time Fourier transform, equal to ``scipy.signal.stft``.

Parameters
----------
x : numpy.ndarray [shape=(n_samples,) or (n_channels, n_samples)]
fs_hz : float
window : str or tuple, default "hann"
nperseg : int, default 256
    1 <= nperseg <= n_samples.
noverlap : int or None
    < nperseg; None = nperseg // 2.
nfft : int or None
    >= nperseg; None = nperseg.
detrend : {"constant", "linear", False, None}, default False
boundary : {"zeros", None}, default "zeros"
    Extend the signal by nperseg // 2 zeros at both ends.
padded : bool, default True
    Zero-pad the end to a whole number of segments.
scaling : {"spectrum", "psd"}

Returns
-------
Stft
    ``freqs_hz``, ``times_s``, ``coefficients`` (complex, (n_freqs, n_times) or
    (n_channels, n_freqs, n_times)); unpacks as ``f, t, Z``.

Raises
------
ValueError
    As for welch, plus an unknown boundary or scaling.

See Also
--------
spectrogram, welch

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> f, times, Z = cramplab.stft(x, fs_hz=2000.0, nperseg=500)
>>> Z.shape, Z.dtype
((2, 251, 81), dtype('complex128'))
)doc");

  m.def(
      "spectrogram",
      [](const py::handle& x, double fs_hz, const py::object& window, long nperseg, std::optional<long> noverlap,
         std::optional<long> nfft, const py::object& detrend, const std::string& scaling) {
        SignalIn s = as_signal(x, "spectrogram");
        sp::SpectrogramParams p;
        p.window = as_window(window, "spectrogram");
        p.nperseg = nperseg;
        if (noverlap && *noverlap < 0) bad("spectrogram", "noverlap=" + std::to_string(*noverlap) + " must be >= 0 (or None)");
        if (nfft && *nfft < 1) bad("spectrogram", "nfft=" + std::to_string(*nfft) + " must be >= nperseg (or None)");
        p.noverlap = opt_long(noverlap, -1);
        p.nfft = opt_long(nfft, 0);
        p.detrend = as_detrend(detrend, "spectrogram");
        p.scaling = as_scaling(scaling, "spectrogram");
        sp::Spectrogram r;
        {
          py::gil_scoped_release nogil;
          r = sp::spectrogram(s.view(), fs_hz, p);
        }
        const auto nf = static_cast<py::ssize_t>(r.freqs_hz.size()), nt = static_cast<py::ssize_t>(r.times_s.size());
        return SpectrogramOut{vec(r.freqs_hz), vec(r.times_s), stack<double>(r.power, s.one_d, nf, nt)};
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window") = py::make_tuple("tukey", 0.25),
      py::arg("nperseg") = 256, py::arg("noverlap") = py::none(), py::arg("nfft") = py::none(),
      py::arg("detrend") = "constant", py::arg("scaling") = "density",
      R"doc(Power spectrogram, equal to ``scipy.signal.spectrogram(..., mode="psd")``.

Parameters
----------
x : numpy.ndarray [shape=(n_samples,) or (n_channels, n_samples)]
fs_hz : float
window : str or tuple, default ("tukey", 0.25)
nperseg : int, default 256
    1 <= nperseg <= n_samples.
noverlap : int or None
    < nperseg; None = nperseg // 8.
nfft : int or None
detrend : {"constant", "linear", False, None}
scaling : {"density", "spectrum"}

Returns
-------
Spectrogram
    ``freqs_hz``, ``times_s``, ``power`` ((n_freqs, n_times) or (n_channels, n_freqs, n_times));
    unpacks as ``f, t, S``.

Raises
------
ValueError
    As for welch.

See Also
--------
stft, welch

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> f, times, S = cramplab.spectrogram(x, fs_hz=2000.0, nperseg=500)
>>> S.shape
(2, 251, 45)
)doc");

  m.def(
      "mean_frequency",
      [](const py::handle& f, const py::handle& p, std::optional<double> low_hz, std::optional<double> high_hz) {
        return metric(f, p, "mean_frequency", low_hz, high_hz, [](const auto& fr, auto v, sp::Band b) {
          return sp::mean_frequency(fr, v, b);
        });
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      metric_doc("Mean (power) frequency MNF = M1 / M0 over the band (NaN when the band has no power).",
                 "float or numpy.ndarray [shape=(n_channels,)]\n    MNF in Hz.",
                 "cramplab.mean_frequency(f, p, low_hz=20.0, high_hz=450.0)")
          .c_str());
  m.def(
      "median_frequency",
      [](const py::handle& f, const py::handle& p, std::optional<double> low_hz, std::optional<double> high_hz) {
        return metric(f, p, "median_frequency", low_hz, high_hz, [](const auto& fr, auto v, sp::Band b) {
          return sp::median_frequency(fr, v, b);
        });
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      metric_doc("Median frequency: splits the band's power into halves. The cumulative power is taken at bin\n"
                 "upper edges (f_i + df/2) and interpolated linearly inside the crossing bin (NaN when the band\n"
                 "has no power).",
                 "float or numpy.ndarray [shape=(n_channels,)]\n    MDF in Hz.",
                 "cramplab.median_frequency(f, p, low_hz=20.0, high_hz=450.0)")
          .c_str());
  m.def(
      "peak_frequency",
      [](const py::handle& f, const py::handle& p, std::optional<double> low_hz, std::optional<double> high_hz) {
        return metric(f, p, "peak_frequency", low_hz, high_hz, [](const auto& fr, auto v, sp::Band b) {
          return sp::peak_frequency(fr, v, b);
        });
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      metric_doc("Frequency of the largest power value in the band (the first one on ties).",
                 "float or numpy.ndarray [shape=(n_channels,)]\n    Peak frequency in Hz.",
                 "cramplab.peak_frequency(f, p)")
          .c_str());
  m.def(
      "band_power",
      [](const py::handle& f, const py::handle& p, std::optional<double> low_hz, std::optional<double> high_hz) {
        return metric(f, p, "band_power", low_hz, high_hz, [](const auto& fr, auto v, sp::Band b) {
          return sp::band_power(fr, v, b);
        });
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      metric_doc("Band power M0 = sum P(f) df over the closed band (rectangle rule).",
                 "float or numpy.ndarray [shape=(n_channels,)]\n    Power (V**2 for a density in V**2/Hz).",
                 "cramplab.band_power(f, p, low_hz=20.0, high_hz=450.0)")
          .c_str());
  m.def(
      "fatigue_index_fi_nsm5",
      [](const py::handle& f, const py::handle& p, std::optional<double> low_hz, std::optional<double> high_hz) {
        return metric(f, p, "fatigue_index_fi_nsm5", low_hz, high_hz, [](const auto& fr, auto v, sp::Band b) {
          return sp::fatigue_index_fi_nsm5(fr, v, b);
        });
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      metric_doc("Dimitrov's spectral fatigue index FInsm5 = M_-1 / M_5; the band must exclude 0 Hz.",
                 "float or numpy.ndarray [shape=(n_channels,)]\n    FInsm5 in s**6.",
                 "cramplab.fatigue_index_fi_nsm5(f, p, low_hz=20.0, high_hz=450.0)")
          .c_str());
  m.def(
      "spectral_moments",
      [](const py::handle& f, const py::handle& p, const std::vector<double>& orders, std::optional<double> low_hz,
         std::optional<double> high_hz) {
        const char* fn = "spectral_moments";
        if (orders.empty()) bad(fn, "orders=() must contain at least one order");
        const emg::VectorXd fr = as_vector(f, fn, "freqs_hz");
        SignalIn s = as_signal(p, fn, "power");
        const sp::Band band{band_edge(low_hz, fn, "low_hz"), band_edge(high_hz, fn, "high_hz")};
        RowMatrixXd out(s.view().rows(), static_cast<Eigen::Index>(orders.size()));
        {
          py::gil_scoped_release nogil;
          for (std::size_t i = 0; i < orders.size(); ++i) {
            out.col(static_cast<Eigen::Index>(i)) = sp::spectral_moment(fr, s.view(), orders[i], band);
          }
        }
        return signal_out(std::move(out), s.one_d);
      },
      py::arg("freqs_hz"), py::arg("power"), py::kw_only(), py::arg("orders") = std::vector<double>{0.0, 1.0, 2.0},
      py::arg("low_hz") = py::none(), py::arg("high_hz") = py::none(),
      R"doc(Spectral moments M_k = sum_{f in band} f**k P(f) df.

Parameters
----------
freqs_hz : numpy.ndarray [shape=(n_freqs,)]
    Uniform frequency grid in Hz.
power : numpy.ndarray [shape=(n_freqs,) or (n_channels, n_freqs)]
orders : sequence of float, default (0, 1, 2)
    Moment orders; a negative order needs a band that excludes 0 Hz.
low_hz, high_hz : float or None
    Closed band in Hz; None = the whole grid.

Returns
-------
numpy.ndarray [shape=(n_orders,) or (n_channels, n_orders)]
    Last axis = orders.

Raises
------
ValueError
    As for mean_frequency, plus a negative order with 0 Hz in the band.

See Also
--------
mean_frequency, fatigue_index_fi_nsm5

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> f, p = cramplab.welch(x, fs_hz=2000.0, nperseg=500)
>>> cramplab.spectral_moments(f, p, orders=(-1, 5), low_hz=20.0, high_hz=450.0).shape
(2, 2)
)doc");

  m.def(
      "linear_trend",
      [](const py::handle& t, const py::handle& y) {
        const emg::VectorXd tv = as_vector(t, "linear_trend", "t"), yv = as_vector(y, "linear_trend", "y");
        return sp::linear_trend(tv, yv);
      },
      py::arg("t"), py::arg("y"), R"doc(Ordinary least-squares trend with the slope's 95 % CI.

Parameters
----------
t : numpy.ndarray [shape=(n,)]
    Times in s (n >= 3, not all equal).
y : numpy.ndarray [shape=(n,)]
    Values (finite).

Returns
-------
Trend
    slope, intercept, slope_ci_low/high (Student t with n - 2 dof), normalized_slope_pct_per_s
    (100 * slope / intercept, NaN when intercept is 0), r_squared, n.

Raises
------
ValueError
    Size mismatch, fewer than 3 points, non-finite values, all times equal.

See Also
--------
fatigue_series

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(10.0)
>>> tr = cramplab.linear_trend(t, 100.0 - 0.5 * t)
>>> round(tr.slope, 6), round(tr.intercept, 6), round(tr.normalized_slope_pct_per_s, 6)
(-0.5, 100.0, -0.5)
)doc");

  m.def("student_t_ppf", &sp::student_t_ppf, py::arg("p"), py::kw_only(), py::arg("dof"),
        R"doc(Quantile of Student's t distribution (as ``scipy.stats.t.ppf``); used for trend CIs.

Parameters
----------
p : float
    Probability in (0, 1).
dof : float
    Degrees of freedom (> 0).

Returns
-------
float

Raises
------
ValueError
    p outside (0, 1) or dof <= 0.

See Also
--------
linear_trend

Examples
--------
>>> import cramplab
>>> round(cramplab.student_t_ppf(0.975, dof=10), 6)
2.228139
)doc");

  m.def(
      "fatigue_series",
      [](const py::handle& x, double fs_hz, double window_s, double step_s, double segment_s, double low_hz,
         double high_hz, const py::object& detrend) {
        SignalIn s = as_signal(x, "fatigue_series");
        sp::FatigueParams p;
        p.window_s = window_s;
        p.step_s = step_s;
        p.segment_s = segment_s;
        p.low_hz = low_hz;
        p.high_hz = high_hz;
        p.detrend = as_detrend(detrend, "fatigue_series");
        sp::FatigueSeries r;
        {
          py::gil_scoped_release nogil;
          r = sp::fatigue_series(s.view(), fs_hz, p);
        }
        FatigueOut o;
        o.one_d = s.one_d;
        o.times_s = vec(r.times_s);
        o.mnf_hz = signal_out(std::move(r.mnf_hz), s.one_d);
        o.mdf_hz = signal_out(std::move(r.mdf_hz), s.one_d);
        o.rms = signal_out(std::move(r.rms), s.one_d);
        o.arv = signal_out(std::move(r.arv), s.one_d);
        o.mnf_trend = trends(r.mnf_trend, s.one_d);
        o.mdf_trend = trends(r.mdf_trend, s.one_d);
        o.rms_trend = trends(r.rms_trend, s.one_d);
        o.arv_trend = trends(r.arv_trend, s.one_d);
        return o;
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window_s") = 1.0, py::arg("step_s") = 0.5,
      py::arg("segment_s") = 0.25, py::arg("low_hz") = 20.0, py::arg("high_hz") = 450.0,
      py::arg("detrend") = "constant",
      R"doc(Sliding-window fatigue series: MNF, MDF, RMS and ARV per epoch, with linear trends.

Epochs of ``window_s`` start every ``step_s`` (count = floor((n - W) / S) + 1 with W, S in
samples); ``times_s`` are the epoch centres. Each epoch's PSD is a Welch estimate with Hann
segments of ``segment_s`` and 50 % overlap (``welch(epoch, nperseg=round(segment_s * fs_hz))``);
MNF / MDF use the band [low_hz, high_hz] with high_hz clipped to the highest Welch frequency.

Parameters
----------
x : numpy.ndarray [shape=(n_samples,) or (n_channels, n_samples)]
fs_hz : float
window_s : float, default 1.0
    Epoch length in s.
step_s : float, default 0.5
    Hop between epoch starts in s.
segment_s : float, default 0.25
    Welch segment length in s (<= window_s, >= 2 samples).
low_hz, high_hz : float, default 20, 450
    MNF / MDF band in Hz.
detrend : {"constant", "linear", False, None}

Returns
-------
FatigueSeries
    ``times_s`` (n_epochs,), ``mnf_hz``, ``mdf_hz``, ``rms``, ``arv`` ((n_epochs,) or
    (n_channels, n_epochs)) and ``mnf_trend`` ... ``arv_trend`` (Trend, or one per channel);
    trends are NaN with fewer than 3 epochs.

Raises
------
ValueError
    Bad fs_hz or durations, segment longer than the window, low_hz >= Nyquist, high_hz <= low_hz,
    a signal shorter than one epoch, empty input, NaN/Inf.

See Also
--------
welch, linear_trend, fatigue_table, trend_table

Examples
--------
>>> import numpy as np, cramplab
>>> t = np.arange(20000) / 2000.0
>>> x = np.sin(2 * np.pi * 100.0 * t) + 0.1 * np.random.default_rng(0).normal(size=(2, t.size))
>>> s = cramplab.fatigue_series(x, fs_hz=2000.0, window_s=1.0, step_s=0.5)
>>> s.times_s[:3], s.mdf_hz.shape
(array([0.5, 1. , 1.5]), (2, 19))
>>> cramplab.trend_table(s).columns[:3].tolist()
['channel', 'metric', 'slope']
)doc");

  m.def("fatigue_params", []() {
    py::list rows;
    for (const auto& r : sp::FatigueParams::describe()) {
      py::dict d;
      d["name"] = r.name;
      d["unit"] = r.unit;
      d["default"] = r.default_value;
      d["range"] = r.range;
      d["help"] = r.help;
      rows.append(d);
    }
    return rows;
  }, R"doc(The declared parameters of fatigue_series (name, unit, default, range, help).

Returns
-------
list of dict

See Also
--------
fatigue_series

Examples
--------
>>> import cramplab
>>> [p["name"] for p in cramplab.fatigue_params()][:3]
['window_s', 'step_s', 'segment_s']
)doc");
}

}  // namespace cramplab
