"""cramplab.plot.train renders with Agg and draws what the decision used: thresholds at the cramps
table's values, shaded spans equal to the decision's suppressed intervals, onset / offset lines at
the table's times, and an envelope that is the decision's own (its mean over the baseline window
reproduces the table's baseline_mean; the table's onset is where it first reaches the thresholds).
Artists are checked, not pixels.
"""
from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cramplab  # noqa: E402
import cramplab.plot  # noqa: E402
import cramplab.simulate as sim  # noqa: E402

FS = 2000.0


@pytest.fixture(scope="module")
def result():
    (rec, truth), = sim.session(ctf_hz=13.0, seed=7, ladder={"start_hz": 6, "step_hz": 3, "rest_s": 5},
                                session={"post_s": 8, "snr_db": 20}, artifact={"amplitude": 1e-3})
    return rec, cramplab.analyse_session(rec)


def _by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


@pytest.mark.parametrize("train_id", [2, 4])
def test_train_figure_artists(result, train_id):
    _, r = result
    fig = cramplab.plot.train(r, train_id)
    assert isinstance(fig, matplotlib.figure.Figure)
    fig.canvas.draw()  # renders
    ax_sig, ax_env = fig.axes[:2]
    row = r.cramps.set_index("train_id").loc[train_id]
    for gid, col in (("threshold_on", "threshold_on"), ("threshold_off", "threshold_off"), ("baseline", "baseline_mean")):
        (line,) = _by_gid(ax_env.get_lines(), gid)
        assert np.allclose(line.get_ydata(), row[col], rtol=0, atol=0), gid
    # the train's pulses, and the suppressed spans = the decision's intervals inside the view
    (marks,) = _by_gid(ax_sig.get_lines(), "pulses")
    mine = r.pulses["sample"][r.pulses.train_id == train_id].to_numpy()
    np.testing.assert_allclose(marks.get_xdata(), mine / FS)
    spans = _by_gid(ax_sig.patches, "suppressed")
    lo, hi = ax_env.get_xlim()
    iv = r.cramp_intervals
    inside = iv[(iv[:, 1] > np.floor(lo * FS)) & (iv[:, 0] < np.ceil(hi * FS) + 1)]
    assert len(spans) == len(inside) >= mine.size
    got = np.array([[p.get_x(), p.get_x() + p.get_width()] for p in spans])
    np.testing.assert_allclose(got, inside / FS, rtol=0, atol=1e-12)
    assert np.all(inside[:, 1] - inside[:, 0] == round(0.025 * FS) + round(0.2e-3 * FS))  # cramp_suppress: 25 ms + pre
    title = ax_sig.get_title()
    assert f"train {train_id}" in title and ("no cramp" in title) != bool(row["cramp"])
    onset = _by_gid(ax_env.get_lines(), "onset")
    if row["cramp"]:
        assert np.allclose(onset[0].get_xdata(), row["onset_s"])
        assert np.allclose(_by_gid(ax_env.get_lines(), "offset")[0].get_xdata(), row["offset_s"])
    else:
        assert onset == []
    assert _by_gid(ax_env.texts, "decision")
    plt.close(fig)


def test_envelope_is_the_decisions(result):
    _, r = result
    t, env, spans = cramplab.plot.envelope(r)
    np.testing.assert_array_equal(spans, r.cramp_intervals)
    assert t[1] - t[0] == pytest.approx(float(r.parameter("cramp.hop_s")))
    hop = float(r.parameter("cramp.hop_s"))
    for _, row in r.cramps.iterrows():
        b0, b1 = cramplab.plot._baseline_window(r, row)
        sel = (t >= b0 - 1e-9) & (t <= b1 + 1e-9) & np.isfinite(env)
        assert sel.sum() * hop == pytest.approx(row["baseline_s"], abs=1e-9)
        assert env[sel].mean() == pytest.approx(row["baseline_mean"], rel=1e-9)
        if row["cramp"]:
            j = int(round(row["onset_s"] / hop))
            assert env[j] >= row["threshold_off"]
            post = (t >= row["onset_s"] - 1e-9) & (t <= row["onset_s"] + float(r.parameter("cramp.onset_within_s")))
            assert np.nanmax(env[post]) > row["threshold_on"]


def test_axes_argument_and_recording_input(result):
    rec, r = result
    fig, (a, b) = plt.subplots(2, 1)
    assert cramplab.plot.train(r, 1, ax=(a, b)) is fig
    assert _by_gid(b.get_lines(), "envelope") and _by_gid(a.get_lines(), "signal")
    fig2, ax = plt.subplots()
    assert cramplab.plot.train(rec, 4, ax=ax, before_s=0.5, after_s=3.0) is fig2
    assert len(fig2.axes) == 2  # the envelope on a twin axis
    assert fig2.axes[1].get_xlim() == pytest.approx((rec.stimulation.trains[3].start_sample / FS - 0.5,
                                                     rec.stimulation.trains[3].end_sample / FS + 3.0))
    with pytest.raises(ValueError, match="train_id=9"):
        cramplab.plot.train(r, 9)
    with pytest.raises(TypeError, match="analyse_session"):
        cramplab.plot.train(cramplab.analyse_stimulation(rec), 1)
    plt.close("all")


def test_docstring_examples_run():
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(cramplab.plot, "cramplab.plot", globs={"np": np, "cramplab": cramplab})
    assert sum(len(t.examples) for t in tests) > 5
    for t in tests:
        runner.run(t)
    assert runner.summarize(verbose=False).failed == 0
    plt.close("all")


def _span_x(patch):
    """x extent of an axvspan patch (a Rectangle or a Polygon, by matplotlib version)."""
    xs = patch.get_patch_transform().transform(patch.get_path().vertices)[:, 0]
    return xs.min(), xs.max()


def test_onsets_figure_draws_the_result():
    rec, truth = sim.bursts(seed=2, params={"bursts.duration_s": 20, "bursts.snr_db": 20, "bursts.n_channels": 2})
    res = cramplab.detect_onsets(rec, method="bonato")
    fig = cramplab.plot.onsets(res, rec, channel=1)
    sig_ax, tf_ax = fig.axes
    ev = res.events[res.events["channel"] == 1]
    spans = _by_gid(sig_ax.patches, "event")
    assert len(spans) == len(ev) > 0
    for p, (_, e) in zip(spans, ev.iterrows()):
        lo, hi = _span_x(p)
        assert lo == pytest.approx(e["onset_s"]) and hi == pytest.approx(e["offset_s"])
    line, = _by_gid(tf_ax.get_lines(), "test_function")
    np.testing.assert_array_equal(line.get_ydata(), res.test_function[1])
    thr, = _by_gid(tf_ax.get_lines(), "threshold")
    assert thr.get_ydata()[0] == res.channels["threshold"][1]
    base, = _by_gid(tf_ax.patches, "baseline")
    assert _span_x(base)[0] == pytest.approx(res.channels["baseline_start_s"][1])
    with pytest.raises(ValueError, match="channel=2"):
        cramplab.plot.onsets(res, rec, channel=2)
    with pytest.raises(ValueError, match="shape"):
        cramplab.plot.onsets(res, rec.data[:, :100])
    plt.close("all")
