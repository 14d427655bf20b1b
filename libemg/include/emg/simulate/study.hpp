// Simulated studies (SCIENCE.md §1.7, §6.5, §7.3, §9): subjects with a true CTF, conditions with
// published effects on it (hydration, rehydration fluid, local fatigue, prior cramp), retest
// variability and order drift, counterbalanced order and covariates (body-mass change, urine
// specific gravity); every session simulated as an EIC ladder with ground truth, written as a
// study folder (DESIGN.md §4): recordings/*.h5, manifest.tsv, study.ini, truth/*.tsv.
#pragma once

#include <emg/params.hpp>
#include <emg/simulate/session.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace emg::simulate {

/// A condition and its effect relative to the subject's baseline CTF.
struct ConditionSpec {
  std::string name;                     ///< e.g. "euhydrated", "hypohydrated"; [A-Za-z0-9_-]+
  double ctf_shift_hz = 0.0;            ///< true CTF = baseline + shift (+ retest noise + drift)
  double body_mass_change_pct = 0.0;    ///< mean covariate value
  double body_mass_change_sd_pct = 0.3;
  double usg = 1.010;                   ///< urine specific gravity, mean
  double usg_sd = 0.004;
  std::string source;                   ///< the study the effect comes from
};

struct StudyParams {
  std::string name = "hydration";
  std::string description;
  int n_subjects = 12;
  std::vector<ConditionSpec> conditions;  ///< empty = the "hydration" preset's conditions
  double ctf_mean_hz = 20.0;              ///< baseline CTF ~ N(mean, sd) truncated to [min, max]
  double ctf_sd_hz = 6.0;
  double ctf_min_hz = 8.0;
  double ctf_max_hz = 40.0;
  double retest_sd_hz = 2.0;              ///< within-subject session-to-session SD
  double order_drift_hz = 0.0;            ///< added per session position (learning / time effect)
  bool counterbalance = true;             ///< rotate condition orders across subjects (Latin square)
  SessionParams session;
  std::uint64_t seed = 1;
  void validate() const;
  static const ParamTable& describe();
};

/// The named presets, each a published design (SCIENCE.md §9): "hydration" (euhydrated vs 3 %
/// body-mass loss, no effect: Miller 2010, Braulick 2013), "rehydration" (water -5 Hz vs oral
/// rehydration solution +5 Hz after 2 % loss: Lau 2019), "fatigue" (local fatigue +13 Hz: Stone
/// 2010), "prior_cramp" (-4 Hz: Miller 2017). Throws InvalidArgument for another name.
StudyParams study_preset(const std::string& name);
std::vector<std::string> study_preset_names();

/// One session of the plan: who, which condition, in which position, and the truth.
struct PlannedSession {
  std::string subject;        ///< "sub-01"
  int session = 1;            ///< 1-based position in the subject's order
  std::string condition;
  double true_ctf_hz = 0.0;   ///< continuous true threshold of this session
  double ladder_ctf_hz = 0.0; ///< first ladder frequency >= true CTF (NaN = censored, > max_hz)
  double body_mass_change_pct = 0.0;
  double usg = 0.0;
  std::uint64_t seed = 0;     ///< the session's own seed
};

struct StudyPlan {
  StudyParams params;
  std::vector<std::string> subjects;
  std::vector<double> baseline_ctf_hz;  ///< per subject
  std::vector<PlannedSession> sessions; ///< subject-major, in session order
};

/// Draw subjects, orders, true CTFs and covariates (cheap; no signals).
StudyPlan plan_study(const StudyParams& params);

/// Simulate one planned session (the recordings of that session).
std::vector<SimulatedRecording> simulate_planned_session(const StudyPlan& plan, std::size_t index);

struct StudyWriteReport {
  std::size_t n_sessions = 0;
  std::size_t n_recordings = 0;
  std::uint64_t bytes = 0;
  double seconds = 0.0;
};

/// Write the study folder `dir` (created; refuses a non-empty folder unless overwrite): sessions
/// are simulated and written on `jobs` threads; the bytes do not depend on `jobs`.
/// `progress(done, total)` is called on the calling thread.
StudyWriteReport write_study(const std::string& dir, const StudyParams& params, int jobs = 1, bool overwrite = false,
                             const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace emg::simulate
