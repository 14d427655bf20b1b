// The onset-detection framework (emg/detect/onsets.hpp) independent of any one detector's test
// function: method names, the rest window (given, automatic = quietest, quietness check), the
// statuses of bad signals (flat, NaN, no activity), parameter rules naming the dotted key, the
// shared post-processing (merge gaps, minimum active, minimum rest), scores and censoring, the
// field table, the result tables, the multichannel path, and evaluate_onsets against
// hand-computed values.
#include <emg/detect/onsets.hpp>
#include <emg/errors.hpp>
#include <emg/recording.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

namespace det = emg::detect;
using det::OnsetParams;

constexpr double kFs = 2000.0;

/// White Gaussian noise of SD `sd` with bursts of SD `burst_sd` over [start_s, end_s) spans.
std::vector<double> bursts(double duration_s, double sd, double burst_sd, const std::vector<std::pair<double, double>>& spans,
                           unsigned seed = 7) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  const auto n = static_cast<std::size_t>(duration_s * kFs);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / kFs;
    double s = sd;
    for (const auto& [a, b] : spans)
      if (t >= a && t < b) s = burst_sd;
    x[i] = s * g(rng);
  }
  return x;
}

OnsetParams plain() {
  OnsetParams p;
  p.onsets.method = det::OnsetMethod::hodges_bui;
  return p;
}

std::string error_of(const std::vector<double>& x, double fs, const OnsetParams& p) {
  try {
    (void)det::detect_onsets(x, fs, p);
  } catch (const emg::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(OnsetMethods, NamesRoundTripAndUnknownListsThem) {
  ASSERT_EQ(det::onset_method_names().size(), 10u);
  for (const auto& n : det::onset_method_names()) EXPECT_EQ(det::to_string(det::parse_onset_method(n)), n);
  try {
    (void)det::parse_onset_method("otsu");
    FAIL();
  } catch (const emg::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("onsets.method='otsu'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("changepoint"), std::string::npos) << e.what();
  }
}

TEST(OnsetBaseline, AutomaticWindowIsTheQuietest) {
  // loud noise everywhere except [4, 5.5) s, which holds the quietest 1 s window
  std::vector<double> x = bursts(8.0, 1.0, 1.0, {});
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g(0.0, 0.05);
  for (std::size_t i = 8000; i < 11000; ++i) x[i] = g(rng);
  OnsetParams p = plain();
  p.baseline.length_s = 1.0;
  p.baseline.max_spread = 0.0;
  const det::Onsets r = det::detect_onsets(x, kFs, p);
  EXPECT_TRUE(r.baseline_automatic);
  EXPECT_GE(r.baseline_start_s, 4.0 - 1e-9);
  EXPECT_LE(r.baseline_end_s, 5.5 + 1e-9);
  EXPECT_NEAR(r.baseline_end_s - r.baseline_start_s, 1.0, 1e-9);
  // white noise band-passed to 20-450 Hz at 2 kHz keeps 430/1000 of its power
  EXPECT_NEAR(r.baseline_rms, 0.05 * std::sqrt(0.43), 0.05 * std::sqrt(0.43) * 0.1);
}

TEST(OnsetBaseline, GivenWindowIsUsedAndCheckedForQuiet) {
  const std::vector<double> x = bursts(6.0, 0.01, 0.1, {{2.0, 3.0}});  // 20 dB
  OnsetParams p = plain();
  p.baseline.start_s = 0.5;
  p.baseline.end_s = 1.5;
  det::Onsets r = det::detect_onsets(x, kFs, p);
  EXPECT_FALSE(r.baseline_automatic);
  EXPECT_DOUBLE_EQ(r.baseline_start_s, 0.5);
  EXPECT_DOUBLE_EQ(r.baseline_end_s, 1.5);
  EXPECT_EQ(r.status, "ok");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_NEAR(r.events[0].onset_s, 2.0, 0.02);
  EXPECT_NEAR(r.events[0].offset_s, 3.0, 0.03);
  // a rest window over the burst's start is not quiet: nothing is detected, and the reason is given
  p.baseline.start_s = 1.5;
  p.baseline.end_s = 2.5;
  r = det::detect_onsets(x, kFs, p);
  EXPECT_EQ(r.status, "baseline_not_quiet");
  EXPECT_TRUE(r.events.empty());
  EXPECT_NE(r.message.find("baseline.max_spread"), std::string::npos) << r.message;
  // an absolute ceiling on the rest RMS (a signal that is active throughout)
  const std::vector<double> active = bursts(4.0, 1.0, 1.0, {});
  p = plain();
  p.baseline.max_rms = 0.5;
  r = det::detect_onsets(active, kFs, p);
  EXPECT_EQ(r.status, "baseline_not_quiet");
  EXPECT_NE(r.message.find("baseline.max_rms"), std::string::npos) << r.message;
}

TEST(OnsetStatus, FlatNanAndNoActivity) {
  const std::vector<double> zeros(8000, 0.0);
  det::Onsets r = det::detect_onsets(zeros, kFs, plain());
  EXPECT_EQ(r.status, "flat");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.test_function.size(), zeros.size());
  // a DC level: the band-pass leaves round-off residue, the raw rest window is still constant
  const std::vector<double> dc(8000, 3.0);
  r = det::detect_onsets(dc, kFs, plain());
  EXPECT_EQ(r.status, "flat") << r.message;
  EXPECT_TRUE(r.events.empty());

  std::vector<double> x = bursts(4.0, 0.01, 1.0, {{2.0, 3.0}});
  x[1234] = std::nan("");
  r = det::detect_onsets(x, kFs, plain());
  EXPECT_EQ(r.status, "non_finite");
  EXPECT_NE(r.message.find("sample 1234"), std::string::npos) << r.message;
  EXPECT_TRUE(r.events.empty());

  const std::vector<double> rest = bursts(6.0, 0.01, 0.01, {});
  OnsetParams p = plain();
  p.hodges_bui.h = 20.0;  // far above stationary noise
  r = det::detect_onsets(rest, kFs, p);
  EXPECT_EQ(r.status, "no_activity");
  EXPECT_TRUE(r.events.empty());
}

TEST(OnsetParams, RulesNameTheDottedKey) {
  const std::vector<double> x = bursts(3.0, 0.01, 1.0, {{1.5, 2.0}});
  OnsetParams p = plain();
  EXPECT_NE(error_of(x, 50.0, p).find("fs_hz=50"), std::string::npos);
  p.baseline.length_s = 5.0;
  EXPECT_NE(error_of(x, kFs, p).find("baseline.length_s=5"), std::string::npos) << error_of(x, kFs, p);
  p = plain();
  p.baseline.start_s = 1.0;
  EXPECT_NE(error_of(x, kFs, p).find("baseline.start_s=1 and baseline.end_s=nan"), std::string::npos);
  p.baseline.end_s = 4.0;
  EXPECT_NE(error_of(x, kFs, p).find("baseline.end_s=4"), std::string::npos);
  p = plain();
  p.post.merge_gap_s = -1.0;
  EXPECT_NE(error_of(x, kFs, p).find("post.merge_gap_s=-1"), std::string::npos);
  p = plain();
  p.onsets.low_hz = 600.0;
  EXPECT_NE(error_of(x, kFs, p).find("onsets.high_hz=450"), std::string::npos) << error_of(x, kFs, p);
  p = plain();
  p.baseline.parts = 0;
  EXPECT_NE(error_of(x, kFs, p).find("baseline.parts=0"), std::string::npos);
  EXPECT_NE(error_of({}, kFs, plain()).find("empty"), std::string::npos);
  // the chosen method's own rules are checked too
  p = plain();
  p.hodges_bui.window_s = -1.0;
  EXPECT_NE(error_of(x, kFs, p).find("hodges_bui.window_s"), std::string::npos) << error_of(x, kFs, p);
}

TEST(OnsetPost, MergeGapsMinActiveMinRest) {
  // bursts at [1, 2) and [2.15, 3) s (150 ms gap), a 30 ms blip at 4 s, and [5, 5.5), [5.8, 6.5) (300 ms rest)
  const std::vector<double> x = bursts(8.0, 0.01, 0.1, {{1.0, 2.0}, {2.15, 3.0}, {4.0, 4.03}, {5.0, 5.5}, {5.8, 6.5}});
  OnsetParams p = plain();
  p.hodges_bui.h = 10.0;  // no rest excursion reaches it, every burst is far above it
  p.baseline.start_s = 0.0;
  p.baseline.end_s = 0.9;
  p.post.merge_gap_s = 0.0;
  p.post.min_active_s = 0.0;
  det::Onsets r = det::detect_onsets(x, kFs, p);
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_NEAR(r.events[2].onset_s, 4.0, 0.02);
  p.post.merge_gap_s = 0.2;  // closes the 150 ms gap
  r = det::detect_onsets(x, kFs, p);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_NEAR(r.events[0].offset_s, 3.0, 0.03);
  p.post.min_active_s = 0.1;  // drops the blip
  r = det::detect_onsets(x, kFs, p);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_NEAR(r.events[1].onset_s, 5.0, 0.02);
  p.post.min_rest_s = 0.4;  // joins the last two
  r = det::detect_onsets(x, kFs, p);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_NEAR(r.events[1].offset_s, 6.5, 0.03);
  for (const auto& e : r.events) {
    EXPECT_GT(e.score, 1.0);  // clearly above the threshold on average
    EXPECT_EQ(e.onset_s, static_cast<double>(e.onset_sample) / kFs);
    EXPECT_FALSE(e.onset_censored);
    EXPECT_FALSE(e.offset_censored);
  }
}

TEST(OnsetPost, EventsAtTheEdgesAreCensored) {
  const std::vector<double> x = bursts(6.0, 0.01, 1.0, {{0.0, 1.0}, {5.0, 6.0}});
  OnsetParams p = plain();
  p.baseline.start_s = 2.0;
  p.baseline.end_s = 4.0;
  const det::Onsets r = det::detect_onsets(x, kFs, p);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_TRUE(r.events[0].onset_censored);
  EXPECT_FALSE(r.events[0].offset_censored);
  EXPECT_TRUE(r.events[1].offset_censored);
  EXPECT_EQ(r.events[1].offset_sample, static_cast<std::int64_t>(x.size()));
}

TEST(OnsetFields, EveryFieldDocumentedAndRoundTrips) {
  OnsetParams p;
  const std::vector<emg::FieldRef> fields = det::onset_fields(p);
  std::set<std::string> keys, sections;
  for (const auto& f : fields) {
    EXPECT_TRUE(keys.insert(f.key).second) << "duplicate " << f.key;
    sections.insert(f.key.substr(0, f.key.find('.')));
    ASSERT_NE(f.info, nullptr) << f.key << " has no ParamInfo";
    EXPECT_FALSE(f.info->help.empty()) << f.key;
    const std::string text = emg::field_text(f);
    EXPECT_NO_THROW(emg::set_field(f, text)) << f.key << "=" << text;
    EXPECT_EQ(emg::field_text(f), text) << f.key;
  }
  for (const char* s : {"onsets", "baseline", "post"}) EXPECT_TRUE(sections.count(s)) << s;
  for (const auto& m : det::onset_method_names()) EXPECT_TRUE(sections.count(m)) << m << " has no section";
  emg::set_field(emg::find_field(fields, "onsets.method"), "bonato");
  EXPECT_EQ(p.onsets.method, det::OnsetMethod::bonato);
  EXPECT_THROW(emg::set_field(emg::find_field(fields, "onsets.method"), "nope"), emg::InvalidArgument);
}

TEST(OnsetRecording, ChannelsInParallelEqualOneByOneAndTablesHaveTheirColumns) {
  const std::vector<double> a = bursts(5.0, 0.01, 1.0, {{1.5, 2.5}}, 1), b = bursts(5.0, 0.02, 0.5, {{3.0, 4.0}}, 2);
  emg::RowMatrixXd m(2, static_cast<Eigen::Index>(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i) m(0, static_cast<Eigen::Index>(i)) = a[i], m(1, static_cast<Eigen::Index>(i)) = b[i];
  std::vector<emg::ChannelInfo> ch(2);
  ch[0].name = "TA";
  ch[1].name = "GM";
  const emg::Recording rec(m, kFs, ch);
  const std::vector<det::Onsets> all = det::detect_onsets(rec, plain());
  ASSERT_EQ(all.size(), 2u);
  for (std::size_t c = 0; c < 2; ++c) {
    const det::Onsets one = det::detect_onsets(c == 0 ? a : b, kFs, plain());
    ASSERT_EQ(all[c].events.size(), one.events.size());
    for (std::size_t k = 0; k < one.events.size(); ++k) EXPECT_EQ(all[c].events[k].onset_sample, one.events[k].onset_sample);
    EXPECT_EQ(all[c].channel, static_cast<long>(c));
  }
  EXPECT_EQ(all[1].channel_name, "GM");
  const std::vector<det::Onsets> only = det::detect_onsets(rec, plain(), {1});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].channel, 1);
  EXPECT_THROW((void)det::detect_onsets(rec, plain(), {2}), emg::InvalidArgument);

  const emg::Table t = det::onsets_table(all);
  EXPECT_EQ(t.n_rows(), all[0].events.size() + all[1].events.size());
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"channel", "channel_name", "method", "event", "onset_sample", "offset_sample",
                                             "onset_s", "offset_s", "duration_s", "score", "onset_censored",
                                             "offset_censored"}));
  const emg::Table c = det::onset_channels_table(all);
  EXPECT_EQ(c.n_rows(), 2u);
  EXPECT_NO_THROW(c.validate("channels"));
  EXPECT_EQ(std::get<std::vector<std::string>>(c.column("status").values)[0], "ok");
}

// ---- evaluation --------------------------------------------------------------------------------

std::vector<det::OnsetEvent> events(const std::vector<std::pair<std::int64_t, std::int64_t>>& v) {
  std::vector<det::OnsetEvent> out;
  for (const auto& [a, b] : v) {
    det::OnsetEvent e;
    e.onset_sample = a;
    e.offset_sample = b;
    out.push_back(e);
  }
  return out;
}

TEST(OnsetEvaluate, HandComputedMetrics) {
  const std::vector<det::TrueEvent> truth = {{1000, 3000}, {6000, 7000}};
  const auto found = events({{1020, 2990}, {4000, 4100}, {6010, 7050}});
  const det::OnsetEvaluation e = det::evaluate_onsets(found, truth, kFs, {}, 8000);
  EXPECT_EQ(e.true_positives, 2);
  EXPECT_EQ(e.false_positives, 1);
  EXPECT_EQ(e.false_negatives, 0);
  EXPECT_DOUBLE_EQ(e.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(e.recall, 1.0);
  EXPECT_DOUBLE_EQ(e.f1, 0.8);
  // onset errors +10 ms, +5 ms; offset errors -5 ms, +25 ms
  EXPECT_NEAR(e.onset_bias_s, 0.0075, 1e-15);
  EXPECT_NEAR(e.onset_mae_s, 0.0075, 1e-15);
  EXPECT_NEAR(e.onset_rmse_s, std::sqrt((0.01 * 0.01 + 0.005 * 0.005) / 2.0), 1e-15);
  EXPECT_NEAR(e.onset_sd_s, 0.005 / std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(e.onset_loa_high_s - e.onset_loa_low_s, 2.0 * 1.96 * 0.005 / std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(e.onset_median_abs_s, 0.0075, 1e-15);
  EXPECT_NEAR(e.offset_bias_s, 0.01, 1e-15);
  EXPECT_NEAR(e.offset_median_abs_s, 0.015, 1e-15);
  // detected 3110 samples, true 3000, overlap 2960 -> 190 misclassified of 8000
  EXPECT_DOUBLE_EQ(e.misclassified_fraction, 190.0 / 8000.0);
  ASSERT_EQ(e.true_index.size(), 2u);
  EXPECT_EQ(e.detected_index[1], 2);
  const emg::Table t = det::evaluation_table({"TA"}, {e});
  EXPECT_EQ(t.columns.front().name, "channel");
  EXPECT_EQ(det::evaluation_pairs_table(e).n_rows(), 2u);
}

TEST(OnsetEvaluate, OneToOneClosestFirstAndTolerance) {
  const std::vector<det::TrueEvent> truth = {{1000, 2000}, {1150, 2500}};
  // detection 1100 is within 50 ms (100 samples) of both; 1160 is closer to the second one
  const auto found = events({{1100, 2000}, {1160, 2400}, {5000, 5100}});
  const det::OnsetEvaluation e = det::evaluate_onsets(found, truth, kFs);
  EXPECT_EQ(e.true_positives, 2);
  EXPECT_EQ(e.detected_index[0], 0);  // true 0 <- detection 0 (100 samples)
  EXPECT_EQ(e.detected_index[1], 1);  // true 1 <- detection 1 (10 samples)
  det::OnsetEvaluateParams tight;
  tight.tolerance_s = 0.01;  // 20 samples: only the second pair
  const det::OnsetEvaluation t = det::evaluate_onsets(found, truth, kFs, tight);
  EXPECT_EQ(t.true_positives, 1);
  EXPECT_EQ(t.true_index[0], 1);
  EXPECT_TRUE(std::isnan(t.onset_sd_s));  // one pair: no SD
}

TEST(OnsetEvaluate, EmptySidesAndBadInput) {
  const det::OnsetEvaluation none = det::evaluate_onsets({}, {}, kFs);
  EXPECT_TRUE(std::isnan(none.f1));
  const det::OnsetEvaluation missed = det::evaluate_onsets({}, {{10, 20}}, kFs);
  EXPECT_EQ(missed.f1, 0.0);
  EXPECT_EQ(missed.recall, 0.0);
  EXPECT_TRUE(std::isnan(missed.precision));
  EXPECT_THROW((void)det::evaluate_onsets({}, {{30, 20}}, kFs), emg::InvalidArgument);
  det::OnsetEvaluateParams bad;
  bad.tolerance_s = 0.0;
  try {
    (void)det::evaluate_onsets({}, {}, kFs, bad);
    FAIL();
  } catch (const emg::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("evaluate.tolerance_s=0"), std::string::npos);
  }
}

TEST(OnsetTables, TestFunctionTableNamesColumnsAndPads) {
  std::vector<det::Onsets> rs(4);
  const std::vector<std::string> names{"TA", "", "a/b", "TA"};
  for (std::size_t k = 0; k < rs.size(); ++k) {
    rs[k].channel = static_cast<long>(k);
    rs[k].channel_name = names[k];
    rs[k].fs_hz = 1000.0;
    rs[k].test_function = std::vector<double>(k == 2 ? 0 : 5, static_cast<double>(k));
  }
  const emg::Table t = det::test_function_table(rs);
  std::vector<std::string> cols;
  for (const auto& c : t.columns) cols.push_back(c.name);
  EXPECT_EQ(cols, (std::vector<std::string>{"sample", "time_s", "TA", "ch1", "ch2", "ch3"}));
  ASSERT_EQ(t.n_rows(), 5u);
  const auto& time = std::get<std::vector<double>>(t.column("time_s").values);
  EXPECT_DOUBLE_EQ(time[4], 0.004);
  const auto& padded = std::get<std::vector<double>>(t.column("ch2").values);
  for (double v : padded) EXPECT_TRUE(std::isnan(v));
  EXPECT_DOUBLE_EQ(std::get<std::vector<double>>(t.column("ch3").values)[0], 3.0);
  EXPECT_EQ(det::test_function_table({}).n_rows(), 0u);
}

}  // namespace
