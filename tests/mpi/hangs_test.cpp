// Mismatched collective calls of the file itself (flush, set_atomic, close) rather than of its
// structure: the brief requires a CollectiveMismatch on every rank at the latest at the next flush
// or close, no hang. A hang cannot be undone from inside the job, so a watchdog ends the process
// with a clear message after kSeconds, a bound far beyond what the test needs even on a loaded
// machine (it only turns a hang into a clear failure before ctest's limit); each test runs as its
// own ctest test (mpi/hangs/<Test>/<n>) so that one hang does not hide the others.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

constexpr int kSeconds = 90;  // ctest gives each test 120

// Ends the process (and so the job) if it is still alive kSeconds after construction.
class Watchdog {
 public:
  explicit Watchdog(std::string what) : what_(std::move(what)), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, std::chrono::seconds(kSeconds), [this] { return done_; })) return;
    std::fprintf(stderr, "[rank %d] %s: no return within %d s: the ranks hang in mismatched collective calls\n", rank(),
                 what_.c_str(), kSeconds);
    std::fflush(stderr);
    std::_Exit(4);
  }
  std::string what_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

// Runs `on_rank0` on rank 0 and `on_others` elsewhere; both end with the file closed or an
// exception. Every rank must get CollectiveMismatch, and every rank must get past it.
template <class F, class G>
void expect_mismatch_without_hang(const std::string& what, F&& on_rank0, G&& on_others) {
  if (size() < 2) GTEST_SKIP() << "a mismatch needs two ranks";
  const auto path = (test_dir() / "c.h5").string();
  std::string local;
  {
    Watchdog watchdog(what);
    try {
      h5mf::File f(path, "w", parallel());
      f.create_dataset<std::int32_t>("d", {static_cast<std::uint64_t>(size())})
          .write(std::vector<std::int32_t>{rank()},
                 h5mf::Selection::hyperslab({static_cast<std::uint64_t>(rank())}, {1}));
      if (rank() == 0) {
        on_rank0(f);
      } else {
        on_others(f);
      }
      local = "no CollectiveMismatch";
    } catch (const h5mf::CollectiveMismatch& e) {
      // The error explains itself: no garbage counts from calls paired with the wrong partner.
      if (std::string(e.what()).find("collective") == std::string::npos) local = std::string("unclear: ") + e.what();
    } catch (const std::exception& e) {
      local = std::string("another error: ") + e.what();
    }
    barrier();  // every rank got past the mismatch
  }
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << what << ":\n" << (rank() == 0 ? all : "(rank 0 prints the failures)");
}

// Rank 0 flushes, then closes; the others only close. Rank 0's flush pairs with the others' close.
TEST(Hangs, FlushOnOneRankCloseOnOthers) {
  expect_mismatch_without_hang(
      "flush() on rank 0 only",
      [](h5mf::File& f) {
        f.flush();
        f.close();
      },
      [](h5mf::File& f) { f.close(); });
}

// set_atomic is collective (file.hpp); rank 0 alone calls it.
TEST(Hangs, SetAtomicOnOneRank) {
  expect_mismatch_without_hang(
      "set_atomic(true) on rank 0 only",
      [](h5mf::File& f) {
        f.set_atomic(true);
        f.close();
      },
      [](h5mf::File& f) { f.close(); });
}

}  // namespace
}  // namespace h5mf_test
