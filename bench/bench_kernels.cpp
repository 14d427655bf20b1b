// Google Benchmark kernels on the workloads of the performance targets (docs/PERFORMANCE.md):
//   long  = 8 channels x 1 h at 2048 Hz (seeded Gaussian noise, generated once),
//   trial = 1 channel x 60 s at 2000 Hz.
// `--short` or EMG_BENCH_SHORT=1 shrinks the long workload to 8 channels x 60 s for smoke runs.
// Multithreaded kernels are timed on the wall clock (UseRealTime); the argument is the number of
// threads given to emg::set_num_threads.
#include <benchmark/benchmark.h>

#include <emg/filters/amplitude.hpp>
#include <emg/filters/apply.hpp>
#include <emg/filters/design.hpp>
#include <emg/parallel.hpp>
#include <emg/spectral/fatigue.hpp>
#include <emg/spectral/spectra.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool g_short = false;

struct Workload {
  long channels;
  double seconds;
  double fs_hz;
  std::uint64_t seed;
};

Workload long_workload() { return {8, g_short ? 60.0 : 3600.0, 2048.0, 20260101}; }
Workload trial_workload() { return {1, 60.0, 2000.0, 20260102}; }

emg::RowMatrixXd make_noise(const Workload& w) {
  const auto n = static_cast<Eigen::Index>(w.seconds * w.fs_hz);
  emg::RowMatrixXd x(w.channels, n);
  std::mt19937_64 gen(w.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (Eigen::Index c = 0; c < x.rows(); ++c)
    for (Eigen::Index i = 0; i < n; ++i) x(c, i) = normal(gen);
  return x;
}

// One copy of each data set for the whole run (the long one is 472 MB), built on first use so a
// --benchmark_filter that skips it never pays for it.
const emg::RowMatrixXd& long_data() {
  static const emg::RowMatrixXd x = make_noise(long_workload());
  return x;
}
const emg::RowMatrixXd& trial_data() {
  static const emg::RowMatrixXd x = make_noise(trial_workload());
  return x;
}

std::string label(const Workload& w) {
  return std::to_string(w.channels) + "ch x " + std::to_string(static_cast<long>(w.seconds)) + "s @" +
         std::to_string(static_cast<long>(w.fs_hz)) + "Hz";
}

const emg::filters::Sos& band_sos() {
  static const emg::filters::Sos sos =
      emg::filters::butter(4, {20.0, 450.0}, emg::filters::BType::bandpass, long_workload().fs_hz);
  return sos;
}

// Sets the thread count for the run and restores the default afterwards.
struct ThreadScope {
  explicit ThreadScope(const benchmark::State& state) { emg::set_num_threads(static_cast<int>(state.range(0))); }
  ~ThreadScope() { emg::set_num_threads(0); }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;
};

void set_counters(benchmark::State& state, const emg::RowMatrixXd& x, const Workload& w) {
  const auto samples = static_cast<std::int64_t>(x.size());
  state.SetItemsProcessed(state.iterations() * samples);
  state.SetBytesProcessed(state.iterations() * samples * static_cast<std::int64_t>(sizeof(double)));
  state.SetLabel(label(w) + ", " + std::to_string(state.range(0)) + " thr");
}

void BM_sosfiltfilt(benchmark::State& state) {
  const auto& x = long_data();
  const auto& sos = band_sos();
  ThreadScope threads(state);
  for (auto _ : state) {
    emg::RowMatrixXd y = emg::filters::sosfiltfilt(sos, x);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, x, long_workload());
}

void BM_sosfilt(benchmark::State& state) {
  const auto& x = long_data();
  const auto& sos = band_sos();
  ThreadScope threads(state);
  for (auto _ : state) {
    emg::RowMatrixXd y = emg::filters::sosfilt(sos, x);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, x, long_workload());
}

void BM_welch(benchmark::State& state) {
  const auto& x = long_data();
  emg::spectral::WelchParams params;
  params.window = emg::spectral::Window{"hann"};
  params.nperseg = 512;  // noverlap defaults to nperseg / 2
  ThreadScope threads(state);
  for (auto _ : state) {
    emg::spectral::Psd psd = emg::spectral::welch(x, long_workload().fs_hz, params);
    benchmark::DoNotOptimize(psd.power.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, x, long_workload());
}

// window 1 s, step 0.5 s, segment 0.25 s, band 20-450 Hz: the FatigueParams defaults.
void run_fatigue(benchmark::State& state, const emg::RowMatrixXd& x, const Workload& w) {
  const emg::spectral::FatigueParams params;
  ThreadScope threads(state);
  for (auto _ : state) {
    emg::spectral::FatigueSeries f = emg::spectral::fatigue_series(x, w.fs_hz, params);
    benchmark::DoNotOptimize(f.mnf_hz.data());
    benchmark::DoNotOptimize(f.mdf_hz.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, x, w);
}

void BM_fatigue_series_trial(benchmark::State& state) { run_fatigue(state, trial_data(), trial_workload()); }
void BM_fatigue_series_long(benchmark::State& state) { run_fatigue(state, long_data(), long_workload()); }

void BM_moving_rms(benchmark::State& state) {
  const auto& x = long_data();
  ThreadScope threads(state);
  for (auto _ : state) {
    emg::RowMatrixXd y = emg::filters::moving_rms(x, long_workload().fs_hz, 0.1, emg::filters::WindowAlign::trailing);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, x, long_workload());
}

double min_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }

// Registered at run time, after the flags are read: the full workload gets a longer minimum time
// per benchmark (a single sosfiltfilt over 1 h is a few hundred ms), the smoke run a short one.
// "min" is added to the aggregates printed with --benchmark_repetitions=N.
void register_all() {
  const struct {
    const char* name;
    void (*fn)(benchmark::State&);
  } kernels[] = {
      {"BM_sosfiltfilt", BM_sosfiltfilt}, {"BM_sosfilt", BM_sosfilt}, {"BM_welch", BM_welch},
      {"BM_fatigue_series_trial", BM_fatigue_series_trial}, {"BM_fatigue_series_long", BM_fatigue_series_long},
      {"BM_moving_rms", BM_moving_rms},
  };
  for (const auto& k : kernels) {
    benchmark::RegisterBenchmark(k.name, k.fn)
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->MinTime(g_short ? 0.2 : 2.0)
        ->ComputeStatistics("min", min_of);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--short") {
      g_short = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  if (const char* env = std::getenv("EMG_BENCH_SHORT"); env != nullptr && *env != '\0' && std::string_view(env) != "0") {
    g_short = true;
  }
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  register_all();
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::AddCustomContext("long_workload", label(long_workload()) + (g_short ? " (short mode)" : ""));
  benchmark::AddCustomContext("trial_workload", label(trial_workload()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
