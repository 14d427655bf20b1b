#include "common/simulate_options.hpp"

#include "common/field_options.hpp"

#include <emg/errors.hpp>

#include <map>
#include <sstream>

namespace cramplab {

namespace {

namespace sim = emg::simulate;

const std::map<std::string, std::string>& section_titles() {
  static const std::map<std::string, std::string> t = {
      {"session", "Session (one EIC frequency ladder)"},
      {"ladder", "Frequency ladder (SCIENCE.md §1.3)"},
      {"afterdischarge", "Cramp afterdischarge (SCIENCE.md §7.1, §7.3)"},
      {"artifact", "Stimulation artefact (SCIENCE.md §7.3)"},
      {"mwave", "M-wave and F-wave (SCIENCE.md §4.3, §7.3)"},
      {"cramp_firing", "Motor-unit firing during a cramp (level B; Minetto 2009)"},
      {"spectrum", "EMG spectrum (Shwedyk / Farina-Merletti model, SCIENCE.md §7.1)"},
      {"pool", "Motor-unit pool (level B, emg_model motor_units; Fuglevand 1993)"},
      {"hum", "Mains hum"},
      {"wander", "Baseline wander"},
      {"ecg", "ECG contamination"},
      {"adc", "ADC (quantisation and clipping)"},
      {"bursts", "Voluntary-burst trial (for onset/offset detectors)"},
      {"study", "Study (subjects, conditions and effects; SCIENCE.md §9)"},
  };
  return t;
}

void add_field(po::options_description& d, const sim::FieldRef& f) {
  const std::string help = field_help(f);
  const std::string shown = sim::field_text(f);
  struct V {
    po::options_description& d;
    const sim::FieldRef& f;
    const std::string& help;
    const std::string& shown;
    void operator()(double* v) const { d.add_options()(f.key.c_str(), po::value<double>(v)->default_value(*v, shown), help.c_str()); }
    void operator()(int* v) const { d.add_options()(f.key.c_str(), po::value<int>(v)->default_value(*v), help.c_str()); }
    void operator()(long* v) const { d.add_options()(f.key.c_str(), po::value<long>(v)->default_value(*v), help.c_str()); }
    void operator()(bool* v) const { d.add_options()(f.key.c_str(), po::value<bool>(v)->default_value(*v, shown), help.c_str()); }
    void operator()(std::string* v) const {
      d.add_options()(f.key.c_str(), po::value<std::string>(v)->default_value(*v, "\"" + *v + "\""), help.c_str());
    }
    void operator()(std::uint64_t* v) const {
      d.add_options()(f.key.c_str(), po::value<std::uint64_t>(v)->default_value(*v), help.c_str());
    }
    void operator()(const sim::EnumField& e) const {
      std::string choices;
      for (const auto& c : e.choices) choices += (choices.empty() ? "" : "|") + c;
      const std::string h = help.empty() ? choices : help;
      auto set = e.set;
      d.add_options()(f.key.c_str(),
                      po::value<std::string>()->default_value(e.get())->notifier([set](const std::string& s) { set(s); }),
                      h.c_str());
    }
  };
  std::visit(V{d, f, help, shown}, f.target);
}

double parse_number(const std::string& item, const std::string& field, const std::string& value) {
  try {
    std::size_t used = 0;
    const double v = std::stod(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("--study.condition '" + item + "': " + field + "='" + value + "' is not a number");
}

}  // namespace

std::vector<po::options_description> field_options(const std::vector<sim::FieldRef>& fields) {
  return grouped_field_options(fields, section_titles(), add_field);
}

po::options_description study_options(StudyArgs& a, std::vector<sim::FieldRef>& fields) {
  std::string presets;
  for (const auto& n : sim::study_preset_names()) presets += (presets.empty() ? "" : ", ") + n;
  fields = sim::study_fields(a.study);
  po::options_description d = field_options(fields).front();
  d.add_options()("study.preset", po::value<std::string>(&a.preset)->default_value(a.preset),
                  ("published design to start from (its conditions, effects, n and CTF distribution): " + presets).c_str())(
      "study.condition", po::value<std::vector<std::string>>(&a.conditions)->composing(),
      "a condition instead of the preset's, repeatable: name,ctf_shift_hz[,body_mass_change_pct,"
      "body_mass_change_sd_pct,usg,usg_sd]");
  return d;
}

void finish(StudyArgs& a, const sim::SessionParams& session, const po::variables_map& vm) {
  sim::StudyParams p = sim::study_preset(a.preset);
  // The preset gives every study.* value unless the option was given (command line or --config).
  std::vector<sim::FieldRef> given = sim::study_fields(a.study);
  std::vector<sim::FieldRef> target = sim::study_fields(p);
  for (std::size_t i = 0; i < given.size(); ++i) {
    const auto& key = given[i].key;
    if (key == "study.seed" || (vm.count(key) && !vm[key].defaulted())) sim::set_field(target[i], sim::field_text(given[i]));
  }
  if (!a.conditions.empty()) {
    p.conditions.clear();
    for (const auto& item : a.conditions) {
      std::vector<std::string> f;
      std::stringstream ss(item);
      for (std::string tok; std::getline(ss, tok, ',');) f.push_back(tok);
      if (f.size() != 2 && f.size() != 6) {
        throw UsageError("--study.condition '" + item +
                         "' must be name,ctf_shift_hz or name,ctf_shift_hz,body_mass_change_pct,body_mass_change_sd_pct,usg,usg_sd");
      }
      sim::ConditionSpec c;
      c.name = f[0];
      c.ctf_shift_hz = parse_number(item, "ctf_shift_hz", f[1]);
      if (f.size() == 6) {
        c.body_mass_change_pct = parse_number(item, "body_mass_change_pct", f[2]);
        c.body_mass_change_sd_pct = parse_number(item, "body_mass_change_sd_pct", f[3]);
        c.usg = parse_number(item, "usg", f[4]);
        c.usg_sd = parse_number(item, "usg_sd", f[5]);
      }
      c.source = "command line";
      p.conditions.push_back(c);
    }
    if (!(vm.count("study.name") && !vm["study.name"].defaulted())) p.name = "custom";
    if (!(vm.count("study.description") && !vm["study.description"].defaulted())) p.description = "conditions given as options";
  }
  p.session = session;
  a.study = p;
}

}  // namespace cramplab
