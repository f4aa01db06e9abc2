#!/usr/bin/env bash
# The load test (make loadtest; README, "Load test"): gunicorn with DEBUG off, a Celery worker, PostgreSQL and Redis on
# the loopback, the synthetic volume (10,000 proposals, 1,000 listings), and locust driving LOADTEST_USERS researchers
# for LOADTEST_SECONDS at full strength. Prints requests, rate, latency percentiles and errors, then checks that every
# submission made during the run is saved and scored. Exits non-zero on any error or an unscored submission.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

db_url=${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/leoportal_loadrun}
redis_url=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/11}
port=${LOADTEST_PORT:-8091}
users=${LOADTEST_USERS:-50}
spawn_rate=${LOADTEST_SPAWN_RATE:-2}
seconds=${LOADTEST_SECONDS:-60}
web_workers=${LOADTEST_WEB_WORKERS:-5}
run_dir=${LOADTEST_DIR:-.loadtest}

mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
rm -f "$run_dir"/{samples.csv,samples.csv.steady,submitted.txt,figures.json,web.log,web-errors.log,worker.log,locust.log}

export DEBUG=false
# The volume and load-test commands are developer tools: installed for this run although DEBUG is off.
export DEVTOOLS=true
SECRET_KEY=$("$bin/python" -c 'import secrets; print(secrets.token_hex(32))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1 SECURE_PROXY_SSL_HEADER=true TRUSTED_PROXY_COUNT=1 SITE_URL="https://127.0.0.1:$port"
export DATABASE_URL=$db_url REDIS_URL=$redis_url MEDIA_ROOT="$run_dir/media" EMAIL_URL=consolemail:// LOG_LEVEL=WARNING

CHECK_CHROMIUM=false TEST_DATABASE_URL=$db_url TEST_REDIS_URL=$redis_url scripts/ensure-services.sh
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  echo "Port $port is taken; set LOADTEST_PORT to a free one." >&2
  exit 1
fi

echo "== preparing the database ($db_url)"
"$bin/python" manage.py ensure_database
"$bin/python" manage.py migrate --noinput | grep -v '^  ' || true
"$bin/python" manage.py collectstatic --noinput | tail -n 1
"$bin/python" manage.py seed_volume --proposals 10000 --capabilities 1000 --if-missing
"$bin/python" manage.py loadtest prepare "$run_dir/plan.json" --users "$users"
redis-cli -u "$redis_url" flushdb >/dev/null  # no tasks left over from an earlier run

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

echo "== starting gunicorn ($web_workers workers) on 127.0.0.1:$port and a Celery worker"
"$bin/celery" -A leoportal worker --loglevel=WARNING --concurrency=2 --without-mingle --without-gossip \
  >"$run_dir/worker.log" 2>&1 &
pids+=($!)
"$bin/gunicorn" leoportal.wsgi --bind "127.0.0.1:$port" --workers "$web_workers" --access-logfile - \
  --error-logfile "$run_dir/web-errors.log" >"$run_dir/web.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.5
done
curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port/healthz" >/dev/null || {
  echo "The site did not answer /healthz; see $run_dir/web-errors.log" >&2
  exit 1
}
for _ in $(seq 1 60); do
  "$bin/celery" -A leoportal inspect ping --timeout 1 >/dev/null 2>&1 && break
  sleep 0.5
done

# CPU seconds (user + system) of a process and its children, from /proc.
cpu_seconds() {
  local pid
  for pid in "$1" $(pgrep -P "$1"); do cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null; done |
    awk -v hz="$(getconf CLK_TCK)" '{ s += $1 + $2 } END { printf "%.1f", s / hz }'
}
web_cpu_before=$(cpu_seconds "${pids[1]}")
worker_cpu_before=$(cpu_seconds "${pids[0]}")

ramp=$(( (users + spawn_rate - 1) / spawn_rate ))
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== locust: $users users (spawned $spawn_rate a second), $seconds s after the ${ramp} s ramp; load average $load_before"
TIMEFORMAT='%U %S'
{ time LOADTEST_PLAN="$run_dir/plan.json" LOADTEST_SAMPLES="$run_dir/samples.csv" \
  LOADTEST_SUBMITTED="$run_dir/submitted.txt" "$bin/locust" -f scripts/loadtest/locustfile.py --headless \
  --users "$users" --spawn-rate "$spawn_rate" --run-time "$((ramp + seconds))s" --stop-timeout 10 \
  --host "http://127.0.0.1:$port" --only-summary --loglevel WARNING >"$run_dir/locust.log" 2>&1 || true; } \
  2>"$run_dir/locust.cpu"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
web_cpu=$(awk -v a="$(cpu_seconds "${pids[1]}")" -v b="$web_cpu_before" 'BEGIN { printf "%.1f", a - b }')
locust_cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$run_dir/locust.cpu")

echo "== figures (load average before $load_before, after $load_after; $(nproc) cores)"
status=0
"$bin/python" scripts/loadtest/figures.py "$run_dir/samples.csv" --json "$run_dir/figures.json" \
  --steady-from "$(cat "$run_dir/samples.csv.steady" 2>/dev/null || echo 0)" || status=1
errors=$("$bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["whole"]["rows"][-1]["errors"])' \
  "$run_dir/figures.json" 2>/dev/null || echo "?")
[ "$errors" = "0" ] || status=1

echo "== checking the submissions (waiting for the worker to score them)"
"$bin/python" manage.py loadtest verify "$run_dir/submitted.txt" || status=1
worker_cpu=$(awk -v a="$(cpu_seconds "${pids[0]}")" -v b="$worker_cpu_before" 'BEGIN { printf "%.1f", a - b }')
requests=$("$bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["whole"]["rows"][-1]["requests"])' \
  "$run_dir/figures.json" 2>/dev/null || echo 0)
echo "CPU used during the run: web $web_cpu s ($(awk -v c="$web_cpu" -v n="$requests" \
  'BEGIN { printf "%.0f", n ? c * 1000 / n : 0 }') ms a request), Celery worker $worker_cpu s (until scored)," \
  "load generator $locust_cpu s"
if grep -q "Traceback" "$run_dir/web-errors.log" "$run_dir/worker.log"; then
  echo "Tracebacks were logged: see $run_dir/web-errors.log and $run_dir/worker.log" >&2
  status=1
fi
exit $status
