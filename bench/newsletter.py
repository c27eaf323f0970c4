"""Benchmark of the newsletter's sending: one edition to 20,000 subscribers through a local SMTP
sink (aiosmtpd, in this process), sent by the real task worker (`masthead db_worker`).

In a fresh temporary data folder (SQLite, or PostgreSQL in a database of the run's own when
DATABASE_URL is set): migrates, makes N confirmed subscribers of one list and an edition, then

  - clean: the send with one worker, never interrupted, once for each number of SMTP
    connections given (NEWSLETTER_CONNECTIONS, side by side in one run): messages per second
    (from the worker's start to the last message, and from the first message to the last), the
    CPU time per message of the worker and of the sink, and the worker's peak memory (VmHWM,
    its peak RSS);
  - killed: one more edition to the same list, with the last number of connections, the worker
    SIGKILLed K times at random moments and started again: omissions (subscribers whose
    Message-ID never arrived), distinct messages, raw repeats (at most the connections times the
    kills), and whether any repeated Message-ID arrived as different messages.

Usage:  .venv/bin/python bench/newsletter.py [--subscribers N] [--kills K] [--batch B]
                                             [--connections 1,4]
"""

import argparse
import contextlib
import email
import email.policy
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    MASTHEAD,
    PostgresDatabase,
    Process,
    catch_signals,
    free_port,
    ignore_signals,
    log,
    production_env,
    run,
)

MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>]*>)", re.MULTILINE | re.IGNORECASE)

SETUP = """
import json
from django.utils import timezone
from masthead.newsletter.models import Edition, NewsletterList, Subscriber, Subscription
now = timezone.now()
newsletter = NewsletterList.objects.create(name="Bench Daily", slug="bench-daily")
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{i}@example.org", confirmed_at=now) for i in range(__N__)],
    batch_size=1000,
)
readers = list(Subscriber.objects.values_list("pk", flat=True))
Subscription.objects.bulk_create(
    [Subscription(subscriber_id=pk, newsletter=newsletter, confirmed_at=now) for pk in readers],
    batch_size=1000,
)
print("SETUP", json.dumps(readers))
"""

EDITION = """
from masthead.newsletter import sending
from masthead.newsletter.models import Edition, NewsletterList
edition = Edition.objects.create(
    newsletter=NewsletterList.objects.get(slug="bench-daily"),
    subject="__SUBJECT__",
    body=[("text", "<h2>Today</h2>" + "<p>A paragraph of the morning's briefing, " * 8 + "</p>")]
    * 6,
)
assert sending.start(edition)
print("EDITION", edition.pk)
"""


class Sink:
    """An aiosmtpd handler keeping each message's arrival time, Message-ID and raw bytes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.raw, self.ids, self.times = [], [], []

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.raw.append(envelope.content)
            self.ids.append(found.group(1).decode() if found else None)
            self.times.append(time.monotonic())
        return "250 Accepted"

    def distinct(self):
        with self.lock:
            return len(set(self.ids))


class Worker(Process):
    name = "db_worker"

    def command(self):
        return [
            MASTHEAD,
            "db_worker",
            "--backend",
            "worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
        ]

    def cpu_seconds(self):
        """User and system CPU time of the worker so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.process = None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--connections",
        default="1,4",
        help="numbers of SMTP connections of the clean sends, comma-separated (default 1,4)",
    )
    args = parser.parse_args()
    args.connections = [int(n) for n in args.connections.split(",")]
    return args


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} within {timeout} s")
        time.sleep(0.05)


def shell(env, script, marker):
    output = run(env, MASTHEAD, "shell", "-c", script, capture=True)
    return output.split(f"{marker} ", 1)[1].splitlines()[0]


def edition_status(env, site_dir, edition):
    """The edition's status, read from the database directly (quicker than a shell)."""
    sql = f"SELECT status FROM newsletter_edition WHERE id = {int(edition)}"
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            return connection.execute(sql).fetchone()[0]
    with contextlib.closing(sqlite3.connect(site_dir / "masthead.sqlite3")) as connection:
        return connection.execute(sql).fetchone()[0]


def fingerprint(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    bodies = [message.get_body((kind,)).get_content() for kind in ("plain", "html")]
    return (message["Subject"], message["To"], message["Date"], *bodies)


def own_cpu_seconds():
    """CPU time of this process (the SMTP sink's thread, mostly), its children left out."""
    times = os.times()
    return times.user + times.system


def clean_send(env, site_dir, sink, readers, connections):
    """One edition to every reader, one worker never interrupted; prints its figures."""
    sink.reset()
    env = {**env, "NEWSLETTER_CONNECTIONS": str(connections)}
    edition = shell(env, EDITION.replace("__SUBJECT__", "Clean send"), "EDITION")
    worker = Worker(env, site_dir / "worker.log")
    began, sink_began = time.monotonic(), own_cpu_seconds()
    worker.spawn()
    try:
        wait_for(lambda: sink.distinct() >= len(readers), 900, "the clean send did not end")
        ended = sink.times[-1]
        wait_for(lambda: edition_status(env, site_dir, edition) == "sent", 60, "not marked sent")
        peak, cpu = worker.peak_rss(), worker.cpu_seconds()
        sink_cpu = own_cpu_seconds() - sink_began
    finally:
        worker.stop()
    total = len(sink.raw)
    print()
    print(f"clean send, {connections} connections: {total} messages to {len(readers)} subscribers")
    print(
        f"  {total / (ended - began):.0f} messages/s from the worker's start "
        f"({ended - began:.1f} s, delivery records and start-up included)"
    )
    print(
        f"  {total / (ended - sink.times[0]):.0f} messages/s from the first message to "
        f"the last ({ended - sink.times[0]:.1f} s)"
    )
    print(f"  worker CPU: {1000 * cpu / total:.2f} ms per message (start-up included)")
    print(f"  SMTP sink CPU (this process): {1000 * sink_cpu / total:.2f} ms per message")
    print(f"  worker peak RSS: {peak / 2**20:.0f} MB")
    print(f"  edition status: {edition_status(env, site_dir, edition)}")


def main():
    args = parse_args()
    catch_signals()
    from aiosmtpd.controller import Controller

    site_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-newsletter-"))
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = production_env(site_dir, free_port())
    env.update(
        EMAIL_URL=f"smtp://127.0.0.1:{controller.port}", NEWSLETTER_BATCH_SIZE=str(args.batch)
    )
    database = PostgresDatabase(env["DATABASE_URL"]) if "DATABASE_URL" in env else None
    worker = None
    try:
        if database:
            database.create()
        log(f"Migrating ({'PostgreSQL' if database else 'SQLite'})…")
        run(env, MASTHEAD, "migrate", "--noinput", "--verbosity=0")
        log(f"Making {args.subscribers} subscribers…")
        readers = json.loads(shell(env, SETUP.replace("__N__", str(args.subscribers)), "SETUP"))

        # Clean: one worker, to the end, for each number of connections.
        for connections in args.connections:
            clean_send(env, site_dir, sink, readers, connections)

        # Killed: the same, SIGKILLed at random moments.
        sink.reset()
        env["NEWSLETTER_CONNECTIONS"] = str(args.connections[-1])
        edition = shell(env, EDITION.replace("__SUBJECT__", "Killed send"), "EDITION")
        worker = Worker(env, site_dir / "worker.log")
        worker.spawn()
        peaks = []
        for _ in range(args.kills):
            before = len(sink.raw)
            wait_for(lambda b=before: len(sink.raw) > b + 200, 300, "the worker sent nothing")
            time.sleep(random.uniform(0.1, 3.0))
            peaks.append(worker.peak_rss())
            worker.kill()
            worker = Worker(env, site_dir / "worker.log")
            worker.spawn()
        wait_for(lambda: sink.distinct() >= len(readers), 900, "the killed send did not end")
        wait_for(lambda: edition_status(env, site_dir, edition) == "sent", 60, "not marked sent")
        time.sleep(1)  # and nothing more comes
        peaks.append(worker.peak_rss())
        worker.stop()
        worker = None
        expected = {f"<edition-{edition}.subscriber-{pk}@127.0.0.1>" for pk in readers}
        received = set(sink.ids)
        by_id = {}
        for message_id, raw in zip(sink.ids, sink.raw, strict=True):
            by_id.setdefault(message_id, []).append(raw)
        repeated = {key: raws for key, raws in by_id.items() if len(raws) > 1}
        different = sum(len({fingerprint(raw) for raw in raws}) > 1 for raws in repeated.values())
        print()
        print(
            f"killed send: {args.kills} SIGKILLs during the send, "
            f"{args.connections[-1]} connections"
        )
        print(f"  omissions: {len(expected - received)}")
        unexpected = len(received - expected)
        print(f"  distinct messages: {len(received & expected)} (unexpected: {unexpected})")
        bound = args.connections[-1] * args.kills
        print(
            f"  raw repeats: {len(sink.raw) - len(by_id)} (of {len(repeated)} Message-IDs; "
            f"at most {bound}, the connections times the kills)"
        )
        print(f"  Message-IDs received as different messages: {different}")
        print(f"  worker peak RSS: {max(peaks) / 2**20:.0f} MB")
        print(f"  edition status: {edition_status(env, site_dir, edition)}")
    finally:
        ignore_signals()
        if worker is not None:
            worker.stop()
        controller.stop()
        if database:
            database.drop()
        shutil.rmtree(site_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
