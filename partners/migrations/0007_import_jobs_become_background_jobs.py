"""Capability imports become background jobs like any other (leoportal.BackgroundJob, kind
``partners.capability_import``): every ImportJob row moves over, keeping its public id (old links redirect to the
job's page), and the model goes. Queued and running ones are picked up by the job upkeep under their new ids."""

from django.db import migrations

STATES = {"queued": "queued", "running": "running", "succeeded": "done", "failed": "failed"}


def move_import_jobs(apps, schema_editor):
    ImportJob = apps.get_model("partners", "ImportJob")
    BackgroundJob = apps.get_model("leoportal", "BackgroundJob")
    for old in ImportJob.objects.select_related("upload__organisation").iterator():
        upload = old.upload
        organisation = upload.organisation
        BackgroundJob.objects.create(
            public_id=old.public_id,
            owner_id=old.owner_id,
            kind="partners.capability_import",
            label=f"Import of {upload.filename} into {organisation.name}"[:200],
            params={
                "upload_id": upload.pk,
                "filename": upload.filename,
                "organisation_id": organisation.pk,
                "digest": old.digest,
                "return_url": f"/provider/organisations/{organisation.slug}/",
                "return_label": f"Back to {organisation.name}",
            },
            state=STATES[old.state],
            progress_done=old.done,
            progress_total=old.total,
            summary=old.summary,
            error=old.error,
            problems=[
                {
                    "entry": None,
                    "label": "Problems",
                    "problems": [["Where", path, message] for path, message in old.problems],
                }
            ]
            if old.problems
            else [],
            attempts=old.attempts,
            created_at=old.created_at,
            started_at=old.started_at,
            finished_at=old.finished_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_catalogue_search_terms"),
        ("leoportal", "0013_one_job_model_fields"),
    ]

    operations = [
        migrations.RunPython(move_import_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(name="ImportJob"),
    ]
