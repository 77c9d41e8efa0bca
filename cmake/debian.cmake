# Debian packages (cpack -G DEB in the build directory), one per install component:
#   h5mf          the CLI and libh5mf.so.<soversion>
#   libh5mf-dev   headers, the CMake package, h5mf.pc (and libh5mf.a when BUILD_SHARED_LIBS=OFF)
#   python3-h5mf  the Python package
# Their Depends name the Debian packages that own the libraries and headers this build used
# (dpkg-query -S at configure time), so they match the machine that built them.
set(CPACK_PACKAGE_NAME h5mf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "h5mf")
set(CPACK_PACKAGE_CONTACT "h5mf maintainers <h5mf@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "many processes write one HDF5 file at file-per-process speed")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
if(TARGET h5mf_python)
  list(APPEND CPACK_COMPONENTS_ALL python)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)

# The Debian package owning a file (its real path; Debian 12 is usrmerged but some packages still
# list /lib paths). Empty when there is none or no dpkg.
function(h5mf_debian_package_of var file)
  set(${var} "" PARENT_SCOPE)
  if(NOT EXISTS "${file}")
    return()
  endif()
  get_filename_component(real "${file}" REALPATH)
  string(REGEX REPLACE "^/usr/" "/" unmerged "${real}")
  foreach(candidate IN ITEMS "${real}" "${unmerged}")
    execute_process(COMMAND dpkg-query -S "${candidate}" OUTPUT_VARIABLE owner RESULT_VARIABLE failed
                    ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT failed)
      string(REGEX REPLACE "[:,].*" "" owner "${owner}")  # "libfmt9:amd64: /usr/lib/..." -> libfmt9
      set(${var} ${owner} PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# "a, b, c" of the owners of files, each once.
function(h5mf_debian_depends var)
  set(owners "")
  foreach(file IN LISTS ARGN)
    h5mf_debian_package_of(owner "${file}")
    if(owner AND NOT owner IN_LIST owners)
      list(APPEND owners ${owner})
    endif()
  endforeach()
  list(JOIN owners ", " joined)
  set(${var} "${joined}" PARENT_SCOPE)
endfunction()

find_program(H5MF_DPKG_QUERY dpkg-query)
if(H5MF_DPKG_QUERY)
  # Runtime: the shared libraries libh5mf and the CLI load.
  set(runtime_files ${XXHASH_LIBRARY})
  foreach(library IN LISTS HDF5_C_HL_LIBRARIES HDF5_C_LIBRARIES MPI_C_LIBRARIES)
    # libhdf5 and libmpi themselves (FindHDF5 also lists what they link, e.g. libdl.a).
    if(IS_ABSOLUTE "${library}" AND library MATCHES "/lib(hdf5|mpi)[^/]*\\.so$")
      list(APPEND runtime_files ${library})
    endif()
  endforeach()
  find_library(H5MF_FMT_LIBRARY fmt)
  list(APPEND runtime_files ${H5MF_FMT_LIBRARY} ${ZLIB_LIBRARIES})
  foreach(library libstdc++.so.6 libgcc_s.so.1 libc.so.6)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${library}
                    OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND runtime_files ${path})
  endforeach()
  h5mf_debian_depends(runtime_depends ${runtime_files})
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME h5mf)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "${runtime_depends}")
  # mpiexec for parallel merges; h5dump and friends for the merged files.
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "openmpi-bin, hdf5-tools")

  # Development: what the public headers include (hdf5.h, mpi.h), and for a static libh5mf what
  # it links.
  find_file(H5MF_HDF5_HEADER hdf5.h PATHS ${HDF5_C_INCLUDE_DIRS} NO_DEFAULT_PATH)
  find_file(H5MF_MPI_HEADER mpi.h PATHS ${MPI_C_INCLUDE_DIRS} NO_DEFAULT_PATH)
  set(dev_files ${H5MF_HDF5_HEADER} ${H5MF_MPI_HEADER})
  if(NOT BUILD_SHARED_LIBS)
    find_file(H5MF_FMT_HEADER fmt/core.h)
    list(APPEND dev_files ${XXHASH_INCLUDE_DIR}/xxhash.h ${H5MF_FMT_HEADER} ${ZLIB_INCLUDE_DIRS}/zlib.h)
  endif()
  h5mf_debian_depends(dev_depends ${dev_files})
  set(CPACK_DEBIAN_DEV_PACKAGE_NAME libh5mf-dev)
  set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "h5mf (= ${PROJECT_VERSION}), ${dev_depends}")
  set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "pkg-config, cmake")

  # Python: the interpreter the module was built for, and what the package imports.
  if(TARGET h5mf_python)
    set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-h5mf)
    set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
    set(major ${H5MF_PYTHON_VERSION_MAJOR})
    math(EXPR next_minor "${H5MF_PYTHON_VERSION_MINOR} + 1")
    set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS
        "h5mf (= ${PROJECT_VERSION}), python3 (>= ${major}.${H5MF_PYTHON_VERSION_MINOR}), python3 (<< ${major}.${next_minor}), python3-numpy, python3-mpi4py")
    set(CPACK_DEBIAN_PYTHON_PACKAGE_SUGGESTS "python3-h5py-mpi")
  endif()
endif()

set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "h5mf command-line tool and shared library\n h5mf merges, views, verifies and dumps multifile containers written by many\n processes into one conventional HDF5 file.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "h5mf development files\n C++20 headers, the CMake package (find_package(h5mf)) and h5mf.pc.")
set(CPACK_COMPONENT_PYTHON_DESCRIPTION "h5mf Python package\n h5py-shaped Python API of h5mf (import h5mf), with mpi4py communicators.")
include(CPack)
