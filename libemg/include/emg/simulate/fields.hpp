// Every simulator parameter by its one name ("ladder.start_hz", "session.snr_db"): the table the
// surfaces share, so the CLI options, the Python keywords, the simulate.ini keys and the /truth
// provenance attributes cannot drift apart.
#pragma once

#include <emg/fields.hpp>
#include <emg/params.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/study.hpp>

#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace emg::simulate {

using emg::EnumField;
using emg::FieldRef;
using emg::field_text;
using emg::set_field;

/// The fields of a session: session.*, ladder.*, afterdischarge.*, artifact.*, mwave.*,
/// spectrum.*, pool.*, cramp_firing.*, hum.*, wander.*, ecg.*, adc.*.
std::vector<FieldRef> session_fields(SessionParams& p);
/// bursts.*, spectrum.*, pool.*, hum.*, wander.*, ecg.*, adc.*.
std::vector<FieldRef> burst_fields(BurstTrialParams& p);
/// The scalar study.* fields (not the conditions, not the session).
std::vector<FieldRef> study_fields(StudyParams& p);

/// Find `key` in `fields`; throws InvalidArgument listing the sections when absent.
const FieldRef& find_field(const std::vector<FieldRef>& fields, const std::string& key);

}  // namespace emg::simulate
