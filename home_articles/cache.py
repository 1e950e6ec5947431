"""The member feed cache: one entry per (branch, tab, page), all invalidated by one version number.

Any change to an article or a service link bumps the version after commit, so every branch's
entries become unreachable at once without enumerating branches; they then expire by TTL. The
version starts from the clock so that, should the version key itself be evicted, a new one never
lands on an old number and revives stale entries.
"""

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "home_articles:feed:version"
LINKS_VERSION_KEY = "home_articles:links:version"


def _version(key):
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def _bump(key):
    try:
        cache.incr(key)
    except ValueError:  # the key is gone: start again from the clock
        cache.set(key, time.time_ns(), timeout=None)


def feed_version():
    return _version(VERSION_KEY)


def versions():
    """(feed version, links version) in one cache round trip."""
    found = cache.get_many([VERSION_KEY, LINKS_VERSION_KEY])
    feed = found.get(VERSION_KEY)
    links = found.get(LINKS_VERSION_KEY)
    return (feed if feed is not None else _version(VERSION_KEY),
            links if links is not None else _version(LINKS_VERSION_KEY))


def bump_feed_version():
    _bump(VERSION_KEY)


def bump_links_version():
    _bump(LINKS_VERSION_KEY)


def bump_feed_version_on_commit(**kwargs):
    """Signal receiver (articles): after commit, so a reader never caches pre-commit rows under the new version."""
    transaction.on_commit(bump_feed_version)


def bump_links_version_on_commit(**kwargs):
    """Signal receiver (其他服务 links): they change rarely and apart from articles."""
    transaction.on_commit(bump_links_version)
