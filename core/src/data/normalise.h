// Records (JSON objects from any file kind) -> normalised rows: the column mapping, format
// detection per record, and the conversion of each format into chat messages.
#pragma once

#include "ft/dataimport.h"
#include "ft/project.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace ft {

// Renames the record's columns (source column -> field); other columns are kept.
nlohmann::json applyColumnMap(const nlohmann::json &record, const std::map<std::string, std::string> &columnMap);

// The format one record looks like (Auto when none), with the fields that decided it.
DataFormat classifyRecord(const nlohmann::json &record, const std::map<std::string, std::string> &tags,
                          std::string *why = nullptr);

// A mapped record as a row of `format`. Throws std::runtime_error naming the field.
NewRow normaliseRecord(const nlohmann::json &record, DataFormat format,
                       const std::map<std::string, std::string> &tags);

} // namespace ft
