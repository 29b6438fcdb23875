// The names gRPC gives its status codes ("RESOURCE_EXHAUSTED"), for metric labels and for
// messages people read.
#pragma once

#include <string>

namespace crossgate::server {

// The canonical name of a gRPC status code; the number itself for a code gRPC does not name.
std::string status_code_name(int code);

}  // namespace crossgate::server
