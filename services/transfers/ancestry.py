"""Which orgs see a transfer in their 转接记录, stored as ``TransferOrg`` rows (DESIGN §4, §7).

An org sees a transfer when the outgoing or the incoming branch lies in its subtree. Asked of the tree,
that joins both branches of every transfer and reads every transfer of the subtree before the newest
twenty are known (15 ms at a district of a province). Stored, an org's page is one range of
``TransferOrg``'s primary key. The rows are written here and nowhere else: when a transfer starts, and
again for every transfer with a branch under an org that moves (org ids stay, ancestors change).
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from orgtree.models import Organization

from .models import Transfer, TransferOrg

BATCH = 1000  # transfers per rewrite; each has about a dozen rows
_LOOKUP = 500  # paths per org lookup (SQLite's limit on query parameters)


def _prefixes(path):
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _org_ids(paths):
    paths, found = sorted(paths), {}
    for start in range(0, len(paths), _LOOKUP):
        found.update(Organization.objects.filter(path__in=paths[start:start + _LOOKUP]).values_list("path", "pk"))
    return found


def rows_for(items, org_ids=None):
    """``TransferOrg`` rows for ``(transfer id, outgoing branch path, incoming branch path or "")`` items;
    ``org_ids`` maps path → org id where the caller has it (else it is read)."""
    items = list(items)
    if org_ids is None:
        org_ids = _org_ids({p for _, out, into in items for path in (out, into) if path for p in _prefixes(path)})
    rows = []
    for transfer_id, out, into in items:
        sides = {}
        for path, side in ((out, 0), (into, 1)):
            for prefix in _prefixes(path) if path else ():
                sides.setdefault(prefix, [False, False])[side] = True
        rows.extend(TransferOrg(org_id=org_ids[prefix], transfer_id=transfer_id, outgoing=o, incoming=i)
                    for prefix, (o, i) in sides.items())
    return rows


def link(transfer):
    """The rows of a transfer that has just started (its branches loaded)."""
    into = transfer.to_branch.path if transfer.to_branch_id else ""
    TransferOrg.objects.bulk_create(rows_for([(transfer.pk, transfer.from_branch.path, into)]))


def relink_under(paths):
    """After orgs moved (``paths`` are their new paths): rewrite the rows of every transfer with a branch
    in one of their subtrees, a batch at a time. Returns how many transfers were rewritten."""
    if not paths:
        return 0
    under = reduce(or_, [Q(from_branch__path__startswith=p) | Q(to_branch__path__startswith=p) for p in paths])
    last, done = 0, 0
    while True:
        batch = list(Transfer.objects.filter(under, pk__gt=last).order_by("pk")
                     .values_list("pk", "from_branch__path", "to_branch__path")[:BATCH])
        if not batch:
            return done
        ids = [pk for pk, _, _ in batch]
        TransferOrg.objects.filter(transfer_id__in=ids).delete()
        TransferOrg.objects.bulk_create(rows_for((pk, out, into or "") for pk, out, into in batch))
        last, done = ids[-1], done + len(batch)
