"""Purges Varnish (deploy/varnish/masthead.vcl) by URL for Wagtail, by content keys for Masthead."""

import logging
import re
from http.client import HTTPException
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

logger = logging.getLogger(__name__)

# Varnish refuses request headers past http_req_hdr_len (8 KB by default).
MAX_HEADER_LENGTH = 8000


class VarnishBackend(BaseBackend):
    """`LOCATION` is Varnish's address, e.g. `http://127.0.0.1:6081`; `TIMEOUT` in seconds."""

    def __init__(self, params):
        super().__init__(params)
        location = urlsplit(params["LOCATION"])
        self.scheme, self.netloc = location.scheme, location.netloc
        self.timeout = params.get("TIMEOUT", 2)

    def purge(self, url):
        parts = urlsplit(url)
        self._purge(parts.path or "/", parts.query, {"Host": parts.netloc.lower()}, url)

    def purge_keys(self, keys):
        """Purges every object that carries one of `keys`; returns how many Varnish purged."""
        words = dict.fromkeys(word for key in keys for word in str(key).split())
        return sum(
            self._purge("/", "", {"xkey-purge": " ".join(batch)}, f"keys {' '.join(batch)}")
            for batch in _batches(words)
        )

    def _purge(self, path, query, headers, what):
        url = urlunsplit((self.scheme, self.netloc, path, query, ""))
        request = Request(url, method="PURGE", headers=headers)
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                purged = re.search(r"\d+", response.reason or "")
                return int(purged.group()) if purged else 0
        except (OSError, HTTPException, ValueError) as error:
            logger.warning("Varnish at %s did not purge %s: %s", self.netloc, what, error)
            return 0


def _batches(words):
    batch, length = [], 0
    for word in words:
        if batch and length + 1 + len(word) > MAX_HEADER_LENGTH:
            yield batch
            batch, length = [], 0
        batch.append(word)
        length += len(word) + (1 if length else 0)
    if batch:
        yield batch
