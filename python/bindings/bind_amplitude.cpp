// cramplab.amplitude: rectification, moving RMS / average, linear envelope, TKEO and the
// per-channel amplitude numbers (ARV, RMS, iEMG) of emg/filters/amplitude.hpp.
#include "common.hpp"

#include <emg/filters/amplitude.hpp>

#include <string>

namespace cramplab {

namespace {

namespace amp = emg::filters;

/// Runs a signal -> signal kernel with the GIL released and returns the input's dimensionality.
template <class Fn>
py::array signal_call(const py::handle& x, const char* function, Fn&& fn) {
  SignalIn s = as_signal(x, function);
  RowMatrixXd y;
  {
    py::gil_scoped_release nogil;
    y = fn(s.view());
  }
  return signal_out(std::move(y), s.one_d);
}

/// Runs a signal -> per-channel kernel: a float for 1-D input, an (n_channels,) array for 2-D.
template <class Fn>
py::object channel_call(const py::handle& x, const char* function, Fn&& fn) {
  SignalIn s = as_signal(x, function);
  VectorXd v;
  {
    py::gil_scoped_release nogil;
    v = fn(s.view());
  }
  return per_channel_out(std::move(v), s.one_d);
}

constexpr const char* kSignalParam = R"doc(x : array_like, shape (n_samples,) or (n_channels, n_samples)
    Signal, time on the last axis. float64 C-contiguous input is used without a copy; other real
    dtypes are converted once to float64.)doc";

std::string doc(const char* head, const char* params, const char* rest) {
  std::string d(head);
  d += "\n\nParameters\n----------\n";
  d += kSignalParam;
  d += params;
  d += rest;
  return d;
}

}  // namespace

void bind_amplitude(py::module_& m) {
  m.def(
      "rectify", [](const py::handle& x) { return signal_call(x, "rectify", [](auto v) { return amp::rectify(v); }); },
      py::arg("x"),
      doc("Full-wave rectification ``|x|``.", "",
          R"doc(

Returns
-------
numpy.ndarray
    ``|x|``, same shape as ``x`` (a new array).

Raises
------
ValueError
    Empty input, NaN or Inf in ``x``.

See Also
--------
linear_envelope, moving_average

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.rectify(np.array([-1.0, 2.0, -3.0]))
array([1., 2., 3.])
)doc")
          .c_str());

  static const char* kWindowParams = R"doc(
fs_hz : float
    Sampling rate in Hz (finite, > 0).
window_s : float
    Window length in seconds (> 0); ``round(window_s * fs_hz)`` samples (halves rounded away
    from zero), at least 1, at most the signal's length.
align : {"centered", "trailing"}, default "centered"
    ``"centered"``: samples ``n - (N-1)//2 .. n + N//2``; ``"trailing"`` (causal):
    ``n - N + 1 .. n``. Near the edges the window is truncated to the samples that exist and the
    statistic uses those only (no zero padding), so the output has the input's length.)doc";

  m.def(
      "moving_rms",
      [](const py::handle& x, double fs_hz, double window_s, const std::string& align) {
        const auto a = amp::parse_align(align, "moving_rms");
        return signal_call(x, "moving_rms", [&](auto v) { return amp::moving_rms(v, fs_hz, window_s, a); });
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window_s"), py::arg("align") = "centered",
      doc("Moving root-mean-square amplitude over a window of ``window_s`` seconds.", kWindowParams,
          R"doc(

Returns
-------
numpy.ndarray
    ``sqrt(mean(x**2))`` over each sample's window; same shape as ``x``.

Raises
------
ValueError
    ``fs_hz`` or ``window_s`` not finite and > 0, a window longer than the signal, an unknown
    ``align``, empty input, NaN or Inf in ``x``.

See Also
--------
moving_average, rms, linear_envelope

Notes
-----
One pass per channel with a running sum of squares, restarted from an exact sum every
max(4096, window) samples, so long recordings do not drift (an hour at 2048 Hz with a large DC
offset matches a direct per-window sum to ~5e-15 relative). Channels run in parallel
(``cramplab.set_num_threads``); the result does not depend on the number of threads.

Examples
--------
>>> import numpy as np, cramplab
>>> x = np.random.default_rng(0).standard_normal(2000)
>>> cramplab.moving_rms(x, fs_hz=1000.0, window_s=0.1).shape
(2000,)
)doc")
          .c_str());

  m.def(
      "moving_average",
      [](const py::handle& x, double fs_hz, double window_s, const std::string& align) {
        const auto a = amp::parse_align(align, "moving_average");
        return signal_call(x, "moving_average", [&](auto v) { return amp::moving_average(v, fs_hz, window_s, a); });
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("window_s"), py::arg("align") = "centered",
      doc("Moving average over a window of ``window_s`` seconds.", kWindowParams,
          R"doc(

Returns
-------
numpy.ndarray
    Mean of ``x`` over each sample's window; same shape as ``x``. Pass ``rectify(x)`` for a
    moving ARV.

Raises
------
ValueError
    ``fs_hz`` or ``window_s`` not finite and > 0, a window longer than the signal, an unknown
    ``align``, empty input, NaN or Inf in ``x``.

See Also
--------
moving_rms, rectify

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.moving_average(np.arange(5.0), fs_hz=1.0, window_s=3.0)
array([0.5, 1. , 2. , 3. , 3.5])
)doc")
          .c_str());

  m.def(
      "linear_envelope",
      [](const py::handle& x, double fs_hz, double cutoff_hz, int order) {
        return signal_call(x, "linear_envelope",
                           [&](auto v) { return amp::linear_envelope(v, fs_hz, cutoff_hz, order); });
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"), py::arg("cutoff_hz") = 6.0, py::arg("order") = 2,
      doc("Linear envelope: full-wave rectification, then a zero-phase Butterworth low-pass.",
          R"doc(
fs_hz : float
    Sampling rate in Hz (finite, > 0).
cutoff_hz : float, default 6.0
    Low-pass cut-off in Hz, in (0, fs_hz/2). Zero-phase filtering squares the magnitude
    response, so this is the -6 dB point.
order : int, default 2
    Butterworth order N, 1..10.)doc",
          R"doc(

Returns
-------
numpy.ndarray
    ``max(sosfiltfilt(butter(order, cutoff_hz, "lowpass", fs_hz), |x|), 0)``, same shape as
    ``x``: the low-pass may undershoot below zero after an abrupt end of activity, and an
    envelope is non-negative, so those samples are set to 0.

Raises
------
ValueError
    ``fs_hz`` not finite and > 0, ``cutoff_hz`` outside (0, fs_hz/2), ``order`` outside 1..10,
    a signal not longer than the filter's padding (padlen), empty input, NaN or Inf in ``x``.

See Also
--------
rectify, butter, sosfiltfilt, moving_rms

Examples
--------
>>> import numpy as np, cramplab
>>> x = np.random.default_rng(0).standard_normal(2000)
>>> env = cramplab.linear_envelope(x, fs_hz=1000.0, cutoff_hz=6.0)
>>> bool((env >= 0).all())
True
)doc")
          .c_str());

  m.def(
      "tkeo", [](const py::handle& x) { return signal_call(x, "tkeo", [](auto v) { return amp::tkeo(v); }); },
      py::arg("x"),
      doc("Teager-Kaiser energy operator ``psi[n] = x[n]**2 - x[n-1] * x[n+1]``.", "",
          R"doc(

Returns
-------
numpy.ndarray
    ``psi``, same shape as ``x``; the two end samples repeat their neighbours
    (``psi[0] = psi[1]``, ``psi[-1] = psi[-2]``).

Raises
------
ValueError
    Fewer than 3 samples, empty input, NaN or Inf in ``x``.

See Also
--------
linear_envelope

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.tkeo(np.array([1.0, 2.0, 3.0, 4.0]))
array([1., 1., 1., 1.])
)doc")
          .c_str());

  m.def(
      "arv", [](const py::handle& x) { return channel_call(x, "arv", [](auto v) { return amp::arv(v); }); },
      py::arg("x"),
      doc("Average rectified value per channel, ``mean(|x|)``.", "",
          R"doc(

Returns
-------
float or numpy.ndarray
    A float for 1-D ``x``, an array of shape (n_channels,) for 2-D ``x``.

Raises
------
ValueError
    Empty input, NaN or Inf in ``x``.

See Also
--------
rms, iemg

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.arv(np.array([-1.0, 3.0]))
2.0
)doc")
          .c_str());

  m.def(
      "rms", [](const py::handle& x) { return channel_call(x, "rms", [](auto v) { return amp::rms(v); }); },
      py::arg("x"),
      doc("Root mean square per channel, ``sqrt(mean(x**2))``.", "",
          R"doc(

Returns
-------
float or numpy.ndarray
    A float for 1-D ``x``, an array of shape (n_channels,) for 2-D ``x``. For Gaussian EMG,
    ``rms ~= 1.25 * arv`` (ratio ``sqrt(pi/2)``).

Raises
------
ValueError
    Empty input, NaN or Inf in ``x``.

See Also
--------
arv, moving_rms

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.rms(np.array([3.0, -3.0]))
3.0
)doc")
          .c_str());

  m.def(
      "iemg",
      [](const py::handle& x, double fs_hz) {
        return channel_call(x, "iemg", [&](auto v) { return amp::iemg(v, fs_hz); });
      },
      py::arg("x"), py::kw_only(), py::arg("fs_hz"),
      doc("Integrated EMG per channel, ``sum(|x|) / fs_hz`` (units of x times seconds).",
          R"doc(
fs_hz : float
    Sampling rate in Hz (finite, > 0).)doc",
          R"doc(

Returns
-------
float or numpy.ndarray
    A float for 1-D ``x``, an array of shape (n_channels,) for 2-D ``x``.

Raises
------
ValueError
    ``fs_hz`` not finite and > 0, empty input, NaN or Inf in ``x``.

See Also
--------
arv

Examples
--------
>>> import numpy as np, cramplab
>>> cramplab.iemg(np.ones(1000), fs_hz=1000.0)
1.0
)doc")
          .c_str());
}

}  // namespace cramplab
