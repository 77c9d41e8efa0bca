! Issue 16's Fortran acceptance program: Debian's parallel HDF5 Fortran API, nothing of h5mf.
!
!   mpiexec -n N plain_hdf5_fortran OUT.h5                (the mpio driver, a conventional file)
!   mpiexec -n N h5mf exec -- plain_hdf5_fortran OUT.h5   (the h5mf driver, a container at OUT.h5)
!
! Each rank owns R columns (Fortran order; rows as h5dump and C see them) of two datasets:
!   /values  integer, (C, N*R) here, (N*R, C) in h5dump, written collectively (h5pset_dxpl_mpio_f)
!   /reals   double, same shape, written independently
!   attributes: nprocs (integer) on the root group, rows_per_rank (integer) on /values
! Value at (j, i) of rank r's part: 1000*r + C*i + j (0-based i, j), +0.25 in /reals.
! Modification times are off (h5pset_obj_track_times_f), so runs are byte-identical.
program plain_hdf5_fortran
  use hdf5
  use mpi
  implicit none
  integer, parameter :: R = 4, C = 8
  integer :: ierr, error, rank, nprocs, i, j
  integer(hid_t) :: fapl, fcpl, file, dcpl, space, memspace, dxpl_coll, dxpl_ind
  integer(hid_t) :: values, reals, scalar, attr
  integer(hsize_t) :: dims(2), part(2), offset(2), one(1)
  integer :: data(C, R)
  double precision :: rdata(C, R)
  character(len=4096) :: path

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  if (command_argument_count() /= 1) then
    if (rank == 0) write (0, '(a)') 'usage: mpiexec -n N plain_hdf5_fortran OUT.h5'
    call MPI_Abort(MPI_COMM_WORLD, 2, ierr)
  end if
  call get_command_argument(1, path)

  call h5open_f(error); call check(error, 'h5open_f')
  call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, error); call check(error, 'h5pcreate_f(fapl)')
  call h5pset_fapl_mpio_f(fapl, MPI_COMM_WORLD, MPI_INFO_NULL, error); call check(error, 'h5pset_fapl_mpio_f')
  call h5pcreate_f(H5P_FILE_CREATE_F, fcpl, error); call check(error, 'h5pcreate_f(fcpl)')
  call h5pset_obj_track_times_f(fcpl, .false., error); call check(error, 'h5pset_obj_track_times_f(fcpl)')
  call h5fcreate_f(trim(path), H5F_ACC_TRUNC_F, file, error, creation_prp=fcpl, access_prp=fapl)
  call check(error, 'h5fcreate_f')

  call h5pcreate_f(H5P_DATASET_XFER_F, dxpl_coll, error); call check(error, 'h5pcreate_f(dxpl)')
  call h5pset_dxpl_mpio_f(dxpl_coll, H5FD_MPIO_COLLECTIVE_F, error); call check(error, 'h5pset_dxpl_mpio_f(collective)')
  call h5pcreate_f(H5P_DATASET_XFER_F, dxpl_ind, error); call check(error, 'h5pcreate_f(dxpl)')
  call h5pset_dxpl_mpio_f(dxpl_ind, H5FD_MPIO_INDEPENDENT_F, error); call check(error, 'h5pset_dxpl_mpio_f(independent)')

  ! The root group's attribute.
  one = 1
  call h5screate_f(H5S_SCALAR_F, scalar, error); call check(error, 'h5screate_f(scalar)')
  call h5acreate_f(file, 'nprocs', H5T_NATIVE_INTEGER, scalar, attr, error); call check(error, 'h5acreate_f(nprocs)')
  call h5awrite_f(attr, H5T_NATIVE_INTEGER, nprocs, one, error); call check(error, 'h5awrite_f(nprocs)')
  call h5aclose_f(attr, error); call check(error, 'h5aclose_f')

  ! The datasets, each rank's columns selected as a hyperslab.
  dims = [integer(hsize_t) :: C, nprocs * R]
  part = [integer(hsize_t) :: C, R]
  offset = [integer(hsize_t) :: 0, rank * R]
  do i = 0, R - 1
    do j = 0, C - 1
      data(j + 1, i + 1) = 1000 * rank + C * i + j
      rdata(j + 1, i + 1) = 1000 * rank + C * i + j + 0.25d0
    end do
  end do
  call h5pcreate_f(H5P_DATASET_CREATE_F, dcpl, error); call check(error, 'h5pcreate_f(dcpl)')
  call h5pset_obj_track_times_f(dcpl, .false., error); call check(error, 'h5pset_obj_track_times_f(dcpl)')
  call h5screate_simple_f(2, dims, space, error); call check(error, 'h5screate_simple_f')
  call h5screate_simple_f(2, part, memspace, error); call check(error, 'h5screate_simple_f(memory)')
  call h5dcreate_f(file, 'values', H5T_NATIVE_INTEGER, space, values, error, dcpl_id=dcpl)
  call check(error, 'h5dcreate_f(values)')
  call h5dcreate_f(file, 'reals', H5T_NATIVE_DOUBLE, space, reals, error, dcpl_id=dcpl)
  call check(error, 'h5dcreate_f(reals)')
  call h5sselect_hyperslab_f(space, H5S_SELECT_SET_F, offset, part, error); call check(error, 'h5sselect_hyperslab_f')

  call h5dwrite_f(values, H5T_NATIVE_INTEGER, data, part, error, mem_space_id=memspace, file_space_id=space, &
                  xfer_prp=dxpl_coll)
  call check(error, 'h5dwrite_f(values, collective)')
  call h5dwrite_f(reals, H5T_NATIVE_DOUBLE, rdata, part, error, mem_space_id=memspace, file_space_id=space, &
                  xfer_prp=dxpl_ind)
  call check(error, 'h5dwrite_f(reals, independent)')

  call h5acreate_f(values, 'rows_per_rank', H5T_NATIVE_INTEGER, scalar, attr, error)
  call check(error, 'h5acreate_f(rows_per_rank)')
  call h5awrite_f(attr, H5T_NATIVE_INTEGER, R, one, error); call check(error, 'h5awrite_f(rows_per_rank)')
  call h5aclose_f(attr, error); call check(error, 'h5aclose_f')

  call h5dclose_f(reals, error); call check(error, 'h5dclose_f(reals)')
  call h5dclose_f(values, error); call check(error, 'h5dclose_f(values)')
  call h5sclose_f(memspace, error); call check(error, 'h5sclose_f')
  call h5sclose_f(space, error); call check(error, 'h5sclose_f')
  call h5sclose_f(scalar, error); call check(error, 'h5sclose_f')
  call h5pclose_f(dcpl, error); call check(error, 'h5pclose_f')
  call h5pclose_f(dxpl_ind, error); call check(error, 'h5pclose_f')
  call h5pclose_f(dxpl_coll, error); call check(error, 'h5pclose_f')
  call h5fclose_f(file, error); call check(error, 'h5fclose_f')
  call h5pclose_f(fcpl, error); call check(error, 'h5pclose_f')
  call h5pclose_f(fapl, error); call check(error, 'h5pclose_f')
  call h5close_f(error); call check(error, 'h5close_f')
  if (rank == 0) write (*, '(a, i0, a, a)') 'plain_hdf5_fortran: ', nprocs, ' ranks wrote ', trim(path)
  call MPI_Finalize(ierr)

contains

  ! Aborts the job, naming the call, when an HDF5 call reports an error.
  subroutine check(status, what)
    integer, intent(in) :: status
    character(len=*), intent(in) :: what
    integer :: ignored
    if (status < 0) then
      write (0, '(a, i0, a, i0, 3a)') 'plain_hdf5_fortran (rank ', rank, ' of ', nprocs, '): ', what, ' failed'
      call MPI_Abort(MPI_COMM_WORLD, 1, ignored)
    end if
  end subroutine check
end program plain_hdf5_fortran
