/* Issue 16's netCDF-4 acceptance program: Debian's parallel netCDF (libnetcdf-mpi-dev), which
 * reaches HDF5 through H5Pset_fapl_mpio; nothing of h5mf.
 *
 *   mpiexec -n N netcdf_par OUT.nc                   (netCDF-4 on the mpio driver)
 *   mpiexec -n N h5mf exec -- netcdf_par OUT.nc      (the h5mf driver, a container at OUT.nc)
 *
 * One int variable `values` (row, col) = (N*R, C): rank r writes rows [r*R, r*R+R) with
 * nc_put_vara_int, collectively (nc_var_par_access NC_COLLECTIVE); value at local row i, column j:
 * 1000*r + C*i + j. A second variable `partial` (row) of doubles, independent access, where each
 * rank writes only its first row (the rest reads as netCDF's default fill). Global attributes
 * `title` (text) and `nprocs` (int); `units` on `values`. Every netCDF call is checked.
 */
#include <mpi.h>
#include <netcdf.h>
#include <netcdf_par.h>
#include <stdio.h>
#include <stdlib.h>

enum { R = 4, C = 8 };

static int rank, nprocs;

#define CHECK(call) check_status((call), #call, __LINE__)
static void check_status(int status, const char* what, int line) {
  if (status != NC_NOERR) {
    fprintf(stderr, "netcdf_par (rank %d of %d): %s failed at line %d: %s\n", rank, nprocs, what, line,
            nc_strerror(status));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
  if (argc != 2) {
    if (rank == 0) fprintf(stderr, "usage: mpiexec -n N %s OUT.nc\n", argv[0]);
    MPI_Finalize();
    return 2;
  }

  int ncid, dims[2], values, partial;
  CHECK(nc_create_par(argv[1], NC_NETCDF4 | NC_CLOBBER, MPI_COMM_WORLD, MPI_INFO_NULL, &ncid));
  CHECK(nc_def_dim(ncid, "row", (size_t)nprocs * R, &dims[0]));
  CHECK(nc_def_dim(ncid, "col", C, &dims[1]));
  CHECK(nc_def_var(ncid, "values", NC_INT, 2, dims, &values));
  CHECK(nc_def_var(ncid, "partial", NC_DOUBLE, 1, dims, &partial));
  static const char title[] = "one variable written from every rank with nc_create_par";
  CHECK(nc_put_att_text(ncid, NC_GLOBAL, "title", sizeof title - 1, title));
  CHECK(nc_put_att_int(ncid, NC_GLOBAL, "nprocs", NC_INT, 1, &nprocs));
  CHECK(nc_put_att_text(ncid, values, "units", 5, "count"));
  CHECK(nc_enddef(ncid));

  CHECK(nc_var_par_access(ncid, values, NC_COLLECTIVE));
  int slab[R][C];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) slab[i][j] = 1000 * rank + C * i + j;
  size_t start[2] = {(size_t)rank * R, 0}, count[2] = {R, C};
  CHECK(nc_put_vara_int(ncid, values, start, count, &slab[0][0]));

  CHECK(nc_var_par_access(ncid, partial, NC_INDEPENDENT));
  double first = 1000.0 * rank + 0.5;
  size_t one = 1;
  CHECK(nc_put_vara_double(ncid, partial, start, &one, &first));

  CHECK(nc_close(ncid));
  if (rank == 0) printf("netcdf_par: %d ranks wrote %s\n", nprocs, argv[1]);
  MPI_Finalize();
  return 0;
}
