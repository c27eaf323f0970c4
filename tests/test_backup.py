"""`masthead backup` while a writer writes, then changes, then `masthead restore`: the pages,
images and media files come back as they were, on SQLite and on PostgreSQL (a private cluster:
tests/servers.py)."""

import hashlib
import json
import subprocess
import tarfile
import time

import pytest

from tests.servers import MASTHEAD, ROOT, Gunicorn, wait_for

pytestmark = [pytest.mark.live, pytest.mark.own_database]

STATE = """
import json
from wagtail.models import Page
from masthead.core.models import SentEmail
from masthead.images.models import NewsImage
written = set(SentEmail.objects.filter(key__startswith="writer:").values_list("key", flat=True))
print(json.dumps({
    "pages": sorted([p.pk, p.title, p.live] for p in Page.objects.all()),
    "images": sorted([i.pk, i.title, i.file.name] for i in NewsImage.objects.all()),
    "writes": sorted(written),
}))
"""

WRITER = """
import pathlib, time
from django.db import transaction
from masthead.core.models import SentEmail
stop, ready = pathlib.Path({stop!r}), pathlib.Path({ready!r})
number = 0
while not stop.exists() and number < 20000:
    with transaction.atomic():  # two rows, or none
        SentEmail.objects.create(key=f"writer:{{number}}:a")
        time.sleep(0.001)
        SentEmail.objects.create(key=f"writer:{{number}}:b")
    number += 1
    ready.touch()
"""

CHANGE = """
from wagtail.models import Page
from masthead.articles.models import ArticlePage
from masthead.images.models import NewsImage
articles = list(ArticlePage.objects.order_by("pk"))
articles[0].delete()
renamed = articles[1]
renamed.title = "Changed after the backup"
renamed.save_revision().publish()
NewsImage.objects.order_by("pk").first().delete()
print(renamed.url)
"""


def state(site):
    return json.loads(site.masthead("shell", "-c", STATE).strip().splitlines()[-1])


def media(site):
    root = site.data_dir / "media"
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def consistent(writes):
    pairs = {}
    for key in writes:
        _, number, half = key.split(":")
        pairs.setdefault(number, set()).add(half)
    return all(halves == {"a", "b"} for halves in pairs.values())


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_backup_made_while_the_site_writes_restores_what_was_there(request, tmp_path, database):
    site = request.getfixturevalue(f"{database}_site")
    before = state(site)
    files = media(site)
    assert files and before["images"]

    stop, ready = tmp_path / "stop", tmp_path / "ready"
    writer = subprocess.Popen(
        [MASTHEAD, "shell", "-c", WRITER.format(stop=str(stop), ready=str(ready))],
        env=site.env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(ready.exists, 30, "the writer never wrote")
        archive = tmp_path / "backups" / "paper.tar"
        output = site.masthead("backup", str(archive))
        time.sleep(0.3)  # and the writer goes on after it
    finally:
        stop.touch()
        writer.wait(30)
    assert writer.returncode == 0, writer.stderr.read()
    writer.stderr.close()
    assert "Backed up the" in output
    assert "media files" in output
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["database"]["vendor"] == ("sqlite" if database == "sqlite" else "postgresql")
    assert manifest["media"]["files"] == len(files)
    assert {f"media/{name}" for name in files} <= set(names)
    assert not [path for path in archive.parent.iterdir() if path != archive]  # nothing half-made

    server = Gunicorn(site.env(), workers=1)  # the site runs, keeping pages in its memory
    try:
        renamed = site.masthead("shell", "-c", CHANGE).strip().splitlines()[-1]
        (site.data_dir / "media" / "stray.txt").write_text("written after the backup")
        changed = state(site)
        assert changed["pages"] != before["pages"] and changed["images"] != before["images"]
        assert "Changed after the backup" in server.get(renamed)[2]
        server.get(renamed)  # and kept in the page cache

        refused = subprocess.run(
            [MASTHEAD, "restore", str(archive)],
            env=site.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0
        assert "--force" in refused.stderr
        assert state(site) == changed  # nothing touched

        output = site.masthead("restore", "--force", str(archive))
        restored_media = media(site)  # before the site makes renditions again
        # The running site forgets the page it kept: its purge times went with the restore.
        status, _, page = server.get(renamed)
        assert status == 200  # the title changed, not the address
        assert "Changed after the backup" not in page
    finally:
        server.stop()
    assert "Restoring the database" in output and "Restored the backup of" in output
    after = state(site)
    assert after["pages"] == before["pages"]
    assert after["images"] == before["images"]
    assert restored_media == files
    # The writer's transactions came through whole: what was committed when the copy was made.
    assert after["writes"] and consistent(after["writes"])
    assert set(after["writes"]) < set(changed["writes"])


def test_restore_refuses_what_is_not_a_backup(sqlite_site, tmp_path):
    not_a_backup = tmp_path / "notes.tar"
    with tarfile.open(not_a_backup, "w") as tar:
        tar.add(__file__, arcname="notes.py")
    for archive, message in [
        (not_a_backup, "not a Masthead backup"),
        (tmp_path / "missing.tar", "No backup at"),
    ]:
        result = subprocess.run(
            [MASTHEAD, "restore", "--force", str(archive)],
            env=sqlite_site.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert message in result.stderr
