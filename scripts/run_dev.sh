#!/usr/bin/env bash
# Run the web server and the django-q2 cluster side by side; Ctrl-C (or either dying) stops both.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://$HOST:$PORT}  # links in WeChat messages
export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-$PORTAL_BASE_URL}
$PY manage.py runserver "$HOST:$PORT" &
web=$!
$PY manage.py qcluster &
cluster=$!
stop() { trap - INT TERM EXIT; kill "$web" "$cluster" 2>/dev/null; wait 2>/dev/null; }
trap stop INT TERM EXIT
echo "管理后台: http://$HOST:$PORT/manage/   演示账号见 var/demo-logins.txt"
wait -n "$web" "$cluster"
