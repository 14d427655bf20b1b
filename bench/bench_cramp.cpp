// Google Benchmark of the cramp-analysis stages on a 60-s, 2 kHz simulated EIC trial (the issue's
// workload): pulse detection from the EMG, grouping, artefact suppression, M-wave measures, the
// cramp decision per train, and the whole session analysis. bench/bench_cramp.py times the same
// trial against the peer paths (SciPy / NeuroKit2) and prints the ratios.
#include <benchmark/benchmark.h>

#include <emg/detect/session.hpp>
#include <emg/simulate/session.hpp>

#include <vector>

namespace {

namespace sim = emg::simulate;

/// 60 s at 2 kHz: a 4, 6, ..., 12 Hz ladder of 5-s trains with 6 s of rest, one recording.
const sim::SimulatedRecording& trial() {
  static const sim::SimulatedRecording s = [] {
    sim::SessionParams p;
    p.fs_hz = 2000.0;
    p.snr_db = 20.0;
    p.pre_s = 5.0;
    p.ladder.start_hz = 4.0;
    p.ladder.step_hz = 2.0;
    p.ladder.max_hz = 12.0;
    p.ladder.train_duration_s = 5.0;
    p.ladder.rest_s = 6.0;
    p.ladder.stop_at_first_cramp = false;
    p.post_s = 5.0;
    p.afterdischarge.duration_min_s = 2.0;
    p.afterdischarge.duration_max_s = 4.0;
    return sim::simulate_session(p, 8.0, 7).at(0);
  }();
  return s;
}

emg::detect::SessionAnalysisParams from_emg() {
  emg::detect::SessionAnalysisParams p;
  p.find.source = "emg";
  return p;
}

void BM_detect_pulses(benchmark::State& st) {
  const auto& r = trial().recording;
  for (auto _ : st) benchmark::DoNotOptimize(emg::stim::detect_pulses(r.data().row(0).transpose(), r.fs_hz()));
  st.counters["samples"] = static_cast<double>(r.n_samples());
}
BENCHMARK(BM_detect_pulses)->Unit(benchmark::kMillisecond);

void BM_suppress_artifacts(benchmark::State& st) {
  const auto& r = trial().recording;
  const auto pulses = r.stimulation().pulses;
  for (auto _ : st) benchmark::DoNotOptimize(emg::stim::suppress_artifacts(r.data(), r.fs_hz(), pulses));
}
BENCHMARK(BM_suppress_artifacts)->Unit(benchmark::kMillisecond);

void BM_suppress_template(benchmark::State& st) {
  const auto& r = trial().recording;
  const auto a = emg::detect::analyse_stimulation(r, from_emg());
  emg::stim::SuppressParams sp;
  sp.method = emg::stim::SuppressMethod::template_subtraction;
  for (auto _ : st) {
    benchmark::DoNotOptimize(emg::stim::suppress_artifacts(r.data(), r.fs_hz(), a.pulses, sp, a.pulse_train_ids));
  }
}
BENCHMARK(BM_suppress_template)->Unit(benchmark::kMillisecond);

void BM_measure_mwaves(benchmark::State& st) {
  const auto& r = trial().recording;
  const auto pulses = r.stimulation().pulses;
  const auto s = emg::stim::suppress_artifacts(r.data(), r.fs_hz(), pulses);
  for (auto _ : st) benchmark::DoNotOptimize(emg::stim::measure_mwaves(s.data, r.fs_hz(), pulses));
}
BENCHMARK(BM_measure_mwaves)->Unit(benchmark::kMillisecond);

void BM_detect_cramps(benchmark::State& st) {
  const auto& r = trial().recording;
  const auto a = emg::detect::analyse_stimulation(r, from_emg());
  for (auto _ : st) benchmark::DoNotOptimize(emg::detect::detect_cramps(r.data(), r.fs_hz(), 0, a.search.trains));
}
BENCHMARK(BM_detect_cramps)->Unit(benchmark::kMillisecond);

void BM_analyse_session(benchmark::State& st) {
  const auto& r = trial().recording;
  const auto p = from_emg();
  for (auto _ : st) benchmark::DoNotOptimize(emg::detect::analyse_session(r, p));
}
BENCHMARK(BM_analyse_session)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
