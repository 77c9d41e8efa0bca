/* Issue 16's C acceptance program: plain parallel HDF5 1.10 calls, nothing of h5mf.
 *
 *   mpiexec -n N plain_hdf5 OUT.h5                   (the mpio driver, a conventional file)
 *   mpiexec -n N h5mf exec -- plain_hdf5 OUT.h5      (the h5mf driver, a container at OUT.h5)
 *
 * Every rank owns a slab of R rows of each 2-D dataset and writes it in two halves: the first
 * collectively, the second independently (H5Pset_dxpl_mpio). The file holds:
 *   /                                attributes nprocs (int), origin (double[3])
 *   /grid                            attributes title (variable-length string), tags (2 of them)
 *   /grid/contiguous                 double (N*R, C), contiguous, attribute scale (float)
 *   /grid/chunked                    int (N*R, C), chunks (2, C/2)
 *   /grid/level1/sparse              int (N*10), contiguous, fill 7, half of each rank's part written
 *   /grid/level1/level2/fill         int (N*R, C), chunks (2, C/2), fill -99, one row per rank written
 *   /series                          int (N*R, C) -> H5Fflush -> extent (2*N*R+1, C), unlimited rows,
 *                                    chunks (R, C), fill -1; the last row is never written
 * Values are computed from (rank, index) by value() below; tests/vfd/check_content.py checks them.
 * Object modification times are off everywhere (H5Pset_obj_track_times), so two runs at the same
 * rank count write byte-identical files. Every HDF5 call is checked; a failure aborts the job.
 */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R = 4, C = 8, SPARSE = 10 };

static int rank, nprocs;

static void fail(const char* what, const char* file, int line) {
  fprintf(stderr, "plain_hdf5 (rank %d of %d): %s failed at %s:%d\n", rank, nprocs, what, file, line);
  H5Eprint2(H5E_DEFAULT, stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

/* CHECK(call): the call's result (an hid_t or herr_t), aborting the job when it is negative. */
#define CHECK(call) check_result((long long)(call), #call, __FILE__, __LINE__)
static long long check_result(long long result, const char* what, const char* file, int line) {
  if (result < 0) fail(what, file, line);
  return result;
}

/* The value rank `r` writes at row i (0..R-1 within its slab), column j of a dataset; `base`
 * tells the datasets apart. check_content.py computes the same. */
static int value(int base, int r, int i, int j) { return base + 1000 * r + C * i + j; }

static hid_t transfer(H5FD_mpio_xfer_t mode) {
  hid_t dxpl = CHECK(H5Pcreate(H5P_DATASET_XFER));
  CHECK(H5Pset_dxpl_mpio(dxpl, mode));
  return dxpl;
}

static hid_t group_properties(void) {
  hid_t gcpl = CHECK(H5Pcreate(H5P_GROUP_CREATE));
  CHECK(H5Pset_obj_track_times(gcpl, 0));
  return gcpl;
}

/* A dataset creation property list with times off, optionally chunked and with a fill value. */
static hid_t dataset_properties(int rank_, const hsize_t* chunk, const int* fill) {
  hid_t dcpl = CHECK(H5Pcreate(H5P_DATASET_CREATE));
  CHECK(H5Pset_obj_track_times(dcpl, 0));
  if (chunk) CHECK(H5Pset_chunk(dcpl, rank_, chunk));
  if (fill) CHECK(H5Pset_fill_value(dcpl, H5T_NATIVE_INT, fill));
  return dcpl;
}

static hid_t create_dataset(hid_t where, const char* name, hid_t type, int rank_, const hsize_t* dims,
                            const hsize_t* maxdims, hid_t dcpl) {
  hid_t space = CHECK(H5Screate_simple(rank_, dims, maxdims));
  hid_t dset = CHECK(H5Dcreate2(where, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  CHECK(H5Sclose(space));
  return dset;
}

/* Writes rows [first, first+count) x columns [col, col+cols) of a 2-D dataset from `data`
 * (count x cols values of `memtype`) with transfer property list `dxpl`. */
static void write_rows(hid_t dset, hid_t memtype, hsize_t first, hsize_t count, hsize_t col, hsize_t cols,
                       const void* data, hid_t dxpl) {
  hsize_t start[2] = {first, col}, extent[2] = {count, cols};
  hid_t filespace = CHECK(H5Dget_space(dset));
  CHECK(H5Sselect_hyperslab(filespace, H5S_SELECT_SET, start, NULL, extent, NULL));
  hid_t memspace = CHECK(H5Screate_simple(2, extent, NULL));
  CHECK(H5Dwrite(dset, memtype, memspace, filespace, dxpl, data));
  CHECK(H5Sclose(memspace));
  CHECK(H5Sclose(filespace));
}

/* This rank's slab of a 2-D (N*R, C) int dataset starting at row `offset`: its first R/2 rows
 * collectively, the other R/2 independently. */
static void write_slab(hid_t dset, int base, hsize_t offset, hid_t collective, hid_t independent) {
  int slab[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) slab[i][j] = value(base, rank, i, j);
  hsize_t first = offset + (hsize_t)rank * R;
  write_rows(dset, H5T_NATIVE_INT, first, R / 2, 0, C, slab[0], collective);
  write_rows(dset, H5T_NATIVE_INT, first + R / 2, R / 2, 0, C, slab[R / 2], independent);
}

static void write_attribute(hid_t where, const char* name, hid_t filetype, hid_t memtype, hsize_t count,
                            const void* data) {
  hid_t space = count ? CHECK(H5Screate_simple(1, &count, NULL)) : CHECK(H5Screate(H5S_SCALAR));
  hid_t attr = CHECK(H5Acreate2(where, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT));
  CHECK(H5Awrite(attr, memtype, data));
  CHECK(H5Aclose(attr));
  CHECK(H5Sclose(space));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
  if (argc != 2) {
    if (rank == 0) fprintf(stderr, "usage: mpiexec -n N %s OUT.h5\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  const hsize_t rows = (hsize_t)nprocs * R;

  hid_t fapl = CHECK(H5Pcreate(H5P_FILE_ACCESS));
  CHECK(H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL));
  hid_t fcpl = CHECK(H5Pcreate(H5P_FILE_CREATE));
  CHECK(H5Pset_obj_track_times(fcpl, 0)); /* the root group */
  hid_t file = CHECK(H5Fcreate(argv[1], H5F_ACC_TRUNC, fcpl, fapl));
  hid_t collective = transfer(H5FD_MPIO_COLLECTIVE);
  hid_t independent = transfer(H5FD_MPIO_INDEPENDENT);

  const double origin[3] = {0.5, -1.25, 3.0};
  write_attribute(file, "nprocs", H5T_STD_I32LE, H5T_NATIVE_INT, 0, &nprocs);
  write_attribute(file, "origin", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, origin);

  /* Nested groups; a variable-length string attribute (its bytes go to the global heap). */
  hid_t gcpl = group_properties();
  hid_t grid = CHECK(H5Gcreate2(file, "grid", H5P_DEFAULT, gcpl, H5P_DEFAULT));
  hid_t level1 = CHECK(H5Gcreate2(grid, "level1", H5P_DEFAULT, gcpl, H5P_DEFAULT));
  hid_t level2 = CHECK(H5Gcreate2(level1, "level2", H5P_DEFAULT, gcpl, H5P_DEFAULT));
  hid_t vlstr = CHECK(H5Tcopy(H5T_C_S1));
  CHECK(H5Tset_size(vlstr, H5T_VARIABLE));
  const char* title = "plain parallel HDF5 1.10 through H5Pset_fapl_mpio";
  const char* tags[2] = {"contiguous and chunked", "fill values, groups, attributes, a resize"};
  write_attribute(grid, "title", vlstr, vlstr, 0, &title);
  write_attribute(grid, "tags", vlstr, vlstr, 2, tags);

  /* A contiguous double dataset. */
  hsize_t dims[2] = {rows, C};
  hid_t dcpl = dataset_properties(2, NULL, NULL);
  hid_t contiguous = create_dataset(grid, "contiguous", H5T_IEEE_F64LE, 2, dims, NULL, dcpl);
  const float scale = 0.25f;
  write_attribute(contiguous, "scale", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 0, &scale);
  double reals[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) reals[i][j] = value(0, rank, i, j) + 0.5;
  write_rows(contiguous, H5T_NATIVE_DOUBLE, (hsize_t)rank * R, R / 2, 0, C, reals[0], collective);
  write_rows(contiguous, H5T_NATIVE_DOUBLE, (hsize_t)rank * R + R / 2, R / 2, 0, C, reals[R / 2], independent);
  CHECK(H5Pclose(dcpl));

  /* A chunked int dataset, several chunks per slab. */
  const hsize_t chunk[2] = {2, C / 2};
  dcpl = dataset_properties(2, chunk, NULL);
  hid_t chunked = create_dataset(grid, "chunked", H5T_STD_I32LE, 2, dims, NULL, dcpl);
  write_slab(chunked, 100000, 0, collective, independent);
  CHECK(H5Pclose(dcpl));

  /* Fill values: a contiguous 1-D dataset (fill 7) and a chunked one (fill -99), partly written. */
  const int seven = 7, minus99 = -99;
  hsize_t sparse_dims = (hsize_t)nprocs * SPARSE;
  dcpl = dataset_properties(1, NULL, &seven);
  hid_t sparse = create_dataset(level1, "sparse", H5T_STD_I32LE, 1, &sparse_dims, NULL, dcpl);
  CHECK(H5Pclose(dcpl));
  {
    int part[SPARSE / 2];
    for (int k = 0; k < SPARSE / 2; ++k) part[k] = value(0, rank, 0, k);
    hsize_t start = (hsize_t)rank * SPARSE, count = SPARSE / 2;
    hid_t filespace = CHECK(H5Dget_space(sparse));
    CHECK(H5Sselect_hyperslab(filespace, H5S_SELECT_SET, &start, NULL, &count, NULL));
    hid_t memspace = CHECK(H5Screate_simple(1, &count, NULL));
    CHECK(H5Dwrite(sparse, H5T_NATIVE_INT, memspace, filespace, independent, part));
    CHECK(H5Sclose(memspace));
    CHECK(H5Sclose(filespace));
  }
  dcpl = dataset_properties(2, chunk, &minus99);
  hid_t fill = create_dataset(level2, "fill", H5T_STD_I32LE, 2, dims, NULL, dcpl);
  CHECK(H5Pclose(dcpl));
  {
    int row[C / 2];
    for (int j = 0; j < C / 2; ++j) row[j] = value(200000, rank, 0, j);
    write_rows(fill, H5T_NATIVE_INT, (hsize_t)rank * R, 1, 0, C / 2, row, collective);
  }

  /* A chunked dataset with unlimited rows: written, flushed, extended, the new part written. */
  const hsize_t series_chunk[2] = {R, C}, maxdims[2] = {H5S_UNLIMITED, C};
  const int minus1 = -1;
  dcpl = dataset_properties(2, series_chunk, &minus1);
  hid_t series = create_dataset(file, "series", H5T_STD_I32LE, 2, dims, maxdims, dcpl);
  CHECK(H5Pclose(dcpl));
  write_slab(series, 300000, 0, collective, independent);

  CHECK(H5Fflush(file, H5F_SCOPE_GLOBAL));

  const hsize_t extended[2] = {2 * rows + 1, C};
  CHECK(H5Dset_extent(series, extended));
  write_slab(series, 400000, rows, collective, independent);
  const int rows_per_rank = R;
  write_attribute(series, "rows_per_rank", H5T_STD_I32LE, H5T_NATIVE_INT, 0, &rows_per_rank);

  CHECK(H5Dclose(series));
  CHECK(H5Dclose(fill));
  CHECK(H5Dclose(sparse));
  CHECK(H5Dclose(chunked));
  CHECK(H5Dclose(contiguous));
  CHECK(H5Tclose(vlstr));
  CHECK(H5Gclose(level2));
  CHECK(H5Gclose(level1));
  CHECK(H5Gclose(grid));
  CHECK(H5Pclose(gcpl));
  CHECK(H5Pclose(independent));
  CHECK(H5Pclose(collective));
  CHECK(H5Fclose(file));
  CHECK(H5Pclose(fcpl));
  CHECK(H5Pclose(fapl));
  if (rank == 0) printf("plain_hdf5: %d ranks wrote %s\n", nprocs, argv[1]);
  MPI_Finalize();
  return 0;
}
