// Result tables (emg::Table) in the store: a table is kept as one /derived or /metrics item whose
// datasets are its columns (float64, int64, uint8 booleans, UTF-8 strings), with the column order
// and types as attributes so that it reads back as the same table (docs/FORMAT.md, "Tables").
#pragma once

#include <emg/io/store.hpp>
#include <emg/table.hpp>

#include <map>
#include <string>

namespace emg::io {

/// The item `group`/`name` ("derived"/"cramp/trains") holding `table` with its provenance: double
/// columns in `arrays` (one row each), int64 in `int_arrays`, bool in `bool_arrays`, text in
/// `text_arrays`, the names in order in `columns`. InvalidArgument "table_item: ..." for a table
/// with no columns, unequal column lengths, an empty or repeated name, or a name with '/'.
/// Text cells must be UTF-8 without NUL (checked when the item is written).
DerivedItem table_item(const Table& table, const std::string& group, const std::string& name,
                       const std::map<std::string, std::string>& parameters, const std::string& input_sha256);

/// The table stored in `item` (as written by table_item, or read by read_derived): the identical
/// Table (names, order, types, every value). FormatError "/<group>/<name>...: ..." when the item is
/// not a table (empty `columns`) or a listed column is missing or of another length.
Table item_table(const DerivedItem& item);

/// Shorthand: read_derived(path, item) then item_table; FormatErrors start with `path`.
Table read_table(const std::string& path, const std::string& item);

}  // namespace emg::io
