# Steps shared by the end-to-end scripts (run with `cmake -D... -P`). Every step runs in ${WORK} and
# stops the test with the command's output when it fails.
cmake_minimum_required(VERSION 3.25)

foreach(var IN LISTS E2E_REQUIRED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: -D${var}=... is required")
  endif()
endforeach()

# step(NAME command args...): runs the command; its stdout lands in `step_output`.
function(step name)
  string(REPLACE ";" " " command_line "${ARGN}")
  message(STATUS "${name}: ${command_line}")
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE status
                  OUTPUT_VARIABLE output ERROR_VARIABLE errors TIMEOUT 90)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${name} failed (${status}):\n${output}\n${errors}")
  endif()
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

# mpi_step(NAME RANKS program args...): the program under mpiexec, as a user runs it.
function(mpi_step name ranks)
  step("${name}" "${MPIEXEC}" ${NUMPROC_FLAG} ${ranks} --oversubscribe ${PREFLAGS} ${ARGN})
  set(step_output "${step_output}" PARENT_SCOPE)
endfunction()

# expect_container(PATH RANKS): `find PATH/` lists exactly the metafile and, per writer, its data and
# index files (docs/format.md), nothing else.
function(expect_container path ranks)
  step("find ${path}/" find "${path}/")
  string(REPLACE "\n" ";" found "${step_output}")
  list(REMOVE_ITEM found "")
  list(SORT found)
  set(expected "${path}/" "${path}/metafile")
  math(EXPR last "${ranks} - 1")
  foreach(w RANGE ${last})
    list(APPEND expected "${path}/${w}" "${path}/${w}.offset")
  endforeach()
  list(SORT expected)
  if(NOT found STREQUAL expected)
    string(REPLACE ";" "\n  " found_text "${found}")
    string(REPLACE ";" "\n  " expected_text "${expected}")
    message(FATAL_ERROR "find ${path}/ shows\n  ${found_text}\nexpected\n  ${expected_text}")
  endif()
endfunction()

# expect_merged_in_place(PATH): the container was replaced by a file, nothing left beside it.
function(expect_merged_in_place path)
  if(IS_DIRECTORY "${WORK}/${path}" OR NOT EXISTS "${WORK}/${path}")
    message(FATAL_ERROR "${path} is not a file after `h5mf merge ${path}`")
  endif()
  foreach(suffix .h5mf-tmp .h5mf-old)
    if(EXISTS "${WORK}/${path}${suffix}")
      message(FATAL_ERROR "`h5mf merge ${path}` left ${path}${suffix} behind")
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
