#include "simulate/provenance.hpp"

#include <emg/simulate/fields.hpp>

namespace emg::simulate {

namespace {

template <class P>
std::map<std::string, std::string> as_attributes(P copy, std::vector<FieldRef> (*fields)(P&)) {
  std::map<std::string, std::string> a;
  for (const auto& f : fields(copy)) a[f.key] = field_text(f);
  return a;
}

}  // namespace

std::map<std::string, std::string> session_attributes(const SessionParams& p) {
  return as_attributes<SessionParams>(p, &session_fields);
}

std::map<std::string, std::string> burst_attributes(const BurstTrialParams& p) {
  return as_attributes<BurstTrialParams>(p, &burst_fields);
}

}  // namespace emg::simulate
