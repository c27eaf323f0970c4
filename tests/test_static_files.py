"""Static files as `collectstatic` writes them for production: Masthead's own stylesheets and
scripts minified before they are hashed and compressed, other packages' files as they ship."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage

from masthead.core.storage import MinifiedStaticFilesStorage

OWN = ["masthead/site.css", "masthead/comments.js", "masthead/account.js"]
OTHERS = ["wagtailadmin/js/core.js"]


@pytest.fixture
def collected(tmp_path):
    storage = MinifiedStaticFilesStorage(location=tmp_path, base_url="/static/")
    paths = {}
    for name in OWN + OTHERS:
        source = Path(finders.find(name))
        origin = FileSystemStorage(location=str(source.parents[len(Path(name).parts) - 1]))
        storage.save(name, origin.open(name))  # what collectstatic copies before post-processing
        paths[name] = (origin, name)
    results = list(storage.post_process(paths))
    assert [error for _, _, error in results if isinstance(error, Exception)] == []
    return storage


def test_own_files_are_minified_before_they_are_hashed(collected):
    for name in OWN:
        source = Path(finders.find(name)).read_bytes()
        hashed = collected.stored_name(name)
        assert hashed != name
        minified = Path(collected.path(hashed)).read_bytes()
        assert len(minified) < len(source) * 0.92, name
        assert collected.file_hash(name, collected.open(hashed)) in hashed  # hash of what ships
        assert Path(collected.path(hashed + ".gz")).exists()


def test_other_packages_files_ship_as_they_are(collected):
    for name in OTHERS:
        hashed = collected.stored_name(name)
        assert Path(collected.path(hashed)).read_bytes() == Path(finders.find(name)).read_bytes()


def test_minified_scripts_still_parse(collected):
    for name in OWN:
        if name.endswith(".js"):
            path = collected.path(collected.stored_name(name))
            check = subprocess.run(["node", "--check", path], capture_output=True, text=True)
            assert check.returncode == 0, (name, check.stderr)
