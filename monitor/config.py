"""Load ``sources.toml`` into typed, validated objects.

Every problem is reported as one :class:`~monitor.errors.ConfigError` line naming the file, the key path and what
was expected, e.g. ``sources.toml: sources[3].interval: expected a duration like "30m", got "often"``.
Unknown keys are errors, so a typo never silently disables a setting.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from classifiers.backends import BACKENDS, DEFAULT_BACKEND
from classifiers.orgs.catalogue import KINDS as ORG_KINDS
from classifiers.orgs.catalogue import Org, load_catalogue, merge_org
from classifiers.taxonomy import TAG_NAMES

from .durations import parse_duration
from .errors import ConfigError

SOURCE_KINDS = ("feed", "html", "status", "prices")
LEVELS = ("ok", "watch", "warning", "critical")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_WATCH = ("openai", "anthropic", "google", "xai", "meta", "mistral", "cohere", "deepseek", "microsoft",
                 "amazon", "coreweave", "together")
"""Who gets risk scores and alerts when sources.toml neither sets ``[settings] watch`` nor declares providers."""

T = TypeVar("T")


# --------------------------------------------------------------------------------------------- typed objects
@dataclass(frozen=True)
class Provider:
    """A watched provider with the names it is matched by (word boundaries; ``=Name`` matches exact case only).

    Built from its catalogue entry merged with the user's ``[providers.<id>]`` table (see
    :func:`classifiers.orgs.catalogue.merge_org`); ``aliases`` are then every name the organisation is matched
    by, and ``match_name`` is False because the display name may be a common word ("Runway").
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str = "lab"
    match_name: bool = True
    kind_given: bool = field(default=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The display name (when ``match_name``) followed by every alias, without duplicates."""
        return tuple(dict.fromkeys((self.name, *self.aliases) if self.match_name else self.aliases))

    @classmethod
    def from_org(cls, org: Org) -> Provider:
        """The watched provider of a catalogue organisation."""
        return cls(id=org.id, name=org.name, aliases=org.names or (org.name,), kind=org.kind, match_name=False)


@dataclass(frozen=True)
class Selectors:
    """CSS selectors of an ``html`` source (or an HTML ``prices`` table)."""

    link: str | None = None
    title: str | None = None
    date: str | None = None
    row: str | None = None
    model: str | None = None
    input_price: str | None = None
    output_price: str | None = None


@dataclass(frozen=True)
class PriceFields:
    """Where a JSON price catalogue keeps its data (dotted paths, ``*`` iterates a list or mapping)."""

    models: str = "*"
    model_id: str = "@key"
    provider: str | None = "litellm_provider"
    input_price: str = "input_cost_per_token"
    output_price: str = "output_cost_per_token"
    unit: str = "per_token"  # per_token | per_1k | per_1m


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@`` (``https://***@host/feed``): the form in which a
    source's URL is shown, stored and logged. The request itself still uses the configured URL."""
    return _USERINFO.sub(r"\1***@", url)


def redact_urls(text: str) -> str:
    """``text`` (an error message, a log line) with the ``user:password@`` of every URL in it replaced by ``***@``."""
    return _USERINFO.sub(r"\1***@", text)


def with_credentials(url: str, configured: str) -> str:
    """``url`` as stored (redacted) with the user and password of the ``configured`` URL put back when both
    name the same host; any other URL unchanged."""
    if "***@" not in url:
        return url
    try:
        stored, original = urlsplit(url), urlsplit(configured)
    except ValueError:
        return url
    if stored.username != "***" or not original.username or stored.hostname != original.hostname:
        return url
    userinfo = original.netloc.rsplit("@", 1)[0]
    return url.replace("***@", f"{userinfo}@", 1)


@dataclass(frozen=True)
class Source:
    """One entry of ``[[sources]]``.

    ``url`` may carry ``user:password@`` (sent as HTTP basic authentication); :attr:`shown_url` is the URL
    everywhere it is displayed, stored or logged, with them replaced by ``***``.
    """

    name: str
    url: str
    kind: str = "feed"
    interval: timedelta = timedelta(minutes=30)
    providers: tuple[str, ...] = ()
    enabled: bool = True
    fetch_full_text: bool = False
    own: bool = False
    """The source is its providers' own channel (blog, newsroom): its tagged articles are about them."""
    selectors: Selectors = field(default_factory=Selectors)
    prices: PriceFields = field(default_factory=PriceFields)
    format: str = "auto"  # prices: json | html | auto; status: statuspage | incidentio | auto

    @property
    def shown_url(self) -> str:
        """:attr:`url` without its credentials (``https://***@host/feed``), for output, the database and logs."""
        return redact_url(self.url)


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness and robustness limits of the crawler."""

    concurrency: int = 8
    per_host: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    pause_after_failures: int = 5
    backoff_base: timedelta = timedelta(minutes=5)
    max_pause: timedelta = timedelta(days=1)
    allow_private_hosts: tuple[str, ...] = ()
    respect_robots: bool = True


@dataclass(frozen=True)
class ClassifierSettings:
    """Which classifier tags articles, and where its model lives."""

    kind: str = "transformer"  # transformer | keyword
    model_path: str | None = None
    artifact_path: str | None = None
    min_confidence: float = 0.5
    backend: str = DEFAULT_BACKEND
    """What runs the transformer's encoder: ``onnx-int8`` | ``onnx`` | ``torch`` (docs/classifier.md "Backends")."""


@dataclass(frozen=True)
class RiskSettings:
    """Weights, half-lives and level thresholds of the risk model (see docs/risk.md)."""

    weights: Mapping[str, float]
    half_life_days: Mapping[str, float]
    thresholds: Mapping[str, float]
    hysteresis: float = 0.15
    story_window: timedelta = timedelta(days=3)
    story_similarity: float = 0.80
    title_similarity: float = 0.55
    story_min_cosine: float = 0.65
    body_mention_factor: float = 0.5
    corroboration_step: float = 0.25
    corroboration_max: float = 2.0


@dataclass(frozen=True)
class SlackRoute:
    """Send alerts of at least ``min_level`` about ``providers`` (empty: all) to the webhook in ``webhook_url_env``."""

    name: str
    webhook_url_env: str
    min_level: str = "watch"
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlackSettings:
    routes: tuple[SlackRoute, ...] = ()
    min_interval_seconds: float = 1.0


@dataclass(frozen=True)
class EmailSettings:
    smtp_host: str = "localhost"
    smtp_port: int = 587
    security: str = "starttls"  # starttls | tls | none
    username: str | None = None
    username_env: str | None = None  # read the user name from this environment variable instead
    password_env: str | None = None
    sender: str = "capwatch@localhost"
    to: tuple[str, ...] = ()
    subject_prefix: str = "[capwatch]"
    digest_max_bytes: int = 1_000_000
    """The digest e-mail's size limit (whole message as sent); beyond it the digest is summarised."""


@dataclass(frozen=True)
class NotifySettings:
    slack: SlackSettings | None = None
    email: EmailSettings | None = None
    max_attempts: int = 12
    retry_base_seconds: float = 30.0


@dataclass(frozen=True)
class Settings:
    user_agent_contact: str = "https://github.com/capwatch/capwatch"
    digest_time: time = time(8, 0)
    timezone: str = "UTC"
    classify_batch: int = 64
    watch: tuple[str, ...] | None = None
    """Organisation ids that get risk scores and alerts; None: the declared providers, or :data:`DEFAULT_WATCH`."""


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path
    settings: Settings
    crawl: CrawlSettings
    classifier: ClassifierSettings
    risk: RiskSettings
    notify: NotifySettings
    providers: dict[str, Provider]
    """The watched providers (risk scores, alerts, digests), in watch-list order."""
    sources: tuple[Source, ...]
    orgs: dict[str, Org] = field(default_factory=dict)
    """Every organisation recognised: the bundled catalogue merged with ``[providers.X]`` tables."""

    def source(self, name: str) -> Source:
        """The source called ``name``; ConfigError if there is none."""
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"{self.path.name}: no source named {name!r}")

    @cached_property
    def provider_aliases(self) -> dict[str, tuple[str, ...]]:
        """Watched provider id -> every name it is matched by (the shape classifiers expect)."""
        return {p.id: p.names for p in self.providers.values()}

    @cached_property
    def org_names(self) -> dict[str, tuple[str, ...]]:
        """Every recognised organisation's id -> the names it is matched by, watched providers first."""
        out = dict(self.provider_aliases)
        for org in self.orgs.values():
            if org.id not in out and org.names:
                out[org.id] = org.names
        return out


# --------------------------------------------------------------------------------------------- defaults
DEFAULT_WEIGHTS: dict[str, float] = {
    "funding_raise": -1.5,
    "funding_raise:out": 2.0,
    "debt_financing": 0.5,
    "debt_financing:out": 1.5,
    "losses_burn": 2.5,
    "revenue_growth": -1.0,
    "layoffs": 2.0,
    "leadership_change": 1.5,
    "compute_deal": 0.0,
    "api_pricing:up": 1.5,
    "api_pricing:down": 0.0,
    "api_pricing": 0.5,
    "deprecation": 1.0,
    "outage": 0.6,
    "m_and_a": 1.5,
    "legal_regulatory": 1.0,
}
DEFAULT_HALF_LIVES: dict[str, float] = {
    "funding_raise": 45,
    "debt_financing": 30,
    "losses_burn": 30,
    "revenue_growth": 45,
    "layoffs": 30,
    "leadership_change": 21,
    "compute_deal": 30,
    "api_pricing": 21,
    "deprecation": 21,
    "outage": 2,
    "m_and_a": 30,
    "legal_regulatory": 30,
}
DEFAULT_THRESHOLDS: dict[str, float] = {"watch": 2.5, "warning": 5.0, "critical": 8.0}


# --------------------------------------------------------------------------------------------- validation helpers
class _Reader:
    """Reads one TOML table, remembering which keys were used so that unknown keys can be reported."""

    def __init__(self, file: str, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise self.error(path, "a table", data)
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def error(self, path: str, expected: str, got: Any) -> ConfigError:
        return ConfigError(f"{self.file}: {path}: expected {expected}, got {_show(got)}")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, check: Callable[[Any], T], expected: str, default: T) -> T:
        """The value at ``name`` checked by ``check``, or ``default`` when the key is absent."""
        self.used.add(name)
        return self.require(name, check, expected) if name in self.data else default

    def require(self, name: str, check: Callable[[Any], T], expected: str) -> T:
        if name not in self.data:
            raise ConfigError(f"{self.file}: {self.key(name)}: required key is missing (expected {expected})")
        self.used.add(name)
        try:
            return check(self.data[name])
        except (TypeError, ValueError, OverflowError):  # OverflowError: "9999999999999d" is no duration
            raise self.error(self.key(name), expected, self.data[name]) from None

    def table(self, name: str) -> _Reader | None:
        self.used.add(name)
        if name not in self.data:
            return None
        return _Reader(self.file, self.key(name), self.data[name])

    def done(self) -> None:
        for k in self.data:
            if k not in self.used:
                raise ConfigError(f"{self.file}: {self.key(k)}: unknown key")


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], redact_urls(value))  # one line, visible
        return f'"{shown[:200]}..."' if len(shown) > 200 else f'"{shown}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return repr(value)


def _str(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise TypeError
    return v


def _opt_str(v: Any) -> str | None:
    return _str(v)


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise TypeError
    return v


def _int(lo: int, hi: int) -> Callable[[Any], int]:
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise TypeError
        return v

    return check


def _float(lo: float, hi: float) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= float(v) <= hi:
            raise TypeError
        return float(v)

    return check


def _choice(*options: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in options:
            raise ValueError
        return str(v)

    return check


def _str_list(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise TypeError
    return tuple(v)


def _duration(v: Any) -> timedelta:
    return parse_duration(v)


def _url(v: Any) -> str:
    """An absolute http(s) URL with a host, a valid port, and no spaces or control characters."""
    if not isinstance(v, str) or not re.match(r"^https?://[^\s/]+", v) or re.search(r"[\x00-\x20\x7f]", v):
        raise ValueError
    parts = urlsplit(v)  # ValueError for "http://[::1" and friends
    if not parts.hostname or (parts.port is not None and not 0 < parts.port < 65536):  # .port: ValueError if > 65535
        raise ValueError
    return v


def _clock(v: Any) -> time:
    if isinstance(v, time):
        return v
    if not isinstance(v, str) or not re.match(r"^\d{1,2}:\d{2}$", v):
        raise ValueError
    h, m = (int(x) for x in v.split(":"))
    return time(h, m)


def _tz(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError from None
    return v


def _env_name(v: Any) -> str:
    if not isinstance(v, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", v):
        raise ValueError
    return v


# --------------------------------------------------------------------------------------------- sections
def _settings(r: _Reader | None) -> Settings:
    if r is None:
        return Settings()
    d = Settings()
    s = Settings(
        user_agent_contact=r.get("user_agent_contact", _str, "a URL or e-mail address", d.user_agent_contact),
        digest_time=r.get("digest_time", _clock, 'a local time like "08:00"', d.digest_time),
        timezone=r.get("timezone", _tz, 'an IANA time zone like "Europe/Paris"', d.timezone),
        classify_batch=r.get("classify_batch", _int(1, 4096), "an integer from 1 to 4096", d.classify_batch),
        watch=r.get("watch", _str_list, "a list of organisation ids", None),
    )
    r.done()
    return s


def _crawl(r: _Reader | None) -> CrawlSettings:
    d = CrawlSettings()
    if r is None:
        return d
    c = CrawlSettings(
        concurrency=r.get("concurrency", _int(1, 256), "an integer from 1 to 256", d.concurrency),
        per_host=r.get("per_host", _int(1, 32), "an integer from 1 to 32", d.per_host),
        connect_timeout=r.get("connect_timeout", _float(0.1, 600), "seconds (0.1 to 600)", d.connect_timeout),
        read_timeout=r.get("read_timeout", _float(0.1, 600), "seconds (0.1 to 600)", d.read_timeout),
        total_timeout=r.get("total_timeout", _float(0.1, 3600), "seconds (0.1 to 3600)", d.total_timeout),
        max_body_bytes=r.get("max_body_bytes", _int(1024, 1 << 31), "a byte count of at least 1024", d.max_body_bytes),
        max_redirects=r.get("max_redirects", _int(0, 20), "an integer from 0 to 20", d.max_redirects),
        pause_after_failures=r.get("pause_after_failures", _int(1, 1000), "an integer from 1 to 1000", d.pause_after_failures),
        backoff_base=r.get("backoff_base", _duration, 'a duration like "5m"', d.backoff_base),
        max_pause=r.get("max_pause", _duration, 'a duration like "1d"', d.max_pause),
        allow_private_hosts=r.get("allow_private_hosts", _str_list, "a list of host names or IP addresses", d.allow_private_hosts),
        respect_robots=r.get("respect_robots", _bool, "true or false", d.respect_robots),
    )
    r.done()
    return c


def _classifier(r: _Reader | None) -> ClassifierSettings:
    d = ClassifierSettings()
    if r is None:
        return d
    c = ClassifierSettings(
        kind=r.get("kind", _choice("transformer", "keyword"), '"transformer" or "keyword"', d.kind),
        model_path=r.get("model_path", _opt_str, "a folder path", d.model_path),
        artifact_path=r.get("artifact_path", _opt_str, "a file path", d.artifact_path),
        min_confidence=r.get("min_confidence", _float(0.0, 1.0), "a number from 0 to 1", d.min_confidence),
        backend=r.get("backend", _choice(*BACKENDS), '"onnx-int8", "onnx" or "torch"', d.backend),
    )
    r.done()
    return c


def _number_table(r: _Reader, allowed: set[str] | None, lo: float, hi: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in list(r.data):
        if allowed is not None and k not in allowed:
            raise ConfigError(f"{r.file}: {r.key(k)}: unknown key")
        out[k] = r.get(k, _float(lo, hi), f"a number from {lo:g} to {hi:g}", 0.0)
    return out


def _risk(r: _Reader | None) -> RiskSettings:
    weights = dict(DEFAULT_WEIGHTS)
    half = dict(DEFAULT_HALF_LIVES)
    thresholds = dict(DEFAULT_THRESHOLDS)
    if r is None:
        return RiskSettings(weights=weights, half_life_days=half, thresholds=thresholds)
    weight_keys = set(TAG_NAMES) | {f"{t}:{d}" for t in TAG_NAMES for d in ("up", "down", "in", "out")}
    if (w := r.table("weights")) is not None:
        weights.update(_number_table(w, weight_keys, -100, 100))
    if (h := r.table("half_life_days")) is not None:
        half.update(_number_table(h, set(TAG_NAMES), 0.01, 3650))
    if (t := r.table("thresholds")) is not None:
        thresholds.update(_number_table(t, {"watch", "warning", "critical"}, 0.0, 1e6))
        if not thresholds["watch"] < thresholds["warning"] < thresholds["critical"]:
            raise ConfigError(f"{r.file}: {t.path}: expected watch < warning < critical, got {thresholds}")
    d = RiskSettings(weights={}, half_life_days={}, thresholds={})
    s = RiskSettings(
        weights=weights,
        half_life_days=half,
        thresholds=thresholds,
        hysteresis=r.get("hysteresis", _float(0.0, 0.9), "a fraction from 0 to 0.9", d.hysteresis),
        story_window=r.get("story_window", _duration, 'a duration like "3d"', d.story_window),
        story_similarity=r.get("story_similarity", _float(0.0, 1.0), "a number from 0 to 1", d.story_similarity),
        title_similarity=r.get("title_similarity", _float(0.0, 1.0), "a number from 0 to 1", d.title_similarity),
        story_min_cosine=r.get("story_min_cosine", _float(0.0, 1.0), "a number from 0 to 1", d.story_min_cosine),
        body_mention_factor=r.get("body_mention_factor", _float(0.0, 1.0), "a number from 0 to 1", d.body_mention_factor),
        corroboration_step=r.get("corroboration_step", _float(0.0, 10.0), "a number from 0 to 10", d.corroboration_step),
        corroboration_max=r.get("corroboration_max", _float(1.0, 100.0), "a number from 1 to 100", d.corroboration_max),
    )
    r.done()
    return s


def _providers(r: _Reader | None) -> dict[str, Provider]:
    out: dict[str, Provider] = {}
    if r is None:
        return out
    for pid in r.data:
        if not _ID.match(pid):
            raise ConfigError(f"{r.file}: {r.key(pid)}: expected a lower-case id like \"xai\", got \"{pid}\"")
        p = r.table(pid)
        assert p is not None
        name = p.require("name", _str, "a display name")
        aliases: tuple[str, ...] = p.get("aliases", _str_list, "a list of names", ())
        kind_given = "kind" in p.data
        kind = p.get("kind", _choice(*ORG_KINDS), "one of " + ", ".join(f'"{k}"' for k in ORG_KINDS), "lab")
        p.done()
        out[pid] = Provider(id=pid, name=name, aliases=aliases, kind=kind, kind_given=kind_given)
    return out


def _selectors(r: _Reader | None) -> Selectors:
    if r is None:
        return Selectors()
    names = ("link", "title", "date", "row", "model", "input_price", "output_price")
    s = Selectors(**{n: r.get(n, _opt_str, "a CSS selector", None) for n in names})
    r.done()
    return s


def _price_fields(r: _Reader | None) -> PriceFields:
    d = PriceFields()
    if r is None:
        return d
    p = PriceFields(
        models=r.get("models", _str, 'a dotted path like "data" or "*"', d.models),
        model_id=r.get("model_id", _str, 'a field name or "@key"', d.model_id),
        provider=r.get("provider", _opt_str, "a field name", d.provider),
        input_price=r.get("input_price", _str, "a dotted field path", d.input_price),
        output_price=r.get("output_price", _str, "a dotted field path", d.output_price),
        unit=r.get("unit", _choice("per_token", "per_1k", "per_1m"), '"per_token", "per_1k" or "per_1m"', d.unit),
    )
    r.done()
    return p


def _sources(file: str, raw: Any, providers: Mapping[str, Any]) -> tuple[Source, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{file}: sources: expected an array of tables ([[sources]]), got {_show(raw)}")
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(raw):
        r = _Reader(file, f"sources[{i}]", item)
        name = r.require("name", _str, "a source name")
        if not _ID.match(name):
            raise ConfigError(f'{file}: sources[{i}].name: expected a lower-case name like "techcrunch-ai", got "{name}"')
        if name in seen:
            raise ConfigError(f'{file}: sources[{i}].name: duplicate source name "{name}" (first used by sources[{seen[name]}])')
        seen[name] = i
        url = r.require("url", _url, "an http(s) URL")
        kind = r.get("kind", _choice(*SOURCE_KINDS), " | ".join(f'"{k}"' for k in SOURCE_KINDS), "feed")
        interval = r.get("interval", _duration, 'a duration like "30m"', timedelta(minutes=30))
        if interval < timedelta(minutes=1):
            raise ConfigError(f'{file}: sources[{i}].interval: expected at least "1m", got "{item["interval"]}"')
        plist: tuple[str, ...] = r.get("providers", _str_list, "a list of provider ids", ())
        for j, pid in enumerate(plist):
            if pid not in providers:
                raise ConfigError(f'{file}: sources[{i}].providers[{j}]: expected a known organisation id, got "{pid}"')
        src = Source(
            name=name,
            url=url,
            kind=kind,
            interval=interval,
            providers=plist,
            enabled=r.get("enabled", _bool, "true or false", True),
            fetch_full_text=r.get("fetch_full_text", _bool, "true or false", False),
            own=r.get("own", _bool, "true or false", False),
            selectors=_selectors(r.table("selectors")),
            prices=_price_fields(r.table("prices")),
            format=r.get("format", _choice("auto", "json", "html", "statuspage", "incidentio"), "a format name", "auto"),
        )
        if src.own and not plist:
            raise ConfigError(f"{file}: sources[{i}].own: needs the source's providers (providers = [\"id\"])")
        if kind == "html" and not src.selectors.link:
            raise ConfigError(f"{file}: sources[{i}].selectors.link: required for kind \"html\" (a CSS selector)")
        r.done()
        out.append(src)
    return tuple(out)


def _notify(r: _Reader | None, providers: Mapping[str, Any]) -> NotifySettings:
    d = NotifySettings()
    if r is None:
        return d
    slack = None
    if (s := r.table("slack")) is not None:
        routes: list[SlackRoute] = []
        default_env = s.get("webhook_url_env", _env_name, "an environment variable name", None)
        if default_env:
            routes.append(SlackRoute(name="default", webhook_url_env=default_env,
                                     min_level=s.get("min_level", _choice(*LEVELS[1:]), '"watch", "warning" or "critical"', "watch")))
        s.used.add("routes")
        raw_routes = s.data.get("routes", [])
        if not isinstance(raw_routes, list):
            raise s.error(s.key("routes"), "an array of tables ([[notify.slack.routes]])", raw_routes)
        for i, item in enumerate(raw_routes):
            rr = _Reader(s.file, f"{s.path}.routes[{i}]", item)
            route = SlackRoute(
                name=rr.get("name", _str, "a route name", f"route{i}"),
                webhook_url_env=rr.require("webhook_url_env", _env_name, "an environment variable name"),
                min_level=rr.get("min_level", _choice(*LEVELS[1:]), '"watch", "warning" or "critical"', "watch"),
                providers=rr.get("providers", _str_list, "a list of provider ids", ()),
            )
            for j, pid in enumerate(route.providers):
                if pid not in providers:
                    raise ConfigError(f'{s.file}: {rr.path}.providers[{j}]: expected a known organisation id, got "{pid}"')
            rr.done()
            routes.append(route)
        slack = SlackSettings(
            routes=tuple(routes),
            min_interval_seconds=s.get("min_interval_seconds", _float(0.0, 60.0), "seconds (0 to 60)", 1.0),
        )
        s.done()
    email = None
    if (e := r.table("email")) is not None:
        de = EmailSettings()
        email = EmailSettings(
            smtp_host=e.get("smtp_host", _str, "a host name", de.smtp_host),
            smtp_port=e.get("smtp_port", _int(1, 65535), "a port number", de.smtp_port),
            security=e.get("security", _choice("starttls", "tls", "none"), '"starttls", "tls" or "none"', de.security),
            username=e.get("username", _opt_str, "a user name", None),
            username_env=e.get("username_env", _env_name, "an environment variable name", None),
            password_env=e.get("password_env", _env_name, "an environment variable name", None),
            sender=e.get("from", _str, "an e-mail address", de.sender),
            to=e.get("to", _str_list, "a list of e-mail addresses", ()),
            subject_prefix=e.get("subject_prefix", _str, "a string", de.subject_prefix),
            digest_max_bytes=e.get("digest_max_bytes", _int(20_000, 1_000_000_000),
                                   "a byte count from 20000 to 1000000000", de.digest_max_bytes),
        )
        e.done()
    n = NotifySettings(
        slack=slack,
        email=email,
        max_attempts=r.get("max_attempts", _int(1, 1000), "an integer from 1 to 1000", d.max_attempts),
        retry_base_seconds=r.get("retry_base_seconds", _float(0.0, 86400), "seconds", d.retry_base_seconds),
    )
    r.done()
    return n


# --------------------------------------------------------------------------------------------- entry points
def parse_config(text: str, path: Path | str = "sources.toml") -> Config:
    """Parse and validate configuration text; ``path`` is used in messages and to resolve relative paths."""
    path = Path(path)
    file = path.name
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))  # a byte-order mark (Windows editors) is not an error
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: invalid TOML: arrays or inline tables nested too deeply") from None
    root = _Reader(file, "", raw)
    settings = _settings(root.table("settings"))
    crawl = _crawl(root.table("crawl"))
    classifier = _classifier(root.table("classifier"))
    risk = _risk(root.table("risk"))
    declared = _providers(root.table("providers"))
    orgs = _orgs(declared)
    providers = _watched(file, settings.watch, declared, orgs)
    root.used.add("sources")
    sources = _sources(file, raw.get("sources"), orgs)
    notify = _notify(root.table("notify"), orgs)
    root.done()
    return Config(
        path=path,
        settings=settings,
        crawl=crawl,
        classifier=classifier,
        risk=risk,
        notify=notify,
        providers=providers,
        sources=sources,
        orgs=orgs,
    )


def _orgs(declared: Mapping[str, Provider]) -> dict[str, Org]:
    """The bundled catalogue with each ``[providers.X]`` table applied (new ids are added at the end)."""
    orgs = dict(load_catalogue())
    for pid, p in declared.items():
        orgs[pid] = merge_org(orgs.get(pid), pid, p.name, p.aliases, p.kind if p.kind_given else None)
    return orgs


def _watched(file: str, watch: tuple[str, ...] | None, declared: Mapping[str, Provider],
             orgs: Mapping[str, Org]) -> dict[str, Provider]:
    """The watched providers: ``watch`` if set, else the declared providers, else :data:`DEFAULT_WATCH`."""
    ids = watch if watch is not None else (tuple(declared) or DEFAULT_WATCH)
    out: dict[str, Provider] = {}
    for j, pid in enumerate(ids):
        if pid not in orgs:
            hint = _did_you_mean(pid, orgs)
            raise ConfigError(f'{file}: settings.watch[{j}]: unknown organisation "{pid}"{hint}')
        out[pid] = Provider.from_org(orgs[pid])
    return out


def _did_you_mean(value: str, choices: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def load_config(path: Path | str) -> Config:
    """Read and validate the configuration file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found (use --config PATH or CAPWATCH_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{path}: line {line}, column {column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    return parse_config(text, path)
