"""The projects app's domain: one module per subject, each owning its business actions (views, admin actions, tasks
and commands call these functions). Below the forms and views, above the models; a module queues its tasks with
``leoportal.dispatch`` and imports them at the top (tasks import the domain only inside their bodies)."""
