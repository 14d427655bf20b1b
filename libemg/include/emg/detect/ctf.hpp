// Cramp threshold frequency (CTF) of a session from its per-train cramp decisions (SCIENCE.md
// §1.3, §1.7): the lowest frequency that produced a (confirmed) cramp, reported as the interval
// (previous step, cramp step], right-censored when no train cramped, never replaced by max_hz.
#pragma once

#include <emg/detect/cramp.hpp>
#include <emg/params.hpp>

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace emg::detect {

/// What to do with a train that does not count (no decision, or status not "ok" with
/// require_ok_status) at or below the CTF (or anywhere when no cramp was confirmed).
enum class UncountedPolicy {
  skip,  ///< leave it out: the interval widens to the next counted step below (status skipped_trains)
  fail,  ///< no CTF (determined = false, status uncounted_trains)
};
UncountedPolicy parse_uncounted_policy(std::string_view text);  ///< "skip" | "fail"
std::string to_string(UncountedPolicy p);

/// validate(): confirm_repeats in 0..10; frequency_tolerance_hz finite > 0.
struct CtfParams {
  /// A frequency confirms when it produced at least 1 + confirm_repeats cramps (0 = the first
  /// cramp decides, Miller lab; 1 = at least two cramps, Akerman et al. 2020). Non-cramping
  /// repeats do not veto it.
  int confirm_repeats = 0;
  bool require_ok_status = false;  ///< count only trains with status "ok" (else every decided train)
  UncountedPolicy uncounted = UncountedPolicy::skip;
  double frequency_tolerance_hz = 0.5;  ///< trains within this of each other share a frequency step
  void validate() const;
  static const ParamTable& describe();
};

struct CtfResult {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  bool determined = false;    ///< false: no answer (status says why)
  double ctf_hz = kNaN;       ///< lowest confirmed cramping frequency (NaN when censored / undetermined)
  double lower_hz = kNaN;     ///< exclusive: the highest counted frequency below the CTF (0 when none)
  double upper_hz = kNaN;     ///< inclusive: = ctf_hz; +inf when right-censored
  bool censored = false;      ///< right-censored: no confirmed cramp up to lower_hz (the highest counted step)
  bool left_censored = false; ///< the lowest counted frequency cramped (CTF <= it)
  long train_id = -1;         ///< first train that cramped at the CTF
  long n_trains = 0;          ///< results given (no_stimulation placeholders excluded)
  long n_counted = 0;         ///< trains that entered the rule
  long n_cramps = 0;          ///< counted trains that cramped
  long n_cramps_at_ctf = 0;   ///< cramps at the CTF frequency
  long n_inconsistent = 0;    ///< counted trains above the CTF that did not cramp
  std::vector<long> uncounted_train_ids;  ///< trains left out (all of them, wherever they are)
  std::string status = "ok";  ///< ok | skipped_trains | uncounted_trains | no_stimulation | no_counted_trains
  std::string message;
};

/// Apply the CTF rule to the per-train results of one session (any order; delivery order is
/// not needed because the rule takes the lowest confirmed frequency).
/// @throws InvalidArgument for invalid params.
CtfResult cramp_threshold_frequency(const std::vector<CrampResult>& results, const CtfParams& params = {});

}  // namespace emg::detect
