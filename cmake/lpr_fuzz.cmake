# lpr_add_fuzzer(NAME SOURCES ... LIBS ... CORPUS dir): a libFuzzer target around a converter's
# LLVMFuzzerTestOneInput. With -DLPR_FUZZ=ON (clang; scripts/fuzz.sh) it is a real fuzzer under
# ASan + UBSan. Otherwise the same entry point replays the seed corpus as a ctest (label
# adapters), so the fuzz source keeps compiling and the seeds keep passing on every test run.
option(LPR_FUZZ "Build the libFuzzer targets (clang only; see scripts/fuzz.sh)" OFF)
if(LPR_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LPR_FUZZ needs clang: cmake -DCMAKE_CXX_COMPILER=clang++ -DLPR_FUZZ=ON")
  endif()
  add_compile_options(-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_custom_target(lpr_fuzzers)
endif()

function(lpr_add_fuzzer name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(LPR_FUZZ)
    add_executable(${name} ${F_SOURCES})
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_dependencies(lpr_fuzzers ${name})
    set_property(GLOBAL APPEND PROPERTY LPR_FUZZER_LIST "${name} ${F_CORPUS}")
  elseif(LPR_BUILD_TESTS)
    add_executable(${name}_replay ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/support/fuzz_replay_main.cpp)
    target_link_libraries(${name}_replay PRIVATE ${F_LIBS})
    add_test(NAME ${name}_replay COMMAND ${name}_replay ${F_CORPUS})
    set_tests_properties(${name}_replay PROPERTIES LABELS adapters TIMEOUT 120)
  endif()
endfunction()

# Writes <build>/fuzzers.txt ("name corpus-dir" per line) for scripts/fuzz.sh.
function(lpr_write_fuzzer_list)
  if(LPR_FUZZ)
    get_property(list GLOBAL PROPERTY LPR_FUZZER_LIST)
    string(REPLACE ";" "\n" text "${list}")
    file(WRITE ${CMAKE_BINARY_DIR}/fuzzers.txt "${text}\n")
  endif()
endfunction()
