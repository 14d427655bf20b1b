// read_matlab on the real emgGO file (against scipy.io.loadmat golden values) and on MAT files
// written here with libmatio for the other layouts and for bad inputs.
#include <emg/errors.hpp>
#include <emg/io/matlab.hpp>

#include <gtest/gtest.h>

#include <matio.h>

#include "golden.hpp"
#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using emg::test::scratch;
using emg::test::write_file;

namespace fs = std::filesystem;
using emg::io::read_matlab;
using emg::test::message_of;

const std::string kMat = std::string(EMG_DATASETS_DIR) + "/real/emggo-samples/sample_data.mat";

TEST(MatlabReal, EmggoStruct) {
  const emg::test::Golden g("matlab.txt");
  const auto rec = read_matlab(kMat);
  EXPECT_EQ(rec.fs_hz(), g.scalar("fs"));
  ASSERT_EQ(rec.n_channels(), 1);
  ASSERT_EQ(rec.n_samples(), 137420);
  EXPECT_NEAR(rec.duration_s(), 549.68, 1e-9);
  EXPECT_EQ(rec.attributes().at("matlab_variable"), "EMG.channelData");
  const auto head = g.matrix("head"), tail = g.matrix("tail");
  for (long i = 0; i < 16; ++i) {
    EXPECT_EQ(rec.data()(0, i), head(0, i));
    EXPECT_EQ(rec.data()(0, rec.n_samples() - 16 + i), tail(0, i));
  }
  const auto idx = g.vector("picks_index");
  const auto picks = g.matrix("picks");
  for (long k = 0; k < idx.size(); ++k) EXPECT_EQ(rec.data()(0, static_cast<long>(idx(k))), picks(0, k));
  EXPECT_EQ(rec.data().minCoeff(), g.scalar("min"));
  EXPECT_EQ(rec.data().maxCoeff(), g.scalar("max"));
  EXPECT_NEAR(rec.data().sum(), g.scalar("sum"), 1e-9 * std::abs(g.scalar("sum")) + 1e-6);
  EXPECT_HAS(rec.history().back(), "fs_hz=250 from EMG.fs");
}

// ---- MAT files written with libmatio ----------------------------------------------------------

class MatWriter {
 public:
  explicit MatWriter(const std::string& name) : path_((scratch() / name).string()) {
    fs::remove(path_);
    mat_ = Mat_CreateVer(path_.c_str(), nullptr, MAT_FT_MAT5);
    EXPECT_NE(mat_, nullptr);
  }
  ~MatWriter() { close(); }
  std::string close() {
    if (mat_) Mat_Close(mat_);
    mat_ = nullptr;
    return path_;
  }
  // column-major rows x cols
  template <class T>
  static matvar_t* numeric(const char* name, matio_classes cls, matio_types type, std::size_t rows, std::size_t cols,
                           std::vector<T> values) {
    std::size_t dims[2] = {rows, cols};
    return Mat_VarCreate(name, cls, type, 2, dims, values.data(), 0);
  }
  static matvar_t* scalar(const char* name, double v) {
    return numeric<double>(name, MAT_C_DOUBLE, MAT_T_DOUBLE, 1, 1, {v});
  }
  static matvar_t* text(const char* name, const std::string& s) {
    std::size_t dims[2] = {1, s.size()};
    return Mat_VarCreate(name, MAT_C_CHAR, MAT_T_UTF8, 2, dims, const_cast<char*>(s.data()), 0);
  }
  static matvar_t* cell_of(const char* name, const std::vector<std::string>& items) {
    std::size_t dims[2] = {1, items.size()};
    matvar_t* c = Mat_VarCreate(name, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0);
    for (std::size_t i = 0; i < items.size(); ++i) Mat_VarSetCell(c, static_cast<int>(i), text(nullptr, items[i]));
    return c;
  }
  void add(matvar_t* v, matio_compression z = MAT_COMPRESSION_NONE) {
    EXPECT_EQ(Mat_VarWrite(mat_, v, z), 0);
    Mat_VarFree(v);
  }

 private:
  std::string path_;
  mat_t* mat_ = nullptr;
};

std::vector<double> ramp(std::size_t n, double scale = 1.0) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = scale * static_cast<double>(i) + 0.25;
  return v;
}

TEST(MatlabWritten, ChannelsBySamplesWithFsAndCompression) {
  MatWriter w("cxs.mat");
  // 3 x 200, column-major: element (c, s) = s * 3 + c + 0.25
  w.add(MatWriter::numeric<double>("data", MAT_C_DOUBLE, MAT_T_DOUBLE, 3, 200, ramp(600)), MAT_COMPRESSION_ZLIB);
  w.add(MatWriter::scalar("Fs", 2048.0));
  const auto rec = read_matlab(w.close());
  EXPECT_EQ(rec.fs_hz(), 2048.0);
  ASSERT_EQ(rec.n_channels(), 3);
  ASSERT_EQ(rec.n_samples(), 200);
  EXPECT_EQ(rec.data()(2, 5), 5 * 3 + 2 + 0.25);
  EXPECT_EQ(rec.channels()[1].name, "ch1");
  EXPECT_TRUE(std::isnan(rec.channels()[0].conversion));
}

TEST(MatlabWritten, SingleSamplesByChannelsWithNamesAndUnits) {
  MatWriter w("sxc.mat");
  std::vector<float> v(2 * 300);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.5f;
  w.add(MatWriter::numeric<float>("emg", MAT_C_SINGLE, MAT_T_SINGLE, 300, 2, v));
  w.add(MatWriter::scalar("samplingRate", 1000.0));
  w.add(MatWriter::cell_of("labels", {"TA", "GM"}));
  w.add(MatWriter::text("units", "mV"));
  const auto rec = read_matlab(w.close());
  ASSERT_EQ(rec.n_channels(), 2);
  ASSERT_EQ(rec.n_samples(), 300);
  EXPECT_EQ(rec.channels()[0].name, "TA");
  EXPECT_EQ(rec.channels()[1].name, "GM");
  EXPECT_EQ(rec.channels()[1].units, "mV");
  EXPECT_EQ(rec.data()(1, 7), static_cast<double>(300 + 7) * 0.5);
}

TEST(MatlabWritten, StructWithIntegerCounts) {
  MatWriter w("struct_int16.mat");
  const char* fields[] = {"signal", "fs_hz", nullptr};
  std::size_t one[2] = {1, 1};
  matvar_t* s = Mat_VarCreateStruct2("rec", 2, one, fields);
  std::vector<std::int16_t> counts = {-32768, -1, 0, 1, 32767, 5};
  Mat_VarSetStructFieldByName(s, "signal", 0, MatWriter::numeric<std::int16_t>(nullptr, MAT_C_INT16, MAT_T_INT16, 6, 1, counts));
  Mat_VarSetStructFieldByName(s, "fs_hz", 0, MatWriter::scalar(nullptr, 500.0));
  w.add(s, MAT_COMPRESSION_ZLIB);
  w.add(MatWriter::scalar("other", 3.0));
  const auto rec = read_matlab(w.close());
  EXPECT_EQ(rec.attributes().at("matlab_variable"), "rec.signal");
  EXPECT_EQ(rec.attributes().at("matlab_class"), "int16");
  ASSERT_EQ(rec.n_samples(), 6);
  EXPECT_EQ(rec.data()(0, 0), -32768.0);
  EXPECT_EQ(rec.channels()[0].conversion, 1.0);
  EXPECT_EQ(rec.channels()[0].digital_min, -32768.0);
  EXPECT_EQ(rec.channels()[0].digital_max, 32767.0);
}

TEST(MatlabWritten, TimeVectorDecidesTheAxis) {
  MatWriter w("time_axis.mat");
  // 100 x 30: the longer axis would be rows, but t has 30 entries: 100 channels x 30 samples
  w.add(MatWriter::numeric<double>("x", MAT_C_DOUBLE, MAT_T_DOUBLE, 100, 30, ramp(3000)));
  w.add(MatWriter::numeric<double>("t", MAT_C_DOUBLE, MAT_T_DOUBLE, 1, 30, ramp(30, 0.01)));
  w.add(MatWriter::scalar("fs", 100.0));
  const auto rec = read_matlab(w.close());
  EXPECT_EQ(rec.n_channels(), 100);
  EXPECT_EQ(rec.n_samples(), 30);
  EXPECT_EQ(rec.data()(4, 2), 2 * 100 + 4 + 0.25);
  EXPECT_HAS(rec.history().back(), "time axis: time vector t");
}

TEST(MatlabWritten, MissingFsNeedsTheOption) {
  MatWriter w("nofs.mat");
  w.add(MatWriter::numeric<double>("x", MAT_C_DOUBLE, MAT_T_DOUBLE, 50, 1, ramp(50)));
  const auto path = w.close();
  EXPECT_ERROR(read_matlab(path), "read_matlab: fs_hz=0", "no sampling-rate variable", "beside 'x'", "--fs-hz");
  const auto rec = read_matlab(path, 250.0);
  EXPECT_EQ(rec.fs_hz(), 250.0);
  EXPECT_EQ(rec.n_samples(), 50);
  EXPECT_ERROR(read_matlab(path, -5.0), "fs_hz=-5");
}

std::string format_error_of(const std::string& path) {
  return message_of<emg::FormatError>([&] { read_matlab(path); });
}

TEST(MatlabWritten, NoNumericVariableListsWhatWasFound) {
  MatWriter w("nonum.mat");
  w.add(MatWriter::text("note", "hello"));
  w.add(MatWriter::scalar("fs", 1000.0));
  std::size_t zero[2] = {0, 0};
  w.add(Mat_VarCreate("x", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, zero, nullptr, 0));
  const auto path = w.close();
  const auto msg = format_error_of(path);
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "no numeric matrix");
  EXPECT_HAS(msg, "note (char 1x5)");
  EXPECT_HAS(msg, "fs (double 1x1)");
  EXPECT_HAS(msg, "x (double 0x0)");
}

TEST(MatlabWritten, NonFiniteSamplesAndBadRates) {
  {
    MatWriter w("nan.mat");
    auto v = ramp(20);
    v[13] = std::nan("");  // column-major 2 x 10: row 1, column 6
    w.add(MatWriter::numeric<double>("data", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, 10, v));
    w.add(MatWriter::scalar("fs", 1000.0));
    const auto msg = format_error_of(w.close());
    EXPECT_HAS(msg, "'data' has a non-finite value (nan) at channel 1, sample 6 (MATLAB index (2,7))");
  }
  {
    MatWriter w("badfs.mat");
    w.add(MatWriter::numeric<double>("data", MAT_C_DOUBLE, MAT_T_DOUBLE, 10, 1, ramp(10)));
    w.add(MatWriter::scalar("fs", -1000.0));
    EXPECT_HAS(format_error_of(w.close()), "sampling rate fs = -1000 is not in (0, 1e7] Hz");
  }
}

TEST(MatlabBad, EmptyRandomAndTruncatedFiles) {
  const auto empty = (scratch() / "empty.mat").string();
  std::ofstream(empty).close();
  EXPECT_HAS(format_error_of(empty), "empty file");
  const auto junk = (scratch() / "junk.mat").string();
  {
    std::ofstream out(junk, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) % 251));
  }
  EXPECT_HAS(format_error_of(junk), junk);
  EXPECT_HAS(format_error_of(junk), "not a MAT v5 / v7.3 file");
  EXPECT_HAS(message_of<emg::IoError>([] { read_matlab((scratch() / "missing.mat").string()); }), "cannot open");

  std::ifstream in(kMat, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t n : {std::size_t{64}, std::size_t{128}, std::size_t{200}, bytes.size() / 3, bytes.size() - 10}) {
    const auto path = (scratch() / ("trunc_" + std::to_string(n) + ".mat")).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(n));
    const auto msg = format_error_of(path);
    EXPECT_HAS(msg, path);
    if (n > 128) {
      EXPECT_HAS(msg, "truncated: variable 0 at byte 128");
    }
  }
  // corrupted bytes inside the compressed variable: an error or a read, never a crash
  for (std::size_t at : {std::size_t{130}, std::size_t{180}, bytes.size() / 2}) {
    std::string bad = bytes;
    for (std::size_t i = at; i < at + 32; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    const auto path = (scratch() / ("flip_" + std::to_string(at) + ".mat")).string();
    std::ofstream(path, std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
    try {
      (void)read_matlab(path);
    } catch (const emg::FormatError& e) {
      EXPECT_HAS(e.what(), path);
    } catch (const emg::InvalidArgument& e) {  // e.g. the fs field is unreadable
      EXPECT_HAS(e.what(), path);
    }
  }
}

}  // namespace
