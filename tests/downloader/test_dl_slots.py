"""The engine's slots (a counting semaphore): first come, first served, and no slot lost to a
cancelled waiter. Pure logic on one event loop."""

from __future__ import annotations

import asyncio

import pytest

from kemopix.downloader.slots import Slots


def test_free_slots_are_taken_at_once_and_given_back() -> None:
    slots = Slots(2)
    assert slots.take_now() and slots.take_now()
    assert not slots.take_now()
    slots.give()
    assert slots.take_now()
    assert not slots.take_now()


def test_waiters_are_served_in_order_and_none_barges_in() -> None:
    async def main() -> list[int]:
        slots = Slots(1)
        assert slots.take_now()
        order: list[int] = []

        async def wait(n: int) -> None:
            await slots.take()
            order.append(n)

        tasks = [asyncio.create_task(wait(n)) for n in range(3)]
        await asyncio.sleep(0)
        slots.give()  # to the first waiter, not to a newcomer
        assert not slots.take_now()
        await asyncio.sleep(0)
        for _ in range(2):
            slots.give()
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)
        slots.give()
        assert slots.take_now()  # every slot back
        return order

    assert asyncio.run(main()) == [0, 1, 2]


@pytest.mark.parametrize("granted", [False, True])
def test_a_cancelled_waiter_loses_no_slot(granted: bool) -> None:
    # Cancelled while waiting, or just after a slot was handed to it (before it ran): the
    # slot goes to the next waiter either way.
    async def main() -> None:
        slots = Slots(1)
        assert slots.take_now()
        first = asyncio.create_task(slots.take())
        second = asyncio.create_task(slots.take())
        await asyncio.sleep(0)
        if granted:
            slots.give()  # handed to the first, which has not run since
            first.cancel()
        else:
            first.cancel()
            await asyncio.sleep(0)
            slots.give()
        await asyncio.wait_for(second, 5)
        assert first.cancelled()
        assert not slots.take_now()  # the second holds the only slot
        slots.give()
        assert slots.take_now()

    asyncio.run(main())
