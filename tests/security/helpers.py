"""What the hostile-input tests share: a savepoint per example, and the whole database as a value to compare."""

from contextlib import contextmanager

from django.apps import apps
from django.db import transaction

STATE_APPS = ("leoportal", "projects", "partners")


@contextmanager
def rolled_back():
    """Run the block in a savepoint that is always rolled back, so each hypothesis example starts afresh."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def database_state() -> dict:
    """Every row of the apps' tables (history included), to show that a refused request changed nothing."""
    state = {}
    for label in STATE_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name == "user":
                rows = model.objects.order_by("pk").values_list("pk", "email", "full_name", "organisation", "role")
            else:
                rows = model.objects.order_by("pk").values_list()
            state[model._meta.label] = list(rows)
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]
