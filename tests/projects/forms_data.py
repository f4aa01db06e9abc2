"""POST data for the proposal form, as a browser sends it."""

from projects.domain.proposals import EDITABLE_FIELDS

TRI_STATE = ("co2", "humidity", "imaging", "variable_gravity", "sample_return")
LISTS = ("research_areas", "needs")
CHECKBOXES = ("attest_us_persons", "attest_export_control")


def proposal_data(proposal=None, *, action="save", coi=None, **values) -> dict:
    """Every field blank ("not stated"), with ``values`` filled in; ``coi`` a list of co-investigator rows."""
    data = {"action": action}
    for name in EDITABLE_FIELDS:
        if name in TRI_STATE:
            data[name] = "unknown"
        elif name in LISTS or name in CHECKBOXES:
            continue
        else:
            data[name] = ""
    if proposal is not None and proposal.call_id and "call" not in values:
        data["call"] = str(proposal.call.public_id)
    for name, value in values.items():
        if name in CHECKBOXES:
            if value:
                data[name] = "on"
        else:
            data[name] = value
    rows = coi or []
    data.update(
        {
            "coi-TOTAL_FORMS": str(len(rows)),
            "coi-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
            "coi-MIN_NUM_FORMS": "0",
            "coi-MAX_NUM_FORMS": "30",
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"coi-{index}-{key}"] = value
    return data
