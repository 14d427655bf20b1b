// Cramp threshold frequency from per-train decisions (SCIENCE.md §1.3): lowest confirmed cramping
// frequency, interval (previous counted step, CTF], right-censored when nothing confirmed.
#include <emg/detect/ctf.hpp>
#include <emg/errors.hpp>

#include "detail/check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace emg::detect {

using detail::fail_param;
using detail::fmt;

namespace {
constexpr std::string_view kCtf = "cramp_threshold_frequency";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string id_list(const std::vector<long>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > 8) s += ", ... (" + std::to_string(ids.size()) + " in all)";
  return s;
}
}  // namespace

UncountedPolicy parse_uncounted_policy(std::string_view text) {
  if (text == "skip") return UncountedPolicy::skip;
  if (text == "fail") return UncountedPolicy::fail;
  std::string quoted(1, '"');
  quoted.append(text);
  quoted.push_back('"');
  fail_param("CtfParams", "uncounted", quoted, "must be skip or fail");
}

std::string to_string(UncountedPolicy p) { return p == UncountedPolicy::skip ? "skip" : "fail"; }

void CtfParams::validate() const {
  if (confirm_repeats < 0 || confirm_repeats > 10) {
    fail_param("CtfParams", "confirm_repeats", std::to_string(confirm_repeats), "must be in 0..10");
  }
  detail::check_positive("CtfParams", "frequency_tolerance_hz", frequency_tolerance_hz);
}

const ParamTable& CtfParams::describe() {
  static const ParamTable table = {
      {"confirm_repeats", "", "0", "0..10",
       "a frequency confirms with >= 1 + confirm_repeats cramps (0 = the first cramp decides; 1 = two cramps, Akerman 2020)"},
      {"require_ok_status", "", "false", "true|false", "count only trains whose cramp status is ok (else every decided train)"},
      {"uncounted", "", "skip", "skip|fail",
       "trains that do not count at or below the CTF: skip them (the interval widens) or give no CTF"},
      {"frequency_tolerance_hz", "Hz", "0.5", "> 0", "trains within this of each other are the same frequency step"},
  };
  return table;
}

CtfResult cramp_threshold_frequency(const std::vector<CrampResult>& results, const CtfParams& params) {
  params.validate();
  CtfResult out;
  struct Item {
    double f;
    bool cramp;
    long id;
    std::size_t order;
  };
  std::vector<Item> counted;
  std::vector<std::pair<double, long>> uncounted;  // frequency (NaN = unknown), train id
  for (std::size_t k = 0; k < results.size(); ++k) {
    const CrampResult& r = results[k];
    if (r.status == "no_stimulation") continue;
    ++out.n_trains;
    const bool counts = r.decided && std::isfinite(r.frequency_hz) && (!params.require_ok_status || r.ok());
    if (counts) counted.push_back({r.frequency_hz, r.cramp, r.train_id, k});
    else uncounted.emplace_back(r.frequency_hz, r.train_id);
  }
  for (const auto& u : uncounted) out.uncounted_train_ids.push_back(u.second);
  out.n_counted = static_cast<long>(counted.size());
  for (const Item& c : counted) out.n_cramps += c.cramp ? 1 : 0;
  if (out.n_trains == 0) {
    out.status = "no_stimulation";
    out.message = "no stimulation trains: no CTF";
    return out;
  }
  if (counted.empty()) {
    out.status = "no_counted_trains";
    out.message = "none of the " + std::to_string(out.n_trains) + " trains has a usable decision (trains " +
                  id_list(out.uncounted_train_ids) + ")";
    return out;
  }

  // frequency steps (groups of counted trains within the tolerance of the group's lowest)
  std::sort(counted.begin(), counted.end(), [](const Item& a, const Item& b) { return a.f < b.f || (a.f == b.f && a.order < b.order); });
  const double tol = params.frequency_tolerance_hz;
  const long need = 1 + params.confirm_repeats;
  double ctf = kNaN, lower = 0.0, highest = counted.back().f;
  long first_id = -1, n_at = 0;
  std::size_t g = 0;
  while (g < counted.size()) {
    std::size_t e = g;
    long cramps = 0;
    std::size_t first_order = std::numeric_limits<std::size_t>::max();
    long id = -1;
    while (e < counted.size() && counted[e].f - counted[g].f <= tol) {
      if (counted[e].cramp) {
        ++cramps;
        if (counted[e].order < first_order) {
          first_order = counted[e].order;
          id = counted[e].id;
        }
      }
      ++e;
    }
    if (cramps >= need) {
      ctf = results[first_order].frequency_hz;
      first_id = id;
      n_at = cramps;
      for (std::size_t i = e; i < counted.size(); ++i) out.n_inconsistent += counted[i].cramp ? 0 : 1;
      break;
    }
    lower = counted[e - 1].f;
    g = e;
  }
  const bool censored = !std::isfinite(ctf);

  // uncounted trains that could change the answer
  std::vector<long> relevant;
  for (const auto& [f, id] : uncounted) {
    if (censored || !std::isfinite(f) || f <= ctf + tol) relevant.push_back(id);
  }
  if (!relevant.empty() && params.uncounted == UncountedPolicy::fail) {
    out.status = "uncounted_trains";
    out.message = "trains " + id_list(relevant) + (censored ? "" : " (at or below " + fmt(ctf) + " Hz or of unknown frequency)") +
                  " have no usable decision and uncounted=fail";
    return out;
  }
  out.determined = true;
  out.censored = censored;
  if (censored) {
    out.lower_hz = highest;
    out.upper_hz = std::numeric_limits<double>::infinity();
    out.message = "right-censored: no confirmed cramp up to " + fmt(highest) + " Hz (" + std::to_string(out.n_cramps) +
                  " cramp(s) in all; a frequency confirms with " + std::to_string(need) + ")";
  } else {
    out.ctf_hz = ctf;
    out.upper_hz = ctf;
    out.lower_hz = lower;
    out.left_censored = lower == 0.0;
    out.train_id = first_id;
    out.n_cramps_at_ctf = n_at;
    out.message = "CTF in (" + fmt(lower) + ", " + fmt(ctf) + "] Hz: " + std::to_string(n_at) + " cramp(s) at " + fmt(ctf) +
                  " Hz, first train " + std::to_string(first_id);
    if (out.left_censored) out.message += "; the lowest counted frequency cramped (left-censored)";
    if (out.n_inconsistent > 0) {
      out.message += "; " + std::to_string(out.n_inconsistent) + " counted train(s) above the CTF did not cramp";
    }
  }
  if (!relevant.empty()) {
    out.status = "skipped_trains";
    out.message += "; skipped trains without a usable decision: " + id_list(relevant);
  }
  return out;
}

}  // namespace emg::detect
