// Entry points of the subcommands (one file each under tools/commands/). Each takes the words
// after the command name and returns the exit code; errors are thrown and mapped in main.cpp.
#pragma once

#include <string>
#include <vector>

namespace cramplab {

int run_filter(const std::vector<std::string>& args);
int run_psd(const std::vector<std::string>& args);
int run_fatigue(const std::vector<std::string>& args);
int run_info(const std::vector<std::string>& args);
int run_import(const std::vector<std::string>& args);
int run_export(const std::vector<std::string>& args);
int run_validate(const std::vector<std::string>& args);
int run_simulate(const std::vector<std::string>& args);
int run_stim(const std::vector<std::string>& args);
int run_cramp(const std::vector<std::string>& args);
int run_onsets(const std::vector<std::string>& args);

}  // namespace cramplab
