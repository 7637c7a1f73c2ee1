"""A fixed-window counter in the cache (LocMem per process, Redis when configured), per client
or per any other key (an email address, hashed so no address sits in the cache)."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = settings.AMENDS_TRUSTED_PROXY_HEADER
    if header:
        forwarded = request.META.get(header, "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limit_hit(*, request: HttpRequest, scope: str, limit: int, window: int) -> bool:
    """Count one hit; True when the client is over the limit for this window."""
    return rate_limit_key_hit(scope=scope, key=client_address(request), limit=limit, window=window)


def rate_limit_key_hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit for `key`; True when it is over the limit for this window."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return False
    return count > limit
