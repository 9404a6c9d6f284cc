"""The deployment files a city's IT team starts from: Dockerfile, compose.yaml, systemd unit.

Images are never built here (slow, needs the network); the files are parsed and checked
against what Ayo reads. Where `docker compose` is installed it validates compose.yaml too.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRETS = (
    "AYO_TELEGRAM_TOKEN",
    "AYO_TELEGRAM_WEBHOOK_SECRET",
    "AYO_WHATSAPP_TOKEN",
    "AYO_WHATSAPP_APP_SECRET",
    "AYO_WHATSAPP_VERIFY_TOKEN",
    "AYO_METRICS_TOKEN",
)


def known_setting(name: str) -> bool:
    return name.removeprefix("AYO_").lower() in Settings.model_fields or name == "AYO_CACHE_DIR"


def test_compose_runs_ayo_in_production_on_postgres_behind_loopback() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"ayo", "db"}
    db, ayo = compose["services"]["db"], compose["services"]["ayo"]
    assert db["image"].startswith("postgres:")
    assert "healthcheck" in db
    assert ayo["depends_on"]["db"]["condition"] == "service_healthy"
    env = ayo["environment"]
    assert env["AYO_ENV"] == "production"
    assert re.fullmatch(r"postgresql\+asyncpg://ayo:\$\{POSTGRES_PASSWORD\}@db:5432/ayo",
                        env["AYO_DATABASE_URL"])  # fmt: skip
    # Secrets come from the environment (.env), never written in the file.
    for name in SECRETS:
        assert env[name].startswith("${"), name
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${")
    for name in env:
        assert name == "FORWARDED_ALLOW_IPS" or known_setting(name), name
    # Only the reverse proxy on the same host reaches Ayo.
    assert all(str(port).startswith("127.0.0.1:") for port in ayo["ports"])
    assert "ayo-db" in compose["volumes"]


def test_compose_config_validates_where_docker_compose_exists() -> None:
    docker = shutil.which("docker")
    probe = docker and subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, check=False
    )
    if not probe or probe.returncode != 0:
        # Without the compose plugin the parse test above is the check.
        assert (ROOT / "compose.yaml").exists()
        return
    done = subprocess.run(
        [docker, "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={"POSTGRES_PASSWORD": "x", "AYO_METRICS_TOKEN": "y", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr


def test_the_dockerfile_copies_what_exists_and_runs_as_a_user() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0].startswith("FROM python:3.11")
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert "USER ayo" in lines
    assert 'CMD ["ayo", "serve"]' in lines
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert "/readyz" in (ROOT / "Dockerfile").read_text()
    assert "AYO_ENV=production" in (ROOT / "Dockerfile").read_text()
    for name in re.findall(r"\b(AYO_[A-Z_]+)=", (ROOT / "Dockerfile").read_text()):
        assert known_setting(name), name


def test_the_systemd_unit_runs_ayo_serve_with_an_environment_file() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read(ROOT / "deploy" / "ayo.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/ayo serve")
    assert service["User"] == "ayo"
    assert service["EnvironmentFile"] == "/etc/ayo/ayo.env"
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "After" in unit["Unit"]


def test_the_readme_points_to_the_operations_guide() -> None:
    assert "docs/OPERATIONS.md" in (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text()
    for heading in (
        "## Settings",
        "## Telegram",
        "## WhatsApp",
        "## Importing the organisation",
        "## Backups and restore",
        "## Upgrades",
        "## What to watch",
    ):
        assert heading in guide, heading
