#!/usr/bin/env bash
# Serve the site on 127.0.0.1:$PORT. With REDIS_URL set, also run a Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8000}
bin=.venv/bin

if [ -z "${REDIS_URL:-}" ] && ! grep -qs '^REDIS_URL=' .env; then
  echo "No REDIS_URL: background tasks run in-process after each commit."
  exec "$bin/python" manage.py runserver "127.0.0.1:$port"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$bin/celery" -A leoportal worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$bin/celery" -A leoportal beat --loglevel=INFO --schedule "${TMPDIR:-/tmp}/leoportal-celerybeat-schedule" &
pids+=($!)
"$bin/python" manage.py runserver "127.0.0.1:$port" &
pids+=($!)
wait -n
