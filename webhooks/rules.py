"""Who may see and change an organisation's webhooks: its members see them, its administrators change them.

Views look the organisation up through partners' 404-answering helpers, so nobody else learns that it has any.
"""

import rules

from leoportal.rules import grant_program_staff, is_program_staff
from partners.rules import is_organisation_admin, is_provider_member

can_see_webhooks = is_provider_member
can_manage_webhooks = is_organisation_admin

rules.add_perm("webhooks.manage_endpoints", can_manage_webhooks)
grant_program_staff("webhooks", "endpoint", actions=("view",))
grant_program_staff("webhooks", "delivery", actions=("view",))
grant_program_staff("webhooks", "attempt", actions=("view",))
rules.add_perm("webhooks", is_program_staff)
