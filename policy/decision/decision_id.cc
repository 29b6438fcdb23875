#include "policy/decision/decision_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace crossgate::decision {

namespace {

// Random bytes for ids, drawn from the CSPRNG a block at a time per thread: one RAND_bytes
// call per block instead of one per decision (each call costs a getpid(2) system call, a
// lock and a DRBG step, which profiling showed as a tenth of a decision's CPU time). Every
// byte is used once, so ids keep 80 bits from the CSPRNG each.
class RandomBlock {
 public:
  void take(std::uint8_t* out, std::size_t n) {
    if (used_ + n > bytes_.size()) refill();
    std::memcpy(out, bytes_.data() + used_, n);
    used_ += n;
  }

 private:
  void refill() {
    if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1) {
      // The CSPRNG failing is not a reason to stop deciding: uniqueness, not secrecy, is
      // what the id needs, and a seeded generator still provides it.
      thread_local std::mt19937_64 fallback{std::random_device{}()};
      for (std::uint8_t& b : bytes_)
        b = static_cast<std::uint8_t>(fallback());
    }
    used_ = 0;
  }

  std::array<std::uint8_t, 1000> bytes_{};  // 100 ids
  std::size_t used_ = bytes_.size();
};

}  // namespace

std::string new_decision_id(UnixMillis now) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::array<std::uint8_t, 16> bytes{};
  auto time = static_cast<std::uint64_t>(now);
  for (int i = 5; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(time & 0xff);
    time >>= 8;
  }
  thread_local RandomBlock random;
  random.take(bytes.data() + 6, 10);
  // 128 bits as 26 base32 digits, most significant first: read as a 130-bit number with
  // two leading zero bits, five bits per digit.
  std::string out(26, '0');
  for (int digit = 0; digit < 26; ++digit) {
    unsigned value = 0;
    for (int bit = 0; bit < 5; ++bit) {
      int position = digit * 5 + bit - 2;  // bit index into the 128 bits, from the top
      unsigned b = 0;
      if (position >= 0) {
        b = (bytes[static_cast<std::size_t>(position / 8)] >> (7 - position % 8)) & 1u;
      }
      value = (value << 1) | b;
    }
    out[static_cast<std::size_t>(digit)] = kAlphabet[value];
  }
  return out;
}

}  // namespace crossgate::decision
