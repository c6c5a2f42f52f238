"""Every read method of Client and AsyncClient over real HTTP against the Pixiv emulator.

One table drives both flavours: the same call, the same checks on the seed's return shapes
(dict keys, ``'next'`` cursors, models). IDs are discovered through the API itself, so the
tests follow the emulator's dataset rather than hard-coding it.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from pixivapi import (
    AsyncClient,
    Client,
    Comment,
    ContentType,
    FullUser,
    Illustration,
    Novel,
    RankingMode,
    Size,
    User,
    Visibility,
)

if TYPE_CHECKING:
    from kemopix.emulators import PixivEmulator


@dataclass(frozen=True)
class Dataset:
    """IDs found in the emulator's data."""

    illust: int
    multi_page: int
    ugoira: int
    artist: int
    novel: int
    novel_author: int
    series: int | None
    word: str
    me: int


@pytest.fixture(scope="session")
def dataset(pixiv_emulator_server: PixivEmulator) -> Dataset:
    from kemopix.sites.pixiv import PixivSite

    with Client.for_site(PixivSite.at(pixiv_emulator_server.url)) as client:
        client.authenticate(pixiv_emulator_server.demo_refresh_token)
        works = list(itertools.islice(client.iter_illustrations_ranking(), 300))
        single = next(w for w in works if w.page_count == 1 and w.type is ContentType.ILLUSTRATION)
        multi = next(w for w in works if w.page_count > 1)
        ugoira = next(w for w in works if w.type is ContentType.UGOIRA)
        word = single.tags[0]["name"]
        novels = (
            client.search_novels(word)["novels"]
            or client.fetch_user_novels(single.user.id)["novels"]
        )
        novel = next(n for n in novels)
        series = next((n.series["id"] for n in novels if n.series), None)
        assert client.account is not None
        return Dataset(
            single.id,
            multi.id,
            ugoira.id,
            single.user.id,
            novel.id,
            novel.user.id,
            series,
            word,
            client.account.id,
        )


def _page(key: str, item: type, *, extra: frozenset[str] = frozenset()) -> Callable[..., None]:
    def check(result: dict[str, Any], data: Dataset) -> None:
        assert set(result) == {key, "next"} | extra
        assert all(isinstance(x, item) for x in result[key]), result[key][:1]
        assert result["next"] is None or isinstance(result["next"], int)

    return check


def _illustration(result: Illustration, data: Dataset) -> None:
    assert isinstance(result, Illustration) and result.id == data.illust
    assert result.client is not None and isinstance(result.user, User)
    assert result.image_urls[Size.ORIGINAL] and result.create_date is not None
    assert result.total_comments is not None


def _previews(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"user_previews", "next"}
    for preview in result["user_previews"]:
        assert set(preview) == {"illustrations", "is_muted", "novels", "user"}
        assert isinstance(preview["user"], User)
        assert all(isinstance(i, Illustration) for i in preview["illustrations"])
        assert all(isinstance(n, Novel) for n in preview["novels"])


def _full_user(result: FullUser, data: Dataset) -> None:
    assert isinstance(result, FullUser) and result.id == data.artist
    assert isinstance(result.profile, dict) and isinstance(result.workspace, dict)
    assert isinstance(result.profile_publicity, dict)


def _recommended(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {
        "contest_exists",
        "illustrations",
        "next",
        "ranking_illustrations",
    }
    assert set(result["next"]) == {
        "min_bookmark_id_for_recent_illustrations",
        "max_bookmark_id_for_recommend",
        "offset",
    }
    assert all(isinstance(i, Illustration) for i in result["illustrations"])


def _comments(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"comments", "next", "total_comments"}
    assert all(isinstance(c, Comment) for c in result["comments"])


def _trending(result: list[dict[str, Any]], data: Dataset) -> None:
    assert result and all(set(t) == {"illustration", "tag", "translated_name"} for t in result)
    assert all(isinstance(t["illustration"], Illustration) for t in result)


def _bookmark(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"is_bookmarked", "visibility", "tags"}
    assert isinstance(result["visibility"], Visibility)


def _bookmark_tags(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"bookmark_tags", "next"}
    assert all(set(t) == {"count", "name"} for t in result["bookmark_tags"])


def _novel(result: Novel, data: Dataset) -> None:
    assert isinstance(result, Novel) and result.id == data.novel
    assert Size.ORIGINAL not in result.image_urls


def _novel_text(result: Any, data: Dataset) -> None:
    assert str(result.id) == str(data.novel) and result.text


def _series(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"series", "first_novel", "novels", "next"}
    assert all(isinstance(n, Novel) for n in result["novels"])


def _ugoira(result: dict[str, Any], data: Dataset) -> None:
    assert set(result) == {"zip_url", "zip_urls", "frames"}
    assert result["zip_url"].endswith(".zip") and result["frames"]
    assert all(set(f) == {"file", "delay"} and f["delay"] > 0 for f in result["frames"])


@dataclass(frozen=True)
class Case:
    method: str
    args: Callable[[Dataset], tuple[Any, ...]]
    check: Callable[[Any, Dataset], None]


CASES = [
    Case("fetch_illustration", lambda d: (d.illust,), _illustration),
    Case(
        "search_illustrations",
        lambda d: (d.word,),
        _page("illustrations", Illustration, extra=frozenset({"search_span_limit"})),
    ),
    Case("fetch_illustration_comments", lambda d: (d.illust, None, True), _comments),
    Case("fetch_illustration_related", lambda d: (d.illust,), _page("illustrations", Illustration)),
    Case("fetch_illustrations_following", lambda d: (), _page("illustrations", Illustration)),
    Case("fetch_illustrations_recommended", lambda d: (), _recommended),
    Case(
        "fetch_illustrations_ranking",
        lambda d: (RankingMode.WEEK,),
        _page("illustrations", Illustration),
    ),
    Case("fetch_trending_tags", lambda d: (), _trending),
    Case("fetch_bookmark", lambda d: (d.illust,), _bookmark),
    Case("fetch_user", lambda d: (d.artist,), _full_user),
    Case("fetch_user_illustrations", lambda d: (d.artist,), _page("illustrations", Illustration)),
    Case(
        "fetch_user_illustrations",
        lambda d: (d.artist, ContentType.MANGA),
        _page("illustrations", Illustration),
    ),
    Case("fetch_user_bookmarks", lambda d: (d.me,), _page("illustrations", Illustration)),
    Case("fetch_user_bookmark_tags", lambda d: (d.me,), _bookmark_tags),
    Case("fetch_following", lambda d: (d.me,), _previews),
    Case("fetch_followers", lambda d: (), _previews),
    Case("fetch_novel", lambda d: (d.novel,), _novel),
    Case("fetch_novel_text", lambda d: (d.novel,), _novel_text),
    Case("fetch_novel_comments", lambda d: (d.novel,), _comments),
    Case("fetch_user_novels", lambda d: (d.novel_author,), _page("novels", Novel)),
    Case("fetch_user_novel_bookmarks", lambda d: (d.me,), _page("novels", Novel)),
    Case("fetch_novels_following", lambda d: (), _page("novels", Novel)),
    Case(
        "search_novels",
        lambda d: (d.word,),
        _page("novels", Novel, extra=frozenset({"search_span_limit"})),
    ),
    Case("fetch_ugoira_metadata", lambda d: (d.ugoira,), _ugoira),
    Case("fetch_illustrations_new", lambda d: (), _page("illustrations", Illustration)),
    Case("search_users", lambda d: (d.word,), _previews),
    Case("fetch_user_related", lambda d: (d.artist,), _previews),
    Case("fetch_users_recommended", lambda d: (), _previews),
]
CASE_IDS = [f"{c.method}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_sync_method(client: Client, dataset: Dataset, case: Case) -> None:
    case.check(getattr(client, case.method)(*case.args(dataset)), dataset)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_async_method(aclient: AsyncClient, dataset: Dataset, case: Case) -> None:
    case.check(await getattr(aclient, case.method)(*case.args(dataset)), dataset)


def test_novel_series_sync_and_iteration(client: Client, dataset: Dataset) -> None:
    if dataset.series is None:
        pytest.skip("the dataset has no novel series")
    result = client.fetch_novel_series(dataset.series)
    _series(result, dataset)
    assert len(list(client.iter_novel_series(dataset.series))) >= len(result["novels"])


# -- paging -----------------------------------------------------------------------------------
ITERATORS: list[tuple[str, Callable[[Dataset], tuple[Any, ...]], type]] = [
    ("iter_search_illustrations", lambda d: (d.word,), Illustration),
    ("iter_illustration_comments", lambda d: (d.illust,), Comment),
    ("iter_illustration_related", lambda d: (d.illust,), Illustration),
    ("iter_illustrations_following", lambda d: (), Illustration),
    ("iter_illustrations_recommended", lambda d: (), Illustration),
    ("iter_illustrations_ranking", lambda d: (), Illustration),
    ("iter_illustrations_new", lambda d: (), Illustration),
    ("iter_user_illustrations", lambda d: (d.artist,), Illustration),
    ("iter_user_bookmarks", lambda d: (d.me,), Illustration),
    ("iter_user_bookmark_tags", lambda d: (d.me,), dict),
    ("iter_following", lambda d: (d.me,), dict),
    ("iter_followers", lambda d: (), dict),
    ("iter_search_users", lambda d: (d.word,), dict),
    ("iter_user_related", lambda d: (d.artist,), dict),
    ("iter_users_recommended", lambda d: (), dict),
    ("iter_user_novels", lambda d: (d.novel_author,), Novel),
    ("iter_user_novel_bookmarks", lambda d: (d.me,), Novel),
    ("iter_novels_following", lambda d: (), Novel),
    ("iter_novel_comments", lambda d: (d.novel,), Comment),
    ("iter_search_novels", lambda d: (d.word,), Novel),
]
LIMIT = 70  # a little over two pages of 30


@pytest.mark.parametrize(("method", "args", "item"), ITERATORS, ids=[i[0] for i in ITERATORS])
def test_sync_iterators_follow_next(
    client: Client, dataset: Dataset, method: str, args: Callable[..., tuple[Any, ...]], item: type
) -> None:
    iterator: Iterator[Any] = getattr(client, method)(*args(dataset))
    items = list(itertools.islice(iterator, LIMIT))
    assert all(isinstance(x, item) for x in items)


@pytest.mark.parametrize(("method", "args", "item"), ITERATORS, ids=[i[0] for i in ITERATORS])
async def test_async_iterators_follow_next(
    aclient: AsyncClient,
    dataset: Dataset,
    method: str,
    args: Callable[..., tuple[Any, ...]],
    item: type,
) -> None:
    iterator: AsyncIterator[Any] = getattr(aclient, method)(*args(dataset))
    items = []
    async for x in iterator:
        items.append(x)
        if len(items) >= LIMIT:
            break
    assert all(isinstance(x, item) for x in items)


def test_paging_matches_the_seed_next_offsets(client: Client, dataset: Dataset) -> None:
    first = client.fetch_illustrations_ranking()
    assert first["next"] == len(first["illustrations"]) == 30
    second = client.fetch_illustrations_ranking(offset=first["next"])
    ids = [i.id for i in first["illustrations"] + second["illustrations"]]
    streamed = [i.id for i in itertools.islice(client.iter_illustrations_ranking(), len(ids))]
    assert streamed == ids and len(set(ids)) == len(ids)


def test_user_illustrations_iterate_to_the_end(client: Client, dataset: Dataset) -> None:
    pages, response = [], client.fetch_user_illustrations(dataset.artist)
    pages.append(response["illustrations"])
    while response["next"]:
        response = client.fetch_user_illustrations(dataset.artist, offset=response["next"])
        pages.append(response["illustrations"])
    paged = [i.id for page in pages for i in page]
    assert [i.id for i in client.iter_user_illustrations(dataset.artist)] == paged
