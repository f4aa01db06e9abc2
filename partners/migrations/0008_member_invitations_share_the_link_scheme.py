"""Member invitations share the link scheme of every invitation (leoportal/domain/invitations.py): the link's token is
made when the e-mail is sent and only its hash is kept; ``emailed_at`` becomes ``sent_at``, as elsewhere. Links
already e-mailed (signed keys) keep opening their invitation until it expires: nothing needs moving."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_import_jobs_become_background_jobs"),
    ]

    operations = [
        migrations.RenameField(model_name="invitation", old_name="emailed_at", new_name="sent_at"),
        migrations.AddField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=~Q(token_hash=""), fields=("token_hash",), name="member_invitation_token_unique"
            ),
        ),
    ]
