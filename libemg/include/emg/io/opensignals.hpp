// PLUX OpenSignals HDF5 files: raw ADC counts of each device channel plus JSON-ish attributes.
#pragma once

#include <emg/recording.hpp>

#include <string>

namespace emg::io {

/// True if the file is HDF5 with the OpenSignals layout (a device group holding raw/ channels).
bool is_opensignals_file(const std::string& path);

/// Read the EMG channels (sensor type from the attributes; all analog channels if unknown) and
/// convert counts to volts with PLUX's EMG transfer function
///   EMG(V) = (ADC / 2^n - 1/2) * VCC / G_EMG, VCC = 3 V, G_EMG = 1000,
/// n = the channel's resolution in bits. Sampling rate, resolution, device MAC and start time
/// come from the attributes; conversion/offset are set so counts round-trip exactly.
/// Devices at different sampling rates cannot share one Recording: the fastest device(s) are read
/// and attribute "warning" names the others. Channels whose sensor attribute is not EMG keep their
/// counts (units "counts", conversion 1). Below 200 Hz the "warning" attribute says the rate is too
/// low for EMG analysis (import_file's min_fs_hz refuses such files).
Recording read_opensignals(const std::string& path);

/// Only the device group `device` (its group name or MAC address); InvalidArgument listing the
/// devices if there is no such device.
Recording read_opensignals(const std::string& path, const std::string& device);

}  // namespace emg::io
