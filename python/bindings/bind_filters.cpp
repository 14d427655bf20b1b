// cramplab.filters: IIR design (butter, iirnotch, iirpeak) and application (sosfilt,
// sosfiltfilt, SosFilter), with SciPy's names, array shapes and defaults.
#include "common.hpp"

#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>

#include <pybind11/complex.h>

namespace cramplab {

namespace {

using emg::filters::Sos;
using emg::filters::SosState;

[[noreturn]] void bad(const char* function, const std::string& message) {
  throw py::value_error(std::string(function) + ": " + message);
}

Sos as_sos(const py::handle& obj, const char* function) {
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr || arr.ndim() != 2 || arr.shape(1) != 6) {
    bad(function, "sos must be a 2-D array of shape (n_sections, 6)");
  }
  Sos sos(arr.shape(0), 6);
  auto r = arr.unchecked<2>();
  for (py::ssize_t i = 0; i < arr.shape(0); ++i) {
    for (py::ssize_t j = 0; j < 6; ++j) sos(i, j) = r(i, j);
  }
  return sos;
}

std::vector<double> as_cutoffs(const py::handle& obj) {
  if (py::isinstance<py::float_>(obj) || py::isinstance<py::int_>(obj)) return {obj.cast<double>()};
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr || arr.ndim() > 1) bad("butter", "cutoff_hz must be a number or a sequence of 2 numbers");
  if (arr.ndim() == 0) return {*arr.data()};
  return std::vector<double>(arr.data(), arr.data() + arr.shape(0));
}

/// SciPy's zi layout -> channels x (2 * n_sections).
SosState zi_from_numpy(const py::handle& obj, long n_sections, long n_channels, bool one_d) {
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  const std::string want = one_d ? "(" + std::to_string(n_sections) + ", 2)"
                                 : "(" + std::to_string(n_sections) + ", " + std::to_string(n_channels) + ", 2)";
  const bool ok = arr && (one_d ? (arr.ndim() == 2 && arr.shape(0) == n_sections && arr.shape(1) == 2)
                                : (arr.ndim() == 3 && arr.shape(0) == n_sections && arr.shape(1) == n_channels &&
                                   arr.shape(2) == 2));
  if (!ok) bad("sosfilt", "zi must have shape " + want + " (n_sections[, n_channels], 2)");
  SosState st(n_channels, 2 * n_sections);
  const double* d = arr.data();
  for (long k = 0; k < n_sections; ++k) {
    for (long c = 0; c < n_channels; ++c) {
      for (long j = 0; j < 2; ++j) st(c, 2 * k + j) = d[(k * n_channels + c) * 2 + j];
    }
  }
  return st;
}

py::array zi_to_numpy(const SosState& st, bool one_d) {
  const long n_channels = st.rows(), n_sections = st.cols() / 2;
  std::vector<py::ssize_t> shape = one_d ? std::vector<py::ssize_t>{n_sections, 2}
                                         : std::vector<py::ssize_t>{n_sections, n_channels, 2};
  py::array_t<double> out(shape);
  double* d = out.mutable_data();
  for (long k = 0; k < n_sections; ++k) {
    for (long c = 0; c < n_channels; ++c) {
      for (long j = 0; j < 2; ++j) d[(k * n_channels + c) * 2 + j] = st(c, 2 * k + j);
    }
  }
  return out;
}

emg::filters::PadType as_padtype(const py::handle& obj) {
  if (obj.is_none()) return emg::filters::PadType::none;
  if (!py::isinstance<py::str>(obj)) {
    bad("sosfiltfilt", "padtype=" + std::string(py::repr(obj)) + " must be one of 'odd', 'even', 'constant', None");
  }
  return emg::filters::parse_padtype(obj.cast<std::string>());
}

/// Streaming wrapper that remembers whether chunks are 1-D.
class PySosFilter {
 public:
  PySosFilter(const py::handle& sos, long n_channels) : f_(as_sos(sos, "SosFilter"), n_channels) {}
  py::array process(const py::handle& chunk) {
    SignalIn s = as_signal(chunk, "SosFilter.process", "chunk");
    RowMatrixXd y;
    {
      py::gil_scoped_release nogil;
      y = f_.process(s.view());
    }
    return signal_out(std::move(y), s.one_d);
  }
  void reset() { f_.reset(); }
  long n_channels() const { return f_.state().rows(); }

 private:
  emg::filters::SosFilter f_;
};

}  // namespace

void bind_filters(py::module_& m) {
  m.def(
      "butter",
      [](int order, const py::object& cutoff_hz, const std::string& btype, double fs_hz) {
        const auto cut = as_cutoffs(cutoff_hz);
        const auto bt = emg::filters::parse_btype(btype);
        return py::cast(emg::filters::butter(order, cut, bt, fs_hz));
      },
      py::kw_only(), py::arg("order"), py::arg("cutoff_hz"), py::arg("btype") = "lowpass", py::arg("fs_hz"),
      R"doc(Butterworth digital filter as second-order sections.

Equal to ``scipy.signal.butter(order, cutoff_hz, btype, output="sos", fs=fs_hz)``, including
the order and pairing of the sections (poles nearest the unit circle last, gain in the first).

Parameters
----------
order : int
    Filter order N, 1..10 (a band filter has 2N poles).
cutoff_hz : float or sequence of 2 floats
    Cut-off in Hz for low/high-pass; ``[low, high]`` for band-pass/stop. Every edge in
    ``(0, fs_hz/2)``.
btype : str, default "lowpass"
    "lowpass", "highpass", "bandpass" or "bandstop" (SciPy's aliases accepted).
fs_hz : float
    Sampling rate in Hz.

Returns
-------
sos : ndarray, shape (n_sections, 6)
    Rows ``[b0, b1, b2, 1, a1, a2]``.

Raises
------
ValueError
    Order out of range, bad fs_hz, a cut-off not below Nyquist, low >= high, bad btype.

See Also
--------
sosfilt, sosfiltfilt, sosfreqz

Examples
--------
>>> import cramplab
>>> sos = cramplab.butter(order=4, cutoff_hz=[20, 450], btype="bandpass", fs_hz=2048)
>>> sos.shape
(4, 6)
)doc");

  m.def(
      "iirnotch", [](double w0_hz, double q, double fs_hz) { return py::cast(emg::filters::iirnotch(w0_hz, q, fs_hz)); },
      py::kw_only(), py::arg("w0_hz"), py::arg("q"), py::arg("fs_hz"),
      R"doc(Second-order IIR notch filter as one section.

Equal to ``b, a = scipy.signal.iirnotch(w0_hz, q, fs=fs_hz)`` returned as ``[[*b, *a]]``.

Parameters
----------
w0_hz : float
    Frequency to remove, in ``(0, fs_hz/2)``.
q : float
    Quality factor (> 0); the -3 dB bandwidth is ``w0_hz / q``.
fs_hz : float
    Sampling rate in Hz.

Returns
-------
sos : ndarray, shape (1, 6)

Raises
------
ValueError
    Bad w0_hz, q or fs_hz.

See Also
--------
iirpeak, sosfiltfilt

Examples
--------
>>> import cramplab
>>> cramplab.iirnotch(w0_hz=50.0, q=30.0, fs_hz=1000.0).shape
(1, 6)
)doc");

  m.def(
      "iirpeak", [](double w0_hz, double q, double fs_hz) { return py::cast(emg::filters::iirpeak(w0_hz, q, fs_hz)); },
      py::kw_only(), py::arg("w0_hz"), py::arg("q"), py::arg("fs_hz"),
      R"doc(Second-order IIR peak (resonator) filter as one section.

Equal to ``b, a = scipy.signal.iirpeak(w0_hz, q, fs=fs_hz)`` returned as ``[[*b, *a]]``.

Parameters
----------
w0_hz : float
    Centre frequency, in ``(0, fs_hz/2)``.
q : float
    Quality factor (> 0).
fs_hz : float
    Sampling rate in Hz.

Returns
-------
sos : ndarray, shape (1, 6)

Raises
------
ValueError
    Bad w0_hz, q or fs_hz.

See Also
--------
iirnotch

Examples
--------
>>> import cramplab
>>> cramplab.iirpeak(w0_hz=100.0, q=10.0, fs_hz=1000.0).shape
(1, 6)
)doc");

  m.def(
      "sosfilt",
      [](const py::handle& sos_in, const py::handle& x, const py::object& zi) -> py::object {
        const Sos sos = as_sos(sos_in, "sosfilt");
        SignalIn s = as_signal(x, "sosfilt");
        if (zi.is_none()) {
          RowMatrixXd y;
          {
            py::gil_scoped_release nogil;
            y = emg::filters::sosfilt(sos, s.view());
          }
          return signal_out(std::move(y), s.one_d);
        }
        const SosState z0 = zi_from_numpy(zi, sos.rows(), s.view().rows(), s.one_d);
        SosState zf;
        RowMatrixXd y;
        {
          py::gil_scoped_release nogil;
          y = emg::filters::sosfilt(sos, s.view(), z0, zf);
        }
        return py::make_tuple(signal_out(std::move(y), s.one_d), zi_to_numpy(zf, s.one_d));
      },
      py::arg("sos"), py::arg("x"), py::kw_only(), py::arg("zi") = py::none(),
      R"doc(Causal filtering with second-order sections, like ``scipy.signal.sosfilt(sos, x, axis=-1, zi=zi)``.

Parameters
----------
sos : array_like, shape (n_sections, 6)
    Second-order sections (e.g. from `butter`).
x : array_like
    1-D ``(n_samples,)`` or 2-D ``(n_channels, n_samples)`` signal; filtered along the last axis.
zi : array_like, optional
    Initial state, shape ``(n_sections, 2)`` for 1-D x or ``(n_sections, n_channels, 2)`` for
    2-D x (SciPy's layout). Default: zero state, and only ``y`` is returned.

Returns
-------
y : ndarray
    Filtered signal, same shape as x.
zf : ndarray
    Final state (same shape as zi); returned only when zi is given, so that filtering in chunks
    equals filtering the whole signal.

Raises
------
ValueError
    Bad sos, empty x, NaN/Inf in x, x not 1-D/2-D, zi of the wrong shape.

See Also
--------
sosfilt_zi, sosfiltfilt, SosFilter

Examples
--------
>>> import numpy as np, cramplab
>>> sos = cramplab.butter(order=2, cutoff_hz=10.0, fs_hz=100.0)
>>> y = cramplab.sosfilt(sos, np.ones(50))
>>> zi = np.zeros((sos.shape[0], 2))
>>> y1, zf = cramplab.sosfilt(sos, np.ones(25), zi=zi)
>>> y2, _ = cramplab.sosfilt(sos, np.ones(25), zi=zf)
>>> bool(np.allclose(np.concatenate([y1, y2]), y))
True
)doc");

  m.def(
      "sosfilt_zi",
      [](const py::handle& sos_in) { return py::cast(emg::filters::sosfilt_zi(as_sos(sos_in, "sosfilt_zi"))); },
      py::arg("sos"),
      R"doc(Step-response steady state of each section, like ``scipy.signal.sosfilt_zi``.

Parameters
----------
sos : array_like, shape (n_sections, 6)

Returns
-------
zi : ndarray, shape (n_sections, 2)
    Multiply by the first sample to start `sosfilt` without a transient.

Raises
------
ValueError
    Bad sos, or a section with a pole at z = 1.

See Also
--------
sosfilt

Examples
--------
>>> import numpy as np, cramplab
>>> sos = cramplab.butter(order=4, cutoff_hz=10.0, fs_hz=100.0)
>>> y, _ = cramplab.sosfilt(sos, np.ones(20), zi=cramplab.sosfilt_zi(sos))
>>> bool(np.allclose(y, 1.0))
True
)doc");

  m.def(
      "sosfiltfilt",
      [](const py::handle& sos_in, const py::handle& x, const py::object& padtype, std::optional<long> padlen) {
        const Sos sos = as_sos(sos_in, "sosfiltfilt");
        const auto pt = as_padtype(padtype);
        SignalIn s = as_signal(x, "sosfiltfilt");
        RowMatrixXd y;
        {
          py::gil_scoped_release nogil;
          y = emg::filters::sosfiltfilt(sos, s.view(), pt, padlen);
        }
        return signal_out(std::move(y), s.one_d);
      },
      py::arg("sos"), py::arg("x"), py::kw_only(), py::arg("padtype") = "odd", py::arg("padlen") = py::none(),
      R"doc(Zero-phase forward-backward filtering, like ``scipy.signal.sosfiltfilt(sos, x, axis=-1, padtype, padlen)``.

The magnitude response is squared: cut-offs are at -6 dB and the effective order doubles.
Channels are filtered together in SIMD blocks and in parallel (see `set_num_threads`);
results do not depend on the thread count.

Parameters
----------
sos : array_like, shape (n_sections, 6)
x : array_like
    1-D ``(n_samples,)`` or 2-D ``(n_channels, n_samples)``.
padtype : {"odd", "even", "constant", None}, default "odd"
    Extension at both ends before filtering (None or "none": no padding).
padlen : int, optional
    Samples of padding at each end; default SciPy's ``3 * (2 * n_sections + 1 - ...)``.
    Ignored when padtype is None. x must be longer than padlen.

Returns
-------
y : ndarray
    Same shape as x.

Raises
------
ValueError
    Bad sos or padtype, negative padlen, x not longer than padlen, empty x, NaN/Inf in x.

See Also
--------
sosfilt, butter

Examples
--------
>>> import numpy as np, cramplab
>>> sos = cramplab.butter(order=4, cutoff_hz=[20, 450], btype="bandpass", fs_hz=2048)
>>> x = np.random.default_rng(0).standard_normal((8, 2048))
>>> cramplab.sosfiltfilt(sos, x).shape
(8, 2048)
)doc");

  m.def(
      "sosfreqz",
      [](const py::handle& sos_in, const py::handle& freqs_hz, double fs_hz) {
        const Sos sos = as_sos(sos_in, "sosfreqz");
        const VectorXd f = as_vector(freqs_hz, "sosfreqz", "freqs_hz");
        return py::cast(emg::filters::sosfreqz(sos, f, fs_hz));
      },
      py::arg("sos"), py::kw_only(), py::arg("freqs_hz"), py::arg("fs_hz"),
      R"doc(Complex frequency response of second-order sections at given frequencies.

Like ``scipy.signal.sosfreqz(sos, worN=freqs_hz, fs=fs_hz)[1]``.

Parameters
----------
sos : array_like, shape (n_sections, 6)
freqs_hz : array_like, 1-D
    Frequencies in Hz (finite).
fs_hz : float
    Sampling rate in Hz.

Returns
-------
h : ndarray of complex128, shape (n_freqs,)

Raises
------
ValueError
    Bad sos, fs_hz or non-finite frequencies.

See Also
--------
butter

Examples
--------
>>> import numpy as np, cramplab
>>> sos = cramplab.butter(order=4, cutoff_hz=100.0, fs_hz=1000.0)
>>> h = cramplab.sosfreqz(sos, freqs_hz=[0.0, 100.0], fs_hz=1000.0)
>>> np.round(np.abs(h), 4)
array([1.    , 0.7071])
)doc");

  py::class_<PySosFilter>(m, "SosFilter", R"doc(Streaming causal filter over successive chunks of one stream.

Equivalent to `sosfilt` with the state carried from chunk to chunk: the concatenated outputs
equal ``sosfilt(sos, whole_signal)``.

Parameters
----------
sos : array_like, shape (n_sections, 6)
n_channels : int
    Channels of the stream (>= 1); chunks are 1-D only when n_channels == 1.

Raises
------
ValueError
    Bad sos or n_channels; chunks with the wrong channel count or NaN/Inf.

See Also
--------
sosfilt

Examples
--------
>>> import numpy as np, cramplab
>>> sos = cramplab.butter(order=2, cutoff_hz=10.0, fs_hz=100.0)
>>> f = cramplab.SosFilter(sos, n_channels=2)
>>> x = np.random.default_rng(0).standard_normal((2, 100))
>>> y = np.concatenate([f.process(x[:, :30]), f.process(x[:, 30:])], axis=1)
>>> bool(np.allclose(y, cramplab.sosfilt(sos, x)))
True
)doc")
      .def(py::init<const py::handle&, long>(), py::arg("sos"), py::kw_only(), py::arg("n_channels"))
      .def("process", &PySosFilter::process, py::arg("chunk"),
           "Filter the next chunk (n_samples,) or (n_channels, n_samples); returns the same shape.")
      .def("reset", &PySosFilter::reset, "Zero the filter state (start a new stream).")
      .def_property_readonly("n_channels", &PySosFilter::n_channels, "Number of channels of the stream.");
}

}  // namespace cramplab
