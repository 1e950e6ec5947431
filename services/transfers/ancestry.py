"""Which orgs see a transfer in their 转接记录, stored as ``TransferOrg`` rows (DESIGN §4, §7).

An org sees a transfer when the outgoing or the incoming branch lies in its subtree. Asked of the tree,
that joins both branches of every transfer and reads every transfer of the subtree before the newest
twenty are known (15 ms at a district of a province). Stored, an org's page is one range of
``TransferOrg``'s primary key. The rows are written here and nowhere else: when a transfer starts, and
again for every transfer with a branch under an org that moves (org ids stay, ancestors change).
"""

from django.db import connection

from orgtree.models import Organization

from .models import Transfer, TransferOrg

BATCH = 500  # transfers per rewrite (SQLite's limit on query parameters); each has about a dozen rows
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
    """``(org id, transfer id, outgoing, incoming)`` rows of ``TransferOrg`` for ``(transfer id, outgoing
    branch path, incoming branch path or "")`` items; ``org_ids`` maps path → org id where the caller
    has it (else it is read)."""
    items = list(items)
    if org_ids is None:
        org_ids = _org_ids({p for _, out, into in items for path in (out, into) if path for p in _prefixes(path)})
    rows = []
    for transfer_id, out, into in items:
        sides = {}
        for path, side in ((out, 0), (into, 1)):
            for prefix in _prefixes(path) if path else ():
                sides.setdefault(prefix, [False, False])[side] = True
        rows.extend((org_ids[prefix], transfer_id, o, i) for prefix, (o, i) in sides.items())
    return rows


def insert(rows):
    """Write ``rows_for``'s rows: COPY on PostgreSQL, else one INSERT run for each (as model instances
    through ``bulk_create`` they cost three quarters of an org move's rewrite; a pipelined INSERT per
    row, most of the rest)."""
    table = connection.ops.quote_name(TransferOrg._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(TransferOrg._meta.get_field(name).column)
                        for name in ("org", "transfer", "outgoing", "incoming"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)", rows)


def link(transfer):
    """The rows of a transfer that has just started (its branches loaded)."""
    into = transfer.to_branch.path if transfer.to_branch_id else ""
    insert(rows_for([(transfer.pk, transfer.from_branch.path, into)]))


def relink_under(orgs):
    """After ``orgs`` moved: rewrite the rows of every transfer with a branch in one of their subtrees, a
    batch at a time. Those transfers are the ones with a row for a moved org (an org keeps its id when it
    moves, and its subtree moves with it), so they are found on this table's key, not by walking the
    tree. Returns how many transfers were rewritten."""
    ids = [org.pk for org in orgs]
    last, done = 0, 0
    while True:
        batch = list(TransferOrg.objects.filter(org_id__in=ids, transfer_id__gt=last).order_by("transfer_id")
                     .values_list("transfer_id", flat=True).distinct()[:BATCH])
        if not batch:
            return done
        branches = Transfer.objects.filter(pk__in=batch).values_list("pk", "from_branch__path", "to_branch__path")
        TransferOrg.objects.filter(transfer_id__in=batch).delete()
        insert(rows_for((pk, out, into or "") for pk, out, into in branches))
        last, done = batch[-1], done + len(batch)
