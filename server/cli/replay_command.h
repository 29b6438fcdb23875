// `crossgate replay`: impact analysis of a candidate policy bundle before it is deployed.
// Decides every record of the given decision logs again with the candidate (and the owner
// registry) and reports which decisions would change (server/replay/replayer.h). Exit
// status: 0 no decision flips between ALLOW and DENY, 1 some do (or a recorded ALLOW would
// now be refused), 2 unusable input; a pipeline gates the deploy on it.
#pragma once

#include <span>
#include <string_view>

namespace crossgate::cli {

int replay_command(std::span<const std::string_view> args);

}  // namespace crossgate::cli
