# Installing h5mf as HDF5, HighFive and ADIOS2 install: one library (h5mf::h5mf) with its public
# headers, a CMake package (find_package(h5mf CONFIG)), a pkg-config file (h5mf.pc), the CLI, the
# Python package where the interpreter looks, and Debian packages of all of it (cpack -G DEB).
#
# Components, one Debian package each:
#   runtime  h5mf          bin/h5mf, libh5mf.so.<soversion>, libh5mf_vfd.so.<soversion> (the HDF5
#                          file driver, preloaded by `h5mf exec`), the man page
#   dev      libh5mf-dev   include/h5mf/, libh5mf.so (or .a), libh5mf_vfd.so, lib/cmake/h5mf/,
#                          lib/pkgconfig/h5mf.pc and h5mf-vfd.pc
#   python   python3-h5mf  <H5MF_PYTHON_INSTALL_DIR>/h5mf/ (python/CMakeLists.txt)
include(CMakePackageConfigHelpers)

# cpack (and `make install`) install what is built and build nothing: the install tests run cpack
# inside ctest, after the build, next to other tests.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Installed programs and modules find libh5mf relative to themselves, so that a prefix can move
# (and a scratch prefix works without LD_LIBRARY_PATH).
function(h5mf_install_rpath target from_dir)
  if(BUILD_SHARED_LIBS)
    file(RELATIVE_PATH to_lib /p/${from_dir} /p/${CMAKE_INSTALL_LIBDIR})
    set_property(TARGET ${target} APPEND PROPERTY INSTALL_RPATH "$ORIGIN/${to_lib}")
  endif()
endfunction()

h5mf_install_rpath(h5mf_cli ${CMAKE_INSTALL_BINDIR})
if(TARGET h5mf_python)
  h5mf_install_rpath(h5mf_python ${H5MF_PYTHON_INSTALL_DIR}/h5mf)
endif()

install(TARGETS h5mf EXPORT h5mfTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# The file driver is always a shared library: `h5mf exec` preloads it into programs.
set_property(TARGET h5mf_vfd APPEND PROPERTY INSTALL_RPATH "$ORIGIN")
install(TARGETS h5mf_vfd EXPORT h5mfTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

set(H5MF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/h5mf)
install(EXPORT h5mfTargets NAMESPACE h5mf:: DESTINATION ${H5MF_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/h5mfConfig.cmake.in ${PROJECT_BINARY_DIR}/h5mfConfig.cmake
  INSTALL_DESTINATION ${H5MF_CMAKE_DIR})
# Before 1.0 a minor version may break the API: only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/h5mfConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/h5mfConfig.cmake ${PROJECT_BINARY_DIR}/h5mfConfigVersion.cmake
  DESTINATION ${H5MF_CMAKE_DIR} COMPONENT dev)

# pkg-config: relocatable (prefix from ${pcfiledir}); HDF5 by the name of its .pc file (Debian's
# parallel HDF5 is hdf5-openmpi, which requires ompi). The private modules matter for --static.
set(H5MF_PC_REQUIRES "hdf5-openmpi" CACHE STRING "pkg-config modules h5mf.pc requires (parallel HDF5, MPI)")
set(H5MF_PC_REQUIRES_PRIVATE "fmt libxxhash zlib")
file(RELATIVE_PATH H5MF_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(cmake/h5mf.pc.in ${PROJECT_BINARY_DIR}/h5mf.pc @ONLY)
configure_file(cmake/h5mf-vfd.pc.in ${PROJECT_BINARY_DIR}/h5mf-vfd.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/h5mf.pc ${PROJECT_BINARY_DIR}/h5mf-vfd.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

include(cmake/debian.cmake)
