// One registration function per area of the extension, assembled in module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace fastxavier {

void register_fill(pybind11::module_& m);

}  // namespace fastxavier
