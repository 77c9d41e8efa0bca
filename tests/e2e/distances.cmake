# Seed 001's "favourite example" with h5mf at 4 ranks: each rank writes the distances of its share
# of coords.hdf5 into a container; `h5mf merge -o` writes the file beside it (the container stays),
# `h5mf merge` replaces it in place; h5py checks distances == sqrt(sum(coords**2, axis=1)) in both.
set(E2E_REQUIRED MPIEXEC NUMPROC_FLAG DISTANCES H5MF PYTHON CHECK WORK)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

mpi_step("distances" 4 "${DISTANCES}" coords.hdf5 distances.h5)
expect_container(distances.h5 4)

step("h5mf merge -o" "${H5MF}" merge distances.h5 -o merged.h5)
if(NOT IS_DIRECTORY "${WORK}/distances.h5")
  message(FATAL_ERROR "`h5mf merge distances.h5 -o merged.h5` did not leave the container in place")
endif()
step("h5py check of merged.h5" "${PYTHON}" "${CHECK}" merged.h5 coords.hdf5)
message(STATUS "${step_output}")

step("h5mf merge" "${H5MF}" merge distances.h5)
expect_merged_in_place(distances.h5)
step("h5py check of distances.h5" "${PYTHON}" "${CHECK}" distances.h5 coords.hdf5)
message(STATUS "${step_output}")

file(REMOVE_RECURSE "${WORK}")
