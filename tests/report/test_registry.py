"""The format registry: every format renders, output names imply formats, --format pairs with -o."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit.cli.output import pair_outputs as _pair_outputs
from mcaudit.errors import InputError
from mcaudit.report import EXTENSIONS, FORMATS, format_for_path


def test_every_format_of_the_spec_is_registered() -> None:
    assert set(FORMATS) == {"console", "markdown", "html", "json", "sarif", "junit"}
    assert set(EXTENSIONS.values()) <= set(FORMATS)


@pytest.mark.parametrize(("name", "fmt"), [
    ("report.html", "html"), ("REPORT.HTM", "html"), ("summary.md", "markdown"), ("notes.markdown", "markdown"),
    ("results.sarif", "sarif"), ("results.sarif.json", "sarif"), ("report.json", "json"),
    ("junit.xml", "junit"), ("audit.txt", "console"), ("out/x.y.html", "html"),
    ("step_summary", None), (".html", None), ("report.pdf", None),
])
def test_format_for_path(name: str, fmt: str | None) -> None:
    assert format_for_path(Path(name)) == fmt


def test_pairs_in_order_and_infers_the_rest() -> None:
    pairs = _pair_outputs(["markdown"], [Path("summary"), Path("r.html"), Path("r.sarif.json")])
    assert pairs == [("markdown", Path("summary")), ("html", Path("r.html")), ("sarif", Path("r.sarif.json"))]


def test_an_output_whose_extension_names_a_given_format_takes_it() -> None:
    pairs = _pair_outputs(["sarif", "html"], [Path("r.html"), Path("r.sarif")])
    assert pairs == [("html", Path("r.html")), ("sarif", Path("r.sarif"))]


def test_a_format_without_output_goes_to_stdout() -> None:
    assert _pair_outputs(["junit", "markdown"], [Path("r.xml")]) == [("junit", Path("r.xml")), ("markdown", None)]
    assert _pair_outputs([], []) == [("console", None)]


def test_explicit_format_wins_over_an_unrelated_extension() -> None:
    assert _pair_outputs(["sarif"], [Path("results.json")]) == [("sarif", Path("results.json"))]


@pytest.mark.parametrize(("formats", "outputs", "message"), [
    (["pdf"], [], "unknown format 'pdf'"),
    ([], [Path("report.pdf")], "cannot tell the format"),
    (["html", "sarif"], [], "only one --format can go to standard output"),
])
def test_pairing_errors(formats: list[str], outputs: list[Path], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _pair_outputs(formats, outputs)
