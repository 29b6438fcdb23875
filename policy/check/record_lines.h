// Where each record of a registry (or bundle) YAML file starts, so that lint findings can
// name the line of the record at fault: the loaded records keep no positions, and the
// files are parsed again here only for their marks.
#pragma once

#include <map>
#include <string>

#include "policy/bundle/bundle_source.h"

namespace crossgate::check {

// id -> 1-based line of the list element under `list_key` in `file` ("workloads.yaml",
// "workloads") whose `id` is that id. Missing or unreadable files give an empty map (the
// loader has refused those already).
std::map<std::string, int> record_lines(const bundle::BundleFiles& files, const std::string& file,
                                        const std::string& list_key);

// The 1-based line of `key` at the top level of `file`, or 0.
int key_line(const bundle::BundleFiles& files, const std::string& file, const std::string& key);

}  // namespace crossgate::check
