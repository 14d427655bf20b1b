// The parameter structs of every onset detector (one section per method; SCIENCE.md §5).
#pragma once

#include <emg/detect/onset_entropy.hpp>
#include <emg/detect/onset_envelope.hpp>
#include <emg/detect/onset_statistical.hpp>
