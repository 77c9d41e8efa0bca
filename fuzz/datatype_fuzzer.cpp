// libFuzzer target: the H5Tencode blobs of CREATE_DATASET and SET_ATTRIBUTE records through
// Datatype::decode, whose structural check (EncodedTypeCheck) must reject whatever would make
// HDF5 1.10's H5Tdecode, which takes no length, read past the blob. libhdf5 is not instrumented:
// ASan sees its reads only where they reach our own allocations' red zones, so the blob is handed
// over in a buffer of exactly its size (the decoder pads it) and what decodes is used the way the
// library uses types, and encoded again.
#include "fuzz_support.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h5mf;
  const std::vector<std::byte> blob(reinterpret_cast<const std::byte*>(data),
                                    reinterpret_cast<const std::byte*>(data) + size);
  try {
    const Datatype type = Datatype::decode(blob);
    FUZZ_CHECK(type.valid());
    (void)type.describe();
    (void)type.is_variable_length();
    (void)type.file_type();
    const Datatype again = Datatype::decode(type.encode());
    FUZZ_CHECK(again == type);
  } catch (const FormatError&) {
  } catch (const Error&) {
    // HDF5 refusing to work with a type it decoded (e.g. describing an odd precision): a clean error.
  }
  return 0;
}
