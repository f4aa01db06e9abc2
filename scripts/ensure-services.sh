#!/usr/bin/env bash
# Make sure the services the test suite needs are up: PostgreSQL, Redis and Chromium. Starts local servers that
# are installed but stopped; says what to install when something is missing.
set -euo pipefail

db_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/leoportal}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
missing=()

if ! pg_isready -q -d "${db_url%/*}/postgres" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -d "${db_url%/*}/postgres" && break; sleep 0.5; done
  fi
  pg_isready -q -d "${db_url%/*}/postgres" 2>/dev/null || missing+=("PostgreSQL at ${db_url%/*} (Debian: apt-get install postgresql)")
fi

if ! redis-cli -u "$redis_url" ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis-cli -u "$redis_url" ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  redis-cli -u "$redis_url" ping >/dev/null 2>&1 || missing+=("Redis at $redis_url (Debian: apt-get install redis-server)")
fi

if [ "${CHECK_CHROMIUM:-true}" = true ] && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  missing+=("Chromium for the browser tests (Debian: apt-get install chromium)")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "The test suite needs these, and they are not available:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
