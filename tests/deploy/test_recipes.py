"""The deploy recipes (docs/deploy/, Dockerfile) agree with what several nodes need.

No Docker engine or systemd runs here: these read the files; `make lint` runs hadolint on the
Dockerfile; tests/deploy/test_two_nodes.py runs the same topology on loopback.
"""

import configparser
import re
from pathlib import Path

import yaml

BASE = Path(__file__).resolve().parents[2]
DEPLOY = BASE / "docs" / "deploy"
SHARED = ("SECRET_KEY", "DATABASE_URL", "CACHE_URL", "TASKS_URL", "ALLOWED_HOSTS")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def test_compose_web_nodes_and_workers_share_every_setting_that_must_be_shared():
    services = _compose()
    drako = [name for name, s in services.items() if s.get("image") == "drako:latest"]
    assert {"web1", "web2", "worker", "migrate"} <= set(drako)
    environments = [services[name]["environment"] for name in drako]
    for key in SHARED:
        values = {env.get(key) for env in environments}
        assert len(values) == 1 and None not in values, (key, values)
    assert environments[0]["CACHE_URL"].startswith("redis://")
    assert environments[0]["TASKS_URL"].startswith("redis://")


def test_compose_publishes_only_the_proxy_and_it_balances_every_web_node():
    services = _compose()
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"proxy"}
    caddyfile = (DEPLOY / "compose" / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile).group(1).split()
    webs = sorted(name for name in services if name.startswith("web"))
    assert upstreams == [f"{name}:8000" for name in webs]
    assert "respond @internal 404" in caddyfile  # /metrics and /readyz stay inside


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def test_systemd_units_share_one_environment_and_migrate_first():
    web, worker = _unit("drako-web@.service"), _unit("drako-worker@.service")
    for unit in (web, worker, _unit("drako-migrate.service")):
        assert unit["Service"]["EnvironmentFile"] == "/etc/drako/drako.env"
        assert unit["Service"]["User"] == "drako"
    for unit in (web, worker):
        assert unit["Unit"]["Requires"] == "drako-migrate.service"
    assert web["Service"]["Environment"] == "GUNICORN_BIND=127.0.0.1:%i"
    assert "gunicorn drako.wsgi -c gunicorn.conf.py" in web["Service"]["ExecStart"]
    assert worker["Service"]["ExecStart"].endswith("manage.py run_worker")
    wanted = _unit("drako.target")["Unit"]["Wants"].split()
    upstream = (DEPLOY / "systemd" / "nginx-upstream.conf").read_text()
    for port in re.findall(r"drako-web@(\d+)\.service", " ".join(wanted)):
        assert f"server 127.0.0.1:{port}" in upstream


def test_dockerfile_runs_gunicorn_as_a_non_root_user_with_a_healthcheck():
    dockerfile = (BASE / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.13-slim" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "collectstatic --noinput" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "scripts/healthcheck.py" in dockerfile
    assert re.search(r'^CMD \["gunicorn", "drako.wsgi"', dockerfile, re.MULTILINE)
    ignored = (BASE / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored
