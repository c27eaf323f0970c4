"""Uploaded media on the file system, never half-written: each file is written whole under a
temporary name beside its place, then renamed into it. A write that fails (a full disk, a quota,
a file size limit) leaves nothing behind, and the error is one `storage_full()` recognises."""

import contextlib
import errno
import os
import tempfile
from pathlib import Path

import rcssmin
import rjsmin
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

PARTIAL_PREFIX = ".partial-"
OWN_CODE = Path(__file__).resolve().parents[1]
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
STORAGE_FULL_MESSAGE = (
    "The server’s disk is full, so the file could not be stored. Nothing was saved: please try "
    "again later, and tell the site’s administrator."
)


def storage_full(error):
    """Whether an exception says that the disk (or a quota, or a size limit) is full."""
    return isinstance(error, OSError) and error.errno in FULL


class _Written(File):
    """A file already written to disk, which FileSystemStorage moves into place by renaming."""

    def __init__(self, path):
        super().__init__(None, name=path)
        self.path = path

    def temporary_file_path(self):
        return self.path


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        if hasattr(content, "temporary_file_path"):  # on disk already: renamed, not rewritten
            return super()._save(name, content)
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            return super()._save(name, _Written(partial))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed and compressed static files, with Masthead's own stylesheets and
    scripts minified first, so that a page's CSS and JavaScript weigh less for every reader.
    Files from other packages (Wagtail's admin, for one) are left as they ship."""

    minifiers = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}

    def post_process(self, paths, dry_run=False, **options):
        if not dry_run:
            for name, (source, path) in list(paths.items()):
                minify = self.minifiers.get(os.path.splitext(name)[1])
                if minify and Path(source.path(path)).is_relative_to(OWN_CODE):
                    with source.open(path) as original:
                        text = original.read().decode()
                    self.delete(name)
                    self.save(name, ContentFile(minify(text).encode()))
                    paths[name] = (self, name)
        yield from super().post_process(paths, dry_run, **options)
