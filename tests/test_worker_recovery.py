"""A task worker killed mid-job, for real: `masthead db_worker` as a process of its own, an
e-mail task whose SMTP server (aiosmtpd) holds the conversation at a chosen moment, SIGKILL,
then another worker. The job is run again and the e-mail arrives exactly once."""

import asyncio
import email
import email.policy
import json
import signal
import subprocess
import threading
import time

import pytest

from tests.servers import MASTHEAD, ROOT, free_port, wait_for

pytestmark = [pytest.mark.live, pytest.mark.own_database]


class HoldingMailbox:
    """An SMTP server's handler that holds its first conversation at `hold` ("DATA": before
    accepting the message, which is then refused; "QUIT": after accepting it), until
    `release` is set. What it accepts is kept in `messages`."""

    def __init__(self, hold):
        self.hold = hold
        self.messages = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held = False

    async def wait(self):
        self.held = True
        self.holding.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)

    async def handle_DATA(self, server, session, envelope):
        if self.hold == "DATA" and not self.held:
            await self.wait()
            return "451 Try again later"
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.hold == "QUIT" and not self.held:
            await self.wait()
        return "221 Bye"


@pytest.fixture
def mail_server():
    from aiosmtpd.controller import Controller

    servers = []

    def start(hold):
        mailbox = HoldingMailbox(hold)
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append((controller, mailbox))
        return mailbox, controller.port

    yield start
    for controller, mailbox in servers:
        mailbox.release.set()
        controller.stop()


def worker(env):
    return subprocess.Popen(
        [MASTHEAD, "db_worker", "--backend", "worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def started(process, timeout=90):
    """What the worker printed up to its start, once it is polling the queue."""
    lines = []

    def read():
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Starting worker"):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    assert lines and lines[-1].startswith("Starting worker"), f"the worker did not start: {lines}"
    return "".join(lines)


def task_results(site):
    script = (
        "import json\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps([[r.status, r.worker_ids] for r in DBTaskResult.objects.all()]))\n"
    )
    return json.loads(site.masthead("shell", "-c", script).strip().splitlines()[-1])


@pytest.mark.parametrize(
    "hold",
    [
        "DATA",  # killed before the mail server accepted the message: it is sent by the retry
        "QUIT",  # killed after it was accepted, before the task was marked done: not sent again
    ],
)
def test_a_worker_killed_mid_job_leaves_the_job_to_the_next_which_sends_it_once(
    sqlite_site, mail_server, hold
):
    mailbox, port = mail_server(hold)
    env = sqlite_site.env(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    sqlite_site.masthead(
        "shell",
        "-c",
        "from masthead.core.tasks import send_email\n"
        "send_email.enqueue('Your listing', 'It is published.', ['reader@example.org'])\n",
        env=env,
    )
    first = worker(env)
    try:
        assert mailbox.holding.wait(30), "the worker never reached the mail server"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
        first.stdout.close()
    [(status, workers)] = task_results(sqlite_site)
    assert status == "RUNNING"  # what a killed worker leaves behind
    assert len(workers) == 1
    mailbox.release.set()
    time.sleep(0.2)

    second = worker(env)
    try:
        wait_for(lambda: task_results(sqlite_site)[0][0] == "SUCCESSFUL", 30, "never run again")
        [(status, workers)] = task_results(sqlite_site)
        assert len(workers) == 2 and workers[0] != workers[1]
        assert [message["Subject"] for message in mailbox.messages] == ["Your listing"]
        time.sleep(0.5)  # and nothing more comes
        assert len(mailbox.messages) == 1
    finally:
        second.send_signal(signal.SIGTERM)
        output = second.communicate(timeout=20)[0]
    assert "Queued again 1 task(s) whose worker died" in output


def test_a_job_whose_worker_is_alive_is_left_alone(sqlite_site, mail_server):
    """Two workers: the second one starting does not take the first one's running job."""
    mailbox, port = mail_server("DATA")
    env = sqlite_site.env(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    sqlite_site.masthead(
        "shell",
        "-c",
        "from masthead.core.tasks import send_email\n"
        "send_email.enqueue('Once', 'Only once.', ['reader@example.org'])\n",
        env=env,
    )
    first = worker(env)
    second = None
    try:
        assert mailbox.holding.wait(30)
        second = worker(env)
        time.sleep(2)
        [(status, workers)] = task_results(sqlite_site)
        assert (status, len(workers)) == ("RUNNING", 1)
    finally:
        for process in (first, second):
            if process is not None:
                process.kill()
                process.wait(10)
                process.stdout.close()


def test_a_worker_outlives_its_database_going_away(postgres_site, private_postgres, mail_server):
    """PostgreSQL stopped under a running worker, then back: the worker waits for it, and runs
    what is queued afterwards."""
    mailbox, port = mail_server(hold=None)
    env = postgres_site.env(EMAIL_URL=f"smtp://127.0.0.1:{port}")
    running = worker(env)
    output = ""
    try:
        output = started(running)
        time.sleep(1)  # polling the queue
        private_postgres.stop()
        try:
            time.sleep(3)  # its polls fail meanwhile
            assert running.poll() is None, "the worker stopped with its database"
        finally:
            private_postgres.start()
        postgres_site.masthead(
            "shell",
            "-c",
            "from masthead.core.tasks import send_email\n"
            "send_email.enqueue('After the restart', 'Sent.', ['reader@example.org'])\n",
            env=env,
        )
        wait_for(lambda: mailbox.messages, 30, "the worker never sent the e-mail queued after")
        assert [message["Subject"] for message in mailbox.messages] == ["After the restart"]
        assert running.poll() is None
    finally:
        running.kill()
        running.wait(10)
        output += running.stdout.read()
        running.stdout.close()
    assert "lost its database" in output
