"""`pip install .` (scikit-build-core) gives an importable cramplab in any directory."""
import os
import subprocess
import sys
import textwrap

from conftest import REPO

CHECK = textwrap.dedent(
    """
    import os, sys, numpy as np, cramplab
    assert "site-packages" in cramplab.__file__, cramplab.__file__
    x = np.random.default_rng(0).normal(size=(2, 4096))
    sos = cramplab.butter(order=4, cutoff_hz=[20.0, 450.0], btype="bandpass", fs_hz=2048.0)
    y = cramplab.sosfiltfilt(sos, x)
    assert y.shape == x.shape and np.isfinite(y).all()
    f, p = cramplab.welch(x, fs_hz=2048.0, nperseg=512)
    assert p.shape == (2, 257)
    (rec, truth), = cramplab.simulate.session(ctf_hz=8.0, seed=1, ladder={"rest_s": 5}, session={"post_s": 5})
    assert truth.trains["cramp"].tolist() == [False, False, True]
    print("ok", cramplab.__version__)
    """
)


def test_pip_install_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the build tree must not be what gets imported
    res = subprocess.run([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", str(REPO)],
                         env=env, capture_output=True, text=True, timeout=3000)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    out = subprocess.run([str(py), "-c", CHECK], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok ")
