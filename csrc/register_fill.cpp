// Python bindings of the fill primitive, the dispatch and the thread settings.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
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
  const char kind = dtype.kind();
  const py::ssize_t size = dtype.itemsize();
  if (kind == 'f' && size == 4) return DType::kFloat32;
  if (kind == 'f' && size == 8) return DType::kFloat64;
  if (kind == 'f' && size == 2) return DType::kFloat16;
  if (kind == 'u' && size == 4) return DType::kUInt32;
  // ml_dtypes registers bfloat16 as a NumPy dtype of its own kind.
  if (size == 2 && py::str(dtype).cast<std::string>() == "bfloat16")
    return DType::kBFloat16;
  throw py::type_error(
      "array has dtype " + py::str(dtype).cast<std::string>() +
      "; expected float16, bfloat16, float32, float64 or, for bits_, uint32");
}

// The Python layer has already checked the arguments with user-facing messages; these
// checks keep the extension safe when called directly.
ArrayView view_of(py::array& array) {
  if (!array.writeable())
    throw py::value_error("array is read-only; expected a writable array");
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

// Fills below this many elements keep the GIL: releasing and taking it back costs
// about as much as writing them.
constexpr size_t kReleaseGilElements = 1 << 14;

void fill_view(const ArrayView& view, const FillSpec& spec, uint64_t first, int threads,
               py::ssize_t size) {
  const int nthreads = threads > 0 ? threads : default_threads();
  if (static_cast<size_t>(size) < kReleaseGilElements) {
    fill_array(spec, view, first, nthreads);
    return;
  }
  // The array object stays referenced by the caller for the whole call, so its buffer
  // cannot be freed while other Python threads run. Concurrent writes to the same
  // buffer from Python are a data race of the caller's making, as in NumPy.
  //
  // The GIL is released and taken back by hand, not by py::gil_scoped_release. When
  // the interpreter is finalizing, taking the GIL back ends a daemon thread by
  // unwinding its stack. That unwinding must not start in a destructor, which is
  // noexcept, or the process aborts.
  PyThreadState* state = PyEval_SaveThread();
  try {
    fill_array(spec, view, first, nthreads);
  } catch (...) {
    PyEval_RestoreThread(state);
    throw;
  }
  PyEval_RestoreThread(state);
}

TruncatedNormalSpec truncation_of(const py::object& truncation) {
  if (truncation.is_none()) return {};
  const auto values = truncation.cast<std::vector<double>>();
  if (values.size() != 5) throw py::value_error("truncation needs 5 numbers");
  return {values[0], values[1], values[2], values[3], values[4]};
}

void fill(py::array array, int distribution, uint64_t seed, uint64_t stream,
          int threads, double param, double mean, uint16_t half_limit,
          const py::object& truncation, uint64_t first, uint64_t block_base,
          const py::object& index_strides) {
  if (distribution < 0 || distribution > 3) {
    throw py::value_error("distribution=" + std::to_string(distribution) +
                          " is invalid");
  }
  FillSpec spec{};
  spec.distribution = static_cast<Distribution>(distribution);
  spec.dtype = dtype_of(array);
  spec.seed = seed;
  spec.stream = stream;
  spec.param = param;
  spec.mean = mean;
  spec.half_limit = half_limit;
  spec.truncation = truncation_of(truncation);
  spec.block_base = block_base;
  if ((spec.distribution == Distribution::kBits) != (spec.dtype == DType::kUInt32)) {
    throw py::type_error("array dtype does not match the distribution");
  }

  ArrayView view = view_of(array);
  if (!index_strides.is_none()) {
    view.index_strides = index_strides.cast<std::vector<int64_t>>();
    if (view.index_strides.size() != view.shape.size()) {
      throw py::value_error("index_strides needs one entry per dimension");
    }
  }
  fill_view(view, spec, first, threads, array.size());
}

// ---- fast path of uniform_ and normal_
// -------------------------------------------------
//
// A call whose arguments all have the common exact types (ndarray, int, float, None)
// is checked and run here, in about a microsecond. Any other call, including every call
// that must raise, goes to fastxavier._api.xavier_fill_checked, which contains the one
// copy of the argument checks and their messages.

// Returns true and sets *out if `value` is an exact int in [minimum, 2^63).
bool exact_int(PyObject* value, long long minimum, long long* out) {
  if (!PyLong_CheckExact(value)) return false;
  int overflow = 0;
  const long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
  if (overflow != 0 || number < minimum) return false;
  *out = number;
  return true;
}

// Returns true and sets *out if `value` is an exact int in [0, 2^64).
bool exact_u64(PyObject* value, uint64_t* out) {
  long long small = 0;
  if (exact_int(value, 0, &small)) {
    *out = static_cast<uint64_t>(small);
    return true;
  }
  if (!PyLong_CheckExact(value)) return false;
  const unsigned long long number = PyLong_AsUnsignedLongLong(value);
  if (number == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
    PyErr_Clear();
    return false;
  }
  *out = number;
  return true;
}

bool exact_gain(PyObject* value, double* out) {
  double gain = 0.0;
  if (PyFloat_CheckExact(value)) {
    gain = PyFloat_AS_DOUBLE(value);
  } else {
    long long number = 0;
    if (!exact_int(value, 0, &number)) return false;
    gain = static_cast<double>(number);
  }
  if (!std::isfinite(gain) || gain < 0) return false;
  *out = gain;
  return true;
}

bool is_float_array(py::handle handle) {
  if (!py::isinstance<py::array>(handle)) return false;
  const auto array = py::reinterpret_borrow<py::array>(handle);
  const py::dtype dtype = array.dtype();
  return dtype.kind() == 'f' && (dtype.itemsize() == 4 || dtype.itemsize() == 8) &&
         dtype.byteorder() != '>' && array.writeable();
}

// Fans of a shape (out, in, *kernel) as in PyTorch; false if the rank is below 2 or a
// fan overflows.
bool fans_from_shape(const py::array& array, long long* fan_in, long long* fan_out) {
  if (array.ndim() < 2) return false;
  long long receptive_field = 1;
  for (py::ssize_t d = 2; d < array.ndim(); ++d) {
    if (__builtin_mul_overflow(receptive_field, static_cast<long long>(array.shape(d)),
                               &receptive_field)) {
      return false;
    }
  }
  return !__builtin_mul_overflow(static_cast<long long>(array.shape(1)),
                                 receptive_field, fan_in) &&
         !__builtin_mul_overflow(static_cast<long long>(array.shape(0)),
                                 receptive_field, fan_out);
}

py::object slow_xavier_fill(py::handle array, py::handle fan_in, py::handle fan_out,
                            py::handle gain, py::handle seed, py::handle stream,
                            py::handle threads, int distribution) {
  py::object checked =
      py::module_::import("fastxavier._api").attr("xavier_fill_checked");
  return checked(array, fan_in, fan_out, gain, seed, stream, threads, distribution);
}

py::object xavier_fill(py::handle array, py::handle fan_in, py::handle fan_out,
                       py::handle gain, py::handle seed, py::handle stream,
                       py::handle threads, int distribution) {
  const auto slow = [&] {
    return slow_xavier_fill(array, fan_in, fan_out, gain, seed, stream, threads,
                            distribution);
  };
  if (!is_float_array(array) || seed.is_none()) return slow();
  auto target = py::reinterpret_borrow<py::array>(array);
  if (target.size() == 0) return slow();

  double gain_value = 0.0;
  uint64_t seed_value = 0;
  uint64_t stream_value = 0;
  long long threads_value = 0;
  if (!exact_gain(gain.ptr(), &gain_value) || !exact_u64(seed.ptr(), &seed_value) ||
      !exact_u64(stream.ptr(), &stream_value)) {
    return slow();
  }
  // Thread counts above 4096 (MAX_THREADS in _checks.py) get their error there.
  if (!threads.is_none() &&
      (!exact_int(threads.ptr(), 1, &threads_value) || threads_value > 4096)) {
    return slow();
  }

  long long shape_fan_in = 0;
  long long shape_fan_out = 0;
  long long fan_in_value = 0;
  long long fan_out_value = 0;
  if (fan_in.is_none() || fan_out.is_none()) {
    if (!fans_from_shape(target, &shape_fan_in, &shape_fan_out)) return slow();
  }
  if (fan_in.is_none()) {
    fan_in_value = shape_fan_in;
  } else if (!exact_int(fan_in.ptr(), 1, &fan_in_value)) {
    return slow();
  }
  if (fan_out.is_none()) {
    fan_out_value = shape_fan_out;
  } else if (!exact_int(fan_out.ptr(), 1, &fan_out_value)) {
    return slow();
  }
  // Fans from a shape with a zero extent, and sums past 2^53 (where Python would round
  // the integer differently), take the checked path.
  constexpr long long kExactDoubleLimit = 1LL << 53;
  if (fan_in_value < 1 || fan_out_value < 1 ||
      fan_in_value >= kExactDoubleLimit - fan_out_value) {
    return slow();
  }

  // The same float64 expressions as xavier_bound and xavier_std in _api.py.
  const double fan_sum = static_cast<double>(fan_in_value + fan_out_value);
  const bool uniform = distribution == static_cast<int>(Distribution::kUniform);
  const double param = gain_value * std::sqrt((uniform ? 6.0 : 2.0) / fan_sum);
  // A bound or std too large or too small for the dtype gets its error from the
  // checked path (_dtypes.check_parameter_fits). Box-Muller radii stay below 8.6.
  const bool single = dtype_of(target) == DType::kFloat32;
  const double largest = single ? static_cast<double>(std::numeric_limits<float>::max())
                                : std::numeric_limits<double>::max();
  const double smallest = single
                              ? static_cast<double>(std::numeric_limits<float>::min())
                              : std::numeric_limits<double>::min();
  if ((uniform ? param : param * 8.6) > largest) return slow();
  if (param > 0.0 && param < smallest) return slow();
  FillSpec spec{};
  spec.distribution = uniform ? Distribution::kUniform : Distribution::kNormal;
  spec.dtype = dtype_of(target);
  spec.seed = seed_value;
  spec.stream = stream_value;
  spec.param = param;
  fill_view(view_of(target), spec, 0, static_cast<int>(threads_value), target.size());
  return py::reinterpret_borrow<py::object>(array);
}

}  // namespace

void register_fill(py::module_& m) {
  m.def("fill", &fill, py::arg("array"), py::arg("distribution"), py::arg("seed"),
        py::arg("stream"), py::arg("threads"), py::kw_only(), py::arg("param") = 0.0,
        py::arg("mean") = 0.0, py::arg("half_limit") = 0,
        py::arg("truncation") = py::none(), py::arg("first") = 0,
        py::arg("block_base") = 0, py::arg("index_strides") = py::none(),
        "Fill `array` in place from a stream. The caller has checked every argument.");
  m.def("xavier_fill", &xavier_fill, py::arg("array"), py::arg("fan_in"),
        py::arg("fan_out"), py::arg("gain"), py::arg("seed"), py::arg("stream"),
        py::arg("threads"), py::arg("distribution"),
        "uniform_ / normal_ with the common argument types checked in C++.");
  m.def(
      "isa", [] { return std::string(active_path().name); },
      "Name of the instruction-set path in use.");
  m.def("supported_isas", &supported_paths, "Paths this CPU can run, narrowest first.");
  m.def("get_num_threads", &default_threads);
  m.def("set_num_threads", &set_default_threads, py::arg("threads"));
  m.def("affinity_cpu_count", &affinity_cpu_count);
}

}  // namespace fastxavier
