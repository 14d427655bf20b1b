// emg::io: the store (bind_io_store.cpp) and the importers/exporters (bind_io_formats.cpp).
#include "common.hpp"

namespace cramplab {
void bind_io_store(py::module_& m);
void bind_io_formats(py::module_& m);

void bind_io(py::module_& m) {
  bind_io_store(m);
  bind_io_formats(m);
}
}  // namespace cramplab
