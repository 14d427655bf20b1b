// The format dispatcher: detection by magic bytes on every real file and on crafted bad files,
// import_file (provenance attributes, min_fs_hz) and export_file round trips.
#include <emg/errors.hpp>
#include <emg/io/formats.hpp>

#include <gtest/gtest.h>

#include <H5Cpp.h>

#include "scratch.hpp"
#include "test_helpers.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using emg::test::scratch;
using emg::test::write_file;
const auto tmp = emg::test::fresh_path;

namespace fs = std::filesystem;
using emg::io::detect_format;
using emg::io::export_file;
using emg::io::Format;
using emg::io::import_file;
using emg::io::ImportOptions;
using emg::test::message_of;

const std::string kReal = std::string(EMG_DATASETS_DIR) + "/real/";

std::string write_bytes(const std::string& name, const std::string& bytes) {
  const auto p = tmp(name);
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p;
}

std::string copy_as(const std::string& src, const std::string& name) {
  const auto p = tmp(name);
  fs::copy_file(src, p);
  return p;
}

TEST(Formats, ParseAndName) {
  for (Format f : {Format::Auto, Format::Cramplab, Format::Text, Format::Edf, Format::Bdf, Format::Wfdb,
                   Format::OpenSignals, Format::Matlab, Format::C3d, Format::Nwb}) {
    EXPECT_EQ(emg::io::parse_format(emg::io::format_name(f)), f) << emg::io::format_name(f);
  }
  EXPECT_EQ(emg::io::parse_format("CSV"), Format::Text);
  EXPECT_EQ(emg::io::parse_format("tsv"), Format::Text);
  EXPECT_EQ(emg::io::parse_format("mat"), Format::Matlab);
  EXPECT_ERROR(emg::io::parse_format("xlsx"), "parse_format: format=\"xlsx\"", "is not one of", "opensignals");
}

TEST(Formats, DetectsEveryRealFile) {
  struct Case {
    const char* file;
    Format format;
  };
  const Case cases[] = {
      {"plux-biosignalsnotebooks/emg_bursts.h5", Format::OpenSignals},
      {"plux-biosignalsnotebooks/emg_10_hz_16_bits.h5", Format::OpenSignals},
      {"plux-biosignalsnotebooks/emg_1000_hz_16_bits.h5", Format::OpenSignals},
      {"plux-biosignalsnotebooks/emg_1000_hz_16_bits_solo.h5", Format::OpenSignals},
      {"plux-biosignalsnotebooks/emg_1000_hz_8_16_bits.h5", Format::OpenSignals},
      {"plux-biosignalsnotebooks/emg_bursts_info.json", Format::Text},
      {"emggo-samples/sample_data.mat", Format::Matlab},
      {"myonset-rt-task/example_data.edf", Format::Edf},
      {"myonset-rt-task/example_events.csv", Format::Text},
      {"physionet-emgdb/emg_healthy.hea", Format::Wfdb},
      {"physionet-emgdb/emg_healthy.dat", Format::Wfdb},
      {"physionet-emgdb/emg_myopathy.hea", Format::Wfdb},
      {"physionet-emgdb/emg_neuropathy.dat", Format::Wfdb},
      {"physionet-emgdb/emg_healthy.txt", Format::Text},
      {"pyomeca-shoulder-c3d/markers_analogs.c3d", Format::C3d},
      {"pyomeca-shoulder-c3d/analogs.csv", Format::Text},
      {"uci-lower-limb/3Amar.txt", Format::Text},
      {"uci-lower-limb/5Nsen.txt", Format::Text},
      {"biosppy-examples/emg.txt", Format::Text},
      {"biosppy-examples/emg_1.txt", Format::Text},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(emg::io::format_name(detect_format(kReal + c.file)), emg::io::format_name(c.format)) << c.file;
  }
  // a WFDB record named without extension
  EXPECT_EQ(detect_format(kReal + "physionet-emgdb/emg_healthy"), Format::Wfdb);
}

TEST(Formats, MagicBytesBeatTheExtension) {
  EXPECT_EQ(detect_format(copy_as(kReal + "myonset-rt-task/example_data.edf", "really_edf.csv")), Format::Edf);
  EXPECT_EQ(detect_format(copy_as(kReal + "emggo-samples/sample_data.mat", "really_mat.txt")), Format::Matlab);
  EXPECT_EQ(detect_format(copy_as(kReal + "plux-biosignalsnotebooks/emg_bursts.h5", "really_plux.edf")), Format::OpenSignals);
  EXPECT_EQ(detect_format(write_bytes("x.dat", std::string("\xFF" "BIOSEMI", 8) + std::string(248, ' '))), Format::Bdf);
  // the C3D parameter byte counts only with the .c3d extension
  EXPECT_THROW(detect_format(copy_as(kReal + "pyomeca-shoulder-c3d/markers_analogs.c3d", "c3d.bin")), emg::FormatError);
}

TEST(Formats, BadFiles) {
  auto p = write_bytes("empty.csv", "");
  auto msg = message_of<emg::FormatError>([&] { detect_format(p); });
  EXPECT_HAS(msg, p);
  EXPECT_HAS(msg, "empty file");

  std::string junk;
  for (int i = 0; i < 512; ++i) junk += static_cast<char>((i * 37 + 11) % 256);
  p = write_bytes("junk.bin", junk);
  msg = message_of<emg::FormatError>([&] { detect_format(p); });
  EXPECT_HAS(msg, p);
  EXPECT_HAS(msg, "unknown format (first bytes: 0B 30 55 7A");

  p = tmp("plain.h5");
  {
    H5::H5File f(p, H5F_ACC_TRUNC);
    f.createGroup("data");
  }
  msg = message_of<emg::FormatError>([&] { detect_format(p); });
  EXPECT_HAS(msg, "HDF5 file but neither CrampLab nor OpenSignals layout");
  // the same HDF5 named .nwb is left to the Python NWB reader
  EXPECT_EQ(detect_format(copy_as(p, "plain.nwb")), Format::Nwb);

  EXPECT_HAS(message_of<emg::IoError>([] { detect_format((scratch() / "missing.csv").string()); }), "cannot open");
  EXPECT_HAS(message_of<emg::IoError>([] { detect_format(scratch().string()); }), "is a directory");
}

// ---- import_file -------------------------------------------------------------------------------

TEST(ImportFile, ProvenanceAttributesAndHistory) {
  const auto rec = import_file(kReal + "plux-biosignalsnotebooks/emg_10_hz_16_bits.h5");
  EXPECT_EQ(rec.attributes().at("source_file"), "emg_10_hz_16_bits.h5");
  EXPECT_EQ(rec.attributes().at("source_format"), "opensignals");
  EXPECT_EQ(rec.attributes().at("source_sha256"), "8f0f38f704b6ee43e907af2fa2f329dae28acfc3c595f6faa7c9fa5531c79904");
  EXPECT_EQ(rec.history().back(), "import opensignals emg_10_hz_16_bits.h5");
  const auto mat = import_file(kReal + "emggo-samples/sample_data.mat");
  EXPECT_EQ(mat.attributes().at("source_format"), "mat");
  EXPECT_EQ(mat.attributes().at("source_sha256"), "e48b82ab267afc4447a9558ea52b397a076223fd3c9a0875c55df39f1fdc1a39");
  EXPECT_EQ(mat.fs_hz(), 250.0);
}

TEST(ImportFile, MinFsRefusesTheTenHertzRecording) {
  ImportOptions opt;
  opt.min_fs_hz = 200.0;
  const auto path = kReal + "plux-biosignalsnotebooks/emg_10_hz_16_bits.h5";
  const auto msg = message_of<emg::FormatError>([&] { import_file(path, opt); });
  EXPECT_HAS(msg, "import_file: " + path);
  EXPECT_HAS(msg, "sampling rate 10 Hz is below min_fs_hz=200 Hz");
  EXPECT_EQ(import_file(kReal + "plux-biosignalsnotebooks/emg_bursts.h5", opt).fs_hz(), 1000.0);
  opt.min_fs_hz = -1.0;
  EXPECT_ERROR(import_file(path, opt), "import_file: min_fs_hz=-1");
}

TEST(ImportFile, OtherReadersAndForcedFormat) {
  const auto text = import_file(kReal + "biosppy-examples/emg_1.txt");
  EXPECT_EQ(text.attributes().at("source_format"), "text");
  EXPECT_EQ(text.fs_hz(), 1000.0);
  ImportOptions opt;
  opt.text.fs_hz = 1000.0;
  EXPECT_EQ(import_file(kReal + "uci-lower-limb/3Amar.txt", opt).n_channels(), 5);  // 4 EMG + goniometer
  opt.format = Format::Matlab;
  EXPECT_THROW(import_file(kReal + "biosppy-examples/emg_1.txt", opt), emg::FormatError);
  EXPECT_HAS(message_of<emg::FormatError>([] { import_file(kReal + "pyomeca-shoulder-c3d/markers_analogs.c3d"); }),
             "C3D files are read by the Python layer: cramplab.import_file (ezc3d)");
}

TEST(ImportFile, EdfAndWfdbThroughTheDispatcher) {
  const auto edf = import_file(kReal + "myonset-rt-task/example_data.edf");
  EXPECT_EQ(edf.attributes().at("source_format"), "edf");
  ImportOptions opt;
  opt.wfdb.wraparound = "keep";
  const auto wfdb = import_file(kReal + "physionet-emgdb/emg_healthy.hea", opt);
  EXPECT_EQ(wfdb.attributes().at("source_format"), "wfdb");
  EXPECT_EQ(wfdb.fs_hz(), 4000.0);
}

// ---- export_file -------------------------------------------------------------------------------

emg::Recording small_recording() {
  emg::RowMatrixXd x(2, 50);
  for (long s = 0; s < 50; ++s) {
    x(0, s) = std::sin(0.1 * static_cast<double>(s)) * 1e-3;
    x(1, s) = static_cast<double>(s) / 3.0;
  }
  std::vector<emg::ChannelInfo> info(2);
  info[0].name = "TA";
  info[1].name = "GM";
  info[1].units = "mV";
  return emg::Recording(std::move(x), 1000.0, info, 0.0);
}

TEST(ExportFile, TextCsvAndTsvRoundTrip) {
  const auto rec = small_recording();
  for (const char* name : {"out.csv", "out.tsv", "out.txt"}) {
    const auto path = tmp(name);
    const auto report = export_file(rec, path);
    EXPECT_EQ(report.format, "text");
    ASSERT_EQ(report.max_abs_error.size(), 2u);
    EXPECT_EQ(report.max_abs_error[0], 0.0);
    const auto back = import_file(path);
    EXPECT_EQ(back.data(), rec.data()) << name;
    EXPECT_EQ(back.fs_hz(), 1000.0);
    EXPECT_EQ(back.channels()[1].units, "mV");
    EXPECT_EQ(back.attributes().at("source_file"), name);
  }
  const auto csv = tmp("comma.csv");
  export_file(rec, csv);
  std::ifstream c(csv);
  std::string line;
  while (std::getline(c, line) && line[0] == '#') {
  }
  EXPECT_EQ(line, "time_s,TA,GM");
  EXPECT_HAS(message_of<emg::IoError>([&] { export_file(rec, csv); }), "already exists");
  emg::io::ExportOptions opt;
  opt.overwrite = true;
  export_file(rec, csv, opt);
}

TEST(ExportFile, BadRequests) {
  const auto rec = small_recording();
  EXPECT_ERROR(export_file(rec, tmp("out.xyz")), "export_file: path=", "has no export extension");
  EXPECT_HAS(message_of<emg::FormatError>([&] { export_file(rec, tmp("out.nwb")); }), "Python layer");
  emg::io::ExportOptions opt;
  opt.edf_digital_bits = 12;
  EXPECT_ERROR(export_file(rec, tmp("out.edf"), opt), "edf_digital_bits=12");
}

TEST(ExportFile, EdfAndCramplabThroughTheDispatcher) {
  const auto rec = small_recording();
  const auto edf = tmp("out.edf");
  const auto report = export_file(rec, edf);
  EXPECT_EQ(report.format, "edf");
  ASSERT_EQ(report.max_abs_error.size(), 2u);
  const auto back = import_file(edf);
  EXPECT_EQ(back.n_channels(), 2);
  EXPECT_LE((back.data().row(1) - rec.data().row(1)).cwiseAbs().maxCoeff(), report.max_abs_error[1] * 1.0000001 + 1e-12);

  const auto h5 = tmp("out.h5");
  EXPECT_EQ(export_file(rec, h5).format, "cramplab");
  EXPECT_EQ(detect_format(h5), Format::Cramplab);
  const auto again = import_file(h5);
  EXPECT_EQ(again.data(), rec.data());
}

}  // namespace
