"""Generated prose of the dataset: titles, novel texts, profile and workspace blocks."""

from __future__ import annotations

import random

from . import vocab

__all__ = ["make_novel_text", "make_profile", "make_title", "make_workspace"]

_REGIONS = (("Japan", "JP", 13), ("Japan", "JP", 27), ("United States", "US", 0), ("", "", 0))
_JOBS = (("", 0), ("Illustrator", 3), ("Student", 1), ("Designer", 4))


def make_title(rng: random.Random) -> str:
    head, tail = rng.choice(vocab.TITLE_HEADS), rng.choice(vocab.TITLE_TAILS)
    joiner = " " if head[-1].isascii() and tail[0].isascii() else ""
    return head + joiner + tail


def make_novel_text(rng: random.Random, pages: int) -> str:
    """A few pages of prose; pages are split by ``[newpage]`` and may open with a chapter."""
    out: list[str] = []
    for page in range(pages):
        paragraphs = []
        if rng.random() < 0.5:
            paragraphs.append(f"[chapter:第{page + 1}章]")
        for _ in range(rng.randint(3, 6)):
            paragraphs.append("".join(rng.choices(vocab.NOVEL_SENTENCES, k=rng.randint(2, 4))))
        out.append("\n\n".join(paragraphs))
    return "\n[newpage]\n".join(out)


def make_profile(rng: random.Random, account: str, custom_image: bool) -> dict[str, object]:
    """The static part of ``user_detail.profile`` (totals are counted when served)."""
    region, country, address_id = rng.choice(_REGIONS)
    job, job_id = rng.choice(_JOBS)
    twitter = account if rng.random() < 0.5 else ""
    birth_year = rng.choice((0, 0, 1990, 1995, 2000))
    return {
        "webpage": f"https://{account}.example.invalid/" if rng.random() < 0.3 else None,
        "gender": rng.choice(("", "male", "female")),
        "birth": f"{birth_year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if birth_year else "",
        "birth_day": f"0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "birth_year": birth_year,
        "region": region,
        "address_id": address_id,
        "country_code": country,
        "job": job,
        "job_id": job_id,
        "twitter_account": twitter,
        "twitter_url": f"https://twitter.com/{twitter}" if twitter else None,
        "pawoo_url": None,
        "is_using_custom_profile_image": custom_image,
    }


def make_workspace(rng: random.Random) -> dict[str, object]:
    filled = rng.random() < 0.4
    return {
        "pc": "自作PC" if filled else "",
        "monitor": "27 inch" if filled else "",
        "tool": rng.choice(vocab.TOOLS) if filled else "",
        "scanner": "",
        "tablet": "Wacom Intuos" if filled else "",
        "mouse": "",
        "printer": "",
        "desktop": "",
        "music": "",
        "desk": "",
        "chair": "",
        "comment": "",
        "workspace_image_url": None,
    }
