// Which sanitizers this test binary was built with, for the few checks whose meaning
// a sanitizer changes.
#pragma once

namespace crossgate::testing {

// AddressSanitizer keeps freed memory in quarantine (256 MB by default) rather than reuse
// it, so under it the resident size grows with what was freed and says nothing about what
// a piece of code holds.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace crossgate::testing
