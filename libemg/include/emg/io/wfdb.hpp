// WFDB records (PhysioNet): the .hea header and its .dat signal file, formats 16 and 212.
#pragma once

#include <emg/io/formats.hpp>
#include <emg/recording.hpp>

#include <string>

namespace emg::io {

/// `path` is the .hea file (or the record path without extension). Checks the header's sample
/// count against the .dat size and every signal's checksum; physical = (count - baseline) / gain,
/// units from the header (mV -> channel units "mV"); header comment lines go to attributes
/// ("comments"). Wrap-around handling per `options.wraparound`.
Recording read_wfdb(const std::string& path, const WfdbOptions& options = {});

}  // namespace emg::io
