// A program outside the project that uses an installed h5mf: one process writes a container, the
// container is merged into one HDF5 file, and the merged file reads back what was written.
#include <cstdio>
#include <numeric>
#include <vector>

#include <h5mf/h5mf.hpp>

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "consumer.h5";
  try {
    std::vector<int> values(10);
    std::iota(values.begin(), values.end(), 0);
    {
      h5mf::FileOptions options;
      options.driver = h5mf::Driver::Multifile;
      h5mf::File f(path, "w", options);
      f.create_dataset<int>("values", {values.size()}).write(values);
      f.close();
    }
    const auto report = h5mf::merge(path);
    h5mf::File merged(path, "r");
    const auto back = merged.dataset("values").read<int>();
    if (back != values) {
      std::fprintf(stderr, "consumer: %s/values does not read back what was written\n", path.c_str());
      return 1;
    }
    std::printf("consumer: %llu dataset(s) merged into %s, values read back\n",
                static_cast<unsigned long long>(report.datasets), report.output.c_str());
  } catch (const h5mf::Error& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  return 0;
}
