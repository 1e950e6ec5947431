"""run_benches: every benchmark of ``portal.benches.BENCHES`` against one province, one summary table.

`make bench` runs it on PostgreSQL. Each bench runs in its own process (its data is built once and
reused by later runs), its output streamed; the runner keeps the bench's JSON line, adds the
process's peak resident set size (``max_rss_mb``, from ``wait4``), and ends with one table
(bench, figure, value, baseline, ratio, goal, ok) and the JSON lines, one per bench. The machine's
load average is printed before and after, since every figure depends on it.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.benches import BENCHES, RSS_GOAL_MB


class Command(BaseCommand):
    help = "运行全部基准（省级规模：10 万组织、200 万团员），输出汇总表和每项一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", default=None, help="只运行这些基准（命令名）")
        parser.add_argument("--allow-sqlite", action="store_true", help="在 SQLite 上运行（仅用于检查本命令）")

    def handle(self, *args, only, allow_sqlite, **opts):
        if connection.vendor != "postgresql" and not allow_sqlite:
            raise CommandError("基准须在 PostgreSQL 上运行：设置 DATABASE_URL（make bench 默认使用 "
                               "postgres://postgres@127.0.0.1:5432/bench）")
        chosen = [b for b in BENCHES if only is None or b.command in only]
        if only and len(chosen) != len(set(only)):
            raise CommandError(f"未知的基准：{sorted(set(only) - {b.command for b in chosen})}")
        self.stdout.write(f"load average before: {_load()}")
        results = []
        for bench in chosen:
            results.append((bench, self._run(bench)))
        self.stdout.write(f"load average after: {_load()}")
        all_ok = self._table(results)
        for _, result in results:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        if not all_ok:
            self.stderr.write("有基准未达到目标（见上表）")

    def _run(self, bench):
        self.stdout.write(f"== {bench.command} {' '.join(bench.args)}")
        started = time.perf_counter()
        # DEBUG off in the whole process, not only while it times requests: with the development
        # settings' DEBUG, every SQL statement of its data building was kept in connection.queries
        # (bench_broadcast's 5,000-row inserts: 328 MB).
        process = subprocess.Popen(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), bench.command, *bench.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env={**os.environ, "DEBUG": "0"})
        last_json = None
        for line in process.stdout:
            self.stdout.write(f"   {line.rstrip()}")
            if line.startswith("{"):
                last_json = line
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        result = {"bench": bench.command.removeprefix("bench_")}
        if process.returncode == 0 and last_json:
            result = json.loads(last_json)
        else:
            result["error"] = f"exit {process.returncode}"
        result["max_rss_mb"] = round(usage.ru_maxrss / 1024)  # kilobytes on Linux
        result["wall_s"] = round(time.perf_counter() - started, 1)
        return result

    def _table(self, results):
        """Print the summary table; True when every row is within its goal."""
        header = ("bench", "figure", "value", "baseline", "ratio", "goal", "ok")
        rows = []
        for bench, result in results:
            name = bench.command
            if "error" in result:
                rows.append((name, "运行失败", result["error"], "", "", "", "NO"))
                continue
            for figure in bench.figures:
                value, base, ratio, ok = figure.row(result)
                goal = f"≤ {figure.goal:g}×" if figure.baseline else f"≤ {figure.goal:g} {figure.unit}".strip()
                rows.append((name, figure.label, _fmt(value, figure.unit), _fmt(base, figure.unit),
                             "" if ratio is None else f"{ratio:.2f}", goal, "ok" if ok else "NO"))
            rss = result["max_rss_mb"]
            rows.append((name, "进程峰值内存", f"{rss} MB", "", "", f"< {RSS_GOAL_MB} MB",
                         "ok" if rss < RSS_GOAL_MB else "NO"))
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)))
        return all(row[-1] == "ok" for row in rows)


def _load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _fmt(value, unit):
    if value is None:
        return "—"
    return f"{value:g} {unit or 'ms'}"


def _width(text):
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))
