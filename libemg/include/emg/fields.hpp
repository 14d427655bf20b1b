// Parameters by their one name ("pulses.threshold_mad", "ladder.start_hz"): named references into
// params structs, so that the CLI options, the Python keywords, the config-file keys and the
// provenance attributes of every surface are made from one table and cannot drift apart
// (DESIGN.md §3: C++ field = Python keyword = CLI option = config key).
#pragma once

#include <emg/params.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace emg {

/// An enum-valued field, seen as text.
struct EnumField {
  std::function<std::string()> get;
  std::function<void(const std::string&)> set;  ///< throws InvalidArgument for an unknown name
  std::vector<std::string> choices;
};

/// A named reference into a params struct (valid while the struct lives).
struct FieldRef {
  std::string key;  ///< "<section>.<field>"
  std::variant<double*, int*, long*, bool*, std::string*, std::uint64_t*, EnumField> target;
  const ParamInfo* info = nullptr;  ///< unit, default, range and help from the struct's describe()
};

/// The current value as text (the shortest round-trip form for numbers; true/false).
std::string field_text(const FieldRef& f);
/// Parse `text` into the field; throws InvalidArgument naming the key, the value and the type.
/// Numbers must be finite, except "nan" for a field whose documented default is "nan" (not set).
void set_field(const FieldRef& f, const std::string& text);
/// Find `key` in `fields`; throws InvalidArgument ("<function>: parameter "key" is not a <what>
/// parameter (sections: ...)") when absent.
const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key,
                           const std::string& function = "set_field", const std::string& what = "known");
/// Every field as {key, text} in table order.
std::vector<std::pair<std::string, std::string>> field_values(const std::vector<FieldRef>& fields);

/// Builds a field table section by section; each field's ParamInfo is looked up by name in the
/// section's describe() table.
class FieldBuilder {
 public:
  explicit FieldBuilder(std::vector<FieldRef>& out) : out_(out) {}
  FieldBuilder& section(std::string name, const ParamTable* table) {
    section_ = std::move(name);
    table_ = table;
    return *this;
  }
  template <class T>
  FieldBuilder& operator()(const char* name, T* field) {
    FieldRef f;
    f.key = section_ + "." + name;
    f.target = field;
    f.info = lookup(name);
    out_.push_back(std::move(f));
    return *this;
  }
  FieldBuilder& enumeration(const char* name, EnumField e) {
    FieldRef f;
    f.key = section_ + "." + name;
    f.target = std::move(e);
    f.info = lookup(name);
    out_.push_back(std::move(f));
    return *this;
  }

 private:
  const ParamInfo* lookup(const std::string& name) const {
    if (!table_) return nullptr;
    for (const auto& p : *table_)
      if (p.name == name) return &p;
    return nullptr;
  }
  std::vector<FieldRef>& out_;
  std::string section_;
  const ParamTable* table_ = nullptr;
};

/// An EnumField over `*e` from its to_string / parse functions.
template <class E, class Parse>
EnumField enum_field(E* e, std::string (*to)(E), Parse parse, std::vector<std::string> choices) {
  return EnumField{[e, to] { return to(*e); }, [e, parse](const std::string& s) { *e = parse(s); }, std::move(choices)};
}

}  // namespace emg
