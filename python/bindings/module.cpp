// cramplab._core: the compiled part of the cramplab package. One bind_<namespace>.cpp per
// libemg namespace registers its functions into a submodule; cramplab/__init__.py re-exports.
#include "common.hpp"

#include <emg/parallel.hpp>
#include <emg/version.hpp>

namespace cramplab {
void bind_core(py::module_& m);
void bind_filters(py::module_& m);
void bind_amplitude(py::module_& m);
void bind_mains(py::module_& m);
void bind_spectral(py::module_& m);
void bind_io(py::module_& m);
void bind_simulate(py::module_& m);
void bind_stim(py::module_& m);
void bind_detect(py::module_& m);
void bind_onsets(py::module_& m);
}  // namespace cramplab

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using cramplab::as_signal;
  m.doc() = "Compiled core of CrampLab (libemg). Use the re-exports in the cramplab package.";
  cramplab::register_exceptions(m);
  m.attr("__version__") = emg::version();
  m.attr("git_sha") = emg::git_sha();
  m.def("get_num_threads", &emg::get_num_threads, "Number of threads the multichannel kernels use.");
  m.def("set_num_threads", &emg::set_num_threads, py::arg("n"),
        "Set the number of threads for multichannel kernels (n < 1 restores the default: all cores).\n"
        "Results never depend on the number of threads.");
  m.def(
      "_signal_is_copied", [](const py::handle& x) { return as_signal(x, "_signal_is_copied").copied; },
      py::arg("x"), "Test hook: True if a signal argument would be converted (copied) before use.");
  auto core = m.def_submodule("core", "Recording and its metadata");
  cramplab::bind_core(core);
  auto filters = m.def_submodule("filters", "Filter design and application");
  cramplab::bind_filters(filters);
  auto amplitude = m.def_submodule("amplitude", "Amplitude estimators");
  cramplab::bind_amplitude(amplitude);
  auto mains = m.def_submodule("mains", "Power-line interference removal");
  cramplab::bind_mains(mains);
  auto spectral = m.def_submodule("spectral", "Spectra, spectral metrics and fatigue series");
  cramplab::bind_spectral(spectral);
  auto io = m.def_submodule("io", "Recording files: the CrampLab HDF5 store, import and export");
  cramplab::bind_io(io);
  auto simulate = m.def_submodule("simulate", "The ground-truth simulator");
  cramplab::bind_simulate(simulate);
  auto stim = m.def_submodule("stim", "Stimulation pulses and trains, artefact suppression, M-waves");
  cramplab::bind_stim(stim);
  auto detect = m.def_submodule("detect", "Cramp decision per train, the cramp threshold frequency, session analysis");
  cramplab::bind_detect(detect);
  auto onsets = m.def_submodule("onsets", "Onset/offset detectors and their evaluation against ground truth");
  cramplab::bind_onsets(onsets);
}
