"""The newsletter's send survives being killed, for real: a few thousand subscribers, a real
SMTP server (aiosmtpd) that records every message, the real task worker (`masthead db_worker`)
as a process of its own, SIGKILLed at random moments and started again, several times in one
send; a pause and a resume, and the edition's subject and the batch size changed mid-send.

Every subscriber's message arrives (by Message-ID: none missing), no Message-ID arrives as two
different messages, and the raw repeats are no more than the connections times the kills: the
worker sends over CONNECTIONS connections at once, one message at a time on each, and marks each
message sent as soon as the server accepted it, before that connection sends the next; so a kill
can leave at most one message per connection accepted and unmarked (those in flight), which the
next worker sends again, the same."""

import contextlib
import email
import email.policy
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.servers import MASTHEAD, ROOT, Site, free_port, masthead, site_env

pytestmark = pytest.mark.live

SUBSCRIBERS = 2000
MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>]*>)", re.MULTILINE | re.IGNORECASE)
BATCH = 50
CONNECTIONS = 4

SETUP = """
import json
from django.utils import timezone
from masthead.newsletter import sending
from masthead.newsletter.models import Edition, NewsletterList, Subscriber, Subscription
now = timezone.now()
newsletter = NewsletterList.objects.create(name="Chaos Daily", slug="chaos-daily")
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{i}@chaos.example.org", confirmed_at=now) for i in range(%(count)d)],
    batch_size=500,
)
readers = list(Subscriber.objects.filter(email__endswith="@chaos.example.org").order_by("pk"))
Subscription.objects.bulk_create(
    [Subscription(subscriber=s, newsletter=newsletter, confirmed_at=now) for s in readers],
    batch_size=500,
)
edition = Edition.objects.create(
    newsletter=newsletter,
    subject="The chaos edition",
    body=[("text", "<p>Good morning, and <b>hold on</b>.</p>" * 20)],
)
assert sending.start(edition)
print(json.dumps({"edition": edition.pk, "subscribers": [s.pk for s in readers]}))
"""

STATE = """
import json
from masthead.newsletter import sending
from masthead.newsletter.models import Edition
edition = Edition.objects.get(pk=%(edition)d)
%(action)s
edition.refresh_from_db()
print(json.dumps(sending.progress(edition)))
"""


class Recorder:
    """An aiosmtpd handler keeping every message it accepts, raw."""

    def __init__(self):
        self.raw = []
        self.ids = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.raw.append(envelope.content)
            self.ids.add(found and found.group(1))
        return "250 Accepted"

    def distinct(self):
        with self.lock:
            return len(self.ids)

    def count(self):
        with self.lock:
            return len(self.raw)


@pytest.fixture
def recorder():
    from aiosmtpd.controller import Controller

    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.own_database), "postgres"])
def chaos_site(request, tmp_path, static_root):
    """The demo site on SQLite, or a migrated site in a database of its own on the
    PostgreSQL server the test run uses (DATABASE_URL), beside the run's test database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_site")  # the live tests' demo site, copied
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the run is on SQLite (DATABASE_URL=postgres://... runs it on PostgreSQL)")
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_chaos"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    site = Site(tmp_path / "site", static_root, parts._replace(path=f"/{name}").geturl())
    site.masthead("migrate", "--noinput", "--verbosity=0", timeout=600)
    yield site
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(site, sql):
    """Rows of `sql` in the site's database, read directly (quicker than a `masthead shell`)."""
    if site.database_url:
        import psycopg

        with psycopg.connect(site.database_url, autocommit=True) as connection:
            return connection.execute(sql).fetchall()
    with contextlib.closing(sqlite3.connect(site.data_dir / "masthead.sqlite3")) as connection:
        return connection.execute(sql).fetchall()


def start_worker(env, log):
    with open(log, "ab") as output:
        return subprocess.Popen(
            [MASTHEAD, "db_worker", "--backend", "worker", "--interval", "0.1"]
            + ["--no-startup-delay"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def kill(process):
    process.send_signal(signal.SIGKILL)
    process.wait(10)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(what)
        time.sleep(0.05)


def test_a_send_killed_again_and_again_paused_and_changed_reaches_everyone_once(
    chaos_site, recorder, tmp_path
):
    def env(**extra):
        return site_env(
            chaos_site.data_dir,
            chaos_site.static_root,
            chaos_site.database_url,
            **(
                {
                    "EMAIL_URL": f"smtp://127.0.0.1:{recorder.port}",
                    "NEWSLETTER_BATCH_SIZE": BATCH,
                    "NEWSLETTER_CONNECTIONS": CONNECTIONS,
                }
                | extra
            ),
        )

    def state(edition, action):
        script = STATE % {"edition": edition, "action": action}
        return json.loads(masthead(env(), "shell", "-c", script).strip().splitlines()[-1])

    def status(edition):
        [(found,)] = query(chaos_site, f"SELECT status FROM newsletter_edition WHERE id={edition}")
        return found

    setup = masthead(env(), "shell", "-c", SETUP % {"count": SUBSCRIBERS})
    created = json.loads(setup.strip().splitlines()[-1])
    edition = created["edition"]
    log = tmp_path / "worker.log"
    kills = 0
    worker = start_worker(env(), log)
    try:
        # Killed at random moments while it sends, started again each time.
        for _ in range(3):
            before = recorder.count()
            wait_until(lambda b=before: recorder.count() > b, 30, "the worker sends nothing")
            time.sleep(random.uniform(0.05, 0.8))
            kill(worker)
            kills += 1
            worker = start_worker(env(), log)

        # Paused: the batch in hand goes out, then nothing more.
        wait_until(lambda: recorder.count() > 0, 30, "nothing sent")
        paused = state(edition, "assert sending.pause(edition)")
        assert paused["status"] == "paused"
        at_pause = recorder.count()
        time.sleep(1.5)
        settled = recorder.count()
        time.sleep(1.5)
        assert recorder.count() == settled  # nothing is sent while paused
        assert settled - at_pause <= BATCH
        assert settled < SUBSCRIBERS

        # Changed mid-send: the subject edited, the worker restarted with another batch size.
        resumed = state(
            edition,
            "Edition.objects.filter(pk=edition.pk).update(subject='Edited mid-send')\n"
            "assert sending.resume(edition)",
        )
        assert resumed["status"] == "sending"
        kill(worker)
        kills += 1
        worker = start_worker(env(NEWSLETTER_BATCH_SIZE=17), log)
        before = recorder.count()
        wait_until(lambda: recorder.count() > before, 30, "not resumed")
        time.sleep(random.uniform(0.05, 0.5))
        kill(worker)
        kills += 1
        worker = start_worker(env(), log)

        wait_until(
            lambda: recorder.distinct() >= SUBSCRIBERS,
            60,
            f"only {recorder.distinct()} of {SUBSCRIBERS} arrived",
        )
        wait_until(lambda: status(edition) == "sent", 30, "the send never finished")
        time.sleep(0.5)  # and nothing more comes
        final = dict(
            query(
                chaos_site,
                "SELECT status, COUNT(*) FROM newsletter_delivery "
                f"WHERE edition_id={edition} GROUP BY status",
            )
        )
    finally:
        with contextlib.suppress(Exception):
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)
        if worker.poll() is None:
            kill(worker)

    messages = [email.message_from_bytes(raw, policy=email.policy.default) for raw in recorder.raw]
    by_id = {}
    for message in messages:
        by_id.setdefault(message["Message-ID"], set()).add(fingerprint(message))
    expected = {f"<edition-{edition}.subscriber-{pk}@localhost>" for pk in created["subscribers"]}
    assert set(by_id) == expected  # none missing, none else
    assert all(len(versions) == 1 for versions in by_id.values())  # repeats are the same message
    repeats = len(messages) - len(by_id)
    assert repeats <= CONNECTIONS * kills, f"{repeats} repeats for {kills} kills"
    assert {message["Subject"] for message in messages} == {"The chaos edition"}  # frozen
    assert final == {"sent": SUBSCRIBERS}
    print(f"{len(messages)} messages, {len(by_id)} distinct, {repeats} repeats, {kills} kills")


def fingerprint(message):
    """What makes one message that message: its headers of substance and both bodies (the MIME
    boundaries differ between two renderings of the same message)."""
    parts = (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())
    headers = tuple(message[name] for name in ("Subject", "To", "Date", "List-Unsubscribe"))
    return headers + parts
