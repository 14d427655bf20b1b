// MATLAB v5 (and v7.3 when libmatio supports it) files through libmatio.
#pragma once

#include <emg/recording.hpp>

#include <string>

namespace emg::io {

/// Read EMG from a MAT file. Recognised layouts: a numeric matrix (samples x channels or channels
/// x samples) with a scalar named fs/Fs/fs_hz/samplingRate..., or a struct holding such fields
/// (the emggo layout in datasets/real/emggo-samples). FormatError lists the variables found when no
/// layout matches. `fs_hz` > 0 overrides a missing rate.
Recording read_matlab(const std::string& path, double fs_hz = 0.0);

}  // namespace emg::io
