"""Templates: fields, format specs, and names that always stay inside the output folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kemopix import InvalidInput
from kemopix.downloader.model import Creator, Post, PostKey, RemoteFile
from kemopix.downloader.templates import DEFAULT_TEMPLATES, Template, file_fields, post_fields
from kemopix.files import PART_SUFFIX


def make_post(title: str = "Hello", name: str = "pic.png", creator: str = "Ann") -> Post:
    sha = "a" * 64
    file = RemoteFile(f"https://kemono.cr/data/aa/aa/{sha}.png", name, 3, sha256=sha)
    return Post(
        key=PostKey("kemono", "patreon", "42"),
        creator=Creator("kemono", "patreon", "7", creator),
        title=title,
        published=datetime(2024, 5, 6, 7, 8, 9),
        files=[file],
        raw={},
        tags=["a", "b"],
    )


def path_of(template: str, post: Post, root: Path) -> Path:
    fields = file_fields(post_fields(post), post.files[0])
    return Template.parse(template).file_path(root, fields)


def test_issue_example(tmp_path: Path) -> None:
    template = "{service}/{creator}/{published:%Y-%m} {title}/{index:03} {name}"
    path = path_of(template, make_post(), tmp_path)
    assert path == tmp_path / "patreon" / "Ann" / "2024-05 Hello" / "003 pic.png"


def test_default_template(tmp_path: Path) -> None:
    path = path_of(DEFAULT_TEMPLATES["kemono"], make_post(), tmp_path)
    assert path.relative_to(tmp_path).as_posix() == (
        "kemono/patreon/Ann/2024-05-06 Hello [42]/03 pic.png"
    )


def test_missing_values(tmp_path: Path) -> None:
    post = make_post(title="  ")
    post.published = None
    path = path_of("{published:%Y} {title}/{stem}.{ext} {hash}", post, tmp_path)
    assert path.relative_to(tmp_path).as_posix() == "unknown untitled/pic.png " + "a" * 12


@pytest.mark.parametrize(
    ("title", "name", "creator"),
    [
        ("../../../etc", "../../passwd", ".."),
        ("a/b\\c", "/abs/path.png", "C:\\Windows"),
        ("CON", "nul.txt", "COM1"),
        ("x" * 600, "y" * 600 + ".png", "é" * 300),
        ("\x00\x1f", "..", "."),
    ],
)
def test_hostile_values_stay_inside(tmp_path: Path, title: str, name: str, creator: str) -> None:
    post = make_post(title=title, name=name, creator=creator)
    path = path_of(DEFAULT_TEMPLATES["kemono"], post, tmp_path)
    assert path.is_relative_to(tmp_path)
    relative = path.relative_to(tmp_path)
    assert len(relative.parts) == 5  # a value never adds or removes a level
    for part in relative.parts:
        assert part not in (".", "..") and "/" not in part and "\\" not in part
        assert len(part.encode()) <= 255
    assert len((relative.name + PART_SUFFIX).encode()) <= 255
    assert len(str(relative)) + len(PART_SUFFIX) + 40 <= 259


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("", "empty"),
        ("{nope}/{name}", "unknown template field {nope}"),
        ("{title.__class__}/{name}", "only plain names"),
        ("{title[0]}/{name}", "only plain names"),
        ("{index:zz}/{name}", "bad template"),
        ("{title/{name}", "bad template"),
    ],
)
def test_bad_templates(template: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Template.parse(template)
    assert fragment in str(info.value)


def test_sidecar_path(tmp_path: Path) -> None:
    post = make_post()
    template = Template.parse("{service}/{title}/{name}")
    assert template.sidecar_path(tmp_path, post_fields(post), "42.json") == (
        tmp_path / "patreon" / "Hello" / "42.json"
    )
    assert post_fields(post)["published"] == datetime(2024, 5, 6, 7, 8, 9)
    assert datetime(2024, 1, 1, tzinfo=UTC).year == 2024


@pytest.mark.parametrize(
    ("template", "per_post"),
    [
        (DEFAULT_TEMPLATES["kemono"], True),
        (DEFAULT_TEMPLATES["pixiv"], True),
        ("{creator}/{ext}/{name}", False),  # a folder per extension: files differ
        ("{creator}/{published:%Y}-{hash}/{name}", False),
        ("{name}", True),
    ],
)
def test_a_folder_shared_by_the_post_gives_the_paths_file_path_gives(
    tmp_path: Path, template: str, per_post: bool
) -> None:
    parsed = Template.parse(template)
    assert parsed.per_post is per_post
    post = make_post(title="../" * 3 + "x" * 200, name="y" * 240 + ".png")
    base = post_fields(post)
    folder = parsed.folder(tmp_path, base)
    for index, name in enumerate(["a.png", "../../b.png", "CON.txt", "z" * 300 + ".jpeg"], 1):
        fields = file_fields(base, RemoteFile(f"https://x/{index}", name, index))
        expected = parsed.file_path(tmp_path, fields)
        if per_post:
            assert Path(folder.path(parsed.file_name(fields))) == expected
        assert expected.is_relative_to(tmp_path)


@pytest.mark.parametrize(
    "template",
    [
        *DEFAULT_TEMPLATES.values(),
        "{published:%Y}/{published:%m %d %H.%M.%S %%} {{x}}/{added:%Y-%m}{edited:%y %j}/{name}",
        "{published:%Y-%m-%d %B}/{published}/{edited:%Y} {published!s:.4}/{index:{index}}",
        "{creator}/{published:%d} {title:>12}/{published:%Y%m%d} {id} {name}",
    ],
)
@pytest.mark.parametrize(
    "when",
    [
        datetime(2024, 5, 6, 7, 8, 9),
        datetime(2001, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1000, 1, 1),
        datetime(999, 2, 3, 4, 5, 6),  # a year of three digits: strftime's own way
        datetime(9999, 12, 31),
        None,  # unknown
    ],
)
def test_dates_are_formatted_as_strftime_formats_them(template: str, when: datetime | None) -> None:
    # A checked template formats its dates without strftime where it can: same text always.
    parsed = Template.parse(template)
    unchecked = Template(parsed.text, parsed.segments)  # formats through string.Formatter
    post = make_post()
    post.published = post.added = post.edited = when
    fields = file_fields(post_fields(post), post.files[0])
    assert parsed.directory(fields) == unchecked.directory(fields)
    assert parsed.file_name(fields) == unchecked.file_name(fields)
    assert parsed.format(fields) == unchecked.format(fields)
