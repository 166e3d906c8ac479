#include <pybind11/pybind11.h>

#include "register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "fastxavier's compiled core: Philox4x32-10 fills, dispatch and threads.";
  fastxavier::register_fill(m);
}
