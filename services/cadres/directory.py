"""The 通讯录's two-character index (see PostGram, OrgGram): which words a post and an org carry.

Words are the CJK bigrams of pages/cjk.py (``index_grams``, the CMS search's piece), deduplicated.
Writers call these inside their transaction whenever a post's own words or an org's names change.
"""

from pages.cjk import index_grams, query_grams

from .models import CadrePost, OrgGram, PostGram

BATCH = 5000
#: Orgs indexed per round trip by index_orgs_missing (each has some 20 words).
ORG_CHUNK = 2000


def bigrams(*texts):
    """The distinct two-character words of some texts."""
    return {g for g in index_grams(*texts).split() if len(g) == 2}


def query_bigram(q):
    """The one word a two-character query is, or None (it then searches names by prefix)."""
    grams = query_grams(q)
    return grams[0] if len(q) == 2 and len(grams) == 1 and len(grams[0]) == 2 else None


def index_posts(posts, person=None):
    """Rewrite the words of a handful of posts (a person's, an org's). Only enabled posts carry
    words: the directory lists no disabled cadre, and the lookup then needs no join."""
    posts = list(posts)
    PostGram.objects.filter(post__in=[p.pk for p in posts]).delete()
    PostGram.objects.bulk_create([PostGram(post_id=p.pk, gram=g) for p in posts if p.enabled
                                  for g in bigrams(p.own_words(person))])
    index_orgs_missing({p.org_id for p in posts})


def index_new_posts(pairs):
    """Words of freshly created (enabled) posts, in bulk: ``pairs`` of (post id, its own words)."""
    PostGram.objects.bulk_create([PostGram(post_id=pk, gram=g) for pk, words in pairs for g in bigrams(words)],
                                 batch_size=BATCH)


def index_org(org):
    OrgGram.objects.filter(org=org).delete()
    OrgGram.objects.bulk_create([OrgGram(org_id=org.pk, gram=g) for g in bigrams(org.full_name, org.short_name)])


def index_orgs_missing(org_ids):
    """Index the names of orgs that have none yet (only orgs with cadres are indexed).

    A chunk of orgs at a time: a province's 100,000 orgs make some two million words, which as
    model instances took 900 MB (bench_cadre_import's first run)."""
    from orgtree.models import Organization

    org_ids = sorted(org_ids)
    for start in range(0, len(org_ids), ORG_CHUNK):
        chunk = set(org_ids[start:start + ORG_CHUNK])
        chunk -= set(OrgGram.objects.filter(org_id__in=chunk).values_list("org_id", flat=True))
        rows = [OrgGram(org_id=pk, gram=g) for pk, full, short in Organization.objects.filter(pk__in=chunk)
                .values_list("pk", "full_name", "short_name") for g in bigrams(full, short)]
        OrgGram.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def org_renamed(org):
    if CadrePost.objects.filter(org=org).exists() or OrgGram.objects.filter(org=org).exists():
        index_org(org)
