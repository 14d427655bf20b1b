// Result tables (emg::Table) in the CrampLab store: one /derived or /metrics item per table, one
// 1-D dataset per column (emg/io/tables.hpp, docs/FORMAT.md "Tables"). Damaged files (a column
// deleted, unequal lengths, wrong types) are made with h5py in tests/python/test_format_h5py.py.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/io/tables.hpp>
#include <emg/table.hpp>

#include <gtest/gtest.h>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace io = emg::io;
using emg::Table;
using emg::test::fresh_path;
using emg::test::message_of;

const std::string kSha(64, 'a');

emg::Recording small_recording() {
  emg::RowMatrixXd x(1, 200);
  for (Eigen::Index j = 0; j < x.cols(); ++j) x(0, j) = 1e-3 * std::sin(0.1 * static_cast<double>(j));
  return emg::Recording(std::move(x), 2000.0);
}

/// Every column type with the awkward values: NaN, +-inf, -0, denormals, the int64 limits,
/// unicode and empty text.
Table every_type_table() {
  constexpr double inf = std::numeric_limits<double>::infinity();
  Table t;
  t.add("frequency_hz", std::vector<double>{1.5, std::nan(""), inf, -inf, -0.0, 4.9406564584124654e-324});
  t.add("train_id", std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(),
                                              std::numeric_limits<std::int64_t>::max(), 0, -1, 42, 7});
  t.add_bool("cramp", std::vector<std::uint8_t>{1, 0, 1, 1, 0, 0});
  t.add("status", std::vector<std::string>{"", "ok", "Kr\xc3\xa4mpfe \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x99\x82",
                                           "tab\there\nnewline", "", " "});
  t.add("onset_s", std::vector<double>{0.25, 1.0 / 3.0, 1e300, -1e-300, 0.0, 2.0});
  return t;
}

/// Bit-exact equality of two tables: names, order, types and every cell (NaN payloads and -0 too).
void expect_same(const Table& a, const Table& b) {
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (std::size_t k = 0; k < a.columns.size(); ++k) {
    const auto& ca = a.columns[k];
    const auto& cb = b.columns[k];
    EXPECT_EQ(ca.name, cb.name) << "column " << k;
    ASSERT_EQ(ca.values.index(), cb.values.index()) << "type of column " << ca.name;
    ASSERT_EQ(ca.size(), cb.size()) << "rows of column " << ca.name;
    if (const auto* da = std::get_if<std::vector<double>>(&ca.values)) {
      const auto& db = std::get<std::vector<double>>(cb.values);
      for (std::size_t i = 0; i < da->size(); ++i) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>((*da)[i]), std::bit_cast<std::uint64_t>(db[i])) << ca.name << "[" << i << "]";
      }
    } else {
      EXPECT_TRUE(ca.values == cb.values) << "column " << ca.name;
    }
  }
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Sets SOURCE_DATE_EPOCH for one scope and restores what was there.
class SourceDateEpoch {
 public:
  explicit SourceDateEpoch(const char* value) {
    if (const char* old = std::getenv("SOURCE_DATE_EPOCH")) old_ = old;
    ::setenv("SOURCE_DATE_EPOCH", value, 1);
  }
  ~SourceDateEpoch() {
    if (old_) ::setenv("SOURCE_DATE_EPOCH", old_->c_str(), 1);
    else ::unsetenv("SOURCE_DATE_EPOCH");
  }

 private:
  std::optional<std::string> old_;
};

TEST(StoreTables, ItemCarriesColumnsInOrderWithTheirTypes) {
  const Table t = every_type_table();
  const io::DerivedItem item = io::table_item(t, "derived", "cramp/trains", {{"cramp.min_duration_s", "1"}}, kSha);
  EXPECT_EQ(item.group, "derived");
  EXPECT_EQ(item.name, "cramp/trains");
  EXPECT_EQ(item.columns, (std::vector<std::string>{"frequency_hz", "train_id", "cramp", "status", "onset_s"}));
  EXPECT_EQ(item.arrays.size(), 2u);
  EXPECT_EQ(item.int_arrays.size(), 1u);
  EXPECT_EQ(item.bool_arrays.size(), 1u);
  EXPECT_EQ(item.text_arrays.size(), 1u);
  EXPECT_EQ(item.arrays.at("onset_s").rows(), 1);
  EXPECT_EQ(item.parameters.at("cramp.min_duration_s"), "1");
  EXPECT_EQ(item.input_sha256, kSha);
  expect_same(io::item_table(item), t);  // in memory, no file
}

TEST(StoreTables, RoundTripEveryColumnTypeThroughWriteAndWriteDerived) {
  const Table t = every_type_table();
  const std::string path = fresh_path("tables_roundtrip.h5");
  io::write(path, small_recording(), {}, {io::table_item(t, "derived", "stim/trains", {{"stim.source", "auto"}}, kSha)});
  expect_same(io::read_table(path, "derived/stim/trains"), t);
  io::write_derived(path, {io::table_item(t, "metrics", "ctf", {}, "")});
  expect_same(io::read_table(path, "metrics/ctf"), t);

  const io::FileHeader h = io::read_header(path);
  EXPECT_EQ(h.derived, (std::vector<std::string>{"derived/stim/trains", "metrics/ctf"}));
  EXPECT_TRUE(io::validate_file(path).empty()) << io::validate_file(path).front();

  const io::DerivedItem back = io::read_derived(path, "derived/stim/trains");
  EXPECT_EQ(back.columns, (std::vector<std::string>{"frequency_hz", "train_id", "cramp", "status", "onset_s"}));
  EXPECT_EQ(back.parameters.at("stim.source"), "auto");
  EXPECT_EQ(back.input_sha256, kSha);
  EXPECT_FALSE(back.library_version.empty());
  EXPECT_EQ(back.text_arrays.at("status")[2], "Kr\xc3\xa4mpfe \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x99\x82");
  EXPECT_EQ(back.bool_arrays.at("cramp"), (std::vector<std::uint8_t>{1, 0, 1, 1, 0, 0}));
}

TEST(StoreTables, ZeroRowTableKeepsColumnsAndTypes) {
  Table t;
  t.add("a_s", std::vector<double>{});
  t.add("n", std::vector<std::int64_t>{});
  t.add_bool("flag", std::vector<std::uint8_t>{});
  t.add("status", std::vector<std::string>{});
  const std::string path = fresh_path("tables_empty.h5");
  io::write(path, small_recording(), {}, {io::table_item(t, "derived", "empty", {}, "")});
  const Table back = io::read_table(path, "derived/empty");
  EXPECT_EQ(back.n_rows(), 0u);
  expect_same(back, t);
  EXPECT_TRUE(io::validate_file(path).empty());
}

TEST(StoreTables, HundredThousandRows) {
  constexpr std::size_t n = 100000;
  std::vector<double> x(n);
  std::vector<std::int64_t> k(n);
  std::vector<std::uint8_t> b(n);
  std::vector<std::string> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i) * 0.001 - 7.0;
    k[i] = static_cast<std::int64_t>(i) * 1000003 - 5;
    b[i] = static_cast<std::uint8_t>(i % 3 == 0);
    s[i] = i % 7 == 0 ? "" : "train_" + std::to_string(i);
  }
  Table t;
  t.add("x", x).add("k", k).add_bool("b", b).add("s", s);
  const std::string path = fresh_path("tables_large.h5");
  io::write(path, small_recording(), {}, {io::table_item(t, "metrics", "big", {}, "")});
  const Table back = io::read_table(path, "metrics/big");
  ASSERT_EQ(back.n_rows(), n);
  expect_same(back, t);
}

TEST(StoreTables, ReplacingATableRemovesTheOldColumns) {
  Table a;
  a.add("old_x", std::vector<double>{1, 2, 3}).add("old_n", std::vector<std::int64_t>{1, 2, 3});
  Table b;
  b.add("status", std::vector<std::string>{"ok", "cut"}).add_bool("cramp", std::vector<std::uint8_t>{0, 1});
  const std::string path = fresh_path("tables_replace.h5");
  io::write(path, small_recording(), {}, {io::table_item(a, "derived", "cramp/trains", {{"p", "1"}}, "")});
  io::write_derived(path, {io::table_item(b, "derived", "cramp/trains", {{"q", "2"}}, "")});
  expect_same(io::read_table(path, "derived/cramp/trains"), b);
  const io::DerivedItem item = io::read_derived(path, "derived/cramp/trains");
  EXPECT_TRUE(item.arrays.empty());
  EXPECT_TRUE(item.int_arrays.empty());
  EXPECT_EQ(item.parameters, (std::map<std::string, std::string>{{"q", "2"}}));  // old param.p gone
  EXPECT_EQ(io::read_header(path).derived, std::vector<std::string>{"derived/cramp/trains"});
  EXPECT_TRUE(io::validate_file(path).empty());

  // A table replaced by a plain numeric item (and back): no table attributes left behind.
  io::DerivedItem plain;
  plain.name = "cramp/trains";
  plain.arrays.emplace("values", emg::RowMatrixXd::Ones(1, 4));
  io::write_derived(path, {plain});
  EXPECT_TRUE(io::read_derived(path, "derived/cramp/trains").columns.empty());
  EXPECT_NE(message_of<emg::FormatError>([&] { io::read_table(path, "derived/cramp/trains"); }).find("is not a table"),
            std::string::npos);
  io::write_derived(path, {io::table_item(a, "derived", "cramp/trains", {}, "")});
  expect_same(io::read_table(path, "derived/cramp/trains"), a);
  EXPECT_TRUE(io::validate_file(path).empty());
}

TEST(StoreTables, FailedReplacementLeavesTheFileUntouched) {
  Table a;
  a.add("x", std::vector<double>{1, 2});
  const std::string path = fresh_path("tables_atomic.h5");
  io::write(path, small_recording(), {}, {io::table_item(a, "derived", "t", {}, "")});
  const std::string before = bytes_of(path);
  io::DerivedItem bad = io::table_item(a, "derived", "t", {}, "");
  bad.text_arrays["status"] = {std::string("a\0b", 3), "ok"};
  bad.columns.push_back("status");
  const std::string m = emg::test::error_of([&] { io::write_derived(path, {bad}); });
  EXPECT_NE(m.find("text_arrays[\"status\"][0]"), std::string::npos) << m;
  EXPECT_NE(m.find("UTF-8"), std::string::npos) << m;
  EXPECT_EQ(bytes_of(path), before);
  const auto dir = std::filesystem::path(path).parent_path();
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find("tables_atomic.h5.tmp"), std::string::npos) << e.path();
  }
}

TEST(StoreTables, SameTableGivesTheSameBytes) {
  const SourceDateEpoch epoch("1767225600");  // 2026-01-01T00:00:00Z
  const Table t = every_type_table();
  const auto item = io::table_item(t, "derived", "cramp/trains", {{"cramp.min_duration_s", "1"}}, kSha);
  const std::string p1 = fresh_path("tables_det1.h5");
  const std::string p2 = fresh_path("tables_det2.h5");
  io::write(p1, small_recording(), {}, {item});
  io::write(p2, small_recording(), {}, {item});
  EXPECT_EQ(bytes_of(p1), bytes_of(p2));
  EXPECT_EQ(io::read_derived(p1, "derived/cramp/trains").parameters.size(), 1u);

  // write_derived into two identical files (twice in one of them: the replaced item's space
  // stays, so compare first writes only).
  const std::string q1 = fresh_path("tables_det3.h5");
  const std::string q2 = fresh_path("tables_det4.h5");
  io::write(q1, small_recording());
  io::write(q2, small_recording());
  io::write_derived(q1, {item, io::table_item(t, "metrics", "m", {}, "")});
  io::write_derived(q2, {item, io::table_item(t, "metrics", "m", {}, "")});
  EXPECT_EQ(bytes_of(q1), bytes_of(q2));
  EXPECT_NE(bytes_of(q1), bytes_of(p1));  // a real comparison: different content, different bytes
}

TEST(StoreTables, BadTablesAreRefusedNamingTheRule) {
  Table unequal;
  unequal.add("a", std::vector<double>{1, 2}).add("b", std::vector<std::int64_t>{1});
  EXPECT_NE(emg::test::error_of([&] { io::table_item(unequal, "derived", "t", {}, ""); }).find("column b"), std::string::npos);
  EXPECT_NE(emg::test::error_of([&] { io::table_item(Table{}, "derived", "t", {}, ""); }).find("at least one column"),
            std::string::npos);
  Table slash;
  slash.add("a/b", std::vector<double>{1});
  EXPECT_NE(emg::test::error_of([&] { io::table_item(slash, "derived", "t", {}, ""); }).find("\"a/b\""), std::string::npos);
  Table two;
  two.add_bool("cramp", std::vector<std::uint8_t>{0, 1, 2});
  EXPECT_NE(emg::test::error_of([&] { io::table_item(two, "derived", "t", {}, ""); }).find("column cramp[2]=2 must be 0 or 1"),
            std::string::npos);
  Table dup;
  dup.add("a", std::vector<double>{1}).add("a", std::vector<std::string>{"x"});
  EXPECT_NE(emg::test::error_of([&] { io::table_item(dup, "derived", "t", {}, ""); }).find("unique"), std::string::npos);

  const std::string path = fresh_path("tables_bad.h5");
  io::write(path, small_recording());
  Table ok;
  ok.add("a", std::vector<double>{1, 2});
  io::DerivedItem missing = io::table_item(ok, "derived", "t", {}, "");
  missing.columns.push_back("ghost");
  EXPECT_NE(emg::test::error_of([&] { io::write_derived(path, {missing}); }).find("derived[0].columns[1]=\"ghost\""),
            std::string::npos);
  io::DerivedItem extra = io::table_item(ok, "derived", "t", {}, "");
  extra.int_arrays["unlisted"] = {1, 2};
  EXPECT_NE(emg::test::error_of([&] { io::write_derived(path, {extra}); }).find("\"unlisted\" is missing"), std::string::npos);
  io::DerivedItem shortcol = io::table_item(ok, "derived", "t", {}, "");
  shortcol.text_arrays["s"] = {"x"};
  shortcol.columns.push_back("s");
  EXPECT_NE(emg::test::error_of([&] { io::write_derived(path, {shortcol}); }).find("as many rows"), std::string::npos);
  io::DerivedItem twice = io::table_item(ok, "derived", "t", {}, "");
  twice.text_arrays["a"] = {"x", "y"};
  EXPECT_NE(emg::test::error_of([&] { io::write_derived(path, {twice}); }).find("another dataset"), std::string::npos);
  EXPECT_TRUE(io::read_header(path).derived.empty());
}

TEST(StoreTables, NonTableItemsAreAFormatErrorNamingFileAndItem) {
  const std::string path = fresh_path("tables_nontable.h5");
  io::DerivedItem rms;
  rms.name = "rms";
  rms.arrays.emplace("values", emg::RowMatrixXd::Zero(2, 3));
  io::write(path, small_recording(), {}, {rms});
  const std::string m = message_of<emg::FormatError>([&] { io::read_table(path, "derived/rms"); });
  EXPECT_NE(m.find(path), std::string::npos) << m;
  EXPECT_NE(m.find("/derived/rms"), std::string::npos) << m;
  EXPECT_NE(m.find("not a table"), std::string::npos) << m;
  EXPECT_NE(message_of<emg::FormatError>([&] { io::item_table(rms); }).find("/derived/rms: is not a table"), std::string::npos);
  // item_table on a hand-made item whose column has no dataset
  io::DerivedItem broken;
  broken.name = "t";
  broken.columns = {"x"};
  EXPECT_NE(message_of<emg::FormatError>([&] { io::item_table(broken); }).find("/derived/t/x: column is missing"),
            std::string::npos);
  // ... or whose bool column holds something other than 0/1
  io::DerivedItem bad_bool;
  bad_bool.name = "t";
  bad_bool.columns = {"cramp"};
  bad_bool.bool_arrays["cramp"] = {1, 0, 7};
  EXPECT_NE(message_of<emg::FormatError>([&] { io::item_table(bad_bool); }).find("/derived/t/cramp: row 2 holds 7"),
            std::string::npos);
  // absent item: ValueError-like InvalidArgument listing the items
  EXPECT_NE(emg::test::error_of([&] { io::read_table(path, "derived/nope"); }).find("derived/rms"), std::string::npos);
}

TEST(StoreTables, OldFilesWithoutTablesStillRead) {
  const std::string fixture = std::string(EMG_TEST_DATA_DIR) + "/fixtures/cramplab_v1.h5";
  const io::DerivedItem d = io::read_derived(fixture, "derived/rms");
  EXPECT_TRUE(d.columns.empty());
  EXPECT_TRUE(d.text_arrays.empty() && d.int_arrays.empty() && d.bool_arrays.empty());
  ASSERT_EQ(d.arrays.size(), 2u);
  EXPECT_EQ(d.arrays.at("values").cols(), 8);
  EXPECT_EQ(d.parameters.at("window_s"), "0.25");
  EXPECT_TRUE(io::validate_file(fixture).empty());
  const std::string float_fixture = std::string(EMG_TEST_DATA_DIR) + "/fixtures/cramplab_v1_float.h5";
  EXPECT_EQ(io::read_derived(float_fixture, "metrics/fatigue/mdf").arrays.at("mdf_hz").rows(), 2);
  EXPECT_TRUE(io::validate_file(float_fixture).empty());
}

}  // namespace
