"""Introductions for a provider in the API (``/api/v1/introductions``), with a token of the organisation.

What program staff introduced to the organisation, as its page on the site shows it: staff's note, the proposal's
title, summary and flight requirements, the match explanation as it stood, the answer, and the research team's
contact once the organisation answered interested (until the proposal closes). A write token answers, once, through
the same domain function as the site's form. A proposal not introduced to the organisation is 404.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema

from leoportal.api.access import Detail, FieldProblems, Refused, organisation_of, page_of, require_write
from projects.domain.introductions import answer_introduction
from projects.exceptions import IntroductionError
from projects.forms import AnswerForm
from projects.models import FLIGHT_REQUIREMENT_FIELDS, Introduction

router = Router(tags=["Introductions"])
PAGE_SIZE = 50


class Check(Schema):
    name: str
    outcome: str
    detail: str


class Contact(Schema):
    name: str
    email: str
    organisation: str


class IntroductionOut(Schema):
    id: uuid.UUID
    url: str
    introduced_at: datetime
    note: str
    proposal_title: str
    proposal_summary: str
    proposal_status: str
    flight_requirements: dict
    facility_id: uuid.UUID | None
    facility_name: str
    score: float | None
    fit: str
    match_summary: str
    criteria: list[Check]
    near_miss: str
    answer: str
    message: str
    answered_at: datetime | None
    contact: Contact | None


class IntroductionPage(Schema):
    count: int
    page: int
    pages: int
    next: str | None
    previous: str | None
    results: list[IntroductionOut]


class AnswerIn(Schema):
    answer: str
    message: str = ""


def _reachable(request):
    organisation = organisation_of(request)
    if organisation is None:
        return Introduction.objects.none()  # a personal token speaks for no organisation
    return (
        Introduction.objects.filter(organisation=organisation)
        .select_related("proposal__owner", "capability", "answered_by")
        .order_by("-created_at", "-id")
    )


def _one(request, introduction_id) -> Introduction:
    found = _reachable(request).filter(public_id=introduction_id).first()
    if found is None:
        raise Http404("No such introduction to this token's organisation.")
    return found


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _out(request, introduction: Introduction) -> dict:
    proposal = introduction.proposal
    contact = None
    if introduction.contacts_shared:
        contact = {
            "name": proposal.owner.display_name,
            "email": proposal.owner.email,
            "organisation": proposal.organisation or proposal.owner.organisation or "",
        }
    return {
        "id": introduction.public_id,
        "url": request.build_absolute_uri(introduction.get_absolute_url()),
        "introduced_at": introduction.created_at,
        "note": introduction.note,
        "proposal_title": proposal.display_title,
        "proposal_summary": proposal.summary,
        "proposal_status": proposal.status,
        "flight_requirements": {name: _plain(getattr(proposal, name)) for name in FLIGHT_REQUIREMENT_FIELDS},
        "facility_id": introduction.capability.public_id if introduction.capability else None,
        "facility_name": introduction.facility_name,
        "score": introduction.score,
        "fit": introduction.fit,
        "match_summary": introduction.summary,
        "criteria": introduction.criteria,
        "near_miss": introduction.near_miss,
        "answer": introduction.answer,
        "message": introduction.message,
        "answered_at": introduction.answered_at,
        "contact": contact,
    }


@router.get(
    "",
    response={200: IntroductionPage, 422: FieldProblems},
    url_name="introductions",
    summary="What program staff introduced to your organisation, newest first (organisation token)",
)
def introductions(request, page: int = 1, waiting: bool = False):
    found = _reachable(request)
    if waiting:
        found = found.awaiting_answer()
    return page_of(request, found, page, PAGE_SIZE, lambda introduction: _out(request, introduction))


@router.get("/{introduction_id}", response=IntroductionOut, url_name="introduction", summary="One introduction")
def introduction(request, introduction_id: uuid.UUID):
    return _out(request, _one(request, introduction_id))


@router.post(
    "/{introduction_id}/answer",
    response={200: IntroductionOut, 403: Detail, 409: Detail, 422: FieldProblems},
    url_name="introduction_answer",
    summary="Answer an introduction, once: interested or not_interested, with a message (organisation token, write)",
)
def answer(request, introduction_id: uuid.UUID, payload: AnswerIn):
    found = _one(request, introduction_id)
    require_write(request)
    form = AnswerForm({"answer": payload.answer, "message": payload.message})
    if not form.is_valid():
        problems = [{"field": name, "message": str(m)} for name, messages in form.errors.items() for m in messages]
        raise Refused(422, "The answer was not sent: fix what is below.", problems)
    try:
        answer_introduction(
            found, request.auth.user, form.cleaned_data["answer"] == "interested", form.cleaned_data["message"]
        )
    except IntroductionError as error:
        raise Refused(409, error.message) from None
    return _out(request, _one(request, introduction_id))
