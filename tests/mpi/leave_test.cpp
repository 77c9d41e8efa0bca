// One rank leaving a file on an exception (issue 23): the others' close() or flush() fails with
// CollectiveMismatch naming that rank and its exception, on every rank, instead of waiting for it
// forever; and the container keeps the structure all ranks made and what every rank wrote. A hang
// is caught by ctest's time limit (the test then fails; nothing here measures time).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "h5mf/h5mf.hpp"
#include "support.hpp"

namespace h5mf_test {
namespace {

using h5mf::Selection;
using u64 = std::uint64_t;

constexpr int kLeaver = 1;

// Writes x[rank] = rank + 1, flushes, writes y[rank] = 10 + rank.
void write_before(h5mf::File& f) {
  auto x = f.create_dataset<std::int32_t>("x", {ranks()});
  auto y = f.create_dataset<std::int32_t>("y", {ranks()});
  x.write(std::vector<std::int32_t>{rank() + 1}, Selection::hyperslab({me()}, {1}));
  f.flush();
  y.write(std::vector<std::int32_t>{10 + rank()}, Selection::hyperslab({me()}, {1}));
}

// The ranks that stay make z (the leaver never does: it left first) and write z[rank] = 20 + rank.
void write_after(h5mf::File& f) {
  f.create_dataset<std::int32_t>("z", {ranks()})
      .write(std::vector<std::int32_t>{20 + rank()}, Selection::hyperslab({me()}, {1}));
}

// `step` must throw CollectiveMismatch whose message holds `needle`; "" when it does.
template <class F>
std::string expect_mismatch(F&& step, const std::string& needle) {
  try {
    step();
    return "no exception";
  } catch (const h5mf::CollectiveMismatch& e) {
    if (std::string(e.what()).find(needle) == std::string::npos) return std::string("unclear message: ") + e.what();
    return {};
  } catch (const std::exception& e) {
    return std::string("another kind of error: ") + e.what();
  }
}

std::string expected_message(const std::string& container, const std::string& reason) {
  return "container '" + container + "': rank " + std::to_string(kLeaver) +
         " left the file with an exception: " + reason + ". The file is closed on every rank";
}

// Rank 0 checks, with the library and with `h5mf verify`'s library call, what the container holds;
// every rank expects rank 0's verdict.
// `clean`: verify reports nothing (otherwise only records of structure cut back may be dropped).
void expect_kept(const std::string& container, bool z_made, bool clean = true) {
  std::string failures;
  if (rank() == 0) {
    failures = capture("reading the container", [&] {
      const h5mf::VerifyReport report = h5mf::verify(container);
      if (report.exit_code() != 0 && (clean || report.exit_code() != 2))
        failures += "verify is not clean (exit " + std::to_string(report.exit_code()) + ")\n";
      h5mf::File f(container, "r");
      std::vector<std::int32_t> x, y, z;
      for (int r = 0; r < size(); ++r) {
        x.push_back(r + 1);
        y.push_back(10 + r);
        z.push_back(r == kLeaver ? 0 : 20 + r);
      }
      if (f.dataset("x").read<std::int32_t>() != x) failures += "x is not what every rank wrote and flushed\n";
      if (f.dataset("y").read<std::int32_t>() != y) failures += "y is not what every rank wrote before leaving\n";
      if (z_made && (!f.contains("z") || f.dataset("z").read<std::int32_t>() != z)) {
        failures += "z is not what the ranks that stayed wrote\n";
      }
      f.close();
    });
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

#define NEEDS_TWO_RANKS() \
  if (size() < 2) GTEST_SKIP() << "leaving needs another rank to leave"

// C++'s way: an exception unwinds past the File on rank 1 (its destructor gives the file up);
// the others close. Every rank catches and goes on.
TEST(Leave, ExceptionUnwindsPastTheFile) {
  NEEDS_TWO_RANKS();
  const std::string container = (test_dir() / "c.h5").string();
  std::string local;
  try {
    h5mf::File f(container, "w", parallel());
    write_before(f);
    if (rank() == kLeaver) throw std::runtime_error("boom");
    write_after(f);
    local = expect_mismatch([&] { f.close(); },
                            expected_message(container, "an exception unwound the stack past its File"));
    if (f.is_open()) local += "; the file is still open after the failed close()";
  } catch (const std::runtime_error& e) {
    if (rank() != kLeaver || std::string(e.what()) != "boom") local = std::string("unexpected: ") + e.what();
  }
  barrier();  // the job goes on
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << (rank() == 0 ? all : "(rank 0 prints the failures)");
  expect_kept(container, true);
}

// abandon() with the exception's text (what Python's `with` does); the others are in flush(), not
// close(): it fails the same way, and their close() afterwards says so again, alone.
TEST(Leave, AbandonWhileOthersFlush) {
  NEEDS_TWO_RANKS();
  const std::string container = (test_dir() / "c.h5").string();
  const std::string reason = "ValueError: boom on rank 1";
  std::string local;
  {
    h5mf::File f(container, "w", parallel());
    write_before(f);
    if (rank() == kLeaver) {
      f.abandon(reason);
      if (f.is_open()) local = "still open after abandon()";
    } else {
      write_after(f);
      local = expect_mismatch([&] { f.flush(); }, expected_message(container, reason));
      local +=
          expect_mismatch([&] { f.close(); }, "closed without a collective close").empty() ? "" : "; close() after it";
    }
  }
  barrier();
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << (rank() == 0 ? all : "(rank 0 prints the failures)");
  expect_kept(container, true);
}

// Every rank but rank 0 leaves (the coordinator stays, and keeps the structure).
TEST(Leave, AllButOneLeave) {
  NEEDS_TWO_RANKS();
  const std::string container = (test_dir() / "c.h5").string();
  std::string local;
  {
    h5mf::File f(container, "w", parallel());
    write_before(f);
    if (rank() != 0) {
      f.abandon("RuntimeError: rank " + std::to_string(rank()));
    } else {
      const std::string leavers = size() == 2 ? "rank 1 left" : "ranks 1,2,3 left";
      local = expect_mismatch([&] { f.close(); }, leavers + " the file with an exception");
    }
  }
  barrier();
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << (rank() == 0 ? all : "(rank 0 prints the failures)");
  expect_kept(container, false);
}

// The leaver made a structure call the others did not (and they one it did not): that is a
// disagreement, and the container is cut back to the last call all ranks agreed on, so that the
// leaver's writes to its own object land nowhere else.
TEST(Leave, LeaverMadeAnotherCall) {
  NEEDS_TWO_RANKS();
  const std::string container = (test_dir() / "c.h5").string();
  std::string local;
  {
    h5mf::File f(container, "w", parallel());
    write_before(f);
    if (rank() == kLeaver) {
      f.create_dataset<std::int32_t>("only_on_the_leaver", {ranks()})
          .write(std::vector<std::int32_t>{-1}, Selection::hyperslab({me()}, {1}));
      f.abandon("ValueError: late");
    } else {
      f.create_dataset<std::int32_t>("w", {ranks()})
          .write(std::vector<std::int32_t>{-2}, Selection::hyperslab({me()}, {1}));
      local = expect_mismatch([&] { f.close(); }, "structure call #1 since the last check differs between ranks");
    }
  }
  barrier();
  const std::string all = gathered(local);
  EXPECT_TRUE(all.empty()) << (rank() == 0 ? all : "(rank 0 prints the failures)");
  expect_kept(container, false, false);
  std::string failures;
  if (rank() == 0) {
    failures = capture("reading the container", [&] {
      h5mf::File f(container, "r");
      if (f.contains("only_on_the_leaver") || f.contains("w")) failures += "a dataset the ranks disagreed on is kept\n";
    });
  }
  failures = shared(failures);
  EXPECT_TRUE(failures.empty()) << (rank() == 0 ? failures : "(rank 0 prints the failures)");
}

}  // namespace
}  // namespace h5mf_test
