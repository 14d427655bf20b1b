// Session analysis (emg/detect/session.hpp): the field table, the stimulation and cramp steps on
// a simulated session against its ground truth, and the result tables.
#include <emg/detect/session.hpp>
#include <emg/errors.hpp>
#include <emg/io/formats.hpp>
#include <emg/simulate/session.hpp>

#include <gtest/gtest.h>

#include "detail/robust.hpp"
#include "test_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace {

namespace sim = emg::simulate;
using emg::detect::SessionAnalysisParams;

sim::SimulatedRecording short_session(std::uint64_t seed, double ctf_hz = 10.0) {
  sim::SessionParams p;
  p.snr_db = 20.0;
  p.ladder.start_hz = 4.0;
  p.ladder.step_hz = 4.0;
  p.ladder.max_hz = 16.0;
  p.ladder.stop_at_first_cramp = false;
  p.ladder.rest_s = 10.0;
  p.post_s = 10.0;
  p.afterdischarge.duration_min_s = 3.0;
  p.afterdischarge.duration_max_s = 6.0;
  return sim::simulate_session(p, ctf_hz, seed).at(0);
}

TEST(RobustStatistics, RadixMedianEqualsTheSortedMedian) {
  // exact equality with the full selection (std::nth_element) for odd and even counts, ties,
  // signed values, +-0, a constant run and heavy tails; the input is not reordered
  std::uint64_t state = 88172645463325252ULL;
  const auto next = [&] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (const std::size_t n : {1ul, 2ul, 4095ul, 4096ul, 4097ul, 10000ul, 100001ul, 116551ul}) {
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<double> v(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double u = next() - 0.5;
        v[i] = kind == 0 ? u : kind == 1 ? std::round(u * 8.0) / 8.0 : kind == 2 ? (i % 3 ? 0.0 : -0.0) : u * u * u * 1e6;
      }
      const std::vector<double> before = v;
      std::vector<double> scratch(n), copy = v;
      const double fast = emg::detail::median_radix(v.data(), n, scratch.data());
      const double ref = emg::detail::median_in_place(copy.data(), n);
      EXPECT_EQ(fast, ref) << "n " << n << " kind " << kind;
      EXPECT_EQ(v, before);
    }
  }
}

TEST(SessionFields, EveryFieldIsDescribedAndRoundTrips) {
  SessionAnalysisParams p;
  const auto fields = emg::detect::session_analysis_fields(p);
  std::set<std::string> keys, sections;
  for (const auto& f : fields) {
    EXPECT_TRUE(keys.insert(f.key).second) << "duplicate " << f.key;
    sections.insert(f.key.substr(0, f.key.find('.')));
    ASSERT_NE(f.info, nullptr) << f.key << " has no ParamInfo in its section's describe()";
    // the documented default is the field's default (every default lives in C++ once)
    if (f.key != "analysis.channel") {
      const std::string doc = f.info->default_value, now = emg::field_text(f);
      char* end = nullptr;
      const double v = std::strtod(doc.c_str(), &end);
      if (end != doc.c_str() && *end == '\0') {
        EXPECT_EQ(v, std::strtod(now.c_str(), nullptr)) << f.key;
      } else {
        EXPECT_EQ(doc, now) << f.key;
      }
    }
    emg::set_field(f, emg::field_text(f));  // its own text parses back
  }
  EXPECT_EQ(sections, (std::set<std::string>{"analysis", "find", "pulses", "trains", "suppress", "mwave", "cramp",
                                             "cramp_suppress", "ctf"}));
  emg::set_field(emg::find_field(fields, "cramp.k_on"), "4.5");
  emg::set_field(emg::find_field(fields, "cramp_suppress.method"), "template_subtraction");
  emg::set_field(emg::find_field(fields, "ctf.uncounted"), "fail");
  EXPECT_EQ(p.cramp.k_on, 4.5);
  EXPECT_EQ(p.cramp.suppression.method, emg::stim::SuppressMethod::template_subtraction);
  EXPECT_EQ(p.ctf.uncounted, emg::detect::UncountedPolicy::fail);
  EXPECT_ERROR(emg::find_field(fields, "cramp.kon"), "cramp.kon", "sections");
  EXPECT_ERROR(emg::set_field(emg::find_field(fields, "suppress.method"), "blank"), "method", "blank");
}

TEST(SessionAnalysis, AgainstTheTruthFromTheEmg) {
  const auto s = short_session(11);
  SessionAnalysisParams p;
  p.find.source = "emg";  // not the stored /stimulation: detect the artefacts
  const auto a = emg::detect::analyse_session(s.recording, p);
  EXPECT_EQ(a.stim.search.source, "emg");
  ASSERT_EQ(a.stim.pulses.size(), s.truth.pulses.size());
  for (std::size_t i = 0; i < a.stim.pulses.size(); ++i) {
    EXPECT_EQ(a.stim.pulses[i], s.truth.pulses[i].sample) << i;
    EXPECT_EQ(a.stim.pulse_train_ids[i], s.truth.pulses[i].train_id) << i;
  }
  ASSERT_EQ(a.cramps.size(), s.truth.trains.size());
  for (std::size_t k = 0; k < a.cramps.size(); ++k) {
    EXPECT_TRUE(a.cramps[k].decided) << a.cramps[k].message;
    EXPECT_EQ(a.cramps[k].cramp, s.truth.trains[k].cramp) << k;
    EXPECT_NEAR(a.stim.search.trains[k].frequency_hz, s.truth.trains[k].frequency_hz, 0.05);
  }
  EXPECT_TRUE(a.ctf.determined);
  EXPECT_EQ(a.ctf.ctf_hz, 12.0);
  EXPECT_EQ(a.ctf.lower_hz, 8.0);
  // M-waves: one per pulse, and the simulated M-wave is found on (nearly) every pulse
  ASSERT_EQ(a.stim.mwaves.size(), a.stim.pulses.size());
  long found = 0;
  for (const auto& w : a.stim.mwaves) found += w.found;
  EXPECT_GE(static_cast<double>(found), 0.95 * static_cast<double>(a.stim.mwaves.size()));
  // the stored /stimulation gives the same trains
  const auto b = emg::detect::analyse_session(s.recording, SessionAnalysisParams{});
  EXPECT_EQ(b.stim.search.source, "stored");
  EXPECT_EQ(b.stim.pulses, a.stim.pulses);
  EXPECT_EQ(b.ctf.ctf_hz, a.ctf.ctf_hz);
}

TEST(SessionAnalysis, TablesHoldTheResults) {
  const auto s = short_session(12);
  const auto a = emg::detect::analyse_session(s.recording, {});
  const emg::Table pulses = emg::detect::pulses_table(a.stim);
  const emg::Table trains = emg::detect::trains_table(a.stim);
  const emg::Table mw = emg::detect::mwaves_table(a.stim);
  const emg::Table tr = emg::detect::mwave_trends_table(a.stim);
  const emg::Table cr = emg::detect::cramps_table(a);
  const emg::Table ctf = emg::detect::ctf_table(a);
  for (const emg::Table* t : {&pulses, &trains, &mw, &tr, &cr, &ctf}) t->validate("test");
  EXPECT_EQ(pulses.n_rows(), a.stim.pulses.size());
  EXPECT_EQ(trains.n_rows(), a.stim.search.trains.size());
  EXPECT_EQ(mw.n_rows(), a.stim.mwaves.size());
  EXPECT_EQ(tr.n_rows(), a.stim.search.trains.size() + 2);  // + the two across-train rows
  EXPECT_EQ(cr.n_rows(), a.cramps.size());
  EXPECT_EQ(ctf.n_rows(), 1u);
  const auto& samples = std::get<std::vector<std::int64_t>>(pulses.column("sample").values);
  EXPECT_EQ(samples, a.stim.pulses);
  const auto& ivs = std::get<std::vector<std::int64_t>>(pulses.column("suppressed_start_sample").values);
  EXPECT_EQ(ivs.front(), a.stim.intervals.front().start_sample);
  const auto& cramp = std::get<std::vector<std::uint8_t>>(cr.column("cramp").values);
  for (std::size_t k = 0; k < a.cramps.size(); ++k) EXPECT_EQ(cramp[k] != 0, s.truth.trains[k].cramp);
  EXPECT_EQ(emg::cell_text(ctf.column("ctf_hz"), 0), "12");
  EXPECT_EQ(emg::cell_text(ctf.column("upper_hz"), 0), "12");
  EXPECT_EQ(emg::cell_text(cr.column("decided"), 0), "true");
  EXPECT_ERROR(cr.column("nope"), "nope", "onset_s");
}

TEST(SessionAnalysis, NoStimulationAndBadInput) {
  emg::RowMatrixXd x(1, 20000);
  for (Eigen::Index i = 0; i < x.cols(); ++i) x(0, i) = std::sin(0.37 * static_cast<double>(i)) * 1e-5;
  const emg::Recording rec(x, 2000.0);
  const auto a = emg::detect::analyse_session(rec, {});
  EXPECT_TRUE(a.stim.pulses.empty());
  EXPECT_TRUE(a.stim.search.trains.empty());
  ASSERT_EQ(a.cramps.size(), 1u);
  EXPECT_EQ(a.cramps[0].status, "no_stimulation");
  EXPECT_FALSE(a.ctf.determined);
  EXPECT_EQ(a.ctf.status, "no_stimulation");
  EXPECT_EQ(emg::detect::trains_table(a.stim).n_rows(), 0u);
  EXPECT_EQ(emg::detect::mwave_trends_table(a.stim).n_rows(), 0u);
  SessionAnalysisParams p;
  p.channel = "EMG9";
  EXPECT_ANY_THROW(emg::detect::analyse_session(rec, p));
  p.channel.clear();
  p.cramp.k_on = -1.0;
  EXPECT_ERROR(emg::detect::analyse_session(rec, p), "k_on", "-1");
  p = {};
  p.find.source = "stored";
  EXPECT_ERROR(emg::detect::analyse_session(rec, p), "source", "stored");
  p = {};
  const emg::Recording slow(x, 200.0);
  p.find.source = "emg";
  EXPECT_ERROR(emg::detect::analyse_session(slow, p), "fs_hz");
}

TEST(SessionAnalysis, RealRecordingsWithoutStimulationGiveNoCramps) {
  // every channel of the real recordings (none has stimulation), pulses searched in the EMG itself:
  // no train passes the protocol checks and no cramp is reported. The needle recording of a
  // myopathy has sharp MUAPs that pass as single artefacts; they group into irregular "trains"
  // whose decisions are flagged (train_status) -- counted and printed, and none may be a cramp.
  struct File {
    const char* path;
    double fs_hz;
  };
  const File files[] = {{"real/biosppy-examples/emg_1.txt", 0.0},   {"real/biosppy-examples/emg.txt", 0.0},
                        {"real/uci-lower-limb/3Asen.txt", 1000.0},  {"real/uci-lower-limb/3Amar.txt", 1000.0},
                        {"real/physionet-emgdb/emg_healthy.hea", 0.0}, {"real/myonset-rt-task/example_data.edf", 0.0},
                        {"real/physionet-emgdb/emg_myopathy.hea", 0.0}};
  for (const File& f : files) {
    emg::io::ImportOptions opt;
    opt.text.fs_hz = f.fs_hz;
    const emg::Recording rec = emg::io::import_file(std::string(EMG_DATASETS_DIR) + "/" + f.path, opt);
    long trains = 0, ok_trains = 0, cramps = 0, decided = 0;
    for (long c = 0; c < rec.n_channels(); ++c) {
      SessionAnalysisParams p;
      p.find.source = "emg";
      p.channel = rec.channels()[static_cast<std::size_t>(c)].name;
      const auto a = emg::detect::analyse_session(rec, p);
      for (const auto& t : a.stim.search.trains) {
        ++trains;
        ok_trains += t.ok();
      }
      for (const auto& r : a.cramps) {
        decided += r.decided;
        cramps += r.decided && r.cramp;
      }
      if (a.stim.search.trains.empty()) {
        EXPECT_EQ(a.ctf.status, "no_stimulation") << f.path;
      } else {
        EXPECT_TRUE(a.ctf.censored || !a.ctf.determined) << f.path;
      }
    }
    std::printf("%-42s trains %ld (ok %ld), decided %ld, cramps %ld\n", f.path, trains, ok_trains, decided, cramps);
    EXPECT_EQ(ok_trains, 0) << f.path;
    EXPECT_EQ(cramps, 0) << f.path;
  }
}

}  // namespace

namespace {
TEST(SessionAnalysis, DetectionParametersAreCheckedWithStoredPulses) {
  // stored /stimulation makes pulses.* unused, but a bad value is still an error naming it
  const auto s = short_session(13);
  SessionAnalysisParams p;
  p.find.detect.threshold_mad = -1.0;
  EXPECT_ERROR(emg::detect::analyse_session(s.recording, p), "threshold_mad", "-1");
}
}  // namespace
