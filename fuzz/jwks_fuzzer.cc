// Fuzzes JSON Web Key Set parsing (RSA, EC and OKP keys into OpenSSL keys) and, for each
// key that loads, a signature check over fixed input.
#include "fuzz/fuzz_support.h"
#include "policy/identity/jwks.h"

using namespace crossgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cedar::Result<identity::JwkSet> keys =
      identity::JwkSet::parse(fuzz::as_text(data, size), "fuzz.jwks.json");
  if (!keys.ok()) return 0;
  const identity::Jwk* only = keys->find("");
  if (only == nullptr) return 0;
  (void)only->bits();
  for (const char* alg : {"RS256", "PS384", "ES256", "ES384", "EdDSA"}) {
    if (only->allows(alg)) (void)only->verify(alg, "e30.e30", std::string(64, 'x'));
  }
  return 0;
}
