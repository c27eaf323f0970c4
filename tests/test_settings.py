"""Settings come from the environment; a site served to the world refuses half a configuration."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def masthead(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "masthead", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = masthead("check", ALLOWED_HOSTS="news.example.org", MASTHEAD_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when ALLOWED_HOSTS is set" in result.stderr


def test_a_laptop_gets_a_secret_key_generated_once_into_the_data_folder(tmp_path):
    assert masthead("check", MASTHEAD_DATA_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert masthead("check", MASTHEAD_DATA_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = masthead(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "-production-key-that-is-long-and-random-enough-0123456789",
        ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        MASTHEAD_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


HSTS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False False"),
        ({"HSTS_INCLUDE_SUBDOMAINS": "1"}, "True False"),
        ({"HSTS_PRELOAD": "1"}, "True True"),  # preloading needs every subdomain on https
    ],
)
def test_hsts_preload_and_subdomains_only_when_a_setting_asks(tmp_path, env, expected):
    result = masthead(
        "shell",
        "-c",
        HSTS,
        SITE_URL="https://news.example.org",
        MASTHEAD_DATA_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
