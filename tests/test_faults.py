"""When parts fail, for real: a private Redis killed under gunicorn, a private PostgreSQL
cluster restarted under load and stopped, Varnish in front of a site whose database is gone.
Each runs Masthead in a data folder of its own (tests/servers.py), never the machine's shared
PostgreSQL or Redis."""

import re
import threading
import time

import pytest

from tests.servers import Gunicorn, wait_for

pytestmark = [pytest.mark.live, pytest.mark.own_database]


def article_paths(server, count=3):
    status, _, body = server.get("/")
    assert status == 200
    found = []
    for path in re.findall(r'href="(/[a-z0-9-]+/[a-z0-9-]+/[a-z0-9-]+/)"', body):
        if path not in found and not path.startswith(("/tags/", "/authors/", "/admin/")):
            found.append(path)
    assert found, "the home page links no article"
    return found[:count]


def test_with_redis_down_pages_are_served_uncached_and_caching_resumes_when_it_returns(
    sqlite_site, private_redis
):
    server = Gunicorn(sqlite_site.env(REDIS_URL=private_redis.url), workers=2)
    try:
        paths = ["/", *article_paths(server, 2), "/search/?q=harbour", "/search/live/?q=har"]
        for path in paths:
            server.get(path)
        for path in paths:
            status, headers, _ = server.get(path)
            assert (status, headers["X-Cache"]) == (200, "HIT"), path
        assert private_redis.keys("masthead:*")

        private_redis.kill()
        began = time.monotonic()
        for _ in range(5):
            for path in paths:
                status, headers, body = server.get(path)
                assert status == 200, (path, body[:500])
                assert headers["X-Cache"] in ("MISS", "BYPASS"), path
        # A Redis that refuses connections costs a request nothing like a timeout.
        assert time.monotonic() - began < 20
        warnings = server.log().count("is unreachable")
        assert 1 <= warnings <= 2, server.log()  # once per worker, not once per request

        private_redis.start()  # empty, as a Redis restarted without persistence
        wait_for(lambda: server.get("/")[1]["X-Cache"] == "HIT", 20, "caching never resumed")
        # Each worker that lost writes forgets what Redis kept once it reaches it again, which
        # may drop a page another worker had just stored: every page is kept again soon after.
        for path in paths:
            wait_for(lambda path=path: server.get(path)[:2][1]["X-Cache"] == "HIT", 20, path)
            status, headers, _ = server.get(path)
            assert status == 200, path
        assert "answers again" in server.log()
        assert server.process.poll() is None
    finally:
        server.stop()


def test_with_redis_down_a_signed_in_editor_still_gets_the_admin(sqlite_site, private_redis):
    """Sessions live in Redis in front of the database (cached_db): read from the database
    while Redis is away."""
    server = Gunicorn(sqlite_site.env(REDIS_URL=private_redis.url), workers=1)
    try:
        status, headers, body = server.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        csrf = re.search(r"csrftoken=([^;]+)", " ".join(headers.get_all("Set-Cookie"))).group(1)
        form = f"username=editor&password=masthead-demo&csrfmiddlewaretoken={token}&next=/admin/"
        status, headers, _ = server.get(
            "/admin/login/",
            method="POST",
            body=form,
            headers={
                "Cookie": f"csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "http://localhost/admin/login/",
            },
        )
        assert status == 302, server.log()
        cookies = " ".join(headers.get_all("Set-Cookie"))
        session = re.search(r"sessionid=([^;]+)", cookies).group(1)
        private_redis.kill()
        status, _, body = server.get("/admin/", headers={"Cookie": f"sessionid={session}"})
        assert status == 200
        assert "<title>Dashboard" in body, body[:500]  # the admin's home, not its login page
    finally:
        server.stop()


class Load:
    """Threads requesting paths in a loop; each answer noted as (sent at, status)."""

    def __init__(self, server, paths, threads=4):
        self.server, self.paths = server, paths
        self.results, self.running = [], True
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def run(self, number):
        step = number
        while self.running:
            path = self.paths[step % len(self.paths)]
            step += 1
            sent = time.monotonic()
            try:
                status, _, body = self.server.get(path, timeout=30)
            except OSError as error:
                status, body = type(error).__name__, ""
            self.results.append((sent, status, body))

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join(60)
        return self.results


def test_postgres_restarted_under_load_costs_at_most_503s_and_no_worker(
    postgres_site, private_postgres
):
    server = Gunicorn(postgres_site.env(PAGE_CACHE=0), workers=2)
    try:
        paths = ["/", *article_paths(server), "/search/?q=harbour"]
        workers = server.worker_pids()

        load = Load(server, paths)
        time.sleep(1.5)
        private_postgres.restart()  # -m fast: every connection is cut while queries run
        back = time.monotonic()
        time.sleep(2.5)
        results = load.stop()

        statuses = {status for _, status, _ in results}
        assert statuses <= {200, 503}, statuses
        for _, status, body in results:
            if status == 503:
                assert "Back in a moment" in body
        after = [status for sent, status, _ in results if sent > back + 0.5]
        assert after and set(after) == {200}
        assert len([1 for _, status, _ in results if status == 200]) > 20
        assert server.worker_pids() == workers  # no worker died or was restarted
    finally:
        server.stop()


def test_with_postgres_down_the_site_answers_503_then_recovers_on_its_own(
    postgres_site, private_postgres
):
    server = Gunicorn(postgres_site.env(PAGE_CACHE=0), workers=2)
    try:
        path = article_paths(server, 1)[0]
        workers = server.worker_pids()
        private_postgres.stop()
        try:
            for _ in range(4):
                status, headers, body = server.get(path)
                assert status == 503
                assert headers["Retry-After"] == "30"
                assert "no-store" in headers["Cache-Control"]
                assert "cannot reach its database" in body
            status, _, body = server.get("/admin/", headers={"Cookie": "sessionid=" + "e" * 32})
            assert status == 503
            assert "the admin cannot show or save anything" in body
            assert server.get("/_health/")[0] == 503
        finally:
            private_postgres.start()
        for _ in range(6):
            assert server.get(path)[0] == 200
        assert server.get("/_health/")[0] == 200
        assert server.worker_pids() == workers
    finally:
        server.stop()


def test_with_the_database_unreachable_varnish_serves_readers_and_editors_get_a_message(
    postgres_site, private_postgres
):
    from tests.test_varnish import VARNISHD, Varnish

    if not VARNISHD:
        pytest.skip("varnishd is not installed (apt-get install varnish varnish-modules)")
    # Pages stale seconds after they are built: what Varnish serves next is stale-if-error.
    server = Gunicorn(postgres_site.env(PAGE_CACHE_MAX_AGE=4), workers=2)
    cache = Varnish(f"127.0.0.1:{server.port}")
    try:
        paths = ["/", *article_paths(server, 2)]
        pages = {}
        for path in paths:
            status, _, headers, body = cache.request("GET", path)
            assert status == 200
            assert "s-maxage=0" not in headers["Cache-Control"]
            pages[path] = body
        time.sleep(4.5)  # past s-maxage: what Varnish serves once the site is sick is stale

        private_postgres.stop()
        try:
            wait_for(lambda: cache.health() == "sick", 30, "the probe never saw the database go")
            for path in paths:
                status, _, headers, body = cache.request("GET", path)
                assert status == 200, path
                assert body == pages[path]
            # An editor passes the front cache, to a backend it knows is sick: its own page
            # that says what is going on, not a stale page, nor Varnish's "Guru Meditation".
            status, _, headers, body = cache.request(
                "GET", "/admin/", {"Cookie": "sessionid=" + "e" * 32}
            )
            assert status == 503
            assert "the admin cannot show or save anything" in body
            assert headers["Retry-After"] == "30"
        finally:
            private_postgres.start()
        wait_for(lambda: cache.health() == "healthy", 30, "the probe never saw it come back")
        assert cache.request("GET", paths[0])[0] == 200
    finally:
        cache.stop()
        server.stop()
