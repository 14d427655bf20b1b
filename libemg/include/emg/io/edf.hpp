// EDF, EDF+, BDF, BDF+ through EDFlib (Debian libedf-dev).
#pragma once

#include <emg/recording.hpp>

#include <string>
#include <vector>

namespace emg::io {

/// Read every signal; all signals must share one sampling rate (else FormatError naming the
/// signals and rates, suggesting a channel subset). Digital samples become volts-or-units through
/// the header's physical/digital ranges; conversion/offset/digital_min/max are set so the HDF5
/// writer keeps the counts exactly. EDF+/BDF+ annotations become events (kind = annotation text,
/// source = "edf_annotation"). A BDF "Status" channel is not a signal: its trigger bits (lower
/// 16) become events kind = "trigger:<value>" at every change to a non-zero value, source =
/// "bdf_status". `channels`: only these signal labels (empty = all with the common rate).
Recording read_edf(const std::string& path, const std::vector<std::string>& channels = {});

struct EdfWriteResult {
  std::vector<double> max_abs_error;  ///< per channel, channel units
  std::vector<std::string> warnings;
};

/// Write EDF+ (bdf=false, 16-bit) or BDF+ (bdf=true, 24-bit) atomically. Physical range per
/// channel = data range (widened when flat); events become annotations. Reports quantisation error.
EdfWriteResult write_edf(const Recording& recording, const std::string& path, bool bdf, bool overwrite = false);

}  // namespace emg::io
