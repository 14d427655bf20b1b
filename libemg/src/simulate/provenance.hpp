// Every generator parameter as "<section>.<name>" -> text, for the /truth attributes (so a file
// says exactly how it was made) and the study.ini written beside a simulated study.
#pragma once

#include <emg/simulate/session.hpp>

#include <map>
#include <string>

namespace emg::simulate {

std::map<std::string, std::string> session_attributes(const SessionParams& p);
std::map<std::string, std::string> burst_attributes(const BurstTrialParams& p);

}  // namespace emg::simulate
