import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from leoportal.settings import env
from tests.utils import run_manage


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
        ("", True),
    ],
)
def test_get_bool_reads_each_spelling(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env.get_bool("FLAG", default=True) is expected


def test_get_bool_refuses_a_value_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured) as error:
        env.get_bool("DEBUG", default=False)
    assert str(error.value) == "DEBUG must be one of true/false, yes/no, on/off, 1/0, got 'maybe'."


def test_get_int_refuses_text_and_out_of_range(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ImproperlyConfigured) as error:
        env.get_int("PORT", 8000)
    assert str(error.value) == "PORT must be a whole number, got 'eighty'."
    monkeypatch.setenv("PORT", "70000")
    with pytest.raises(ImproperlyConfigured) as error:
        env.get_int("PORT", 8000, minimum=1, maximum=65535)
    assert str(error.value) == "PORT must be between 1 and 65535, got '70000'."


def test_get_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " portal.example.org, ,www.portal.example.org ")
    assert env.get_list("ALLOWED_HOSTS", []) == ["portal.example.org", "www.portal.example.org"]


def test_get_database_parses_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:secret@db.internal:6543/leo")
    config = env.get_database("DATABASE_URL", "sqlite:///x.db")
    assert (
        config["ENGINE"],
        config["NAME"],
        config["USER"],
        config["PASSWORD"],
        config["HOST"],
        config["PORT"],
    ) == ("django.db.backends.postgresql", "leo", "portal", "secret", "db.internal", 6543)
    assert config["CONN_HEALTH_CHECKS"] is True


def test_get_database_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.get_database("DATABASE_URL", "sqlite:////tmp/portal.sqlite3")
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", "/tmp/portal.sqlite3")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("postgres//nohost/leo", "DATABASE_URL must be a URL starting with one of"),
        ("mysql://db/leo", "DATABASE_URL must be a URL starting with one of"),
        ("postgres://db.internal:port/leo", "DATABASE_URL must be a valid URL"),
        ("postgres://db.internal:5432/", "DATABASE_URL must be a URL naming a database"),
    ],
)
def test_get_database_refuses_malformed_urls(monkeypatch, raw, message):
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env.get_database("DATABASE_URL", "sqlite:///x.db")
    assert str(error.value).startswith(message)


def test_get_redis_url_is_none_when_unset_and_checked_when_set(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert env.get_redis_url("REDIS_URL") is None
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    assert env.get_redis_url("REDIS_URL") == "redis://127.0.0.1:6379/2"
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured) as error:
        env.get_redis_url("REDIS_URL")
    assert str(error.value) == (
        "REDIS_URL must be a URL starting with one of redis://, rediss://, got 'http://127.0.0.1:6379'."
    )


def test_get_email_reads_smtp_url(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://mailer:pw@smtp.example.org:587")
    config = env.get_email("EMAIL_URL", "consolemail://")
    assert (config["EMAIL_BACKEND"], config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        587,
        True,
    )


def test_get_email_defaults_to_console(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert env.get_email("EMAIL_URL", "consolemail://")["EMAIL_BACKEND"] == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_startup_stops_on_a_bad_debug_value_naming_the_variable():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DEBUG must be one of true/false, yes/no, on/off, 1/0, got 'maybe'."
    )


def test_startup_stops_on_a_malformed_database_url_naming_the_variable():
    result = run_manage("check", DEBUG="true", DATABASE_URL="postgres//oops")
    assert result.returncode == 1
    assert result.stderr.startswith("Configuration error: DATABASE_URL must be a URL starting with one of")


def test_startup_refuses_production_without_secret_key():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY must be set when DEBUG is false "
        "(for local development set DEBUG=true in .env)."
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="portal.example.org",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
    )
    assert (result.returncode, result.stderr.strip()) == (0, ""), result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


SETTINGS_PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "csrf_origins": settings.CSRF_TRUSTED_ORIGINS,
    "cache": [settings.CACHES["default"]["BACKEND"], settings.CACHES["default"]["LOCATION"]],
    "broker": settings.CELERY_BROKER_URL,
}))
"""


def test_production_behind_a_tls_proxy_with_redis_reads_each_variable():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = run_manage(
        "shell",
        "-c",
        SETTINGS_PROBE,
        **production,
        SECURE_PROXY_SSL_HEADER="true",
        SECURE_SSL_REDIRECT="false",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org, https://www.example.org",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "ssl_redirect": False,
        "csrf_origins": ["https://portal.example.org", "https://www.example.org"],
        "cache": ["leoportal.backends.cache.RedisCache", "redis://127.0.0.1:6379/9"],
        "broker": "redis://127.0.0.1:6379/9",
    }
    refused = run_manage("check", **production, CSRF_TRUSTED_ORIGINS="portal.example.org")
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "Configuration error: CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, "
        "got 'portal.example.org'.",
    )


def test_get_email_writes_files_to_an_absolute_folder(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "filemail:///var/spool/leoportal-mail")
    config = env.get_email("EMAIL_URL", "consolemail://")
    assert (config["EMAIL_BACKEND"], config["EMAIL_FILE_PATH"]) == (
        "django.core.mail.backends.filebased.EmailBackend",
        "/var/spool/leoportal-mail",
    )
