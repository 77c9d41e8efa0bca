# Fails naming every C and C++ source of the project that .clang-format would change, and how
# to fix it. CLANG_FORMAT and ROOT must be set.
set(sources "")
foreach(dir IN ITEMS include src tools bench python/src tests fuzz examples)
  file(GLOB_RECURSE found ${ROOT}/${dir}/*.cpp ${ROOT}/${dir}/*.hpp ${ROOT}/${dir}/*.h ${ROOT}/${dir}/*.c)
  list(APPEND sources ${found})
endforeach()
list(LENGTH sources count)
if(count EQUAL 0)
  message(FATAL_ERROR "no sources found under ${ROOT}")
endif()
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
                WORKING_DIRECTORY ${ROOT} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  string(REGEX MATCHALL "[^\n]+: error: code should be clang-formatted" offending "${err}")
  list(REMOVE_DUPLICATES offending)
  string(REPLACE ";" "\n" offending "${offending}")
  message(FATAL_ERROR "${offending}\n${err}\n"
                      "Format them with: clang-format-14 -i FILE... (the style is .clang-format at the root)")
endif()
message(STATUS "${count} sources follow .clang-format")
