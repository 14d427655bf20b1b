// Option groups of `cramplab simulate`: every generator parameter as --<section>.<field>, made from
// the library's field tables (emg/simulate/fields.hpp), so the options have the same names as the
// C++ structs, the Python keywords and the keys of the simulate.ini a simulated study carries.
#pragma once

#include "common/cli.hpp"

#include <emg/simulate/fields.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/study.hpp>

#include <string>
#include <vector>

namespace cramplab {

/// One option group per section of `fields` (in order of first appearance), bound to the fields;
/// the shown default is the field's current value.
std::vector<po::options_description> field_options(const std::vector<emg::simulate::FieldRef>& fields);

struct StudyArgs {
  emg::simulate::StudyParams study;
  std::string preset = "hydration";
  std::vector<std::string> conditions;  ///< "name,shift_hz[,bm_pct,bm_sd_pct,usg,usg_sd]"
};
/// --study.preset, --study.condition and the study.* fields.
po::options_description study_options(StudyArgs& args, std::vector<emg::simulate::FieldRef>& fields);
/// Start from the preset (conditions, n, CTF distribution), then apply the study options given
/// explicitly in `vm` (command line or --config) and the session.
void finish(StudyArgs& args, const emg::simulate::SessionParams& session, const po::variables_map& vm);

}  // namespace cramplab
