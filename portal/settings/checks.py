"""Start-up checks for production settings: plain Python, importable before Django is configured."""

import math
import zlib
from collections import Counter

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_BITS = 128  # Shannon estimate over the key's characters
MIN_SECRET_KEY_COMPRESSED = 32  # a key that deflates below this is a repeated pattern

ERR_SECRET_KEY_MISSING = "SECRET_KEY must be set to a random string of at least 50 characters"
ERR_SECRET_KEY_WEAK = ("SECRET_KEY has too little entropy (a repeated character or pattern, or a Django "
                       "'django-insecure-' key): generate one with "
                       "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`")
ERR_DEBUG = "DEBUG must not be on in production: it shows settings and code to every visitor"
ERR_DEV_LOGIN = "DEV_LOGIN must not be enabled in production: it bypasses WeChat login"
ERR_ALLOWED_HOSTS = "ALLOWED_HOSTS must be set"


def secret_key_bits(key):
    """Shannon entropy of the key's characters times its length: an upper bound on its randomness."""
    if not key:
        return 0.0
    n = len(key)
    return -sum(c / n * math.log2(c / n) for c in Counter(key).values()) * n


def secret_key_problem(key):
    """None for an acceptable key, else the reason it is refused."""
    if len(key or "") < MIN_SECRET_KEY_LENGTH:
        return ERR_SECRET_KEY_MISSING
    if (key.startswith("django-insecure-") or secret_key_bits(key) < MIN_SECRET_KEY_BITS
            or len(zlib.compress(key.encode(), 9)) < MIN_SECRET_KEY_COMPRESSED):
        return ERR_SECRET_KEY_WEAK
    return None


def production_problems(*, secret_key, debug, dev_login, allowed_hosts):
    problems = []
    if problem := secret_key_problem(secret_key):
        problems.append(problem)
    if debug:
        problems.append(ERR_DEBUG)
    if dev_login:
        problems.append(ERR_DEV_LOGIN)
    if not allowed_hosts:
        problems.append(ERR_ALLOWED_HOSTS)
    return problems
