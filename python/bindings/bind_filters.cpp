#include "common.hpp"

namespace cramplab {
void bind_filters(py::module_& /*m*/) {}
}  // namespace cramplab
