// cramplab._core.simulate: the ground-truth simulator (emg/simulate/*.hpp). Parameters come in as
// {"section.field": "text"} maps and go through the library's field tables (emg/simulate/fields.hpp),
// so every name, parse rule and error message is the same as the CLI's. cramplab/simulate.py is the
// user-facing layer (sections as keyword dicts, pandas tables).
#include "common.hpp"

#include <emg/errors.hpp>
#include <emg/simulate/fields.hpp>
#include <emg/simulate/motor_units.hpp>
#include <emg/simulate/session.hpp>
#include <emg/simulate/shaped_noise.hpp>
#include <emg/simulate/study.hpp>

#include <map>
#include <string>

namespace cramplab {

namespace {

namespace sim = emg::simulate;
using Params = std::map<std::string, std::string>;

void apply_params(std::vector<sim::FieldRef> fields, const Params& params, const char* skip_prefix = nullptr) {
  for (const auto& [key, value] : params) {
    if (skip_prefix && key.rfind(skip_prefix, 0) == 0) continue;
    sim::set_field(sim::find_field(fields, key), value);
  }
}

py::list simulated_out(std::vector<sim::SimulatedRecording>&& recs) {
  py::list out;
  for (auto& r : recs) out.append(py::make_tuple(py::cast(std::move(r.recording)), py::cast(std::move(r.truth))));
  return out;
}

sim::StudyParams study_from(const Params& params, const std::string& preset, const std::vector<Params>& conditions) {
  sim::StudyParams p = sim::study_preset(preset);
  Params study_part, session_part;
  for (const auto& kv : params) {
    if (kv.first.rfind("study.", 0) == 0) study_part[kv.first] = kv.second;
    else session_part[kv.first] = kv.second;
  }
  apply_params(sim::study_fields(p), study_part);
  apply_params(sim::session_fields(p.session), session_part);
  if (!conditions.empty()) {
    p.conditions.clear();
    for (const auto& c : conditions) {
      sim::ConditionSpec spec;
      for (const auto& [k, v] : c) {
        std::vector<sim::FieldRef> f;
        auto number = [&](double* target) {
          sim::FieldRef ref;
          ref.key = "condition." + k;
          ref.target = target;
          sim::set_field(ref, v);
        };
        if (k == "name") spec.name = v;
        else if (k == "source") spec.source = v;
        else if (k == "ctf_shift_hz") number(&spec.ctf_shift_hz);
        else if (k == "body_mass_change_pct") number(&spec.body_mass_change_pct);
        else if (k == "body_mass_change_sd_pct") number(&spec.body_mass_change_sd_pct);
        else if (k == "usg") number(&spec.usg);
        else if (k == "usg_sd") number(&spec.usg_sd);
        else {
          throw emg::InvalidArgument("simulate: condition field '" + k +
                                     "' is not one of name, ctf_shift_hz, body_mass_change_pct, body_mass_change_sd_pct, "
                                     "usg, usg_sd, source");
        }
      }
      p.conditions.push_back(spec);
    }
  }
  return p;
}

py::list parameter_rows(const std::vector<sim::FieldRef>& fields) {
  py::list rows;
  for (const auto& f : fields) {
    rows.append(py::make_tuple(f.key, sim::field_text(f), f.info ? f.info->unit : "", f.info ? f.info->range : "",
                               f.info ? f.info->help : ""));
  }
  return rows;
}

}  // namespace

void bind_simulate(py::module_& m) {
  m.def(
      "simulate_session",
      [](const Params& params, double ctf_hz, std::uint64_t seed) {
        sim::SessionParams p;
        apply_params(sim::session_fields(p), params);
        std::vector<sim::SimulatedRecording> recs;
        {
          py::gil_scoped_release nogil;
          recs = sim::simulate_session(p, ctf_hz, seed);
        }
        return simulated_out(std::move(recs));
      },
      py::arg("params"), py::arg("ctf_hz"), py::arg("seed"),
      "Simulate one EIC session; params maps 'section.field' to text. Returns [(Recording, GroundTruth)].");
  m.def(
      "simulate_bursts",
      [](const Params& params, std::uint64_t seed) {
        sim::BurstTrialParams p;
        apply_params(sim::burst_fields(p), params);
        std::vector<sim::SimulatedRecording> recs;
        {
          py::gil_scoped_release nogil;
          recs.push_back(sim::simulate_bursts(p, seed));
        }
        return simulated_out(std::move(recs));
      },
      py::arg("params"), py::arg("seed"), "Simulate a voluntary-burst trial. Returns [(Recording, GroundTruth)].");
  m.def(
      "plan_study",
      [](const Params& params, const std::string& preset, const std::vector<Params>& conditions) {
        const sim::StudyPlan plan = sim::plan_study(study_from(params, preset, conditions));
        py::dict out;
        py::list subject, session, condition, true_ctf, ladder_ctf, bm, usg, seed, baseline;
        for (std::size_t i = 0; i < plan.sessions.size(); ++i) {
          const auto& s = plan.sessions[i];
          subject.append(s.subject);
          session.append(s.session);
          condition.append(s.condition);
          true_ctf.append(s.true_ctf_hz);
          ladder_ctf.append(s.ladder_ctf_hz);
          bm.append(s.body_mass_change_pct);
          usg.append(s.usg);
          seed.append(s.seed);
          for (std::size_t j = 0; j < plan.subjects.size(); ++j)
            if (plan.subjects[j] == s.subject) baseline.append(plan.baseline_ctf_hz[j]);
        }
        out["subject"] = subject;
        out["session"] = session;
        out["condition"] = condition;
        out["baseline_ctf_hz"] = baseline;
        out["true_ctf_hz"] = true_ctf;
        out["ladder_ctf_hz"] = ladder_ctf;
        out["body_mass_change_pct"] = bm;
        out["usg"] = usg;
        out["seed"] = seed;
        py::dict info;
        info["name"] = plan.params.name;
        info["description"] = plan.params.description;
        py::list conds;
        for (const auto& c : plan.params.conditions) {
          py::dict d;
          d["name"] = c.name;
          d["ctf_shift_hz"] = c.ctf_shift_hz;
          d["body_mass_change_pct"] = c.body_mass_change_pct;
          d["usg"] = c.usg;
          d["source"] = c.source;
          conds.append(d);
        }
        info["conditions"] = conds;
        return py::make_tuple(out, info);
      },
      py::arg("params"), py::arg("preset"), py::arg("conditions"),
      "Draw a study plan (no signals). Returns (columns dict, study info dict).");
  m.def(
      "write_study",
      [](const std::string& dir, const Params& params, const std::string& preset, const std::vector<Params>& conditions,
         int jobs, bool overwrite) {
        const sim::StudyParams p = study_from(params, preset, conditions);
        sim::StudyWriteReport rep;
        {
          py::gil_scoped_release nogil;
          rep = sim::write_study(dir, p, jobs, overwrite);
        }
        py::dict out;
        out["n_sessions"] = rep.n_sessions;
        out["n_recordings"] = rep.n_recordings;
        out["bytes"] = rep.bytes;
        out["seconds"] = rep.seconds;
        return out;
      },
      py::arg("dir"), py::arg("params"), py::arg("preset"), py::arg("conditions"), py::arg("jobs"), py::arg("overwrite"),
      "Write a simulated study folder. Returns a report dict.");
  m.def(
      "parameters",
      [](const std::string& kind) {
        if (kind == "session") {
          sim::SessionParams p;
          return parameter_rows(sim::session_fields(p));
        }
        if (kind == "bursts") {
          sim::BurstTrialParams p;
          return parameter_rows(sim::burst_fields(p));
        }
        if (kind == "study") {
          sim::StudyParams p;
          return parameter_rows(sim::study_fields(p));
        }
        throw py::value_error("parameters: kind='" + kind + "' must be session, bursts or study");
      },
      py::arg("kind"), "Every parameter of a simulator kind: (key, default, unit, range, help) rows.");
  m.def("study_presets", &sim::study_preset_names, "Names of the study presets.");
  m.def(
      "shaped_noise",
      [](long n_samples, double fs_hz, double low_corner_hz, double high_corner_hz, double scale, std::uint64_t seed) {
        sim::SpectrumShape shape{.low_corner_hz = low_corner_hz, .high_corner_hz = high_corner_hz, .scale = scale};
        sim::Rng rng(seed);
        VectorXd v;
        {
          py::gil_scoped_release nogil;
          v = sim::shaped_noise(n_samples, fs_hz, shape, rng);
        }
        RowMatrixXd m1(1, v.size());
        m1.row(0) = v.transpose();
        return signal_out(std::move(m1), true);
      },
      py::arg("n_samples"), py::arg("fs_hz"), py::arg("low_corner_hz"), py::arg("high_corner_hz"), py::arg("scale"),
      py::arg("seed"), "Unit-variance Gaussian noise with the EMG model spectrum (level A).");
  m.def(
      "emg_psd_model",
      [](const py::handle& f, double low_corner_hz, double high_corner_hz, double scale) {
        const VectorXd fv = as_vector(f, "emg_psd_model", "f_hz");
        sim::SpectrumShape shape{.low_corner_hz = low_corner_hz, .high_corner_hz = high_corner_hz, .scale = scale};
        RowMatrixXd out(1, fv.size());
        for (Eigen::Index i = 0; i < fv.size(); ++i) out(0, i) = sim::emg_psd_model(fv[i], shape);
        return signal_out(std::move(out), true);
      },
      py::arg("f_hz"), py::arg("low_corner_hz"), py::arg("high_corner_hz"), py::arg("scale"),
      "The model PSD (k = 1) at the frequencies f_hz.");
}

}  // namespace cramplab
