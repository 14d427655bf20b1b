// The CrampLab HDF5 store: bit-exact round trips, partial reads, atomic writes, derived items and
// clear errors for broken files.
#include <emg/errors.hpp>
#include <emg/io/checksum.hpp>
#include <emg/io/store.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>

namespace {

namespace fs = std::filesystem;
using emg::Recording;
using emg::RowMatrixXd;
using emg::test::message_of;
namespace io = emg::io;

/// A fresh temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("emg_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::size_t count() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path_), fs::directory_iterator())); }

 private:
  fs::path path_;
};

bool same_bits(const RowMatrixXd& a, const RowMatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

/// Awkward float64 samples: subnormals, -0.0, huge and tiny magnitudes, plain noise.
RowMatrixXd awkward(long nch, long n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  RowMatrixXd x(nch, n);
  for (long c = 0; c < nch; ++c) {
    for (long j = 0; j < n; ++j) x(c, j) = normal(gen) * 1e-4;
  }
  x(0, 0) = -0.0;
  if (n > 4) {
    x(0, 1) = std::numeric_limits<double>::denorm_min();
    x(0, 2) = -4.9e-310;
    x(0, 3) = 1.7e308;
    x(0, 4) = -1e-300;
  }
  return x;
}

Recording full_recording() {
  Recording rec(awkward(3, 5000, 1), 2048.0, {}, 12.5);
  std::vector<emg::ChannelInfo> info(3);
  const char* names[] = {"FHB", "AH", "TRIG"};
  for (int c = 0; c < 3; ++c) {
    info[static_cast<std::size_t>(c)].name = names[c];
    info[static_cast<std::size_t>(c)].target_muscle = c == 0 ? "flexor hallucis brevis" : "";
    info[static_cast<std::size_t>(c)].placement = "mid-belly";
    info[static_cast<std::size_t>(c)].reference = "ankle";
    info[static_cast<std::size_t>(c)].low_cutoff_hz = c == 1 ? 20.0 : std::numeric_limits<double>::quiet_NaN();
    rec.set_channel_info(c, info[static_cast<std::size_t>(c)]);
  }
  rec.set_units(2, "mV");
  rec.add_event({-1, 100, 200, "cramp", "manual"});
  rec.add_event({1, 3000, 3000, "marker", "ünïcødé"});
  rec.add_event({2, 4000, 4999, "late", ""});
  rec.set_stimulation({{1000, 1100, 1200, 4500}, {{7, 1000, 1250, 10.0, 200.0, 25.5, 3}}});
  rec.append_history("bandpass(low_hz=20, high_hz=450)");
  rec.append_history("remove_mains(line_hz=50)");
  rec.set_attribute("subject", "S01");
  rec.set_attribute("source_file", "trial 1.bdf");
  return rec;
}

void expect_same_metadata(const Recording& a, const Recording& b) {
  ASSERT_EQ(a.n_channels(), b.n_channels());
  EXPECT_EQ(a.fs_hz(), b.fs_hz());
  EXPECT_EQ(a.start_time_s(), b.start_time_s());
  for (long c = 0; c < a.n_channels(); ++c) {
    const auto& x = a.channels()[static_cast<std::size_t>(c)];
    const auto& y = b.channels()[static_cast<std::size_t>(c)];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.units, y.units);
    EXPECT_EQ(x.target_muscle, y.target_muscle);
    EXPECT_EQ(x.placement, y.placement);
    EXPECT_EQ(x.reference, y.reference);
    for (auto m : {&emg::ChannelInfo::low_cutoff_hz, &emg::ChannelInfo::high_cutoff_hz, &emg::ChannelInfo::notch_hz,
                   &emg::ChannelInfo::conversion, &emg::ChannelInfo::offset, &emg::ChannelInfo::digital_min,
                   &emg::ChannelInfo::digital_max}) {
      EXPECT_EQ(std::bit_cast<std::uint64_t>(x.*m), std::bit_cast<std::uint64_t>(y.*m)) << x.name;
    }
  }
  ASSERT_EQ(a.events().size(), b.events().size());
  for (std::size_t i = 0; i < a.events().size(); ++i) {
    EXPECT_EQ(a.events()[i].channel, b.events()[i].channel);
    EXPECT_EQ(a.events()[i].start_sample, b.events()[i].start_sample);
    EXPECT_EQ(a.events()[i].end_sample, b.events()[i].end_sample);
    EXPECT_EQ(a.events()[i].kind, b.events()[i].kind);
    EXPECT_EQ(a.events()[i].source, b.events()[i].source);
  }
  EXPECT_EQ(a.stimulation().pulses, b.stimulation().pulses);
  ASSERT_EQ(a.stimulation().trains.size(), b.stimulation().trains.size());
  for (std::size_t i = 0; i < a.stimulation().trains.size(); ++i) {
    const auto& s = a.stimulation().trains[i];
    const auto& t = b.stimulation().trains[i];
    EXPECT_EQ(s.train_id, t.train_id);
    EXPECT_EQ(s.start_sample, t.start_sample);
    EXPECT_EQ(s.end_sample, t.end_sample);
    EXPECT_EQ(s.frequency_hz, t.frequency_hz);
    EXPECT_EQ(s.pulse_width_us, t.pulse_width_us);
    EXPECT_EQ(s.intensity, t.intensity);
    EXPECT_EQ(s.n_pulses, t.n_pulses);
  }
  EXPECT_EQ(a.history(), b.history());
  EXPECT_EQ(a.attributes(), b.attributes());
}

/// A recording of ADC counts: value = count * conversion + offset.
Recording counts_recording(long nch, long n, double lo, double hi, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<long> dist(static_cast<long>(lo), static_cast<long>(hi));
  RowMatrixXd x(nch, n);
  std::vector<emg::ChannelInfo> info(static_cast<std::size_t>(nch));
  for (long c = 0; c < nch; ++c) {
    auto& ch = info[static_cast<std::size_t>(c)];
    ch.name = "ch" + std::to_string(c);
    ch.conversion = 0.1 / 32768.0 * (1.0 + 0.37 * static_cast<double>(c));  // not a power of two
    ch.offset = c == 0 ? 0.0 : -1.25e-3 * static_cast<double>(c);
    ch.digital_min = lo;
    ch.digital_max = hi;
    for (long j = 0; j < n; ++j) {
      const double k = j < 2 ? (j == 0 ? lo : hi) : static_cast<double>(dist(gen));
      const double scaled = k * ch.conversion;
      x(c, j) = scaled + ch.offset;
    }
  }
  return Recording(x, 1000.0, info);
}

/// Options without designated initialisers (GCC 12 warns about the fields left out).
template <class F>
io::WriteOptions opts(F&& set) {
  io::WriteOptions o;
  set(o);
  return o;
}

io::DerivedItem item_of(std::string group, std::string name, std::map<std::string, RowMatrixXd> arrays = {},
                        std::map<std::string, std::string> params = {}, std::string sha = {}, std::string version = {}) {
  io::DerivedItem d;
  d.group = std::move(group);
  d.name = std::move(name);
  d.arrays = std::move(arrays);
  d.parameters = std::move(params);
  d.input_sha256 = std::move(sha);
  d.library_version = std::move(version);
  return d;
}

TEST(Store, Float64RoundTripIsBitExactWithAllMetadata) {
  TempDir dir;
  const Recording rec = full_recording();
  const auto report = io::write(dir.file("a.h5"), rec);
  EXPECT_EQ(report.sample_type, "float64");
  EXPECT_EQ(report.compression, "none");
  EXPECT_EQ(report.max_abs_error, 0.0);
  EXPECT_EQ(report.file_bytes, fs::file_size(dir.file("a.h5")));
  const Recording back = io::read(dir.file("a.h5"));
  EXPECT_TRUE(same_bits(back.data(), rec.data()));
  expect_same_metadata(back, rec);
  EXPECT_EQ(dir.count(), 1u) << "temporary file left behind";
  EXPECT_TRUE(io::validate_file(dir.file("a.h5")).empty());
  EXPECT_TRUE(io::is_cramplab_file(dir.file("a.h5")));
}

TEST(Store, HeaderWithoutSamples) {
  TempDir dir;
  io::write(dir.file("a.h5"), full_recording());
  const auto h = io::read_header(dir.file("a.h5"));
  EXPECT_EQ(h.format_version, 1);
  EXPECT_HAS(h.created_by, "cramplab ");
  EXPECT_HAS(h.created_by, "(git ");
  EXPECT_EQ(h.fs_hz, 2048.0);
  EXPECT_EQ(h.start_time_s, 12.5);
  EXPECT_EQ(h.n_channels, 3);
  EXPECT_EQ(h.n_samples, 5000);
  EXPECT_EQ(h.sample_type, "float64");
  EXPECT_EQ(h.compression, "none");
  EXPECT_EQ(h.channels[2].units, "mV");
  EXPECT_EQ(h.attributes.at("subject"), "S01");
  EXPECT_TRUE(h.derived.empty());
}

TEST(Store, IntegerCountsAreStoredAsInt16AndReadBackBitExact) {
  TempDir dir;
  const Recording rec = counts_recording(4, 3001, -32768, 32767, 2);
  const auto report = io::write(dir.file("i.h5"), rec);
  EXPECT_EQ(report.sample_type, "int16");
  EXPECT_EQ(report.compression, "shuffle+deflate(1)");
  const Recording back = io::read(dir.file("i.h5"));
  EXPECT_TRUE(same_bits(back.data(), rec.data()));
  expect_same_metadata(back, rec);
  EXPECT_EQ(io::read_header(dir.file("i.h5")).sample_type, "int16");
  // Partial reads of compressed integer data: window inside one chunk and across chunks.
  io::ReadOptions o;
  o.start_sample = 999;
  o.stop_sample = 2500;
  o.channel_indices = {3, 1};
  const Recording part = io::read(dir.file("i.h5"), o);
  EXPECT_TRUE(same_bits(part.data(), rec.select_channels({3, 1}).data().middleCols(999, 1501)));
}

TEST(Store, CountsBeyondInt16UseInt32) {
  TempDir dir;
  const Recording rec = counts_recording(2, 500, -8388608, 8388607, 3);  // 24-bit BDF range
  const auto report = io::write(dir.file("i.h5"), rec, opts([](auto& o) { o.sample_type = io::SampleType::Integer; }));
  EXPECT_EQ(report.sample_type, "int32");
  EXPECT_TRUE(same_bits(io::read(dir.file("i.h5")).data(), rec.data()));
}

TEST(Store, AutoFallsBackToFloat64WhenCountsAreNotExact) {
  TempDir dir;
  RowMatrixXd x = counts_recording(2, 100, -100, 100, 4).data();
  Recording rec = counts_recording(2, 100, -100, 100, 4).with_data(x, "copy");  // conversion cleared
  EXPECT_EQ(io::write(dir.file("a.h5"), rec).sample_type, "float64");
  Recording counts = counts_recording(2, 100, -100, 100, 4);
  auto ch = counts.channels()[1];
  ch.conversion *= 1.0000001;  // samples no longer land on counts
  counts.set_channel_info(1, ch);
  EXPECT_EQ(io::write(dir.file("b.h5"), counts).sample_type, "float64");
  const std::string msg = message_of<emg::FormatError>(
      [&] { io::write(dir.file("c.h5"), counts, opts([](auto& o) { o.sample_type = io::SampleType::Integer; })); });
  EXPECT_HAS(msg, "sample_type=integer");
  EXPECT_HAS(msg, "\"ch1\"");
  EXPECT_FALSE(fs::exists(dir.file("c.h5")));
  EXPECT_EQ(dir.count(), 2u);
}

TEST(Store, Float32ReportsItsRoundingError) {
  TempDir dir;
  const Recording rec(awkward(2, 1000, 5).cwiseMax(-1.0).cwiseMin(1.0), 500.0);
  const auto report = io::write(dir.file("f.h5"), rec, opts([](auto& o) { o.sample_type = io::SampleType::Float32; }));
  EXPECT_EQ(report.sample_type, "float32");
  EXPECT_GT(report.max_abs_error, 0.0);
  const Recording back = io::read(dir.file("f.h5"));
  const double err = (back.data() - rec.data()).cwiseAbs().maxCoeff();
  EXPECT_EQ(err, report.max_abs_error);
  EXPECT_LE(err, 1e-4 * 6e-8 * 10);
}

TEST(Store, DeflatedFloatAndTinyChunksRoundTrip) {
  TempDir dir;
  const Recording rec(awkward(5, 777, 6), 100.0);
  const auto report = io::write(dir.file("d.h5"), rec, opts([](auto& o) {
    o.compression = io::Compression::Deflate;
    o.deflate_level = 4;
    o.chunk_s = 0.001;
  }));
  EXPECT_EQ(report.compression, "shuffle+deflate(4)");
  EXPECT_TRUE(same_bits(io::read(dir.file("d.h5")).data(), rec.data()));
  io::ReadOptions o;
  o.start_sample = 10;
  o.stop_sample = 13;
  o.channel_names = {"ch4"};
  EXPECT_TRUE(same_bits(io::read(dir.file("d.h5"), o).data(), rec.data().block(4, 10, 1, 3)));
}

TEST(Store, OneChannelOneSampleAndSixtyFourChannels) {
  TempDir dir;
  RowMatrixXd one(1, 1);
  one(0, 0) = -0.0;
  io::write(dir.file("one.h5"), Recording(one, 1.0));
  const Recording back = io::read(dir.file("one.h5"));
  EXPECT_TRUE(same_bits(back.data(), one));
  EXPECT_TRUE(std::signbit(back.data()(0, 0)));
  const Recording wide(awkward(64, 3000, 7), 2048.0);
  io::write(dir.file("wide.h5"), wide);
  EXPECT_TRUE(same_bits(io::read(dir.file("wide.h5")).data(), wide.data()));
}

TEST(Store, PartialReadsEqualSlicesOfTheFullRead) {
  TempDir dir;
  const Recording rec = full_recording();
  io::write(dir.file("a.h5"), rec, opts([](auto& o) { o.chunk_s = 0.25; }));
  io::ReadOptions o;
  o.start_sample = 1050;
  o.stop_sample = 4100;
  o.channel_names = {"TRIG", "AH"};
  const Recording part = io::read(dir.file("a.h5"), o);
  EXPECT_TRUE(same_bits(part.data(), rec.select_channels({2, 1}).data().middleCols(1050, 3050)));
  EXPECT_EQ(part.start_time_s(), 12.5 + 1050.0 / 2048.0);
  EXPECT_EQ(part.channels()[0].name, "TRIG");
  EXPECT_EQ(part.channels()[1].units, "V");
  // events: the all-channel one ends before the window, AH's marker moves to index 1, TRIG's is clipped
  ASSERT_EQ(part.events().size(), 2u);
  EXPECT_EQ(part.events()[0].channel, 1);
  EXPECT_EQ(part.events()[0].start_sample, 3000 - 1050);
  EXPECT_EQ(part.events()[1].channel, 0);
  EXPECT_EQ(part.events()[1].start_sample, 4000 - 1050);
  EXPECT_EQ(part.events()[1].end_sample, 4100 - 1050);
  // pulses inside the window, the train clipped with its pulses recounted
  EXPECT_EQ(part.stimulation().pulses, (std::vector<std::int64_t>{1100 - 1050, 1200 - 1050}));
  ASSERT_EQ(part.stimulation().trains.size(), 1u);
  EXPECT_EQ(part.stimulation().trains[0].start_sample, 0);
  EXPECT_EQ(part.stimulation().trains[0].end_sample, 200);
  EXPECT_EQ(part.stimulation().trains[0].n_pulses, 2);
  EXPECT_EQ(part.history(), rec.history());

  const auto w = io::window_s(io::read_header(dir.file("a.h5")), 0.5, 1.0);
  EXPECT_EQ(w.start_sample, 1024);
  EXPECT_EQ(w.stop_sample, 2048);
  EXPECT_TRUE(same_bits(io::read(dir.file("a.h5"), w).data(), rec.data().middleCols(1024, 1024)));
}

TEST(Store, BadReadOptionsNameTheParameter) {
  TempDir dir;
  io::write(dir.file("a.h5"), full_recording());
  const std::string f = dir.file("a.h5");
  const auto read_with = [&](std::int64_t start, std::int64_t stop, std::vector<std::string> names = {},
                             std::vector<long> indices = {}) {
    io::ReadOptions o;
    o.start_sample = start;
    o.stop_sample = stop;
    o.channel_names = std::move(names);
    o.channel_indices = std::move(indices);
    return [f, o] { io::read(f, o); };
  };
  emg::test::expect_error(read_with(5000, -1), "read: start_sample=5000 must be in [0, 5000)");
  emg::test::expect_error(read_with(-1, -1), "start_sample=-1");
  emg::test::expect_error(read_with(10, 10), "stop_sample=10 must be -1 (to the end) or in (start_sample, n_samples] = (10, 5000]");
  emg::test::expect_error(read_with(0, 5001), "stop_sample=5001");
  emg::test::expect_error(read_with(0, -1, {"FHB", "XX"}), "channels=\"XX\" is not a channel (channels: FHB, AH, TRIG)");
  emg::test::expect_error(read_with(0, -1, {"AH", "AH"}), "channels[1]=\"AH\" appears twice");
  emg::test::expect_error(read_with(0, -1, {}, {0, 3}), "channels[1]=3 must be in [0, 3)");
  const auto h = io::read_header(f);
  emg::test::expect_error([&] { io::window_s(h, 1.0, 0.5); }, "window_s: stop_s=0.5 must be finite and > start_s (1)");
  emg::test::expect_error([&] { io::window_s(h, -1.0, 0.5); }, "start_s=-1");
  emg::test::expect_error([&] { io::window_s(h, 0.0, 3.0); }, "stop_s=3 must be <= the duration");
  emg::test::expect_error([&] { io::window_s(h, 0.0, 1e-5); }, "shorter than one sample");
}

TEST(Store, BadWriteOptions) {
  TempDir dir;
  const Recording rec = full_recording();
  emg::test::expect_error([&] { io::write(dir.file("a.h5"), rec, opts([](auto& o) { o.deflate_level = 0; })); }, "write: deflate_level=0 must be in 1..9");
  emg::test::expect_error([&] { io::write(dir.file("a.h5"), rec, opts([](auto& o) { o.chunk_s = -1.0; })); }, "chunk_s=-1 must be finite and > 0");
  emg::test::expect_error([&] { io::write(dir.file("a.h5"), rec, opts([](auto& o) { o.chunk_s = std::nan(""); })); }, "chunk_s=nan");
  const std::string msg = message_of<emg::IoError>([&] { io::write(dir.file("nodir/a.h5"), rec); });
  EXPECT_HAS(msg, "does not exist");
  EXPECT_EQ(dir.count(), 0u);
}

TEST(Store, ExistingFileIsNeverHalfOverwritten) {
  TempDir dir;
  const std::string f = dir.file("a.h5");
  const Recording old_rec = full_recording();
  io::write(f, old_rec);
  const std::string old_sha = io::sha256_file(f);
  const Recording new_rec(awkward(2, 100000, 9), 1000.0);
  const std::string refused = message_of<emg::IoError>([&] { io::write(f, new_rec); });
  EXPECT_HAS(refused, f);
  EXPECT_HAS(refused, "already exists");
  // The second derived item is invalid: the data and the first item are already written when it fails.
  const auto good = item_of("derived", "ok", {{"x", RowMatrixXd::Ones(1, 3)}});
  const auto bad = item_of("derived", "a//b");
  emg::test::expect_error([&] { io::write(f, new_rec, opts([](auto& o) { o.overwrite = true; }), {good, bad}); }, "write: derived[1].name=\"a//b\"");
  EXPECT_EQ(io::sha256_file(f), old_sha);
  EXPECT_EQ(dir.count(), 1u) << "temporary file left behind";
  EXPECT_TRUE(same_bits(io::read(f).data(), old_rec.data()));
  io::write(f, new_rec, opts([](auto& o) { o.overwrite = true; }));
  EXPECT_TRUE(same_bits(io::read(f).data(), new_rec.data()));
}

TEST(Store, DerivedItemsKeepValuesAndProvenance) {
  TempDir dir;
  const std::string f = dir.file("a.h5");
  const Recording rec = full_recording();
  RowMatrixXd two(2, 3);
  two << 1, 2, 3, 4, 5, std::numeric_limits<double>::quiet_NaN();
  auto item = item_of("derived", "bandpass/rms", {{"values", two}, {"times_s", RowMatrixXd::Zero(1, 1)}}, {{"low_hz", "20"}, {"high_hz", "450"}}, io::data_sha256(rec));
  io::write(f, rec, {}, {item});
  EXPECT_EQ(io::read_header(f).derived, std::vector<std::string>{"derived/bandpass/rms"});
  const auto back = io::read_derived(f, "derived/bandpass/rms");
  EXPECT_EQ(back.group, "derived");
  EXPECT_EQ(back.name, "bandpass/rms");
  EXPECT_EQ(back.parameters, item.parameters);
  EXPECT_EQ(back.input_sha256, item.input_sha256);
  EXPECT_FALSE(back.library_version.empty());
  ASSERT_EQ(back.arrays.size(), 2u);
  EXPECT_TRUE(same_bits(back.arrays.at("values"), two));
  EXPECT_EQ(back.arrays.at("times_s").rows(), 1);

  // write_derived adds and replaces atomically, leaving the recording untouched
  const auto metric = item_of("metrics", "fatigue", {{"mdf_hz", RowMatrixXd::Constant(1, 4, 80.0)}}, {}, "", "9.9.9");
  item.parameters["low_hz"] = "30";
  io::write_derived(f, {item, metric});
  EXPECT_EQ(io::read_header(f).derived, (std::vector<std::string>{"derived/bandpass/rms", "metrics/fatigue"}));
  EXPECT_EQ(io::read_derived(f, "derived/bandpass/rms").parameters.at("low_hz"), "30");
  EXPECT_EQ(io::read_derived(f, "metrics/fatigue").library_version, "9.9.9");
  EXPECT_TRUE(same_bits(io::read(f).data(), rec.data()));
  EXPECT_EQ(dir.count(), 1u);
  EXPECT_TRUE(io::validate_file(f).empty());

  emg::test::expect_error([&] { io::read_derived(f, "derived/nope"); }, "item=\"derived/nope\" is not in");
  emg::test::expect_error([&] { io::read_derived(f, "other"); }, "must be \"derived/<name>\"");
  const auto inside = item_of("derived", "bandpass/rms/deeper");
  emg::test::expect_error([&] { io::write_derived(f, {inside}); }, "lies inside the existing item");
  const auto badgroup = item_of("results", "x");
  emg::test::expect_error([&] { io::write_derived(f, {badgroup}); }, "derived[0].group=\"results\" must be \"derived\" or \"metrics\"");
  const auto badsha = item_of("derived", "x", {}, {}, "abc");
  emg::test::expect_error([&] { io::write_derived(f, {badsha}); }, "input_sha256=\"abc\"");
  emg::test::expect_error([&] { io::write_derived(f, {metric, metric}); }, "derived[1].name=\"fatigue\" appears twice");
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(Store, BrokenFilesGiveClearErrorsNamingTheFile) {
  TempDir dir;
  const std::string good = dir.file("good.h5");
  io::write(good, Recording(awkward(4, 20000, 8), 2048.0));
  const std::string empty = dir.file("empty.h5");
  write_bytes(empty, "");
  const std::string text = dir.file("text.h5");
  write_bytes(text, "time,emg\n0,1\n");
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string trunc = dir.file("trunc.h5");
  write_bytes(trunc, bytes.substr(0, bytes.size() / 2));
  const std::string head = dir.file("head.h5");
  write_bytes(head, bytes.substr(0, 300));

  std::string m = message_of<emg::FormatError>([&] { io::read(empty); });
  EXPECT_HAS(m, empty);
  EXPECT_HAS(m, "empty file");
  m = message_of<emg::FormatError>([&] { io::read(text); });
  EXPECT_HAS(m, text);
  EXPECT_HAS(m, "not an HDF5 file");
  m = message_of<emg::IoError>([&] { io::read(dir.file("missing.h5")); });
  EXPECT_HAS(m, "missing.h5: no such file");
  for (const auto& f : {trunc, head}) {
    try {
      io::read(f);
      ADD_FAILURE() << "truncated file read without error: " << f;
    } catch (const emg::IoError& e) {
      EXPECT_HAS(e.what(), f);
    } catch (const emg::FormatError& e) {
      EXPECT_HAS(e.what(), f);
    }
    EXPECT_FALSE(io::validate_file(f).empty()) << f;
    EXPECT_THROW(io::read_header(f).n_channels > 0 ? io::read(f) : io::read(f), std::runtime_error);
  }
  EXPECT_FALSE(io::is_cramplab_file(text));
  EXPECT_FALSE(io::is_cramplab_file(empty));
  EXPECT_FALSE(io::is_cramplab_file(dir.file("missing.h5")));
  EXPECT_EQ(io::validate_file(text), std::vector<std::string>{"not an HDF5 file (no HDF5 signature)"});
  EXPECT_THROW(io::validate_file(dir.file("missing.h5")), emg::IoError);
  m = message_of<emg::FormatError>([&] { io::write_derived(text, {}); });
  EXPECT_HAS(m, text);
}

TEST(Store, FixtureVersion1StaysReadable) {
  const std::string f = std::string(EMG_TEST_DATA_DIR) + "/fixtures/cramplab_v1.h5";
  const auto h = io::read_header(f);
  EXPECT_EQ(h.format_version, 1);
  EXPECT_EQ(h.sample_type, "int16");
  const Recording rec = io::read(f);
  ASSERT_EQ(rec.n_channels(), 3);
  ASSERT_EQ(rec.n_samples(), 2000);
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  EXPECT_EQ(rec.start_time_s(), 2.5);
  EXPECT_EQ(rec.channels()[0].name, "FHB");
  EXPECT_EQ(rec.channels()[2].name, "TRIG");
  EXPECT_EQ(rec.channels()[2].units, "V");
  // count k of channel c at sample j is ((j * 37 + c * 1000) % 4001) - 2000 (make_fixture_v1.py)
  for (long c = 0; c < 3; ++c) {
    const auto& ch = rec.channels()[static_cast<std::size_t>(c)];
    for (long j : {0L, 1L, 999L, 1999L}) {
      const double k = static_cast<double>(((j * 37 + c * 1000) % 4001) - 2000);
      const double scaled = k * ch.conversion;
      EXPECT_EQ(rec.data()(c, j), scaled + ch.offset) << c << "," << j;
    }
  }
  EXPECT_EQ(rec.channels()[0].conversion, 0.5e-6);
  EXPECT_EQ(rec.channels()[1].offset, 1e-3);
  ASSERT_EQ(rec.events().size(), 2u);
  EXPECT_EQ(rec.events()[0].kind, "cramp");
  EXPECT_EQ(rec.events()[0].start_sample, 500);
  EXPECT_EQ(rec.events()[0].end_sample, 1500);
  EXPECT_EQ(rec.events()[1].channel, 1);
  EXPECT_EQ(rec.stimulation().pulses, (std::vector<std::int64_t>{100, 200, 300}));
  ASSERT_EQ(rec.stimulation().trains.size(), 1u);
  EXPECT_EQ(rec.stimulation().trains[0].frequency_hz, 10.0);
  EXPECT_EQ(rec.stimulation().trains[0].n_pulses, 3);
  EXPECT_EQ(rec.attributes().at("subject"), "S01");
  EXPECT_EQ(rec.history(), std::vector<std::string>{"import(fixture)"});
  const auto d = io::read_derived(f, "derived/rms");
  EXPECT_EQ(d.parameters.at("window_s"), "0.25");
  EXPECT_EQ(d.arrays.at("values").cols(), 8);
  EXPECT_EQ(d.arrays.at("values")(0, 7), 7.5);
  EXPECT_TRUE(io::validate_file(f).empty());
}

}  // namespace

namespace {

TEST(Store, FloatFixtureVersion1StaysReadable) {
  const std::string f = std::string(EMG_TEST_DATA_DIR) + "/fixtures/cramplab_v1_float.h5";
  const Recording rec = io::read(f);
  ASSERT_EQ(rec.n_channels(), 2);
  ASSERT_EQ(rec.n_samples(), 1000);
  EXPECT_EQ(io::read_header(f).sample_type, "float64");
  EXPECT_EQ(rec.fs_hz(), 500.0);
  EXPECT_TRUE(std::signbit(rec.data()(0, 0)));
  EXPECT_EQ(rec.data()(0, 0), 0.0);
  EXPECT_EQ(rec.data()(1, 0), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(rec.channels()[0].low_cutoff_hz, 20.0);
  EXPECT_EQ(rec.channels()[0].high_cutoff_hz, 200.0);
  EXPECT_TRUE(std::isnan(rec.channels()[0].notch_hz));
  EXPECT_EQ(rec.channels()[1].notch_hz, 50.0);
  EXPECT_EQ(rec.channels()[1].units, "mV");
  EXPECT_TRUE(std::isnan(rec.channels()[1].conversion));
  ASSERT_EQ(rec.events().size(), 1u);
  EXPECT_EQ(rec.events()[0].kind, "onset");
  EXPECT_TRUE(rec.stimulation().pulses.empty());
  EXPECT_TRUE(rec.stimulation().trains.empty());
  const auto d = io::read_derived(f, "metrics/fatigue/mdf");
  EXPECT_EQ(d.arrays.at("mdf_hz")(1, 1), 78.0);
  EXPECT_EQ(d.input_sha256, io::data_sha256(rec));
}

}  // namespace
