! A Fortran program that opts in to the h5mf driver (include/h5mf/h5mf_vfd.f90), linked with
! libh5mf_vfd and run without the preload: each rank writes its row; the merged file holds them.
program explicit_fortran
  use hdf5
  use mpi
  use h5mf_vfd
  implicit none
  integer :: error, rank, nprocs, i
  integer(hid_t) :: fapl, file, space, dset, memspace
  integer(hsize_t) :: dims(2), count(2), offset(2)
  integer :: row(100)
  character(len=256) :: path

  call mpi_init(error)
  call mpi_comm_rank(MPI_COMM_WORLD, rank, error)
  call mpi_comm_size(MPI_COMM_WORLD, nprocs, error)
  call get_command_argument(1, path)
  call h5open_f(error)
  call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, error)
  if (h5mf_fapl_set(int(fapl, 8), MPI_COMM_WORLD, MPI_INFO_NULL) < 0) stop 'h5mf_fapl_set failed'
  call h5fcreate_f(trim(path), H5F_ACC_TRUNC_F, file, error, access_prp=fapl)
  if (error /= 0) stop 'h5fcreate_f failed'
  dims = (/ int(100, hsize_t), int(nprocs, hsize_t) /)
  call h5screate_simple_f(2, dims, space, error)
  call h5dcreate_f(file, 'rows', H5T_NATIVE_INTEGER, space, dset, error)
  count = (/ int(100, hsize_t), int(1, hsize_t) /)
  offset = (/ int(0, hsize_t), int(rank, hsize_t) /)
  call h5sselect_hyperslab_f(space, H5S_SELECT_SET_F, offset, count, error)
  call h5screate_simple_f(2, count, memspace, error)
  row = (/ (rank * 1000 + i, i = 1, 100) /)
  call h5dwrite_f(dset, H5T_NATIVE_INTEGER, row, count, error, mem_space_id=memspace, file_space_id=space)
  if (error /= 0) stop 'h5dwrite_f failed'
  call h5sclose_f(memspace, error)
  call h5dclose_f(dset, error)
  call h5sclose_f(space, error)
  call h5fclose_f(file, error)
  call h5pclose_f(fapl, error)
  call h5close_f(error)
  if (rank == 0) print '(a)', 'explicit fortran wrote ' // trim(path)
  call mpi_finalize(error)
end program explicit_fortran
