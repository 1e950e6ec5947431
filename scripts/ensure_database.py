"""Create the PostgreSQL database a URL names when it does not exist yet (make bench's province)."""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(sys.argv[1])
if url.scheme not in ("postgres", "postgresql"):
    sys.exit(f"make bench needs a PostgreSQL database, not {url.scheme}:")
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
try:
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
except psycopg.OperationalError as exc:
    sys.exit(f"PostgreSQL at {url.hostname}:{url.port or 5432} does not answer: {exc}")
