"""Chinese keywords for Wagtail search.

Chinese is written without spaces, so the search backends' tokenisers (SQLite FTS5 unicode61,
PostgreSQL's default parser) see a whole sentence as one token and a query such as 转接 never
matches 组织关系转接. Indexed pages therefore carry an extra search field holding the CJK
unigrams and bigrams of their text, separated by spaces, and queries are turned into bigrams
the same way. Both backends then match whole tokens, which works identically on SQLite and
PostgreSQL (and needs no dictionary such as zhparser or jieba).
"""

import re

from django.utils.html import strip_tags

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _runs(text):
    return _RUN.findall(strip_tags(text or "").lower())


def index_grams(*texts):
    """Every CJK character and every pair of adjacent characters, plus ASCII words.

    Repeats are kept: how often a keyword occurs is what the backends rank by.
    """
    grams = []
    for text in texts:
        for run in _runs(text):
            if _IS_CJK.match(run):
                grams.extend(run)
                grams.extend(run[i:i + 2] for i in range(len(run) - 1))
            else:
                grams.append(run)
    return " ".join(grams)


def query_grams(query):
    """The tokens a query must match: bigrams of each CJK run (a lone character stays a unigram)."""
    grams = []
    for run in _runs(query):
        if _IS_CJK.match(run) and len(run) > 1:
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            grams.append(run)
    return list(dict.fromkeys(grams))
