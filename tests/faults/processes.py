"""Real `flask worker` processes for fault tests: start one, SIGKILL it with its work horse, and
hand its abandoned job back the way RQ does for a dead worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

ROOT = Path(__file__).resolve().parents[2]


def start_worker(app, env_extra: dict, queues: str = "default") -> subprocess.Popen:
    """`flask worker --burst` as its own process (group), configured like the app."""
    config = app.config
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "ADVOCACY_ENV": "testing",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", ""),
        "REDIS_URL": config["REDIS_URL"],
        "SECRET_KEY": config["SECRET_KEY"],
        "SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"],
        "ADVOCACY_INSTANCE_PATH": app.instance_path,
        "OUTBOUND_ALLOW": config.get("OUTBOUND_ALLOW", ""),
        **env_extra,
    }
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen(
        [flask, "worker", "--burst", "--no-scheduler", "--queues", queues],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill_with_its_work_horses(process: subprocess.Popen) -> None:
    """SIGKILL the worker and the work horse it forked (RQ puts the horse in its own session,
    so killing the worker's process group would leave the horse running)."""
    horses = children_of(process.pid)
    for pid in [process.pid, *horses]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
    for pid in horses:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def hand_back_abandoned_jobs(queue: Queue) -> None:
    """What RQ does for a dead worker: its heartbeat expires, the started job is retried (after
    the retry interval, when the scheduler moves it back; done here at once)."""
    started = StartedJobRegistry(queue=queue)
    assert started.get_job_ids(), "the killed worker's job should still be marked started"
    started.cleanup(timestamp=time.time() + 24 * 3600)
    scheduled = ScheduledJobRegistry(queue=queue)
    for job_id in scheduled.get_job_ids():
        job = Job.fetch(job_id, connection=queue.connection)
        scheduled.remove(job)
        queue.enqueue_job(job)


def wait_for(condition, seconds: float = 60) -> bool:
    """Poll `condition` until it holds or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
