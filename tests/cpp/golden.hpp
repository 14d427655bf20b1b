// Reader for the golden files written by tests/data/golden_format.py (SciPy reference values).
#pragma once

#include <emg/types.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace emg::test {

/// Directory holding the golden files (set by CMake as EMG_TEST_DATA_DIR).
inline std::string data_dir() { return EMG_TEST_DATA_DIR; }

class Golden {
 public:
  explicit Golden(const std::string& file) : path_(data_dir() + "/golden/" + file) {
    std::ifstream in(path_);
    if (!in) throw std::runtime_error("cannot open golden file " + path_ + " (run tests/data/make_golden_*.py)");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      if (line[0] != '@') throw std::runtime_error("golden file " + path_ + ": unexpected line " + line);
      std::istringstream head(line.substr(1));
      std::string name;
      long rows = 0, cols = 0;
      head >> name >> rows >> cols;
      RowMatrixXd m(rows, cols);
      for (long r = 0; r < rows; ++r) {
        if (!std::getline(in, line)) throw std::runtime_error("golden file " + path_ + ": truncated at " + name);
        std::istringstream row(line);
        for (long c = 0; c < cols; ++c) {
          std::string tok;
          row >> tok;
          m(r, c) = std::stod(tok);
        }
      }
      arrays_[name] = std::move(m);
    }
  }

  bool has(const std::string& name) const { return arrays_.count(name) > 0; }

  const RowMatrixXd& matrix(const std::string& name) const {
    auto it = arrays_.find(name);
    if (it == arrays_.end()) throw std::runtime_error("golden file " + path_ + " has no array " + name);
    return it->second;
  }
  VectorXd vector(const std::string& name) const {
    const auto& m = matrix(name);
    return Eigen::Map<const VectorXd>(m.data(), m.size());
  }
  double scalar(const std::string& name) const { return matrix(name)(0, 0); }

  const std::map<std::string, RowMatrixXd>& all() const { return arrays_; }

 private:
  std::string path_;
  std::map<std::string, RowMatrixXd> arrays_;
};

/// max |a - b| / max(scale, tiny)
inline double max_abs_diff(const RowMatrixXd& a, const RowMatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  return (a - b).cwiseAbs().maxCoeff();
}

}  // namespace emg::test
