"""Settings: config/default.toml, then an optional file, then ADVOCACY_* environment variables.

Every setting is validated when the app (or the jobs process) starts; a bad value stops start-up with
a message naming the setting and what it expects, rather than failing later on a request.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from advocacy.domain.audit import MIN_RETENTION_DAYS
from advocacy.domain.lease import LeaseTerms
from advocacy.domain.scoring import ScoreWeights
from advocacy.domain.time_zones import is_known_timezone
from advocacy.domain.webhooks import parse_networks
from advocacy.resources import resource_path

ENV_PREFIX = "ADVOCACY_"
MIN_SECRET_LENGTH = 32
ROLES = ("admin", "account_manager", "marketing")
LANGUAGES = ("en", "fr")


class SettingsError(ValueError):
    """A setting has a value the app cannot run with; the message names it."""


# --- parsing and checks, one per kind of value -------------------------------------------------


def _as_str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"{name}: expected text, got {value!r}")
    return value.strip()


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SettingsError(f"{name}: expected a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}: expected a whole number, got {value!r}") from None
    if number <= 0:
        raise SettingsError(f"{name}: expected a number greater than 0, got {number}")
    return number


def _as_list(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = [_as_str(name, item) for item in value]
    else:
        raise SettingsError(f"{name}: expected a list, got {value!r}")
    return tuple(item.strip().lower() for item in items if item.strip())


def _networks(name: str, value: Any) -> str:
    text = _as_str(name, value)
    try:
        parse_networks(text)
    except ValueError as error:
        raise SettingsError(f"{name}: expected comma-separated networks, {error}") from None
    return text


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise SettingsError(f"{name}: expected true or false, got {value!r}")


def _minute_hour(name: str, value: Any) -> str:
    parts = _as_str(name, value).split()
    if (
        len(parts) != 2
        or not all(part.isdigit() for part in parts)
        or not (0 <= int(parts[0]) <= 59 and 0 <= int(parts[1]) <= 23)
    ):
        raise SettingsError(f'{name}: expected "minute hour" such as "15 3", got {value!r}')
    return f"{int(parts[0])} {int(parts[1])}"


def _as_count(name: str, value: Any) -> int:
    """A whole number that may be 0 (an id that is unset, a limit that is off)."""
    if isinstance(value, bool):
        raise SettingsError(f"{name}: expected a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name}: expected a whole number, got {value!r}") from None
    if number < 0:
        raise SettingsError(f"{name}: expected 0 or more, got {number}")
    return number


def _retention_days(name: str, value: Any) -> int:
    days = _as_int(name, value)
    if days < MIN_RETENTION_DAYS:
        raise SettingsError(f"{name}: expected at least {MIN_RETENTION_DAYS} days, got {days}")
    return days


def _relevance(name: str, value: Any) -> int:
    """A relevance rating of the catalogue (1 low - 5 high)."""
    number = _as_int(name, value)
    if number > 5:
        raise SettingsError(f"{name}: expected a relevance from 1 to 5, got {number}")
    return number


def _points(name: str, value: Any) -> int:
    """Points of the advocacy score (0 - 100): a weight, a penalty or a tier threshold."""
    number = _as_count(name, value)
    if number > 100:
        raise SettingsError(f"{name}: expected points from 0 to 100, got {number}")
    return number


def _email(name: str, value: Any) -> str:
    text = _as_str(name, value).lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise SettingsError(f"{name}: expected an e-mail address, got {value!r}")
    return text


def _time_window(name: str, value: Any) -> str:
    text = _as_str(name, value)
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", text)
    if not match or text[:5] >= text[6:]:
        raise SettingsError(f"{name}: expected a window such as 08:00-18:00, got {value!r}")
    return text


def _weekdays(name: str, value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise SettingsError(f"{name}: expected a list of weekdays 1-7, got {value!r}")
    try:
        days = tuple(sorted({int(str(item).strip()) for item in items if str(item).strip()}))
    except ValueError:
        raise SettingsError(f"{name}: expected weekdays as numbers 1-7, got {value!r}") from None
    if not days or not all(1 <= day <= 7 for day in days):
        raise SettingsError(f"{name}: expected weekdays as numbers 1-7, got {value!r}")
    return days


def _dates(name: str, value: Any) -> tuple[str, ...]:
    from datetime import date

    items = _as_list(name, value)
    for item in items:
        try:
            date.fromisoformat(item)
        except ValueError:
            raise SettingsError(f"{name}: expected dates as YYYY-MM-DD, got {item!r}") from None
    return items


def _colour(name: str, value: Any) -> str:
    text = _as_str(name, value)
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        raise SettingsError(f"{name}: expected a colour such as #1f4e79, got {text!r}")
    return text.lower()


def _one_of(*allowed: str) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        text = _as_str(name, value)
        if text not in allowed:
            raise SettingsError(f"{name}: expected one of {', '.join(allowed)}; got {text!r}")
        return text

    return check


def _url(name: str, value: Any) -> str:
    text = _as_str(name, value).rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise SettingsError(f"{name}: expected an http:// or https:// address, got {text!r}")
    return text


def _optional_url(name: str, value: Any) -> str:
    return _url(name, value) if _as_str(name, value) else ""


def _timezone(name: str, value: Any) -> str:
    text = _as_str(name, value)
    if not is_known_timezone(text):
        raise SettingsError(
            f"{name}: expected an IANA time zone such as Europe/Paris, got {text!r}"
        )
    return text


def _rate_limit(name: str, value: Any) -> str:
    from limits import parse_many

    text = _as_str(name, value)
    try:
        parse_many(text)
    except ValueError:
        raise SettingsError(
            f"{name}: expected a rate such as '5 per 15 minutes', got {text!r}"
        ) from None
    return text


_ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


def _frame_ancestors(name: str, value: Any) -> tuple[str, ...]:
    """Origins allowed to frame the wall: 'self' or scheme://host[:port], nothing that could
    smuggle another directive into the Content-Security-Policy header."""
    items = _as_str(name, value).split()
    for item in items:
        if item != "'self'" and not _ORIGIN.fullmatch(item.lower()):
            raise SettingsError(
                f"{name}: expected 'self' or origins such as https://www.firm.example, "
                f"separated by spaces; got {item!r}"
            )
    if not items:
        raise SettingsError(f"{name}: expected at least one origin, or 'self'")
    return tuple(item if item == "'self'" else item.lower().rstrip("/") for item in items)


def _database_url(name: str, value: Any) -> str:
    text = _as_str(name, value)
    if text and not text.startswith(("sqlite:", "postgresql+psycopg:")):
        raise SettingsError(
            f"{name}: expected sqlite:///path or postgresql+psycopg://user@host/db, got {text!r}"
        )
    return text


def _setting(parse: Callable[[str, Any], Any]) -> Any:
    """A setting: its value is read from text or TOML by `parse`, which names it in any error."""
    return field(metadata={"parse": parse})


# One declaration per setting: the attribute, its type and how it is read. Each is set as
# ADVOCACY_<NAME>, documented in config/default.toml and listed in the README (a test checks both).
@dataclass(frozen=True)
class Settings:
    env: str = _setting(_one_of("development", "production", "test"))
    secret_key: str = _setting(_as_str)
    instance_path: str = _setting(_as_str)
    database_url: str = _setting(_database_url)
    base_url: str = _setting(_url)
    firm_name: str = _setting(_as_str)
    default_language: str = _setting(_one_of(*LANGUAGES))
    default_timezone: str = _setting(_timezone)
    session_idle_minutes: int = _setting(_as_int)
    session_max_hours: int = _setting(_as_int)
    login_limit_per_address: str = _setting(_rate_limit)
    login_limit_per_account: str = _setting(_rate_limit)
    login_limit_per_address_account: str = _setting(_rate_limit)
    trusted_proxies: int = _setting(_as_count)
    ratelimit_storage_uri: str = _setting(_as_str)
    mail_backend: str = _setting(_one_of("outbox", "sendgrid"))
    mail_from_email: str = _setting(_email)
    mail_from_name: str = _setting(_as_str)
    firm_postal_address: str = _setting(_as_str)
    mail_batch_size: int = _setting(_as_int)
    mail_sender_threads: int = _setting(_as_int)
    mail_lease_seconds: int = _setting(_as_int)
    mail_max_attempts: int = _setting(_as_int)
    mail_unknown_resend_after_minutes: int = _setting(_as_int)
    mail_pressure_per_contact: int = _setting(_as_int)
    mail_pressure_per_account: int = _setting(_as_int)
    mail_pressure_days: int = _setting(_as_int)
    mail_send_window: str = _setting(_time_window)
    mail_send_weekdays: tuple[int, ...] = _setting(_weekdays)
    mail_quiet_days: tuple[str, ...] = _setting(_dates)
    sendgrid_asm_group_nurture: int = _setting(_as_count)
    sendgrid_asm_group_survey: int = _setting(_as_count)
    sendgrid_asm_group_advocacy_ask: int = _setting(_as_count)
    sendgrid_asm_group_reference_request: int = _setting(_as_count)
    sendgrid_webhook_max_age_seconds: int = _setting(_as_int)
    sendgrid_api_key: str = _setting(_as_str)
    sendgrid_host: str = _setting(_url)
    sendgrid_webhook_public_key: str = _setting(_as_str)
    oidc_discovery_url: str = _setting(_optional_url)
    oidc_client_id: str = _setting(_as_str)
    oidc_client_secret: str = _setting(_as_str)
    oidc_provider_name: str = _setting(_as_str)
    oidc_scopes: str = _setting(_as_str)
    oidc_auto_provision_domains: tuple[str, ...] = _setting(_as_list)
    oidc_auto_provision_role: str = _setting(_one_of(*ROLES))
    invitation_valid_days: int = _setting(_as_int)
    scheduler_heartbeat_seconds: int = _setting(_as_int)
    scheduler_stale_seconds: int = _setting(_as_int)
    scheduler_lease_seconds: int = _setting(_as_int)
    audit_retention_days: int = _setting(_retention_days)
    audit_job_time: str = _setting(_minute_hour)
    journey_former_after_days: int = _setting(_as_int)
    journey_apply_former_automatically: bool = _setting(_as_bool)
    imports_contacts_without_email: bool = _setting(_as_bool)
    journey_job_time: str = _setting(_minute_hour)
    checkins_active_days: int = _setting(_as_int)
    checkins_between_days: int = _setting(_as_int)
    checkins_not_now_days: int = _setting(_as_int)
    checkins_former_good_days: int = _setting(_as_int)
    checkins_revisit_lead_days: int = _setting(_as_int)
    checkins_horizon_days: int = _setting(_as_int)
    checkins_job_time: str = _setting(_minute_hour)
    checkins_digest_time: str = _setting(_minute_hour)
    firm_colour: str = _setting(_colour)
    firm_text_colour: str = _setting(_colour)
    client_link_days_survey: int = _setting(_as_int)
    client_link_days_testimonial: int = _setting(_as_int)
    client_link_days_referral: int = _setting(_as_int)
    client_link_days_reference: int = _setting(_as_int)
    client_link_days_manage: int = _setting(_as_int)
    surveys_after_completion_days: int = _setting(_as_int)
    surveys_milestone_every_days: int = _setting(_as_count)
    surveys_reminder_after_days: int = _setting(_as_int)
    surveys_per_contact_days: int = _setting(_as_int)
    surveys_job_time: str = _setting(_minute_hour)
    references_max_calls_per_contact: int = _setting(_as_int)
    references_cap_days: int = _setting(_as_int)
    api_rate_limit: str = _setting(_rate_limit)
    wall_frame_ancestors: tuple[str, ...] = _setting(_frame_ancestors)
    log_level: str = _setting(_one_of("DEBUG", "INFO", "WARNING", "ERROR"))
    mail_events_silence_minutes: int = _setting(_as_int)
    typecasting_relevance_threshold: int = _setting(_relevance)
    analytics_fresh_minutes: int = _setting(_as_int)
    analytics_refresh_minutes: int = _setting(_as_int)
    nurture_run_minutes: int = _setting(_as_int)
    nurture_run_chunk: int = _setting(_as_int)
    nurture_results_window_days: int = _setting(_as_int)
    scoring_weight_experience: int = _setting(_points)
    scoring_weight_camp: int = _setting(_points)
    scoring_weight_relationship: int = _setting(_points)
    scoring_weight_recency: int = _setting(_points)
    scoring_weight_nurture: int = _setting(_points)
    scoring_weight_advocacy: int = _setting(_points)
    scoring_weight_authority: int = _setting(_points)
    scoring_weight_availability: int = _setting(_points)
    scoring_penalty_bad_camp: int = _setting(_points)
    scoring_penalty_detractor_signal: int = _setting(_points)
    scoring_penalty_fatigue: int = _setting(_points)
    scoring_champion_at: int = _setting(_points)
    scoring_advocate_at: int = _setting(_points)
    scoring_at_risk_below: int = _setting(_points)
    scoring_survey_half_life_days: int = _setting(_as_int)
    scoring_touchpoint_half_life_days: int = _setting(_as_int)
    scoring_job_time: str = _setting(_minute_hour)
    retention_mail_content_days: int = _setting(_as_count)
    retention_former_survey_comments_days: int = _setting(_as_count)
    retention_inactive_prospects_days: int = _setting(_as_count)
    webhooks_allowed_private_networks: str = _setting(_networks)
    webhooks_timeout_seconds: int = _setting(_as_int)
    webhooks_lease_seconds: int = _setting(_as_int)
    webhooks_deliver_every_seconds: int = _setting(_as_int)
    webhooks_batch_size: int = _setting(_as_int)

    @property
    def score_weights(self) -> ScoreWeights:
        """The advocacy score's weights and thresholds (docs/scoring.md)."""
        return ScoreWeights(
            experience=self.scoring_weight_experience,
            camp=self.scoring_weight_camp,
            relationship=self.scoring_weight_relationship,
            recency=self.scoring_weight_recency,
            nurture=self.scoring_weight_nurture,
            advocacy=self.scoring_weight_advocacy,
            authority=self.scoring_weight_authority,
            availability=self.scoring_weight_availability,
            bad_camp_penalty=self.scoring_penalty_bad_camp,
            detractor_signal_penalty=self.scoring_penalty_detractor_signal,
            fatigue_penalty=self.scoring_penalty_fatigue,
            champion_at=self.scoring_champion_at,
            advocate_at=self.scoring_advocate_at,
            at_risk_below=self.scoring_at_risk_below,
            survey_half_life_days=self.scoring_survey_half_life_days,
            touchpoint_half_life_days=self.scoring_touchpoint_half_life_days,
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_discovery_url)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


# How each setting is read, from the Settings declaration itself.
PARSERS: Mapping[str, Callable[[str, Any], Any]] = MappingProxyType(
    {setting.name: setting.metadata["parse"] for setting in fields(Settings)}
)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise SettingsError(f"cannot read settings file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"settings file {path} is not valid TOML: {error}") from None


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read, merge and validate every setting; raise SettingsError naming the first bad one."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = _read_toml(resource_path("config") / "default.toml")
    unknown = set(raw) - set(PARSERS)
    if unknown:
        raise SettingsError(f"config/default.toml: unknown settings {sorted(unknown)}")
    extra_file = environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    if extra_file:
        extra = _read_toml(Path(extra_file))
        unknown = set(extra) - set(PARSERS)
        if unknown:
            raise SettingsError(f"{extra_file}: unknown settings {sorted(unknown)}")
        raw.update(extra)
    for name in PARSERS:
        key = ENV_PREFIX + name.upper()
        if key in environ:
            raw[name] = environ[key]
    raw.update(overrides or {})
    values = {name: PARSERS[name](name, raw[name]) for name in PARSERS}
    values = _with_secret_key(values)
    _check_together(values)
    return Settings(**values)


def _with_secret_key(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse a weak key in production; elsewhere keep a generated key in the instance folder."""
    key = values["secret_key"]
    if values["env"] == "production":
        if len(key) < MIN_SECRET_LENGTH or key in {"change-me", "dev", "secret"}:
            raise SettingsError(
                "secret_key: production needs ADVOCACY_SECRET_KEY set to a random value of at "
                f"least {MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return values
    if not key:
        key_file = Path(values["instance_path"]) / "secret_key"
        if key_file.exists():
            key = key_file.read_text().strip()
        else:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            key_file.write_text(key)
            key_file.chmod(0o600)
    return {**values, "secret_key": key}


def _check_together(values: dict[str, Any]) -> None:
    if values["oidc_discovery_url"] and not (
        values["oidc_client_id"] and values["oidc_client_secret"]
    ):
        raise SettingsError(
            "oidc_client_id / oidc_client_secret: both are required when oidc_discovery_url is set"
        )
    if values["mail_backend"] == "sendgrid" and not values["sendgrid_api_key"]:
        raise SettingsError("sendgrid_api_key: required when mail_backend is sendgrid")
    if (
        not values["scoring_at_risk_below"]
        <= values["scoring_advocate_at"]
        <= values["scoring_champion_at"]
    ):
        raise SettingsError(
            "scoring_at_risk_below / scoring_advocate_at / scoring_champion_at: expected "
            "at risk <= advocate <= champion"
        )
    lease_problem = LeaseTerms(
        timedelta(seconds=values["scheduler_lease_seconds"]),
        timedelta(seconds=values["scheduler_heartbeat_seconds"]),
    ).problem()
    if lease_problem:
        raise SettingsError(
            f"scheduler_lease_seconds / scheduler_heartbeat_seconds: {lease_problem}"
        )


def database_url(settings: Settings) -> str:
    """The URL to connect to: the setting, or the SQLite file in the instance folder."""
    if settings.database_url:
        return settings.database_url
    folder = Path(settings.instance_path).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'advocacy.db'}"


def setting_names() -> list[str]:
    """Names of every setting, in the order of the Settings class."""
    return [setting.name for setting in fields(Settings)]
