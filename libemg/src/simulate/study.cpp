// Simulated studies: presets from the published designs, the study plan (subjects, orders, true
// CTFs, covariates) and the study folder writer.
#include <emg/simulate/study.hpp>

#include <emg/errors.hpp>
#include <emg/io/store.hpp>
#include <emg/io/text.hpp>
#include <emg/version.hpp>

#include "detail/check.hpp"
#include "simulate/provenance.hpp"

#include <emg/simulate/fields.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace emg::simulate {

namespace {

using detail::fail_param;
using detail::fmt;
namespace fs = std::filesystem;

constexpr std::string_view kStudy = "StudyParams";

ConditionSpec condition(std::string name, double shift, double bm, double bm_sd, double usg, double usg_sd,
                        std::string source) {
  return ConditionSpec{std::move(name), shift, bm, bm_sd, usg, usg_sd, std::move(source)};
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string zero_pad(long v, int width) {
  std::string s = std::to_string(v);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

void write_text_atomic(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.flush();
    if (!f) throw IoError("write_study: cannot write '" + path.string() + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError("write_study: cannot write '" + path.string() + "'");
  }
}

}  // namespace

// ---- presets ---------------------------------------------------------------------------------

std::vector<std::string> study_preset_names() { return {"hydration", "rehydration", "fatigue", "prior_cramp"}; }

StudyParams study_preset(const std::string& name) {
  StudyParams p;
  p.name = name;
  if (name == "hydration") {
    p.description = "euhydrated vs ~3 % body-mass loss; no effect on CTF (Miller et al. 2010; Braulick et al. 2013)";
    p.n_subjects = 10;
    p.ctf_mean_hz = 22.5;
    p.conditions = {condition("euhydrated", 0.0, 0.0, 0.3, 1.010, 0.004, "Miller 2010 MSSE 42(11)"),
                    condition("hypohydrated", 0.0, -3.0, 0.3, 1.025, 0.004, "Miller 2010; Braulick 2013 BJSM 47:710")};
  } else if (name == "rehydration") {
    p.description =
        "after 2 % body-mass loss: water lowers CTF (-5.1 Hz at 60 min), oral rehydration solution raises it (+5.4 Hz) "
        "(Lau, Kato & Nosaka 2019)";
    p.n_subjects = 10;
    p.ctf_mean_hz = 24.6;
    p.conditions = {condition("water", -5.1, -2.0, 0.3, 1.022, 0.004, "Lau 2019 BMJ Open SEM 5:e000478"),
                    condition("ors", 5.4, -2.0, 0.3, 1.018, 0.004, "Lau 2019 BMJ Open SEM 5:e000478")};
  } else if (name == "fatigue") {
    p.description = "before vs after local fatigue of the FHB: CTF +12.9 Hz (Stone et al. 2010)";
    p.n_subjects = 16;
    p.ctf_mean_hz = 20.0;
    p.ctf_sd_hz = 7.7;
    p.conditions = {condition("rested", 0.0, 0.0, 0.3, 1.010, 0.004, "Stone 2010 J Sports Sci 28:399"),
                    condition("fatigued", 12.9, 0.0, 0.3, 1.010, 0.004, "Stone 2010 J Sports Sci 28:399")};
  } else if (name == "prior_cramp") {
    p.description = "baseline vs 30 min after a volitional cramp: CTF -4 Hz (Miller, Long & Edwards 2017)";
    p.n_subjects = 15;
    p.ctf_mean_hz = 18.0;
    p.conditions = {condition("baseline", 0.0, 0.0, 0.3, 1.010, 0.004, "Miller 2017 Muscle Nerve 56:E95"),
                    condition("post_cramp", -4.0, 0.0, 0.3, 1.010, 0.004, "Miller 2017 Muscle Nerve 56:E95")};
  } else {
    std::string names;
    for (const auto& n : study_preset_names()) names += (names.empty() ? "" : ", ") + n;
    fail_param("study_preset", "name", "\"" + name + "\"", "must be one of " + names);
  }
  return p;
}

// ---- parameters ------------------------------------------------------------------------------

void StudyParams::validate() const {
  if (!valid_name(name)) fail_param(kStudy, "study.name", "\"" + name + "\"", "must be 1-64 characters of [A-Za-z0-9_-]");
  if (n_subjects < 1 || n_subjects > 10000) {
    fail_param(kStudy, "study.n_subjects", std::to_string(n_subjects), "must be in 1..10000");
  }
  if (conditions.empty()) fail_param(kStudy, "study.conditions", "(none)", "must list at least one condition");
  if (conditions.size() > 26) fail_param(kStudy, "study.conditions", std::to_string(conditions.size()), "must be at most 26");
  std::set<std::string> seen;
  for (const auto& c : conditions) {
    if (!valid_name(c.name)) fail_param(kStudy, "condition.name", "\"" + c.name + "\"", "must be 1-64 characters of [A-Za-z0-9_-]");
    if (!seen.insert(c.name).second) fail_param(kStudy, "condition.name", "\"" + c.name + "\"", "appears twice");
    if (!std::isfinite(c.ctf_shift_hz) || std::fabs(c.ctf_shift_hz) > 100.0) {
      fail_param(kStudy, "condition." + c.name + ".ctf_shift_hz", fmt(c.ctf_shift_hz), "must be finite, |shift| <= 100 Hz");
    }
    if (!std::isfinite(c.body_mass_change_pct)) fail_param(kStudy, "condition.body_mass_change_pct", fmt(c.body_mass_change_pct), "must be finite");
    detail::check_nonnegative(kStudy, "condition.body_mass_change_sd_pct", c.body_mass_change_sd_pct);
    if (!(c.usg >= 1.0 && c.usg <= 1.05)) fail_param(kStudy, "condition.usg", fmt(c.usg), "must be in [1.000, 1.050]");
    detail::check_nonnegative(kStudy, "condition.usg_sd", c.usg_sd);
  }
  session.validate();
  detail::check_nonnegative(kStudy, "study.ctf_sd_hz", ctf_sd_hz);
  detail::check_nonnegative(kStudy, "study.retest_sd_hz", retest_sd_hz);
  if (!std::isfinite(order_drift_hz)) fail_param(kStudy, "study.order_drift_hz", fmt(order_drift_hz), "must be finite");
  const double lo = session.ladder.start_hz, hi = session.ladder.max_hz;
  if (!(ctf_min_hz >= lo)) {
    fail_param(kStudy, "study.ctf_min_hz", fmt(ctf_min_hz),
               "must be >= ladder.start_hz=" + fmt(lo) + " (the subjects' CTF must lie inside the frequency ladder)");
  }
  if (!(ctf_max_hz <= hi && ctf_max_hz >= ctf_min_hz)) {
    fail_param(kStudy, "study.ctf_max_hz", fmt(ctf_max_hz),
               "must be in [ctf_min_hz=" + fmt(ctf_min_hz) + ", ladder.max_hz=" + fmt(hi) +
                   "] (the subjects' CTF must lie inside the frequency ladder)");
  }
  if (!(ctf_mean_hz >= ctf_min_hz && ctf_mean_hz <= ctf_max_hz)) {
    fail_param(kStudy, "study.ctf_mean_hz", fmt(ctf_mean_hz),
               "must be in [ctf_min_hz=" + fmt(ctf_min_hz) + ", ctf_max_hz=" + fmt(ctf_max_hz) + "]");
  }
}

const ParamTable& StudyParams::describe() {
  static const ParamTable t = {
      {"name", "", "hydration", "[A-Za-z0-9_-]+", "study name (a preset name selects its conditions and effects)"},
      {"description", "", "preset", "text", "one line saying what the study compares"},
      {"n_subjects", "", "preset", "1..10000", "number of subjects"},
      {"ctf_mean_hz", "Hz", "preset", "[ctf_min_hz, ctf_max_hz]", "mean baseline CTF"},
      {"ctf_sd_hz", "Hz", "6", ">= 0", "between-subject SD of the baseline CTF"},
      {"ctf_min_hz", "Hz", "8", ">= ladder.start_hz", "lower truncation of the baseline CTF"},
      {"ctf_max_hz", "Hz", "40", "<= ladder.max_hz", "upper truncation of the baseline CTF"},
      {"retest_sd_hz", "Hz", "2", ">= 0", "within-subject session-to-session SD of the true CTF"},
      {"order_drift_hz", "Hz", "0", "finite", "CTF change per session position (learning or time effect)"},
      {"counterbalance", "", "true", "true|false", "rotate the condition order across subjects (Latin square)"},
      {"seed", "", "1", "0..2^64-1", "seed of the whole study; each session derives its own"},
  };
  return t;
}

// ---- plan ------------------------------------------------------------------------------------

StudyPlan plan_study(const StudyParams& params) {
  params.validate();
  StudyPlan plan;
  plan.params = params;
  const Rng base(params.seed);
  const std::vector<double> ladder = params.session.ladder.frequencies();
  const std::size_t n_cond = params.conditions.size();
  const int width = params.n_subjects >= 100 ? (params.n_subjects >= 1000 ? 4 : 3) : 2;
  for (int i = 0; i < params.n_subjects; ++i) {
    Rng rng = base.child(static_cast<std::uint64_t>(i) + 1);
    const std::string subject = "sub-" + zero_pad(i + 1, width);
    const double baseline = rng.truncated_normal(params.ctf_mean_hz, params.ctf_sd_hz, params.ctf_min_hz, params.ctf_max_hz);
    plan.subjects.push_back(subject);
    plan.baseline_ctf_hz.push_back(baseline);
    // Counterbalanced: subject i takes the conditions in the order rotated by i (AB, BA, AB, ...).
    for (std::size_t j = 0; j < n_cond; ++j) {
      const std::size_t c = params.counterbalance ? (static_cast<std::size_t>(i) + j) % n_cond : j;
      const ConditionSpec& cond = params.conditions[c];
      PlannedSession s;
      s.subject = subject;
      s.session = static_cast<int>(j) + 1;
      s.condition = cond.name;
      s.true_ctf_hz = baseline + cond.ctf_shift_hz + params.retest_sd_hz * rng.normal() +
                      params.order_drift_hz * static_cast<double>(j);
      s.true_ctf_hz = std::max(s.true_ctf_hz, 0.5);  // a threshold is a positive frequency
      s.ladder_ctf_hz = std::numeric_limits<double>::quiet_NaN();
      for (double f : ladder) {
        if (f >= s.true_ctf_hz) {
          s.ladder_ctf_hz = f;
          break;
        }
      }
      s.body_mass_change_pct = cond.body_mass_change_pct + cond.body_mass_change_sd_pct * rng.normal();
      s.usg = cond.usg + cond.usg_sd * rng.normal();
      s.seed = derive_seed(params.seed, 1000000 + plan.sessions.size());
      plan.sessions.push_back(s);
    }
  }
  return plan;
}

std::vector<SimulatedRecording> simulate_planned_session(const StudyPlan& plan, std::size_t index) {
  if (index >= plan.sessions.size()) {
    fail_param("simulate_planned_session", "index", std::to_string(index),
               "must be < " + std::to_string(plan.sessions.size()) + " (sessions in the plan)");
  }
  const PlannedSession& s = plan.sessions[index];
  std::vector<SimulatedRecording> recs = simulate_session(plan.params.session, s.true_ctf_hz, s.seed);
  for (auto& r : recs) {
    const std::pair<const char*, std::string> attrs[] = {{"study", plan.params.name},
                                                         {"subject", s.subject},
                                                         {"session", std::to_string(s.session)},
                                                         {"condition", s.condition},
                                                         {"body_mass_change_pct", fmt(s.body_mass_change_pct)},
                                                         {"usg", fmt(s.usg)}};
    for (const auto& [k, v] : attrs) {
      r.recording.set_attribute(k, v);
      r.truth.attributes[k] = v;
    }
    r.truth.attributes["true_ctf_hz"] = fmt(s.true_ctf_hz);
    r.truth.attributes["ladder_ctf_hz"] = fmt(s.ladder_ctf_hz);
  }
  return recs;
}

// ---- writer ----------------------------------------------------------------------------------

namespace {

struct SessionFiles {
  std::vector<std::string> files;  // relative to the study folder
  std::vector<TruthTrain> trains;  // per file, the (single) train when per_train
  std::size_t n_trains = 0;
  std::uint64_t bytes = 0;
};

std::string simulate_ini(const StudyPlan& plan) {
  const StudyParams& p = plan.params;
  std::map<std::string, std::map<std::string, std::string>> sections;
  StudyParams copy = p;
  for (const auto& f : study_fields(copy)) sections["study"][f.key.substr(6)] = field_text(f);
  for (const auto& [key, value] : session_attributes(p.session)) {
    const auto dot = key.find('.');
    sections[key.substr(0, dot)][key.substr(dot + 1)] = value;
  }
  std::string out =
      "# How this simulated study was made (cramplab simulate study). Regenerate it bit-for-bit with\n"
      "#   cramplab simulate study --config simulate.ini -o DIR\n"
      "# Library version " + emg::version() + ".\n";
  auto emit = [&](const std::string& name) {
    out += "\n[" + name + "]\n";
    for (const auto& [k, v] : sections[name]) out += k + " = " + v + "\n";
    if (name == "study") {
      for (const auto& c : p.conditions) {
        out += "condition = " + c.name + "," + fmt(c.ctf_shift_hz) + "," + fmt(c.body_mass_change_pct) + "," +
               fmt(c.body_mass_change_sd_pct) + "," + fmt(c.usg) + "," + fmt(c.usg_sd) + "\n";
      }
    }
  };
  emit("study");
  for (const auto& [name, _] : sections) {
    if (name != "study") emit(name);
  }
  return out;
}

std::string study_ini(const StudyPlan& plan) {
  const StudyParams& p = plan.params;
  std::string conds;
  for (const auto& c : p.conditions) conds += (conds.empty() ? "" : ",") + c.name;
  return "# CrampLab study configuration (DESIGN.md §4): the pipeline settings for this study folder.\n"
         "# Every key is also a command-line option of `cramplab study run` ([section] key = --section.key).\n"
         "\n[study]\n"
         "name = " + p.name + "\n"
         "description = " + p.description + "\n"
         "manifest = manifest.tsv\n"
         "conditions = " + conds + "\n"
         "simulated = true\n"
         "\n[bandpass]\nlow_hz = 20\nhigh_hz = 450\norder = 4\n"
         "\n[mains]\nline_hz = " + fmt(p.session.hum.line_hz) + "\n";
}

}  // namespace

StudyWriteReport write_study(const std::string& dir, const StudyParams& params, int jobs, bool overwrite,
                             const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const StudyPlan plan = plan_study(params);
  const fs::path root(dir);
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    throw IoError("write_study: '" + dir + "' exists and is not a folder");
  }
  if (fs::is_directory(root, ec) && !fs::is_empty(root, ec) && !overwrite) {
    throw IoError("write_study: folder '" + dir + "' is not empty (use overwrite to replace the files of the same name)");
  }
  for (const fs::path& p : {root, root / "recordings", root / "truth"}) {
    fs::create_directories(p, ec);
    if (!fs::is_directory(p)) throw IoError("write_study: cannot create folder '" + p.string() + "'");
  }

  const std::size_t n = plan.sessions.size();
  std::vector<SessionFiles> results(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::mutex m;
  std::condition_variable cv;
  std::size_t finished = 0;
  const bool per_train = params.session.layout == SessionLayout::per_train;

  auto work = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        const PlannedSession& s = plan.sessions[i];
        std::vector<SimulatedRecording> recs = simulate_planned_session(plan, i);
        SessionFiles& out = results[i];
        const std::string stem = s.subject + "_ses-" + std::to_string(s.session) + "_" + s.condition;
        for (std::size_t r = 0; r < recs.size(); ++r) {
          const std::string name =
              "recordings/" + stem + (per_train ? "_train-" + zero_pad(static_cast<long>(r) + 1, 2) : std::string()) + ".h5";
          io::WriteOptions opt;
          opt.overwrite = true;  // the folder check above already guards against clobbering
          const io::WriteReport rep = io::write((root / name).string(), recs[r].recording, opt, {}, recs[r].truth);
          out.files.push_back(name);
          out.bytes += rep.file_bytes;
          out.trains.insert(out.trains.end(), recs[r].truth.trains.begin(), recs[r].truth.trains.end());
        }
        out.n_trains = out.trains.size();
      } catch (...) {
        errors[i] = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(m);
        ++finished;
      }
      cv.notify_one();
    }
  };
  const int n_threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, jobs)), n));
  // jobs > 1: that many workers, the calling thread only reports progress
  std::vector<std::thread> pool;
  if (n_threads > 1) {
    for (int t = 0; t < n_threads; ++t) pool.emplace_back(work);
  }
  if (n_threads == 1) {
    work();
    if (progress) progress(n, n);
  } else {
    std::size_t shown = 0;
    while (shown < n) {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return finished > shown; });
      shown = finished;
      lock.unlock();
      if (progress) progress(shown, n);
    }
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  // ---- tables: manifest (what a lab would have), truth (what only the simulator knows) ----
  std::vector<std::vector<std::string>> manifest, sessions, subjects;
  std::uint64_t bytes = 0;
  std::size_t n_recordings = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const PlannedSession& s = plan.sessions[i];
    const SessionFiles& f = results[i];
    bytes += f.bytes;
    for (std::size_t r = 0; r < f.files.size(); ++r) {
      const std::string id = fs::path(f.files[r]).stem().string();
      std::vector<std::string> row{id, s.subject, std::to_string(s.session), s.condition, f.files[r],
                                   std::to_string(s.session), io::format_double(s.body_mass_change_pct),
                                   io::format_double(s.usg)};
      if (per_train) {
        row.push_back(std::to_string(f.trains[r].train_id));
        row.push_back(io::format_double(f.trains[r].frequency_hz));
      }
      manifest.push_back(std::move(row));
      ++n_recordings;
    }
    const bool censored = std::isnan(s.ladder_ctf_hz);
    sessions.push_back({s.subject, std::to_string(s.session), s.condition, io::format_double(s.true_ctf_hz),
                        censored ? "nan" : io::format_double(s.ladder_ctf_hz), censored ? "true" : "false",
                        std::to_string(f.n_trains), std::to_string(s.seed)});
  }
  for (std::size_t i = 0; i < plan.subjects.size(); ++i) {
    subjects.push_back({plan.subjects[i], io::format_double(plan.baseline_ctf_hz[i])});
  }
  std::vector<std::string> mh{"recording_id", "subject", "session", "condition", "file", "order", "body_mass_change_pct", "usg"};
  if (per_train) {
    mh.push_back("train_id");
    mh.push_back("frequency_hz");
  }
  io::write_tsv((root / "truth" / "sessions.tsv").string(),
                {"subject", "session", "condition", "true_ctf_hz", "ladder_ctf_hz", "censored", "n_trains", "seed"}, sessions);
  io::write_tsv((root / "truth" / "subjects.tsv").string(), {"subject", "baseline_ctf_hz"}, subjects);
  write_text_atomic(root / "simulate.ini", simulate_ini(plan));
  write_text_atomic(root / "study.ini", study_ini(plan));
  io::write_tsv((root / "manifest.tsv").string(), mh, manifest);  // last: its presence marks a complete folder

  StudyWriteReport rep;
  rep.n_sessions = n;
  rep.n_recordings = n_recordings;
  rep.bytes = bytes;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

// (here rather than in fields.cpp: the study table needs StudyParams::describe of this library)
std::vector<FieldRef> study_fields(StudyParams& p) {
  std::vector<FieldRef> out;
  FieldBuilder b(out);
  b.section("study", &StudyParams::describe())("name", &p.name)("description", &p.description)("n_subjects", &p.n_subjects)("ctf_mean_hz", &p.ctf_mean_hz)(
      "ctf_sd_hz", &p.ctf_sd_hz)("ctf_min_hz", &p.ctf_min_hz)("ctf_max_hz", &p.ctf_max_hz)("retest_sd_hz", &p.retest_sd_hz)(
      "order_drift_hz", &p.order_drift_hz)("counterbalance", &p.counterbalance)("seed", &p.seed);
  return out;
}

}  // namespace emg::simulate
