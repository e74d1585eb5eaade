"""Settings: production refuses to start without its secrets and is HTTPS-only; SQLite runs in WAL, full sync.

Each case starts a fresh interpreter, because settings are read once per process."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VAULT_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # not the development key
PROD_ENV = {
    "TRELLIS_ENV": "prod",
    "SECRET_KEY": "prod-test-" + "k" * 50,
    "TRELLIS_VAULT_KEYS": VAULT_KEY,
    "ALLOWED_HOSTS": "trellis.example,www.trellis.example",
}
SETUP = "import django; django.setup()"


def run_python(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter with only the given Trellis variables (none inherited)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TRELLIS_", "DJANGO_"))}
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL", "DEBUG"):
        base.pop(name, None)
    base.update(DJANGO_SETTINGS_MODULE="trellis.settings", TRELLIS_SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    base.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "TRELLIS_VAULT_KEYS", "ALLOWED_HOSTS"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_without_a_secret(missing, how, tmp_path):
    env = dict(PROD_ENV)
    if how == "unset":
        del env[missing]
    else:
        env[missing] = ""
    result = run_python(SETUP, env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"set the environment variable {missing}" in result.stderr


def test_production_starts_with_its_secrets_and_is_https_only(tmp_path):
    names = [
        "DEBUG",
        "ALLOWED_HOSTS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "PASSWORD_HASHERS",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    ]
    code = f"{SETUP}; import json; from django.conf import settings as s; "
    code += f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = run_python(code, PROD_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["trellis.example", "www.trellis.example"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not any("MD5" in h for h in values["PASSWORD_HASHERS"])  # the fast test hasher stays in tests
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_passes_the_deploy_checks(tmp_path):
    env = {**PROD_ENV, "EMAIL_URL": "smtp://mailer:secret@smtp.trellis.example:587"}
    result = run_python(
        "from trellis.cli import main; main(['check', '--deploy', '--fail-level', 'WARNING'])", env, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_unknown_profile_is_refused(tmp_path):
    result = run_python(SETUP, {"TRELLIS_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "TRELLIS_ENV must be dev, test or prod" in result.stderr


def test_development_starts_without_any_secret(tmp_path):
    result = run_python(SETUP + "; from django.conf import settings; print(settings.DEBUG)", {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the suite runs on PostgreSQL")
def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(tmp_path):
    code = SETUP + (
        "; from django.db import connection; import json\n"
        "with connection.cursor() as c:\n"
        "    out = {p: c.execute(f'PRAGMA {p}').fetchone()[0]\n"
        "           for p in ('journal_mode', 'synchronous', 'busy_timeout', 'foreign_keys')}\n"
        "out['file'] = str(connection.settings_dict['NAME'])\n"
        "out['mode'] = connection.transaction_mode\n"
        "print(json.dumps(out))"
    )
    result = run_python(code, {"TRELLIS_ENV": "test"}, tmp_path)
    assert result.returncode == 0, result.stderr
    pragmas = json.loads(result.stdout.strip().splitlines()[-1])
    assert pragmas["file"] == str(tmp_path / "db.sqlite3")
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 2  # FULL
    assert pragmas["busy_timeout"] >= 5000
    assert pragmas["foreign_keys"] == 1
    assert pragmas["mode"] == "IMMEDIATE"
