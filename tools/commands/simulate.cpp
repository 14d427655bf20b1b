// cramplab simulate: ground-truth recordings from the simulator (SCIENCE.md §7).
//   cramplab simulate session --ctf-hz 18 -o session.h5     one EIC frequency ladder
//   cramplab simulate study --study.preset hydration -o DIR  a whole study folder
//   cramplab simulate bursts -o trial.h5                     voluntary bursts (onset detectors)
#include "common/cli.hpp"
#include "common/commands.hpp"
#include "common/simulate_options.hpp"

#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/io/text.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/study.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

namespace cramplab {

namespace {

namespace sim = emg::simulate;
using emg::io::format_double;

struct Common {
  std::string output;
  std::string config;
  std::uint64_t seed = 1;
  bool quiet = false;
  bool overwrite = false;
  int jobs = 1;
};

po::options_description common_options(Common& c, const std::string& output_help, bool with_seed, bool with_jobs) {
  po::options_description d("General", kHelpWidth, kHelpWidth / 2);
  d.add_options()("output,o", po::value<std::string>(&c.output), output_help.c_str())(
      "config", po::value<std::string>(&c.config),
      "read options from this INI file ([section] key = value is --section.key); the command line wins")(
      "overwrite", po::bool_switch(&c.overwrite), "replace existing output files")(
      "quiet,q", po::bool_switch(&c.quiet), "no progress on stderr and no summary on stdout");
  if (with_seed) d.add_options()("seed", po::value<std::uint64_t>(&c.seed)->default_value(1), "random seed (same seed, same bytes)");
  if (with_jobs) d.add_options()("jobs,j", po::value<int>(&c.jobs)->default_value(1), "sessions simulated in parallel (the output does not depend on it)");
  return d;
}

void need_output(const std::string& kind, const Common& c) {
  if (c.output.empty()) throw UsageError("simulate " + kind + ": missing -o/--output (see 'cramplab simulate " + kind + " --help')");
}

std::string train_summary(const std::vector<sim::SimulatedRecording>& recs) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "  %-6s %8s %8s %10s %8s %10s %10s\n", "train", "f_Hz", "pulses", "start_s", "cramp",
                "onset_s", "offset_s");
  s += line;
  for (const auto& r : recs) {
    const double fs = r.recording.fs_hz();
    for (const auto& t : r.truth.trains) {
      std::snprintf(line, sizeof line, "  %-6ld %8s %8ld %10.3f %8s %10s %10s\n", t.train_id, format_double(t.frequency_hz).c_str(),
                    t.n_pulses, static_cast<double>(t.start_sample) / fs, t.cramp ? "yes" : "no",
                    t.cramp ? fixed(static_cast<double>(t.cramp_onset_sample) / fs, 3).c_str() : "-",
                    t.cramp ? fixed(static_cast<double>(t.cramp_offset_sample) / fs, 3).c_str() : "-");
      s += line;
    }
  }
  return s;
}

int run_session(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "simulate session", "cramplab simulate session --ctf-hz F -o OUT.h5 [options]",
      "Simulate one electrically-induced-cramp session of a subject whose true cramp threshold\n"
      "frequency is --ctf-hz: trains at --ladder.start_hz, +--ladder.step_hz, ... with artefacts and\n"
      "M-waves, and a cramp afterdischarge after every train whose frequency reaches the CTF. Writes a\n"
      "CrampLab HDF5 file with /stimulation and the ground truth in /truth (docs/FORMAT.md); with\n"
      "--session.layout per_train, OUT is a folder that receives one file per train.",
      "  cramplab simulate session --ctf-hz 18 -o session.h5\n"
      "  cramplab simulate session --ctf-hz 22 --session.snr_db 10 --artifact.clip_probability 0.2 -o noisy.h5\n"
      "  cramplab simulate session --ctf-hz 14 --session.layout per_train --ladder.pulses_per_train 150 -o trains/\n",
      false, true};
  sim::SessionParams sp;
  const auto fields = sim::session_fields(sp);
  Common c;
  double ctf_hz = 0.0;
  bool allow_censored = false;
  po::options_description subject("Subject", kHelpWidth, kHelpWidth / 2);
  subject.add_options()("ctf-hz", po::value<double>(&ctf_hz)->required(),
                        "the subject's true cramp threshold frequency [Hz]; within the ladder")(
      "allow-censored", po::bool_switch(&allow_censored), "accept a CTF above --ladder.max_hz (no train cramps)");
  std::vector<po::options_description> groups{subject};
  for (auto& g : field_options(fields)) groups.push_back(g);
  groups.push_back(common_options(c, "output .h5 file (a folder with --session.layout per_train); required", true, false));
  po::variables_map vm;
  if (!parse_command(spec, args, groups, vm)) return kExitOk;
  need_output("session", c);
  const auto& ladder = sp.ladder;
  if (!std::isfinite(ctf_hz) || ctf_hz <= 0.0 || (!allow_censored && ctf_hz > ladder.max_hz)) {
    throw UsageError("simulate session: --ctf-hz=" + format_double(ctf_hz) + " must be in (0, ladder.max_hz=" +
                     format_double(ladder.max_hz) + "] (the CTF must lie inside the frequency ladder; --allow-censored " +
                     "simulates a subject who does not cramp up to max_hz)");
  }
  const auto recs = sim::simulate_session(sp, ctf_hz, c.seed);
  emg::io::WriteOptions opt;
  opt.overwrite = c.overwrite;
  std::vector<std::string> written;
  if (sp.layout == sim::SessionLayout::per_train) {
    std::error_code ec;
    std::filesystem::create_directories(c.output, ec);
    if (!std::filesystem::is_directory(c.output)) throw emg::IoError("cannot create output folder '" + c.output + "'");
    for (std::size_t k = 0; k < recs.size(); ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "train-%02zu.h5", k + 1);
      const std::string path = (std::filesystem::path(c.output) / name).string();
      emg::io::write(path, recs[k].recording, opt, {}, recs[k].truth);
      written.push_back(path);
    }
  } else {
    emg::io::write(c.output, recs[0].recording, opt, {}, recs[0].truth);
    written.push_back(c.output);
  }
  if (!c.quiet) {
    const auto& rec = recs[0].recording;
    std::cout << "cramplab simulate session: true CTF " << format_double(ctf_hz) << " Hz, seed " << c.seed << ", fs "
              << format_double(rec.fs_hz()) << " Hz, " << sim::to_string(sp.emg_model) << ", SNR "
              << format_double(sp.snr_db) << " dB\n"
              << train_summary(recs);
    long first = 0;
    for (const auto& r : recs)
      for (const auto& t : r.truth.trains)
        if (t.cramp && first == 0) first = t.train_id;
    std::cout << (first ? "  first cramp at train " + std::to_string(first) : std::string("  no cramp (censored)")) << "; wrote "
              << written.size() << " file(s): " << written.front() << (written.size() > 1 ? " ..." : "") << "\n";
  }
  return kExitOk;
}

int run_study(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "simulate study", "cramplab simulate study -o DIR [--study.preset NAME] [options]",
      "Simulate a whole study: subjects with a true CTF, conditions with the published effects of the\n"
      "preset (hydration, rehydration, fatigue, prior_cramp; SCIENCE.md §9), retest variability,\n"
      "counterbalanced order and covariates; every session an EIC ladder with ground truth. Writes DIR/\n"
      "recordings/*.h5, DIR/manifest.tsv (one row per recording), DIR/study.ini (pipeline settings),\n"
      "DIR/simulate.ini (everything needed to regenerate it) and DIR/truth/{sessions,subjects}.tsv.",
      "  cramplab simulate study -o study/ --jobs 2\n"
      "  cramplab simulate study --study.preset rehydration --study.n_subjects 40 -o lau2019/\n"
      "  cramplab simulate study --study.condition control,0 --study.condition fatigued,12.9 -o custom/\n"
      "  cramplab simulate study --config study/simulate.ini -o copy/      # the same bytes again\n",
      false, true};
  sim::SessionParams sp;
  const auto fields = sim::session_fields(sp);
  StudyArgs st;
  std::vector<sim::FieldRef> study_fields;
  Common c;
  std::vector<po::options_description> groups{study_options(st, study_fields)};
  for (auto& g : field_options(fields)) groups.push_back(g);
  groups.push_back(common_options(c, "output study folder (created; must be empty unless --overwrite); required", false, true));
  po::variables_map vm;
  if (!parse_command(spec, args, groups, vm)) return kExitOk;
  finish(st, sp, vm);
  need_output("study", c);
  if (c.jobs < 1 || c.jobs > 256) throw UsageError("simulate study: --jobs=" + std::to_string(c.jobs) + " must be in 1..256");
  Progress progress("simulate study", static_cast<int>(st.study.n_subjects * static_cast<int>(st.study.conditions.size())), c.quiet);
  const auto rep = sim::write_study(c.output, st.study, c.jobs, c.overwrite, [&](std::size_t done, std::size_t total) {
    (void)total;
    progress.step("session " + std::to_string(done));
  });
  progress.clear();
  if (!c.quiet) {
    std::cout << "cramplab simulate study: " << st.study.name << " (" << st.study.description << ")\n"
              << "  " << st.study.n_subjects << " subjects x " << st.study.conditions.size() << " conditions = "
              << rep.n_sessions << " sessions, " << rep.n_recordings << " recordings, "
              << fixed(static_cast<double>(rep.bytes) / 1e6, 1) << " MB in " << fixed(rep.seconds, 2) << " s ("
              << c.jobs << " job(s))\n";
    const auto plan = sim::plan_study(st.study);
    std::map<std::string, std::pair<double, int>> by_cond;
    int censored = 0;
    for (const auto& ps : plan.sessions) {
      if (std::isnan(ps.ladder_ctf_hz)) {
        ++censored;
        continue;
      }
      by_cond[ps.condition].first += ps.ladder_ctf_hz;
      by_cond[ps.condition].second += 1;
    }
    for (const auto& cond : st.study.conditions) {
      const auto& v = by_cond[cond.name];
      std::cout << "  " << cond.name << ": true effect " << format_double(cond.ctf_shift_hz) << " Hz, mean ladder CTF "
                << (v.second ? fixed(v.first / v.second, 2) : std::string("nan")) << " Hz over " << v.second
                << " uncensored sessions\n";
    }
    std::cout << "  censored sessions (no cramp up to " << format_double(st.study.session.ladder.max_hz) << " Hz): " << censored
              << "\n  wrote " << c.output << "/{manifest.tsv, study.ini, simulate.ini, recordings/, truth/}\n";
  }
  return kExitOk;
}

int run_bursts(const std::vector<std::string>& args) {
  const CommandSpec spec{
      "simulate bursts", "cramplab simulate bursts -o OUT.h5 [options]",
      "Simulate a trial of voluntary EMG bursts (trapezoidal amplitude with random rise times,\n"
      "durations and rests) at a given SNR, with the ground-truth onsets and offsets in /truth/bursts:\n"
      "test data for onset/offset detectors.",
      "  cramplab simulate bursts -o trial.h5\n"
      "  cramplab simulate bursts --bursts.snr_db 6 --bursts.rise_max_s 0.2 --ecg.amplitude 5e-5 -o hard.h5\n",
      false, true};
  sim::BurstTrialParams bp;
  const auto fields = sim::burst_fields(bp);
  Common c;
  std::vector<po::options_description> groups = field_options(fields);
  groups.push_back(common_options(c, "output .h5 file; required", true, false));
  po::variables_map vm;
  if (!parse_command(spec, args, groups, vm)) return kExitOk;
  need_output("bursts", c);
  const auto r = sim::simulate_bursts(bp, c.seed);
  emg::io::WriteOptions opt;
  opt.overwrite = c.overwrite;
  emg::io::write(c.output, r.recording, opt, {}, r.truth);
  if (!c.quiet) {
    std::cout << "cramplab simulate bursts: " << r.truth.bursts.size() << " bursts on " << r.recording.n_channels()
              << " channel(s), " << fixed(r.recording.duration_s(), 1) << " s at " << format_double(r.recording.fs_hz())
              << " Hz, SNR " << format_double(bp.snr_db) << " dB; wrote " << c.output << "\n";
  }
  return kExitOk;
}

void print_overview() {
  std::cout << "Usage: cramplab simulate session|study|bursts [options]\n"
               "       cramplab simulate <kind> --help\n\n"
               "Ground-truth recordings from the CrampLab simulator (SCIENCE.md §7): every file carries what it\n"
               "really contains in /truth (pulse times, M-waves, cramp onset/offset per train, bursts, the\n"
               "subject's true CTF, per-sample activity, generator parameters and seed). Same seed, same bytes.\n\n"
               "Kinds:\n"
               "  session    one electrically-induced-cramp session (frequency ladder) of one subject\n"
               "  study      a whole study folder: subjects x conditions with published effects on CTF\n"
               "  bursts     a voluntary-burst trial for onset/offset detectors\n\n"
            << exit_codes_epilogue();
}

}  // namespace

int run_simulate(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("simulate: missing kind: session, study or bursts (see 'cramplab simulate --help')");
  const std::string& kind = args[0];
  if (kind == "--help" || kind == "-h") {
    print_overview();
    return kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (kind == "session") return run_session(rest);
  if (kind == "study") return run_study(rest);
  if (kind == "bursts") return run_bursts(rest);
  throw UsageError("simulate: unknown kind '" + kind + "' (kinds: session, study, bursts; see 'cramplab simulate --help')");
}

}  // namespace cramplab
