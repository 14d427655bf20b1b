#include "common.hpp"

namespace cramplab {
void bind_spectral(py::module_& /*m*/) {}
}  // namespace cramplab
