"""Strict parsing of environment variables: a wrong value stops start-up with a clear message."""

from __future__ import annotations

import os
import zoneinfo


class ConfigError(SystemExit):
    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"configuration error: {name}={value!r} is not valid: expected {expected}")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, raw, "one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, raw, "an integer") from None
    if value < minimum:
        raise ConfigError(name, raw, f"an integer >= {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_timezone(name: str, default: str) -> str:
    raw = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, raw, "an IANA time zone such as Asia/Ho_Chi_Minh") from None
    return raw


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = os.environ.get(name, default)
    if raw not in choices:
        raise ConfigError(name, raw, "one of " + ", ".join(sorted(choices)))
    return raw
