// Thread control for the channel-parallel kernels (OpenMP inside libemg).
#pragma once

namespace emg {

/// Number of threads the multichannel kernels use (default: all hardware threads).
int get_num_threads();

/// Set the number of threads for the multichannel kernels; n < 1 restores the default.
/// Results never depend on the number of threads.
void set_num_threads(int n);

}  // namespace emg
