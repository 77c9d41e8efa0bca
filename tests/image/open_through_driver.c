/* Opens PATH read-only (or, with "rw", for writing) through the h5mf file driver's serial class, as
 * a program that links libh5mf_vfd does (include/h5mf/H5FDh5mf.h), and lists its root group's
 * members. On failure it prints HDF5's error stack, which carries the driver's reason, and exits
 * with 1. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "h5mf/H5FDh5mf.h"

static herr_t print_name(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  (void)group;
  (void)info;
  (void)data;
  printf("%s\n", name);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 3 && strcmp(argv[2], "rw") == 0)) {
    fprintf(stderr, "usage: open_through_driver PATH [rw]\n");
    return 2;
  }
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_fapl_h5mf(fapl, MPI_COMM_NULL, MPI_INFO_NULL) < 0) {
    H5Eprint2(H5E_DEFAULT, stderr);
    return 1;
  }
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* printed below, once */
  hid_t file = H5Fopen(argv[1], argc == 3 ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
  if (file < 0) {
    H5Eprint2(H5E_DEFAULT, stderr);
    H5Pclose(fapl);
    return 1;
  }
  H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, print_name, NULL);
  H5Fclose(file);
  H5Pclose(fapl);
  return 0;
}
