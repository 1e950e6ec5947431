"""bench_xlsx_bomb: how long and how much memory the cadre import takes to refuse spreadsheet bombs.

    python manage.py bench_xlsx_bomb [--strings 10000000]

Builds each hostile file (streamed, not counted), then times ``imports.import_create`` on it (the
upload is read, inspected and refused before anything is stored) with tracemalloc running. Run it
under ``/usr/bin/time -v`` for the process's peak RSS.
"""

import json
import time
import tracemalloc

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from portal import spreadsheets, xlsx_bombs
from services.cadres import imports


class Command(BaseCommand):
    help = "Time and memory of refusing spreadsheet bombs in the cadre import"

    def add_arguments(self, parser):
        parser.add_argument("--strings", type=int, default=10_000_000)

    def handle(self, *args, strings, **options):
        limits = imports.LIMITS
        cases = [
            (f"{strings:,} empty shared strings", lambda: xlsx_bombs.shared_strings_bomb(strings)),
            ("3,000,000 empty shared strings (under the size bound)",
             lambda: xlsx_bombs.shared_strings_bomb(3_000_000)),
            (f"{limits.max_shared_strings + 1:,} distinct shared strings",
             lambda: xlsx_bombs.shared_strings_bomb(limits.max_shared_strings + 1, distinct=True)),
            ("<dimension> A1:XFD1048576", lambda: xlsx_bombs.sheet_bomb(rows=1, dimension="A1:XFD1048576")),
            ("one row numbered 1,048,576", lambda: xlsx_bombs.sheet_bomb(rows=1, last_row=1_048_576)),
            (f"{limits.max_row_number + 1:,} unnumbered rows",
             lambda: xlsx_bombs.sheet_bomb(rows=limits.max_row_number + 1, numbered=False)),
        ]
        figures = []
        for label, build in cases:
            content = build()
            started = time.perf_counter()
            outcome = self._refuse(content)
            elapsed = time.perf_counter() - started
            tracemalloc.start()  # a second run: tracing slows allocation-heavy code, so it is not timed
            self._refuse(content)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"{label}: {len(content) / 1024:.0f} KB, refused in {elapsed * 1000:.1f} ms, "
                              f"peak {peak / spreadsheets.MB:.1f} MB traced — {outcome}")
            figures.append({"case": label, "kb": round(len(content) / 1024), "seconds": round(elapsed, 4),
                            "peak_mb": round(peak / spreadsheets.MB, 1), "refused": outcome != "ACCEPTED"})
        self.stdout.write(json.dumps({"bench": "xlsx_bomb", "cases": figures}, ensure_ascii=False))

    def _refuse(self, content):
        try:
            imports.import_create(actor=_Actor(), upload=SimpleUploadedFile("bomb.xlsx", content))
        except ValidationError as exc:
            return exc.messages[0]
        return "ACCEPTED"


class _Actor:
    """Enough of an org actor for import_create's checks; a refused file never reaches the database."""

    def require_org_actor(self):
        return None
