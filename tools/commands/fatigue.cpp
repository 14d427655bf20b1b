// cramplab fatigue: the README quick start job. Band-pass, mains removal, Welch PSD of the whole
// recording and the sliding-window fatigue series with linear trends, written as tidy TSV files
// plus a readable summary.
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/options.hpp"
#include "common/pipeline.hpp"
#include "common/table_output.hpp"

#include <emg/errors.hpp>
#include <emg/io/text.hpp>
#include <emg/processing.hpp>
#include <emg/spectral/metrics.hpp>

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace cramplab {

namespace {

using emg::io::format_double;

void write_fatigue_tables(const std::string& dir, const emg::Recording& rec, const emg::spectral::FatigueSeries& fs) {
  std::vector<std::vector<std::string>> rows;
  for (long c = 0; c < rec.n_channels(); ++c) {
    const std::string& name = rec.channels()[static_cast<std::size_t>(c)].name;
    for (Eigen::Index k = 0; k < fs.times_s.size(); ++k) {
      rows.push_back({name, format_double(fs.times_s[k]), format_double(fs.mnf_hz(c, k)), format_double(fs.mdf_hz(c, k)),
                      format_double(fs.rms(c, k)), format_double(fs.arv(c, k))});
    }
  }
  emg::io::write_tsv(path_in(dir, "fatigue.tsv"), {"channel", "time_s", "mnf_hz", "mdf_hz", "rms", "arv"}, rows);

  rows.clear();
  const std::pair<const char*, const std::vector<emg::spectral::Trend>*> metrics[] = {
      {"mnf_hz", &fs.mnf_trend}, {"mdf_hz", &fs.mdf_trend}, {"rms", &fs.rms_trend}, {"arv", &fs.arv_trend}};
  for (long c = 0; c < rec.n_channels(); ++c) {
    for (const auto& [metric, trends] : metrics) {
      const auto& t = trends->at(static_cast<std::size_t>(c));
      rows.push_back({rec.channels()[static_cast<std::size_t>(c)].name, metric, format_double(t.slope),
                      format_double(t.intercept), format_double(t.slope_ci_low), format_double(t.slope_ci_high),
                      format_double(t.normalized_slope_pct_per_s), format_double(t.r_squared), std::to_string(t.n)});
    }
  }
  emg::io::write_tsv(path_in(dir, "trends.tsv"),
                     {"channel", "metric", "slope", "intercept", "slope_ci_low", "slope_ci_high",
                      "normalized_slope_pct_per_s", "r_squared", "n"},
                     rows);
}

}  // namespace

int run_fatigue(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "fatigue", "cramplab fatigue INPUT -o OUTDIR [options]",
      "Band-pass (default 20-450 Hz, 4th-order Butterworth, zero-phase), remove mains interference\n"
      "(default 50 Hz and harmonics by spectrum interpolation), estimate the Welch PSD of the whole\n"
      "recording and the fatigue series (MNF, MDF, RMS, ARV in sliding windows) with linear trends.\n"
      "Writes OUTDIR/psd.tsv, OUTDIR/fatigue.tsv, OUTDIR/trends.tsv and OUTDIR/summary.txt, and prints\n"
      "the summary table.",
      "  cramplab fatigue datasets/real/biosppy-examples/emg_1.txt -o results/\n"
      "  cramplab fatigue datasets/real/uci-lower-limb/3Asen.txt --fs-hz 1000 --columns 0,1,2,3 -o results/\n"};
  InputArgs in;
  PreprocessArgs pre;
  PsdArgs psd;
  FatigueArgs fat;
  po::variables_map vm;
  if (!parse_command(spec, args,
                     {input_options(in), preprocess_options(pre), psd_options(psd), fatigue_options(fat),
                      general_options(in, "output directory (created if missing); required")},
                     vm)) {
    return kExitOk;
  }
  if (in.output.empty()) throw UsageError("fatigue: missing -o/--output directory (see 'cramplab fatigue --help')");
  finish(pre);
  finish(psd);
  finish(fat);
  apply_general(in);
  const std::string input = vm["input"].as<std::string>();
  const std::string outdir = in.output;

  for (const char* name : {"psd.tsv", "fatigue.tsv", "trends.tsv", "summary.txt"}) check_not_input(input, path_in(outdir, name));

  Progress progress("fatigue", 6, in.quiet);
  progress.step("reading " + input);
  const emg::Recording rec = load_input(input, in);
  fat.fatigue.validate(rec.fs_hz());  // before the long steps
  const Preprocessed pp = preprocess(rec, pre, progress);
  const emg::Recording& y = pp.recording;
  progress.step("Welch PSD");
  const emg::spectral::Psd p = emg::compute_psd(y, psd.welch);
  progress.step("fatigue series");
  const emg::spectral::FatigueSeries series = emg::compute_fatigue(y, fat.fatigue);

  progress.step("writing " + outdir);
  {
    std::error_code ec;
    std::filesystem::create_directories(outdir, ec);
    if (ec || !std::filesystem::is_directory(outdir)) {
      throw emg::IoError("cannot create output directory '" + outdir + "'" + (ec ? ": " + ec.message() : std::string()));
    }
  }
  std::vector<std::string> header{"freq_hz"};
  std::vector<const double*> columns{p.freqs_hz.data()};
  for (long c = 0; c < y.n_channels(); ++c) {
    header.push_back(y.channels()[static_cast<std::size_t>(c)].name);
    columns.push_back(p.power.row(c).data());
  }
  emg::io::write_tsv_columns(path_in(outdir, "psd.tsv"), header, columns, static_cast<long>(p.freqs_hz.size()));
  write_fatigue_tables(outdir, y, series);

  // ---- summary ----
  const emg::spectral::Band band{fat.fatigue.low_hz, std::min(fat.fatigue.high_hz, y.fs_hz() / 2.0)};
  const auto mnf = emg::spectral::mean_frequency(p.freqs_hz, p.power, band);
  const auto mdf = emg::spectral::median_frequency(p.freqs_hz, p.power, band);
  const Eigen::VectorXd rms = (y.data().array().square().rowwise().mean()).sqrt();
  std::ostringstream s;
  s << "cramplab fatigue: " << input << "\n"
    << "  fs " << format_double(y.fs_hz()) << " Hz, duration " << fixed(y.duration_s(), 3) << " s, " << y.n_channels()
    << " channel(s), " << y.n_samples() << " samples\n";
  for (std::size_t i = 1; i < y.history().size(); ++i) s << "  " << y.history()[i] << "\n";
  s << "  Welch PSD: nperseg " << psd.welch.nperseg << ", window " << psd.welch.window.to_string() << "; fatigue epochs "
    << format_double(fat.fatigue.window_s) << " s every " << format_double(fat.fatigue.step_s) << " s ("
    << series.times_s.size() << " epochs), MNF/MDF band " << format_double(band.low_hz) << "-" << format_double(band.high_hz)
    << " Hz\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-22s %12s %12s %9s %8s %8s %9s %10s  %s\n", "channel", "RMS", "mains_RMS",
                "mains_%", "MNF_Hz", "MDF_Hz", "MDF0_Hz", "MDF_%/s", "95% CI (%/s)");
  s << line;
  for (long c = 0; c < y.n_channels(); ++c) {
    const auto& ch = y.channels()[static_cast<std::size_t>(c)];
    const auto& t = series.mdf_trend.at(static_cast<std::size_t>(c));
    const double to_pct = 100.0 / t.intercept;
    const std::string unit = ch.units.empty() ? "" : " " + ch.units;
    std::string mains_rms = "-", mains_pct = "-";
    if (pp.mains) {
      mains_rms = general4(std::sqrt(pp.mains->removed_power[c])) + unit;
      mains_pct = fixed(100.0 * pp.mains->removed_fraction[c], 3);
    }
    std::snprintf(line, sizeof line, "%-22s %12s %12s %9s %8s %8s %9s %10s  [%s, %s]\n", ch.name.c_str(),
                  (general4(rms[c]) + unit).c_str(), mains_rms.c_str(), mains_pct.c_str(), fixed(mnf[c], 2).c_str(),
                  fixed(mdf[c], 2).c_str(), fixed(t.intercept, 2).c_str(), fixed(t.normalized_slope_pct_per_s, 4).c_str(),
                  fixed(t.slope_ci_low * to_pct, 4).c_str(), fixed(t.slope_ci_high * to_pct, 4).c_str());
    s << line;
  }
  s << "\nRMS of the preprocessed signal; mains_RMS = RMS of the interference removed, mains_% = its share of\n"
       "the signal power; MNF/MDF of the whole-recording PSD; MDF0 = fitted initial MDF; MDF_%/s = MDF slope\n"
       "normalised by MDF0, with its 95 % confidence interval.\n"
    << "Outputs: " << path_in(outdir, "{psd.tsv, fatigue.tsv, trends.tsv, summary.txt}") << "\n";
  write_text_atomic(path_in(outdir, "summary.txt"), s.str());
  if (!in.quiet) std::cout << s.str();
  return kExitOk;
}

}  // namespace cramplab
