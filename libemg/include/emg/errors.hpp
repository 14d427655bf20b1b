// The small set of exception types libemg throws.
//
//   emg::InvalidArgument  bad parameter or bad data      -> Python ValueError
//   emg::ConfigError      bad configuration file / keys   -> Python cramplab.ConfigError (ValueError)
//   emg::IoError          a file cannot be read / written -> Python cramplab.IoError (OSError)
//   emg::FormatError      a file is readable but malformed -> Python cramplab.FormatError (ValueError)
//
// Every message names the function (or file), the parameter, its value and the rule broken.
#pragma once

#include <stdexcept>
#include <string>

namespace emg {

class InvalidArgument : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace emg
