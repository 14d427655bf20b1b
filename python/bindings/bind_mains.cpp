// cramplab.mains: power-line interference removal (remove_mains) and line-frequency detection
// of emg/filters/mains.hpp.
#include "common.hpp"

#include <emg/filters/mains.hpp>

#include <sstream>

namespace cramplab {

namespace {

namespace fl = emg::filters;

/// MainsResult as Python sees it: data with the input's dimensionality, per-channel numbers as a
/// float for 1-D input and an array for 2-D input.
struct PyMainsResult {
  py::array data;
  double line_hz = 0.0;
  py::array harmonics_hz;
  py::object removed_power;
  py::object removed_fraction;
  std::string method;
};

std::string param_help(const char* name) {
  for (const auto& p : fl::MainsParams::describe()) {
    if (p.name == name) return p.help;
  }
  return {};
}

}  // namespace

void bind_mains(py::module_& m) {
  py::class_<PyMainsResult>(m, "MainsResult", R"doc(
Result of :func:`remove_mains` (read-only).

Attributes
----------
data : numpy.ndarray
    Cleaned signal, same shape as the input.
line_hz : float
    Line frequency used (the detected one when ``line_hz=0`` was passed).
harmonics_hz : numpy.ndarray
    Every frequency treated: ``line_hz * h`` for ``h = 1, 2, ...`` below Nyquist and ``<= max_hz``.
removed_power : float or numpy.ndarray
    Per channel, ``mean((x - data)**2)`` in units of x squared (float for 1-D input).
removed_fraction : float or numpy.ndarray
    Per channel, ``removed_power / mean(x**2)`` (0 for an all-zero channel).
method : str
    ``"interpolation"`` or ``"notch"``.
)doc")
      .def_readonly("data", &PyMainsResult::data)
      .def_readonly("line_hz", &PyMainsResult::line_hz)
      .def_readonly("harmonics_hz", &PyMainsResult::harmonics_hz)
      .def_readonly("removed_power", &PyMainsResult::removed_power)
      .def_readonly("removed_fraction", &PyMainsResult::removed_fraction)
      .def_readonly("method", &PyMainsResult::method)
      .def("__repr__", [](const PyMainsResult& r) {
        std::ostringstream os;
        os << "MainsResult(method='" << r.method << "', line_hz=" << std::string(py::str(py::float_(r.line_hz)))
           << ", n_harmonics=" << r.harmonics_hz.size() << ", shape=" << std::string(py::str(r.data.attr("shape")))
           << ")";
        return os.str();
      });

  const std::string doc = R"doc(Remove power-line interference at ``line_hz`` and all its harmonics in one call.

Harmonics ``h * line_hz`` (h = 1, 2, ...) up to ``max_hz`` (default Nyquist) are treated; a
harmonic exactly at Nyquist is excluded (fs_hz=1000 at 50 Hz: 50, 100, ..., 450 Hz).

Parameters
----------
x : array_like, shape (n_samples,) or (n_channels, n_samples)
    Signal, time on the last axis. float64 C-contiguous input is used without a copy.
fs_hz : float
    Sampling rate in Hz (finite, > 0).
line_hz : float, default 50.0
    )doc" + param_help("line_hz") +
                          R"doc( Any value in (0, fs_hz/2) is accepted (e.g. 16.7 Hz railway
    or 400 Hz aircraft supplies).
method : {"interpolation", "notch"}, default "interpolation"
    )doc" + param_help("method") +
                          R"doc(
max_hz : float, optional
    )doc" + param_help("max_hz") +
                          R"doc( ``None`` (default) means Nyquist; otherwise in (0, fs_hz/2] and
    >= ``line_hz``.
bandwidth_hz : float, default 0.5
    )doc" + param_help("bandwidth_hz") +
                          R"doc( In (0, line_hz/2).
q : float, default 30.0
    )doc" + param_help("q") +
                          R"doc(

Returns
-------
MainsResult
    ``data`` (same shape as ``x``), ``line_hz``, ``harmonics_hz``, ``removed_power`` and
    ``removed_fraction`` per channel (floats for 1-D ``x``), ``method``.

Raises
------
ValueError
    Bad ``fs_hz``, ``line_hz``, ``bandwidth_hz``, ``q``, ``max_hz`` or ``method``; empty input;
    NaN or Inf in ``x``; a signal too short for the method (notch: not longer than the padding
    ``3 * (2 * n_harmonics + 1)``; interpolation: fewer than 4 line cycles); ``line_hz=0`` on a
    signal without a detectable line peak.

See Also
--------
detect_line_frequency, iirnotch, sosfiltfilt

Notes
-----
``"interpolation"`` (Mewett et al. 2004, Med Biol Eng Comput 42:524-531): FFT, then the
magnitudes within +-``bandwidth_hz`` of each harmonic are replaced by a straight line between the
magnitudes of the bins just outside the band, phases kept, inverse FFT. To avoid spectral leakage
the transform runs on the longest segment holding an integer number of line cycles; when that is
shorter than the record, the two such segments at the start and the end are cross-faded over
their overlap. ``"notch"``: one ``scipy.signal.iirnotch(h * line_hz, q, fs_hz)`` per harmonic,
concatenated and applied with ``sosfiltfilt`` (equal to SciPy to rounding).

Examples
--------
>>> import numpy as np, cramplab
>>> fs = 1000.0
>>> t = np.arange(int(4 * fs)) / fs
>>> x = np.random.default_rng(0).standard_normal(t.size) + np.sin(2 * np.pi * 50 * t)
>>> r = cramplab.remove_mains(x, fs_hz=fs, line_hz=50.0)
>>> r.harmonics_hz[:3]
array([ 50., 100., 150.])
>>> round(r.removed_power, 1)
0.5
)doc";

  m.def(
      "remove_mains",
      [](const py::handle& x, double fs_hz, double line_hz, const std::string& method, std::optional<double> max_hz,
         double bandwidth_hz, double q) {
        fl::MainsParams p;
        p.line_hz = line_hz;
        p.method = fl::parse_mains_method(method, "remove_mains");
        p.max_hz = max_hz ? *max_hz : 0.0;
        p.bandwidth_hz = bandwidth_hz;
        p.q = q;
        if (max_hz && !(*max_hz > 0.0)) {
          throw py::value_error("remove_mains: max_hz=" + std::string(py::str(py::float_(*max_hz))) +
                                " must be > 0 (or None for Nyquist)");
        }
        SignalIn s = as_signal(x, "remove_mains");
        fl::MainsResult r;
        {
          py::gil_scoped_release nogil;
          r = fl::remove_mains(s.view(), fs_hz, p);
        }
        PyMainsResult out;
        out.data = signal_out(std::move(r.data), s.one_d);
        out.line_hz = r.line_hz;
        out.harmonics_hz = py::array_t<double>(static_cast<py::ssize_t>(r.harmonics_hz.size()), r.harmonics_hz.data());
        out.removed_power = per_channel_out(std::move(r.removed_power), s.one_d);
        out.removed_fraction = per_channel_out(std::move(r.removed_fraction), s.one_d);
        out.method = fl::to_string(p.method);
        return out;
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("line_hz") = 50.0, py::arg("method") = "interpolation",
      py::arg("max_hz") = py::none(), py::arg("bandwidth_hz") = 0.5, py::arg("q") = 30.0, doc.c_str());

  m.def(
      "detect_line_frequency",
      [](const py::handle& x, double fs_hz) {
        SignalIn s = as_signal(x, "detect_line_frequency");
        double f = 0.0;
        {
          py::gil_scoped_release nogil;
          f = fl::detect_line_frequency(s.view(), fs_hz);
        }
        return f;
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"),
      R"doc(Detect the power-line frequency (50 or 60 Hz) of a recording.

Parameters
----------
x : array_like, shape (n_samples,) or (n_channels, n_samples)
    Signal (at least 1 s), time on the last axis.
fs_hz : float
    Sampling rate in Hz (> 136 Hz, so that 60 Hz and its neighbourhood fit below Nyquist).

Returns
-------
float
    50.0 or 60.0.

Raises
------
ValueError
    Bad ``fs_hz``, fewer than 1 s of samples, NaN or Inf, empty input, or no clear peak at either
    frequency (peak-to-neighbour power ratio below 3): then pass ``line_hz`` explicitly.

See Also
--------
remove_mains

Notes
-----
Welch-averaged Hann-windowed spectra (1-s segments, 50 % overlap) of all channels, each
normalised to unit power, are summed; for 50 and 60 Hz the power within +-1 Hz of each of the first
three harmonics is compared with the level of the bands 2-8 Hz either side. The candidate with the
largest ratio wins if that ratio is at least 3.

Examples
--------
>>> import numpy as np, cramplab
>>> fs = 1000.0
>>> t = np.arange(int(5 * fs)) / fs
>>> x = np.random.default_rng(0).standard_normal(t.size) + 0.5 * np.sin(2 * np.pi * 60 * t)
>>> cramplab.detect_line_frequency(x, fs_hz=fs)
60.0
)doc");
}

}  // namespace cramplab
