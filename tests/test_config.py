"""Configuration loading: typed objects, defaults, and one clear line for every kind of mistake."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINIMAL_CONFIG

from monitor.cli import cli
from monitor.config import DEFAULT_WATCH, load_config, parse_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_default_sources_toml_loads() -> None:
    config = load_config(ROOT / "sources.toml")
    assert config.providers["xai"].name == "xAI"
    assert "Grok" in config.providers["xai"].aliases
    assert len(config.sources) >= 25
    assert {s.kind for s in config.sources} >= {"feed", "status", "prices"}
    assert config.notify.slack is not None and config.notify.slack.routes[0].webhook_url_env == "CAPWATCH_SLACK_WEBHOOK"
    assert config.notify.email is not None and config.notify.email.password_env == "CAPWATCH_SMTP_PASSWORD"


def test_minimal_config_gets_documented_defaults(write_config) -> None:
    config = load_config(write_config('[[sources]]\nname = "a"\nurl = "https://example.org/feed"\n'))
    src = config.sources[0]
    assert src.kind == "feed" and src.interval == timedelta(minutes=30) and src.enabled
    assert config.settings.digest_time == time(8, 0)
    assert config.crawl.per_host == 2 and config.crawl.max_body_bytes == 10 * 1024 * 1024
    assert config.risk.thresholds["watch"] < config.risk.thresholds["warning"] < config.risk.thresholds["critical"]
    assert config.provider_aliases["helix"] == ("Helix AI", "Helix", "Helix Labs")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\ninterval = "often"\n',
         'sources.toml: sources[0].interval: expected a duration like "30m", got "often"'),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\n[[sources]]\nname = "b"\nurl = "https://e.org/g"\n'
         '[[sources]]\nname = "c"\nurl = "https://e.org/h"\n[[sources]]\nname = "d"\nurl = "https://e.org/i"\n'
         'interval = "often"\n',
         'sources.toml: sources[3].interval: expected a duration like "30m", got "often"'),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\ncolour = "red"\n', "sources.toml: sources[0].colour: unknown key"),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\n[[sources]]\nname = "a"\nurl = "https://e.org/g"\n',
         'sources.toml: sources[1].name: duplicate source name "a" (first used by sources[0])'),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\nenabled = "yes"\n',
         'sources.toml: sources[0].enabled: expected true or false, got "yes"'),
        ('[[sources]]\nname = "a"\nurl = "ftp://e.org/f"\n', 'sources.toml: sources[0].url: expected an http(s) URL, got "ftp://e.org/f"'),
        ('[[sources]]\nname = "a"\n', "sources.toml: sources[0].url: required key is missing (expected an http(s) URL)"),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\nkind = "podcast"\n',
         'sources.toml: sources[0].kind: expected "feed" | "html" | "status" | "prices", got "podcast"'),
        ('[[sources]]\nname = "a"\nurl = "https://e.org/f"\nproviders = ["nobody"]\n',
         'sources.toml: sources[0].providers[0]: expected a known organisation id, got "nobody"'),
        ("[notify]\nmax_attempts = 0\n", "sources.toml: notify.max_attempts: expected an integer from 1 to 1000, got 0"),
        ('[risk.weights]\nfunding = 1\n', "sources.toml: risk.weights.funding: unknown key"),
        ('[settings.extra]\n', "sources.toml: settings.extra: unknown key"),
        ('[notify.email]\npassword = "hunter2"\n', "sources.toml: notify.email.password: unknown key"),
        ("[bogus]\n", "sources.toml: bogus: unknown key"),
    ],
)
def test_errors_name_the_place(write_config, extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(extra))
    assert str(info.value) == message


def test_bad_toml_is_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("[settings\nx = 1", "sources.toml")
    text = str(info.value)
    assert text.startswith("sources.toml: invalid TOML:") and "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "text",
    [
        "[settings\n",  # bad TOML
        '[settings]\ndigest_time = 8\n',  # wrong type
        '[settings]\nunknown = 1\n',  # unknown key
        '[[sources]]\nname = "a"\nurl = "https://e.org/f"\n[[sources]]\nname = "a"\nurl = "https://e.org/f"\n',
    ],
)
def test_cli_reports_config_errors_with_exit_code_2(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "--db", str(tmp_path / "x.db"), "init"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: sources.toml: ")
    assert "Traceback" not in result.output


def test_config_env_var_selects_file(tmp_path: Path, write_config, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config('[[sources]]\nname = "only"\nurl = "https://e.org/f"\n')
    monkeypatch.setenv("CAPWATCH_CONFIG", str(path))
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert "1 sources" in result.output


def test_watch_list_defaults_and_catalogue(write_config) -> None:
    config = load_config(write_config())
    assert list(config.providers) == ["helix", "northwind"]  # declared providers are watched by default
    assert "openai" in config.orgs and "helix" in config.orgs  # the catalogue is recognised either way
    assert config.org_names["helix"][:2] == ("Helix AI", "Helix")
    bare = load_config(write_config(base='[settings]\nuser_agent_contact = "https://example.org"\n'))
    assert list(bare.providers) == list(DEFAULT_WATCH)
    chosen = load_config(write_config(base=MINIMAL_CONFIG.replace("[settings]\n", '[settings]\nwatch = ["deepseek", "helix"]\n')))
    assert list(chosen.providers) == ["deepseek", "helix"]
    assert "DeepSeek" in chosen.providers["deepseek"].names


def test_provider_table_extends_a_catalogue_entry(write_config) -> None:
    config = load_config(write_config('[providers.openai]\nname = "OpenAI"\naliases = ["Stargate LLC"]\n'))
    names = config.orgs["openai"].names
    assert "Stargate LLC" in names and "ChatGPT" in names  # the user's aliases add to the catalogue's
    assert config.orgs["openai"].kind == "lab"


def test_unknown_watch_id_suggests(write_config) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(base=MINIMAL_CONFIG.replace('[settings]\n', '[settings]\nwatch = ["antropic"]\n')))
    assert str(info.value).startswith('sources.toml: settings.watch[0]: unknown organisation "antropic" (did you mean \'anthropic\'')


def test_own_channel_needs_providers(write_config) -> None:
    with pytest.raises(ConfigError, match="own: needs the source's providers"):
        load_config(write_config('[[sources]]\nname = "a"\nurl = "https://e.org/f"\nown = true\n'))
