// Seed 001's "favourite example" in C++: each of the ranks reads its share of coordinate pairs
// and writes their distances from the origin.
//
//   mpiexec -n 4 build/examples/distances coords.hdf5 distances.h5
//
// Changed from the seed as far as h5mf requires: the seed reads `coords` from, and writes
// `distances` into, one parallel HDF5 file. Here rank 0 first creates coords.hdf5 (a conventional
// HDF5 file, as seed 004 does) and the ranks write `distances` (and a copy of their coords) into
// an h5mf container, which `h5mf merge` turns into one HDF5 file. The rows are split evenly over
// any number of ranks instead of 250 per rank for exactly 4.
#include <mpi.h>

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace {

constexpr std::uint64_t kPoints = 1000;

// Seed 004's first cell: a file with a (1000, 2) float dataset of random coordinates.
void create_coords(const std::string& path) {
  std::mt19937 random(42);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> coords(kPoints * 2);
  for (auto& c : coords) c = uniform(random);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[2] = {kPoints, 2};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t dset = H5Dcreate2(file, "coords", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, coords.data());
  H5Dclose(dset);
  H5Sclose(space);
  if (H5Fclose(file) < 0) throw h5mf::IoError("cannot write " + path);
}

std::vector<float> read_coords(const std::string& path, std::uint64_t first, std::uint64_t count) {
  std::vector<float> out(count * 2);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw h5mf::IoError("cannot open " + path);
  const hid_t dset = H5Dopen2(file, "coords", H5P_DEFAULT);
  const hid_t space = H5Dget_space(dset);
  const hsize_t start[2] = {first, 0}, size[2] = {count, 2};
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, size, nullptr);
  const hid_t memory = H5Screate_simple(2, size, nullptr);
  const herr_t status = H5Dread(dset, H5T_NATIVE_FLOAT, memory, space, H5P_DEFAULT, out.data());
  H5Sclose(memory);
  H5Sclose(space);
  H5Dclose(dset);
  H5Fclose(file);
  if (status < 0) throw h5mf::IoError("cannot read coords from " + path);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string coords_path = argc > 1 ? argv[1] : "coords.hdf5";
  const std::string output = argc > 2 ? argv[2] : "distances.h5";
  int status = 0;
  try {
    if (rank == 0) create_coords(coords_path);
    MPI_Barrier(MPI_COMM_WORLD);

    // Rank r handles rows [first, first + count): an even split of the 1000 points.
    const auto ranks = static_cast<std::uint64_t>(size), r = static_cast<std::uint64_t>(rank);
    const std::uint64_t first = kPoints * r / ranks, count = kPoints * (r + 1) / ranks - first;
    const std::vector<float> coords = read_coords(coords_path, first, count);
    std::vector<float> result(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      result[i] = std::sqrt(coords[2 * i] * coords[2 * i] + coords[2 * i + 1] * coords[2 * i + 1]);
    }

    h5mf::FileOptions options;
    options.comm = MPI_COMM_WORLD;
    options.driver = h5mf::Driver::Multifile;
    h5mf::File f(output, "w", options);
    auto coords_dset = f.create_dataset<float>("coords", {kPoints, 2});
    auto distances = f.create_dataset<float>("distances", {kPoints});
    coords_dset.write(coords, h5mf::Selection::hyperslab({first, 0}, {count, 2}));
    distances.write(result, h5mf::Selection::hyperslab({first}, {count}));
    f.close();
  } catch (const h5mf::Error& e) {
    std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}
