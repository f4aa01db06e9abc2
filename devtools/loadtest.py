"""The load test's accounts and drafts (``prepare``) and its check afterwards (``verify``).

The load test (``make loadtest``, scripts/loadtest.sh) runs on the synthetic volume of devtools.volume. ``prepare``
gives the first ``users`` volume researchers a password and a verified address, opens a call, and for each of them
makes one scratch draft to save over and over and ``drafts`` complete drafts with a narrative PDF, ready to submit.
Everything it makes carries an ``external_id`` starting with ``EXTERNAL_PREFIX``, and a second ``prepare`` deletes
it first, so runs do not pile up. The plan (accounts, their proposals, the drafts) is written as JSON for the load
generator.

``verify`` compares the submissions the load generator saw succeed with the database: every one must be submitted,
and scored (its matches stored after its scoring was requested). It waits for the worker, up to a timeout.
"""

import io
import json
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from pypdf import PdfWriter

from devtools import volume
from leoportal.enums import Role
from leoportal.models import User
from projects.domain.attachments import delete_files_on_commit
from projects.domain.proposals import EDITABLE_FIELDS
from projects.domain.submission import LIST_FIELDS
from projects.enums import AttachmentKind, ProposalStatus
from projects.models import Attachment, Call, Proposal, StatusChange

EXTERNAL_PREFIX = "loadtest-"
CALL_CODE = "LOAD 2099-1"
TRI_STATE = ("co2", "humidity", "imaging", "variable_gravity", "sample_return")
PASSWORD = "leoportal-loadtest"  # noqa: S105 - synthetic accounts on a measuring database
STAFF_EMAIL = f"staff@{volume.VOLUME_DOMAIN}"

# A complete proposal, as the form posts it and as the drafts are stored. The load generator posts the same values.
COMPLETE = {
    "summary": "Expand induced pluripotent stem cells in a perfused bioreactor for 21 days and return them live.",
    "objectives": "Compare expansion, viability and differentiation potential against matched ground controls.",
    "organisation": "Volume University",
    "uei": "J7M9HPTGJ1S8",
    "attest_us_persons": True,
    "attest_export_control": True,
    "why_microgravity": "Without sedimentation and shear, cells expand in three dimensions without scaffolds.",
    "earth_benefit": "Cheaper cell therapies through higher-yield expansion.",
    "research_areas": ["stem_cells", "organoids"],
    "trl_current": 4,
    "trl_target": 6,
    "amount_requested": Decimal("250000"),
    "sample_type": "live_cells",
    "needs": ["cell_culture_bioreactor"],
    "temperature_min_c": Decimal("36.5"),
    "temperature_max_c": Decimal("37.5"),
    "co2": True,
    "duration_days": Decimal("21"),
    "crew_time": "low",
    "sample_return": True,
}


@dataclass
class Account:
    email: str
    password: str
    proposals: list[str]  # public ids of the account's submitted volume proposals
    scratch: str  # a draft the load generator saves again and again
    drafts: list[str]  # complete drafts, each submitted at most once


def minimal_pdf() -> bytes:
    """A one-page PDF that passes the attachment checks (made once, in memory)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def form_values(call: Call) -> dict:
    """The complete proposal as POST data (the load generator adds ``action``, ``version`` and a title)."""
    data = {name: "unknown" if name in TRI_STATE else "" for name in EDITABLE_FIELDS if name not in LIST_FIELDS}
    for name, value in COMPLETE.items():
        if isinstance(value, bool):
            data[name] = "on" if name.startswith("attest_") else str(value).lower()
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = str(value)
    data["call"] = str(call.public_id)
    return data


def remove_previous(log=print) -> int:
    """Delete what an earlier ``prepare`` made (its drafts and the submissions of its run), with their files."""
    with transaction.atomic():
        made = Proposal.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        names = list(Attachment.objects.filter(proposal__in=made).values_list("file", flat=True))
        count, _ = made.delete()
        delete_files_on_commit(names)
    log(f"removed {len(names)} files and {count} rows of an earlier load test")
    return count


def prepare(users: int, drafts: int, log=print) -> dict:
    """Accounts, an open call and drafts for ``users`` researchers of the volume; returns the plan."""
    researchers = list(
        User.objects.filter(email__endswith=f"@{volume.VOLUME_DOMAIN}", role=Role.RESEARCHER).order_by("email")[:users]
    )
    if len(researchers) < users:
        raise ValueError(
            f"The load test needs {users} volume researchers and the database has {len(researchers)}: run "
            "`manage.py seed_volume` first."
        )
    remove_previous(log)
    now = timezone.now()
    password = make_password(PASSWORD)  # one hash for all: hashing is slow on purpose
    with transaction.atomic():
        User.objects.filter(pk__in=[u.pk for u in researchers]).update(password=password, is_active=True)
        EmailAddress.objects.filter(user__in=researchers).delete()
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in researchers]
        )
        _staff_account(password)
        call, _ = Call.objects.update_or_create(
            code=CALL_CODE,
            defaults={
                "title": "Load test call",
                "description": "A call that is open while the load test runs.",
                "research_areas": ["stem_cells", "organoids"],
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=30),
                "funding_cap": Decimal("500000"),
            },
        )
        rows = []
        for user in researchers:
            rows.append(_draft(user, call, f"{EXTERNAL_PREFIX}{user.pk}-scratch", "Scratch draft", now, complete=False))
            rows.extend(
                _draft(user, call, f"{EXTERNAL_PREFIX}{user.pk}-{number}", f"Submission {number}", now, True)
                for number in range(drafts)
            )
        made = Proposal.objects.bulk_create(rows, batch_size=2000)
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    proposal=p, from_status="", to_status=ProposalStatus.DRAFT, changed_by=p.owner, changed_at=now
                )
                for p in made
            ],
            batch_size=2000,
        )
        pdf = minimal_pdf()
        attachments = []
        for proposal in made:
            if proposal.uei:  # the complete ones
                name = default_storage.save(f"attachments/{proposal.public_id}/narrative.pdf", ContentFile(pdf))
                attachments.append(
                    Attachment(
                        proposal=proposal,
                        kind=AttachmentKind.NARRATIVE,
                        file=name,
                        original_name="narrative.pdf",
                        size_bytes=len(pdf),
                        page_count=1,
                        uploaded_by=proposal.owner,
                        uploaded_at=now,
                    )
                )
        Attachment.objects.bulk_create(attachments, batch_size=2000)
    log(f"prepared {len(researchers)} accounts, call {call.code}, {len(made)} drafts ({len(attachments)} complete)")
    volume.analyze()

    by_owner: dict[int, Account] = {
        u.pk: Account(email=u.email, password=PASSWORD, proposals=[], scratch="", drafts=[]) for u in researchers
    }
    for owner_id, public_id in (
        Proposal.objects.filter(owner__in=researchers)
        .exclude(external_id__startswith=EXTERNAL_PREFIX)
        .values_list("owner_id", "public_id")
    ):
        by_owner[owner_id].proposals.append(str(public_id))
    for proposal in made:
        account = by_owner[proposal.owner_id]
        if proposal.uei:
            account.drafts.append(str(proposal.public_id))
        else:
            account.scratch = str(proposal.public_id)
    return {
        "call": str(call.public_id),
        "form": form_values(call),
        "accounts": [asdict(a) for a in by_owner.values()],
    }


def _staff_account(password: str) -> None:
    """One active staff member, so a submission notifies someone as it does in production."""
    staff, _ = User.objects.update_or_create(
        email=STAFF_EMAIL,
        defaults={"full_name": "Load Test Staff", "is_staff": True, "is_active": True, "password": password},
    )
    EmailAddress.objects.update_or_create(user=staff, email=staff.email, defaults={"verified": True, "primary": True})


def _draft(user, call, external_id, title, now, complete: bool) -> Proposal:
    values = COMPLETE if complete else {}
    return Proposal(
        owner=user,
        call=call,
        title=title,
        external_id=external_id,
        status=ProposalStatus.DRAFT,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
        **values,
    )


# --- After the run --------------------------------------------------------------------------------------------


@dataclass
class Verification:
    made: int  # submissions the load generator saw accepted
    saved: int  # of those, submitted in the database
    scored: int  # of those, with matches stored after the scoring request
    unexpected: int  # load-test proposals submitted in the database that the load generator did not report
    waited_s: float

    @property
    def ok(self) -> bool:
        return self.made == self.saved == self.scored and self.unexpected == 0

    def line(self) -> str:
        return (
            f"submissions: {self.made} made, {self.saved} saved, {self.scored} scored"
            + (f", {self.unexpected} submitted but not reported by the load generator" if self.unexpected else "")
            + f" (waited {self.waited_s:.1f} s for the worker)"
        )


def verify(submitted_ids, timeout_s: float = 120.0, poll_s: float = 1.0) -> Verification:
    """Check that every submission in ``submitted_ids`` (public ids) is saved and scored, waiting for the worker."""
    ids = sorted(set(submitted_ids))
    started = time.monotonic()
    while True:
        saved = Proposal.objects.filter(public_id__in=ids, status=ProposalStatus.SUBMITTED, submission_count=1)
        scored = (
            saved.filter(matched_at__isnull=False, matched_at__gte=F("match_requested_at"))
            .annotate(match_count=Count("matches"))
            .filter(match_count__gt=0)
        )
        figures = (saved.count(), scored.count())
        waited = time.monotonic() - started
        if figures[1] == figures[0] or waited >= timeout_s:
            break
        time.sleep(poll_s)
    unexpected = (
        Proposal.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        .exclude(status=ProposalStatus.DRAFT)
        .exclude(public_id__in=ids)
        .count()
    )
    return Verification(len(ids), figures[0], figures[1], unexpected, round(waited, 1))


def write_plan(plan: dict, path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(plan, handle, indent=1)
