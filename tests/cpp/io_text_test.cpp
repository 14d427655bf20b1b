// read_text on every text dialect in datasets/real plus synthetic edge cases; write_tsv round trip.
#include <emg/errors.hpp>
#include <emg/io/text.hpp>

#include <gtest/gtest.h>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using emg::test::scratch;
using emg::test::write_file;

namespace fs = std::filesystem;
using emg::io::read_text;
using emg::io::TextReadOptions;

const std::string kReal = std::string(EMG_DATASETS_DIR) + "/real/";

using emg::test::message_of;

TextReadOptions with_fs(double fs_hz) {
  TextReadOptions o;
  o.fs_hz = fs_hz;
  return o;
}

// ---- real files --------------------------------------------------------------------------------

TEST(ReadTextReal, BiosppyOpenSignalsHeaderGivesFsAndLabel) {
  const auto rec = read_text(kReal + "biosppy-examples/emg_1.txt");
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 63880);
  EXPECT_EQ(rec.channels()[0].name, "EMG");
  EXPECT_EQ(rec.data()(0, 0), 2034.0);
  EXPECT_EQ(rec.data()(0, 1), 2011.0);
  EXPECT_EQ(rec.data()(0, rec.n_samples() - 1), 2035.0);
  ASSERT_FALSE(rec.history().empty());
  EXPECT_HAS(rec.history().back(), "header line 2");
}

TEST(ReadTextReal, BiosppyDecimalValues) {
  const auto rec = read_text(kReal + "biosppy-examples/emg.txt");
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  EXPECT_EQ(rec.n_samples(), 100000);
  EXPECT_EQ(rec.data()(0, 0), 2055.0);
}

TEST(ReadTextReal, UciWithoutFsAsksForFsHz) {
  const auto msg = message_of<emg::InvalidArgument>([] { read_text(kReal + "uci-lower-limb/3Asen.txt"); });
  EXPECT_HAS(msg, "read_text: fs_hz=0");
  EXPECT_HAS(msg, "3Asen.txt");
  EXPECT_HAS(msg, "--fs-hz");
}

TEST(ReadTextReal, UciSpanishChannelLinesGiveNamesAndUnits) {
  const auto rec = read_text(kReal + "uci-lower-limb/3Asen.txt", with_fs(1000.0));
  ASSERT_EQ(rec.n_channels(), 5);
  EXPECT_EQ(rec.n_samples(), 38971);
  EXPECT_EQ(rec.channels()[0].name, "Recto Femoral");
  EXPECT_EQ(rec.channels()[3].name, "EMG Semitendinoso");
  EXPECT_EQ(rec.channels()[4].name, "Flexo-Extension");
  EXPECT_EQ(rec.channels()[0].units, "mV");
  EXPECT_EQ(rec.channels()[4].units, "deg");
  EXPECT_EQ(rec.data()(0, 0), -0.0008);
  EXPECT_EQ(rec.data()(4, 0), 87.1);
  EXPECT_EQ(rec.data()(1, 1), -0.0015);
}

TEST(ReadTextReal, UciColumnSelection) {
  auto opt = with_fs(1000.0);
  opt.columns = {0, 1, 2, 3};
  const auto rec = read_text(kReal + "uci-lower-limb/3Asen.txt", opt);
  ASSERT_EQ(rec.n_channels(), 4);
  EXPECT_EQ(rec.channels()[1].name, "Biceps Femoral");
  opt.columns = {3, 0};
  const auto two = read_text(kReal + "uci-lower-limb/3Asen.txt", opt);
  EXPECT_EQ(two.channels()[0].name, "EMG Semitendinoso");
  EXPECT_EQ(two.data()(1, 0), -0.0008);
}

TEST(ReadTextReal, UciShortNamesAndIncompleteTrailingRows) {
  auto opt = with_fs(1000.0);
  opt.columns = {0, 1, 2, 3};
  const auto rec = read_text(kReal + "uci-lower-limb/5Nmar.txt", opt);
  EXPECT_EQ(rec.n_samples(), 6563);  // the header says 6563 values; 17 goniometer-only rows follow
  EXPECT_EQ(rec.channels()[0].name, "RF");
  EXPECT_EQ(rec.channels()[3].name, "ST");
  EXPECT_HAS(rec.history().back(), "dropped 17 trailing incomplete rows");
}

TEST(ReadTextReal, PhysionetTimeColumnWithCrlfAndCorruptedLine) {
  const auto msg = message_of<emg::FormatError>([] { read_text(kReal + "physionet-emgdb/emg_healthy.txt"); });
  EXPECT_HAS(msg, "emg_healthy.txt:639:");
  EXPECT_HAS(msg, "field 2 is not a number");
  EXPECT_HAS(msg, "-0.0383+\\xED0.0350");
  const auto msg2 = message_of<emg::FormatError>([] { read_text(kReal + "physionet-emgdb/emg_neuropathy.txt"); });
  EXPECT_HAS(msg2, "emg_neuropathy.txt:71194:");
}

TEST(ReadTextReal, PhysionetCleanPrefixGivesFsFromTimeColumn) {
  std::ifstream in(kReal + "physionet-emgdb/emg_healthy.txt", std::ios::binary);
  std::string content, line;
  for (int i = 0; i < 600 && std::getline(in, line); ++i) content += line + "\n";  // keeps the '\r'
  const auto path = write_file("physionet_prefix.txt", content);
  const auto rec = read_text(path);
  EXPECT_EQ(rec.fs_hz(), 4000.0);
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 600);
  EXPECT_DOUBLE_EQ(rec.start_time_s(), 0.00025);
  EXPECT_EQ(rec.data()(0, 0), -0.0333);
  EXPECT_EQ(rec.data()(0, 2), -0.0350);
}

TEST(ReadTextReal, ViconDevicesCsv) {
  const auto rec = read_text(kReal + "pyomeca-shoulder-c3d/analogs.csv");
  EXPECT_EQ(rec.fs_hz(), 2000.0);
  ASSERT_EQ(rec.n_channels(), 38);  // 40 columns minus Frame and Sub Frame
  EXPECT_EQ(rec.n_samples(), 11600);
  EXPECT_EQ(rec.channels()[0].name, "1");
  EXPECT_EQ(rec.channels()[6].name, "EMG1");
  EXPECT_EQ(rec.channels()[22].name, "IM EMG1");
  EXPECT_EQ(rec.channels()[6].units, "V");
  EXPECT_EQ(rec.data()(0, 0), -0.0220516);
  EXPECT_EQ(rec.data()(6, 0), -2.61E-05);
  auto opt = TextReadOptions{};
  opt.columns = {6, 7};
  const auto two = read_text(kReal + "pyomeca-shoulder-c3d/analogs.csv", opt);
  EXPECT_EQ(two.channels()[1].name, "EMG2");
  EXPECT_EQ(two.data()(1, 0), -4.02E-05);
}

// ---- synthetic dialects ------------------------------------------------------------------------

TEST(ReadText, ViconBlockEndsAtNextSectionAndBadRateIsReported) {
  const std::string head = "Devices\r\n1000,,\r\n,,Dev\r\nFrame,Sub Frame,EMG\r\n,,mV\r\n";
  const auto rec = read_text(write_file("vicon.csv", head + "1,0,0.5\r\n1,1,0.25\r\n\r\nTrajectories\r\n100\r\n"));
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 2);
  EXPECT_EQ(rec.channels()[0].units, "mV");
  EXPECT_EQ(rec.data()(0, 1), 0.25);
  EXPECT_HAS(rec.history().back(), "next block at line 9");
  const auto msg = message_of<emg::FormatError>(
      [&] { read_text(write_file("vicon_bad.csv", "Devices\nrate,,\n,,Dev\nFrame,Sub Frame,EMG\n,,V\n1,0,2\n")); });
  EXPECT_HAS(msg, "vicon_bad.csv:1: Vicon Nexus CSV export: line 2 should hold the sampling rate");
}

TEST(ReadText, CsvHeaderRowAndTimeColumn) {
  const auto path = write_file("time.csv", "time,EMG1,EMG2\n0,1,2\n0.0005,3,4\n0.001,5,6\n0.0015,7,8\n");
  const auto rec = read_text(path);
  EXPECT_EQ(rec.fs_hz(), 2000.0);
  ASSERT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.channels()[0].name, "EMG1");
  EXPECT_EQ(rec.channels()[1].name, "EMG2");
  EXPECT_EQ(rec.data()(1, 3), 8.0);
  EXPECT_EQ(rec.channels()[0].units, "");
}

TEST(ReadText, NamedTimeColumnAnywhereAndTimeColumnOption) {
  const auto path = write_file("t_last.tsv", "a\tb\tt\n1\t6\t0\n3\t4\t0.001\n5\t2\t0.002\n");
  auto rec = read_text(path);
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  EXPECT_EQ(rec.n_channels(), 2);
  TextReadOptions none = with_fs(100.0);
  none.time_column = "none";
  rec = read_text(path, none);
  EXPECT_EQ(rec.n_channels(), 3);
  EXPECT_EQ(rec.fs_hz(), 100.0);
  TextReadOptions named;
  named.time_column = "b";
  const auto msg = message_of<emg::FormatError>([&] { read_text(path, named); });
  EXPECT_HAS(msg, "time column 'b' is not increasing");
  named.time_column = "nope";
  const auto msg2 = message_of<emg::InvalidArgument>([&] { read_text(path, named); });
  EXPECT_HAS(msg2, "read_text: time_column=\"nope\" is not a column");
  EXPECT_HAS(msg2, "a, b, t");
}

TEST(ReadText, SemicolonWhitespaceCommentsCrlfAndPlusSign) {
  auto rec = read_text(write_file("semi.csv", "# a comment\r\nx;y\r\n1;+2\r\n\r\n3;4e-3\r\n"), with_fs(10.0));
  EXPECT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.channels()[1].name, "y");
  EXPECT_EQ(rec.data()(0, 1), 3.0);
  EXPECT_EQ(rec.data()(1, 0), 2.0);
  EXPECT_EQ(rec.data()(1, 1), 4e-3);
  rec = read_text(write_file("ws.txt", "  1   2\n3\t 4\n"), with_fs(10.0));
  EXPECT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.data()(1, 1), 4.0);
}

TEST(ReadText, WrongFieldCountNamesFileLineAndText) {
  const auto path = write_file("ragged.csv", "1,2\n3,4\n5,6,7\n");
  const auto msg = message_of<emg::FormatError>([&] { read_text(path, with_fs(100.0)); });
  EXPECT_HAS(msg, "ragged.csv:3:");
  EXPECT_HAS(msg, "expected 2 fields, found 3");
  EXPECT_HAS(msg, "'5,6,7'");
}

TEST(ReadText, NonNumericAndNonFiniteFields) {
  auto msg = message_of<emg::FormatError>([&] { read_text(write_file("bad.csv", "1,2\n3,abc\n"), with_fs(100.0)); });
  EXPECT_HAS(msg, "bad.csv:2: field 2 is not a number: 'abc'");
  msg = message_of<emg::FormatError>([&] { read_text(write_file("nan.csv", "1,2\nnan,4\n"), with_fs(100.0)); });
  EXPECT_HAS(msg, "nan.csv:2: field 1 is not finite");
  msg = message_of<emg::FormatError>([&] { read_text(write_file("hole.tsv", "1\t2\n\t4\n5\t6\n"), with_fs(100.0)); });
  EXPECT_HAS(msg, "hole.tsv:2: empty field in the middle");
}

TEST(ReadText, MissingEmptyAndCommentOnlyFiles) {
  const std::string missing = (scratch() / "does_not_exist.txt").string();
  auto msg = message_of<emg::IoError>([&] { read_text(missing); });
  EXPECT_HAS(msg, "cannot open '" + missing + "'");
  msg = message_of<emg::IoError>([&] { read_text(scratch().string()); });
  EXPECT_HAS(msg, "is a directory");
  msg = message_of<emg::FormatError>([&] { read_text(write_file("empty.txt", "")); });
  EXPECT_HAS(msg, "empty.txt: file is empty");
  msg = message_of<emg::FormatError>([&] { read_text(write_file("comments.txt", "# Sampling Rate (Hz):= 1000\n# x\n")); });
  EXPECT_HAS(msg, "comments.txt: file is empty");
  msg = message_of<emg::FormatError>([&] { read_text(write_file("header_only.csv", "a,b\n")); });
  EXPECT_HAS(msg, "no numeric data rows");
}

TEST(ReadText, BadOptions) {
  const auto path = write_file("ok.csv", "1,2\n3,4\n");
  auto msg = message_of<emg::InvalidArgument>([&] { read_text(path, with_fs(-1.0)); });
  EXPECT_HAS(msg, "read_text: fs_hz=-1 must be finite and > 0");
  msg = message_of<emg::InvalidArgument>([&] { read_text(path, with_fs(NAN)); });
  EXPECT_HAS(msg, "fs_hz=nan");
  auto opt = with_fs(10.0);
  opt.columns = {0, 2};
  msg = message_of<emg::InvalidArgument>([&] { read_text(path, opt); });
  EXPECT_HAS(msg, "read_text: columns[1]=2 must be in [0, 2)");
  opt.columns = {1, 1};
  msg = message_of<emg::InvalidArgument>([&] { read_text(path, opt); });
  EXPECT_HAS(msg, "columns[1]=1 is listed twice");
}

TEST(ReadText, SampleCounterColumnIsDroppedButGivesNoFs) {
  const auto path = write_file("index.txt", "0 5 6\n1 7 8\n2 9 1\n3 2 3\n");
  const auto msg = message_of<emg::InvalidArgument>([&] { read_text(path); });
  EXPECT_HAS(msg, "first column counts samples");
  const auto rec = read_text(path, with_fs(2000.0));
  EXPECT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.fs_hz(), 2000.0);
  EXPECT_EQ(rec.start_time_s(), 0.0);
  EXPECT_EQ(rec.data()(1, 2), 1.0);
}

TEST(ReadText, UnevenTimeColumnIsRejectedUnlessFsGiven) {
  const auto path = write_file("gap.csv", "time,x\n0,1\n0.001,2\n0.002,3\n0.010,4\n0.011,5\n");
  const auto msg = message_of<emg::FormatError>([&] { read_text(path); });
  EXPECT_HAS(msg, "gap.csv:5: time column is not evenly spaced");
  EXPECT_HAS(msg, "--fs-hz");
  const auto rec = read_text(path, with_fs(1000.0));
  EXPECT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 5);
}

TEST(ReadText, DuplicateAndEmptyHeaderNamesAreMadeUnique) {
  const auto rec = read_text(write_file("dup.csv", "emg,emg,\n1,2,3\n"), with_fs(10.0));
  EXPECT_EQ(rec.channels()[0].name, "emg");
  EXPECT_EQ(rec.channels()[1].name, "emg_2");
  EXPECT_EQ(rec.channels()[2].name, "ch2");
}

TEST(ReadText, UnitsOption) {
  auto opt = with_fs(10.0);
  opt.units = "uV";
  const auto rec = read_text(write_file("u.csv", "1,2\n"), opt);
  EXPECT_EQ(rec.channels()[1].units, "uV");
}

// ---- writing -----------------------------------------------------------------------------------

TEST(WriteTsv, ColumnsRoundTripExactly) {
  const std::vector<double> a{0.1, 1.0 / 3.0, -2.5e10, 1e-300, 5e-324};
  const std::vector<double> b{M_PI, -0.0, 123456789.123456789, 2.0 / 7.0, 1e300};
  const std::string path = (scratch() / "round.tsv").string();
  emg::io::write_tsv_columns(path, {"a", "b"}, {a.data(), b.data()}, 5);
  TextReadOptions opt = with_fs(1.0);
  const auto rec = read_text(path, opt);
  ASSERT_EQ(rec.n_samples(), 5);
  EXPECT_EQ(rec.channels()[0].name, "a");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(rec.data()(0, i), a[static_cast<std::size_t>(i)]);
    EXPECT_EQ(rec.data()(1, i), b[static_cast<std::size_t>(i)]);
  }
  for (const auto& entry : fs::directory_iterator(scratch())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(WriteTsv, StringTableAndErrors) {
  const std::string path = (scratch() / "table.tsv").string();
  emg::io::write_tsv(path, {"channel", "value"}, {{"EMG", "1.5"}, {"RF", "2"}});
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "channel\tvalue\nEMG\t1.5\nRF\t2\n");
  auto msg = message_of<emg::InvalidArgument>([&] { emg::io::write_tsv(path, {"a", "b"}, {{"1"}}); });
  EXPECT_HAS(msg, "write_tsv: rows[0]=1 cells must have one cell per header column (2)");
  msg = message_of<emg::InvalidArgument>([&] { emg::io::write_tsv(path, {"a\tb"}, {}); });
  EXPECT_HAS(msg, "must not contain tabs");
  const std::string bad = (scratch() / "no_such_dir" / "x.tsv").string();
  msg = message_of<emg::IoError>([&] { emg::io::write_tsv(bad, {"a"}, {}); });
  EXPECT_HAS(msg, "no_such_dir");
  const double v = 1.0;
  msg = message_of<emg::InvalidArgument>([&] { emg::io::write_tsv_columns(path, {"a", "b"}, {&v}, 1); });
  EXPECT_HAS(msg, "write_tsv_columns: columns=1 columns must match the header (2 names)");
  // the earlier good file is untouched by the failed writes
  std::ifstream again(path);
  std::string now((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  EXPECT_EQ(now, all);
}

TEST(WriteTsv, FormatDoubleIsShortestRoundTrip) {
  EXPECT_EQ(emg::io::format_double(0.1), "0.1");
  EXPECT_EQ(emg::io::format_double(450.0), "450");
  EXPECT_EQ(emg::io::format_double(NAN), "nan");
  const double x = 1.0 / 3.0;
  EXPECT_EQ(std::stod(emg::io::format_double(x)), x);
}

}  // namespace
