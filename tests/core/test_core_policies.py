"""Retry decisions and rate budgets: pure logic, driven with a fake clock."""

from __future__ import annotations

import random
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest

from kemopix._protocol import (
    ConnectError,
    ConnectionRefused,
    DecodeError,
    Flow,
    HostLimiter,
    RateLimit,
    ReadTimeout,
    Request,
    Response,
    RetryPolicy,
    Sleep,
    TokenBucket,
    supervise,
)
from kemopix._protocol.http import host_of
from kemopix._protocol.ratelimit import is_loopback

GET = Request.build("GET", "https://kemono.cr/api/v1/creators")
POST = Request.build("POST", "https://kemono.cr/api/v1/favorites/post/x/y/z")
NOW = 1_700_000_000.0


def answer(status: int, request: Request = GET, **headers: str) -> Response:
    return Response(
        status, {k.replace("_", "-"): v for k, v in headers.items()}, b"", request.url, request
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return NOW + self.now


def test_retry_after_seconds_and_http_date() -> None:
    policy = RetryPolicy()
    rng = random.Random(1)
    assert policy.decide(GET, 1, answer(429, retry_after="7"), NOW, rng) == 7.0
    date = formatdate(NOW + 30, usegmt=True)
    assert policy.decide(GET, 1, answer(503, retry_after=date), NOW, rng) == pytest.approx(30.0)
    # A pause longer than the policy accepts: give up and let the caller see RateLimited.
    assert policy.decide(GET, 1, answer(429, retry_after="3600"), NOW, rng) is None


def test_backoff_grows_capped_with_bounded_jitter() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=8.0, jitter=0.25, max_attempts=10)
    rng = random.Random(7)
    delays = [policy.decide(GET, n, answer(503), NOW, rng) for n in range(1, 8)]
    bases = [1, 2, 4, 8, 8, 8, 8]
    for delay, base in zip(delays, bases, strict=True):
        assert delay is not None
        assert base <= delay <= base * 1.25


def test_seeded_jitter_is_repeatable() -> None:
    policy = RetryPolicy()
    first = [policy.decide(GET, 2, answer(502), NOW, random.Random(3)) for _ in range(2)]
    assert first[0] == first[1]


def test_what_is_retried() -> None:
    policy = RetryPolicy(max_attempts=3)
    rng = random.Random(0)
    assert policy.decide(GET, 1, answer(404), NOW, rng) is None
    assert policy.decide(GET, 3, answer(503), NOW, rng) is None  # attempts spent
    assert policy.decide(POST, 1, answer(503, POST), NOW, rng) is None  # not idempotent
    refused = ConnectError("refused", url=POST.url)
    assert policy.decide(POST, 1, refused, NOW, rng) is not None  # never reached the server
    assert policy.decide(GET, 1, ReadTimeout("slow"), NOW, rng) is not None
    assert policy.decide(GET, 1, DecodeError("bad json"), NOW, rng) is None


def test_site_specific_throttle_signal() -> None:
    def pixiv_limit(response: Response) -> bool:
        return response.status == 403 and b"Rate Limit" in response.content

    policy = RetryPolicy(is_throttled=pixiv_limit)
    limited = Response(403, {}, b'{"error": {"message": "Rate Limit"}}', GET.url, GET)
    assert policy.decide(GET, 1, limited, NOW, random.Random(0)) is not None
    assert policy.decide(GET, 1, answer(403), NOW, random.Random(0)) is None


def test_token_bucket_reservations() -> None:
    bucket = TokenBucket(RateLimit(rate=2.0, burst=2), now=0.0)
    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 0.5, 1.0]
    assert bucket.reserve(10.0) == 0.0  # refilled, capped at the burst


def test_host_limiter_exempts_loopback_unless_asked() -> None:
    limiter = HostLimiter(RateLimit(rate=1.0, burst=1))
    assert [limiter.reserve("http://127.0.0.1:8000", 0.0) for _ in range(3)] == [0.0] * 3
    assert [limiter.reserve("https://kemono.cr", 0.0) for _ in range(3)] == [0.0, 1.0, 2.0]
    strict = HostLimiter(RateLimit(rate=1.0, burst=1), limit_loopback=True)
    assert [strict.reserve("http://localhost:1", 0.0) for _ in range(2)] == [0.0, 1.0]
    assert is_loopback("http://[::1]:80") and not is_loopback("https://pixiv.net")


def test_pause_applies_to_every_request_of_the_host() -> None:
    limiter = HostLimiter(None)
    limiter.pause("https://kemono.cr", 30.0)
    assert limiter.reserve("https://kemono.cr", 10.0) == 20.0
    assert limiter.reserve("https://pixiv.net", 10.0) == 0.0


def test_supervise_sleeps_for_budget_and_retry_after() -> None:
    clock = FakeClock()
    limiter = HostLimiter(RateLimit(rate=1.0, burst=1))
    statuses = iter([429, 200, 200])
    slept: list[float] = []

    def two_gets() -> Flow[tuple[int, int]]:
        first = yield GET
        second = yield GET
        return (first.status, second.status)

    driven = supervise(two_gets(), RetryPolicy(), limiter, clock, random.Random(0))
    reply: Response | None = None
    sent = 0
    with pytest.raises(StopIteration) as done:
        while True:
            step = driven.send(reply)
            reply = None
            if isinstance(step, Sleep):
                slept.append(step.seconds)
                clock.now += step.seconds
                continue
            wait = limiter.admit(step, clock.now)  # what a driver does before sending
            if wait > 0:
                slept.append(wait)
                clock.now += wait
            sent += 1
            status = next(statuses)
            reply = answer(status, retry_after="5") if status == 429 else answer(status)
    assert done.value.value == (200, 200)
    assert sent == 3
    # Retry-After 5 s, then the bucket (1/s) spaces the third request one second after the second.
    assert slept == [5.0, pytest.approx(1.0)]


def test_refused_connection_is_retried_once_quickly() -> None:
    policy = RetryPolicy(backoff=0.25)
    refused = ConnectionRefused("down")
    assert policy.decide(GET, 1, refused, NOW, random.Random(0)) == 0.25
    assert policy.decide(GET, 2, refused, NOW, random.Random(0)) is None
    assert policy.attempts_for(refused) == 2 and policy.attempts_for(ReadTimeout("slow")) == 5


def test_a_retry_after_beyond_the_policy_fails_now_and_pauses_no_one() -> None:
    clock = FakeClock()
    limiter = HostLimiter(None)

    def one_get() -> Flow[int]:
        return (yield GET).status

    driven = supervise(one_get(), RetryPolicy(max_retry_after=60), limiter, clock, random.Random(0))
    assert driven.send(None) is GET
    with pytest.raises(StopIteration) as done:
        driven.send(answer(503, retry_after="3600"))
    assert done.value.value == 503  # handed to the flow at once
    assert limiter.admit(GET, clock.now) == 0.0  # the host is not paused for an hour


def test_request_evolve_changes_only_what_it_is_given() -> None:
    base = Request.build(
        "GET", "https://Kemono.CR:443/data/a.png", params={"o": 50}, headers={"Range": "bytes=5-"}
    )
    sink = object()
    moved = base.evolve(sink=sink)  # type: ignore[arg-type]
    assert moved == base and moved.sink is sink and base.sink is None
    cleared = moved.evolve(headers=())
    assert (cleared.headers, cleared.sink, cleared.params) == ((), sink, base.params)
    assert cleared.evolve(sink=None).sink is None
    assert base.with_headers(Range="bytes=9-").headers == (("Range", "bytes=9-"),)
    # the host (scheme, host and port, lower-cased) is read once per URL, then remembered
    assert base.host == "https://kemono.cr:443" == host_of(base.url)


@pytest.mark.parametrize(
    "url",
    [
        "https://kemono.cr/api/v1/posts",
        "HTTP://Kemono.CR:8080",
        "http://127.0.0.1:5000?o=50",
        "https://n1.kemono.cr#frag",
        "https://user:pw@host.example/x",
        "http://[::1]:8080/data",
        " https://lead.example/x",
        "https://ta\tb.example/x",
        "https://ex\nample.com/",
        "https://bücher.example/x",
        "ftp://files.example/x",
        "/relative/path",
        "https://",
    ],
)
def test_host_of_agrees_with_urlsplit(url: str) -> None:
    parts = urlsplit(url)
    assert host_of(url) == f"{parts.scheme}://{parts.netloc}".lower()


def test_values_compare_without_their_sink_or_throttle_signal() -> None:
    class Sink:
        def open(self, status: int, headers: object) -> None: ...

        def write(self, chunk: bytes) -> None: ...

        def resume(self, request: Request) -> Request:
            return request

    streamed = Request.build("GET", GET.url, sink=Sink())
    assert streamed == GET and hash(streamed) == hash(GET) and streamed.sink is not None
    assert Request.build("GET", GET.url + "?o=50") != GET
    signalled = RetryPolicy(is_throttled=lambda response: response.status == 403)
    assert signalled == RetryPolicy() and hash(signalled) == hash(RetryPolicy())
    assert RetryPolicy(max_attempts=2) != RetryPolicy()
    with pytest.raises(AttributeError):
        GET.url = "https://elsewhere.example"  # type: ignore[misc]
