// write_text -> read_text round trips (random data and real files) and the reader's line-numbered
// errors for malformed tables.
#include <emg/errors.hpp>
#include <emg/io/text.hpp>

#include <gtest/gtest.h>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

namespace {

using emg::test::scratch;
using emg::test::write_file;
const auto tmp = emg::test::fresh_path;

namespace fs = std::filesystem;
using emg::io::read_text;
using emg::io::write_text;
using emg::test::message_of;

const std::string kReal = std::string(EMG_DATASETS_DIR) + "/real/";

bool bit_equal(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same(const emg::Recording& a, const emg::Recording& b) {
  ASSERT_EQ(a.n_channels(), b.n_channels());
  ASSERT_EQ(a.n_samples(), b.n_samples());
  EXPECT_TRUE(bit_equal(a.fs_hz(), b.fs_hz())) << a.fs_hz() << " vs " << b.fs_hz();
  EXPECT_TRUE(bit_equal(a.start_time_s(), b.start_time_s())) << a.start_time_s() << " vs " << b.start_time_s();
  long mismatches = 0;
  for (long c = 0; c < a.n_channels(); ++c) {
    EXPECT_EQ(a.channels()[c].name, b.channels()[c].name);
    EXPECT_EQ(a.channels()[c].units, b.channels()[c].units);
    for (long s = 0; s < a.n_samples(); ++s) mismatches += bit_equal(a.data()(c, s), b.data()(c, s)) ? 0 : 1;
  }
  EXPECT_EQ(mismatches, 0);
}

emg::Recording random_recording(std::uint32_t seed, long channels, long samples, double fs, double start) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1e-4);
  std::uniform_int_distribution<int> expo(-300, 300);
  emg::RowMatrixXd x(channels, samples);
  for (long c = 0; c < channels; ++c) {
    for (long s = 0; s < samples; ++s) {
      // mix ordinary EMG-sized values with extreme exponents, subnormals and signed zeros
      const int kind = static_cast<int>(s % 7);
      x(c, s) = kind == 0 ? std::ldexp(normal(gen), expo(gen)) : kind == 1 ? -0.0 : kind == 2 ? 4.9e-324 : normal(gen);
    }
  }
  std::vector<emg::ChannelInfo> info(static_cast<std::size_t>(channels));
  for (long c = 0; c < channels; ++c) {
    info[c].name = "EMG " + std::to_string(c);
    info[c].units = c == 0 ? "" : (c % 2 ? "mV" : "µV");
  }
  return emg::Recording(std::move(x), fs, std::move(info), start);
}

TEST(WriteText, RandomDataRoundTripsBitExactly) {
  int k = 0;
  for (double fs : {2048.0, 1111.1111111111111, 4000.0, 0.3}) {
    for (char d : {'\t', ','}) {
      ++k;
      const auto rec = random_recording(static_cast<std::uint32_t>(k), 3, 1000, fs, k * 0.37);
      const auto path = tmp("rand_" + std::to_string(k) + (d == ',' ? ".csv" : ".tsv"));
      write_text(path, rec, d);
      SCOPED_TRACE(path);
      expect_same(rec, read_text(path));
    }
  }
}

TEST(WriteText, ShortRecordingsRoundTrip) {
  for (long n : {1L, 2L, 3L}) {
    const auto rec = random_recording(7, 2, n, 500.0, 0.0);
    const auto path = tmp("short_" + std::to_string(n) + ".tsv");
    write_text(path, rec);
    expect_same(rec, read_text(path));
  }
}

TEST(WriteText, RealFilesRoundTrip) {
  emg::io::TextReadOptions uci;
  uci.fs_hz = 1000.0;
  const auto real = {std::make_pair(kReal + "biosppy-examples/emg.txt", emg::io::TextReadOptions{}),
                     std::make_pair(kReal + "uci-lower-limb/3Amar.txt", uci),
                     std::make_pair(kReal + "pyomeca-shoulder-c3d/analogs.csv", emg::io::TextReadOptions{})};
  int k = 0;
  for (const auto& [src, opt] : real) {
    const auto rec = read_text(src, opt);
    const auto path = tmp("real_" + std::to_string(++k) + ".csv");
    write_text(path, rec, ',');
    SCOPED_TRACE(src);
    expect_same(rec, read_text(path));
  }
}

TEST(WriteText, HeaderLines) {
  const auto rec = random_recording(3, 2, 4, 2048.0, 1.5);
  const auto path = tmp("header.tsv");
  write_text(path, rec);
  std::ifstream in(path);
  std::string l1, l2, l3, l4, l5;
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  std::getline(in, l4);
  std::getline(in, l5);
  EXPECT_EQ(l2, "# Sampling Rate (Hz):= 2048");
  EXPECT_EQ(l3, "# Start Time (s):= 1.5");
  EXPECT_EQ(l4, "# Units:= s\t\tmV");
  EXPECT_EQ(l5, "time_s\tEMG 0\tEMG 1");
}

TEST(WriteText, RefusesOverwriteAndBadInput) {
  const auto rec = random_recording(4, 1, 10, 100.0, 0.0);
  const auto path = tmp("exists.tsv");
  write_text(path, rec);
  EXPECT_HAS(message_of<emg::IoError>([&] { write_text(path, rec); }), "already exists");
  write_text(path, rec, '\t', true);  // allowed
  for (const auto& entry : fs::directory_iterator(scratch())) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << "temporary file left: " << entry.path();
  }
  EXPECT_ERROR(write_text(tmp("d.txt"), rec, '|'), "write_text: delimiter='|'", "must be ','");
  const auto semi = tmp("semi.txt");
  write_text(semi, rec, ';');
  expect_same(rec, read_text(semi));
  auto bad = rec;
  bad.set_channel_labels(0, "a,b", "", "", "");
  EXPECT_ERROR(write_text(tmp("n.csv"), bad, ','), "channels[0].name=\"a,b\"", "comma-separated");
  write_text(tmp("n.tsv"), bad, '\t');  // fine in TSV
  auto timey = rec;
  timey.set_channel_labels(0, "time", "", "", "");
  EXPECT_ERROR(write_text(tmp("t.tsv"), timey), "would be read back as the time column");
  EXPECT_HAS(message_of<emg::IoError>([&] { write_text((scratch() / "no_dir" / "x.tsv").string(), rec); }), "cannot create");
}

// ---- reader hardening: malformed lines are reported with their line numbers -------------------

std::string write_raw(const std::string& name, const std::string& content) {
  const auto p = tmp(name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

std::string format_error_of(const std::string& path, const emg::io::TextReadOptions& opt = {}) {
  return message_of<emg::FormatError>([&] { read_text(path, opt); });
}

TEST(ReadTextErrors, MalformedLinesNameFileAndLine) {
  const std::string head = "# Sampling Rate (Hz):= 100\ntime_s\ta\tb\n";
  auto p = write_raw("short_row.tsv", head + "0\t1\t2\n0.01\t1\n0.02\t1\t2\n");
  EXPECT_HAS(format_error_of(p), p + ":4: expected 3 fields, found 2");
  p = write_raw("word.tsv", head + "0\t1\t2\n0.01\t1\tx7\n");
  EXPECT_HAS(format_error_of(p), p + ":4: field 3 is not a number: 'x7'");
  p = write_raw("nan.tsv", head + "0\t1\t2\n0.01\tnan\t2\n");
  EXPECT_HAS(format_error_of(p), p + ":4: field 2 is not finite");
  p = write_raw("binary.tsv", head + "0\t1\t2\n0.01\t\x01\xff\t2\n");
  EXPECT_HAS(format_error_of(p), p + ":4: field 2 is not a number: '\\x01\\xFF'");
  p = write_raw("gap.tsv", head + "0\t1\t2\n0.01\t\t2\n0.02\t1\t2\n");
  EXPECT_HAS(format_error_of(p), p + ":4: empty field in the middle of the data");
  p = write_raw("badfs.tsv", "# Sampling Rate (Hz):= -5\n1\n2\n");
  EXPECT_HAS(format_error_of(p), p + ":1: sampling rate '-5' is not a positive number");
  p = write_raw("badstart.tsv", "# Sampling Rate (Hz):= 5\n# Start Time (s):= soon\n1\n2\n");
  EXPECT_HAS(format_error_of(p), p + ":2: start time 'soon' is not a finite number");
}

TEST(ReadTextErrors, HeaderRateMustAgreeWithTimeColumn) {
  const auto p = write_raw("disagree.tsv", "# Sampling Rate (Hz):= 1000\ntime_s\ta\n0\t1\n0.01\t2\n0.02\t3\n");
  EXPECT_HAS(format_error_of(p), p + ":1: header sampling rate 1000 Hz disagrees with the time column 'time_s'");
  emg::io::TextReadOptions opt;
  opt.fs_hz = 100.0;
  EXPECT_EQ(read_text(p, opt).fs_hz(), 100.0);
}

TEST(ReadTextErrors, PhysionetCorruptedLinesAreReported) {
  // PROVENANCE.md: corrupted lines at healthy 639, myopathy 64468 (1-based), CRLF endings
  EXPECT_HAS(format_error_of(kReal + "physionet-emgdb/emg_healthy.txt"), "emg_healthy.txt:639:");
  EXPECT_HAS(format_error_of(kReal + "physionet-emgdb/emg_myopathy.txt"), "emg_myopathy.txt:64468:");
}

TEST(ReadTextErrors, EmptyAndTruncatedFiles) {
  EXPECT_HAS(format_error_of(write_raw("empty.tsv", "")), "file is empty");
  // a table cut in the middle of a line: the last row has too few fields
  const auto rec = random_recording(9, 3, 50, 1000.0, 0.0);
  const auto full = tmp("full.tsv");
  write_text(full, rec);
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = bytes.find('\t', bytes.size() - 40);
  const auto p = write_raw("cut.tsv", bytes.substr(0, cut));
  const auto msg = format_error_of(p);
  EXPECT_HAS(msg, p + ":");
  EXPECT_HAS(msg, "expected 4 fields");
}

}  // namespace
