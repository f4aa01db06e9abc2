"""The order make test runs in: slow tests start each process's first run (tests/conftest.py)."""

from tests.conftest import _scheduler_runs, slow_first


def runs_of(order, processes):
    """The consecutive runs pytest-xdist's worksteal scheduler hands each process first."""
    runs, start = [], 0
    for size in _scheduler_runs(len(order), processes):
        runs.append(order[start : start + size])
        start += size
    return runs


def test_the_scheduler_shares_a_collection_in_consecutive_runs_covering_it():
    assert _scheduler_runs(10, 3) == [3, 3, 4]
    assert _scheduler_runs(2435, 3) == [811, 812, 812]


def test_each_process_starts_with_its_share_of_the_slow_tests_longest_first():
    items = [f"t{n}" for n in range(30)]
    seconds = {"t29": 100, "t28": 90, "t27": 50, "t5": 40, "t12": 10}

    order = slow_first(items, seconds, 3)

    assert sorted(order) == sorted(items)
    assert [run[:2] for run in runs_of(order, 3)] == [["t29", "t0"], ["t28", "t12"], ["t27", "t5"]]
    fast = [item for item in order if item not in seconds]
    assert fast == [item for item in items if item not in seconds]


def test_more_slow_tests_than_a_run_holds_lose_no_test():
    items = [f"t{n}" for n in range(4)]
    seconds = dict.fromkeys(items, 10)

    assert sorted(slow_first(items, seconds, 3)) == sorted(items)
