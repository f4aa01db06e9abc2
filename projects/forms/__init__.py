"""The projects app's forms, a module per subject; the names are importable from here too."""

from projects.forms.attachments import AttachmentForm
from projects.forms.concept import ConceptForm
from projects.forms.introductions import AnswerForm, IntroduceForm, introducible_organisations
from projects.forms.proposal import (
    ProposalForm,
    StartProposalForm,
    WithdrawForm,
    proposal_version,
    section_renderings,
)
from projects.forms.team import BaseCoInvestigatorFormSet, CoInvestigatorForm, CoInvestigatorFormSet, InviteForm

__all__ = [
    "AnswerForm",
    "AttachmentForm",
    "BaseCoInvestigatorFormSet",
    "CoInvestigatorForm",
    "CoInvestigatorFormSet",
    "ConceptForm",
    "IntroduceForm",
    "InviteForm",
    "ProposalForm",
    "StartProposalForm",
    "WithdrawForm",
    "introducible_organisations",
    "proposal_version",
    "section_renderings",
]
