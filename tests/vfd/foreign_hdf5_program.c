/* A program that opts in to the h5mf driver while the HDF5 its H5Fopen reaches is a foreign one
 * (foreign_hdf5.c, linked right after the driver): H5Pset_fapl_h5mf must fail with a message
 * naming what it found, and the program goes on. Prints "refused" or "accepted". */
#include <stdio.h>

#include "h5mf/H5FDh5mf.h"

int main(void) {
  const herr_t status = H5Pset_fapl_h5mf(H5P_DEFAULT, MPI_COMM_NULL, MPI_INFO_NULL);
  puts(status < 0 ? "refused" : "accepted");
  return 0;
}
