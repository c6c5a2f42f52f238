"""The path planner: hostile names from servers and users never leave the chosen folder."""

from __future__ import annotations

import itertools
import os
import re
import sys
from pathlib import Path

import pytest

from kemopix._protocol import UnsafePathError
from kemopix.files import (
    PathBudget,
    Resolved,
    SafeFolder,
    is_reserved_name,
    safe_join,
    sanitize_component,
)
from kemopix.files.paths import _PLAIN, _TEMPORARY_ENDS

HOSTILE = [
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\evil.png",
    "..",
    ".",
    "",
    "   ",
    "CON",
    "nul.txt",
    "com1.png",
    "LPT9",
    "name\x00with\x01controls",
    "trailing dots...",
    "a" * 400 + ".png",
    "ü" * 300 + ".jpeg",
    "..\\..\\x",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_inside(tmp_path: Path, name: str) -> None:
    path = safe_join(tmp_path, name, name)
    assert path.is_relative_to(tmp_path)
    for part in path.relative_to(tmp_path).parts:
        assert part not in ("", ".", "..")
        assert "/" not in part and "\\" not in part and "\x00" not in part
        assert not is_reserved_name(part)
        assert len(part.encode()) <= 255 - len(".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    Path(str(path) + ".part").write_bytes(b"ok")  # the OS accepts the planned name


def test_extension_survives_truncation() -> None:
    assert sanitize_component("x" * 300 + ".png").endswith(".png")
    assert len(sanitize_component("é" * 300 + ".png", reserve=5).encode()) <= 250


def test_reserved_names() -> None:
    assert is_reserved_name("CON") and is_reserved_name("aux.tar.gz") and is_reserved_name("Com1")
    assert not is_reserved_name("console.png") and not is_reserved_name("CONTACT")


def test_windows_path_budget_includes_part(tmp_path: Path) -> None:
    budget = PathBudget()
    path = safe_join(tmp_path, "t" * 200, "n" * 200 + ".jpg", budget=budget)
    relative = str(path.relative_to(tmp_path))
    assert budget.root_allowance + 1 + len(relative) + len(".part") <= budget.path_chars
    assert path.name.endswith(".jpg")
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, *["dir"] * 60, "file.jpg", budget=PathBudget(min_component_chars=3))


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(UnsafePathError):
        safe_join(root, "link", "file.png")


def test_no_components() -> None:
    with pytest.raises(UnsafePathError):
        safe_join(Path("."))


def test_paths_checked_together_refuse_planted_links(tmp_path: Path) -> None:
    # One resolution shared by a post's paths (safe_join(resolved=...)) still catches a link
    # planted as the folder or as the file name itself, and changes no path.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "post").mkdir(parents=True)
    os.symlink(outside, root / "link")
    os.symlink(outside / "x.json", root / "post" / "1.json")
    resolved = Resolved()
    plain = safe_join(root, "post", "a.png")
    assert safe_join(root, "post", "a.png", resolved=resolved) == plain
    with pytest.raises(UnsafePathError):
        safe_join(root, "post", "1.json", part=False, resolved=resolved)
    with pytest.raises(UnsafePathError):
        safe_join(root, "link", "b.png", resolved=resolved)
    assert safe_join(root, "post", "b.png", resolved=resolved) == root / "post" / "b.png"


@pytest.mark.parametrize("part", [True, False])
def test_a_safe_folder_gives_the_paths_safe_join_gives(tmp_path: Path, part: bool) -> None:
    titles = ["Short", "Long " * 60, "a/../" * 5, "..", "CON", "x" * 300, "é" * 200, ""]
    names = ["a.png", "n" * 250 + ".png", "../../etc/passwd", "CON.txt", "b.png.part",
             "🙂" * 80 + ".jpeg", "1.json", "4" * 40 + ".revisions.json", " . "]  # fmt: skip
    budgets = [PathBudget(), PathBudget(path_chars=120), PathBudget(component_bytes=100)]
    for budget in budgets:
        for title in titles:
            folder = ["creator", f"2024-01-02 {title} [1]"]
            where = SafeFolder(tmp_path, folder, budget=budget)
            for name in names:
                expected = str(safe_join(tmp_path, *folder, name, budget=budget, part=part))
                assert where.path(name, part=part) == expected
            # Several at once, first or after a path, give the same paths.
            for before in ([], names[:1]):
                several = SafeFolder(tmp_path, folder, budget=budget)
                for name in before:
                    several.path(name, part=part)
                expected_all = [
                    str(safe_join(tmp_path, *folder, name, budget=budget, part=part))
                    for name in names
                ]
                assert several.paths(names, part=part) == expected_all


def test_several_paths_at_once_in_a_folder_that_exists_look_for_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "post").mkdir(parents=True)
    (root / "new").mkdir()
    os.symlink(outside / "x.md", root / "post" / "1.md")
    names = ["1.json", "1.html", "1.md", "1.txt"]
    with pytest.raises(UnsafePathError):
        SafeFolder(root, ["post"], resolved=Resolved()).paths(names, part=False)
    where = SafeFolder(root, ["post"], resolved=Resolved())
    assert where.paths(names[:2], part=False) == [str(root / "post" / n) for n in names[:2]]
    with pytest.raises(UnsafePathError):
        where.paths(names[2:], part=False)  # the folder was checked: its names still are
    missing = SafeFolder(root, ["missing"], resolved=Resolved())
    assert missing.paths(names, part=False) == [str(root / "missing" / n) for n in names]
    assert SafeFolder(root, ["new"]).paths([]) == []


def test_a_relative_root_follows_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for here in ("one", "two"):
        (tmp_path / here).mkdir()
        monkeypatch.chdir(tmp_path / here)
        expected = str(tmp_path / here / "out" / "post" / "a.png")
        assert str(safe_join(Path("out"), "post", "a.png")) == expected
        assert SafeFolder(Path("out"), ["post"]).path("a.png") == expected
        assert SafeFolder(tmp_path, []).path("a.png") == str(tmp_path / "a.png")


def test_a_safe_folder_refuses_a_planted_link_and_a_folder_leading_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "post").mkdir(parents=True)
    os.symlink(outside / "x.md", root / "post" / "1.md")
    os.symlink(outside, root / "away")
    where = SafeFolder(root, ["post"], resolved=Resolved())
    assert where.path("1.json") == str(root / "post" / "1.json")
    with pytest.raises(UnsafePathError):
        where.path("1.md")  # a link in a folder already checked
    with pytest.raises(UnsafePathError):
        SafeFolder(root, ["away"]).path("a.png")
    assert not (outside / "a.png").exists()


def test_a_listed_folder_still_sees_what_was_planted_before(tmp_path: Path) -> None:
    # The first missing post folder lists its parent; a link planted there before is found,
    # and a folder said to be made counts as existing.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "creator").mkdir(parents=True)
    os.symlink(outside, root / "creator" / "Post B")
    run = Resolved()
    first = run.moment()
    assert safe_join(root, "creator", "Post A", "1.png", resolved=first)
    assert not first.exists(str(root / "creator" / "Post A"))
    first.made(str(root / "creator" / "Post A"))
    with pytest.raises(UnsafePathError):
        safe_join(root, "creator", "Post B", "1.png", resolved=run.moment())
    assert run.moment().exists(str(root / "creator" / "Post A"))


def test_absent_is_only_what_a_moment_found_missing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "creator" / "Old").mkdir(parents=True)
    moment = Resolved().moment()
    new, old = str(root / "creator" / "New"), str(root / "creator" / "Old")
    safe_join(root, "creator", "New", "1.png", resolved=moment)
    safe_join(root, "creator", "Old", "1.png", resolved=moment)
    assert moment.absent(new) and not moment.exists(new)
    assert not moment.absent(old) and moment.exists(old)
    # Never looked at: neither known to exist nor known absent (the caller must look).
    never = str(root / "creator" / "Other")
    assert not moment.absent(never) and not moment.exists(never)
    moment.made(new)
    assert not moment.absent(new) and moment.exists(new)


def test_the_folders_above_a_post_are_cleaned_once_but_never_mixed_up(tmp_path: Path) -> None:
    # The cleaned creator folders are remembered for the next posts: per root and per names.
    for root in (tmp_path / "one", tmp_path / "two"):
        for creator in ("Alice", "Bob", "../Alice", "CON"):
            for title in ("First", "Second"):
                folder = ["kemono", creator, title]
                where = SafeFolder(root, folder)
                assert where.path("a.png") == str(safe_join(root, *folder, "a.png"))
                assert where.folder == os.path.dirname(where.path("a.png"))


def test_a_remembered_creator_folder_turned_into_a_link_is_refused(tmp_path: Path) -> None:
    # What is remembered of a creator's folder is its cleaned name, never that it was safe:
    # the next run (a new Resolved) sees a link planted in its place.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    (root / "kemono" / "Alice").mkdir(parents=True)
    first = SafeFolder(root, ["kemono", "Alice", "Post 1"], resolved=Resolved())
    assert first.path("a.png") == str(root / "kemono" / "Alice" / "Post 1" / "a.png")
    (root / "kemono" / "Alice").rmdir()
    os.symlink(outside, root / "kemono" / "Alice")
    with pytest.raises(UnsafePathError):
        SafeFolder(root, ["kemono", "Alice", "Post 2"], resolved=Resolved()).path("a.png")
    with pytest.raises(UnsafePathError):
        SafeFolder(root, ["kemono", "Alice", "Post 2"]).path("1.json", part=False)
    assert list(outside.iterdir()) == []


def test_temporary_suffixes_are_found_in_any_case() -> None:
    # The cleaner looks for ".part" and ".kemopix-link" only after a name ending in one of
    # these characters: every character whose lower case ends in "t" or "k".
    ends = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).lower()[-1:] in ("t", "k")}
    assert ends == set(_TEMPORARY_ENDS)
    assert sanitize_component("a.PAR\u0054") == "a_PART"
    assert sanitize_component("a.kemopix-lin\u212a") == "a_kemopix-linK"  # NFC: Kelvin is K


def test_plain_names_are_those_of_the_plain_pattern() -> None:
    # The pattern of names that need no cleaning is written possessive (faster): it matches
    # exactly the names its plain spelling matches.
    spelled = re.compile(
        r"[0-9]{1,40}(?:\.(?:json|md|html|txt|comments|revisions|r[0-9]{1,6})){1,2}"
    )
    extensions = ["json", "md", "html", "txt", "comments", "revisions", "r", "r1", "r123456",
                  "r1234567", "", "jsonx", "rr1", "x", "json\n"]  # fmt: skip
    names = [
        "7" * digits + "".join(f"{dots}{ext}" for ext in chosen)
        for digits in (0, 1, 2, 40, 41)
        for dots in (".", "..")
        for count in (0, 1, 2, 3)
        for chosen in itertools.product(extensions, repeat=count)
        if count < 3 or dots == "."
    ]
    assert len(names) > 10_000
    plain = [bool(_PLAIN.fullmatch(n)) for n in names]
    assert plain == [bool(spelled.fullmatch(n)) for n in names]
    assert 200 < sum(plain) < len(names)


def test_a_safe_folder_keeps_a_plain_folder_name_as_safe_join_does(tmp_path: Path) -> None:
    # A plain name (digits and a sidecar's extension) is never cut, even over a small budget.
    budget = PathBudget(component_bytes=20)
    for last in ["1" * 30 + ".json", "2" * 40 + ".comments.json", "3.md", "x" * 30 + ".json"]:
        expected = str(safe_join(tmp_path, "c", last, "a.png", budget=budget))
        assert SafeFolder(tmp_path, ["c", last], budget=budget).path("a.png") == expected
        assert (last in expected) is last[0].isdigit()
