#include <emg/fields.hpp>

#include "detail/check.hpp"

#include <charconv>
#include <set>

namespace emg {

namespace {

using detail::fail_param;
using detail::fmt;

template <class T>
T parse_number(const FieldRef& f, const std::string& text, const char* type) {
  T v{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto res = std::from_chars(first, last, v);
  if (res.ec != std::errc() || res.ptr != last || text.empty()) {
    fail_param("set_field", f.key, "\"" + text + "\"", std::string("must be ") + type);
  }
  return v;
}

}  // namespace

std::string field_text(const FieldRef& f) {
  struct V {
    std::string operator()(double* v) const { return fmt(*v); }
    std::string operator()(int* v) const { return std::to_string(*v); }
    std::string operator()(long* v) const { return std::to_string(*v); }
    std::string operator()(bool* v) const { return *v ? "true" : "false"; }
    std::string operator()(std::string* v) const { return *v; }
    std::string operator()(std::uint64_t* v) const { return std::to_string(*v); }
    std::string operator()(const EnumField& e) const { return e.get(); }
  };
  return std::visit(V{}, f.target);
}

void set_field(const FieldRef& f, const std::string& text) {
  struct V {
    const FieldRef& f;
    const std::string& text;
    void operator()(double* v) const {
      // "nan" means "not set" for a field whose documented default is nan (e.g. baseline.start_s)
      if (text == "nan" && f.info && f.info->default_value == "nan") {
        *v = std::numeric_limits<double>::quiet_NaN();
        return;
      }
      if (text == "nan" || text == "inf" || text == "-inf") fail_param("set_field", f.key, text, "must be a finite number");
      *v = parse_number<double>(f, text, "a number");
    }
    void operator()(int* v) const { *v = parse_number<int>(f, text, "an integer"); }
    void operator()(long* v) const { *v = parse_number<long>(f, text, "an integer"); }
    void operator()(bool* v) const {
      if (text == "true" || text == "1" || text == "yes" || text == "on") *v = true;
      else if (text == "false" || text == "0" || text == "no" || text == "off") *v = false;
      else fail_param("set_field", f.key, "\"" + text + "\"", "must be true or false");
    }
    void operator()(std::string* v) const { *v = text; }
    void operator()(std::uint64_t* v) const { *v = parse_number<std::uint64_t>(f, text, "an integer in 0..2^64-1"); }
    void operator()(const EnumField& e) const { e.set(text); }
  };
  std::visit(V{f, text}, f.target);
}

const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key, const std::string& function,
                           const std::string& what) {
  for (const auto& f : fields)
    if (f.key == key) return f;
  std::set<std::string> sections;
  for (const auto& f : fields) sections.insert(f.key.substr(0, f.key.find('.')));
  std::string names;
  for (const auto& s : sections) names += (names.empty() ? "" : ", ") + s;
  fail_param(function, "parameter", "\"" + key + "\"", "is not a " + what + " parameter (sections: " + names + ")");
}

std::vector<std::pair<std::string, std::string>> field_values(const std::vector<FieldRef>& fields) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.emplace_back(f.key, field_text(f));
  return out;
}

}  // namespace emg
