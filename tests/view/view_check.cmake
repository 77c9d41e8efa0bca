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

include(${CMAKE_CURRENT_LIST_DIR}/../cmake/check_support.cmake)  # run(), compare()

# h5dump output without its first line (HDF5 "<file name>" {).
function(dump_body var dir file)
  run(DIR ${dir} COMMAND ${H5DUMP} ${file} OUT out)
  string(FIND "${out}" "\n" end)
  math(EXPR end "${end} + 1")
  string(SUBSTRING "${out}" ${end} -1 body)
  set(${var} "${body}" PARENT_SCOPE)
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
compare("h5dump of the view (from ${WORK})" "${expected}" "${actual}" FIRST_LINE 2)
dump_body(actual ${WORK}/elsewhere ../${view})
compare("h5dump of the view (from ${WORK}/elsewhere)" "${expected}" "${actual}" FIRST_LINE 2)
dump_body(actual / ${WORK}/${view})
compare("h5dump of the view (from /)" "${expected}" "${actual}" FIRST_LINE 2)
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
compare("h5dump of a copy of the view alone, in ${WORK}/elsewhere/alone" "${expected}" "${actual}" FIRST_LINE 2)
file(RENAME ${WORK}/${view} ${WORK}/elsewhere/moved/${view_name})
file(RENAME ${WORK}/${sources} ${WORK}/elsewhere/moved/${sources_name})
dump_body(actual ${WORK}/c ../elsewhere/moved/${view_name})
compare("h5dump of the view and its sources moved to ${WORK}/elsewhere/moved" "${expected}" "${actual}" FIRST_LINE 2)
