"""Real servers for the tests of what happens when parts fail: a private Redis, a private
PostgreSQL cluster, and Masthead itself (its commands, gunicorn, the task worker) in a data
folder of its own, with production settings.

Never the machine's shared PostgreSQL and Redis: those serve other test runs at the same time,
and these tests stop and restart what they use. Fixtures here are imported by the test modules
that use them."""

import contextlib
import glob
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MASTHEAD = str(BIN / "masthead")
GUNICORN = str(BIN / "gunicorn")
REDIS_SERVER = shutil.which("redis-server")

# What would point a subprocess at something outside its own folder.
SCRUBBED = ("DEBUG", "MEDIA_ROOT", "STATIC_ROOT", "REDIS_URL", "VARNISH_URL", "DATABASE_URL")
SCRUBBED += ("PAGE_CACHE", "DJANGO_SETTINGS_MODULE", "EMAIL_URL", "EMAIL_HOST", "TASKS_BACKEND")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, http.client.HTTPException):
            if predicate():
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s")
        time.sleep(0.1)


def request(port, path, method="GET", headers=None, body=None, timeout=15):
    """One HTTP request to 127.0.0.1:port; returns (status, headers, body as text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            method, path, body=body, headers={"Host": "localhost", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


# Redis


class PrivateRedis:
    """redis-server on a free port, without persistence; kill() and start() again on the same
    port, as a Redis that crashes and comes back empty."""

    def __init__(self):
        if not REDIS_SERVER:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="masthead-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.dir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=self.dir)
        wait_for(self.answers, 10, "redis-server did not answer")

    def answers(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def keys(self, pattern="*"):
        import redis

        return redis.Redis.from_url(self.url).keys(pattern)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    yield server
    server.close()


# PostgreSQL


def postgres_bindir():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    found = [path for path in candidates if os.path.exists(os.path.join(path, "initdb"))]
    if found:
        return found[-1]
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if os.path.exists(os.path.join(bindir.strip(), "initdb")):
            return bindir.strip()
    return None


class PrivatePostgres:
    """A PostgreSQL cluster of the test run's own (initdb in a temporary folder, pg_ctl), on a
    free port: restarted and stopped at will. initdb refuses root, so as root the cluster
    belongs to the `postgres` system user."""

    def __init__(self):
        self.bindir = postgres_bindir()
        if self.bindir is None:
            pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.as_user = []
        self.dir = Path(tempfile.mkdtemp(prefix="masthead-pg-"))
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        self.start()

    def run(self, program, *args, check=True):
        command = [*self.as_user, os.path.join(self.bindir, program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.dir)
        if check and result.returncode:
            pytest.fail(f"{program} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def pg_ctl(self, action, *args):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c max_connections=50"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "30",
            *args,
            action,
        )

    def start(self):
        self.pg_ctl("start")

    def stop(self):
        self.pg_ctl("stop", "-m", "fast")

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def execute(self, sql):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    def close(self):
        with contextlib.suppress(BaseException):
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def private_postgres():
    cluster = PrivatePostgres()
    yield cluster
    cluster.close()


# Masthead in a folder of its own


def site_env(data_dir, static_root, database_url=None, redis_url=None, **extra):
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update(
        MASTHEAD_DATA_DIR=str(data_dir),
        STATIC_ROOT=str(static_root),
        SECRET_KEY="test-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SITE_URL="http://localhost",
        DJANGO_SETTINGS_MODULE="masthead.settings",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({key: str(value) for key, value in extra.items()})
    return env


def masthead(env, *args, timeout=180, input=None):
    result = subprocess.run(
        [MASTHEAD, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )
    if result.returncode:
        pytest.fail(f"masthead {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


class Site:
    """A data folder with the demo newspaper in it, and the environment that serves it."""

    def __init__(self, data_dir, static_root, database_url=None):
        self.data_dir, self.static_root, self.database_url = data_dir, static_root, database_url

    def env(self, **extra):
        return site_env(self.data_dir, self.static_root, self.database_url, **extra)

    def masthead(self, *args, env=None, **kwargs):
        return masthead(env or self.env(), *args, **kwargs)


def build_site(data_dir, static_root, database_url=None):
    site = Site(data_dir, static_root, database_url)
    site.masthead("migrate", "--noinput", "--verbosity=0")
    site.masthead("demo", "--articles=12")
    return site


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    masthead(site_env(root / "unused", root), "collectstatic", "--noinput", "--verbosity=0")
    return root


@pytest.fixture(scope="session")
def sqlite_site_template(tmp_path_factory, static_root):
    return build_site(tmp_path_factory.mktemp("sqlite-site"), static_root)


@pytest.fixture
def sqlite_site(sqlite_site_template, tmp_path):
    """The demo newspaper on SQLite, a copy of its own for each test."""
    data_dir = tmp_path / "site"
    shutil.copytree(sqlite_site_template.data_dir, data_dir)
    return Site(data_dir, sqlite_site_template.static_root)


@pytest.fixture(scope="session")
def postgres_site_template(tmp_path_factory, static_root, private_postgres):
    private_postgres.execute('CREATE DATABASE "site_template"')
    return build_site(
        tmp_path_factory.mktemp("pg-site"), static_root, private_postgres.url("site_template")
    )


_databases = iter(range(1, 10_000))


@pytest.fixture
def postgres_site(postgres_site_template, private_postgres, tmp_path):
    """The demo newspaper in the private PostgreSQL cluster: a database copied from the
    template's for each test."""
    name = f"site_{next(_databases)}"
    private_postgres.execute(f'CREATE DATABASE "{name}" TEMPLATE "site_template"')
    data_dir = tmp_path / "site"
    shutil.copytree(postgres_site_template.data_dir, data_dir)
    yield Site(data_dir, postgres_site_template.static_root, private_postgres.url(name))
    with contextlib.suppress(Exception):
        private_postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Gunicorn:
    """gunicorn serving Masthead with sync workers, in a session of its own."""

    def __init__(self, env, workers=2, log_path=None):
        self.port = free_port()
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="masthead-gunicorn-")[1])
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "masthead.wsgi:application",
                    f"--bind=127.0.0.1:{self.port}",
                    f"--workers={workers}",
                    "--worker-class=sync",
                    "--timeout=60",
                    "--graceful-timeout=5",
                    "--no-control-socket",
                ],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.ready, 60, f"gunicorn did not answer:\n{self.log()}")
        wait_for(lambda: len(self.worker_pids()) == workers, 30, "gunicorn's workers did not start")

    def ready(self):
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{self.log()}")
        return request(self.port, "/robots.txt", timeout=5)[0] == 200

    def get(self, path, **kwargs):
        return request(self.port, path, **kwargs)

    def log(self):
        return Path(self.log_path).read_text(errors="replace")[-5000:]

    def worker_pids(self):
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    stat = (entry / "stat").read_text()
                    if int(stat[stat.rindex(")") + 2 :].split()[1]) == self.process.pid:
                        pids.add(int(entry.name))
        return pids

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        with contextlib.suppress(OSError):
            Path(self.log_path).unlink()
