"""Compare the timeline decoded from an output file with the frame delays it should play.

Encoders may merge consecutive frames that look the same into one longer frame (Pillow does so
for identical frames in GIF, APNG and WebP; lossy WebP and GIF also for frames that became
identical after compression). So a decoded frame must start where some metadata frame starts,
and every frame that must stay separate (``cuts``) must be there; total time must agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

__all__ = ["centisecond_delays", "check_timeline", "frame_starts"]


def frame_starts(delays: Sequence[float]) -> list[float]:
    """When each frame starts, in ms, for frames shown ``delays`` ms each."""
    return [0.0, *accumulate(float(d) for d in delays)][:-1] if delays else []


def centisecond_delays(delays_ms: Sequence[int]) -> list[int]:
    """GIF delays (multiples of 10 ms) whose frame boundaries stay within 5 ms of the exact ones.

    Rounding each delay alone drifts (45 ms frames would all become 40 or 50); rounding the
    running total keeps every boundary, and the loop length, within half a centisecond. A frame
    never gets 0 (viewers treat it as 100 ms), at the cost of drift for sub-5 ms delays.
    """
    out: list[int] = []
    previous = 0
    elapsed = 0
    for delay in delays_ms:
        elapsed += delay
        boundary = max((elapsed + 5) // 10, previous + 1)
        out.append((boundary - previous) * 10)
        previous = boundary
    return out


def check_timeline(
    delays_ms: Sequence[int],
    starts: Sequence[float],
    total: float | None,
    *,
    tolerance_ms: float,
    cuts: Sequence[bool] | None = None,
) -> str | None:
    """Describe the first way ``starts``/``total`` disagree with ``delays_ms``, or None.

    ``starts`` are the decoded frames' start times in ms and ``total`` the decoded play time
    (None for a still image, which has no timing). ``cuts[i]`` says frame ``i`` differs from
    frame ``i - 1`` and must not be merged away; None means no frame may be merged.
    """
    expected = frame_starts(delays_ms)
    expected_total = float(sum(delays_ms))
    required = [True] * len(expected) if cuts is None else [i == 0 or c for i, c in enumerate(cuts)]
    if len(required) != len(expected):
        raise ValueError("cuts must have one flag per frame")
    if not starts:
        return "the output has no frames"
    if total is None:
        if len(starts) == 1 and sum(required) == 1:
            return None
        return f"the output is a still image, expected {sum(required)} distinct frames"
    if abs(total - expected_total) > tolerance_ms:
        return f"the output plays {total:g} ms, the frames add up to {expected_total:g} ms"
    j = 0
    for k, start in enumerate(starts):
        while j < len(expected) and expected[j] < start - tolerance_ms:
            if required[j]:
                return (
                    f"output frame {k} starts at {start:g} ms, "
                    f"but frame {j} should start at {expected[j]:g} ms"
                )
            j += 1
        if j == len(expected) or abs(expected[j] - start) > tolerance_ms:
            return f"output frame {k} starts at {start:g} ms, where no frame starts"
        j += 1
    for index in range(j, len(expected)):
        if required[index]:
            return f"frame {index} (at {expected[index]:g} ms) is missing from the output"
    return None
