// Derived items (/derived/<name>, /metrics/<name>): validation, writing and reading, shared by
// write() and write_derived().
#pragma once

#include <emg/io/store.hpp>

#include "io/detail/h5.hpp"
#include "io/detail/store_layout.hpp"

#include <string>
#include <vector>

namespace emg::io::detail {

/// InvalidArgument "<function>: <label>.<field>=<value> <rule>" for a malformed item, and for
/// duplicate paths among `items`.
void check_derived_items(const std::vector<DerivedItem>& items, const std::string& function);

/// Write one item into an open file, replacing an existing item of the same path. Validates the
/// item first (InvalidArgument naming `label`, e.g. "derived[1]").
void write_derived_item(H5::H5File& file, const DerivedItem& item, const std::string& function,
                        const std::string& label);

/// Read item "derived/<name>" or "metrics/<name>"; FormatError naming the object when malformed.
DerivedItem read_derived_item(const H5::H5File& file, const std::string& item, const std::string& path);

/// The column type of a dataset as `column_types` names it: "double" (float64), "int64", "bool"
/// (uint8), "string"; other types by their name ("float32", "int16", ...).
std::string dataset_kind(const H5::DataSet& ds);

/// True if the item group has the table attributes (`columns` or `column_types`).
bool is_table_group(const H5::Group& g);

/// Every broken table rule of the item group `g` at object path `where` (docs/FORMAT.md, "Tables"):
/// the two attributes (string arrays of one length, known types), each listed column present,
/// 1-D, of its declared type, all of one length, and no unlisted datasets.
void check_table_group(const H5::Group& g, const std::string& where, Problems& problems);

/// Current UTC time as ISO-8601 ("2026-11-22T03:15:38Z").
std::string utc_now_iso8601();

}  // namespace emg::io::detail
