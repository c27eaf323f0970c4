"""What the serving benchmarks (bench/pages.py, bench/cache.py) share.

A temporary data folder with production settings, the corpus built by `masthead demo`, a
PostgreSQL database of the run's own, gunicorn started and stopped, plain HTTP requests, and
wrk driven by a Lua script that picks a random path per request and counts what it got.
"""

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MASTHEAD = str(BIN / "masthead")
GUNICORN = str(BIN / "gunicorn")
WRK = shutil.which("wrk")

# Upper bounds on the waits, so that nothing hangs for ever.
BUILD_TIMEOUT = 3 * 3600
COMMAND_TIMEOUT = 600
START_TIMEOUT = 60
REQUEST_TIMEOUT = 60
STOP_TIMEOUT = 30

# Variables that would point the run at something outside its temporary folder.
SCRUBBED = (
    "DEBUG",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "REDIS_URL",
    "VARNISH_URL",
    "PAGE_CACHE",
    "DJANGO_SETTINGS_MODULE",
)

# wrk script: requests the paths listed in a file, at random, counts the non-2xx answers
# (wrk's own count leaves out 3xx) and the X-Cache answers; `done` prints one line of JSON.
WRK_LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  non2xx, hits, misses, bad_status = 0, 0, 0, 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    bad_status = status
  end
  local cache = headers["X-Cache"] or headers["x-cache"]
  if cache then
    if string.find(cache, "^%%s*HIT") then hits = hits + 1 else misses = misses + 1 end
  end
end

function done(summary, latency, requests)
  local bad, hit, miss, last = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if thread:get("bad_status") > 0 then last = thread:get("bad_status") end
    hit = hit + thread:get("hits")
    miss = miss + thread:get("misses")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
      .. '"non2xx": %%d, "socket_errors": %%d, "timeouts": %%d, "hits": %%d, "misses": %%d, '
      .. '"bad_status": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, e.connect + e.read + e.write, e.timeout, hit, miss, last))
end
"""


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def catch_signals():
    """SIGTERM and SIGHUP end the run like Ctrl-C does, through the callers' clean-up."""
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)


def ignore_signals():
    """For the clean-up: a second Ctrl-C must not leave processes or folders behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env, *args, timeout=COMMAND_TIMEOUT, capture=False):
    """Run a command to its end; its output goes to the terminal unless captured."""
    result = subprocess.run(
        args,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    if result.returncode:
        raise SystemExit(f"`{' '.join(args)}` failed with exit status {result.returncode}")
    return result.stdout


def production_env(data_dir, port):
    """The environment of a production-like Masthead whose data all live in `data_dir`."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update(
        MASTHEAD_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="masthead.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def build_corpus(env, articles):
    """Migrate and run `masthead demo --articles N`; returns (migrate, demo) seconds."""
    began = time.monotonic()
    run(env, MASTHEAD, "migrate", "--noinput", "--verbosity=0")
    migrated = time.monotonic()
    run(env, MASTHEAD, "demo", f"--articles={articles}", timeout=BUILD_TIMEOUT)
    return migrated - began, time.monotonic() - migrated


# PostgreSQL: a database of its own, made for the run and dropped after it.


class PostgresDatabase:
    def __init__(self, url):
        parts = urlsplit(url)
        self.name = parts.path.lstrip("/")
        if not self.name or "/" in self.name or '"' in self.name:
            raise SystemExit(f"DATABASE_URL names no usable database: {url}")
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.created = False

    def execute(self, sql, *params):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall() if params else conn.execute(sql)

    def create(self):
        if self.execute("SELECT 1 FROM pg_database WHERE datname = %s", self.name):
            raise SystemExit(
                f"Database {self.name} already exists: the benchmark only drops what it "
                "creates. Drop it yourself or name another one in DATABASE_URL."
            )
        self.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self):
        if self.created:
            self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False


# Processes: gunicorn and the other servers, each in a session of its own, so that Ctrl-C
# reaches only this script, which stops them.


class Process:
    """A long-running server started in its own session; stop() ends its whole group."""

    name = "process"

    def __init__(self, env, log_path):
        self.env, self.log_path = env, log_path
        self.process = None

    def command(self):
        raise NotImplementedError

    def spawn(self):
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until(self, ready, timeout=START_TIMEOUT):
        """Poll `ready()` until it is true; fail if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if ready():
                    return
            time.sleep(0.25)
        raise SystemExit(f"{self.name} did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """SIGTERM to the whole group (a start script's children too), SIGKILL if it lingers.

        The group is signalled only while its leader is alive and unreaped, so that its id
        cannot belong to anyone else yet."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)
        self.process = None


class Server(Process):
    """gunicorn serving Masthead with sync workers on 127.0.0.1:port."""

    name = "gunicorn"

    def __init__(self, env, port, workers, log_path):
        super().__init__(env, log_path)
        self.port, self.workers = port, workers

    def command(self):
        return [
            GUNICORN,
            "masthead.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            "--timeout=120",
            "--graceful-timeout=10",
            # Not one control socket in the home folder shared by every gunicorn on the machine.
            "--no-control-socket",
        ]

    def start(self):
        self.spawn()
        self.wait_until(lambda: fetch(self.port, "/", timeout=5)[0])

    def memory(self):
        """RSS in bytes of the master and of each worker, read from /proc."""
        master = self.process.pid
        workers = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                if ppid == master:
                    workers.append(rss(entry.name))
            except (OSError, ValueError):
                continue
        return rss(master), sorted(workers)


def rss(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def get(port, path, timeout=REQUEST_TIMEOUT):
    """GET a path on 127.0.0.1:port; returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = conn.getresponse()
        body = response.read()
        return response.status, response.headers, body
    finally:
        conn.close()


def fetch(port, path, timeout=REQUEST_TIMEOUT):
    """GET a path on 127.0.0.1:port; returns (status, body)."""
    status, _, body = get(port, path, timeout)
    return status, body


# wrk


def load_with_wrk(port, paths_file, duration, connections, workdir, threads=2):
    """Load random paths of `paths_file` with wrk for `duration` seconds; returns a dict."""
    script = workdir / "paths.lua"
    script.write_text(WRK_LUA % {"paths": paths_file})
    threads = max(1, min(threads, connections))
    command = [
        WRK,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=30s",
        "--latency",
        f"--script={script}",
        f"http://127.0.0.1:{port}/",
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 120, check=False
    )
    for line in output.stdout.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[len("BENCH ") :])
            seconds = result["duration_us"] / 1e6
            return {
                "requests": result["requests"],
                "rps": result["requests"] / seconds if seconds else 0.0,
                "p50_ms": result["p50_us"] / 1000,
                "p99_ms": result["p99_us"] / 1000,
                "non2xx": result["non2xx"],
                "errors": result["socket_errors"] + result["timeouts"],
                "hits": result["hits"],
                "misses": result["misses"],
                "bad_status": result["bad_status"],  # the last non-2xx status seen, or 0
            }
    raise SystemExit(f"wrk gave no result:\n{output.stdout}\n{output.stderr}")
