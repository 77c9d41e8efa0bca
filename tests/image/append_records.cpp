// Appends RANGE and END records, validly framed and checksummed, to a writer's index file of a
// closed file-image container: what a crafted container can declare. The image_checks.py
// 'hostile' check makes such containers and runs every tool on them.
//
//   image_append_records PATH WRITER zeros ADDRESS LENGTH   a ZEROS range (no bytes stored)
//   image_append_records PATH WRITER image ADDRESS LENGTH   an IMAGE range (bytes said to be in `image`)
//   image_append_records PATH WRITER data ADDRESS LENGTH    a DATA range of LENGTH bytes of 0x5a
//   image_append_records PATH WRITER end END                an END record
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "container/writer_log.hpp"
#include "format/checksum.hpp"

int main(int argc, char** argv) {
  using namespace h5mf;
  if (argc < 5) {
    std::fprintf(stderr, "usage: image_append_records PATH WRITER zeros|image|data|end NUMBER [LENGTH]\n");
    return 2;
  }
  try {
    const container::Layout layout(argv[1]);
    const auto writer = static_cast<std::uint32_t>(std::stoul(argv[2]));
    const std::string kind = argv[3];
    const std::uint64_t number = std::stoull(argv[4]);
    const std::uint64_t length = argc > 5 ? std::stoull(argv[5]) : 0;
    const auto contents = container::load_metafile(layout);
    container::WriterLog log(layout, contents.header.container, writer, false, {});
    const std::uint64_t epoch = 1u << 20;  // after everything the job wrote
    if (kind == "zeros") {
      log.append_range_elsewhere(epoch, number, length, format::RangeSource::Zeros, 0);
    } else if (kind == "image") {
      log.append_range_elsewhere(epoch, number, length, format::RangeSource::Image, 0);
    } else if (kind == "data") {
      const std::vector<std::byte> bytes(length, std::byte{0x5a});
      log.append_range(epoch, number, bytes);
    } else if (kind == "end") {
      log.append_end(epoch, number);
    } else {
      std::fprintf(stderr, "unknown record kind '%s'\n", kind.c_str());
      return 2;
    }
    log.close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "image_append_records: %s\n", e.what());
    return 1;
  }
  return 0;
}
