"""A full disk on upload, for real: MEDIA_ROOT on a small tmpfs filled almost to the brim, so
that writing the upload fails with ENOSPC from the kernel. The reader and the editor are told,
and nothing is left half-written: no partial file, no row."""

import io
import os
import random
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from masthead.core.storage import MediaStorage
from masthead.images.models import NewsImage
from masthead.jobs.models import Organisation, Vacancy
from tests.jobs_fixtures import JobsBoard
from tests.test_jobs_submission import vacancy_data

FREE = 64 * 1024


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a 512 KB tmpfs with 64 KB left."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "media"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        pytest.skip(f"a tmpfs cannot be mounted here: {result.stderr.strip()}")
    try:
        statvfs = os.statvfs(mount)
        (mount / "filler").write_bytes(b"\0" * (statvfs.f_bavail * statvfs.f_frsize - FREE))
        settings.MEDIA_ROOT = mount
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def files_in(folder):
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )


def noisy_png(side=320):
    """A picture that compresses badly: larger than what is left on the disk."""
    rng = random.Random(7)
    image = Image.frombytes(
        "RGB", (side, side), bytes(rng.randrange(256) for _ in range(side * side * 3))
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 2 * FREE
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_the_storage_writes_a_file_whole_or_not_at_all(full_disk):
    storage = MediaStorage(location=full_disk)
    with pytest.raises(OSError) as failure:
        storage.save("images/big.bin", ContentFile(b"x" * (2 * FREE)))
    assert failure.value.errno == 28  # ENOSPC, from the kernel
    assert files_in(full_disk) == ["filler"]
    name = storage.save("images/small.txt", ContentFile(b"fits"))
    assert (full_disk / name).read_bytes() == b"fits"
    assert oct((full_disk / name).stat().st_mode & 0o777) == "0o644"
    assert files_in(full_disk) == ["filler", "images/small.txt"]


def test_a_listing_whose_logo_meets_a_full_disk_is_refused_whole_and_keeps_the_form(
    client, paper, full_disk
):
    board = JobsBoard(paper).vacancies
    files = files_in(full_disk)
    before = (Vacancy.objects.count(), Organisation.objects.count(), NewsImage.objects.count())
    response = client.post(board.url + "submit/", vacancy_data(logo=noisy_png()))
    assert response.status_code == 507
    html = response.content.decode()
    assert "disk is full" in html
    assert 'value="Warehouse supervisor"' in html  # what was typed is kept
    assert "no-store" in response["Cache-Control"]
    after = (Vacancy.objects.count(), Organisation.objects.count(), NewsImage.objects.count())
    assert after == before
    assert files_in(full_disk) == files


def test_an_image_upload_in_the_admin_meets_a_full_disk_with_a_clear_page(
    client, paper, full_disk, django_user_model
):
    editor = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(editor)
    before = NewsImage.objects.count()
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Harbour from the air", "file": noisy_png(), "description": "The harbour"},
    )
    assert response.status_code == 507, response.content.decode()[:2000]
    assert "disk is full" in response.content.decode()
    assert NewsImage.objects.count() == before
    assert files_in(full_disk) == ["filler"]
