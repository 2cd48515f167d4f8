# flexhil_add_test(<name> SOURCES ... [LIBS ...] [LABELS unit|integration|scenario] [TIMEOUT s])
# One Boost.Test executable per component, registered with CTest under its label so that
# `ctest -L unit` stays fast. Tests get FLEXHIL_BINARY_DIR/SOURCE_DIR to find the tools they drive.
function(flexhil_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} flexhil_testing)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name} --log_level=test_suite --report_level=short)
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "FLEXHIL_BINARY_DIR=${PROJECT_BINARY_DIR};FLEXHIL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
