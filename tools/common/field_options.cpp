#include "common/field_options.hpp"

#include <variant>

namespace cramplab {

std::string field_section(const std::string& key) { return key.substr(0, key.find('.')); }

std::string field_help(const emg::FieldRef& f) {
  std::string h;
  if (f.info) {
    h = f.info->help;
    while (!h.empty() && (h.back() == '.' || h.back() == ' ')) h.pop_back();
    if (!f.info->unit.empty()) h += " [" + f.info->unit + "]";
    if (!f.info->range.empty()) h += "; " + f.info->range;
  }
  if (const auto* e = std::get_if<emg::EnumField>(&f.target)) {
    std::string choices, listed;
    for (const auto& c : e->choices) {
      choices += (choices.empty() ? "" : "|") + c;
      listed += (listed.empty() ? "" : ", ") + c;
    }
    // not again when the range already lists them ("a|b|c" or "a, b, c")
    if (h.find(choices) == std::string::npos && h.find(listed) == std::string::npos) h += (h.empty() ? "" : "; ") + choices;
  }
  return h;
}

std::vector<po::options_description> grouped_field_options(const std::vector<emg::FieldRef>& fields,
                                                           const std::map<std::string, std::string>& titles,
                                                           const AddFieldOption& add) {
  std::vector<std::string> order;
  std::map<std::string, po::options_description> groups;
  for (const auto& f : fields) {
    const std::string section = field_section(f.key);
    if (!groups.count(section)) {
      const auto it = titles.find(section);
      groups.emplace(section, po::options_description(it != titles.end() ? it->second : section, kHelpWidth, kHelpWidth / 2));
      order.push_back(section);
    }
    add(groups.at(section), f);
  }
  std::vector<po::options_description> out;
  for (const auto& s : order) out.push_back(groups.at(s));
  return out;
}

}  // namespace cramplab
