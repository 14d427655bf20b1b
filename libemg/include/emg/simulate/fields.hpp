// Every simulator parameter by its one name ("ladder.start_hz", "session.snr_db"): the table the
// surfaces share, so the CLI options, the Python keywords, the simulate.ini keys and the /truth
// provenance attributes cannot drift apart.
#pragma once

#include <emg/params.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/study.hpp>

#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace emg::simulate {

/// An enum-valued field, seen as text.
struct EnumField {
  std::function<std::string()> get;
  std::function<void(const std::string&)> set;  ///< throws InvalidArgument for an unknown name
  std::vector<std::string> choices;
};

/// A named reference into a params struct (valid while the struct lives).
struct FieldRef {
  std::string key;  ///< "<section>.<field>"
  std::variant<double*, int*, long*, bool*, std::string*, std::uint64_t*, EnumField> target;
  const ParamInfo* info = nullptr;  ///< unit, default, range and help from the struct's describe()
};

/// The fields of a session: session.*, ladder.*, afterdischarge.*, artifact.*, mwave.*,
/// spectrum.*, pool.*, cramp_firing.*, hum.*, wander.*, ecg.*, adc.*.
std::vector<FieldRef> session_fields(SessionParams& p);
/// bursts.*, spectrum.*, pool.*, hum.*, wander.*, ecg.*, adc.*.
std::vector<FieldRef> burst_fields(BurstTrialParams& p);
/// The scalar study.* fields (not the conditions, not the session).
std::vector<FieldRef> study_fields(StudyParams& p);

/// The current value as text (the shortest round-trip form for numbers; true/false).
std::string field_text(const FieldRef& f);
/// Parse `text` into the field; throws InvalidArgument naming the key, the value and the type.
void set_field(const FieldRef& f, const std::string& text);
/// Find `key` in `fields`; throws InvalidArgument listing the sections when absent.
const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key);

}  // namespace emg::simulate
