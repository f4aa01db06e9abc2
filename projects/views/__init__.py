"""Pages for calls and proposals. Views parse input, look objects up through querysets scoped to the user (404
for anything the user may not see), call the domain functions, and render."""

from projects.views.attachments import (
    attachment_delete,
    attachment_download,
    attachment_upload,
    introduction_attachment,
)
from projects.views.calendars import call_feed, calls_feed, personal_feed, personal_feed_page, personal_feed_reset
from projects.views.calls import call_detail, call_list
from projects.views.decisions import decision_email, outbox
from projects.views.introductions import (
    ask,
    introduce,
    introduction_answer,
    introduction_detail,
    introduction_list,
)
from projects.views.my_proposals import dashboard
from projects.views.proposals import (
    proposal_autosave,
    proposal_delete,
    proposal_detail,
    proposal_edit,
    proposal_start,
    proposal_withdraw,
)
from projects.views.reviewing import (
    review_attachment,
    review_conflict,
    review_list,
    review_proposal,
    reviewer_invitation,
)
from projects.views.team import (
    co_investigator_change_access,
    co_investigator_invite,
    co_investigator_remove_access,
    invitation,
)
from projects.views.versions import proposal_reopen, proposal_versions, version_file

__all__ = [
    "ask",
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "call_detail",
    "call_feed",
    "call_list",
    "calls_feed",
    "co_investigator_change_access",
    "co_investigator_invite",
    "co_investigator_remove_access",
    "dashboard",
    "decision_email",
    "introduce",
    "introduction_answer",
    "introduction_attachment",
    "introduction_detail",
    "introduction_list",
    "invitation",
    "outbox",
    "personal_feed",
    "personal_feed_page",
    "personal_feed_reset",
    "proposal_autosave",
    "proposal_delete",
    "proposal_detail",
    "proposal_edit",
    "proposal_reopen",
    "proposal_start",
    "proposal_versions",
    "proposal_withdraw",
    "review_attachment",
    "review_conflict",
    "review_list",
    "review_proposal",
    "reviewer_invitation",
    "version_file",
]
