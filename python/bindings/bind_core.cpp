#include "common.hpp"

namespace cramplab {
void bind_core(py::module_& /*m*/) {}
}  // namespace cramplab
