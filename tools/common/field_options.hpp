// Command-line options made from a library field table (emg/fields.hpp): one option per field,
// named by its dotted key, grouped by section, with the field's help, unit, range and choices.
#pragma once

#include "common/cli.hpp"

#include <emg/fields.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cramplab {

/// "section" of "section.field".
std::string field_section(const std::string& key);

/// The --help text of a field: its help, " [unit]", "; range" and, for an enum, "a|b|c".
std::string field_help(const emg::FieldRef& f);

/// Adds the option for one field to a group.
using AddFieldOption = std::function<void(po::options_description&, const emg::FieldRef&)>;

/// One options group per section, in the order the sections first appear in `fields`, titled from
/// `titles` (the section name when absent); `add` adds each field's option to its group.
std::vector<po::options_description> grouped_field_options(const std::vector<emg::FieldRef>& fields,
                                                           const std::map<std::string, std::string>& titles,
                                                           const AddFieldOption& add);

}  // namespace cramplab
