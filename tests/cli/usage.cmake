# cmake -DH5MF=<h5mf> -DVERSION=<x.y.z> [-DMAN=<h5mf.1>] -P usage.cmake

# expect(RC <code> [OUT <regex>] [ERR <regex>] COMMAND <args>...): h5mf <args> exits with <code>
# and its stdout/stderr match.
function(expect)
  cmake_parse_arguments(arg "" "RC;OUT;ERR" "COMMAND" ${ARGN})
  execute_process(COMMAND ${H5MF} ${arg_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(JOIN " " shown h5mf ${arg_COMMAND})
  if(NOT rc STREQUAL arg_RC)
    message(FATAL_ERROR "'${shown}' exited with ${rc}, not ${arg_RC}:\n${err}${out}")
  endif()
  if(DEFINED arg_OUT AND NOT out MATCHES "${arg_OUT}")
    message(FATAL_ERROR "'${shown}' printed\n${out}\nnot matching ${arg_OUT}")
  endif()
  if(DEFINED arg_ERR AND NOT err MATCHES "${arg_ERR}")
    message(FATAL_ERROR "'${shown}' said\n${err}\nnot matching ${arg_ERR}")
  endif()
endfunction()

string(REPLACE "." "\\." version "${VERSION}")
# The version with the HDF5 and MPI libraries it runs on.
expect(RC 0 OUT "^h5mf ${version} \\(HDF5 [0-9]+\\.[0-9]+\\.[0-9]+ parallel, [^\n]+\\)\n$" COMMAND --version)
# An unknown subcommand is named, with the ones there are; usage errors exit with 1.
expect(RC 1 ERR "unknown subcommand 'frobnicate' \\(one of: merge, ls, dump" COMMAND frobnicate data.h5)
expect(RC 1 ERR "subcommand is required" COMMAND)
expect(RC 1 ERR "path is required" COMMAND ls)
expect(RC 1 ERR "--no-such-flag" COMMAND dump --no-such-flag x.h5)
# h5ls's -r is accepted (h5mf ls always lists recursively): the path is what fails here.
expect(RC 1 ERR "^h5mf ls: 'no-such\\.h5' does not exist\n$" COMMAND ls -r no-such.h5)
# One message for a missing path in every command that takes one.
foreach(command dump merge view verify)
  expect(RC 1 ERR "^h5mf ${command}: 'no-such\\.h5' does not exist\n$" COMMAND ${command} no-such.h5)
endforeach()
# One size parser: the option and the text are named.
expect(RC 1 ERR "--records '1X': expected a number or a size such as 64K" COMMAND growth --records 1X)

if(MAN)
  file(READ ${MAN} page)
  if(NOT page MATCHES "\\.SH NAME\nh5mf \\\\- " OR NOT page MATCHES "\\.SH OPTIONS" OR NOT page MATCHES "merge")
    message(FATAL_ERROR "${MAN} is not h5mf's man page:\n${page}")
  endif()
endif()
