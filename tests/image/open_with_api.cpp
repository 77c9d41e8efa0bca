// h5mf's C++ API on a file-image container (FileOptions::image_driver): read through the file
// driver it is given, refused with a reason without one, through the multifile driver, or for
// writing. Prints one line per check; exit code 1 at the first that fails.
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "h5mf/H5FDh5mf.h"
#include "h5mf/file.hpp"
#include "h5mf/h5mf.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

// `open` must throw Unsupported whose message holds `fragment`.
void refused(const std::function<void()>& open, const std::string& fragment, const std::string& what) {
  try {
    open();
    check(false, what + ": opened");
  } catch (const h5mf::Unsupported& e) {
    check(std::string(e.what()).find(fragment) != std::string::npos, what + ": " + e.what());
  } catch (const std::exception& e) {
    check(false, what + ": another error: " + e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: open_with_api CONTAINER\n");
    return 2;
  }
  const std::string path = argv[1];
  h5mf::FileOptions through_driver;
  through_driver.image_driver = {
      "h5mf", [](std::int64_t fapl) { return H5Pset_fapl_h5mf(fapl, MPI_COMM_NULL, MPI_INFO_NULL); }};
  try {
    const h5mf::File file(path, h5mf::Mode::Read, through_driver);
    check(file.driver() == "h5mf", "driver() names the file driver given: " + file.driver());
    check(file.keys() == std::vector<std::string>{"after", "b", "grp"}, "the root's members");
    const auto a = file.dataset("grp/a").read<std::int32_t>();
    bool values = a.size() == 2000;
    for (std::size_t i = 0; values && i < a.size(); ++i) values = a[i] == static_cast<std::int32_t>(i + 1);
    check(values, "/grp/a holds what the ranks wrote");
  } catch (const std::exception& e) {
    check(false, std::string("reading through the driver: ") + e.what());
  }
  refused([&] { h5mf::File(path, h5mf::Mode::Read); }, "file-image container", "without a file driver");
  h5mf::FileOptions multifile;
  multifile.driver = h5mf::Driver::Multifile;
  refused([&] { h5mf::File(path, h5mf::Mode::Read, multifile); }, "file-image container", "with the multifile driver");
  refused([&] { h5mf::File(path, h5mf::Mode::Append, multifile); }, "file-image container",
          "with the multifile driver, for writing");
  refused([&] { h5mf::File(path, h5mf::Mode::ReadWrite, through_driver); }, "read-only", "for writing");
  return failures == 0 ? 0 : 1;
}
