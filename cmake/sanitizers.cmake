# Sanitizer builds (README, "Hostile files"). Both instrument every target of the build:
# - H5MF_SANITIZE=address,undefined (any -fsanitize= list, gcc or clang): the test suite under
#   ASan/UBSan. ctest sets ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS from tests/sanitizers/, whose
#   suppressions cover what the uninstrumented OpenMPI and libhdf5 keep at exit.
# - H5MF_FUZZ=ON (clang only): the libFuzzer targets in fuzz/, with ASan and UBSan, registered as
#   ctest tests with label `fuzz`; the libraries get coverage instrumentation for the fuzzer.
set(H5MF_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined")
option(H5MF_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)

if(H5MF_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "H5MF_FUZZ needs clang (libFuzzer): configure with CC=clang CXX=clang++ "
                        "in a separate build directory")
  endif()
  if(NOT H5MF_SANITIZE)
    set(H5MF_SANITIZE address,undefined)
  endif()
  # Coverage for the fuzzer in every library; only the targets in fuzz/ link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(H5MF_SANITIZE)
  # -fno-sanitize-recover: a UBSan report ends the process, so a test or fuzz run cannot pass over it.
  add_compile_options(-fsanitize=${H5MF_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${H5MF_SANITIZE})
  # For the few tests that bound a run time (complexity checks): instrumented code is slower.
  add_compile_definitions(H5MF_SANITIZED=1)
  # GoogleTest programs are listed when ctest runs, under the options below, not at build time.
  set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
  set(H5MF_SANITIZER_DIR ${PROJECT_SOURCE_DIR}/tests/sanitizers)
  configure_file(${H5MF_SANITIZER_DIR}/environment.cmake.in
                 ${PROJECT_BINARY_DIR}/sanitizer_environment.cmake @ONLY)
  # Read by ctest before any test of the build runs: the options reach every test and its children.
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY TEST_INCLUDE_FILES
               ${PROJECT_BINARY_DIR}/sanitizer_environment.cmake)
endif()
