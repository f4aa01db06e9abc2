"""The load test's figures from the raw samples the load generator wrote: requests, rate, latency percentiles and
errors, per kind of request and overall. Pure Python (no Django, no locust), so it is tested on its own.

Percentiles are nearest-rank on the exact times (no buckets): p95 is the smallest time that at least 95 % of the
requests took no longer than.

    python scripts/loadtest/figures.py SAMPLES.csv [--steady-from EPOCH] [--json OUT]

With --steady-from, the figures are given twice: for the whole run (the ramp included, when every user signs in)
and for the requests started once every user was running.
"""

import argparse
import csv
import json
import math
import sys
from collections import Counter
from dataclasses import asdict, dataclass

PERCENTILES = (50, 95, 99)
FIELDS = ("kind", "started", "ms", "ok", "error")


@dataclass(frozen=True)
class Sample:
    kind: str
    started: float  # seconds since the epoch
    ms: float
    ok: bool
    error: str = ""


@dataclass
class Row:
    kind: str
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float
    max: float


@dataclass
class Figures:
    rows: list[Row]  # one per kind, by number of requests, then "all"
    duration_s: float
    rps: float
    errors: dict[str, int]  # "kind: message" -> count


def percentile(values, p: float) -> float:
    """Nearest-rank percentile of ``values`` (0 < p <= 100)."""
    if not values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p} is outside (0, 100]")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _row(kind: str, samples: list[Sample]) -> Row:
    times = [s.ms for s in samples]
    p50, p95, p99 = (percentile(times, p) for p in PERCENTILES)
    return Row(kind, len(samples), sum(not s.ok for s in samples), p50, p95, p99, max(times))


def figures(samples: list[Sample]) -> Figures:
    if not samples:
        raise ValueError("The load generator recorded no requests.")
    by_kind: dict[str, list[Sample]] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample)
    rows = [_row(kind, group) for kind, group in sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))]
    rows.append(_row("all", samples))
    first = min(s.started for s in samples)
    last = max(s.started + s.ms / 1000 for s in samples)
    duration = max(last - first, 1e-9)
    errors = Counter(f"{s.kind}: {s.error}" for s in samples if not s.ok)
    return Figures(rows, round(duration, 1), len(samples) / duration, dict(errors.most_common()))


def report(result: Figures) -> str:
    total = result.rows[-1]
    lines = [
        f"{'request':<22}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for row in result.rows:
        if row.kind == "all":
            lines.append("-" * 74)
        lines.append(
            f"{row.kind:<22}{row.requests:>8}{row.errors:>8}{row.p50:>9.0f}{row.p95:>9.0f}{row.p99:>9.0f}{row.max:>9.0f}"
        )
    lines.append(
        f"requests: {total.requests} in {result.duration_s:.1f} s, {result.rps:.1f} per second; "
        f"p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms, p99 {total.p99:.0f} ms; errors: {total.errors}"
    )
    for message, count in result.errors.items():
        lines.append(f"  error x{count}: {message}")
    return "\n".join(lines)


def read_samples(path) -> list[Sample]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Sample(row["kind"], float(row["started"]), float(row["ms"]), row["ok"] == "1", row["error"])
            for row in csv.DictReader(handle)
        ]


def write_samples(samples, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for s in samples:
            writer.writerow([s.kind, f"{s.started:.6f}", f"{s.ms:.3f}", "1" if s.ok else "0", s.error])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Figures of a load test run from its samples.")
    parser.add_argument("samples")
    parser.add_argument("--steady-from", type=float, default=0.0, help="epoch seconds when every user was running")
    parser.add_argument("--json", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    try:
        samples = read_samples(args.samples)
        whole = figures(samples)
        steady = figures([s for s in samples if s.started >= args.steady_from]) if args.steady_from else None
    except (OSError, ValueError, KeyError) as error:
        print(f"Cannot compute the figures from {args.samples}: {error}", file=sys.stderr)
        return 1
    print("Whole run (the ramp included):" if steady else "Whole run:")
    print(report(whole))
    if steady:
        print(f"\nOnce every user was running ({steady.duration_s:.1f} s):")
        print(report(steady))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"whole": asdict(whole), "steady": asdict(steady) if steady else None}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
