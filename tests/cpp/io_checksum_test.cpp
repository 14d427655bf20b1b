// SHA-256 against the FIPS 180-4 / hashlib test vectors.
#include <emg/errors.hpp>
#include <emg/io/checksum.hpp>

#include <gtest/gtest.h>

#include "test_helpers.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using emg::io::sha256_hex;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";  // 56 bytes: padding spills
  EXPECT_EQ(sha256_hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(sha256_hex(million.data(), million.size()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileIsStreamedAcrossBufferBoundaries) {
  std::vector<char> bytes(1000003);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7 + 3) % 256);
  const auto path = std::filesystem::temp_directory_path() / ("emg_sha_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".bin");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const std::string expected = "987ab1b5b3b71c1d1053a817cffc3695c96e78c2b068d558c6b340a8255c3ed8";
  EXPECT_EQ(emg::io::sha256_file(path.string()), expected);
  EXPECT_EQ(sha256_hex(bytes.data(), bytes.size()), expected);
  std::filesystem::remove(path);
}

TEST(Sha256, MissingFileIsIoErrorNamingIt) {
  const std::string msg = emg::test::message_of<emg::IoError>([] { emg::io::sha256_file("/nonexistent/emg_no_file.bin"); });
  EXPECT_HAS(msg, "/nonexistent/emg_no_file.bin");
}

TEST(Sha256, DataChecksumIsLittleEndianRowsThenFs) {
  emg::RowMatrixXd x(2, 3);
  x << 1.0, 2.0, 3.0, 4.0, 5.0, -0.0;
  const emg::Recording rec(x, 1000.0);
  // hashlib.sha256(x.astype('<f8').tobytes() + np.float64(1000).tobytes())
  EXPECT_EQ(emg::io::data_sha256(rec), "1f786356f0b630aa8ccbdda640f223dc4a9589d7e36a2eeca09dba1d29e0e3cc");
  const emg::Recording other(x, 2000.0);
  EXPECT_NE(emg::io::data_sha256(other), emg::io::data_sha256(rec));
}

}  // namespace
