// What the reliability writers write, derivable from (writer, step) alone, so that a checker can
// tell for every record of a damaged or killed container whether it is there whole, missing
// (every element the fill value), or broken (anything else: wrong data returned silently).
//
// Datasets (uint64, fill kFill, which no record writes):
//   /rows  [writers * steps, kCols]: step s of writer w writes row w * steps + s: a hyperslab of
//          the first 1..kCols columns, or (s % 5 == 2) a point selection of every third column,
//          listed backwards (data order differs from row-major order);
//   /big   [writers * big_rows, kBigCols]: steps s % 8 == 7 write a whole row here instead (8 KiB:
//          large enough to bypass a 16 KiB write buffer);
//   /grow  [n, kGrowCols], unlimited: writer 0's steps s % 10 == 9 first grow it (a collective
//          resize) and then write its row s / 10.
// Every value is ((w + 1) << 48) | (s << 16) | column.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace h5mf::reliability {

inline constexpr std::uint64_t kFill = 0xF111F111F111F111ull;
inline constexpr std::uint64_t kCols = 48;
inline constexpr std::uint64_t kBigCols = 1024;
inline constexpr std::uint64_t kGrowCols = 4;

struct Plan {
  std::uint32_t writers = 1;
  std::uint64_t steps = 1;  // steps (main records) per writer
  std::uint64_t big_rows() const { return steps / 8 + 1; }
};

inline std::uint64_t value(std::uint32_t writer, std::uint64_t step, std::uint64_t column) {
  return (std::uint64_t{writer} + 1) << 48 | step << 16 | column;
}

enum class Kind { Slab, Points, Big };
inline Kind kind_of(std::uint64_t step) {
  if (step % 8 == 7) return Kind::Big;
  if (step % 5 == 2) return Kind::Points;
  return Kind::Slab;
}
inline bool grows_at(std::uint64_t step) { return step % 10 == 9; }
inline bool sets_attribute_at(std::uint64_t step) { return step % 16 == 15; }
inline bool creates_group_at(std::uint64_t step) { return step % 32 == 31; }

// Where one record's elements go: a dataset, (row, column) pairs in data order, and the values.
struct RecordWrite {
  std::string dataset;
  std::uint64_t row = 0;
  std::vector<std::uint64_t> columns;  // data order
  std::vector<std::uint64_t> values;
  Selection selection() const {
    if (columns.size() > 1 && columns[0] > columns[1]) {
      std::vector<Extent> points;
      for (auto c : columns) points.push_back({row, c});
      return Selection::points(points);
    }
    return Selection::hyperslab({row, columns.front()}, {1, columns.size()});
  }
};

inline RecordWrite main_record(const Plan& plan, std::uint32_t w, std::uint64_t s) {
  RecordWrite r;
  switch (kind_of(s)) {
    case Kind::Big:
      r.dataset = "/big";
      r.row = w * plan.big_rows() + s / 8;
      for (std::uint64_t c = 0; c < kBigCols; ++c) r.columns.push_back(c);
      break;
    case Kind::Points:
      r.dataset = "/rows";
      r.row = w * plan.steps + s;
      for (std::uint64_t c = kCols; c >= 3; c -= 3) r.columns.push_back(c - 1);
      break;
    case Kind::Slab: {
      r.dataset = "/rows";
      r.row = w * plan.steps + s;
      const std::uint64_t length = 1 + (s * 7 + w * 13) % kCols;
      for (std::uint64_t c = 0; c < length; ++c) r.columns.push_back(c);
      break;
    }
  }
  for (auto c : r.columns) r.values.push_back(value(w, s, c));
  return r;
}

inline RecordWrite grow_record(std::uint64_t s) {
  RecordWrite r;
  r.dataset = "/grow";
  r.row = s / 10;
  for (std::uint64_t c = 0; c < kGrowCols; ++c) {
    r.columns.push_back(c);
    r.values.push_back(value(0, s, c));
  }
  return r;
}

inline void create_datasets(Group& root, const Plan& plan) {
  root.create_dataset("rows", DatasetCreate::of<std::uint64_t>({plan.writers * plan.steps, kCols}).fill_value(kFill));
  root.create_dataset("big",
                      DatasetCreate::of<std::uint64_t>({plan.writers * plan.big_rows(), kBigCols}).fill_value(kFill));
  root.create_dataset("grow", DatasetCreate::of<std::uint64_t>({0, kGrowCols})
                                  .max_shape({DatasetCreate::kUnlimited, kGrowCols})
                                  .chunk_shape({16, kGrowCols})
                                  .fill_value(kFill));
}

inline void write_record(Group& root, const RecordWrite& r) { root.dataset(r.dataset).write(r.values, r.selection()); }

// What a full read of each dataset returned (row-major), with each dataset's number of columns.
struct Contents {
  std::map<std::string, std::vector<std::uint64_t>> data;
  std::map<std::string, std::uint64_t> rows;
};

enum class State { Present, Missing, Broken };

inline const char* to_string(State s) {
  return s == State::Present ? "present" : s == State::Missing ? "missing" : "BROKEN";
}

// Which records are there whole, missing, or broken, and elements no record writes that are not
// the fill value (at most a few, described).
struct Observation {
  std::map<std::pair<std::uint32_t, std::uint64_t>, State> main;  // (writer, step)
  std::map<std::uint64_t, State> grow;                            // writer 0's step
  std::vector<std::string> stray;
  std::vector<std::string> broken;  // descriptions of broken records

  // Present main records of `writer` form a prefix 0..n-1 (records reach the index in order); n.
  bool prefix(std::uint32_t writer, std::uint64_t steps, std::uint64_t& n) const {
    n = 0;
    while (n < steps && main.at({writer, n}) == State::Present) ++n;
    for (std::uint64_t s = n; s < steps; ++s) {
      if (main.at({writer, s}) != State::Missing) return false;
    }
    return true;
  }
};

inline State state_of(const Contents& c, const RecordWrite& r, std::vector<bool>& covered, std::string& detail) {
  auto it = c.data.find(r.dataset);
  if (it == c.data.end()) return State::Missing;
  const auto& data = it->second;
  const std::uint64_t rows = c.rows.at(r.dataset);
  if (r.row >= rows) return State::Missing;  // outside the dataset's extent as read
  const std::uint64_t cols = data.size() / rows;
  std::size_t present = 0, missing = 0;
  for (std::size_t i = 0; i < r.columns.size(); ++i) {
    const std::uint64_t at = r.row * cols + r.columns[i];
    covered[at] = true;
    if (data[at] == r.values[i]) {
      ++present;
    } else if (data[at] == kFill) {
      ++missing;
    } else if (detail.empty()) {
      detail = fmt::format("{}[{}, {}] = {:#x}, expected {:#x} or the fill value", r.dataset, r.row, r.columns[i],
                           data[at], r.values[i]);
    }
  }
  if (present == r.columns.size()) return State::Present;
  if (missing == r.columns.size()) return State::Missing;
  if (detail.empty()) {
    detail = fmt::format("{} row {}: {} of {} elements present, {} fill", r.dataset, r.row, present, r.columns.size(),
                         missing);
  }
  return State::Broken;
}

inline Observation observe(const Plan& plan, const Contents& c) {
  Observation o;
  std::map<std::string, std::vector<bool>> covered;
  for (const auto& [name, data] : c.data) covered[name].assign(data.size(), false);
  auto classify = [&](const RecordWrite& r, const std::string& who) {
    std::string detail;
    auto cov = covered.find(r.dataset);
    std::vector<bool> scratch;
    State s = state_of(c, r, cov == covered.end() ? scratch : cov->second, detail);
    if (s == State::Broken) o.broken.push_back(who + ": " + detail);
    return s;
  };
  for (std::uint32_t w = 0; w < plan.writers; ++w) {
    for (std::uint64_t s = 0; s < plan.steps; ++s) {
      o.main[{w, s}] = classify(main_record(plan, w, s), fmt::format("writer {} step {}", w, s));
    }
  }
  for (std::uint64_t s = 0; s < plan.steps; ++s) {
    if (grows_at(s)) o.grow[s] = classify(grow_record(s), fmt::format("writer 0 step {} (/grow)", s));
  }
  for (const auto& [name, data] : c.data) {
    const auto& cov = covered[name];
    for (std::size_t i = 0; i < data.size() && o.stray.size() < 5; ++i) {
      if (!cov[i] && data[i] != kFill)
        o.stray.push_back(fmt::format("{}[{}] = {:#x}, written by no record", name, i, data[i]));
    }
  }
  return o;
}

}  // namespace h5mf::reliability
