// Which elements of a read's output the records placed, one bit each: only the others get the
// fill value afterwards, instead of a whole extra pass of fill over the output before every read
// (as costly as the read itself when the records cover everything, as they usually do).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace h5mf::container {

class Coverage {
 public:
  // `elements`, none of them placed yet.
  void reset(std::uint64_t elements) {
    elements_ = elements;
    words_.assign((elements + 63) / 64, 0);
  }

  // Elements [first, first + count) are placed (within the output).
  void mark(std::uint64_t first, std::uint64_t count) {
    std::uint64_t at = first;
    const std::uint64_t end = first + count;
    while (at < end) {
      const std::uint64_t bit = at % 64;
      const std::uint64_t n = std::min<std::uint64_t>(64 - bit, end - at);
      words_[at / 64] |= (n == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << n) - 1)) << bit;
      at += n;
    }
  }

  // Calls gap(first, count) for every maximal run of elements not placed, in order.
  template <typename Gap>
  void for_each_gap(Gap&& gap) const {
    std::uint64_t at = 0;
    while (at < elements_) {
      at = next(at, false);  // the first element not placed
      if (at >= elements_) return;
      const std::uint64_t end = std::min(next(at, true), elements_);
      gap(at, end - at);
      at = end;
    }
  }

 private:
  // The first element at or after `from` whose bit is `placed` (elements_ or more: none).
  std::uint64_t next(std::uint64_t from, bool placed) const {
    std::uint64_t w = from / 64;
    std::uint64_t word = (placed ? words_[w] : ~words_[w]) & (~std::uint64_t{0} << (from % 64));
    while (word == 0) {
      if (++w == words_.size()) return elements_;
      word = placed ? words_[w] : ~words_[w];
    }
    return w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
  }

  std::vector<std::uint64_t> words_;
  std::uint64_t elements_ = 0;
};

}  // namespace h5mf::container
