# What the `cmake -P` check scripts share (tests/tools/check_tool.cmake, tests/view/view_check.cmake).
# WORK must be set: compare() writes both outputs there when they differ.

# run(DIR dir COMMAND cmd... [OUT var] [ERR var] [EXPECT rc | RC var]): runs cmd in dir and keeps its
# stdout and stderr. With RC, hands back the exit code; otherwise fails unless the command exits
# with EXPECT (0 unless given).
function(run)
  cmake_parse_arguments(arg "" "DIR;OUT;ERR;EXPECT;RC" "COMMAND" ${ARGN})
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY ${arg_DIR} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT arg_EXPECT)
    set(arg_EXPECT 0)
  endif()
  if(arg_RC)
    set(${arg_RC} "${rc}" PARENT_SCOPE)
  elseif(NOT rc STREQUAL arg_EXPECT)
    string(REPLACE ";" " " shown "${arg_COMMAND}")
    message(FATAL_ERROR "'${shown}' (in ${arg_DIR}) exited with ${rc}, not ${arg_EXPECT}:\n${err}${out}")
  endif()
  if(arg_OUT)
    set(${arg_OUT} "${out}" PARENT_SCOPE)
  endif()
  if(arg_ERR)
    set(${arg_ERR} "${err}" PARENT_SCOPE)
  endif()
endfunction()

# compare(what expected actual [FIRST_LINE n]): fails naming the first line that differs (counted
# from n, 1 unless given: outputs whose first line was cut off start at 2). Walked with
# string(FIND) rather than as CMake lists, which would split at ';' and pair up '[' and ']'.
function(compare what expected actual)
  cmake_parse_arguments(arg "" "FIRST_LINE" "" ${ARGN})
  if(expected STREQUAL actual)
    return()
  endif()
  file(WRITE ${WORK}/expected.txt "${expected}")
  file(WRITE ${WORK}/actual.txt "${actual}")
  set(line 1)
  if(arg_FIRST_LINE)
    set(line ${arg_FIRST_LINE})
  endif()
  while(TRUE)
    string(FIND "${expected}" "\n" e_end)
    string(FIND "${actual}" "\n" a_end)
    string(SUBSTRING "${expected}" 0 ${e_end} e)
    string(SUBSTRING "${actual}" 0 ${a_end} a)
    if(NOT e STREQUAL a OR e_end EQUAL -1 OR a_end EQUAL -1)
      break()
    endif()
    math(EXPR e_end "${e_end} + 1")
    math(EXPR a_end "${a_end} + 1")
    string(SUBSTRING "${expected}" ${e_end} -1 expected)
    string(SUBSTRING "${actual}" ${a_end} -1 actual)
    math(EXPR line "${line} + 1")
  endwhile()
  if(e STREQUAL "" AND e_end EQUAL -1)
    set(e "<end of output>")
  endif()
  if(a STREQUAL "" AND a_end EQUAL -1)
    set(a "<end of output>")
  endif()
  message(FATAL_ERROR "${what}: line ${line} differs (full outputs in ${WORK}/expected.txt, actual.txt)\n"
                      "  expected: ${e}\n  actual:   ${a}")
endfunction()
