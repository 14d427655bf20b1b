// The /truth group of a CrampLab file (docs/FORMAT.md, "Ground truth"): the simulator's
// GroundTruth as string attributes, a uint8 activity matrix and four column tables. One set of
// value rules serves the writer (InvalidArgument naming "truth.<field>"), the reader (FormatError
// at the first problem) and validate_file (every problem).
#pragma once

#include <emg/truth.hpp>

#include "io/detail/store_layout.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace emg::io::detail {

/// One broken rule: `param` is the C++ path below `truth.` ("pulses[3].sample", "activity"),
/// `object` the HDF5 object ("/truth/pulses/sample"), `row` the table row (-1 when none),
/// `more` how many further rows of the same column break the same rule.
struct TruthIssue {
  std::string param;
  std::string object;
  std::string column;
  long row = -1;
  std::string value;
  std::string rule;
  std::size_t more = 0;
};

/// Every issue of `truth` for a recording of n_channels x n_samples (first offending row per
/// column, with the count of the others). With n_samples < 0 (recording unknown) only the rules
/// that do not depend on the recording are checked.
std::vector<TruthIssue> truth_issues(const GroundTruth& truth, long n_channels, std::int64_t n_samples);

/// Throws InvalidArgument "<function>: truth.<param>=<value> <rule>" at the first issue.
void check_truth_for_write(const GroundTruth& truth, long n_channels, std::int64_t n_samples,
                           const std::string& function);

/// Write /truth into an open, new file (/truth/activity with shuffle + deflate at
/// `deflate_level`). `where` tracks the object being written for error messages.
void write_truth(H5::H5File& file, const GroundTruth& truth, int deflate_level, std::string& where);

/// True if the file has a link /truth (a group or not: read_truth_group reports a non-group).
bool truth_present(const H5::H5File& file);

/// Read /truth, reporting through `problems` a missing group, column or attribute, columns of
/// unequal length or wrong type, flags other than 0/1, activity of the wrong dtype or shape and
/// unknown activity codes, and (when n_samples >= 0) every value rule of truth_issues.
GroundTruth read_truth_group(const H5::H5File& file, long n_channels, std::int64_t n_samples, Problems& problems);

}  // namespace emg::io::detail
