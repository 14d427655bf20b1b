#include "common.hpp"

namespace cramplab {
void bind_mains(py::module_& /*m*/) {}
}  // namespace cramplab
