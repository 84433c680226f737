"""The deployment files: docker-compose.yml, the Dockerfile, the crontab, the systemd units.

Docker cannot run here, so the compose file is checked for structure; the units are checked
by `systemd-analyze verify` where it exists, and for their sections and keys everywhere.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
SCHEDULE_SCRIPT = ROOT / "scripts" / "scrapyd-schedule.sh"
SECRET_KEY = re.compile(r"(PASSWORD|SECRET|TOKEN|API_KEY)", re.I)
REFERENCE = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$")
SCHEDULES = {"articles": "*/30 * * * *", "breaking": "*/5 * * * *"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


# --- docker compose ------------------------------------------------------------------


def test_compose_runs_mongo_redis_two_scrapyd_nodes_and_a_scheduler(compose):
    services = compose["services"]
    assert set(services) == {"mongo", "redis", "scrapyd-1", "scrapyd-2", "scheduler"}
    assert services["mongo"]["image"] == "mongo:7"
    assert services["redis"]["image"].startswith("redis")
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for name in ("scrapyd-1", "scrapyd-2", "scheduler"):
        build = services[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert re.search(rf"^FROM \S+ AS {build['target']}$", dockerfile, re.M), build["target"]
    nodes = services["scheduler"]["environment"]["NEWSCRAWL_SCRAPYD_NODES"].split(",")
    assert nodes == ["http://scrapyd-1:6800/", "http://scrapyd-2:6800/"]
    for name in ("scrapyd-1", "scrapyd-2"):
        env = services[name]["environment"]
        assert env["MONGODB_URI"] == "mongodb://mongo:27017/"
        assert env["SCRAPYD_BIND_ADDRESS"] == "0.0.0.0"  # inside the container network, with auth
        assert "SCRAPYD_USERNAME" in env and "SCRAPYD_PASSWORD" in env
        assert "mongo" in services[name]["depends_on"]


def test_compose_holds_no_secret_literal_and_publishes_only_on_loopback(compose):
    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, path)
        else:
            yield path, node

    secrets_seen = 0
    for path, value in walk(compose):
        key = path.rsplit(".", 1)[-1]
        if SECRET_KEY.search(key):
            secrets_seen += 1
            assert isinstance(value, str) and REFERENCE.match(value), f"{path} must be a ${{VAR}} reference"
    assert secrets_seen >= 3  # the anchor and the merged copies
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_dockerfile_copies_what_exists_and_starts_executable_scripts():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for sources in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), f"COPY {source}: no such path in the repo"
    for entry in re.findall(r'^ENTRYPOINT \["/opt/newscrawl/([^"]+)"\]', dockerfile, re.M):
        assert os.access(ROOT / entry, os.X_OK), f"{entry} is not executable"


# --- cron ------------------------------------------------------------------------------

RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def valid_cron_field(text: str, low: int, high: int) -> bool:
    for part in text.split(","):
        match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not match:
            return False
        if match.group(2) is not None:
            start = int(match.group(2))
            end = int(match.group(3)) if match.group(3) else start
            if not (low <= start <= end <= high):
                return False
        if match.group(4) is not None and not (1 <= int(match.group(4)) <= high):
            return False
    return True


def cron_entries() -> list[tuple[str, str]]:
    entries = []
    for line in (DEPLOY / "cron" / "newscrawl.cron").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        fields = line.split(None, 5)
        entries.append((" ".join(fields[:5]), fields[5] if len(fields) > 5 else ""))
    return entries


@pytest.mark.parametrize("expression,ok", [
    ("*/30 * * * *", True), ("17 3 * * 0", True), ("0-59/5 1,2 1-31 1-12 0-7", True),
    ("60 * * * *", False), ("* * * *", False), ("*/0 * * * *", False), ("@hourly x y z w", False),
])
def test_the_cron_checker_itself(expression, ok):
    fields = expression.split()
    assert (len(fields) == 5 and all(valid_cron_field(f, *r) for f, r in zip(fields, RANGES))) is ok


def test_cron_lines_are_five_field_expressions_calling_the_schedules():
    entries = cron_entries()
    assert len(entries) == 6  # three schedules for each edition
    script_names = set(re.findall(r"^\s+([a-z]+)\)$", SCHEDULE_SCRIPT.read_text(), re.M))
    seen = {}
    for expression, command in entries:
        fields = expression.split()
        assert len(fields) == 5 and all(valid_cron_field(f, *r) for f, r in zip(fields, RANGES)), expression
        match = re.search(r'scripts/scrapyd-schedule\.sh"? (\w+)(?: (en|ar))?$', command)
        assert match and match.group(1) in script_names, command
        seen[(match.group(1), match.group(2) or "en")] = expression
    for edition in ("en", "ar"):
        assert seen[("articles", edition)] == SCHEDULES["articles"]
        assert seen[("breaking", edition)] == SCHEDULES["breaking"]
        backfill = seen[("backfill", edition)].split()
        assert backfill[2:4] == ["*", "*"] and backfill[4] != "*"  # weekly
    assert seen[("backfill", "en")] != seen[("backfill", "ar")]  # not both on one night


def test_schedule_script_submits_the_documented_jobs():
    env = dict(os.environ, NEWSCRAWL="/bin/echo", NEWSCRAWL_ENV_FILE="", NEWSCRAWL_SUBMIT_LOG="")

    def run(*names: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SCHEDULE_SCRIPT), *names], env=env, capture_output=True, text=True,
                              timeout=30)

    assert run("articles").stdout.splitlines()[-1] == "submit almayadeen"  # incremental: the store says what changed
    assert run("follow").stdout.splitlines()[-1] == "submit almayadeen -a follow=true"
    assert run("breaking").stdout.splitlines()[-1] == "submit breaking"
    assert run("backfill").stdout.splitlines()[-1] == "submit almayadeen -a discover=sitemaps -a refresh=sitemaps"
    assert run("articles", "ar").stdout.splitlines()[-1] == "submit almayadeen -a edition=ar"
    assert run("follow", "ar").stdout.splitlines()[-1] == "submit almayadeen -a edition=ar -a follow=true"
    assert run("breaking", "ar").stdout.splitlines()[-1] == "submit breaking -a edition=ar"
    assert run("backfill", "ar").stdout.splitlines()[-1] == ("submit almayadeen -a edition=ar -a discover=sitemaps "
                                                             "-a refresh=sitemaps")
    assert run("nonsense").returncode == 2 and run("articles", "fr").returncode == 2


# --- systemd -----------------------------------------------------------------------------


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize("edition", ["en", "ar"])
@pytest.mark.parametrize("name", ["articles", "breaking", "backfill"])
def test_each_schedule_has_a_oneshot_service_and_a_persistent_timer(name, edition):
    suffix = "" if edition == "en" else f"-{edition}"
    service = unit(f"newscrawl-{name}{suffix}.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/newscrawl/newscrawl.env"
    assert service["Service"]["ExecStart"].endswith(f"scripts/scrapyd-schedule.sh {name}" + (f" {edition}" if suffix else ""))
    assert service["Unit"]["Description"]
    timer = unit(f"newscrawl-{name}{suffix}.timer")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert not any(SECRET_KEY.search(key) for section in service.values() for key in section)


@pytest.mark.parametrize("edition", ["en", "ar"])
def test_follow_mode_runs_as_a_service_that_restarts_and_stops_on_sigterm(edition):
    suffix = "" if edition == "en" else f"-{edition}"
    service = unit(f"newscrawl-follow{suffix}.service")
    assert service["Service"]["Type"] == "simple"
    assert service["Service"]["Restart"] == "always"
    assert service["Service"]["KillSignal"] == "SIGTERM" and int(service["Service"]["TimeoutStopSec"]) >= 10
    command = service["Service"]["ExecStart"]
    assert command.startswith("/opt/newscrawl/.venv/bin/scrapy crawl almayadeen") and "-a follow=true" in command
    assert ("-a edition=ar" in command) == (edition == "ar")
    assert service["Service"]["WorkingDirectory"] == "/opt/newscrawl"
    assert service["Service"]["EnvironmentFile"] == "/etc/newscrawl/newscrawl.env"
    assert service["Install"]["WantedBy"] == "multi-user.target"


def test_scrapyd_service_runs_the_launcher_with_the_environment_file():
    service = unit("scrapyd.service")
    assert service["Service"]["ExecStart"] == "/opt/newscrawl/deploy/scrapyd/run-scrapyd.sh"
    assert service["Service"]["EnvironmentFile"] == "/etc/newscrawl/newscrawl.env"
    assert service["Service"]["KillMode"] == "control-group"
    assert service["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # the units name /opt/newscrawl; point them at this checkout so the executables exist
    for source in (DEPLOY / "systemd").iterdir():
        (tmp_path / source.name).write_text(source.read_text().replace("/opt/newscrawl", str(ROOT)))
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    calendars = [unit(p.name)["Timer"]["OnCalendar"] for p in (DEPLOY / "systemd").glob("*.timer")]
    result = subprocess.run(["systemd-analyze", "calendar", *calendars], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_example_env_file_leaves_the_secrets_empty():
    for line in (DEPLOY / "newscrawl.env.example").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#") and SECRET_KEY.search(key):
            assert value == "", f"{key} must stay empty in the example"
