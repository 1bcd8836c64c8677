# lpr_add_test(NAME SOURCES ... LIBS ... LABELS ...): one GoogleTest executable, each case a
# ctest test carrying the area labels (core, 2n, adapters, decisions, barrier, mqtt, rtsp,
# package) so `ctest -L <area>` runs one area alone.
# gtest_add_tests, not gtest_discover_tests: CMake 3.25's discovery splits list-valued
# PROPERTIES, which loses a second label and every ENVIRONMENT entry but the first.
function(lpr_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT LPR_BUILD_TESTS)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  gtest_add_tests(TARGET ${name} SOURCES ${T_SOURCES} TEST_LIST cases)
  set_tests_properties(${cases} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "LPR_GATEWAY_BIN=${CMAKE_BINARY_DIR}/bin/lpr-gateway;LPR_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
