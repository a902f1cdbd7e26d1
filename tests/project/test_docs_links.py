"""Every relative link in README.md and docs/*.md points at a file that exists, and every
#anchor at a heading of the page it names: the docs are read on GitHub, where a moved file or
a renamed heading leaves a dead link nobody notices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE = re.compile(r"`[^`\n]*`")


def links(text: str) -> list[str]:
    """The targets of the Markdown links and images outside code."""
    return LINK.findall(CODE.sub("", FENCE.sub("", text)))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of the page's headings."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def dead_links(page: Path) -> list[str]:
    """The page's relative links whose file, or whose heading, does not exist."""
    dead = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not ours to check offline
            continue
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            dead.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            dead.append(f"{target}: no heading #{fragment} in {linked.name}")
    return dead


def test_the_anchor_of_a_heading_is_githubs():
    assert anchor("Garments in 30 CPU minutes: the flow and the DDPM") == (
        "garments-in-30-cpu-minutes-the-flow-and-the-ddpm"
    )
    assert anchor("VAE (`vae`)") == "vae-vae"


def test_links_in_code_are_not_links():
    text = "see [a](a.md), `[--within [RUN:]I,J](x)`\n```\n[b](b.md)\n```\n![c](c.png)"
    assert links(text) == ["a.md", "c.png"]


def test_a_dead_link_is_found(tmp_path):
    (tmp_path / "there.md").write_text("# A heading\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md#a-heading) [gone](missing.md) [bad](there.md#nope)\n")
    assert dead_links(page) == [
        "missing.md: no such file",
        "there.md#nope: no heading #nope in there.md",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_something_that_exists(page):
    assert dead_links(page) == []


@pytest.mark.parametrize(
    "picture", sorted((ROOT / "docs" / "screenshots").glob("*.png")), ids=lambda p: p.name
)
def test_the_screenshots_stay_small(picture):
    # The repository carries every version of every screenshot: a remade one must not grow it
    # by megabytes (tools/screenshots.py keeps them small through the window's size).
    assert picture.stat().st_size < 300_000
