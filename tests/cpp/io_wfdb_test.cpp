// read_wfdb on the three PhysioNet emgdb records (checked against their .txt twins), format 212
// packing, every bad-input case, and the replay of inputs the fuzzers once crashed on.
#include <emg/errors.hpp>
#include <emg/io/edf.hpp>
#include <emg/io/text.hpp>
#include <emg/io/wfdb.hpp>

#include <gtest/gtest.h>

#include "../../fuzz/fuzz_common.hpp"
#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using emg::test::scratch;
using emg::test::write_file;

namespace fs = std::filesystem;
using emg::io::read_wfdb;
using emg::io::WfdbOptions;
using emg::test::message_of;

const std::string kDb = std::string(EMG_DATASETS_DIR) + "/real/physionet-emgdb/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Copy a real record under a new name (header's file name rewritten) for corruption tests.
std::string copy_record(const std::string& record, const std::string& name) {
  std::string hea = slurp(kDb + record + ".hea");
  hea.replace(0, record.size(), name);
  const auto pos = hea.find(record + ".dat");
  hea.replace(pos, record.size() + 4, name + ".dat");
  write_file(name + ".dat", slurp(kDb + record + ".dat"));
  return write_file(name + ".hea", hea);
}

// Value column of the .txt twin; lines listed in PROVENANCE as corrupted (1-based) are NaN.
std::vector<double> txt_values(const std::string& record, std::set<long> corrupted) {
  std::ifstream in(kDb + record + ".txt", std::ios::binary);
  std::vector<double> v;
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (corrupted.count(number)) {
      v.push_back(std::nan(""));
      continue;
    }
    std::istringstream row(line);
    double t = 0, x = 0;
    row >> t >> x;
    v.push_back(x);
  }
  return v;
}

void expect_matches_txt(const emg::Recording& rec, const std::vector<double>& ref) {
  ASSERT_EQ(static_cast<long>(ref.size()), rec.n_samples());
  long compared = 0;
  double worst = 0.0;
  for (long k = 0; k < rec.n_samples(); ++k) {
    if (std::isnan(ref[static_cast<std::size_t>(k)])) continue;
    worst = std::max(worst, std::fabs(rec.data()(0, k) - ref[static_cast<std::size_t>(k)]));
    ++compared;
  }
  EXPECT_EQ(compared, rec.n_samples() - 2);
  EXPECT_LE(worst, 1e-4 + 1e-12);
}

// ---- real records ------------------------------------------------------------------------------

TEST(ReadWfdbReal, HealthyMatchesTxtTwinAndHeader) {
  const auto rec = read_wfdb(kDb + "emg_healthy.hea");
  EXPECT_EQ(rec.fs_hz(), 4000.0);
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 50860);
  const auto& ch = rec.channels()[0];
  EXPECT_EQ(ch.name, "EMG");
  EXPECT_EQ(ch.units, "mV");
  EXPECT_EQ(ch.conversion, 1.0 / 10000.0);
  EXPECT_EQ(ch.offset, -0.0);
  EXPECT_EQ(ch.digital_min, -32768.0);
  EXPECT_EQ(ch.digital_max, 32767.0);
  EXPECT_EQ(rec.data()(0, 0), -333.0 * (1.0 / 10000.0));  // the header's initial value
  // Stored values reproduce from integer counts exactly as the HDF5 writer checks it.
  for (long k = 0; k < rec.n_samples(); ++k) {
    const double count = std::round((rec.data()(0, k) - ch.offset) / ch.conversion);
    ASSERT_EQ(count * ch.conversion + ch.offset, rec.data()(0, k)) << k;
  }
  EXPECT_EQ(rec.attributes().at("age"), "44");
  EXPECT_EQ(rec.attributes().at("sex"), "M");
  EXPECT_EQ(rec.attributes().at("diagnoses"), "no history of neuromuscular disease");
  EXPECT_HAS(rec.attributes().at("comments"), "tibialis anterior");
  expect_matches_txt(rec, txt_values("emg_healthy", {639, 41464}));
}

TEST(ReadWfdbReal, MyopathyToleratesLowerCaseMv) {
  const auto rec = read_wfdb(kDb + "emg_myopathy");  // record name without extension
  EXPECT_EQ(rec.n_samples(), 110337);
  EXPECT_EQ(rec.channels()[0].units, "mV");
  EXPECT_EQ(rec.attributes().at("medications"), "steroids, low-dose methotrexate");
  expect_matches_txt(rec, txt_values("emg_myopathy", {64468, 93751}));
}

TEST(ReadWfdbReal, NeuropathyWrapAroundIsAnErrorByDefault) {
  const std::string msg = message_of<emg::FormatError>([] { read_wfdb(kDb + "emg_neuropathy.hea"); });
  // PROVENANCE: 410 samples are wrapped, the first at 365. From the .dat alone only the jumps are
  // visible: the entry into the first wrapped stretch (-1133 -> 23119 counts) is smaller than half
  // the range, its exit (23686 -> -11417) at sample 367 is larger.
  EXPECT_HAS(msg, "emg_neuropathy.dat: signal 0 'EMG': 390 jumps of more than half the int16 range look like wrap-around "
                  "(int16 overflow), first at sample 367; re-import with wraparound=unwrap to undo it or keep to import as stored");
}

TEST(ReadWfdbReal, NeuropathyUnwrapMovesTowardsTxtTwinAndNeverAway) {
  // The true signal here jumps by more than half the int16 range 276 times, so no rule that sees
  // only the .dat can find all 410 wrapped samples. What unwrap must do: shift only samples the
  // .txt twin confirms as wrapped, by exactly 2^16 counts, and say how many it shifted.
  WfdbOptions opt;
  opt.wraparound = "unwrap";
  const auto rec = read_wfdb(kDb + "emg_neuropathy.hea", opt);
  EXPECT_EQ(rec.n_samples(), 147858);
  EXPECT_EQ(rec.attributes().at("diagnoses"), "chronic low back pain and neuropathy due to a right L5 radiculopathy");
  const auto ref = txt_values("emg_neuropathy", {71194, 84054});
  const auto kept = read_wfdb(kDb + "emg_neuropathy.hea", WfdbOptions{"keep"});
  long still_wrapped = 0, shifted = 0, wrong = 0;
  for (long k = 0; k < rec.n_samples(); ++k) {
    const double r = ref[static_cast<std::size_t>(k)];
    if (std::isnan(r)) continue;
    const double d = rec.data()(0, k) - r;
    const bool moved = rec.data()(0, k) != kept.data()(0, k);
    shifted += moved;
    if (std::fabs(d) <= 1e-4 + 1e-12) continue;
    if (std::fabs(d - 6.5536) <= 1e-4 + 1e-12 && !moved) {
      ++still_wrapped;
    } else {
      ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(shifted + still_wrapped, 410);
  EXPECT_GT(shifted, 100);
  EXPECT_LT(rec.channels()[0].digital_min, -32768.0);  // unwrapped counts leave the int16 range
  EXPECT_HAS(rec.history().back(), "unwrapped: 390 jumps");
  EXPECT_HAS(rec.history().back(), std::to_string(shifted) + " samples shifted by 65536 counts");
  EXPECT_EQ(rec.attributes().count("wfdb.EMG.unwrapped"), 1u);
  RecordProperty("unwrap_shifted", static_cast<int>(shifted));
}

TEST(ReadWfdbReal, NeuropathyKeepImportsAsStoredWithWarning) {
  WfdbOptions opt;
  opt.wraparound = "keep";
  const auto rec = read_wfdb(kDb + "emg_neuropathy.hea", opt);
  EXPECT_NEAR(rec.data()(0, 365), 2.3119, 1e-12);
  EXPECT_HAS(rec.attributes().at("wfdb.EMG.wraparound_warning"), "390 jumps");
}

TEST(ReadWfdbReal, BadWraparoundOption) {
  WfdbOptions opt;
  opt.wraparound = "ignore";
  EXPECT_ERROR(read_wfdb(kDb + "emg_healthy.hea", opt), "read_wfdb: wraparound=\"ignore\" must be one of error, unwrap, keep");
}

// ---- format 212 ----------------------------------------------------------------------------------

// Pack 12-bit two's-complement samples, two per three bytes; an odd last sample takes two bytes.
std::string pack212(const std::vector<int>& s) {
  std::string out;
  for (std::size_t k = 0; k < s.size(); k += 2) {
    const auto a = static_cast<unsigned>(s[k]) & 0xFFFu;
    const auto b = k + 1 < s.size() ? static_cast<unsigned>(s[k + 1]) & 0xFFFu : 0u;
    out += static_cast<char>(a & 0xFF);
    out += static_cast<char>(((a >> 8) & 0x0F) | ((b >> 4) & 0xF0));
    if (k + 1 < s.size()) out += static_cast<char>(b & 0xFF);
  }
  return out;
}

int checksum(const std::vector<int>& s, std::size_t first, std::size_t stride) {
  int sum = 0;
  for (std::size_t k = first; k < s.size(); k += stride) sum += s[k];
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(sum & 0xFFFF));
}

TEST(ReadWfdb212, DecodesTwoInterleavedSignalsWithOddTotal) {
  // 2 signals x 3 frames = 6 samples (even) and 1 signal x 5 samples (odd) below.
  const std::vector<int> s = {0, -1, 2047, -2048, 1, -300};  // a0 b0 a1 b1 a2 b2
  write_file("r212.dat", pack212(s));
  const std::string hea = "r212 2 500 3\nr212.dat 212 200(10)/uV 12 0 0 " + std::to_string(checksum(s, 0, 2)) +
                          " 0 A\nr212.dat 212 100 12 0 -1 " + std::to_string(checksum(s, 1, 2)) + " 0 B\n";
  const auto rec = read_wfdb(write_file("r212.hea", hea));
  ASSERT_EQ(rec.n_channels(), 2);
  ASSERT_EQ(rec.n_samples(), 3);
  EXPECT_EQ(rec.channels()[0].units, "uV");
  EXPECT_EQ(rec.channels()[1].units, "mV");  // WFDB default
  const double ca = 1.0 / 200.0, cb = 1.0 / 100.0;
  const int a[] = {0, 2047, 1}, b[] = {-1, -2048, -300};
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(rec.data()(0, k), a[k] * ca + (-10.0 * ca)) << k;
    EXPECT_EQ(rec.data()(1, k), b[k] * cb + (-0.0 * cb)) << k;
  }
  EXPECT_EQ(rec.channels()[0].digital_min, -2048.0);
  EXPECT_EQ(rec.channels()[0].digital_max, 2047.0);
}

TEST(ReadWfdb212, OddSampleCountUsesTwoBytesForTheLast) {
  const std::vector<int> s = {5, -5, 100, -100, -7};
  const std::string bytes = pack212(s);
  ASSERT_EQ(bytes.size(), 8u);
  write_file("odd212.dat", bytes);
  const auto rec = read_wfdb(write_file("odd212.hea", "odd212 1 360 5\nodd212.dat 212 1 12 0 5 " + std::to_string(checksum(s, 0, 1)) + " 0 X\n"));
  ASSERT_EQ(rec.n_samples(), 5);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(rec.data()(0, k), static_cast<double>(s[static_cast<std::size_t>(k)]));
  // Without a sample count in the header, it comes from the file size.
  const auto rec2 = read_wfdb(write_file("odd212b.hea", "odd212b 1 360\nodd212.dat 212\n"));
  EXPECT_EQ(rec2.n_samples(), 5);
}

TEST(ReadWfdb212, WrapAroundOf12BitStorage) {
  const std::vector<int> s = {2000, 2040, -2040, -2000, 1990};  // +2047 -> -2048 overflow and back
  write_file("w212.dat", pack212(s));
  const std::string hea = write_file("w212.hea", "w212 1 1000 5\nw212.dat 212 1 12 0\n");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(hea); }), "2 jumps of more than half the int12 range look like wrap-around (int12 overflow), first at sample 2");
  WfdbOptions opt;
  opt.wraparound = "unwrap";
  const auto rec = read_wfdb(hea, opt);
  EXPECT_EQ(rec.data()(0, 2), 2056.0);
  EXPECT_EQ(rec.data()(0, 3), 2096.0);
}

// ---- bad input --------------------------------------------------------------------------------------

TEST(ReadWfdbBad, ChecksumMismatch) {
  const std::string hea = copy_record("emg_healthy", "cks");
  std::string dat = slurp((scratch() / "cks.dat").string());
  dat[1000] = static_cast<char>(dat[1000] ^ 0x01);
  write_file("cks.dat", dat);
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(hea); }), "cks.dat: signal 0 'EMG': checksum mismatch (header -29438");
}

TEST(ReadWfdbBad, InitialValueMismatch) {
  std::string hea = slurp(copy_record("emg_healthy", "init"));
  hea.replace(hea.find(" -333 "), 6, " -334 ");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("init.hea", hea)); }),
             "first sample is -333 but the header's initial value is -334");
}

TEST(ReadWfdbBad, TruncatedDat) {
  const std::string hea = copy_record("emg_healthy", "trunc");
  const std::string dat = slurp((scratch() / "trunc.dat").string());
  write_file("trunc.dat", dat.substr(0, dat.size() - 3));
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(hea); }), "trunc.dat: expected 101720 bytes (50860 samples x 1 signals, format 16) but the file has 101717 bytes");
}

TEST(ReadWfdbBad, MissingDat) {
  const std::string hea = write_file("nodat.hea", "nodat 1 1000 10\nnodat.dat 16 200 16 0 0 0 0 X\n");
  EXPECT_HAS(message_of<emg::IoError>([&] { read_wfdb(hea); }), "nodat.dat: no such file (signal file named in");
}

TEST(ReadWfdbBad, MissingHeader) {
  EXPECT_HAS(message_of<emg::IoError>([] { read_wfdb((scratch() / "absent.hea").string()); }), "absent.hea: no such file");
}

TEST(ReadWfdbBad, NonPositiveOrNonNumericFs) {
  write_file("fs.dat", std::string(20, '\0'));
  for (const char* fs_text : {"0", "-4000", "nan", "abc"}) {
    const std::string hea = write_file("fs.hea", std::string("fs 1 ") + fs_text + " 10\nfs.dat 16 200 16 0 0 0 0 X\n");
    EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(hea); }), "fs.hea: record line: sampling frequency '" + std::string(fs_text) + "' must be a finite number > 0");
  }
}

TEST(ReadWfdbBad, BillionSignalsFailsWithoutAllocating) {
  const std::string hea = write_file("many.hea", "many 1000000000 4000 10\nmany.dat 16 200 16 0 0 0 0 X\n");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(hea); }),
             "many.hea: the record line declares 1000000000 signals; at most 10000 are supported");
  const std::string five = write_file("five.hea", "five 5 4000 10\nfive.dat 16 200 16 0 0 0 0 X\n");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(five); }), "five.hea: the record line declares 5 signals but the header has 1 signal lines");
}

TEST(ReadWfdbBad, SampleCountDisagreesWithFileSize) {
  std::string hea = slurp(copy_record("emg_healthy", "count"));
  hea.replace(hea.find("50860"), 5, "50861");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("count.hea", hea)); }), "expected 101722 bytes");
  hea.replace(hea.find("50861"), 5, "9000000000000000000");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("count.hea", hea)); }),
             "the header declares 9000000000000000000 samples per signal but the file has only 101720 bytes");
}

TEST(ReadWfdbBad, GarbageAndEmptyHeaders) {
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("empty.hea", "")); }), "empty.hea: the header file is empty");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("bin.hea", std::string("\x01\x02\0\xff", 4))); }), "bin.hea: the header contains NUL bytes");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("junk.hea", "\xde\xad\xbe\xef zz\n")); }), "junk.hea: record line: number of signals 'zz'");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("comments.hea", "# only a comment\n\n")); }), "no record line");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("nofmt.hea", "nofmt 1 100\nnofmt.dat\n")); }), "signal 0: line 'nofmt.dat' has no format");
}

TEST(ReadWfdbBad, UnsupportedFormatsAreNamed) {
  write_file("u.dat", std::string(20, '\0'));
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("u.hea", "u 1 100 10\nu.dat 80 200\n")); }), "format 80 is not supported (formats 16 and 212 are)");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("u.hea", "u 1 100 10\nu.dat 16:3 200\n")); }), "format '16:3' uses skew, which is not supported");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("u.hea", "u 1 100 10\nu.dat 16+512 200\n")); }), "uses a byte offset");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("u.hea", "u 1 100 5\nu.dat 16x2 200\n")); }), "uses multiple samples per frame");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("u.hea", "u/2 1 100 10\n")); }), "multi-segment record 'u/2' is not supported");
  const auto rec = read_wfdb(write_file("u.hea", "u 1 100 10\nu.dat 16x1:0+0 200\n"));  // neutral modifiers
  EXPECT_EQ(rec.n_samples(), 10);
}

TEST(ReadWfdbBad, ZeroSamples) {
  write_file("z.dat", "");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_wfdb(write_file("z.hea", "z 1 100\nz.dat 16\n")); }), "z.hea: the record has no samples");
}

// ---- fuzz regressions ------------------------------------------------------------------------------

// Every input a fuzzer once crashed or hung on must now give a clean result or an emg error.
TEST(FuzzRegressions, EveryCommittedInputReplaysCleanly) {
  const fs::path root = fs::path(EMG_TEST_DATA_DIR) / "fuzz-regressions";
  long replayed = 0;
  if (fs::exists(root)) {
    for (const auto& target : fs::directory_iterator(root)) {
      if (!target.is_directory()) continue;
      for (const auto& entry : fs::directory_iterator(target.path())) {
        if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
        const std::string bytes = slurp(entry.path().string());
        const std::string name = target.path().filename().string();
        SCOPED_TRACE(entry.path().string());
        EXPECT_NO_THROW(emg::fuzz::run_target(name, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), scratch().string()));
        ++replayed;
      }
    }
  }
  RecordProperty("replayed", static_cast<int>(replayed));
}

}  // namespace
