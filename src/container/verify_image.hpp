// `verify` of a file-image container (written through the HDF5 file driver, docs/format.md
// "File-image containers"), after verify.cpp has checked its metafile: the data file pairs by the
// rule readers and the merge follow (ImageIndex), every Data record's bytes against its checksum,
// and the metadata in `image` against the Image records that show there.
#pragma once

#include "container/index.hpp"
#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "h5mf/verify.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace h5mf::container {

// Adds one DataFileVerifyReport per data file pair (findings, records kept and dropped) and the
// errors that stop the container from being read as a whole.
void verify_image_files(const Layout& layout, const MetafileContents& contents, const VerifyOptions& options,
                        VerifyReport& report);

// Shared with verify.cpp: a reader's damage as verify reports it; the whole records in the
// dropped region of a log (`bytes`: from the region's start to the end of the file), as far as
// they can be told.
VerifyDamage to_verify(DamageReport damage);
std::uint64_t count_records(format::ByteView bytes);
// Data-file bytes that no kept record references (`ranges`: their [offset, end)), apart from the
// holes writers leave to align a large record's start (fewer than format::kDataAlignment bytes
// before a record of at least format::kAlignedWriteBytes, or before a block boundary as writers
// did before records were placed at their offset within a block of the merged file).
std::uint64_t unreferenced(std::uint64_t data_size, std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges);

}  // namespace h5mf::container
