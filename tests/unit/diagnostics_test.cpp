// Library warnings go through one handler that applications replace (include/h5mf/warnings.hpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace h5mf {
namespace {

namespace fs = std::filesystem;

// Installs a handler that collects the messages, and puts the previous one back at the end.
class Collected {
 public:
  Collected() : previous_(set_warning_handler([this](const std::string& m) { messages.push_back(m); })) {}
  ~Collected() { set_warning_handler(previous_); }
  std::vector<std::string> messages;

 private:
  WarningHandler previous_;
};

TEST(Warnings, DefaultPrintsToStderrWithThePrefix) {
  testing::internal::CaptureStderr();
  warn("something odd");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "h5mf: warning: something odd\n");
}

TEST(Warnings, HandlerReceivesTheMessageAndSetReturnsThePrevious) {
  std::vector<std::string> first, second;
  const WarningHandler original = set_warning_handler([&](const std::string& m) { first.push_back(m); });
  EXPECT_FALSE(original);  // the default is the empty handler
  warn("one");
  const WarningHandler previous = set_warning_handler([&](const std::string& m) { second.push_back(m); });
  ASSERT_TRUE(previous);
  warn("two");
  previous("three");  // the returned handler is the one installed before
  EXPECT_EQ(first, (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ(second, (std::vector<std::string>{"two"}));
  set_warning_handler(original);
  testing::internal::CaptureStderr();
  warn("back");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "h5mf: warning: back\n");
}

TEST(Warnings, AThrowingHandlerFallsBackToStderr) {
  const WarningHandler original = set_warning_handler([](const std::string&) { throw std::runtime_error("no"); });
  testing::internal::CaptureStderr();
  EXPECT_NO_THROW(warn("still said"));
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "h5mf: warning: still said\n");
  set_warning_handler(original);
}

TEST(Warnings, ALibraryWarningReachesTheHandlerNotStderr) {
  const fs::path dir = fs::temp_directory_path() / ("h5mf-warnings-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "c.h5").string();
  {
    FileOptions multifile;
    multifile.driver = Driver::Multifile;
    File f(path, "w", multifile);
    f.create_dataset("d", DatasetCreate::of<std::int32_t>({4}));
    f.close();
  }
  fs::resize_file(path + "/metafile", fs::file_size(path + "/metafile") - 3);  // a torn tail
  Collected collected;
  testing::internal::CaptureStderr();
  { File f(path, "r"); }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  ASSERT_EQ(collected.messages.size(), 1u);
  EXPECT_NE(collected.messages[0].find("metafile: dropped"), std::string::npos) << collected.messages[0];
  EXPECT_EQ(collected.messages[0].find("h5mf: warning"), std::string::npos) << "the handler gets no prefix";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace h5mf
