#include <emg/table.hpp>

#include "detail/check.hpp"

#include <cmath>
#include <set>

namespace emg {

std::size_t Column::size() const {
  return std::visit([](const auto& v) { return v.size(); }, values);
}

const Column& Table::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return c;
  std::string names;
  for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.name;
  detail::fail_param("Table::column", "name", "\"" + name + "\"", "is not a column (columns: " + names + ")");
}

Table& Table::add(std::string name, std::vector<double> v) {
  columns.push_back(Column{std::move(name), std::move(v)});
  return *this;
}
Table& Table::add(std::string name, std::vector<std::int64_t> v) {
  columns.push_back(Column{std::move(name), std::move(v)});
  return *this;
}
Table& Table::add_bool(std::string name, std::vector<std::uint8_t> v) {
  columns.push_back(Column{std::move(name), std::move(v)});
  return *this;
}
Table& Table::add(std::string name, std::vector<std::string> v) {
  columns.push_back(Column{std::move(name), std::move(v)});
  return *this;
}

void Table::validate(const std::string& what) const {
  std::set<std::string> seen;
  for (const auto& c : columns) {
    if (c.name.empty()) detail::fail_param(what, "column name", "\"\"", "must not be empty");
    if (!seen.insert(c.name).second) detail::fail_param(what, "column name", "\"" + c.name + "\"", "must be unique");
    if (c.size() != n_rows()) {
      detail::fail_param(what, "column " + c.name, std::to_string(c.size()) + " rows",
                         "must have as many rows as the first column (" + std::to_string(n_rows()) + ")");
    }
  }
}

std::string cell_text(const Column& c, std::size_t row) {
  struct V {
    std::size_t row;
    std::string operator()(const std::vector<double>& v) const {
      const double x = v.at(row);
      if (std::isnan(x)) return "nan";
      if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
      return detail::fmt(x);
    }
    std::string operator()(const std::vector<std::int64_t>& v) const { return std::to_string(v.at(row)); }
    std::string operator()(const std::vector<std::uint8_t>& v) const { return v.at(row) ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& v) const { return v.at(row); }
  };
  return std::visit(V{row}, c.values);
}

}  // namespace emg
