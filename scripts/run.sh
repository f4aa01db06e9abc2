#!/usr/bin/env bash
# Serve the site on 127.0.0.1:$PORT. With REDIS_URL set, also run a Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8000}
bin=.venv/bin

# The address, the demo accounts and where e-mails go, before the servers' own start-up lines.
echo
"$bin/python" manage.py welcome
echo

if [ -z "${REDIS_URL:-}" ] && ! grep -qs '^REDIS_URL=' .env; then
  exec "$bin/python" manage.py runserver "127.0.0.1:$port"
fi

pids=()
alive() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then return 0; fi
  done
  return 1
}
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  # A process caught mid start-up can miss the signal: give them ten seconds, then stop what is left for good.
  local pid tries=20
  while alive && [ "$tries" -gt 0 ]; do
    sleep 0.5
    tries=$((tries - 1))
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "Process $pid did not stop; killing it."
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
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
