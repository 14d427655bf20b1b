// emg::Table <-> DerivedItem: a result table as one /derived or /metrics item, one 1-D dataset per
// column (docs/FORMAT.md, "Tables"). The item's `columns` keeps the order; the dataset types
// (float64, int64, uint8, string) are the column types, written as attribute column_types.
#include <emg/errors.hpp>
#include <emg/io/tables.hpp>

#include "detail/check.hpp"

#include <type_traits>
#include <utility>

namespace emg::io {

using emg::detail::fail_param;

DerivedItem table_item(const Table& table, const std::string& group, const std::string& name,
                       const std::map<std::string, std::string>& parameters, const std::string& input_sha256) {
  constexpr const char* fn = "table_item";
  table.validate(fn);
  if (table.columns.empty()) fail_param(fn, "table", "(0 columns)", "must have at least one column");
  DerivedItem item;
  item.group = group;
  item.name = name;
  item.parameters = parameters;
  item.input_sha256 = input_sha256;
  for (const Column& c : table.columns) {
    if (c.name.find('/') != std::string::npos || c.name == "." || c.name == "..") {
      fail_param(fn, "column name", "\"" + c.name + "\"", "must not contain '/' or be '.' or '..' (it names an HDF5 dataset)");
    }
    item.columns.push_back(c.name);
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          if constexpr (std::is_same_v<T, double>) {
            RowMatrixXd m(1, static_cast<Eigen::Index>(v.size()));
            for (std::size_t i = 0; i < v.size(); ++i) m(0, static_cast<Eigen::Index>(i)) = v[i];
            item.arrays.emplace(c.name, std::move(m));
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            item.int_arrays.emplace(c.name, v);
          } else if constexpr (std::is_same_v<T, std::uint8_t>) {
            for (std::size_t i = 0; i < v.size(); ++i) {
              if (v[i] > 1) {
                fail_param(fn, "column " + c.name + "[" + std::to_string(i) + "]", std::to_string(v[i]),
                           "must be 0 or 1 (a bool column)");
              }
            }
            item.bool_arrays.emplace(c.name, v);
          } else {
            item.text_arrays.emplace(c.name, v);
          }
        },
        c.values);
  }
  return item;
}

Table item_table(const DerivedItem& item) {
  const std::string where = "/" + item.group + "/" + item.name;
  if (item.columns.empty()) {
    throw FormatError(where + ": is not a table item (no attribute 'columns'); read it with read_derived");
  }
  Table t;
  for (const std::string& c : item.columns) {
    if (const auto a = item.arrays.find(c); a != item.arrays.end()) {
      const RowMatrixXd& m = a->second;
      if (m.rows() != 1 && m.size() > 0) {
        throw FormatError(where + "/" + c + ": a table column must be 1-D, found " + std::to_string(m.rows()) + " rows");
      }
      t.add(c, std::vector<double>(m.data(), m.data() + m.size()));
    } else if (const auto b = item.int_arrays.find(c); b != item.int_arrays.end()) {
      t.add(c, b->second);
    } else if (const auto d = item.bool_arrays.find(c); d != item.bool_arrays.end()) {
      for (std::size_t i = 0; i < d->second.size(); ++i) {
        if (d->second[i] > 1) {
          throw FormatError(where + "/" + c + ": row " + std::to_string(i) + " holds " + std::to_string(d->second[i]) +
                            ", a bool column holds 0 or 1");
        }
      }
      t.add_bool(c, d->second);
    } else if (const auto s = item.text_arrays.find(c); s != item.text_arrays.end()) {
      t.add(c, s->second);
    } else {
      throw FormatError(where + "/" + c + ": column is missing (listed in attribute 'columns')");
    }
    if (t.columns.back().size() != t.n_rows()) {
      throw FormatError(where + "/" + c + ": has " + std::to_string(t.columns.back().size()) + " rows, column \"" +
                        t.columns.front().name + "\" has " + std::to_string(t.n_rows()));
    }
  }
  try {
    t.validate("item_table");
  } catch (const InvalidArgument& e) {
    throw FormatError(where + ": " + e.what());
  }
  return t;
}

Table read_table(const std::string& path, const std::string& item) {
  const DerivedItem d = read_derived(path, item);
  try {
    return item_table(d);
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
}

}  // namespace emg::io
