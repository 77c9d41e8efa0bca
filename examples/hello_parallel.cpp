// Seed 002's hdf5_parallel.py in C++: every rank writes its rank into one dataset of a file.
//
//   mpiexec -n 4 build/examples/hello_parallel output.h5
//   build/bin/h5mf merge output.h5 && h5dump output.h5
//
// Changed from the seed only as far as h5mf requires: the file is an h5mf container (the
// multifile driver) and the dataset is sized by the number of ranks instead of a fixed 42.
#include <mpi.h>

#include <cstdio>
#include <string>

#include "h5mf/h5mf.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string path = argc > 1 ? argv[1] : "output.h5";
  int status = 0;
  try {
    h5mf::FileOptions options;
    options.comm = MPI_COMM_WORLD;
    options.driver = h5mf::Driver::Multifile;
    h5mf::File f(path, "w", options);
    auto dset = f.create_dataset<int>("test", {static_cast<std::uint64_t>(size)});
    dset.write(std::vector<int>{rank}, h5mf::Selection::hyperslab({static_cast<std::uint64_t>(rank)}, {1}));
    f.close();
  } catch (const h5mf::Error& e) {
    std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
    status = 1;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0 && status == 0) std::printf("%d MPI ranks have finished writing!\n", size);
  MPI_Finalize();
  return status;
}
