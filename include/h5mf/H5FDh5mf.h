/* The h5mf HDF5 file driver (libh5mf_vfd): parallel HDF5 programs write an h5mf container -- a
 * directory at the file's path in which every rank appends to its own files -- at file-per-process
 * speed, with their usual H5Fcreate/H5Dwrite calls; `h5mf merge` turns it into the file the mpio
 * driver would have written. In HDF5's style, usable from C, C++ and Fortran (through
 * h5mf_fapl_set, a plain-integer wrapper).
 *
 *   hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
 *   H5Pset_fapl_h5mf(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
 *   hid_t file = H5Fcreate("out.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
 *
 * Programs that call H5Pset_fapl_mpio switch with no change: run them as `h5mf exec -- PROGRAM`
 * (or with LD_PRELOAD=libh5mf_vfd.so and HDF5_DRIVER=h5mf). See docs/file-driver.md. */
#ifndef H5FDh5mf_H
#define H5FDh5mf_H

#include <hdf5.h>
#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The driver's id, registered on first use. Fails (negative, with an HDF5 error naming what it
 * found) in a process whose HDF5 is not the one the driver was built for. */
#define H5FD_H5MF (H5FD_h5mf_init())
hid_t H5FD_h5mf_init(void);

/* Selects the h5mf driver on a file access property list. `comm` and `info` are duplicated, as
 * H5Pset_fapl_mpio does; when MPI is not initialised, pass MPI_COMM_NULL (one writer, no MPI). */
herr_t H5Pset_fapl_h5mf(hid_t fapl_id, MPI_Comm comm, MPI_Info info);
/* The communicator and info of a property list using the driver (duplicates: the caller frees). */
herr_t H5Pget_fapl_h5mf(hid_t fapl_id, MPI_Comm* comm, MPI_Info* info);

/* The same for Fortran and other languages that hold MPI handles as integers (MPI_Fint). */
herr_t h5mf_fapl_set(hid_t fapl_id, MPI_Fint comm, MPI_Fint info);
/* MPI-IO atomic mode (a rank's writes visible to the others at once) of a file open on the h5mf
 * driver. H5Fset_mpi_atomicity and H5Fget_mpi_atomicity reach the driver only where libh5mf_vfd
 * comes before HDF5 in symbol lookup (under h5mf exec, or linked first); these work everywhere.
 * Collective for set, as H5Fset_mpi_atomicity. Negative for a file on another driver. */
herr_t h5mf_set_mpi_atomicity(hid_t file_id, hbool_t flag);
herr_t h5mf_get_mpi_atomicity(hid_t file_id, hbool_t* flag);

#ifdef __cplusplus
}
#endif

#endif /* H5FDh5mf_H */
