# Test code is built after every change and run once, so it is built for compile speed: -O0
# (the code under test keeps its build type's optimisation: it lives in the component
# libraries), in unity batches like everything else (top CMakeLists.txt).
function(flexhil_fast_test_build target)
  # The file defining BOOST_TEST_MODULE must see <boost/test/unit_test.hpp> first (it generates
  # main there): it stays its own translation unit.
  get_target_property(_sources ${target} SOURCES)
  foreach(_source ${_sources})
    get_filename_component(_path ${_source} ABSOLUTE)
    file(STRINGS ${_path} _module REGEX "^#define BOOST_TEST_MODULE")
    if(_module)
      set_source_files_properties(${_source} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
  if(NOT FLEXHIL_FUZZ)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()

# flexhil_add_test(<name> SOURCES ... [LIBS ...] [LABELS unit|integration|scenario] [TIMEOUT s])
# One Boost.Test executable per component, registered with CTest under its label so that
# `ctest -L unit` stays fast. Tests get FLEXHIL_BINARY_DIR/SOURCE_DIR to find the tools they drive.
function(flexhil_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} flexhil_testing)
  flexhil_fast_test_build(${name})
  flexhil_add_test_entry(${name} EXECUTABLE ${name} ARGS ${T_ARGS} LABELS ${T_LABELS} TIMEOUT ${T_TIMEOUT})
endfunction()

# flexhil_add_test_entry(<ctest name> EXECUTABLE <test target> [ARGS ...] [LABELS ...] [TIMEOUT s])
# One more CTest entry for part of an existing Boost.Test executable (e.g. --run_test=<suite>),
# with the same environment: long suites split so that `ctest -j` runs their parts side by side.
function(flexhil_add_test_entry name)
  cmake_parse_arguments(T "" "TIMEOUT;EXECUTABLE" "LABELS;ARGS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${T_EXECUTABLE} ${T_ARGS} --log_level=test_suite --report_level=short)
  set(_env "FLEXHIL_BINARY_DIR=${PROJECT_BINARY_DIR};FLEXHIL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(FLEXHIL_SANITIZE)
    list(APPEND _env "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${_env}")
endfunction()
