# One check of `h5mf view` (cmake -P). Variables: WRITER, H5MF, H5DUMP, PYTHON, CHECK_PY, WORK (a
# scratch directory), PATTERN, ARGS (options of `h5mf view`), MAPPINGS (the mappings the view must
# have, or empty), REFUSED (empty, or a regex the refusal message must match), RC (the exit code of
# `h5mf view` and `h5mf merge`: 2 when they report damaged records).
#
# The writer makes WORK/c/<PATTERN>.h5 (a container, or for `base` an HDF5 file with its container
# beside it). The view must then dump exactly as the merged file does (h5dump, apart from the first
# line that names the file), from the view's directory, from another one and from `/`, also when
# the view is copied elsewhere alone, or moved elsewhere with its sources file; and h5py must read
# the same groups, attributes, types, shapes, fill values and data from it.
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/c ${WORK}/elsewhere/moved)
set(name ${PATTERN}.h5)

function(run)
  cmake_parse_arguments(arg "" "DIR;OUT;ERR;RC" "COMMAND" ${ARGN})
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY ${arg_DIR} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REPLACE ";" " " shown "${arg_COMMAND}")
  if(arg_RC)
    set(${arg_RC} "${rc}" PARENT_SCOPE)
  elseif(NOT rc STREQUAL "0")
    message(FATAL_ERROR "'${shown}' (in ${arg_DIR}) exited with ${rc}:\n${err}${out}")
  endif()
  if(arg_OUT)
    set(${arg_OUT} "${out}" PARENT_SCOPE)
  endif()
  if(arg_ERR)
    set(${arg_ERR} "${err}" PARENT_SCOPE)
  endif()
endfunction()

# h5dump output without its first line (HDF5 "<file name>" {).
function(dump_body var dir file)
  run(DIR ${dir} COMMAND ${H5DUMP} ${file} OUT out)
  string(FIND "${out}" "\n" end)
  math(EXPR end "${end} + 1")
  string(SUBSTRING "${out}" ${end} -1 body)
  set(${var} "${body}" PARENT_SCOPE)
endfunction()

# Names the first line that differs (walked with string(FIND), not as a CMake list, which would
# split at ';' and pair up brackets).
function(compare what expected actual)
  if(expected STREQUAL actual)
    return()
  endif()
  file(WRITE ${WORK}/expected.txt "${expected}")
  file(WRITE ${WORK}/actual.txt "${actual}")
  set(line 2)
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
  message(FATAL_ERROR "${what}: line ${line} differs (outputs in ${WORK}/expected.txt, actual.txt)\n"
                      "  merged: ${e}\n  view:   ${a}")
endfunction()

run(DIR ${WORK}/c COMMAND ${WRITER} ${name} ${PATTERN})

if(REFUSED)
  run(DIR ${WORK} COMMAND ${H5MF} view ${ARGS} c/${name} RC rc OUT out ERR err)
  if(rc STREQUAL "0" OR NOT err MATCHES "(^|\n)h5mf view: .*${REFUSED}.*Use 'h5mf merge' instead")
    message(FATAL_ERROR "h5mf view ${ARGS} c/${name}: expected a refusal matching '${REFUSED}', got exit code "
                        "${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  file(GLOB_RECURSE left ${WORK}/c/*view*)
  if(left)
    message(FATAL_ERROR "a refused view left files behind: ${left}")
  endif()
  message(STATUS "refused as expected: ${err}")
  return()
endif()

run(DIR ${WORK} COMMAND ${H5MF} view --json ${ARGS} c/${name} OUT json ERR err RC rc)
if(NOT rc STREQUAL RC)
  message(FATAL_ERROR "h5mf view --json ${ARGS} c/${name} exited with ${rc}, not ${RC}:\n${err}${json}")
endif()
if(NOT RC STREQUAL "0")
  string(JSON dropped GET "${json}" records_dropped)
  message(STATUS "damage reported (${dropped} records dropped):\n${err}")
endif()
string(JSON view GET "${json}" output)
string(JSON sources GET "${json}" sources)
string(JSON mappings GET "${json}" mappings)
message(STATUS "view ${view}, sources ${sources}: ${mappings} mappings")
if(NOT MAPPINGS STREQUAL "" AND NOT mappings EQUAL MAPPINGS)
  message(FATAL_ERROR "the view has ${mappings} mappings, expected ${MAPPINGS}:\n${json}")
endif()
run(DIR ${WORK} COMMAND ${H5MF} merge -q -o merged.h5 c/${name} RC rc ERR err)
if(NOT rc STREQUAL RC)
  message(FATAL_ERROR "h5mf merge -o merged.h5 c/${name} exited with ${rc}, not ${RC}:\n${err}")
endif()

dump_body(expected ${WORK} merged.h5)
dump_body(actual ${WORK} ${view})
compare("h5dump of the view (from ${WORK})" "${expected}" "${actual}")
dump_body(actual ${WORK}/elsewhere ../${view})
compare("h5dump of the view (from ${WORK}/elsewhere)" "${expected}" "${actual}")
dump_body(actual / ${WORK}/${view})
compare("h5dump of the view (from /)" "${expected}" "${actual}")
run(DIR ${WORK}/elsewhere COMMAND ${PYTHON} ${CHECK_PY} ${WORK}/${view} ${WORK}/merged.h5 OUT out)
message(STATUS "${out}")

# The view names its sources file by absolute path, and HDF5 looks for a source file that is not
# there by its name in the view's directory: a copy of the view alone still reads the sources,
# and so do the view and its sources moved elsewhere together.
get_filename_component(view_name ${view} NAME)
get_filename_component(sources_name ${sources} NAME)
file(MAKE_DIRECTORY ${WORK}/elsewhere/alone)
file(COPY ${WORK}/${view} DESTINATION ${WORK}/elsewhere/alone)
dump_body(actual ${WORK}/c ../elsewhere/alone/${view_name})
compare("h5dump of a copy of the view alone, in ${WORK}/elsewhere/alone" "${expected}" "${actual}")
file(RENAME ${WORK}/${view} ${WORK}/elsewhere/moved/${view_name})
file(RENAME ${WORK}/${sources} ${WORK}/elsewhere/moved/${sources_name})
dump_body(actual ${WORK}/c ../elsewhere/moved/${view_name})
compare("h5dump of the view and its sources moved to ${WORK}/elsewhere/moved" "${expected}" "${actual}")
