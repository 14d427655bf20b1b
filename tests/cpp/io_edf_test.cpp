// read_edf on the myonset EDF (checked against an independent numpy decoding, golden/edf_myonset.txt),
// write_edf round trips (EDF+ and BDF+), BDF Status triggers, and bad input.
#include <emg/errors.hpp>
#include <emg/io/edf.hpp>

#include <edflib.h>
#include <gtest/gtest.h>

#include "golden.hpp"
#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using emg::test::scratch;
using emg::test::write_file;

namespace fs = std::filesystem;
using emg::Recording;
using emg::RowMatrixXd;
using emg::io::read_edf;
using emg::io::write_edf;
using emg::test::message_of;

const std::string kEdf = std::string(EMG_DATASETS_DIR) + "/real/myonset-rt-task/example_data.edf";

std::string tmp(const std::string& name) {
  return (scratch() / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Bytes of the scratch directory entries whose name contains ".tmp-" (left-over temp files).
long temp_files() {
  long n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(tmp("x")).parent_path())) n += e.path().filename().string().find(".tmp-") != std::string::npos;
  return n;
}

Recording noise_recording(double fs_hz, long n, long channels, double scale, unsigned seed = 1) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, scale);
  RowMatrixXd x(channels, n);
  for (long c = 0; c < channels; ++c) {
    for (long k = 0; k < n; ++k) x(c, k) = dist(gen) + 0.3 * scale * std::sin(0.01 * static_cast<double>(k * (c + 1)));
  }
  return Recording(x, fs_hz);
}

// ---- the real file -------------------------------------------------------------------------------

TEST(ReadEdfReal, MatchesIndependentDecoding) {
  const emg::test::Golden g("edf_myonset.txt");
  const auto rec = read_edf(kEdf);
  ASSERT_EQ(rec.n_channels(), static_cast<long>(g.scalar("n_signals")));
  EXPECT_EQ(rec.fs_hz(), 2048.0);
  EXPECT_EQ(rec.fs_hz(), g.scalar("fs_hz"));
  EXPECT_EQ(rec.n_samples(), static_cast<long>(g.scalar("n_samples")));
  const char* names[] = {"EXG1", "EXG2", "EXG3", "EXG4"};
  const auto idx = g.vector("indices");
  const auto& counts = g.matrix("counts");
  const auto& physical = g.matrix("physical");
  for (long c = 0; c < 4; ++c) {
    const auto& ch = rec.channels()[static_cast<std::size_t>(c)];
    EXPECT_EQ(ch.name, names[c]);
    EXPECT_EQ(ch.units, "uV");
    EXPECT_EQ(ch.digital_min, g.matrix("digital_min")(0, c));
    EXPECT_EQ(ch.digital_max, g.matrix("digital_max")(0, c));
    EXPECT_EQ(ch.digital_min * ch.conversion + ch.offset, g.matrix("physical_min")(0, c));
    EXPECT_NEAR(ch.digital_max * ch.conversion + ch.offset, g.matrix("physical_max")(0, c), 1e-9);
    for (long j = 0; j < idx.size(); ++j) {
      const auto k = static_cast<long>(idx(j));
      // Stored exactly as count * conversion + offset; equal to the EDF formula up to rounding.
      EXPECT_EQ(rec.data()(c, k), counts(c, j) * ch.conversion + ch.offset) << c << "," << k;
      EXPECT_NEAR(rec.data()(c, k), physical(c, j), 1e-12 * 16384) << c << "," << k;
    }
  }
  EXPECT_EQ(rec.attributes().at("edf.EXG1.transducer"), "Active Electrode");
  EXPECT_EQ(rec.attributes().at("edf.EXG1.prefilter"), "HP: 0,16 Hz; LP: 417 Hz");
  EXPECT_EQ(rec.attributes().at("start_date"), "2018-02-26");
  EXPECT_EQ(rec.attributes().at("start_time"), "08:24:27");
  EXPECT_EQ(rec.attributes().at("edf.filetype"), "EDF");
  EXPECT_EQ(rec.attributes().at("edf.status_channel"), "Status");
}

TEST(ReadEdfReal, StatusTriggersEqualGoldenAndEventsCsv) {
  const emg::test::Golden g("edf_myonset.txt");
  const auto rec = read_edf(kEdf);
  const auto& ref = g.matrix("status_events");
  ASSERT_EQ(static_cast<long>(rec.events().size()), ref.rows());
  for (long i = 0; i < ref.rows(); ++i) {
    const auto& ev = rec.events()[static_cast<std::size_t>(i)];
    EXPECT_EQ(ev.start_sample, static_cast<long>(ref(i, 0)));
    EXPECT_EQ(ev.end_sample, ev.start_sample);
    EXPECT_EQ(ev.kind, "trigger:" + std::to_string(static_cast<long>(ref(i, 1))));
    EXPECT_EQ(ev.source, "bdf_status");
    EXPECT_EQ(ev.channel, -1);
  }
  // The authors' own trigger table (sample,time,code,chan).
  std::ifstream csv(std::string(EMG_DATASETS_DIR) + "/real/myonset-rt-task/example_events.csv");
  std::string line;
  std::getline(csv, line);
  std::size_t i = 0;
  while (std::getline(csv, line)) {
    long sample = 0, code = 0;
    double t = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%ld,%lf,%ld", &sample, &t, &code), 3) << line;
    ASSERT_LT(i, rec.events().size());
    EXPECT_EQ(rec.events()[i].start_sample, sample);
    EXPECT_EQ(rec.events()[i].kind, "trigger:" + std::to_string(code));
    ++i;
  }
  EXPECT_EQ(i, rec.events().size());
}

TEST(ReadEdfReal, ChannelSubset) {
  const auto rec = read_edf(kEdf, {"EXG3", "EXG1"});
  ASSERT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.channels()[0].name, "EXG3");
  const auto all = read_edf(kEdf);
  EXPECT_EQ(rec.data().row(1), all.data().row(0));
  EXPECT_ERROR(read_edf(kEdf, {"EXG9"}), "read_edf: channels=\"EXG9\" is not a signal of", "(signals: EXG1, EXG2, EXG3, EXG4)");
}

TEST(WriteEdfReal, RoundTripKeepsCountsBitExact) {
  const auto rec = read_edf(kEdf);
  const auto out = tmp("myonset_rt.edf");
  const auto report = write_edf(rec, out, false);
  ASSERT_EQ(report.max_abs_error.size(), 4u);
  for (double e : report.max_abs_error) EXPECT_EQ(e, 0.0);
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
  const auto back = read_edf(out);
  EXPECT_EQ(back.data(), rec.data());  // bit-exact
  EXPECT_EQ(back.fs_hz(), 2048.0);
  EXPECT_EQ(back.attributes().at("edf.filetype"), "EDF+");
  EXPECT_EQ(back.attributes().at("start_date"), "2018-02-26");
  EXPECT_EQ(back.attributes().at("edf.EXG2.prefilter"), "HP: 0,16 Hz; LP: 417 Hz");
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(back.channels()[c].name, rec.channels()[c].name);
    EXPECT_EQ(back.channels()[c].units, "uV");
    EXPECT_EQ(back.channels()[c].conversion, rec.channels()[c].conversion);
    EXPECT_EQ(back.channels()[c].offset, rec.channels()[c].offset);
  }
  // Triggers travel as EDF+ annotations.
  ASSERT_EQ(back.events().size(), rec.events().size());
  for (std::size_t i = 0; i < rec.events().size(); ++i) {
    EXPECT_EQ(back.events()[i].start_sample, rec.events()[i].start_sample);
    EXPECT_EQ(back.events()[i].kind, rec.events()[i].kind);
    EXPECT_EQ(back.events()[i].source, "edf_annotation");
  }
  // As BDF+ the same counts fit too.
  const auto bdf = write_edf(rec, tmp("myonset_rt.bdf"), true);
  for (double e : bdf.max_abs_error) EXPECT_EQ(e, 0.0);
  EXPECT_EQ(read_edf(tmp("myonset_rt.bdf")).data(), rec.data());
  EXPECT_EQ(temp_files(), 0);
}

// ---- writing synthetic data --------------------------------------------------------------------

TEST(WriteEdf, QuantisationErrorIsMeasuredAndBdfKeepsMore) {
  const auto rec = noise_recording(1000.0, 5000, 3, 1e-3);  // volts, EMG-sized
  const auto edf = write_edf(rec, tmp("noise.edf"), false);
  const auto bdf = write_edf(rec, tmp("noise.bdf"), true);
  const auto back_edf = read_edf(tmp("noise.edf"));
  const auto back_bdf = read_edf(tmp("noise.bdf"));
  EXPECT_EQ(back_bdf.attributes().at("edf.filetype"), "BDF+");
  for (long c = 0; c < 3; ++c) {
    const double range = rec.data().row(c).maxCoeff() - rec.data().row(c).minCoeff();
    const double err_edf = (back_edf.data().row(c) - rec.data().row(c)).cwiseAbs().maxCoeff();
    const double err_bdf = (back_bdf.data().row(c) - rec.data().row(c)).cwiseAbs().maxCoeff();
    EXPECT_EQ(edf.max_abs_error[static_cast<std::size_t>(c)], err_edf);
    EXPECT_EQ(bdf.max_abs_error[static_cast<std::size_t>(c)], err_bdf);
    EXPECT_GT(err_edf, 0.0);
    // Half a step of the digital range, over a physical range widened by the 8-character header.
    EXPECT_LE(err_edf, 0.5 * 1.1 * range / 65535.0);
    EXPECT_LE(err_bdf, 0.5 * 1.1 * range / 16777215.0);
    EXPECT_LT(err_bdf, err_edf / 100.0);
  }
}

// EDFlib cuts the printed record duration to 8 characters (1.065 s -> "1.064999") and then
// refuses its own file; every sample count must still give a readable file.
TEST(WriteEdf, EverySampleCountGivesAFileEdflibReads) {
  for (const long n : {43665L, 6150L, 3195L, 3001L, 41000L, 43666L}) {
    const auto rec = noise_recording(1000.0, n, 1, 1e-3);
    const std::string out = tmp("count_" + std::to_string(n) + ".edf");
    EXPECT_NO_THROW(write_edf(rec, out, false, true)) << n;
    EXPECT_EQ(read_edf(out).n_samples() >= n, true) << n;
  }
}

TEST(WriteEdf, FlatChannelsFractionalRateAndPadding) {
  RowMatrixXd x(2, 1001);
  x.row(0).setConstant(0.0);
  x.row(1).setConstant(2.5e-4);
  Recording rec(x, 1000.0 / 3.0);
  const auto report = write_edf(rec, tmp("flat.edf"), false);
  const auto back = read_edf(tmp("flat.edf"));
  EXPECT_NEAR(back.fs_hz(), 1000.0 / 3.0, 1e-9);
  EXPECT_EQ(back.n_samples(), 1001);  // 7 x 143 samples: records tile the data
  EXPECT_EQ(report.max_abs_error[0], 0.0);
  EXPECT_LE(report.max_abs_error[1], 1e-8);
  // A prime sample count cannot be tiled: the last record is padded and the report says so.
  RowMatrixXd y = RowMatrixXd::Random(1, 4999);
  const auto padded = write_edf(Recording(y, 2048.0), tmp("prime.edf"), false);
  ASSERT_FALSE(padded.warnings.empty());
  EXPECT_HAS(padded.warnings[0], "4999 samples do not fill whole EDF data records of 2048 samples: 1145 copies");
  const auto back2 = read_edf(tmp("prime.edf"));
  EXPECT_EQ(back2.n_samples(), 6144);
  EXPECT_LE((back2.data().leftCols(4999) - y).cwiseAbs().maxCoeff(), padded.max_abs_error[0]);
  EXPECT_EQ(back2.data()(0, 6000), back2.data()(0, 4998));
}

TEST(WriteEdf, EventsBecomeAnnotationsAndLongTextIsReported) {
  auto rec = noise_recording(2000.0, 4000, 1, 1.0);
  rec.add_event({-1, 100, 100, "stim", "test"});
  rec.add_event({0, 200, 600, "a rather long annotation text that EDFlib cannot keep whole", "test"});
  const auto report = write_edf(rec, tmp("events.edf"), false);
  bool saw_cut = false, saw_channel = false;
  for (const auto& w : report.warnings) {
    saw_cut |= w.find("1 event texts cut to 40 bytes") != std::string::npos;
    saw_channel |= w.find("1 channel-specific events written as file-wide annotations") != std::string::npos;
  }
  EXPECT_TRUE(saw_cut);
  EXPECT_TRUE(saw_channel);
  const auto back = read_edf(tmp("events.edf"));
  ASSERT_EQ(back.events().size(), 2u);
  EXPECT_EQ(back.events()[0].kind, "stim");
  EXPECT_EQ(back.events()[0].start_sample, 100);
  EXPECT_EQ(back.events()[1].kind, "a rather long annotation text that EDFli");
  EXPECT_EQ(back.events()[1].start_sample, 200);
  EXPECT_EQ(back.events()[1].end_sample, 600);
}

TEST(WriteEdf, LongLabelsCollideAndReadBackUnique) {
  auto rec = noise_recording(100.0, 200, 2, 1.0);
  emg::ChannelInfo a = rec.channels()[0], b = rec.channels()[1];
  a.name = "tibialis_anterior_left";
  b.name = "tibialis_anterior_right";
  rec.set_channel_info(0, a);
  rec.set_channel_info(1, b);
  const auto report = write_edf(rec, tmp("labels.edf"), false);
  EXPECT_HAS(report.warnings.at(0), "label cut to 16 characters");
  const auto back = read_edf(tmp("labels.edf"));
  EXPECT_EQ(back.channels()[0].name, "tibialis_anterio");
  EXPECT_EQ(back.channels()[1].name, "tibialis_anterio_2");
  bool said = false;
  for (const auto& h : back.history()) said |= h.find("duplicate signal label 'tibialis_anterio' renamed to 'tibialis_anterio_2'") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(WriteEdf, RefusesToOverwriteAndLeavesNoTempFiles) {
  const auto rec = noise_recording(100.0, 100, 1, 1.0);
  const auto out = write_file("exists.edf", "keep me");
  EXPECT_HAS(message_of<emg::IoError>([&] { write_edf(rec, out, false); }), "exists.edf exists (pass overwrite=true to replace it)");
  EXPECT_EQ(slurp(out), "keep me");
  write_edf(rec, out, false, true);
  EXPECT_EQ(read_edf(out).n_samples(), 100);
  EXPECT_EQ(temp_files(), 0);
  EXPECT_HAS(message_of<emg::IoError>([&] { write_edf(rec, tmp("no_such_dir/x.edf"), false); }), "no such file");
  EXPECT_EQ(temp_files(), 0);
}

TEST(WriteEdf, UnrepresentableValuesAreRejected) {
  RowMatrixXd x(1, 10);
  x.setConstant(1e12);
  x(0, 0) = -1e12;
  EXPECT_ERROR(write_edf(Recording(x, 100.0), tmp("huge.edf"), false), "does not fit the 8-character EDF physical minimum/maximum");
}

// ---- files written directly with EDFlib ----------------------------------------------------------

// BDF+ with two EMG channels and a 24-bit Status channel whose upper byte is set.
std::string make_bdf_with_status(const std::string& name, int second_rate) {
  const std::string path = tmp(name);
  const int h = edfopen_file_writeonly(path.c_str(), EDFLIB_FILETYPE_BDFPLUS, 3);
  EXPECT_GE(h, 0);
  const char* labels[] = {"EMG1", "EMG2", "Status"};
  const int rates[] = {512, second_rate, 512};
  for (int s = 0; s < 3; ++s) {
    edf_set_samplefrequency(h, s, rates[s]);
    edf_set_label(h, s, labels[s]);
    edf_set_physical_dimension(h, s, "uV");
    edf_set_digital_minimum(h, s, -8388608);
    edf_set_digital_maximum(h, s, 8388607);
    edf_set_physical_minimum(h, s, -262144);
    edf_set_physical_maximum(h, s, 262143.96875);
  }
  std::vector<int> buf(512 + second_rate + 512);
  for (int r = 0; r < 2; ++r) {
    for (int k = 0; k < 512 + second_rate; ++k) buf[static_cast<std::size_t>(k)] = (k * 37 + r) % 1000 - 500;
    for (int k = 0; k < 512; ++k) {
      const int code = (r == 0 && k >= 100 && k < 110) ? 11 : (r == 1 && k >= 5 && k < 20) ? 200 : 0;
      buf[static_cast<std::size_t>(512 + second_rate + k)] = (0x7E << 16) | code;
    }
    edf_blockwrite_digital_samples(h, buf.data());
  }
  edfwrite_annotation_utf8(h, 5000, -1, "note");
  edfclose_file(h);
  return path;
}

TEST(ReadEdf, BdfStatusLowerBitsBecomeTriggers) {
  const auto rec = read_edf(make_bdf_with_status("status.bdf", 512));
  ASSERT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.n_samples(), 1024);
  EXPECT_EQ(rec.fs_hz(), 512.0);
  std::vector<std::pair<long, std::string>> got;
  for (const auto& ev : rec.events()) {
    if (ev.source == "bdf_status") got.emplace_back(ev.start_sample, ev.kind);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::pair<long, std::string>{100, "trigger:11"}));
  EXPECT_EQ(got[1], (std::pair<long, std::string>{517, "trigger:200"}));
  bool note = false;
  for (const auto& ev : rec.events()) note |= ev.source == "edf_annotation" && ev.kind == "note" && ev.start_sample == 256;
  EXPECT_TRUE(note);
  EXPECT_EQ(rec.channels()[0].digital_max, 8388607.0);
}

TEST(ReadEdf, DifferentRatesNeedASubset) {
  const auto path = make_bdf_with_status("rates.bdf", 256);
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(path); }),
             "signals have different sampling rates (EMG1 512 Hz, EMG2 256 Hz); read a subset with one rate via the channels argument");
  const auto rec = read_edf(path, {"EMG2"});
  EXPECT_EQ(rec.fs_hz(), 256.0);
  EXPECT_EQ(rec.n_samples(), 512);
  // Trigger samples are mapped to the subset's rate.
  long first_trigger = -1;
  for (const auto& ev : rec.events()) {
    if (ev.source == "bdf_status" && first_trigger < 0) first_trigger = ev.start_sample;
  }
  EXPECT_EQ(first_trigger, 50);
}

// ---- bad input -------------------------------------------------------------------------------------

TEST(ReadEdfBad, MissingEmptyTruncatedGarbage) {
  EXPECT_HAS(message_of<emg::IoError>([] { read_edf(tmp("absent.edf")); }), "read_edf: " + tmp("absent.edf") + ": no such file");
  EXPECT_HAS(message_of<emg::FormatError>([] { read_edf(write_file("empty.edf", "")); }), "empty.edf: the file is empty");
  const std::string real = slurp(kEdf);
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(write_file("trunc.edf", real.substr(0, real.size() - 100))); }),
             "trunc.edf: not a valid EDF/BDF file");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(write_file("head.edf", real.substr(0, 300))); }), "head.edf: the file ends inside its header");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(write_file("junk.edf", std::string(4096, 'x'))); }), "junk.edf: not a valid EDF/BDF file");
  std::string zero_signals = real.substr(0, 256);
  zero_signals.replace(252, 4, "0   ");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(write_file("nosig.edf", zero_signals)); }), "nosig.edf:");
  std::string billion = real;
  billion.replace(252, 4, "9999");
  EXPECT_HAS(message_of<emg::FormatError>([&] { read_edf(write_file("billion.edf", billion)); }), "billion.edf:");
  EXPECT_HAS(message_of<emg::IoError>([] { read_edf(fs::temp_directory_path().string()); }), "not a regular file");
}

}  // namespace
