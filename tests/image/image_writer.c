/* A plain parallel HDF5 program (H5Pset_fapl_mpio, no h5mf in its code) that the image container
 * tests run under `h5mf exec`. Every value is a function of where it is, so that a checker can tell
 * what each element must hold.
 *
 *   image_writer PATH            groups, a contiguous and a chunked dataset, attributes; close
 *   image_writer PATH READY_DIR  the same, then H5Fflush; then each rank overwrites /after once,
 *                                creates groups /later/g<i> (enough that HDF5 writes metadata
 *                                before any flush), writes READY_DIR/<rank>.pid, and rank 0
 *                                READY_DIR/ready; then the ranks overwrite /after until they are
 *                                killed
 *   image_writer PATH READY_DIR noflush   the same without the H5Fflush
 *
 * /grp/a   int32 [ranks * 1000], contiguous: rank r writes a[r*1000 + i] = r*1000 + i + 1
 * /b       float64 [ranks][100], chunked 1 x 50: row r written by rank r, b[r][j] = r + j / 100
 * /after   int32 [ranks * 65536] (256 KiB a rank: each write bypasses the driver's buffer): written
 *          before the flush as -(index + 1); afterwards, round k writes rank r's part as
 *          k * 1000000 + index
 * attributes: /grp "ranks" (int32), /b "units" (fixed string "m/s") */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 1000
#define AFTER 65536

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "image_writer: %s failed\n", what);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

static void write_part(hid_t dataset, int rank, hsize_t n, const int* values) {
  hsize_t start[1] = {(hsize_t)rank * n}, count[1] = {n};
  hid_t file_space = H5Dget_space(dataset);
  hid_t memory_space = H5Screate_simple(1, count, NULL);
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0, "select");
  check(H5Dwrite(dataset, H5T_NATIVE_INT, memory_space, file_space, H5P_DEFAULT, values) >= 0, "H5Dwrite");
  H5Sclose(memory_space);
  H5Sclose(file_space);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (argc < 2) {
    fprintf(stderr, "usage: image_writer PATH [READY_DIR]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  check(H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) >= 0, "H5Pset_fapl_mpio");
  hid_t file = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  check(file >= 0, "H5Fcreate");

  hsize_t dims[1] = {(hsize_t)ranks * N};
  hid_t space = H5Screate_simple(1, dims, NULL);
  hid_t group = H5Gcreate2(file, "grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t a = H5Dcreate2(group, "a", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t after_dims[1] = {(hsize_t)ranks * AFTER};
  hid_t after_space = H5Screate_simple(1, after_dims, NULL);
  hid_t after = H5Dcreate2(file, "after", H5T_STD_I32LE, after_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  check(group >= 0 && a >= 0 && after >= 0, "creating /grp/a and /after");

  hsize_t b_dims[2] = {(hsize_t)ranks, 100}, chunk[2] = {1, 50};
  hid_t b_space = H5Screate_simple(2, b_dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  hid_t b = H5Dcreate2(file, "b", H5T_IEEE_F64LE, b_space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  check(b >= 0, "creating /b");

  int scalar = ranks;
  hid_t scalar_space = H5Screate(H5S_SCALAR);
  hid_t attribute = H5Acreate2(group, "ranks", H5T_STD_I32LE, scalar_space, H5P_DEFAULT, H5P_DEFAULT);
  check(attribute >= 0 && H5Awrite(attribute, H5T_NATIVE_INT, &scalar) >= 0, "attribute ranks");
  H5Aclose(attribute);
  hid_t string_type = H5Tcopy(H5T_C_S1);
  H5Tset_size(string_type, 4);
  attribute = H5Acreate2(b, "units", string_type, scalar_space, H5P_DEFAULT, H5P_DEFAULT);
  check(attribute >= 0 && H5Awrite(attribute, string_type, "m/s") >= 0, "attribute units");
  H5Aclose(attribute);

  static int values[AFTER];
  for (int i = 0; i < N; ++i) values[i] = rank * N + i + 1;
  write_part(a, rank, N, values);
  for (int i = 0; i < AFTER; ++i) values[i] = -(rank * AFTER + i + 1);
  write_part(after, rank, AFTER, values);
  double row[100];
  for (int j = 0; j < 100; ++j) row[j] = rank + j / 100.0;
  hsize_t start[2] = {(hsize_t)rank, 0}, count[2] = {1, 100};
  hid_t b_file_space = H5Dget_space(b);
  hid_t row_space = H5Screate_simple(2, count, NULL);
  H5Sselect_hyperslab(b_file_space, H5S_SELECT_SET, start, NULL, count, NULL);
  check(H5Dwrite(b, H5T_NATIVE_DOUBLE, row_space, b_file_space, H5P_DEFAULT, row) >= 0, "writing /b");

  if (argc > 2) {
    if (argc < 4 || strcmp(argv[3], "noflush") != 0) check(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0, "H5Fflush");
    int round = 1;
    /* A first round before saying ready: the kill always finds writes made after the flush. */
    for (int i = 0; i < AFTER; ++i) values[i] = round * 1000000 + rank * AFTER + i;
    write_part(after, rank, AFTER, values);
    char name[4096];
    /* Metadata after the flush: more than HDF5's metadata cache keeps dirty, so that some of it
     * is written into the file (the container's image) before the kill. */
    hid_t later = H5Gcreate2(file, "later", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    check(later >= 0, "creating /later");
    for (int g = 0; g < 3000; ++g) {
      snprintf(name, sizeof name, "g%d", g);
      hid_t group_g = H5Gcreate2(later, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      hid_t attribute_g = H5Acreate2(group_g, "ranks", H5T_STD_I32LE, scalar_space, H5P_DEFAULT, H5P_DEFAULT);
      check(group_g >= 0 && attribute_g >= 0 && H5Awrite(attribute_g, H5T_NATIVE_INT, &scalar) >= 0, "/later/g<i>");
      H5Aclose(attribute_g);
      H5Gclose(group_g);
    }
    H5Gclose(later);
    snprintf(name, sizeof name, "%s/%d.pid", argv[2], rank);
    FILE* pid = fopen(name, "w");
    check(pid != NULL, "writing the pid file");
    fprintf(pid, "%ld\n", (long)getpid());
    fclose(pid);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) {
      snprintf(name, sizeof name, "%s/ready", argv[2]);
      FILE* ready = fopen(name, "w");
      check(ready != NULL, "writing the ready file");
      fclose(ready);
    }
    /* Independent writes only: no collective call that a killed peer could leave hanging. */
    for (++round;; ++round) {
      for (int i = 0; i < AFTER; ++i) values[i] = round * 1000000 + rank * AFTER + i;
      write_part(after, rank, AFTER, values);
      usleep(20000);
    }
  }

  H5Sclose(row_space);
  H5Sclose(b_file_space);
  H5Tclose(string_type);
  H5Sclose(scalar_space);
  H5Pclose(dcpl);
  H5Sclose(b_space);
  H5Sclose(after_space);
  H5Dclose(b);
  H5Dclose(after);
  H5Dclose(a);
  H5Gclose(group);
  H5Sclose(space);
  check(H5Fclose(file) >= 0, "H5Fclose");
  H5Pclose(fapl);
  MPI_Finalize();
  return 0;
}
