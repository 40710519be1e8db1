"""The supervised setup the README gives is real: the systemd units start real commands and always restart
them, and `make run` runs the task worker under `deploy/supervise.sh`, which starts it again when it dies."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from cms.conf import cms_setting

ROOT = Path(settings.BASE_DIR)
UNITS = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/srv/cms"  # where the units expect the code (README "Production")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values, in order]}} (keys may repeat; `#`/`;` comments)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"{path.name}: not a key=value line inside a section: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    [value] = unit[section][key]
    return value


def supervised_unit(name: str) -> tuple[dict, list[str]]:
    """The unit's settings, and its command with the install directory mapped onto this checkout."""
    unit = parse_unit(UNITS / name)
    service = unit["Service"]
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"  # never gives up restarting (outage longer than 10 s)
    assert float(one(unit, "Service", "RestartSec")) <= 5
    assert one(unit, "Service", "WorkingDirectory") == INSTALL_DIR
    assert service["User"] == ["cms"] and service["EnvironmentFile"] == ["/etc/cms/cms.env"]
    assert one(unit, "Install", "WantedBy") == "multi-user.target"
    command = shlex.split(one(unit, "Service", "ExecStart"))
    assert command[0].startswith(f"{INSTALL_DIR}/.venv/bin/"), command
    local = ROOT / ".venv" / "bin" / Path(command[0]).name
    assert local.exists(), f"{command[0]}: no such program in the virtualenv"
    return unit, [str(local), *command[1:]]


def test_worker_unit_runs_the_run_worker_command_and_restarts_it_always():
    unit, command = supervised_unit("cms-worker.service")
    program, script, name, *args = command
    assert Path(program).name == "python" and script == "manage.py" and (ROOT / script).exists()
    assert name == "run_worker" and get_commands()[name] == "worker"
    parser = load_command_class("worker", name).create_parser("manage.py", name)
    assert parser.parse_args(args).interval == 1  # the options are the command's own
    # SIGTERM lets the worker finish its task: longer than a webhook attempt can last
    assert one(unit, "Service", "KillSignal") == "SIGTERM"
    assert int(one(unit, "Service", "TimeoutStopSec")) > 2 * int(cms_setting("WEBHOOKS_TIMEOUT_SECONDS"))


def test_web_unit_runs_the_production_server_of_make_serve_and_restarts_it_always():
    _unit, command = supervised_unit("cms-web.service")
    program, *args = command
    assert Path(program).name == "python"
    assert args == ["-m", "cms.server"]
    assert (ROOT / "cms" / "server.py").exists()
    serve = (ROOT / "Makefile").read_text().split("\nserve:")[1].split("\n\n")[0]
    assert "$(PY) -m cms.server" in serve  # the same command as `make serve`


@pytest.mark.parametrize("name", ["cms-worker.service", "cms-web.service"])
def test_units_pass_systemd_analyze_verify(name, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (the units are still parsed by the tests above)")
    env_file = tmp_path / "cms.env"
    env_file.write_text("DATABASE_URL=sqlite:///var/cms.sqlite3\n")
    text = (UNITS / name).read_text().replace("/etc/cms/cms.env", str(env_file)).replace(INSTALL_DIR, str(ROOT))
    unit = tmp_path / name
    unit.write_text(text)
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.strip()) == (0, "")


def test_make_run_runs_the_worker_under_the_restart_loop():
    recipe = (ROOT / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]
    assert "deploy/supervise.sh" in recipe and "manage.py run_worker" in recipe
    assert "db_worker" not in recipe


def test_supervise_starts_the_command_again_when_it_dies_and_stops_it_when_stopped(tmp_path):
    pids = tmp_path / "pids"
    child = f"import os, time; open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n'); time.sleep(60)"
    supervisor = subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "supervise.sh"), "--delay", "0.1", sys.executable, "-c", child],
        stderr=subprocess.PIPE,
        text=True,
    )

    def started() -> list[int]:
        return [int(pid) for pid in pids.read_text().split()] if pids.exists() else []

    def wait_for(count: int) -> list[int]:
        deadline = time.monotonic() + 20
        while len(started()) < count:
            assert time.monotonic() < deadline, f"the command was not started {count} time(s)"
            time.sleep(0.02)
        return started()

    try:
        first = wait_for(1)[0]
        os.kill(first, signal.SIGKILL)  # dies: started again
        second = wait_for(2)[1]
        assert second != first
        supervisor.terminate()  # stopping the loop stops the command (SIGTERM passed on) and starts no other
        assert supervisor.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while Path(f"/proc/{second}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not Path(f"/proc/{second}").exists()
        assert started() == [first, second]
        assert "exited with status 137; starting it again in 0.1 s" in supervisor.stderr.read()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
