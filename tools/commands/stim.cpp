// cramplab stim: stimulation pulses and trains, the suppressed artefact spans and the M-waves of
// each recording (emg::detect::analyse_stimulation), as TSV/JSON tables, optionally stored in the
// recording's /derived and /metrics.
#include "common/analysis_options.hpp"
#include "common/cli.hpp"
#include "common/commands.hpp"

#include <emg/detect/session.hpp>
#include <emg/io/text.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace cramplab {

namespace {

namespace det = emg::detect;

std::string g4(double v) { return general4(v, "-"); }

}  // namespace

std::string stim_summary(const emg::Recording& rec, const det::StimAnalysis& a) {
  const auto& ch = rec.channels()[static_cast<std::size_t>(a.channel)];
  const std::string unit = ch.units.empty() ? "" : " " + ch.units;
  std::string s = "  channel " + a.channel_name + " (#" + std::to_string(a.channel) + "), fs " +
                  emg::io::format_double(a.fs_hz) + " Hz; pulses from " + a.search.source + ": " +
                  std::to_string(a.search.trains.size()) + " train(s), " + std::to_string(a.pulses.size()) + " pulse(s)\n";
  if (a.search.trains.empty()) {
    s += "  no stimulation trains found\n";
    return s;
  }
  char line[512];
  std::snprintf(line, sizeof line, "  %5s %8s %7s %10s %10s  %-16s %12s %12s %8s\n", "train", "f_Hz", "pulses", "start_s",
                "end_s", "status", "mwave_first", "mwave_last", "last/1st");
  s += line;
  for (const auto& t : a.search.trains) {
    const emg::stim::MwaveTrainTrend* trend = nullptr;
    for (const auto& m : a.mwave_trends.trains)
      if (m.train_id == t.train_id && m.channel == a.channel) trend = &m;
    const double nan = std::nan("");
    const auto time = [&](std::int64_t smp) { return smp < 0 ? nan : static_cast<double>(smp) / a.fs_hz; };
    std::snprintf(line, sizeof line, "  %5ld %8s %7ld %10s %10s  %-16s %12s %12s %8s\n", t.train_id,
                  fixed(t.frequency_hz, 3).c_str(), t.n_pulses, fixed(time(t.start_sample), 3).c_str(),
                  fixed(time(t.end_sample), 3).c_str(), t.status.c_str(),
                  trend ? (g4(trend->first_peak_to_peak) + unit).c_str() : "-",
                  trend ? (g4(trend->last_peak_to_peak) + unit).c_str() : "-",
                  trend ? fixed(trend->last_first_ratio, 3).c_str() : "-");
    s += line;
  }
  if (!a.mwaves.empty()) {
    s += "  M-wave peak-to-peak (first and last found pulse of each train); ";
    const auto ch_index = static_cast<std::size_t>(a.channel);
    if (ch_index < a.mwave_trends.across_trains_first.size()) {
      const auto& tr = a.mwave_trends.across_trains_first[ch_index];
      s += "first p-p across trains: " + fixed(tr.normalized_slope_pct_per_s, 2) + " % per train (n " +
           std::to_string(tr.n) + ")\n";
    } else {
      s += "\n";
    }
  }
  return s;
}

std::vector<NamedTable> stim_tables(const det::StimAnalysis& a) {
  return {
      {"pulses", "derived", "stim/pulses", det::pulses_table(a)},
      {"trains", "derived", "stim/trains", det::trains_table(a)},
      {"mwaves", "derived", "stim/mwaves", det::mwaves_table(a)},
      {"mwave_trends", "metrics", "stim/mwave_trends", det::mwave_trends_table(a)},
  };
}

int run_stim(const std::vector<std::string>& args) {
  AnalysisCommand c{
      {"stim", "cramplab stim FILE... [-o OUTDIR] [--format tsv|json] [--write] [--jobs N] [options]",
       "Find the stimulation pulses and trains of each FILE (stored /stimulation pulses, a trigger channel\n"
       "or the artefacts in the EMG: --find.source), check them against the protocol, suppress the\n"
       "artefacts and measure the M-wave of every pulse with its trend along and across trains\n"
       "(SCIENCE.md §4). With -o, writes OUTDIR/<stem>.pulses.tsv, .trains.tsv, .mwaves.tsv and\n"
       ".mwave_trends.tsv (or one <stem>.stim.json); --write stores the same tables in the input's\n"
       "/derived/stim/* and /metrics/stim/mwave_trends. Prints one line per train. A recording without\n"
       "stimulation gives no trains (not an error). A file that fails is reported on stderr and the\n"
       "others go on (exit code 1). Columns: docs/CLI.md.",
       "  cramplab stim session.h5\n"
       "  cramplab stim recordings/*.h5 -o results/ --jobs 2\n"
       "  cramplab stim session.h5 --find.source emg --pulses.threshold_mad 15 --format json -o results/\n"
       "  cramplab stim session.h5 --write && cramplab info session.h5\n",
       true},
      "stim",
      "",
      [](const emg::Recording& rec, const det::SessionAnalysisParams& p) {
        const det::StimAnalysis a = det::analyse_stimulation(rec, p);
        return AnalysisOutput{stim_tables(a), stim_summary(rec, a)};
      }};
  return run_analysis_command(c, args);
}

}  // namespace cramplab
