from bot.cases.report import Report


def test_names_that_are_not_report_fields_are_left_out() -> None:
    report = Report.from_fields({"incident_type": "bullying", "requested_slot": "school"})
    assert report == Report(incident_type="bullying")


def test_a_story_fills_only_what_the_report_does_not_know() -> None:
    report = Report(incident_type="bullying", contact_ok=False)
    filled = report.filled_from(
        {"incident_type": "physical", "school_id": 3, "contact_ok": True, "description": "they push me"}
    )
    assert filled.incident_type == "bullying" and filled.contact_ok is False
    assert filled.school_id == 3 and filled.description == "they push me"
