#include "common/options.hpp"

#include "common/pipeline.hpp"

#include <emg/errors.hpp>
#include <emg/io/text.hpp>

#include <cctype>
#include <cmath>

namespace cramplab {

namespace {

std::string text(double v) { return emg::io::format_double(v); }

// Help text from the library's declared parameter table when it has the field, so the CLI and
// the docs say the same thing; `fallback` otherwise.
std::string help(const emg::ParamTable& table, const std::string& name, const std::string& fallback) {
  for (const auto& p : table) {
    if (p.name == name) {
      std::string h = p.help.empty() ? fallback : p.help;
      while (!h.empty() && (h.back() == '.' || h.back() == ' ')) h.pop_back();
      if (!p.unit.empty()) h += " [" + p.unit + "]";
      if (!p.range.empty()) h += "; range " + p.range;
      return h;
    }
  }
  return fallback;
}

}  // namespace

po::options_description import_options(ImportArgs& a, const std::string& title, const std::string& format_option) {
  po::options_description d(title, kHelpWidth, kHelpWidth / 2);
  d.add_options()
      (format_option.c_str(), po::value<std::string>(&a.format)->default_value("auto"),
       "input reader: auto (from magic bytes, then extension), cramplab, text (csv, tsv, txt), edf, bdf, wfdb, "
       "opensignals, mat")
      ("fs-hz", po::value<double>(&a.fs_hz)->default_value(0.0, "0"),
       "text: sampling rate [Hz]; 0 = from a time column or a '# Sampling Rate' header line")
      ("columns", po::value<std::string>(&a.columns)->default_value(""),
       "text: data columns to use as channels, 0-based, counted after the time column, e.g. 0,1,3 (default: all)")
      ("time-column", po::value<std::string>(&a.time_column)->default_value("auto"),
       "text: time column: auto (a column named time/t/time_s/seconds, or an increasing first column), none, or a "
       "column name")
      ("delimiter", po::value<std::string>(&a.delimiter)->default_value("auto"),
       "text: field separator: auto, tab, comma, semicolon, space (any whitespace), or one character")
      ("units", po::value<std::string>(&a.units)->default_value(""),
       "text: units of every channel (default: from the header, else none)")
      ("wfdb.wraparound", po::value<std::string>(&a.wfdb_wraparound)->default_value("error"),
       "WFDB int16 wrap-around (a jump of more than half the ADC range): error, unwrap (add/subtract 2^16 counts), "
       "keep (import as stored, with a warning attribute)")
      ("min-fs-hz", po::value<double>(&a.min_fs_hz)->default_value(0.0, "0"),
       "refuse recordings sampled below this rate [Hz], e.g. 200 for EMG analysis; 0 = any");
  return d;
}

emg::io::ImportOptions to_import_options(const ImportArgs& a) {
  emg::io::ImportOptions o;
  try {
    o.format = emg::io::parse_format(a.format);
  } catch (const emg::InvalidArgument& e) {
    throw UsageError(std::string("--format / --input-format: ") + e.what());
  }
  if (!std::isfinite(a.fs_hz) || a.fs_hz < 0.0) {
    throw UsageError("--fs-hz: fs_hz=" + text(a.fs_hz) + " must be finite and > 0 (or 0 = from the file)");
  }
  if (!std::isfinite(a.min_fs_hz) || a.min_fs_hz < 0.0) {
    throw UsageError("--min-fs-hz: min_fs_hz=" + text(a.min_fs_hz) + " must be finite and >= 0");
  }
  if (a.wfdb_wraparound != "error" && a.wfdb_wraparound != "unwrap" && a.wfdb_wraparound != "keep") {
    throw UsageError("--wfdb.wraparound='" + a.wfdb_wraparound + "' must be error, unwrap or keep");
  }
  o.text.fs_hz = a.fs_hz;
  o.text.columns = parse_columns(a.columns);
  o.text.time_column = a.time_column;
  o.text.units = a.units;
  const std::string& d = a.delimiter;
  if (d == "auto") {
    o.text.delimiter = 0;
  } else if (d == "tab" || d == "\\t") {
    o.text.delimiter = '\t';
  } else if (d == "comma") {
    o.text.delimiter = ',';
  } else if (d == "semicolon") {
    o.text.delimiter = ';';
  } else if (d == "space" || d == "whitespace") {
    o.text.delimiter = ' ';
  } else if (d.size() == 1 && d[0] != '#' && d[0] != '.' && d[0] != '-' && d[0] != '+' && !std::isdigit(static_cast<unsigned char>(d[0]))) {
    o.text.delimiter = d[0];
  } else {
    throw UsageError("--delimiter='" + d + "' must be auto, tab, comma, semicolon, space or one character that "
                     "cannot be part of a number");
  }
  o.wfdb.wraparound = a.wfdb_wraparound;
  o.min_fs_hz = a.min_fs_hz;
  return o;
}

po::options_description input_options(InputArgs& a) {
  return import_options(a, "Input (INPUT: any importable file; a text table needs a time column, a '# Sampling Rate' line or --fs-hz)");
}

po::options_description general_options(InputArgs& a, const std::string& output_help) {
  po::options_description d("General", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("output,o", po::value<std::string>(&a.output), output_help.c_str())
      ("quiet,q", po::bool_switch(&a.quiet), "no progress on stderr and no summary on stdout")
      ("threads", po::value<int>(&a.threads)->default_value(0), "threads for the multichannel kernels; 0 = all cores");
  return d;
}

po::options_description preprocess_options(PreprocessArgs& a) {
  const auto& bt = emg::BandpassParams::describe();
  auto& b = a.bandpass;
  po::options_description d("Band-pass (Butterworth, SciPy butter + sosfiltfilt)", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("bandpass.low_hz", po::value<double>(&b.low_hz)->default_value(b.low_hz, text(b.low_hz)),
       help(bt, "low_hz", "lower edge [Hz]").c_str())
      ("bandpass.high_hz", po::value<double>(&b.high_hz)->default_value(b.high_hz, text(b.high_hz)),
       help(bt, "high_hz", "upper edge [Hz]").c_str())
      ("bandpass.order", po::value<int>(&b.order)->default_value(b.order), help(bt, "order", "filter order").c_str())
      ("bandpass.zero_phase", po::value<bool>(&b.zero_phase)->default_value(b.zero_phase, b.zero_phase ? "true" : "false"),
       help(bt, "zero_phase", "zero-phase forward-backward filtering").c_str())
      ("no-bandpass", po::bool_switch(&a.no_bandpass), "skip the band-pass");

  const auto& mt = emg::filters::MainsParams::describe();
  auto& m = a.mains;
  a.mains_method = emg::filters::to_string(m.method);
  po::options_description dm("Mains removal (50/60 Hz and harmonics up to Nyquist)", kHelpWidth, kHelpWidth / 2);
  dm.add_options()
      ("mains.line_hz", po::value<double>(&m.line_hz)->default_value(m.line_hz, text(m.line_hz)),
       help(mt, "line_hz", "line frequency [Hz]: 50, 60, or 0 = detect").c_str())
      ("mains.method", po::value<std::string>(&a.mains_method)->default_value(a.mains_method),
       help(mt, "method", "interpolation (spectrum interpolation) or notch (iirnotch cascade)").c_str())
      ("mains.max_hz", po::value<double>(&m.max_hz)->default_value(m.max_hz, text(m.max_hz)),
       help(mt, "max_hz", "highest harmonic treated [Hz]; 0 = up to Nyquist").c_str())
      ("mains.bandwidth_hz", po::value<double>(&m.bandwidth_hz)->default_value(m.bandwidth_hz, text(m.bandwidth_hz)),
       help(mt, "bandwidth_hz", "interpolation: half-width replaced around each harmonic [Hz]").c_str())
      ("mains.q", po::value<double>(&m.q)->default_value(m.q, text(m.q)), help(mt, "q", "notch quality factor").c_str())
      ("no-mains", po::bool_switch(&a.no_mains), "skip mains removal");
  d.add(dm);
  return d;
}

void finish(PreprocessArgs& a) { a.mains.method = emg::filters::parse_mains_method(a.mains_method); }

po::options_description psd_options(PsdArgs& a) {
  auto& w = a.welch;
  a.window = w.window.to_string();
  a.detrend = emg::spectral::to_string(w.detrend);
  a.scaling = emg::spectral::to_string(w.scaling);
  a.average = emg::spectral::to_string(w.average);
  po::options_description d("Welch PSD (scipy.signal.welch semantics)", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("psd.nperseg", po::value<long>(&w.nperseg)->default_value(w.nperseg), "segment length [samples]; 1..n_samples")
      ("psd.noverlap", po::value<long>(&w.noverlap)->default_value(w.noverlap),
       "overlap between segments [samples]; < 0 = nperseg/2; must be < nperseg")
      ("psd.nfft", po::value<long>(&w.nfft)->default_value(w.nfft), "FFT length [samples]; 0 = nperseg; else >= nperseg")
      ("psd.window", po::value<std::string>(&a.window)->default_value(a.window),
       "window: hann, hamming, blackman, boxcar, bartlett, flattop, tukey[:alpha]")
      ("psd.detrend", po::value<std::string>(&a.detrend)->default_value(a.detrend), "per-segment detrend: none, constant, linear")
      ("psd.scaling", po::value<std::string>(&a.scaling)->default_value(a.scaling),
       "density (units^2/Hz) or spectrum (units^2)")
      ("psd.average", po::value<std::string>(&a.average)->default_value(a.average), "segment average: mean or median");
  return d;
}

void finish(PsdArgs& a) {
  a.welch.window = emg::spectral::Window::parse(a.window);
  a.welch.detrend = emg::spectral::parse_detrend(a.detrend);
  a.welch.scaling = emg::spectral::parse_scaling(a.scaling);
  a.welch.average = emg::spectral::parse_average(a.average);
}

po::options_description fatigue_options(FatigueArgs& a) {
  const auto& ft = emg::spectral::FatigueParams::describe();
  auto& f = a.fatigue;
  a.detrend = emg::spectral::to_string(f.detrend);
  po::options_description d("Fatigue series (sliding-window MNF, MDF, RMS, ARV and their linear trends)", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("fatigue.window_s", po::value<double>(&f.window_s)->default_value(f.window_s, text(f.window_s)),
       help(ft, "window_s", "analysis epoch length [s]").c_str())
      ("fatigue.step_s", po::value<double>(&f.step_s)->default_value(f.step_s, text(f.step_s)),
       help(ft, "step_s", "hop between epoch starts [s]").c_str())
      ("fatigue.segment_s", po::value<double>(&f.segment_s)->default_value(f.segment_s, text(f.segment_s)),
       help(ft, "segment_s", "Welch segment length inside an epoch [s]").c_str())
      ("fatigue.low_hz", po::value<double>(&f.low_hz)->default_value(f.low_hz, text(f.low_hz)),
       help(ft, "low_hz", "lower edge of the MNF/MDF band [Hz]").c_str())
      ("fatigue.high_hz", po::value<double>(&f.high_hz)->default_value(f.high_hz, text(f.high_hz)),
       help(ft, "high_hz", "upper edge of the MNF/MDF band [Hz]; clipped to Nyquist").c_str())
      ("fatigue.detrend", po::value<std::string>(&a.detrend)->default_value(a.detrend),
       help(ft, "detrend", "per-segment detrend: none, constant, linear").c_str());
  return d;
}

void finish(FatigueArgs& a) { a.fatigue.detrend = emg::spectral::parse_detrend(a.detrend); }

po::options_description write_options(WriteArgs& a) {
  po::options_description d("CrampLab HDF5 output", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("sample-type", po::value<std::string>(&a.sample_type)->default_value("auto"),
       "auto (integer ADC counts when they reproduce every sample exactly, else float64), float64, float32 (lossy), "
       "integer (error if not exact)")
      ("compression", po::value<std::string>(&a.compression)->default_value("auto"),
       "auto (none for float data, shuffle+deflate(1) for integer counts), none, deflate")
      ("deflate-level", po::value<int>(&a.deflate_level)->default_value(1), "deflate level with --compression deflate, 1..9")
      ("overwrite", po::bool_switch(&a.overwrite), "replace existing output files (default: refuse)");
  return d;
}

emg::io::WriteOptions to_write_options(const WriteArgs& a) {
  emg::io::WriteOptions o;
  const std::string& t = a.sample_type;
  if (t == "auto") {
    o.sample_type = emg::io::SampleType::Auto;
  } else if (t == "float64") {
    o.sample_type = emg::io::SampleType::Float64;
  } else if (t == "float32") {
    o.sample_type = emg::io::SampleType::Float32;
  } else if (t == "integer") {
    o.sample_type = emg::io::SampleType::Integer;
  } else {
    throw UsageError("--sample-type='" + t + "' must be auto, float64, float32 or integer");
  }
  const std::string& c = a.compression;
  if (c == "auto") {
    o.compression = emg::io::Compression::Auto;
  } else if (c == "none") {
    o.compression = emg::io::Compression::None;
  } else if (c == "deflate") {
    o.compression = emg::io::Compression::Deflate;
  } else {
    throw UsageError("--compression='" + c + "' must be auto, none or deflate");
  }
  if (a.deflate_level < 1 || a.deflate_level > 9) {
    throw UsageError("--deflate-level=" + std::to_string(a.deflate_level) + " must be in 1..9");
  }
  o.deflate_level = a.deflate_level;
  o.overwrite = a.overwrite;
  return o;
}

po::options_description quality_options(emg::QualityParams& q) {
  const auto& qt = emg::QualityParams::describe();
  po::options_description d("Signal-quality summary", kHelpWidth, kHelpWidth / 2);
  d.add_options()
      ("quality.flat_run_s", po::value<double>(&q.flat_run_s)->default_value(q.flat_run_s, text(q.flat_run_s)),
       help(qt, "flat_run_s", "shortest run of identical samples counted as flat [s]").c_str())
      ("quality.dead_rms_ratio", po::value<double>(&q.dead_rms_ratio)->default_value(q.dead_rms_ratio, text(q.dead_rms_ratio)),
       help(qt, "dead_rms_ratio", "RMS ratio to the median channel below which a channel is dead").c_str())
      ("quality.clip_run_samples",
       po::value<double>(&q.clip_run_samples)->default_value(q.clip_run_samples, text(q.clip_run_samples)),
       help(qt, "clip_run_samples", "shortest run at the channel's min or max counted as clipping").c_str());
  return d;
}

}  // namespace cramplab
