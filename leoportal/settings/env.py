"""Typed getters for settings read from the environment.

Every getter fails loudly with ``ImproperlyConfigured`` naming the variable, so a typo in a deployment stops
start-up instead of silently falling back to a default.
"""

import math
import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}
DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}
EMAIL_SCHEMES = {
    "smtp",
    "smtps",
    "smtp+tls",
    "smtp+ssl",
    "consolemail",
    "filemail",
    "memorymail",
    "dummymail",
}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} must be {expected}, got {value!r}.")


def get_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def get_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise _fail(name, value, "one of true/false, yes/no, on/off, 1/0")


def get_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "a whole number") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise _fail(name, value, f"between {minimum} and {maximum}")
    return number


def get_float(name: str, default: float, minimum: float | None = None, maximum: float | None = None) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise _fail(name, value, "a number") from None
    if math.isnan(number) or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise _fail(name, value, f"a number between {minimum} and {maximum}")
    return number


def get_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def _check_url(name: str, value: str, schemes: set[str], needs_host: bool) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise _fail(name, value, "a valid URL") from None
    if parts.scheme not in schemes:
        raise _fail(name, value, f"a URL starting with one of {', '.join(sorted(s + '://' for s in schemes))}")
    if needs_host and not parts.hostname:
        raise _fail(name, value, "a URL with a host name, such as " + next(iter(sorted(schemes))) + "://host/")


def get_database(name: str, default: str) -> dict:
    value = _raw(name) or default
    scheme = urlsplit(value).scheme
    _check_url(name, value, DATABASE_SCHEMES, needs_host=scheme != "sqlite")
    if scheme != "sqlite" and not urlsplit(value).path.strip("/"):
        raise _fail(name, value, "a URL naming a database, such as postgres://user@127.0.0.1:5432/leoportal")
    config = environ.Env.db_url_config(value)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = get_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def get_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is None:
        return None
    _check_url(name, value, REDIS_SCHEMES, needs_host=True)
    return value


def get_email(name: str, default: str) -> dict:
    value = _raw(name) or default
    _check_url(name, value, EMAIL_SCHEMES, needs_host=urlsplit(value).scheme.startswith("smtp"))
    config = environ.Env.email_url_config(value)
    if urlsplit(value).scheme == "filemail":
        config["EMAIL_FILE_PATH"] = urlsplit(value).path  # absolute, as written (filemail:///var/mail/leoportal)
    return config
