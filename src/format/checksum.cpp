#include "format/checksum.hpp"

#include <xxhash.h>
#if H5MF_HAVE_XXH3_DISPATCH
#include <xxh_x86dispatch.h>
#endif

#include <new>

namespace h5mf::format {
namespace {

// The widest vector unit of this CPU where libxxhash offers the choice (same hash values).
#if H5MF_HAVE_XXH3_DISPATCH
XXH64_hash_t hash(const void* data, std::size_t size) { return XXH3_64bits_dispatch(data, size); }
XXH_errorcode hash_update(XXH3_state_t* state, const void* data, std::size_t size) {
  return XXH3_64bits_update_dispatch(state, data, size);
}
#else
XXH64_hash_t hash(const void* data, std::size_t size) { return XXH3_64bits(data, size); }
XXH_errorcode hash_update(XXH3_state_t* state, const void* data, std::size_t size) {
  return XXH3_64bits_update(state, data, size);
}
#endif

}  // namespace

std::uint64_t checksum(ByteView bytes) { return hash(bytes.data(), bytes.size()); }

// The state lives on the heap: the system xxhash.h exposes XXH3_state_t's layout only with
// XXH_STATIC_LINKING_ONLY, which would tie us to one library version's struct.
struct Checksum::State {
  XXH3_state_t* xxh;
  State() : xxh(XXH3_createState()) {
    if (xxh == nullptr) throw std::bad_alloc();
    XXH3_64bits_reset(xxh);
  }
  ~State() { XXH3_freeState(xxh); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

Checksum::Checksum() : state_(std::make_unique<State>()) {}
Checksum::Checksum(Checksum&&) noexcept = default;
Checksum& Checksum::operator=(Checksum&&) noexcept = default;
Checksum::~Checksum() = default;

// A moved-from Checksum may only be destroyed or assigned to.
void Checksum::update(ByteView bytes) {
  if (bytes.empty()) return;  // older libxxhash versions assert on a null pointer
  hash_update(state_->xxh, bytes.data(), bytes.size());
}

std::uint64_t Checksum::digest() const { return XXH3_64bits_digest(state_->xxh); }

void Checksum::reset() { XXH3_64bits_reset(state_->xxh); }

}  // namespace h5mf::format
