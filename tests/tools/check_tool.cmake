# One check of an h5mf tool against the HDF5 tool it imitates (cmake -P). Variables: WRITER,
# H5MF, H5DUMP, H5LS, WORK (a scratch directory), PATTERN, MODE (dump, ls, datasets, flags,
# properties (flags with -p), unsupported, or plain and plain_ls), ARGS (datasets: names for -d; dump: extra options of `h5mf dump`; flags
# and plain: options given to both `h5mf dump` and h5dump, e.g. -H -g /group), EXPECT_RC (the exit code both tools
# must return, 0 unless given: h5dump -d of a missing name prints the others and returns 1).
# With PYTHON set, WRITER is a Python script run by it (PYTHON_PATH: where the h5mf package is).
#
# plain and plain_ls: the writer makes a plain HDF5 file (h5py), and `h5mf dump` / `h5mf ls` of it
# must print what h5dump / h5ls -r print of the same file. plain_refused: `h5mf dump` of it gives
# only an error naming ARGS (a type), exit code 1.
#
# The container is WORK/c/<PATTERN>.h5/ and the merged file WORK/m/<PATTERN>.h5, so that both tools
# are given the same name and print the same first line; the container is named with a trailing
# slash to check that `h5mf dump` strips it. The merged file is then read by the h5mf tool too
# (through the sec2 driver) and must give the same output once more.
cmake_minimum_required(VERSION 3.25)  # current policies (while(TRUE), empty list elements)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/c ${WORK}/m)
set(name ${PATTERN}.h5)

include(${CMAKE_CURRENT_LIST_DIR}/../cmake/check_support.cmake)  # run(), compare()

set(writer ${WRITER})
if(PYTHON)
  set(writer ${CMAKE_COMMAND} -E env PYTHONPATH=${PYTHON_PATH} PYTHONDONTWRITEBYTECODE=1 ${PYTHON} ${WRITER})
endif()
run(DIR ${WORK}/c COMMAND ${writer} ${name} ${PATTERN})
if(MODE STREQUAL "plain_refused")
  run(DIR ${WORK}/c COMMAND ${H5MF} dump ${name} OUT out ERR err EXPECT 1)
  if(NOT out STREQUAL "" OR NOT err MATCHES "^h5mf dump: type ${ARGS} .* is not supported yet\n$")
    message(FATAL_ERROR "h5mf dump of a file with ${ARGS}: expected only an error, got\nstdout: ${out}\nstderr: ${err}")
  endif()
  return()
endif()
if(MODE STREQUAL "plain" OR MODE STREQUAL "plain_ls")
  if(MODE STREQUAL "plain")
    set(tool_command ${H5MF} dump ${ARGS})
    set(reference_command ${H5DUMP} ${ARGS})
  else()
    set(tool_command ${H5MF} ls)
    set(reference_command ${H5LS} -r)
  endif()
  run(DIR ${WORK}/c COMMAND ${reference_command} ${name} OUT expected)
  run(DIR ${WORK}/c COMMAND ${tool_command} ${name} OUT actual)
  string(JOIN " " shown ${reference_command})
  compare("${MODE} of a plain file against ${shown} of it" "${expected}" "${actual}")
  return()
endif()
if(NOT IS_DIRECTORY ${WORK}/c/${name})
  message(FATAL_ERROR "the writer made no container at ${WORK}/c/${name}")
endif()

if(MODE STREQUAL "unsupported")
  # A type the printer cannot format: an error naming it, exit code 1, and no partial output.
  run(DIR ${WORK}/c COMMAND ${H5MF} dump ${name} OUT out ERR err EXPECT 1)
  if(NOT out STREQUAL "" OR NOT err MATCHES "^h5mf dump: type .* of dataset '/pairs' is not supported yet\n$")
    message(FATAL_ERROR "h5mf dump of a dataset of an unsupported type: expected only an error, got\n"
                        "stdout: ${out}\nstderr: ${err}")
  endif()
  return()
elseif(MODE STREQUAL "ls")
  set(tool_command ${H5MF} ls)
  set(reference_command ${H5LS} -r)
  set(options)
elseif(MODE STREQUAL "dump")
  set(tool_command ${H5MF} dump ${ARGS})
  set(reference_command ${H5DUMP})
  set(options)
elseif(MODE STREQUAL "datasets")
  set(options)
  foreach(dataset IN LISTS ARGS)
    list(APPEND options -d ${dataset})
  endforeach()
  set(tool_command ${H5MF} dump)
  set(reference_command ${H5DUMP})
elseif(MODE STREQUAL "flags" OR MODE STREQUAL "properties")
  set(options ${ARGS})
  set(tool_command ${H5MF} dump)
  set(reference_command ${H5DUMP})
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()

if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 0)
endif()
run(DIR ${WORK}/c COMMAND ${tool_command} ${options} ${name}/ OUT from_container EXPECT ${EXPECT_RC})
run(DIR ${WORK} COMMAND ${H5MF} merge -q -o m/${name} c/${name})
run(DIR ${WORK}/m COMMAND ${reference_command} ${options} ${name} OUT expected EXPECT ${EXPECT_RC})
set(expected_of_container "${expected}")
# A container's references (its dimension scales) name objects without the address only the
# merged file gives them: `DATASET "/x"` where h5dump prints `DATASET 800 "/x"` (docs/cli.md).
string(REGEX REPLACE "(DATASET|GROUP|DATATYPE) [0-9]+ \"" "\\1 \"" expected_of_container "${expected_of_container}")
if(MODE STREQUAL "properties")
  # What only the merged file has: the address of contiguous data and the size of chunked data
  # (compressed by the merge). A container's dump leaves those lines out (tools/ddl_printer.cpp).
  string(REGEX REPLACE "\n *OFFSET [0-9]+\n" "\n" expected_of_container "${expected_of_container}")
  string(REGEX REPLACE "(CHUNKED \\([^\n]*\\)\n) *SIZE [^\n]*\n" "\\1" expected_of_container
         "${expected_of_container}")
endif()
compare("${MODE} of the container against ${reference_command} of the merged file" "${expected_of_container}"
        "${from_container}")
run(DIR ${WORK}/m COMMAND ${tool_command} ${options} ${name} OUT from_merged EXPECT ${EXPECT_RC})
compare("${MODE} of the merged file against ${reference_command} of it" "${expected}" "${from_merged}")
