"""Bad configuration fails at start with the file, the key, the line and the reason."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from config import ConfigError, load_settings, load_sources
from config.settings import CONFIG_DIR

GOOD_SOURCE = """\
sources:
  us_fr_documents:
    market: US
    authority: Federal Register
    kind: api
    url: https://www.federalregister.gov/api/v1/
    interval_minutes: 60
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_bundled_sources_file_is_valid() -> None:
    sources = load_sources(CONFIG_DIR / "sources.yaml")
    assert "us_fr_documents" in sources
    assert sources["us_fr_documents"].market == "US"


def test_wrong_key_names_file_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE.replace("interval_minutes", "intervall_minutes"))
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == "sources.us_fr_documents.intervall_minutes"
    assert error.line == 7
    assert "Extra inputs are not permitted" in error.reason


def test_bad_url_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE.replace("https://www.federalregister.gov/api/v1/",
                                               "not a url"))
    with pytest.raises(ConfigError, match=r"sources.yaml:6: sources.us_fr_documents.url"):
        load_sources(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE + "  broken: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert caught.value.key == "(syntax)" and caught.value.line is not None


def test_unknown_environment_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_SMTP_HOTS", "mail.example.com")
    with pytest.raises(ConfigError, match="TREWS_SMTP_HOTS: unknown setting"):
        load_settings()


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREWS_SMTP_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="TREWS_SMTP_PORT"):
        load_settings()


def test_cli_reports_a_bad_config_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE.replace("kind: api", "kind: rss"))
    result = CliRunner().invoke(main, ["sources"], env={
        "TREWS_SOURCES_FILE": str(path), "TREWS_DATA_DIR": str(tmp_path / "var")})
    assert result.exit_code == 2
    assert f"{path}:5: sources.us_fr_documents.kind" in result.output


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE + "    interval_minutes: 5\n")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert caught.value.key == "sources.us_fr_documents.interval_minutes"
    assert caught.value.line == 8 and "first at line 7" in caught.value.reason


def test_an_interval_beyond_a_year_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_SOURCE.replace("interval_minutes: 60",
                                               "interval_minutes: 99999999999999999999"))
    with pytest.raises(ConfigError, match="interval_minutes"):
        load_sources(path)


@pytest.mark.parametrize(("variable", "value"), [
    ("TREWS_PUBLIC_URL", "javascript:alert(1)"),
    ("TREWS_PUBLIC_URL", "https://"),
    ("TREWS_SECRET_KEY", "x"),
])
def test_settings_that_would_make_unsafe_links_are_refused(
        monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()
