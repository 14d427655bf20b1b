#include "common/cli.hpp"

#include <filesystem>
#include <fstream>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace cramplab {

std::string exit_codes_epilogue() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  runtime or I/O failure (unreadable or malformed input file, cannot write output)\n"
         "  2  usage error or bad parameter (unknown option, missing INPUT, value out of range)\n"
         "Errors are one line on stderr: 'cramplab: <message>'.\n";
}

bool parse_command(const CommandSpec& spec, const std::vector<std::string>& args,
                   const std::vector<po::options_description>& groups, po::variables_map& vm) {
  po::options_description visible("Options", kHelpWidth, kHelpWidth / 2);
  visible.add_options()("help,h", "show this help and exit");
  for (const auto& g : groups) visible.add(g);
  po::options_description all;
  all.add(visible);
  if (spec.no_input) {
    // nothing positional
  } else if (spec.many_inputs) {
    all.add_options()("input", po::value<std::vector<std::string>>(), "input files");
  } else {
    all.add_options()("input", po::value<std::string>(), "input file");
  }
  po::positional_options_description pos;
  if (!spec.no_input) pos.add("input", spec.many_inputs ? -1 : 1);

  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << spec.synopsis << "\n\n" << spec.summary << "\n\n" << visible << "\n";
      if (!spec.examples.empty()) std::cout << "Examples:\n" << spec.examples << "\n";
      std::cout << exit_codes_epilogue();
      return false;
    }
    if (vm.count("config")) {
      const std::string config = vm["config"].as<std::string>();
      std::ifstream in(config);
      if (!in) throw UsageError(spec.name + ": cannot read --config file '" + config + "'");
      po::store(po::parse_config_file(in, all), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(spec.name + ": " + e.what() + " (see 'cramplab " + spec.name + " --help')");
  }
  if (!spec.no_input && !vm.count("input")) {
    throw UsageError(spec.name + ": missing INPUT file (see 'cramplab " + spec.name + " --help')");
  }
  return true;
}

Progress::Progress(std::string command, int n_steps, bool quiet)
    : command_(std::move(command)), n_steps_(n_steps), enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (enabled_ && current_ > 0) std::fprintf(stderr, "\r\033[K");
}

void Progress::step(const std::string& what) {
  ++current_;
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[Kcramplab %s [%d/%d] %s...", command_.c_str(), current_, n_steps_, what.c_str());
  std::fflush(stderr);
}

void Progress::clear() {
  if (enabled_ && current_ > 0) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

std::string fixed(double value, int digits) {
  if (std::isnan(value)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string general4(double value, const std::string& nan_text) {
  if (std::isnan(value)) return nan_text;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).lexically_normal().string();
}

std::string with_cli_hints(const std::string& message) {
  if (message.find("wraparound=unwrap") != std::string::npos && message.find("--wfdb.wraparound") == std::string::npos) {
    return message + " (CLI: --wfdb.wraparound unwrap or keep)";
  }
  return message;
}

void print_error(const std::string& message) {
  std::string line = with_cli_hints(message);
  for (auto& ch : line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  std::cerr << "cramplab: " << line << std::endl;
}

std::string file_message(const std::string& file, const std::string& message) {
  if (message.find(file) != std::string::npos) return message;
  return file + ": " + message;
}

void run_in_order(int n, int jobs, const std::function<void(int)>& task, const std::function<void(int)>& done) {
  if (n <= 0) return;
  const int workers = std::min(std::max(jobs, 1), n);
  if (workers == 1) {
    for (int i = 0; i < n; ++i) {
      task(i);
      done(i);
    }
    return;
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<char> finished(static_cast<std::size_t>(n), 0);
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        task(i);
        {
          const std::lock_guard<std::mutex> lock(mutex);
          finished[static_cast<std::size_t>(i)] = 1;
        }
        cv.notify_all();
      }
    });
  }
  for (int i = 0; i < n; ++i) {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return finished[static_cast<std::size_t>(i)] != 0; });
    lock.unlock();
    done(i);
  }
  for (auto& t : pool) t.join();
}

}  // namespace cramplab
