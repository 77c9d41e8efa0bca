/* A stand-in for an HDF5 the driver was not built for (issue 16: refuse it with an error that names
 * what was found, never a crash): a shared library exporting the two symbols the driver looks at
 * first. FOREIGN_HDF5_VERSION (e.g. "1.14.3") is the version it reports; at the driver's own
 * version it passes that check and lacks everything else, as a build without the internal
 * symbols the driver needs would. */
#include <stdio.h>
#include <stdlib.h>

typedef long long hid_like;

__attribute__((visibility("default"))) hid_like H5Fopen(const char* name, unsigned flags, hid_like fapl) {
  (void)name, (void)flags, (void)fapl;
  return -1;
}

__attribute__((visibility("default"))) int H5get_libversion(unsigned* major, unsigned* minor, unsigned* release) {
  const char* version = getenv("FOREIGN_HDF5_VERSION");
  if (version == NULL || sscanf(version, "%u.%u.%u", major, minor, release) != 3) return -1;
  return 0;
}
