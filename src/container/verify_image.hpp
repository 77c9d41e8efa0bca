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
#include <functional>
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
// The pairs verify reports on, one entry each: every pair [0, data_files) when the missing ones
// are few enough to list, else those present (a metafile may claim 2^32 - 1 writers).
std::vector<std::uint32_t> listed_pairs(const std::vector<std::uint32_t>& present, std::uint32_t data_files);
// Pairs the metafile proves were created (below `required`) and that are gone whole: one finding
// per run of them, on the report of the run's first pair when it is listed (`listed_report`
// gives it, or nullptr), else on the metafile's.
void report_missing_pairs(const Layout& layout, const std::vector<std::uint32_t>& present, std::uint32_t required,
                          const std::function<DataFileVerifyReport*(std::uint32_t)>& listed_report,
                          VerifyReport& report);
std::uint64_t unreferenced(std::uint64_t data_size, std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges);

}  // namespace h5mf::container
