// read_opensignals on every PLUX file in datasets/real (against h5py golden values) and on crafted
// OpenSignals-like HDF5 files with the defects a reader must refuse.
#include <emg/errors.hpp>
#include <emg/io/opensignals.hpp>

#include <gtest/gtest.h>

#include <H5Cpp.h>

#include "golden.hpp"
#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using emg::test::scratch;
using emg::test::write_file;

namespace fs = std::filesystem;
using emg::io::is_opensignals_file;
using emg::io::read_opensignals;
using emg::test::message_of;

const std::string kPlux = std::string(EMG_DATASETS_DIR) + "/real/plux-biosignalsnotebooks/";

const emg::test::Golden& golden() {
  static const emg::test::Golden g("opensignals.txt");
  return g;
}

// The ADC count behind a sample, checking that count * conversion + offset gives it back exactly.
double count_of(const emg::Recording& rec, long ch, long s) {
  const auto& ci = rec.channels()[static_cast<std::size_t>(ch)];
  const double v = rec.data()(ch, s);
  const double c = std::round((v - ci.offset) / ci.conversion);
  const double product = c * ci.conversion;
  EXPECT_EQ(product + ci.offset, v) << "channel " << ch << " sample " << s;
  return c;
}

// Check one recorded channel against the h5py golden values of device `dev`, channel `k`.
void expect_channel(const emg::Recording& rec, long ch, const std::string& stem, int dev, int k) {
  const auto& g = golden();
  const std::string p = stem + "." + std::to_string(dev) + ".ch" + std::to_string(k);
  const auto& ci = rec.channels()[static_cast<std::size_t>(ch)];
  const double bits = g.scalar(p + ".bits");
  EXPECT_EQ(ci.name, "channel_" + std::to_string(k));
  EXPECT_EQ(ci.type, "EMG");
  EXPECT_EQ(ci.units, "V");
  EXPECT_EQ(ci.digital_min, 0.0);
  EXPECT_EQ(ci.digital_max, std::ldexp(1.0, static_cast<int>(bits)) - 1.0);
  EXPECT_EQ(ci.conversion, 3.0 / (1000.0 * std::ldexp(1.0, static_cast<int>(bits))));
  EXPECT_EQ(ci.offset, -0.0015);
  EXPECT_EQ(rec.attributes().at("channel." + ci.name + ".resolution_bits"), std::to_string(static_cast<int>(bits)));
  const long n = rec.n_samples();
  ASSERT_EQ(n, static_cast<long>(g.scalar(p + ".n")));
  const auto head = g.vector(p + ".head");
  const auto tail = g.vector(p + ".tail");
  const auto volts = g.vector(p + ".head_volts");
  for (long i = 0; i < 8; ++i) {
    EXPECT_EQ(count_of(rec, ch, i), head(i)) << p << " head " << i;
    EXPECT_EQ(count_of(rec, ch, n - 8 + i), tail(i)) << p << " tail " << i;
    EXPECT_NEAR(rec.data()(ch, i), volts(i), 1e-18) << p << " volts " << i;
  }
  double sum = 0.0, lo = 1e300, hi = -1e300;
  for (long s = 0; s < n; ++s) {
    const double c = std::round((rec.data()(ch, s) - ci.offset) / ci.conversion);
    sum += c;
    lo = std::min(lo, c);
    hi = std::max(hi, c);
  }
  EXPECT_EQ(sum, g.scalar(p + ".sum")) << p;
  EXPECT_EQ(lo, g.scalar(p + ".min")) << p;
  EXPECT_EQ(hi, g.scalar(p + ".max")) << p;
}

TEST(OpenSignalsReal, SoloSixteenBit) {
  const auto rec = read_opensignals(kPlux + "emg_1000_hz_16_bits_solo.h5");
  EXPECT_EQ(rec.fs_hz(), golden().scalar("emg_1000_hz_16_bits_solo.0.fs"));
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 87600);
  expect_channel(rec, 0, "emg_1000_hz_16_bits_solo", 0, 1);
  EXPECT_EQ(rec.attributes().at("device"), "channeller");
  EXPECT_EQ(rec.attributes().at("device_mac"), "00:07:80:D8:A8:82");
  EXPECT_EQ(rec.attributes().at("start_datetime"), "2019-10-14T16:52:39.448");
  EXPECT_EQ(rec.attributes().count("warning"), 0u);
}

TEST(OpenSignalsReal, Bursts) {
  const auto rec = read_opensignals(kPlux + "emg_bursts.h5");
  EXPECT_EQ(rec.fs_hz(), 1000.0);
  ASSERT_EQ(rec.n_channels(), 1);
  EXPECT_EQ(rec.n_samples(), 28519);
  expect_channel(rec, 0, "emg_bursts", 0, 3);
  EXPECT_EQ(rec.attributes().at("start_datetime"), "2017-01-23T10:28:51.69");  // stored as 2017-1-23
}

TEST(OpenSignalsReal, TenHertzIsImportedWithAWarning) {
  const auto rec = read_opensignals(kPlux + "emg_10_hz_16_bits.h5");
  EXPECT_EQ(rec.fs_hz(), 10.0);
  EXPECT_EQ(rec.n_samples(), 852);
  expect_channel(rec, 0, "emg_10_hz_16_bits", 0, 1);
  EXPECT_HAS(rec.attributes().at("warning"), "sampling rate 10 Hz is below 200 Hz");
}

TEST(OpenSignalsReal, EightAndSixteenBitDevicesTogether) {
  const auto rec = read_opensignals(kPlux + "emg_1000_hz_8_16_bits.h5");
  const std::string stem = "emg_1000_hz_8_16_bits";
  EXPECT_EQ(golden().scalar(stem + ".n_devices"), 2.0);
  ASSERT_EQ(rec.n_channels(), 2);
  EXPECT_EQ(rec.n_samples(), 30600);
  // devices in group-name order: ...A7:F9 (channel_6, 16 bit), ...A8:82 (channel_5, 8 bit)
  expect_channel(rec, 0, stem, 0, 6);
  expect_channel(rec, 1, stem, 1, 5);
  EXPECT_EQ(rec.channels()[1].digital_max, 255.0);
  EXPECT_EQ(rec.attributes().at("channel.channel_5.resolution_bits"), "8");
  EXPECT_EQ(rec.attributes().at("device_mac"), "00:07:80:D8:A7:F9, 00:07:80:D8:A8:82");
}

TEST(OpenSignalsReal, DevicesAtDifferentRatesKeepTheFastestAndSaySo) {
  const std::string stem = "emg_1000_hz_16_bits";
  const auto rec = read_opensignals(kPlux + stem + ".h5");
  EXPECT_EQ(rec.fs_hz(), golden().scalar(stem + ".0.fs"));
  ASSERT_EQ(rec.n_channels(), 1);
  expect_channel(rec, 0, stem, 0, 6);
  EXPECT_HAS(rec.attributes().at("warning"), "00:07:80:D8:A8:82 (1 channel(s) at 10 Hz)");
  // The slow device on its own.
  const auto slow = read_opensignals(kPlux + stem + ".h5", "00:07:80:D8:A8:82");
  EXPECT_EQ(slow.fs_hz(), golden().scalar(stem + ".1.fs"));
  EXPECT_EQ(slow.n_samples(), 540);
  expect_channel(slow, 0, stem, 1, 5);
  EXPECT_ERROR(read_opensignals(kPlux + stem + ".h5", "nope"), "device=\"nope\"", "00:07:80:D8:A7:F9");
}

TEST(OpenSignalsReal, DetectsLayout) {
  for (const char* f : {"emg_bursts.h5", "emg_10_hz_16_bits.h5", "emg_1000_hz_16_bits.h5", "emg_1000_hz_8_16_bits.h5",
                        "emg_1000_hz_16_bits_solo.h5"}) {
    EXPECT_TRUE(is_opensignals_file(kPlux + f)) << f;
  }
  EXPECT_FALSE(is_opensignals_file(kPlux + "emg_bursts_info.json"));
  EXPECT_FALSE(is_opensignals_file(kPlux + "missing.h5"));
}

// ---- crafted files -----------------------------------------------------------------------------

struct Crafted {
  double fs = 1000.0;
  std::vector<int> resolution = {16};
  std::vector<int> channel_numbers = {1};
  std::vector<int> channels_attr;  // written as attribute 'channels' instead of channel_numbers
  long nsamples_attr = 4;
  std::vector<unsigned> counts = {0, 32768, 65535, 100};
  std::string sensor = "EMG";
  bool float_data = false;
  bool write_fs = true;
};

std::string craft(const std::string& name, const Crafted& c) {
  const std::string path = (scratch() / name).string();
  H5::Exception::dontPrint();
  H5::H5File f(path, H5F_ACC_TRUNC);
  H5::Group dev = f.createGroup("00:07:80:00:00:01");
  H5::DataSpace scalar;
  auto int_attr = [&](const char* key, const std::vector<int>& v) {
    const hsize_t n = v.size();
    H5::DataSpace sp(1, &n);
    dev.createAttribute(key, H5::PredType::NATIVE_INT, sp).write(H5::PredType::NATIVE_INT, v.data());
  };
  if (c.write_fs) dev.createAttribute("sampling rate", H5::PredType::NATIVE_DOUBLE, scalar).write(H5::PredType::NATIVE_DOUBLE, &c.fs);
  int_attr("resolution", c.resolution);
  int_attr("channels", c.channels_attr.empty() ? c.channel_numbers : c.channels_attr);
  const int ns = static_cast<int>(c.nsamples_attr);
  dev.createAttribute("nsamples", H5::PredType::NATIVE_INT, scalar).write(H5::PredType::NATIVE_INT, &ns);
  H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
  const std::string date = "2020-2-3", time = "4:5:6.5";
  dev.createAttribute("date", str, scalar).write(str, date);
  dev.createAttribute("time", str, scalar).write(str, time);
  H5::Group raw = dev.createGroup("raw");
  const hsize_t dims[2] = {c.counts.size(), 1};
  H5::DataSpace sp(2, dims);
  for (int k : c.channel_numbers) {
    const std::string dn = "channel_" + std::to_string(k);
    H5::DataSet ds;
    if (c.float_data) {
      std::vector<double> v(c.counts.begin(), c.counts.end());
      ds = raw.createDataSet(dn, H5::PredType::NATIVE_DOUBLE, sp);
      ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
    } else {
      ds = raw.createDataSet(dn, H5::PredType::NATIVE_UINT32, sp);
      ds.write(c.counts.data(), H5::PredType::NATIVE_UINT);
    }
    if (!c.sensor.empty()) ds.createAttribute("sensor", str, scalar).write(str, c.sensor);
  }
  return path;
}

std::string format_error_of(const std::string& path) {
  return message_of<emg::FormatError>([&] { read_opensignals(path); });
}

TEST(OpenSignalsCrafted, TransferFunctionEndpoints) {
  const auto rec = read_opensignals(craft("ok.h5", {}));
  EXPECT_EQ(rec.data()(0, 0), -0.0015);              // count 0
  EXPECT_EQ(rec.data()(0, 1), 0.0);                  // mid-scale
  const double conversion = 3e-3 / 65536.0;
  const double full = 65535.0 * conversion;
  EXPECT_EQ(rec.data()(0, 2), full - 0.0015);        // full scale
  EXPECT_NEAR(rec.data()(0, 2), 0.0015 - conversion, 1e-18);
  EXPECT_EQ(rec.attributes().at("start_datetime"), "2020-02-03T04:05:06.5");
}

TEST(OpenSignalsCrafted, NonEmgSensorKeepsCounts) {
  Crafted c;
  c.sensor = "ECG";
  const auto rec = read_opensignals(craft("ecg.h5", c));
  EXPECT_EQ(rec.channels()[0].type, "ECG");
  EXPECT_EQ(rec.channels()[0].units, "counts");
  EXPECT_EQ(rec.data()(0, 2), 65535.0);
  c.sensor = "ACC";
  EXPECT_EQ(read_opensignals(craft("acc.h5", c)).channels()[0].type, "MISC");
  c.sensor = "";
  const auto unknown = read_opensignals(craft("nosensor.h5", c));
  EXPECT_EQ(unknown.channels()[0].units, "V");
  EXPECT_HAS(unknown.attributes().at("warning"), "assumed EMG");
}

TEST(OpenSignalsCrafted, HeaderDisagreeingWithData) {
  Crafted c;
  c.nsamples_attr = 5;
  auto msg = format_error_of(craft("nsamples.h5", c));
  EXPECT_HAS(msg, "nsamples.h5");
  EXPECT_HAS(msg, "/00:07:80:00:00:01/raw/channel_1");
  EXPECT_HAS(msg, "holds 4 samples but the device attribute 'nsamples' says 5");

  c = {};
  c.resolution = {8};
  msg = format_error_of(craft("range.h5", c));
  EXPECT_HAS(msg, "sample 1 = 32768 is outside the 8-bit ADC range [0, 255]");

  c = {};
  c.channels_attr = {5, 6};  // lists channels the file does not hold
  c.resolution = {12, 16};
  msg = format_error_of(craft("nores.h5", c));
  EXPECT_HAS(msg, "no 'resolution' entry for raw/channel_1");
}

TEST(OpenSignalsCrafted, AbsurdHeaderValues) {
  for (double fs : {0.0, -1000.0, 1e9, std::nan("")}) {
    Crafted c;
    c.fs = fs;
    const auto msg = format_error_of(craft("fs.h5", c));
    EXPECT_HAS(msg, "attribute 'sampling rate' = ");
    EXPECT_HAS(msg, "is not in (0, 1e6]");
  }
  Crafted c;
  c.write_fs = false;
  EXPECT_HAS(format_error_of(craft("nofs.h5", c)), "attribute 'sampling rate' is missing");
  c = {};
  c.resolution = {40};
  EXPECT_HAS(format_error_of(craft("bits.h5", c)), "resolution 40 bits for raw/channel_1 is not an integer in [1, 32]");
  c = {};
  c.float_data = true;
  EXPECT_HAS(format_error_of(craft("float.h5", c)), "ADC counts must be integers");
  c = {};
  c.counts.clear();
  c.nsamples_attr = 0;
  EXPECT_HAS(format_error_of(craft("empty.h5", c)), "holds no samples");
}

TEST(OpenSignalsCrafted, NotOpenSignals) {
  const std::string other = (scratch() / "other.h5").string();
  {
    H5::H5File f(other, H5F_ACC_TRUNC);
    f.createGroup("data");
  }
  EXPECT_FALSE(is_opensignals_file(other));
  EXPECT_HAS(format_error_of(other), "HDF5 file without the OpenSignals layout");
  const std::string text = (scratch() / "text.h5").string();
  std::ofstream(text) << "hello\n";
  EXPECT_HAS(format_error_of(text), "not an HDF5 file");
  EXPECT_HAS(message_of<emg::IoError>([&] { read_opensignals((scratch() / "missing.h5").string()); }), "cannot open");
}

TEST(OpenSignalsCrafted, TruncatedRealFilesGiveFormatErrors) {
  const auto src = kPlux + "emg_bursts.h5";
  const auto size = fs::file_size(src);
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (double frac : {0.001, 0.01, 0.1, 0.5, 0.9, 0.999}) {
    const auto n = static_cast<std::size_t>(frac * static_cast<double>(size));
    const std::string path = (scratch() / ("trunc_" + std::to_string(n) + ".h5")).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(n));
    const auto msg = format_error_of(path);
    EXPECT_HAS(msg, path);
    if (n >= 100) {
      EXPECT_HAS(msg, "truncated or damaged: the HDF5 superblock says the file ends at byte " + std::to_string(size));
    }
  }
  // flipped bytes in the middle of the file: an error or a clean read, never a crash
  for (std::size_t at : {std::size_t{100}, std::size_t{2000}, size / 2}) {
    std::string bad = bytes;
    for (std::size_t i = at; i < at + 64 && i < bad.size(); ++i) bad[i] = static_cast<char>(~bad[i]);
    const std::string path = (scratch() / ("flip_" + std::to_string(at) + ".h5")).string();
    std::ofstream(path, std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
    try {
      (void)read_opensignals(path);
    } catch (const emg::FormatError& e) {
      EXPECT_HAS(e.what(), path);
    }
  }
}

// Fuzzing found this: one byte of a global-heap object size (the string "PORT1_CHN1") changed;
// HDF5 1.10 itself crashes reading the attribute, so the reader must refuse the file first.
TEST(OpenSignalsCrafted, DamagedGlobalHeapIsRefusedBeforeHdf5ReadsIt) {
  std::ifstream in(kPlux + "emg_10_hz_16_bits.h5", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.substr(2144, 4), "GCOL");
  bytes[2421] = static_cast<char>(0xBD);
  const std::string path = (scratch() / "heap.h5").string();
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const auto msg = format_error_of(path);
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "damaged HDF5 global heap at byte 2408");
}

}  // namespace
