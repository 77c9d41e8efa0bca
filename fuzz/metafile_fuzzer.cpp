// libFuzzer target: a whole metafile (header, framed structure log) through parse_metafile, which
// load_metafile uses on the file's bytes. Hostile bytes may only end in a FormatError or in damage
// reported at the end of the log; what was accepted must be a consistent catalog.
#include "catalog_checks.hpp"
#include "container/metafile.hpp"
#include "fuzz_support.hpp"
#include "h5mf/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h5mf;
  const format::Bytes bytes = fuzz::container_file(fuzz::input(data, size));
  try {
    const container::MetafileContents contents = container::parse_metafile(bytes, "metafile");
    FUZZ_CHECK(contents.valid_end >= format::kHeaderSize && contents.valid_end <= bytes.size());
    if (contents.damage) {
      // Everything from the first dropped byte to the end is reported, nothing before valid_end.
      FUZZ_CHECK(contents.damage->offset >= contents.valid_end);
      FUZZ_CHECK(contents.damage->offset + contents.damage->bytes == bytes.size());
    } else {
      FUZZ_CHECK(contents.valid_end == bytes.size());
    }
    FUZZ_CHECK(!contents.catalog.sessions().empty());
    fuzz::check_catalog(contents.catalog);
  } catch (const FormatError&) {
    // Refused: the expected outcome for most inputs. Any other exception is a bug.
  }
  return 0;
}
