// The simulator's ground truth in a CrampLab file (/truth, docs/FORMAT.md): every field round
// trips bit for bit, the writer refuses truth that does not fit the recording, validate_file and
// read_truth report files damaged with the HDF5 API, files without truth behave as before.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/truth.hpp>

#include <gtest/gtest.h>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <H5Cpp.h>  // the damaged-file tests edit files with the HDF5 C++ API (tests/CMakeLists.txt)

namespace {

namespace fs = std::filesystem;
namespace io = emg::io;
using emg::Activity;
using emg::GroundTruth;
using emg::Recording;
using emg::RowMatrixXd;
using emg::test::fresh_path;
using emg::test::message_of;

/// A recording of nch x n samples: a ramp, so nothing depends on random numbers.
Recording ramp_recording(long nch, long n) {
  RowMatrixXd x(nch, n);
  for (long c = 0; c < nch; ++c) {
    for (long j = 0; j < n; ++j) x(c, j) = 1e-6 * static_cast<double>((j * 7 + c * 13) % 1000) - 5e-4;
  }
  return Recording(std::move(x), 2000.0);
}

/// Runs of rest / stimulation / cramp / voluntary, as the simulator makes them (long constant
/// stretches): run k covers [k * 9973, (k + 1) * 9973) with code (k + c) % 4 on channel c.
emg::ActivityMatrix run_activity(long nch, long n) {
  emg::ActivityMatrix a(nch, n);
  for (long c = 0; c < nch; ++c) {
    for (long j = 0; j < n; ++j) a(c, j) = static_cast<std::uint8_t>((j / 9973 + c) % 4);
  }
  return a;
}

/// Every field set to a distinct non-default value (including -1 "none", negative ids, both
/// flag states, a non-ASCII kind and awkward doubles).
GroundTruth full_truth(long nch, long n) {
  GroundTruth t;
  t.attributes = {{"generator", "cramplab.simulate.session"},
                  {"generator_version", "0.3.0"},
                  {"seed", "18446744073709551615"},
                  {"ctf_hz", "14.5"},
                  {"ladder.start_hz", "4"},
                  {"note", "Crampe du fléchisseur — ünïcødé"}};
  t.activity = run_activity(nch, n);
  t.pulses = {
      {100, 0, 3.25e-3, false, 108, 1.9e-3, -1},
      {350, 0, -3.0e-3, true, 358, 1.7e-3, 450},
      {n - 1, -7, std::numeric_limits<double>::denorm_min(), true, -1, 0.0, -1},
  };
  t.trains = {
      {0, 4.0, 100, 350, 2, false, -1, -1, 0.0, 1.0},
      {-7, 16.25, n - 1, n - 1, 1, true, n - 500, n, 1.234567890123e-4, 0.8625},
  };
  t.bursts = {
      {0, n / 20, n / 4, "voluntary", 1e-4, 0.05},
      {nch - 1, n - 500, n, "crampe ünïcødé", 2.5e-4, 0.0},
      {-1, 0, 0, "", 0.0, 1e-300},
  };
  t.firing_unit = {0, 3, 3, 119, 0};
  t.firing_sample = {5, 17, n / 2, n - 1, 0};
  return t;
}

void expect_same_truth(const GroundTruth& a, const GroundTruth& b) {
  EXPECT_EQ(a.attributes, b.attributes);
  ASSERT_EQ(a.activity.rows(), b.activity.rows());
  ASSERT_EQ(a.activity.cols(), b.activity.cols());
  EXPECT_TRUE(a.activity.size() == 0 ||
              std::memcmp(a.activity.data(), b.activity.data(), static_cast<std::size_t>(a.activity.size())) == 0);
  const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
  ASSERT_EQ(a.pulses.size(), b.pulses.size());
  for (std::size_t k = 0; k < a.pulses.size(); ++k) {
    const auto &p = a.pulses[k], &q = b.pulses[k];
    EXPECT_EQ(p.sample, q.sample) << k;
    EXPECT_EQ(p.train_id, q.train_id) << k;
    EXPECT_EQ(bits(p.artifact_amplitude), bits(q.artifact_amplitude)) << k;
    EXPECT_EQ(p.clipped, q.clipped) << k;
    EXPECT_EQ(p.mwave_sample, q.mwave_sample) << k;
    EXPECT_EQ(bits(p.mwave_amplitude), bits(q.mwave_amplitude)) << k;
    EXPECT_EQ(p.fwave_sample, q.fwave_sample) << k;
  }
  ASSERT_EQ(a.trains.size(), b.trains.size());
  for (std::size_t k = 0; k < a.trains.size(); ++k) {
    const auto &s = a.trains[k], &t = b.trains[k];
    EXPECT_EQ(s.train_id, t.train_id) << k;
    EXPECT_EQ(bits(s.frequency_hz), bits(t.frequency_hz)) << k;
    EXPECT_EQ(s.start_sample, t.start_sample) << k;
    EXPECT_EQ(s.end_sample, t.end_sample) << k;
    EXPECT_EQ(s.n_pulses, t.n_pulses) << k;
    EXPECT_EQ(s.cramp, t.cramp) << k;
    EXPECT_EQ(s.cramp_onset_sample, t.cramp_onset_sample) << k;
    EXPECT_EQ(s.cramp_offset_sample, t.cramp_offset_sample) << k;
    EXPECT_EQ(bits(s.cramp_amplitude), bits(t.cramp_amplitude)) << k;
    EXPECT_EQ(bits(s.cramp_spectral_scale), bits(t.cramp_spectral_scale)) << k;
  }
  ASSERT_EQ(a.bursts.size(), b.bursts.size());
  for (std::size_t k = 0; k < a.bursts.size(); ++k) {
    const auto &s = a.bursts[k], &t = b.bursts[k];
    EXPECT_EQ(s.channel, t.channel) << k;
    EXPECT_EQ(s.onset_sample, t.onset_sample) << k;
    EXPECT_EQ(s.offset_sample, t.offset_sample) << k;
    EXPECT_EQ(s.kind, t.kind) << k;
    EXPECT_EQ(bits(s.amplitude), bits(t.amplitude)) << k;
    EXPECT_EQ(bits(s.rise_s), bits(t.rise_s)) << k;
  }
  EXPECT_EQ(a.firing_unit, b.firing_unit);
  EXPECT_EQ(a.firing_sample, b.firing_sample);
}

[[maybe_unused]] bool has_line(const std::vector<std::string>& lines, const std::string& a, const std::string& b = {}) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
  });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "\n  " + l;
  return s;
}

TEST(StoreTruth, EveryFieldRoundTripsBitForBit) {
  const long nch = 3, n = 20000;
  const Recording rec = ramp_recording(nch, n);
  const GroundTruth truth = full_truth(nch, n);
  const std::string path = fresh_path("truth_full.h5");
  io::write(path, rec, {}, {}, truth);
  EXPECT_TRUE(io::has_truth(path));
  EXPECT_TRUE(io::read_header(path).has_truth);
  expect_same_truth(io::read_truth(path), truth);
  const auto problems = io::validate_file(path);
  EXPECT_TRUE(problems.empty()) << joined(problems);
  // the recording itself is unchanged by the truth beside it
  const Recording back = io::read(path);
  EXPECT_EQ(back.data(), rec.data());
  EXPECT_TRUE(back.events().empty());
}

TEST(StoreTruth, EmptyTablesAndEmptyActivityRoundTrip) {
  const Recording rec = ramp_recording(2, 500);
  GroundTruth only_attrs;
  only_attrs.attributes["generator"] = "test";
  const std::string path = fresh_path("truth_attrs.h5");
  io::write(path, rec, {}, {}, only_attrs);
  const GroundTruth back = io::read_truth(path);
  expect_same_truth(back, only_attrs);
  EXPECT_EQ(back.activity.size(), 0);
  EXPECT_TRUE(back.pulses.empty() && back.trains.empty() && back.bursts.empty() && back.firing_sample.empty());
  EXPECT_TRUE(io::validate_file(path).empty()) << joined(io::validate_file(path));

  // firings only (level B), no attributes: not empty, so written
  GroundTruth firings;
  firings.firing_unit = {2, 0};
  firings.firing_sample = {10, 499};
  const std::string p2 = fresh_path("truth_firings.h5");
  io::write(p2, rec, {}, {}, firings);
  expect_same_truth(io::read_truth(p2), firings);
}

TEST(StoreTruth, LargeActivityCompressesAndPartialReadsLeaveTruthWhole) {
  const long nch = 4, n = 1'000'000;
  const Recording rec = ramp_recording(nch, n);
  GroundTruth truth;
  truth.activity = run_activity(nch, n);
  truth.attributes["seed"] = "1";
  const std::string plain = fresh_path("truth_none_large.h5");
  const std::string with = fresh_path("truth_large.h5");
  const auto r0 = io::write(plain, rec);
  const auto r1 = io::write(with, rec, {}, {}, truth);
  const double raw = static_cast<double>(nch * n);  // 4 MB of uint8 codes
  const double added = static_cast<double>(r1.file_bytes) - static_cast<double>(r0.file_bytes);
  // ~100 runs per channel: the 4 MB of codes take 20 kB, 36 kB with the tables (measured).
  EXPECT_LT(added, raw / 50.0) << "activity + tables added " << added << " bytes";
  EXPECT_GT(added, 0.0);
  const GroundTruth back = io::read_truth(with);
  expect_same_truth(back, truth);
  // a window of the recording: the samples are cut, the truth (read separately) is not
  io::ReadOptions o;
  o.start_sample = 1000;
  o.stop_sample = 2000;
  EXPECT_EQ(io::read(with, o).n_samples(), 1000);
  EXPECT_EQ(io::read_truth(with).activity.cols(), n);
}

TEST(StoreTruth, FileWithoutTruthReadsAsBefore) {
  const Recording rec = ramp_recording(2, 300);
  const std::string path = fresh_path("truth_absent.h5");
  const std::vector<io::DerivedItem> none;
  io::write(path, rec, io::WriteOptions{}, none);  // the four-argument call still compiles
  EXPECT_FALSE(io::has_truth(path));
  EXPECT_FALSE(io::read_header(path).has_truth);
  const std::string m = message_of<emg::FormatError>([&] { io::read_truth(path); });
  EXPECT_HAS(m, path);
  EXPECT_HAS(m, "/truth");
  EXPECT_TRUE(io::validate_file(path).empty());
  // an empty GroundTruth (the default argument) writes no /truth
  const std::string p2 = fresh_path("truth_default.h5");
  io::write(p2, rec, {}, {}, GroundTruth{});
  EXPECT_FALSE(io::has_truth(p2));
}

TEST(StoreTruth, CommittedFixturesHaveNoTruthAndStillValidate) {
  for (const char* name : {"cramplab_v1.h5", "cramplab_v1_float.h5"}) {
    const std::string f = std::string(EMG_TEST_DATA_DIR) + "/fixtures/" + name;
    EXPECT_FALSE(io::has_truth(f)) << f;
    EXPECT_FALSE(io::read_header(f).has_truth) << f;
    EXPECT_TRUE(io::validate_file(f).empty()) << f;
    EXPECT_GT(io::read(f).n_samples(), 0);
    EXPECT_THROW(io::read_truth(f), emg::FormatError);
  }
}

TEST(StoreTruth, TruthThatDoesNotFitTheRecordingIsRefused) {
  const long nch = 3, n = 1000;
  const Recording rec = ramp_recording(nch, n);
  const std::string path = fresh_path("truth_refused.h5");
  const auto refused = [&](const GroundTruth& t) {
    const std::string m = emg::test::error_of([&] { io::write(path, rec, {}, {}, t); });
    EXPECT_FALSE(fs::exists(path)) << "a refused write left a file";
    return m;
  };
  GroundTruth t = full_truth(nch, n);
  t.activity = emg::ActivityMatrix::Zero(2, n);
  std::string m = refused(t);
  EXPECT_HAS(m, "write: truth.activity=(2, 1000)");
  EXPECT_HAS(m, "(n_channels, n_samples) = (3, 1000)");
  t.activity = emg::ActivityMatrix::Zero(nch, n - 1);
  EXPECT_HAS(refused(t), "truth.activity=(3, 999)");
  t.activity = emg::ActivityMatrix::Zero(nch, n);
  t.activity(1, 5) = 4;
  t.activity(2, 7) = 200;
  m = refused(t);
  EXPECT_HAS(m, "truth.activity=4 (channel 1, sample 5) must be an Activity code");
  EXPECT_HAS(m, "(and 1 more)");

  t = full_truth(nch, n);
  t.pulses[1].sample = n;
  EXPECT_HAS(refused(t), "truth.pulses[1].sample=1000 must be in [0, n_samples) = [0, 1000)");
  t = full_truth(nch, n);
  t.pulses[0].fwave_sample = -2;
  EXPECT_HAS(refused(t), "truth.pulses[0].fwave_sample=-2 must be -1 (none)");
  t = full_truth(nch, n);
  t.trains[0].end_sample = 50;
  EXPECT_HAS(refused(t), "truth.trains[0].start_sample=100 (end_sample 50) must satisfy 0 <= start_sample <= end_sample");
  t = full_truth(nch, n);
  t.trains[1].cramp_offset_sample = n - 600;
  EXPECT_HAS(refused(t), "truth.trains[1].cramp_offset_sample=400 (cramp_onset_sample 500) must be >= cramp_onset_sample");
  t = full_truth(nch, n);
  t.bursts[0].channel = nch;
  EXPECT_HAS(refused(t), "truth.bursts[0].channel=3 must be -1 (all channels) or in [0, n_channels) = [0, 3)");
  t = full_truth(nch, n);
  t.bursts[1].offset_sample = n + 1;
  EXPECT_HAS(refused(t), "truth.bursts[1].onset_sample=500 (offset_sample 1001)");
  t = full_truth(nch, n);
  t.firing_unit.pop_back();
  EXPECT_HAS(refused(t), "truth.firing_unit=4 entries must have as many entries as firing_sample (5)");
  t = full_truth(nch, n);
  t.firing_sample[2] = -5;
  EXPECT_HAS(refused(t), "truth.firing_sample[2]=-5 must be in [0, n_samples)");
  t = full_truth(nch, n);
  t.attributes[""] = "x";
  EXPECT_HAS(refused(t), "truth.attributes");

  // a refused truth never touches an existing file, even with overwrite
  io::write(path, rec);
  const auto before = fs::file_size(path);
  io::WriteOptions ow;
  ow.overwrite = true;
  t = full_truth(nch, n);
  t.activity = emg::ActivityMatrix::Zero(1, 1);
  EXPECT_THROW(io::write(path, rec, ow, {}, t), emg::InvalidArgument);
  EXPECT_EQ(fs::file_size(path), before);
  EXPECT_FALSE(io::has_truth(path));
}


/// A good file with full truth, then `damage` applied to it with the HDF5 C++ API.
template <class Damage>
std::string damaged(const std::string& name, long nch, long n, Damage&& damage) {
  const std::string path = fresh_path(name);
  io::write(path, ramp_recording(nch, n), {}, {}, full_truth(nch, n));
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_RDWR);
  damage(f);
  f.close();
  return path;
}

void replace_int64(H5::H5File& f, const std::string& name, const std::vector<std::int64_t>& v) {
  f.unlink(name);
  hsize_t len = v.size();
  H5::DataSet ds = f.createDataSet(name, H5::PredType::STD_I64LE, H5::DataSpace(1, &len));
  if (!v.empty()) ds.write(v.data(), H5::PredType::NATIVE_INT64);
}

std::vector<std::int64_t> read_int64(H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  hsize_t len = 0;
  ds.getSpace().getSimpleExtentDims(&len);
  std::vector<std::int64_t> v(len);
  if (len) ds.read(v.data(), H5::PredType::NATIVE_INT64);
  return v;
}

/// read_truth throws FormatError naming the file and `object`; validate_file lists `object` and
/// `rule` without throwing; the recording itself still reads.
void expect_reported(const std::string& path, const std::string& object, const std::string& rule) {
  const std::string m = message_of<emg::FormatError>([&] { io::read_truth(path); });
  EXPECT_HAS(m, path + ": " + object);
  EXPECT_HAS(m, rule);
  std::vector<std::string> problems;
  EXPECT_NO_THROW(problems = io::validate_file(path));
  EXPECT_TRUE(has_line(problems, object + ": ", rule)) << "wanted " << object << ": ..." << rule << " in" << joined(problems);
  EXPECT_NO_THROW(io::read(path));
  EXPECT_TRUE(io::read_header(path).has_truth);
}

TEST(StoreTruth, MissingColumnIsReported) {
  const auto p = damaged("truth_dmg_missing.h5", 2, 1000, [](H5::H5File& f) { f.unlink("truth/pulses/clipped"); });
  expect_reported(p, "/truth/pulses/clipped", "is missing");
  const auto q = damaged("truth_dmg_group.h5", 2, 1000, [](H5::H5File& f) { f.unlink("truth/bursts"); });
  expect_reported(q, "/truth/bursts", "is missing");
  const auto r = damaged("truth_dmg_activity.h5", 2, 1000, [](H5::H5File& f) { f.unlink("truth/activity"); });
  expect_reported(r, "/truth/activity", "is missing");
}

TEST(StoreTruth, ColumnOfAnotherLengthIsReported) {
  const auto p = damaged("truth_dmg_length.h5", 2, 1000, [](H5::H5File& f) {
    auto v = read_int64(f, "truth/trains/n_pulses");
    v.push_back(9);
    replace_int64(f, "truth/trains/n_pulses", v);
  });
  expect_reported(p, "/truth/trains/n_pulses", "has 3 rows, the other columns of /truth/trains have 2");
  const auto q = damaged("truth_dmg_firings.h5", 2, 1000, [](H5::H5File& f) {
    replace_int64(f, "truth/firings/sample", {1, 2});
  });
  expect_reported(q, "/truth/firings/sample", "has 2 rows, the other columns of /truth/firings have 5");
}

TEST(StoreTruth, SamplesOutOfRangeAndBadFlagsAreReported) {
  const long n = 1000;
  const auto p = damaged("truth_dmg_range.h5", 2, n, [&](H5::H5File& f) {
    auto v = read_int64(f, "truth/firings/sample");
    v[1] = n;
    v[3] = n + 7;
    replace_int64(f, "truth/firings/sample", v);
  });
  expect_reported(p, "/truth/firings/sample", "row 1: sample=1000 must be in [0, n_samples) = [0, 1000) (and 1 more)");
  const auto q = damaged("truth_dmg_burst.h5", 2, n, [&](H5::H5File& f) {
    replace_int64(f, "truth/bursts/channel", {0, 5, -1});
  });
  expect_reported(q, "/truth/bursts/channel", "row 1: channel=5 must be -1 (all channels) or in [0, n_channels) = [0, 2)");
  const auto r = damaged("truth_dmg_flag.h5", 2, n, [&](H5::H5File& f) {
    H5::DataSet ds = f.openDataSet("truth/trains/cramp");
    const std::uint8_t v[2] = {0, 2};
    ds.write(v, H5::PredType::NATIVE_UINT8);
  });
  expect_reported(r, "/truth/trains/cramp", "row 1: 2 must be 0 or 1");
}

TEST(StoreTruth, ActivityShapeDtypeAndCodesAreReported) {
  const long nch = 2, n = 1000;
  const auto p = damaged("truth_dmg_shape.h5", nch, n, [&](H5::H5File& f) {
    f.unlink("truth/activity");
    const hsize_t dims[2] = {2, 999};
    f.createDataSet("truth/activity", H5::PredType::STD_U8LE, H5::DataSpace(2, dims));
  });
  expect_reported(p, "/truth/activity", "shape (2, 999) must be (0, 0) or the shape of /recording/data (2, 1000)");
  const auto q = damaged("truth_dmg_dtype.h5", nch, n, [&](H5::H5File& f) {
    f.unlink("truth/activity");
    const hsize_t dims[2] = {2, 1000};
    f.createDataSet("truth/activity", H5::PredType::STD_I16LE, H5::DataSpace(2, dims));
  });
  expect_reported(q, "/truth/activity", "dtype must be uint8");
  const auto r = damaged("truth_dmg_code.h5", nch, n, [&](H5::H5File& f) {
    H5::DataSet ds = f.openDataSet("truth/activity");
    H5::DataSpace fspace = ds.getSpace();
    const hsize_t start[2] = {1, 5}, count[2] = {1, 1};
    fspace.selectHyperslab(H5S_SELECT_SET, count, start);
    const std::uint8_t code = 9;
    H5::DataSpace mspace(1, count);
    ds.write(&code, H5::PredType::NATIVE_UINT8, mspace, fspace);
  });
  expect_reported(r, "/truth/activity", "9 (channel 1, sample 5) must be an Activity code (0 rest, 1 voluntary, 2 stimulation, 3 cramp)");
}

TEST(StoreTruth, ValidateListsEveryProblemAtOnce) {
  const auto p = damaged("truth_dmg_many.h5", 2, 1000, [](H5::H5File& f) {
    f.unlink("truth/pulses/mwave_amplitude");
    replace_int64(f, "truth/trains/start_sample", {0});
    replace_int64(f, "truth/firings/unit", {0, -3, 3, 1, 0});
    H5::Group g = f.openGroup("truth");
    const std::int64_t v = 3;
    g.createAttribute("not_a_string", H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_INT64, &v);
  });
  const auto problems = io::validate_file(p);
  EXPECT_EQ(problems.size(), 4u) << joined(problems);
  EXPECT_TRUE(has_line(problems, "/truth/pulses/mwave_amplitude: is missing")) << joined(problems);
  EXPECT_TRUE(has_line(problems, "/truth/trains/start_sample: has 1 rows")) << joined(problems);
  EXPECT_TRUE(has_line(problems, "/truth/firings/unit: row 1: unit=-3 must be >= 0")) << joined(problems);
  EXPECT_TRUE(has_line(problems, "/truth attribute 'not_a_string'")) << joined(problems);
}


}  // namespace
