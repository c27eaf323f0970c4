"""Varnish in front of Masthead, for real: deploy/varnish/run starts varnishd with
deploy/varnish/masthead.vcl before Django's live server, or before a small backend of fixed
pages that can be stopped. The views below answer the way the page cache's contract says."""

import http.client
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from masthead.caching.frontend import VarnishBackend
from masthead.core import ratelimit

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "deploy" / "varnish" / "run"
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")

pytestmark = pytest.mark.skipif(
    not VARNISHD, reason="varnishd is not installed (apt-get install varnish varnish-modules)"
)

PUBLIC = "public, max-age=0, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
SEEN = []  # (path, Cookie header) of every request the Django views answered
_served = itertools.count(1)


def contract_page(request, name):
    SEEN.append((request.path, request.headers.get("Cookie")))
    number = next(_served)
    response = HttpResponse(f"<p>{name} #{number}</p>")
    response["Cache-Control"] = PUBLIC
    response["ETag"] = f'"{name}-{number}"'
    response["xkey"] = request.GET.get("keys", f"page:{name}")
    return response


def private_page(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    response = HttpResponse(f"<p>private #{next(_served)}</p>")
    response["Cache-Control"] = "private, max-age=300"
    return response


def cookie_page(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    response = HttpResponse(f"<p>cookie #{next(_served)}</p>")
    response["Cache-Control"] = PUBLIC
    response.set_cookie("choice", "1")
    return response


def front_page(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    number = next(_served)
    if request.headers.get("Surrogate-Capability", "").endswith('"ESI/1.0"'):
        box = '<esi:include src="/_fragments/varnish-test/"/>'
    else:
        box = "<p>inline box</p>"
    response = HttpResponse(f"<!doctype html><h1>front #{number}</h1>{box}")
    response["Cache-Control"] = PUBLIC
    response["ETag"] = f'"front-{number}"'
    response["xkey"] = "page:front"
    if "esi:include" in box:
        response["Surrogate-Control"] = 'content="ESI/1.0"'
    return response


def fragment(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    response = HttpResponse(f"<p>box #{next(_served)}</p>")
    response["Cache-Control"] = PUBLIC
    response["xkey"] = "box"
    return response


def plain_page(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    return HttpResponse(f"<p>plain #{next(_served)}</p>")


@csrf_exempt
def form_page(request):
    SEEN.append((request.path, request.headers.get("Cookie")))
    return HttpResponse(f"<p>{request.method} #{next(_served)}</p>")


@csrf_exempt
def client_page(request):
    """Who the rate limits would count this request against, behind one trusted proxy."""
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        found = ratelimit.client_address(request)
    response = HttpResponse(f"{found}|{request.headers.get('X-Forwarded-For', '')}")
    response["Cache-Control"] = "private"
    return response


def robots(request):
    return HttpResponse("User-agent: *\n", content_type="text/plain")


# Django answers with this module as its URLconf while Varnish runs in front of it.
urlpatterns = [
    path("robots.txt", robots),
    path("_health/", robots),  # the probe's address: these views need no database
    path("_varnish/page/<slug:name>/", contract_page),
    # Marked public, but under the private prefixes: Varnish passes them whatever they say.
    re_path(r"^(?P<name>accounts|admin|_util|comments)/.*$", contract_page),
    path("_varnish/client/", client_page),
    path("_varnish/private/", private_page),
    path("_varnish/cookie/", cookie_page),
    path("_varnish/plain/", plain_page),
    path("_varnish/form/", form_page),
    path("_varnish/front/", front_page),
    path("_fragments/varnish-test/", fragment),
    path("", include("masthead.urls")),
]

# A backend that can be stopped: fixed pages, each counting its requests. /old comes with
# "Age: 400", past s-maxage=300 and stale-while-revalidate=60: stale on arrival.
SMALL_BACKEND = """
import http.server, itertools, sys
served = itertools.count(1)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        probe = self.path in ("/robots.txt", "/_health/")
        body = b"ok" if probe else f"{self.path} #{next(served)}".encode()
        self.send_response(200)
        self.send_header("Cache-Control", sys.argv[1])
        self.send_header("xkey", "page:small")
        if self.path.startswith("/old"):
            self.send_header("Age", "400")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class Varnish:
    """varnishd through deploy/varnish/run, on a free port, in its own work directory."""

    def __init__(self, backend):
        self.workdir = Path(tempfile.mkdtemp(prefix="masthead-varnish-"))
        self.log = open(self.workdir.with_suffix(".log"), "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(RUN), "0", backend, str(self.workdir)], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while self.health() != "healthy":
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                log = self.log.read()
                self.stop()
                pytest.fail(f"varnishd did not start in front of {backend}:\n{log}")
            time.sleep(0.2)
        address = self.admin("debug.listen_address").split()
        self.port = int(address[-1])
        self.url = f"http://127.0.0.1:{self.port}"

    def admin(self, *command):
        result = subprocess.run(
            ["varnishadm", "-n", str(self.workdir), *command],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return result.stdout if result.returncode == 0 else ""

    def health(self):
        for line in self.admin("backend.list").splitlines()[1:]:
            if line.split():
                return line.split()[3]
        return ""

    def request(self, method, url, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, url, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.reason, response.headers, response.read().decode()
        finally:
            connection.close()

    def get(self, url, **headers):
        status, _, response_headers, body = self.request("GET", url, headers)
        assert status == 200, (url, status, body)
        return response_headers["X-Cache"], body

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()
        self.workdir.with_suffix(".log").unlink()
        shutil.rmtree(self.workdir, ignore_errors=True)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def varnish():
    """Varnish before Django's own server, this module as the URLconf. Each request runs in
    a thread of its own, with no database connection: these views need none. Masthead's page
    cache is off, so that Varnish meets these views' answers as they are, and so is the
    middleware that finds the request's site in the database."""
    middleware = [name for name in settings.MIDDLEWARE if "CurrentSiteMiddleware" not in name]
    with override_settings(ROOT_URLCONF=__name__, PAGE_CACHE=False, MIDDLEWARE=middleware):
        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
        server.set_app(WSGIHandler())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        cache = Varnish(f"127.0.0.1:{server.server_port}")
        yield cache
        cache.stop()
        server.shutdown()
        server.server_close()


@pytest.fixture
def purger(varnish):
    return VarnishBackend({"LOCATION": varnish.url})


@pytest.fixture
def small_backend():
    """Starts the small backend with a Cache-Control header; yields a function to stop it."""
    processes = []

    def start(cache_control=PUBLIC):
        process = subprocess.Popen(
            [sys.executable, "-c", SMALL_BACKEND, cache_control],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process, int(process.stdout.readline())

    yield start
    for process in processes:
        process.kill()
        process.wait()
        process.stdout.close()


def backend_requests(path):
    return [cookie for seen, cookie in SEEN if seen == path]


def test_a_public_response_is_a_miss_then_a_hit_and_readers_never_see_its_keys(varnish):
    url = "/_varnish/page/first/"
    cache, page = varnish.get(url)
    assert cache == "MISS"
    assert page.startswith("<p>first #")
    status, _, headers, body = varnish.request("GET", url)
    assert (status, headers["X-Cache"], body) == (200, "HIT", page)
    assert "xkey" not in headers
    assert headers["ETag"].startswith('"first-')
    assert headers["Cache-Control"] == PUBLIC
    assert len(backend_requests(url)) == 1

    status, _, headers, body = varnish.request("HEAD", url)
    assert (status, headers["X-Cache"], body) == (200, "HIT", "")

    # A HEAD first is fetched as a GET and cached for the GET that follows.
    status, _, headers, body = varnish.request("HEAD", "/_varnish/page/headfirst/")
    assert (status, headers["X-Cache"], body) == (200, "MISS", "")
    assert varnish.get("/_varnish/page/headfirst/")[0] == "HIT"


def test_varnish_appends_the_readers_address_to_x_forwarded_for(varnish):
    """What TRUSTED_PROXY_COUNT=1 relies on: Varnish appends the address it was reached from,
    after anything the reader wrote into the header, so the last entry is the true one."""
    status, _, _, body = varnish.request("GET", "/_varnish/client/")
    assert (status, body) == (200, "127.0.0.1|127.0.0.1")
    forged = {"X-Forwarded-For": "6.6.6.6"}
    status, _, _, body = varnish.request("GET", "/_varnish/client/", forged)
    assert (status, body) == (200, "127.0.0.1|6.6.6.6, 127.0.0.1")
    status, _, _, body = varnish.request("POST", "/_varnish/client/", forged)
    assert (status, body) == (200, "127.0.0.1|6.6.6.6, 127.0.0.1")


def test_readers_cookies_are_dropped_before_the_lookup(varnish):
    url = "/_varnish/page/cookies/"
    assert varnish.get(url, Cookie="csrftoken=abc")[0] == "MISS"
    assert varnish.get(url, Cookie="csrftoken=def; theme=dark")[0] == "HIT"
    assert varnish.get(url)[0] == "HIT"
    assert backend_requests(url) == [None]


def test_a_signed_in_editor_is_never_served_from_the_cache(varnish):
    url = "/_varnish/page/editor/"
    cookie = "csrftoken=abc; sessionid=s3cr3t; masthead_editor=1"
    first, second = varnish.get(url, Cookie=cookie), varnish.get(url, Cookie=cookie)
    assert first[0] == second[0] == "MISS"
    assert first[1] != second[1]
    assert backend_requests(url) == [cookie, cookie]
    # Nor did the editor's answers fill the cache for readers.
    assert varnish.get(url)[0] == "MISS"
    assert varnish.get(url)[0] == "HIT"
    assert varnish.get(url, Cookie="masthead_editor=1")[0] == "MISS"


def test_a_signed_in_reader_gets_the_same_stored_page(varnish):
    url = "/_varnish/page/reader/"
    anonymous = varnish.get(url)
    assert anonymous[0] == "MISS"
    reader = varnish.get(url, Cookie="csrftoken=abc; sessionid=r3ader; masthead_signed_in=1")
    assert reader == ("HIT", anonymous[1])
    assert backend_requests(url) == [None]


def test_a_signed_in_readers_miss_carries_only_their_session_to_the_site(varnish):
    """Masthead builds the page for the cache without it (tests/test_accounts_cache.py)."""
    url = "/_varnish/page/reader-miss/"
    assert (
        varnish.get(url, Cookie="theme=dark; sessionid=r3ader; masthead_signed_in=1")[0] == "MISS"
    )
    assert backend_requests(url) == ["sessionid=r3ader"]


@pytest.mark.parametrize("url", ["/accounts/me/", "/admin/", "/_util/x/", "/comments/1/"])
def test_private_addresses_always_pass(varnish, url):
    for _ in range(2):
        assert varnish.get(url)[0] == "MISS"
    assert len(backend_requests(url)) == 2


def test_posts_reach_the_site_with_their_cookies(varnish):
    url = "/_varnish/form/"
    for _ in range(2):
        status, _, headers, body = varnish.request(
            "POST", url, {"Cookie": "csrftoken=abc", "Content-Length": "0"}
        )
        assert (status, headers["X-Cache"]) == (200, "MISS")
        assert body.startswith("<p>POST #")
    assert backend_requests(url) == ["csrftoken=abc", "csrftoken=abc"]


@pytest.mark.parametrize("url", ["/_varnish/private/", "/_varnish/cookie/", "/_varnish/plain/"])
def test_private_responses_set_cookies_and_no_cache_control_are_never_cached(varnish, url):
    bodies = set()
    for _ in range(2):
        status, _, headers, body = varnish.request("GET", url)
        assert (status, headers["X-Cache"]) == (200, "MISS")
        bodies.add(body)
    assert len(bodies) == 2
    assert len(backend_requests(url)) == 2


def test_purging_a_key_purges_exactly_the_objects_that_carry_it(varnish, purger):
    pages = {
        "/_varnish/page/a/?keys=page:1+tag:5": "page:1 tag:5",
        "/_varnish/page/b/?keys=page:2+tag:5": "page:2 tag:5",
        "/_varnish/page/c/?keys=page:3+tag:55": "page:3 tag:55",
    }
    for url in pages:
        varnish.get(url)
        assert varnish.get(url)[0] == "HIT"

    assert purger.purge_keys(["tag:5"]) == 2
    assert [varnish.get(url)[0] for url in pages] == ["MISS", "MISS", "HIT"]
    assert purger.purge_keys(["tag:5", "nothing:here"]) == 2
    assert purger.purge_keys([]) == 0
    assert [varnish.get(url)[0] for url in pages] == ["MISS", "MISS", "HIT"]


def test_purging_more_keys_than_one_header_holds_is_batched(varnish, purger):
    url = "/_varnish/page/many/?keys=last:key"
    varnish.get(url)
    keys = [f"article:{number}" for number in range(2000)] + ["last:key"]
    assert len(" ".join(keys)) > 16000
    assert purger.purge_keys(keys) == 1
    assert varnish.get(url)[0] == "MISS"


def test_purge_without_keys_purges_only_its_own_url(varnish, purger):
    kept, purged = "/_varnish/page/kept/", "/_varnish/page/gone/"
    for url in (kept, purged):
        varnish.get(url)

    for headers in ({"xkey-purge": ""}, {"xkey-purge": "   "}):
        status, reason, _, _ = varnish.request("PURGE", kept, headers)
        assert (status, reason) == (400, "Empty xkey-purge")
    assert varnish.get(kept)[0] == "HIT"

    status, reason, _, _ = varnish.request("PURGE", purged)
    assert (status, reason) == (200, "Purged")
    assert [varnish.get(kept)[0], varnish.get(purged)[0]] == ["HIT", "MISS"]

    purger.purge(f"http://127.0.0.1:{varnish.port}{kept}")
    assert varnish.get(kept)[0] == "MISS"


@pytest.mark.parametrize(
    ("url", "expected"),
    [("http://127.0.0.1:6081/", "varnish 127.0.0.1:6081 frontend_cache"), ("", "none")],
)
def test_varnish_url_configures_the_purging_backend(url, expected):
    script = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "from wagtail.contrib.frontend_cache.utils import get_backends;"
        "backends = get_backends();"
        "apps = [a for a in settings.INSTALLED_APPS if a.endswith('frontend_cache')];"
        "print(' '.join(f'{n} {b.netloc}' for n, b in backends.items()) or 'none',"
        " *[a.rsplit('.', 1)[1] for a in apps])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings", "VARNISH_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_varnish_that_is_down_never_breaks_the_editors_request(caplog):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    backend = VarnishBackend({"LOCATION": f"http://127.0.0.1:{port}"})
    with caplog.at_level("WARNING", logger="masthead.caching.frontend"):
        assert backend.purge_keys(["page:1"]) == 0
        backend.purge(f"http://127.0.0.1:{port}/news/")
    assert len(caplog.records) == 2
    assert all("did not purge" in record.getMessage() for record in caplog.records)


def test_esi_includes_are_assembled_from_fragments_with_their_own_keys(varnish, purger):
    url = "/_varnish/front/"
    status, _, headers, page = varnish.request("GET", url)
    assert status == 200
    assert "Surrogate-Control" not in headers
    assert "ETag" not in headers  # the assembled page changes with its fragment
    assert "<esi:include" not in page
    assert page.startswith("<!doctype html><h1>front #")
    assert "<p>box #" in page
    assert varnish.request("GET", url)[3] == page

    assert purger.purge_keys(["box"]) == 1
    status, _, _, again = varnish.request("GET", url)
    assert status == 200
    assert again.split("<p>box")[0] == page.split("<p>box")[0]  # the page itself was a hit
    assert again.split("<p>box")[1] != page.split("<p>box")[1]
    assert len(backend_requests(url)) == 1
    assert len(backend_requests("/_fragments/varnish-test/")) == 2


def test_stale_while_revalidate_and_stale_if_error_when_the_backend_is_down(small_backend):
    process, port = small_backend()
    cache = Varnish(f"127.0.0.1:{port}")
    try:
        # Healthy: an object past s-maxage and stale-while-revalidate is fetched again.
        assert cache.get("/old") == ("MISS", "/old #1")
        assert cache.get("/old") == ("MISS", "/old #2")
        assert cache.get("/fresh") == ("MISS", "/fresh #3")

        process.kill()
        process.wait()
        deadline = time.monotonic() + 30
        while cache.health() != "sick":
            assert time.monotonic() < deadline, "the probe never saw the backend go"
            time.sleep(0.2)

        # Sick: stale objects are served (stale-if-error), fresh ones as ever.
        assert cache.get("/old") == ("HIT", "/old #2")
        assert cache.get("/fresh") == ("HIT", "/fresh #3")
        status, _, _, _ = cache.request("GET", "/never-cached")
        assert status == 503
    finally:
        cache.stop()


def test_stale_while_revalidate_serves_the_old_page_while_it_fetches_the_new(small_backend):
    _, port = small_backend(PUBLIC.replace("s-maxage=300", "s-maxage=1"))
    cache = Varnish(f"127.0.0.1:{port}")
    try:
        assert cache.get("/page") == ("MISS", "/page #1")
        time.sleep(1.5)
        assert cache.get("/page") == ("HIT", "/page #1")
        deadline = time.monotonic() + 10
        while cache.get("/page")[1] == "/page #1":
            assert time.monotonic() < deadline, "the background fetch never replaced the page"
            time.sleep(0.1)
        assert cache.get("/page")[1] == "/page #2"
    finally:
        cache.stop()


@pytest.fixture
def live_varnish(live_paper, live_server, settings):
    """Varnish before the live server with Masthead's own URLs, purged by the page cache."""
    cache = Varnish(f"127.0.0.1:{live_server.thread.port}")
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "masthead.caching.frontend.VarnishBackend", "LOCATION": cache.url}
    }
    yield cache
    cache.stop()


@pytest.mark.live
def test_publishing_a_new_headline_shows_through_varnish_at_once(live_paper, live_varnish):
    article = live_paper.article(title="Harbour reopens after the storm")
    url = article.url

    status, _, headers, body = live_varnish.request("GET", url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert "Harbour reopens after the storm" in body
    status, _, headers, _ = live_varnish.request("GET", url)
    assert (status, headers["X-Cache"]) == (200, "HIT")

    article.title = "Harbour stays shut after the storm"
    article.save_revision().publish()

    status, _, headers, body = live_varnish.request("GET", url)
    assert status == 200
    assert "Harbour stays shut after the storm" in body
    assert "Harbour reopens after the storm" not in body


@pytest.mark.live
def test_the_browser_policy_passes_through_varnish_missed_or_hit(live_paper, live_varnish):
    """Varnish keeps the headers Masthead's page cache replays: the same on a MISS and a HIT."""
    url = live_paper.article(title="Policy on every copy").url
    seen = []
    for expected in ("MISS", "HIT"):
        status, _, headers, _ = live_varnish.request("GET", url)
        assert (status, headers["X-Cache"]) == (200, expected)
        seen.append((headers["Content-Security-Policy"], headers["Permissions-Policy"]))
    (policy, permissions), again = seen
    assert again == seen[0]
    assert "object-src 'none'" in policy and "script-src 'self';" in policy
    assert "base-uri 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "camera=()" in permissions
    status, _, headers, body = live_varnish.request("GET", "/.well-known/security.txt")
    assert status == 200 and body.startswith("Contact: mailto:")
    assert "object-src 'none'" in headers["Content-Security-Policy"]


@pytest.mark.live
def test_the_breaking_news_banner_goes_on_and_off_through_varnish(live_paper, live_varnish):
    from wagtail.models import Site

    from masthead.core.models import BreakingNews

    url = live_paper.article(title="A quiet morning").url

    def switch(**fields):
        news = BreakingNews.for_site(Site.objects.get(is_default_site=True))
        for name, value in fields.items():
            setattr(news, name, value)
        news.save()

    assert live_varnish.get(url)[0] == "MISS"
    state, body = live_varnish.get(url)
    assert state == "HIT" and 'class="breaking-news"' not in body
    switch(on=True, headline="Bridge closed after the storm", link_url="https://example.org/")
    state, body = live_varnish.get(url)
    assert state == "MISS"  # the page held no banner: switching one on purged it
    assert 'class="breaking-news"' in body and "Bridge closed after the storm" in body
    switch(on=True, headline="Bridge reopens at noon", link_url="https://example.org/")
    state, body = live_varnish.get(url)
    assert state == "HIT"  # the page includes the banner now: it was purged alone
    assert "Bridge reopens at noon" in body and "Bridge closed" not in body
    switch(on=False)
    state, body = live_varnish.get(url)
    assert state == "HIT" and 'class="breaking-news"' not in body and "Bridge reopens" not in body


@pytest.mark.live
def test_the_live_coverage_poll_through_varnish_is_purged_by_a_new_entry(live_paper, live_varnish):
    import json

    from masthead.articles.models import ArticlePage, LiveEntry

    article = live_paper.article(title="Count, live", live_coverage=ArticlePage.LIVE_RUNNING)
    article.live_entries.add(LiveEntry(text="<p>Polls close.</p>"))
    article.save_revision().publish()
    first = LiveEntry.objects.get(page_id=article.pk)
    poll = f"/live/{article.pk}/entries?after={first.pk}"
    assert live_varnish.get(poll)[0] == "MISS"
    state, body = live_varnish.get(poll)
    assert state == "HIT" and json.loads(body)["entries"] == []

    article = ArticlePage.objects.get(pk=article.pk)
    article.live_entries.add(LiveEntry(text="<p>The first result is in.</p>"))
    article.save_revision().publish()
    state, body = live_varnish.get(poll)
    assert state == "MISS"
    assert [entry["id"] for entry in json.loads(body)["entries"]] == [
        LiveEntry.objects.filter(page_id=article.pk).latest("pk").pk
    ]
