"""Where purge times live when there is no Redis: files that every process of the site on this
machine reads (the web server's workers, the task worker, a management command), so that a
change made in any of them purges what the others keep in their own memory."""

import os
import tempfile

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class PurgeTimesCache(FileBasedCache):
    """Django's file cache, with an `add()` that holds across processes and no culling."""

    def _cull(self):
        # One small file per key ever shown. Never culled: Django's cull lists the folder on
        # every write, and a purge time that went missing would only read as a purge anyway.
        return

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Write the value only if the key has none, even when another process writes it now:
        the file is linked into place, which fails if one is there already."""
        self._createdir()
        fname = self._key_to_file(key, version)
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            try:
                os.link(tmp_path, fname)
            except FileExistsError:
                if self.has_key(key, version):
                    return False
                os.replace(tmp_path, fname)  # the one there had expired
                return True
            return True
        finally:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
