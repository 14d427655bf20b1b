#include "common/table_output.hpp"

#include "common/json.hpp"

#include <emg/errors.hpp>

#include <atomic>
#include <type_traits>
#include <variant>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace cramplab {

namespace {

std::string one_line(std::string s) {
  for (auto& ch : s) {
    if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' ';
  }
  return s;
}

std::string type_name(const emg::Column& c) {
  switch (c.values.index()) {
    case 0: return "float64";
    case 1: return "int64";
    case 2: return "bool";
    default: return "string";
  }
}

}  // namespace

std::string table_tsv(const emg::Table& table) {
  table.validate("table_tsv");
  std::string out;
  for (std::size_t k = 0; k < table.columns.size(); ++k) {
    if (k) out += '\t';
    out += one_line(table.columns[k].name);
  }
  out += "\n";
  const std::size_t n = table.n_rows();
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t k = 0; k < table.columns.size(); ++k) {
      if (k) out += '\t';
      out += one_line(emg::cell_text(table.columns[k], r));
    }
    out += "\n";
  }
  return out;
}

std::string table_json(const emg::Table& table) {
  table.validate("table_json");
  struct Cells {
    std::string& out;
    void operator()(const std::vector<double>& v) const {
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json::num(v[i]);
    }
    void operator()(const std::vector<std::int64_t>& v) const {
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
    }
    void operator()(const std::vector<std::uint8_t>& v) const {
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json::boolean(v[i] != 0);
    }
    void operator()(const std::vector<std::string>& v) const {
      for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json::str(v[i]);
    }
  };
  std::string out = "{\"n_rows\": " + std::to_string(table.n_rows()) + ", \"columns\": {";
  for (std::size_t k = 0; k < table.columns.size(); ++k) {
    const emg::Column& c = table.columns[k];
    out += (k ? ", " : "") + json::str(c.name) + ": [";
    std::visit(Cells{out}, c.values);
    out += "]";
  }
  out += "}}";
  return out;
}

void write_text_atomic(const std::string& path, const std::string& text) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw emg::IoError("cannot write '" + path + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw emg::IoError("cannot write '" + path + "': " + ec.message());
  }
}

emg::Table stack_tables(const std::vector<std::string>& labels, const std::vector<const emg::Table*>& tables,
                        const std::string& label_column) {
  if (labels.size() != tables.size()) {
    throw emg::InvalidArgument("stack_tables: labels has " + std::to_string(labels.size()) + " entries, tables " +
                               std::to_string(tables.size()) + "; must be equal");
  }
  emg::Table out;
  std::vector<std::string> label_values;
  for (std::size_t i = 0; i < tables.size(); ++i) label_values.insert(label_values.end(), tables[i]->n_rows(), labels[i]);
  out.add(label_column, std::move(label_values));
  if (tables.empty()) return out;
  const emg::Table& first = *tables.front();
  for (const emg::Column& c : first.columns) {
    if (c.name == label_column) {
      throw emg::InvalidArgument("stack_tables: label_column=\"" + label_column + "\" is already a column of the tables");
    }
    out.columns.push_back(emg::Column{c.name, c.values});
    std::visit([](auto& v) { v.clear(); }, out.columns.back().values);
  }
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const emg::Table& t = *tables[i];
    if (t.columns.size() != first.columns.size()) {
      throw emg::InvalidArgument("stack_tables: table of \"" + labels[i] + "\" has " + std::to_string(t.columns.size()) +
                                 " columns; must have " + std::to_string(first.columns.size()) + " like the first");
    }
    for (std::size_t k = 0; k < t.columns.size(); ++k) {
      const emg::Column& c = t.columns[k];
      emg::Column& dst = out.columns[k + 1];
      if (c.name != dst.name || c.values.index() != dst.values.index()) {
        throw emg::InvalidArgument("stack_tables: column " + std::to_string(k) + " of \"" + labels[i] + "\" is \"" + c.name +
                                   "\" (" + type_name(c) + "); must be \"" + dst.name + "\" (" + type_name(dst) + ")");
      }
      std::visit(
          [&](auto& d) {
            using V = std::decay_t<decltype(d)>;
            const V& s = std::get<V>(c.values);
            d.insert(d.end(), s.begin(), s.end());
          },
          dst.values);
    }
  }
  out.validate("stack_tables");
  return out;
}

}  // namespace cramplab
