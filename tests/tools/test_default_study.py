"""The simulated study shipped in datasets/simulated/hydration-12x2 (the README main job's input):
complete, valid, consistent with its ground truth, and exactly what its committed command
(scripts/make-default-study) makes — same samples, same truth, same tables.
"""
from __future__ import annotations

import os
import pathlib
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
STUDY = REPO / "datasets" / "simulated" / "hydration-12x2"


def test_shipped_study_is_complete_and_consistent():
    manifest = pd.read_csv(STUDY / "manifest.tsv", sep="\t")
    assert len(manifest) == 24
    assert sorted(manifest.condition.unique()) == ["euhydrated", "hypohydrated"]
    assert manifest.groupby("subject").size().eq(2).all()
    truth = pd.read_csv(STUDY / "truth" / "sessions.tsv", sep="\t")
    for row in manifest.itertuples():
        path = STUDY / row.file
        assert path.exists(), row.file
        t = truth[(truth.subject == row.subject) & (truth.session == row.session)].iloc[0]
        assert t.condition == row.condition
        with h5py.File(path, "r") as f:
            cramp = f["truth/trains/cramp"][()].astype(bool)
            freqs = f["truth/trains/frequency_hz"][()]
            np.testing.assert_array_equal(cramp, freqs >= t.true_ctf_hz)
            if t.censored:
                assert not cramp.any() and freqs.max() == 40.0
            else:
                assert freqs[cramp][0] == t.ladder_ctf_hz
            assert f["recording/data"].dtype == np.int16


def test_shipped_study_is_what_its_command_makes(tmp_path):
    exe = os.environ.get("CRAMPLAB_EXE")
    env = dict(os.environ)
    if exe:  # the script runs <build>/tools/cramplab; point it at ctest's build
        env["CRAMPLAB_BUILD_DIR"] = str(pathlib.Path(exe).resolve().parents[1])
    out = tmp_path / "again"
    subprocess.run([str(REPO / "scripts" / "make-default-study"), str(out)], check=True, env=env, capture_output=True,
                   timeout=300)
    for name in ("manifest.tsv", "truth/sessions.tsv", "truth/subjects.tsv"):
        assert (out / name).read_text() == (STUDY / name).read_text(), name
    manifest = pd.read_csv(STUDY / "manifest.tsv", sep="\t")
    for row in manifest.itertuples():
        with h5py.File(STUDY / row.file, "r") as a, h5py.File(out / row.file, "r") as b:
            for name in ("recording/data", "stimulation/pulses", "truth/activity", "truth/pulses/mwave_amplitude",
                         "truth/trains/cramp_onset_sample", "truth/trains/cramp_offset_sample"):
                np.testing.assert_array_equal(a[name][()], b[name][()], err_msg=f"{row.file}: {name}")
            assert dict(a["truth"].attrs) == dict(b["truth"].attrs)


def test_shipped_study_files_match_their_checksums():
    import hashlib

    listed = {}
    for line in (STUDY.parent / "hydration-12x2.sha256").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    on_disk = {str(p.relative_to(STUDY.parent)) for p in STUDY.rglob("*") if p.is_file()}
    assert on_disk == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((STUDY.parent / name).read_bytes()).hexdigest() == digest, name
