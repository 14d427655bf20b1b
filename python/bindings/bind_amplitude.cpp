#include "common.hpp"

namespace cramplab {
void bind_amplitude(py::module_& /*m*/) {}
}  // namespace cramplab
