"""Templates: sandboxed, escaped for Telegram, refused when loaded if the seed post is invalid."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.sandbox import SecurityError

from distributor.config import Settings
from distributor.errors import ConfigError
from distributor.formatting import FormatOptions, Unformattable, render
from distributor.formatting.render import (
    DEFAULTS,
    check_template,
    load_template,
    shipped_templates,
)
from distributor.formatting.templates import compile_template, sample_article
from distributor.models import Article, Destination
from tests.support.seed import seed_article_dict

TELEGRAM = Destination(id="tg", platform="telegram", target="@c", template="short.html.j2")
X = Destination(id="xx", platform="x", target="acc", template="short.txt.j2")


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.write_text(source, encoding="utf-8")
    return path


def test_sample_article_is_the_seed() -> None:
    assert sample_article() == Article.model_validate(seed_article_dict())


def test_shipped_defaults_load() -> None:
    assert set(shipped_templates()) == set(DEFAULTS.values())
    assert shipped_templates()["telegram.html.j2"].platform == "telegram"
    assert shipped_templates()["x.txt.j2"].platform == "x"


@pytest.mark.parametrize(
    ("name", "source", "reason"),
    [
        ("bad.html.j2", "<b>{{ title }}", 'end tag corresponding to start tag "b"'),
        ("bad.html.j2", "<div>{{ title }}</div>", 'Unsupported start tag "div"'),
        ("bad.html.j2", "{{ title }} & {{ excerpt }}" * 5 + "x" * 1100, "over the limit"),
        ("bad.html.j2", "{{ title|safe }}", "No filter named 'safe'"),
        ("bad.html.j2", "{% autoescape false %}{{ title }}{% endautoescape %}", "autoescape"),
        ("bad.html.j2", "{{ title }", "bad.html.j2:1"),
        ("bad.html.j2", "{{ headline }}", "'headline' is undefined"),
        ("bad.html.j2", "{{ title.__class__.__mro__ }}", "unsafe"),
        ("bad.txt.j2", "{{ title }}", "article URL"),
        ("bad.txt.j2", "{{ url }} " + "x" * 260, "over the limit"),
        ("bad.txt.j2", "{{ url }}\ufeff", "X refuses a character"),
        ("bad.txt.j2", "{{ url }} {{ title + 1 }}", "can only concatenate str"),
        ("bad.html.j2", "{{ title }}\x0b", "which Telegram drops or changes"),
        ("bad.html.j2", "{{ title }}&#x202e;", "which Telegram drops or changes"),
        ("bad.j2", "{{ title }}", ".html.j2 (Telegram) or .txt.j2 (X)"),
    ],
)
def test_invalid_templates_are_refused_with_the_reason(
    tmp_path: Path, name: str, source: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_template(write(tmp_path, name, source))
    assert name in str(refused.value)
    assert reason in str(refused.value)


def test_sandbox_blocks_unsafe_attributes() -> None:
    template = compile_template("t.txt.j2", "{{ url.__class__.__subclasses__() }}")
    with pytest.raises(Unformattable) as refused:
        template.render(url="https://a.id/")
    assert isinstance(refused.value.__cause__, SecurityError)


def test_telegram_templates_escape_every_field() -> None:
    template = compile_template("t.html.j2", '<a href="{{ url }}">{{ title }}</a> {{ author }}')
    check_template(template)
    out = template.render(title="<b>&", url='https://a.id/?a=1&b="2"', author="A <i>")
    assert out == '<a href="https://a.id/?a=1&amp;b=&#34;2&#34;">&lt;b&gt;&amp;</a> A &lt;i&gt;'


def test_options_load_templates_beside_the_routing_file(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    write(tmp_path / "templates", "short.html.j2", "<i>{{ category }}</i>: <b>{{ title }}</b>")
    write(tmp_path / "templates", "short.txt.j2", "{{ title }} — {{ author }} {{ url }}")
    write(tmp_path / "templates", "notes.md", "not a template")
    settings = Settings(routing_file=tmp_path / "routing.toml", utm_campaign="c", _env_file=None)
    options = FormatOptions.from_settings(settings)
    assert sorted(options.templates) == [
        "short.html.j2", "short.txt.j2", "telegram.html.j2", "x.txt.j2"
    ]  # fmt: skip
    seed = sample_article()
    assert render(seed, TELEGRAM, options).text == (
        "<i>Politik</i>: <b>Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi</b>"
    )
    assert render(seed, X, options).text == (
        "Gubernur Al Haris Pimpin Rakor Politik Se-Provinsi Jambi — Redaksi "
        f"{seed.url}?utm_source=x&utm_medium=social&utm_campaign={options.utm_campaign}"
    )


def test_options_refuse_a_directory_with_a_bad_template(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    write(tmp_path / "templates", "broken.html.j2", "<b>{{ title }}</i>")
    settings = Settings(routing_file=tmp_path / "routing.toml", _env_file=None)
    with pytest.raises(ConfigError, match=r"broken\.html\.j2.*Unmatched end tag"):
        FormatOptions.from_settings(settings)


def test_destination_template_must_exist_and_match_the_platform() -> None:
    options = FormatOptions()
    with pytest.raises(ConfigError, match=r"no template named 'short\.html\.j2'"):
        render(sample_article(), TELEGRAM, options)
    wrong = Destination(id="tg", platform="telegram", target="@c", template="x.txt.j2")
    with pytest.raises(ConfigError, match=r"x\.txt\.j2 is for x"):
        render(sample_article(), wrong, options)
