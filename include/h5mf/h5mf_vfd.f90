! The h5mf HDF5 file driver for Fortran programs that opt in (docs/file-driver.md); programs that
! call h5pset_fapl_mpio_f need no change at all under `h5mf exec`. Compile this module with the
! program and link libh5mf_vfd (pkg-config h5mf-vfd):
!
!   use h5mf_vfd
!   call h5pcreate_f(H5P_FILE_ACCESS_F, fapl, error)
!   error = h5mf_fapl_set(fapl, MPI_COMM_WORLD, MPI_INFO_NULL)
!
! HDF5 1.10's hid_t is a 64-bit integer (HID_T in its Fortran API); MPI handles are MPI_Fint.
module h5mf_vfd
  use, intrinsic :: iso_c_binding, only: c_int, c_int64_t
  implicit none
  private
  public :: h5mf_fapl_set
  interface
    ! Selects the h5mf driver on a file access property list (0 on success, negative on failure).
    integer(c_int) function h5mf_fapl_set(fapl, comm, info) bind(C, name='h5mf_fapl_set')
      import :: c_int, c_int64_t
      integer(c_int64_t), value :: fapl
      integer(c_int), value :: comm, info
    end function h5mf_fapl_set
  end interface
end module h5mf_vfd
