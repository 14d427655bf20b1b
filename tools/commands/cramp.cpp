// cramplab cramp: the cramp decision for every stimulation train and the session's cramp threshold
// frequency (emg::detect::analyse_session), as TSV/JSON tables, optionally stored in the
// recording's /derived and /metrics; with several files also the study-level OUTDIR/ctf.tsv.
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

std::string bound(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return emg::io::format_double(v);
}

std::string ctf_line(const det::CtfResult& c) {
  std::string s = "  CTF ";
  if (!c.determined) {
    s += "undetermined";
  } else if (c.censored) {
    s.append("(").append(bound(c.lower_hz)).append(", inf) Hz: no confirmed cramp up to ").append(bound(c.lower_hz)).append(" Hz");
  } else {
    s.append("(").append(bound(c.lower_hz)).append(", ").append(bound(c.upper_hz)).append("] Hz");
    if (c.train_id >= 0) s += " (first cramp at train " + std::to_string(c.train_id) + ")";
  }
  s += std::string("; censored ") + (c.censored ? "yes" : "no") + (c.left_censored ? ", left-censored" : "") + "; " +
       std::to_string(c.n_cramps) + " of " + std::to_string(c.n_counted) + " counted train(s) cramped; status " + c.status;
  if (!c.message.empty() && c.status != "ok") s += " (" + c.message + ")";
  return s + "\n";
}

std::string cramp_summary(const emg::Recording& rec, const det::SessionAnalysis& a) {
  const det::StimAnalysis& st = a.stim;
  const auto& ch = rec.channels()[static_cast<std::size_t>(st.channel)];
  const std::string unit = ch.units.empty() ? "" : " " + ch.units;
  std::string s = "  channel " + st.channel_name + " (#" + std::to_string(st.channel) + "), fs " +
                  emg::io::format_double(st.fs_hz) + " Hz; pulses from " + st.search.source + ": " +
                  std::to_string(st.search.trains.size()) + " train(s), " + std::to_string(st.pulses.size()) + " pulse(s)\n";
  char line[512];
  if (!st.search.trains.empty()) {
    std::snprintf(line, sizeof line, "  %5s %8s %-10s %10s %11s %12s  %s\n", "train", "f_Hz", "cramp", "onset_s",
                  "duration_s", "peak_rms", "status");
    s += line;
    for (const auto& r : a.cramps) {
      const char* decision = !r.decided ? "undecided" : (r.cramp ? "yes" : "no");
      std::snprintf(line, sizeof line, "  %5ld %8s %-10s %10s %11s %12s  %s\n", r.train_id, fixed(r.frequency_hz, 3).c_str(),
                    decision, r.cramp ? fixed(r.onset_s, 3).c_str() : "-", r.cramp ? fixed(r.duration_s, 3).c_str() : "-",
                    r.cramp ? (g4(r.peak_rms) + unit).c_str() : "-", r.status.c_str());
      s += line;
    }
  } else {
    s += "  no stimulation trains found\n";
  }
  return s + ctf_line(a.ctf);
}

}  // namespace

int run_cramp(const std::vector<std::string>& args) {
  AnalysisCommand c{
      {"cramp", "cramplab cramp FILE... [-o OUTDIR] [--format tsv|json] [--write] [--jobs N] [options]",
       "For each FILE, find the stimulation trains (as cramplab stim), decide for every train whether a\n"
       "cramp followed it (SCIENCE.md §1.6: baseline before the train, post-train window after the\n"
       "artefact tail, RMS envelope with onset / sustain thresholds, minimum duration, tolerated gaps)\n"
       "and determine the session's cramp threshold frequency as the interval (previous step, first\n"
       "cramping step] Hz, censored when no train cramped (SCIENCE.md §1.7). With -o, writes\n"
       "OUTDIR/<stem>.cramps.tsv and <stem>.ctf.tsv plus the stim tables (or one <stem>.cramp.json);\n"
       "with several FILEs also OUTDIR/ctf.tsv, one row per file with a file column. --write stores\n"
       "the tables in the input's /derived and /metrics. A file that fails is reported on stderr and\n"
       "the others go on (exit code 1). Columns: docs/CLI.md.",
       "  cramplab cramp session.h5\n"
       "  cramplab cramp study/recordings/*.h5 -o results/ --jobs 2      # results/ctf.tsv: the CTF per session\n"
       "  cramplab cramp session.h5 --cramp.k_on 5 --cramp.min_duration_s 1.5 --ctf.confirm_repeats 1 -o results/\n"
       "  cramplab cramp session.h5 --config analysis.ini --write\n",
       true},
      "cramp",
      "ctf",
      [](const emg::Recording& rec, const det::SessionAnalysisParams& p) {
        const det::SessionAnalysis a = det::analyse_session(rec, p);
        std::vector<NamedTable> tables = stim_tables(a.stim);
        tables.push_back({"cramps", "derived", "cramp/cramps", det::cramps_table(a)});
        tables.push_back({"ctf", "metrics", "cramp/ctf", det::ctf_table(a)});
        return AnalysisOutput{std::move(tables), cramp_summary(rec, a)};
      }};
  return run_analysis_command(c, args);
}

}  // namespace cramplab
