# Issue 2's user session, seed 002 with h5mf:
#
#   mpiexec -n 4 build/examples/hello_parallel output.h5
#   find output.h5/            -> metafile, 0, 0.offset ... 3, 3.offset
#   build/bin/h5mf merge output.h5
#   h5dump output.h5           -> seed 002's DDL, sized 4 (hello_parallel_4.ddl)
set(E2E_REQUIRED MPIEXEC NUMPROC_FLAG HELLO H5MF H5DUMP EXPECTED WORK)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

mpi_step("hello_parallel" 4 "${HELLO}" output.h5)
if(NOT step_output MATCHES "4 MPI ranks have finished writing!")
  message(FATAL_ERROR "hello_parallel did not report its 4 ranks:\n${step_output}")
endif()
expect_container(output.h5 4)

step("h5mf merge" "${H5MF}" merge output.h5)
expect_merged_in_place(output.h5)

step("h5dump" "${H5DUMP}" output.h5)
file(READ "${EXPECTED}" expected)
if(NOT step_output STREQUAL expected)
  message(FATAL_ERROR "h5dump output.h5 shows\n${step_output}\nexpected (${EXPECTED})\n${expected}")
endif()

file(REMOVE_RECURSE "${WORK}")
