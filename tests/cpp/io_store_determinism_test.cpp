// Deterministic CrampLab files: the same Recording (with derived items and a GroundTruth) gives
// the same bytes whenever and on however many threads it is written, and the direct-chunk
// compressor writes exactly what HDF5's own shuffle+deflate pipeline writes.
#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/parallel.hpp>
#include <emg/truth.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

// HDF5-free test hooks and the codec (shuffle/deflate) of the store.
#include "../../libemg/src/io/detail/chunk_codec.hpp"

#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace io = emg::io;
namespace det = emg::io::detail;
using emg::Recording;
using emg::RowMatrixXd;
using emg::test::message_of;

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("emg_store_det_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::size_t count() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path_), fs::directory_iterator()));
  }

 private:
  fs::path path_;
};

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Index of the first differing byte (-1 when equal; the shorter length when only the sizes differ).
long first_difference(const std::vector<char>& a, const std::vector<char>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<long>(i);
  }
  return a.size() == b.size() ? -1 : static_cast<long>(n);
}

/// Offsets of the 4-byte little-endian Unix times [t0, t1] in `file` (HDF5 stores object times so).
std::vector<std::size_t> times_in(const std::vector<char>& file, std::uint32_t t0, std::uint32_t t1) {
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i + 4 <= file.size(); ++i) {
    std::uint32_t v = 0;
    for (int b = 3; b >= 0; --b) v = (v << 8) | static_cast<unsigned char>(file[i + static_cast<std::size_t>(b)]);
    if (v >= t0 && v <= t1) hits.push_back(i);
  }
  return hits;
}

/// Deterministic pseudo-random numbers (splitmix64), so the test data do not depend on <random>.
struct Mix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Roughly Gaussian count with spread `scale` (sum of 4 uniforms), in [-range, range].
  double count(double scale, double range) {
    double u = 0.0;
    for (int k = 0; k < 4; ++k) u += static_cast<double>(next() >> 11) * 0x1.0p-53 - 0.5;
    return std::clamp(std::nearbyint(u * scale * 1.7320508), -range, range);
  }
};

/// ADC counts (value = count * conversion + offset, bit-exact): int16 for range <= 32767, else int32.
Recording counts_recording(long nch, long n, double scale, double range, std::uint64_t seed, double fs_hz = 2048.0) {
  Mix mix{seed};
  RowMatrixXd x(nch, n);
  std::vector<emg::ChannelInfo> info(static_cast<std::size_t>(nch));
  for (long c = 0; c < nch; ++c) {
    auto& ch = info[static_cast<std::size_t>(c)];
    ch.name = "ch" + std::to_string(c);
    ch.units = "V";
    ch.conversion = 0.2 / 65536.0 * (1.0 + 0.25 * static_cast<double>(c));
    ch.offset = c == 1 ? -1.5e-3 : 0.0;
    for (long j = 0; j < n; ++j) {
      const double scaled = mix.count(scale, range) * ch.conversion;  // no fused multiply-add
      x(c, j) = scaled + ch.offset;
    }
  }
  return Recording(std::move(x), fs_hz, info);
}

/// Float samples (noise plus a slow ramp) for the float32/float64 + deflate paths.
Recording float_recording(long nch, long n, std::uint64_t seed) {
  Mix mix{seed};
  RowMatrixXd x(nch, n);
  for (long c = 0; c < nch; ++c) {
    for (long j = 0; j < n; ++j) x(c, j) = 1e-4 * mix.count(300.0, 1e9) / 300.0 + 1e-7 * static_cast<double>(j);
  }
  return Recording(std::move(x), 1000.0);
}

/// Everything a file can hold: counts, events, stimulation, attributes, history.
Recording full_recording() {
  Recording rec = counts_recording(3, 20011, 600.0, 32767.0, 7);  // 20011: the last chunk is partial
  rec.set_attribute("subject", "S07");
  rec.set_attribute("device", "Crampe ünïcødé");
  rec.append_history("import(x.bdf)");
  rec.add_event({0, 100, 250, "cramp", "manual"});
  rec.add_event({-1, 5000, 5000, "annotation", "detector"});
  emg::Stimulation stim;
  stim.pulses = {100, 612, 1124};
  stim.trains = {{1, 100, 1124, 4.0, 200.0, 12.5, 3}};
  rec.set_stimulation(stim);
  return rec;
}

std::vector<io::DerivedItem> items() {
  io::DerivedItem a;
  a.name = "bandpass/rms";
  RowMatrixXd v(2, 3);
  v << 0.0, 1.0, 2.0, 3.0, 4.0, 5.0;
  a.arrays["values"] = v;
  a.arrays["t_s"] = RowMatrixXd::Constant(1, 3, 0.5);
  a.parameters = {{"window_s", "0.5"}, {"align", "trailing"}};
  io::DerivedItem b;
  b.group = "metrics";
  b.name = "fatigue";
  b.arrays["mdf_hz"] = RowMatrixXd::Constant(1, 2, 80.0);
  return {a, b};
}

emg::GroundTruth truth(long nch, long n) {
  emg::GroundTruth t;
  t.attributes = {{"generator", "test"}, {"seed", "42"}};
  t.activity = emg::ActivityMatrix::Zero(nch, n);
  for (long c = 0; c < nch; ++c) {
    for (long j = 0; j < n; ++j) t.activity(c, j) = static_cast<std::uint8_t>((j / 3001 + c) % 4);
  }
  t.pulses = {{100, 1, 3e-3, false, 108, 1.9e-3, -1}, {612, 1, -3e-3, true, -1, 0.0, 700}};
  t.trains = {{1, 4.0, 100, 1124, 3, true, 1200, 4000, 2.5e-4, 0.86}};
  t.bursts = {{0, 1200, 4000, "cramp", 2.5e-4, 0.05}};
  t.firing_unit = {0, 3};
  t.firing_sample = {1300, 1400};
  return t;
}

/// SOURCE_DATE_EPOCH set for the lifetime of the object (the only time stamp: derived items' created_at).
class SourceDateEpoch {
 public:
  explicit SourceDateEpoch(const char* value) { ::setenv("SOURCE_DATE_EPOCH", value, 1); }
  ~SourceDateEpoch() { ::unsetenv("SOURCE_DATE_EPOCH"); }
};

/// Restores the direct-chunk writer, batch size and thread count after a test.
class Hooks {
 public:
  ~Hooks() {
    det::set_direct_chunk_writes(true);
    det::set_encode_batch_bytes(std::size_t{8} << 20);
    emg::set_num_threads(0);
  }
};

bool same_bits(const RowMatrixXd& a, const RowMatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

io::WriteOptions options(io::SampleType type, io::Compression compression, int level, double chunk_s) {
  io::WriteOptions o;
  o.sample_type = type;
  o.compression = compression;
  o.deflate_level = level;
  o.chunk_s = chunk_s;
  return o;
}

// ---- byte-identical files ------------------------------------------------------------------

TEST(StoreDeterminism, SameRecordingASecondApartGivesTheSameBytes) {
  TempDir dir;
  SourceDateEpoch epoch("1790000000");
  const Recording rec = full_recording();
  const auto derived = items();
  const auto t = truth(rec.n_channels(), rec.n_samples());
  const auto before = static_cast<std::uint32_t>(std::time(nullptr));
  const auto r1 = io::write(dir.file("a.h5"), rec, {}, derived, t);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  io::write(dir.file("b.h5"), rec, {}, derived, t);
  const auto after = static_cast<std::uint32_t>(std::time(nullptr));
  EXPECT_EQ(r1.sample_type, "int16");
  EXPECT_EQ(r1.compression, "shuffle+deflate(1)");
  const auto a = bytes_of(dir.file("a.h5"));
  const auto b = bytes_of(dir.file("b.h5"));
  ASSERT_GT(a.size(), 1000u);
  EXPECT_EQ(first_difference(a, b), -1) << "sizes " << a.size() << " and " << b.size();
  // No object time left in the file: no 4-byte time stamp of the last minute anywhere in it
  // (HDF5 stores each object's times like that unless they are switched off).
  EXPECT_TRUE(times_in(a, before - 60, after + 60).empty());
  // The created_at of the items is the epoch, 2026-09-21T14:13:20Z.
  EXPECT_EQ(io::read_derived(dir.file("a.h5"), "derived/bandpass/rms").arrays.size(), 2u);
  const auto back = io::read(dir.file("a.h5"));
  EXPECT_TRUE(same_bits(back.data(), rec.data()));
}

TEST(StoreDeterminism, FilesWithoutDerivedItemsNeedNoEpoch) {
  // What the simulator writes: recording + truth. No time stamp at all, so no SOURCE_DATE_EPOCH.
  TempDir dir;
  ::unsetenv("SOURCE_DATE_EPOCH");
  const Recording rec = full_recording();
  const auto t = truth(rec.n_channels(), rec.n_samples());
  io::write(dir.file("a.h5"), rec, {}, {}, t);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  io::write(dir.file("b.h5"), rec, {}, {}, t);
  EXPECT_EQ(first_difference(bytes_of(dir.file("a.h5")), bytes_of(dir.file("b.h5"))), -1);
  // float64 without compression goes through HDF5's own writer: deterministic too
  const Recording f = float_recording(2, 3001, 5);
  io::write(dir.file("f1.h5"), f);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  io::write(dir.file("f2.h5"), f);
  EXPECT_EQ(first_difference(bytes_of(dir.file("f1.h5")), bytes_of(dir.file("f2.h5"))), -1);
}

TEST(StoreDeterminism, WriteDerivedGivesTheSameBytes) {
  TempDir dir;
  SourceDateEpoch epoch("0");
  const Recording rec = full_recording();
  io::write(dir.file("base.h5"), rec, {}, {}, truth(rec.n_channels(), rec.n_samples()));
  fs::copy_file(dir.file("base.h5"), dir.file("a.h5"));
  fs::copy_file(dir.file("base.h5"), dir.file("b.h5"));
  io::write_derived(dir.file("a.h5"), items());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  io::write_derived(dir.file("b.h5"), items());
  EXPECT_EQ(first_difference(bytes_of(dir.file("a.h5")), bytes_of(dir.file("b.h5"))), -1);
  // replacing an item is deterministic too
  io::write_derived(dir.file("a.h5"), {items()[1]});
  io::write_derived(dir.file("b.h5"), {items()[1]});
  EXPECT_EQ(first_difference(bytes_of(dir.file("a.h5")), bytes_of(dir.file("b.h5"))), -1);
  EXPECT_EQ(io::read_header(dir.file("a.h5")).derived.size(), 2u);
}

TEST(StoreDeterminism, CreatedAtFollowsSourceDateEpoch) {
  TempDir dir;
  const Recording rec = counts_recording(1, 100, 10.0, 100.0, 3);
  {
    SourceDateEpoch epoch("1790000000");
    io::write(dir.file("a.h5"), rec, {}, items());
  }
  const auto a = bytes_of(dir.file("a.h5"));
  const std::string expected = "2026-09-21T14:13:20Z";  // date -u -d @1790000000
  EXPECT_NE(std::search(a.begin(), a.end(), expected.begin(), expected.end()), a.end());
  {
    SourceDateEpoch bad("17e8");
    EXPECT_ERROR(io::write(dir.file("b.h5"), rec, {}, items()), "SOURCE_DATE_EPOCH=\"17e8\"", "non-negative integer");
  }
  EXPECT_FALSE(fs::exists(dir.file("b.h5")));
  EXPECT_EQ(dir.count(), 1u);  // no temporary file left
}

// ---- the direct-chunk compressor against HDF5's pipeline -----------------------------------

TEST(StoreDeterminism, ShuffleMatchesHdf5Layout) {
  // H5Zshuffle.c: byte b of element i -> b * n + i; trailing bytes copied; 1-byte elements untouched.
  const std::vector<std::uint8_t> in = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};  // 3 x 2 bytes + 1
  std::vector<std::uint8_t> out(in.size());
  det::shuffle_bytes(in.data(), in.size(), 2, out.data());
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0x01, 0x03, 0x05, 0x02, 0x04, 0x06, 0x07}));
  std::vector<std::uint8_t> back(in.size());
  det::unshuffle_bytes(out.data(), out.size(), 2, back.data());
  EXPECT_EQ(back, in);
  det::shuffle_bytes(in.data(), 6, 3, out.data());  // 2 elements of 3 bytes
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 6), (std::vector<std::uint8_t>{1, 4, 2, 5, 3, 6}));
  det::shuffle_bytes(in.data(), in.size(), 1, out.data());
  EXPECT_EQ(out, in);
  det::shuffle_bytes(in.data(), 4, 4, out.data());  // one element: untouched
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 4), (std::vector<std::uint8_t>{1, 2, 3, 4}));
  // zlib round trip, including incompressible bytes (stored larger than the input, as HDF5 1.10 does)
  Mix mix{11};
  std::vector<std::uint8_t> noise(4096);
  for (auto& v : noise) v = static_cast<std::uint8_t>(mix.next());
  std::vector<std::uint8_t> z;
  det::deflate_bytes(noise.data(), noise.size(), 1, z);
  EXPECT_GT(z.size(), noise.size());
  EXPECT_EQ(static_cast<unsigned>(z[0]), 0x78u);  // zlib header, not raw deflate
  std::vector<std::uint8_t> un(noise.size());
  EXPECT_TRUE(det::inflate_bytes(z.data(), z.size(), un.data(), un.size()));
  EXPECT_EQ(un, noise);
}

TEST(StoreDeterminism, DirectChunksEqualHdf5FilterPipeline) {
  // Same file, byte for byte, whether the chunks are compressed by us (H5Dwrite_chunk) or by
  // HDF5's shuffle+deflate filters: every sample type, two levels, a partial last chunk, several
  // batches and a chunk that does not compress.
  TempDir dir;
  Hooks hooks;
  det::set_encode_batch_bytes(3000);
  struct Case {
    const char* name;
    Recording rec;
    io::SampleType type;
    double chunk_s;
  };
  const std::vector<Case> cases = {
      {"int16", counts_recording(3, 10007, 600.0, 32767.0, 1), io::SampleType::Auto, 0.25},
      {"int32", counts_recording(2, 9001, 4.0e6, 8.0e6, 2), io::SampleType::Auto, 0.3},
      {"float32", float_recording(2, 7003, 3), io::SampleType::Float32, 0.5},
      {"float64", float_recording(3, 5001, 4), io::SampleType::Float64, 0.4},
      {"one sample per chunk", counts_recording(1, 17, 10.0, 100.0, 5, 1.0), io::SampleType::Auto, 1.0},
  };
  for (const auto& c : cases) {
    for (int level : {1, 6}) {
      SCOPED_TRACE(std::string(c.name) + " level " + std::to_string(level));
      const auto o = options(c.type, io::Compression::Deflate, level, c.chunk_s);
      const std::string ours = dir.file(std::string(c.name) + std::to_string(level) + "_direct.h5");
      const std::string ref = dir.file(std::string(c.name) + std::to_string(level) + "_hdf5.h5");
      det::set_direct_chunk_writes(true);
      const auto rep = io::write(ours, c.rec, o);
      det::set_direct_chunk_writes(false);
      const auto rep_ref = io::write(ref, c.rec, o);
      det::set_direct_chunk_writes(true);
      EXPECT_EQ(rep.compression, "shuffle+deflate(" + std::to_string(level) + ")");
      EXPECT_EQ(rep.sample_type, rep_ref.sample_type);
      EXPECT_EQ(rep.max_abs_error, rep_ref.max_abs_error);
      EXPECT_EQ(rep.file_bytes, rep_ref.file_bytes);
      EXPECT_EQ(first_difference(bytes_of(ours), bytes_of(ref)), -1);
      // and our reader (HDF5's filters decode the chunks) gives back the samples
      const Recording back = io::read(ours);
      if (c.type == io::SampleType::Float32) {
        EXPECT_GT(rep.max_abs_error, 0.0);
        EXPECT_LE((back.data() - c.rec.data()).cwiseAbs().maxCoeff(), rep.max_abs_error);
      } else {
        EXPECT_TRUE(same_bits(back.data(), c.rec.data()));
      }
    }
  }
  EXPECT_EQ(io::write(dir.file("t.h5"), cases[1].rec).sample_type, "int32");
}

TEST(StoreDeterminism, ThreadCountDoesNotChangeTheFile) {
  TempDir dir;
  Hooks hooks;
  det::set_encode_batch_bytes(40000);
  const Recording rec = counts_recording(4, 60000, 900.0, 32767.0, 9);
  std::vector<std::vector<char>> files;
  for (int threads : {1, 2, 3}) {
    emg::set_num_threads(threads);
    const std::string p = dir.file("t" + std::to_string(threads) + ".h5");
    io::write(p, rec, options(io::SampleType::Auto, io::Compression::Auto, 1, 0.1));
    files.push_back(bytes_of(p));
  }
  EXPECT_EQ(first_difference(files[0], files[1]), -1);
  EXPECT_EQ(first_difference(files[0], files[2]), -1);
}

TEST(StoreDeterminism, ConcurrentWritesEqualSerialWrites) {
  // Several threads compressing at once (the lock is released while they do) must not disturb
  // one another or HDF5: the files equal those written one after the other.
  TempDir dir;
  Hooks hooks;
  det::set_encode_batch_bytes(20000);
  std::vector<Recording> recs;
  for (int k = 0; k < 4; ++k) recs.push_back(counts_recording(2 + k, 30011, 500.0 + 100.0 * k, 32767.0, 100u + static_cast<unsigned>(k)));
  std::vector<emg::GroundTruth> truths;
  for (const auto& r : recs) truths.push_back(truth(r.n_channels(), r.n_samples()));
  for (std::size_t k = 0; k < recs.size(); ++k) io::write(dir.file("s" + std::to_string(k) + ".h5"), recs[k], {}, {}, truths[k]);
  std::vector<std::thread> pool;
  std::vector<std::string> errors(recs.size());
  for (std::size_t k = 0; k < recs.size(); ++k) {
    pool.emplace_back([&, k] {
      try {
        for (int rep = 0; rep < 3; ++rep) {
          io::WriteOptions o;
          o.overwrite = true;
          io::write(dir.file("p" + std::to_string(k) + ".h5"), recs[k], o, {}, truths[k]);
        }
      } catch (const std::exception& e) {
        errors[k] = e.what();
      }
    });
  }
  for (auto& t : pool) t.join();
  for (std::size_t k = 0; k < recs.size(); ++k) {
    EXPECT_EQ(errors[k], "") << k;
    EXPECT_EQ(first_difference(bytes_of(dir.file("s" + std::to_string(k) + ".h5")),
                               bytes_of(dir.file("p" + std::to_string(k) + ".h5"))),
              -1)
        << k;
  }
}

TEST(StoreDeterminism, ErrorWhileCompressingNamesTheFirstBadSample) {
  // The float32 range check runs inside the parallel compressor: the error names the first bad
  // sample whatever the thread that met it, leaves no file, and HDF5 stays usable.
  TempDir dir;
  Hooks hooks;
  det::set_encode_batch_bytes(4000);
  emg::set_num_threads(3);
  RowMatrixXd x = RowMatrixXd::Constant(2, 8000, 1e-3);
  x(1, 6543) = 1e300;
  x(0, 7001) = -1e300;
  const Recording rec(x, 1000.0);
  const auto o = options(io::SampleType::Float32, io::Compression::Deflate, 1, 0.25);
  EXPECT_ERROR(io::write(dir.file("bad.h5"), rec, o), "write: sample_type=float32", "cannot store 1e+300",
               "channel \"ch1\", sample 6543", "beyond the float32 range");
  EXPECT_EQ(dir.count(), 0u);
  x(1, 6543) = 2e-3;
  x(0, 7001) = 3e-3;
  const auto rep = io::write(dir.file("good.h5"), Recording(x, 1000.0), o);
  EXPECT_EQ(rep.sample_type, "float32");
  EXPECT_EQ(io::read(dir.file("good.h5")).data()(0, 7001), static_cast<double>(3e-3f));
}

}  // namespace
