"""MurmurHash2 (32-bit, seed 0) and the n1..n4 file-host choice it drives (kemono-protocol.md §2.9)."""

from __future__ import annotations

__all__ = ["file_host_index", "murmur2"]

_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes, seed: int = 0) -> int:
    """Austin Appleby's 32-bit MurmurHash2 of ``data``."""
    length = len(data)
    h = (seed ^ length) & _MASK
    full = length - length % 4
    for i in range(0, full, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = data[full:]
    if len(tail) == 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h ^= tail[0]
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def file_host_index(path: str) -> int:
    """0..3 for n1..n4: murmur2 of ``/data{path}`` scaled to 0-100, split at 25/50/75.

    ``path`` is the API's ``/xx/yy/<sha256><ext>`` (B ``get_fileserver_for_value``, LoliSnatcher).
    """
    value = murmur2(("/data" + path).encode("utf-8")) * 100 / 0x100000000
    if value < 25:
        return 0
    if value < 50:
        return 1
    if value < 75:
        return 2
    return 3
