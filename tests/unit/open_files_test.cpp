// Reads and merges keep a bounded number of files open, whatever the number of writers: a
// container of 2,000 writer files (4,000 data and index files) under an open-file limit of 64.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

// Lowers the soft open-file limit for the scope of a test.
class OpenFileLimit {
 public:
  explicit OpenFileLimit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  }
  ~OpenFileLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }
  OpenFileLimit(const OpenFileLimit&) = delete;
  OpenFileLimit& operator=(const OpenFileLimit&) = delete;

 private:
  rlimit saved_{};
};

TEST(OpenFiles, TwoThousandWritersUnderALimitOf64) {
  constexpr int kWriters = 2000;
  const fs::path dir = fs::temp_directory_path() / ("h5mf-open-files-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "many.h5").string();
  {
    FileOptions coordinator;
    coordinator.writers = kWriters;
    coordinator.driver = Driver::Multifile;
    File f(path, "w", coordinator);
    f.create_dataset<std::int32_t>("x", {2 * kWriters})
        .write(std::vector<std::int32_t>{-1, -1}, Selection::hyperslab({0}, {2}));
    f.close();
  }
  for (int w = 1; w < kWriters; ++w) {  // each an independent writer, one after the other
    FileOptions worker;
    worker.writer = w;
    worker.driver = Driver::Multifile;
    File f(path, "a", worker);
    const auto at = static_cast<std::uint64_t>(2 * w);
    f.dataset("x").write(std::vector<std::int32_t>{w, -w}, Selection::hyperslab({at}, {2}));
    f.close();
  }
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(path)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 2u * kWriters + 1);

  auto expect_content = [&](const std::vector<std::int32_t>& x) {
    ASSERT_EQ(x.size(), 2u * kWriters);
    EXPECT_EQ(x[0], -1);
    for (int w = 1; w < kWriters; ++w) {
      ASSERT_EQ(x[2 * static_cast<std::size_t>(w)], w);
      ASSERT_EQ(x[2 * static_cast<std::size_t>(w) + 1], -w);
    }
  };
  {
    OpenFileLimit limit(64);
    {
      File f(path, "r");  // direct read of all 2,000 writers' records
      expect_content(f.dataset("x").read<std::int32_t>());
    }
    MergeOptions options;
    options.output = (dir / "merged.h5").string();
    options.threads = 2;
    const MergeReport report = merge(path, options);
    EXPECT_EQ(report.records, static_cast<std::uint64_t>(kWriters));
    EXPECT_EQ(report.records_dropped, 0u);
  }
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  File merged((dir / "merged.h5").string(), "r", sec2);
  expect_content(merged.dataset("x").read<std::int32_t>());
  merged.close();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace h5mf
