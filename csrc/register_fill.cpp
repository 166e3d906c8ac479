// Python bindings of the fill primitive, the dispatch and the thread settings.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "dispatch.hpp"
#include "fill.hpp"
#include "register.hpp"
#include "thread_pool.hpp"

namespace py = pybind11;

namespace fastxavier {
namespace {

DType dtype_of(const py::array& array) {
  const py::dtype dtype = array.dtype();
  if (dtype.is(py::dtype::of<float>())) return DType::kFloat32;
  if (dtype.is(py::dtype::of<double>())) return DType::kFloat64;
  if (dtype.is(py::dtype::of<uint32_t>())) return DType::kUInt32;
  const char kind = dtype.kind();
  const size_t size = static_cast<size_t>(dtype.itemsize());
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  if (kind == 'u' && size == 4) return DType::kUInt32;
  throw py::type_error("array has dtype " + py::str(dtype).cast<std::string>() +
                       "; expected float32, float64 or, for bits_, uint32");
}

// The Python layer has already checked the arguments with user-facing messages; these
// checks keep the extension safe when called directly.
ArrayView view_of(py::array& array) {
  if (!array.writeable()) throw py::value_error("array is read-only; expected a writable array");
  if (array.dtype().byteorder() == '>') {
    throw py::value_error("array is big-endian; expected native byte order");
  }
  ArrayView view;
  view.data = static_cast<char*>(array.mutable_data());
  view.itemsize = static_cast<size_t>(array.itemsize());
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    view.shape.push_back(array.shape(d));
    view.strides.push_back(array.strides(d));
  }
  return view;
}

void fill(py::array array, int distribution, double param, uint64_t seed, uint64_t stream,
          uint64_t first, uint64_t block_base, int threads) {
  if (distribution < 0 || distribution > 2) {
    throw py::value_error("distribution=" + std::to_string(distribution) + " is invalid");
  }
  const FillSpec spec{static_cast<Distribution>(distribution), dtype_of(array), seed, stream,
                      param, block_base};
  if ((spec.distribution == Distribution::kBits) != (spec.dtype == DType::kUInt32)) {
    throw py::type_error("array dtype does not match the distribution");
  }
  const ArrayView view = view_of(array);
  const int nthreads = threads > 0 ? threads : default_threads();

  // The array object stays referenced by `array` for the whole call, so its buffer
  // cannot be freed while other Python threads run; concurrent writes to the same
  // buffer from Python are a data race of the caller's making, as in NumPy.
  py::gil_scoped_release release;
  fill_array(spec, view, first, nthreads);
}

}  // namespace

void register_fill(py::module_& m) {
  m.def("fill", &fill, py::arg("array"), py::arg("distribution"), py::arg("param"),
        py::arg("seed"), py::arg("stream"), py::arg("first"), py::arg("block_base"),
        py::arg("threads"),
        "Fill `array` in place with elements first.. of a stream (no argument checks).");
  m.def("isa", [] { return std::string(active_path().name); },
        "Name of the instruction-set path in use.");
  m.def("supported_isas", &supported_paths, "Paths this CPU can run, narrowest first.");
  m.def("get_num_threads", &default_threads);
  m.def("set_num_threads", &set_default_threads, py::arg("threads"));
  m.def("affinity_cpu_count", &affinity_cpu_count);
}

}  // namespace fastxavier
