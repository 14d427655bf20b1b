"""The shipped recordings are intact: every file listed in datasets/README.md has its checksum."""
import hashlib
import re

from conftest import REPO

LINE = re.compile(r"^([0-9a-f]{64})  (real/\S+)$")


def test_checksums_match_readme():
    readme = (REPO / "datasets" / "README.md").read_text()
    entries = [LINE.match(line).groups() for line in readme.splitlines() if LINE.match(line)]
    assert len(entries) >= 30
    for digest, rel in entries:
        path = REPO / "datasets" / rel
        assert path.is_file(), f"{rel} listed in datasets/README.md is missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{rel} differs from its checksum"


def test_every_folder_has_provenance():
    for folder in (REPO / "datasets" / "real").iterdir():
        assert (folder / "PROVENANCE.md").is_file(), folder.name
