"""Settings: defaults, environment overrides, validation that names the setting."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from advocacy.resources import resource_path
from advocacy.settings import (
    PARSERS,
    Settings,
    SettingsError,
    database_url,
    load_settings,
    setting_names,
)

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"ADVOCACY_INSTANCE_PATH": str(tmp_path / "instance"), **values}


def test_defaults_load_and_sqlite_lives_in_the_instance_folder(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path))
    assert settings.env == "development"
    assert settings.mail_backend == "outbox"
    assert database_url(settings) == f"sqlite:///{(tmp_path / 'instance').resolve()}/advocacy.db"


def test_environment_variables_override_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        _env(
            tmp_path,
            ADVOCACY_SESSION_IDLE_MINUTES="30",
            ADVOCACY_OIDC_AUTO_PROVISION_DOMAINS="Firm.example, other.example",
            ADVOCACY_BASE_URL="https://advocacy.firm.example/",
        )
    )
    assert settings.session_idle_minutes == 30
    assert settings.oidc_auto_provision_domains == ("firm.example", "other.example")
    assert settings.base_url == "https://advocacy.firm.example"
    assert settings.secure_cookies


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ADVOCACY_SESSION_IDLE_MINUTES", "soon", "session_idle_minutes"),
        ("ADVOCACY_SESSION_MAX_HOURS", "0", "session_max_hours"),
        ("ADVOCACY_ENV", "staging", "env"),
        ("ADVOCACY_MAIL_BACKEND", "smtp", "mail_backend"),
        ("ADVOCACY_BASE_URL", "advocacy.example", "base_url"),
        ("ADVOCACY_DEFAULT_TIMEZONE", "Mars/Olympus", "default_timezone"),
        ("ADVOCACY_DEFAULT_LANGUAGE", "de", "default_language"),
        ("ADVOCACY_DATABASE_URL", "mysql://x", "database_url"),
        ("ADVOCACY_LOGIN_LIMIT_PER_ACCOUNT", "lots", "login_limit_per_account"),
        ("ADVOCACY_LOGIN_LIMIT_PER_ADDRESS_ACCOUNT", "lots", "login_limit_per_address_account"),
        ("ADVOCACY_TRUSTED_PROXIES", "-1", "trusted_proxies"),
        ("ADVOCACY_TRUSTED_PROXIES", "nginx", "trusted_proxies"),
        ("ADVOCACY_OIDC_AUTO_PROVISION_ROLE", "root", "oidc_auto_provision_role"),
        ("ADVOCACY_OIDC_DISCOVERY_URL", "https://idp.example/.well-known", "oidc_client_id"),
        ("ADVOCACY_MAIL_BACKEND", "sendgrid", "sendgrid_api_key"),
        ("ADVOCACY_JOURNEY_APPLY_FORMER_AUTOMATICALLY", "maybe", "journey_apply_former"),
        ("ADVOCACY_JOURNEY_JOB_TIME", "99 3", "journey_job_time"),
        ("ADVOCACY_JOURNEY_JOB_TIME", "every day", "journey_job_time"),
        ("ADVOCACY_MAIL_FROM_EMAIL", "nobody", "mail_from_email"),
        ("ADVOCACY_MAIL_SEND_WINDOW", "18:00-08:00", "mail_send_window"),
        ("ADVOCACY_MAIL_SEND_WEEKDAYS", "1,9", "mail_send_weekdays"),
        ("ADVOCACY_MAIL_QUIET_DAYS", "2026-13-01", "mail_quiet_days"),
        ("ADVOCACY_SENDGRID_ASM_GROUP_SURVEY", "-1", "sendgrid_asm_group_survey"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_setting(
    tmp_path: Path, variable: str, value: str, named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(_env(tmp_path, **{variable: value}))


@pytest.mark.parametrize("key", [None, "", "change-me", "too-short-secret"])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path: Path, key: str | None) -> None:
    env = _env(tmp_path, ADVOCACY_ENV="production")
    if key is not None:
        env["ADVOCACY_SECRET_KEY"] = key
    with pytest.raises(SettingsError, match="secret_key"):
        load_settings(env)


def test_production_starts_with_a_strong_secret_key(tmp_path: Path) -> None:
    settings = load_settings(
        _env(tmp_path, ADVOCACY_ENV="production", ADVOCACY_SECRET_KEY="k" * 48)
    )
    assert settings.is_production


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings(_env(tmp_path)).secret_key
    second = load_settings(_env(tmp_path)).secret_key
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_a_config_file_sits_between_the_defaults_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('firm_name = "Lopez & Partners"\nsession_idle_minutes = 45\n')
    settings = load_settings(
        _env(tmp_path, ADVOCACY_CONFIG_FILE=str(config), ADVOCACY_SESSION_IDLE_MINUTES="50")
    )
    assert settings.firm_name == "Lopez & Partners"
    assert settings.session_idle_minutes == 50


def test_a_config_file_with_an_unknown_setting_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("sesion_idle_minutes = 45\n")
    with pytest.raises(SettingsError, match="sesion_idle_minutes"):
        load_settings(_env(tmp_path, ADVOCACY_CONFIG_FILE=str(config)))


def test_every_setting_is_documented_in_default_toml_with_a_comment() -> None:
    lines = (resource_path("config") / "default.toml").read_text().splitlines()
    for name in PARSERS:
        index = next(i for i, line in enumerate(lines) if re.match(rf"{name}\s*=", line))
        block: list[str] = []
        for line in reversed(lines[:index]):  # the paragraph the setting belongs to
            if not line.strip():
                break
            block.append(line)
        assert any(line.startswith("#") for line in block), f"{name} is not explained"


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in PARSERS if f"ADVOCACY_{name.upper()}" not in readme]
    assert not missing, f"README lacks {missing}"


def test_each_setting_is_declared_once_with_the_parser_that_reads_it() -> None:
    declared = fields(Settings)
    assert [setting.name for setting in declared] == setting_names() == list(PARSERS)
    assert all(PARSERS[setting.name] is setting.metadata["parse"] for setting in declared)
