"""Sign-in throttle by address (PRODUCT.md, "Accounts"): a sign-in is locked per account after
repeated failures (django-axes); an address is only slowed down, never locked, since a border post
shares one connection.

Failed sign-ins are counted per client address in Django's cache, in a window that restarts with
each failure. Up to `SIGN_IN_THROTTLE_FREE_FAILURES` cost nothing; beyond, every attempt from that
address, right or wrong, for any account, first waits `SIGN_IN_THROTTLE_FIRST_DELAY` seconds,
doubling with each further failure up to `SIGN_IN_THROTTLE_MAX_DELAY`. Nothing is refused: a
correct password of another account from a slowed address still signs in, a little later.
"""

from __future__ import annotations

import hashlib
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import caches

# Replaced in tests, which assert the delays instead of waiting them out.
_sleep = time.sleep


def _cache():
    return caches[settings.SIGN_IN_THROTTLE_CACHE]


def _key(address: str) -> str:
    return "liaison:sign-in-failures:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def client_address(request) -> str:
    """The address as django-axes sees it, so that both count the same client."""
    return get_client_ip_address(request) or ""


def failures(address: str) -> int:
    return int(_cache().get(_key(address), 0))


def delay_for(failure_count: int) -> float:
    """Seconds to wait before answering an address with this many recent failures."""
    excess = failure_count - settings.SIGN_IN_THROTTLE_FREE_FAILURES
    if excess < 0:
        return 0.0
    # min() before the power: a long attack must not build a huge integer.
    step = min(excess, 16)
    return min(settings.SIGN_IN_THROTTLE_MAX_DELAY, settings.SIGN_IN_THROTTLE_FIRST_DELAY * 2**step)


def record_failure(address: str) -> int:
    """Count one failed sign-in from the address; returns the count in the current window."""
    cache, key = _cache(), _key(address)
    window = int(settings.SIGN_IN_THROTTLE_WINDOW.total_seconds())
    if cache.add(key, 1, window):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
    cache.touch(key, window)
    return count


def pause(address: str) -> float:
    """Wait as long as the address has earned; returns the seconds waited (0 for most)."""
    delay = delay_for(failures(address))
    if delay > 0:
        _sleep(delay)
    return delay
