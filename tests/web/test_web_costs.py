"""What a page of the web app asks of the database: a bounded number of statements per page, a claim
renewed once it has run for a minute (not on every page), and a tablet taking the visit over is still
seen at once. 200 patients answering at once is ``bench/web_load.py``; this keeps its reason in the suite.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from tests.web.test_web_invited import confirm, form_token, stored

QUESTION_PAGE_STATEMENTS = 10
"""A question's page: the pass and the visit's claim, the questionnaires due and their answers."""
ANSWER_STATEMENTS = 30
"""An answer: the same reading, the answer itself, and its audit (the chain's head, the event, the
fingerprints of the rows it changed)."""


@pytest.fixture
def database_url(tmp_path):
    return str(tmp_path / "clinic.sqlite")


class Statements:
    """Every statement the clinic's engine sends, counted."""

    def __init__(self, engine) -> None:
        self.sent: list[str] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _connection, _cursor, statement, *_rest) -> None:
        self.sent.append(" ".join(statement.split())[:80])

    def during(self, action):
        self.sent = []
        result = action()
        return result, list(self.sent)


def test_a_page_and_an_answer_cost_a_bounded_number_of_statements(invited) -> None:
    app, issued, clinic, _patient = invited
    client = app.test_client()
    confirm(client, issued.token)
    token = form_token(client)
    statements = Statements(clinic.database.engine)
    for number, choice in ((1, "6"), (2, "4"), (3, "2")):
        answered, sent = statements.during(
            lambda number=number, choice=choice: client.post(f"/q/{number}", data={"form_token": token,
                                                                                    "choice": choice}))
        assert answered.status_code == 303
        assert len(sent) <= ANSWER_STATEMENTS, sent
        page, sent = statements.during(lambda location=answered.headers["Location"]: client.get(location))
        assert page.status_code == 200
        assert len(sent) <= QUESTION_PAGE_STATEMENTS, sent
        assert not any(line.startswith(("UPDATE", "INSERT", "DELETE")) for line in sent), sent
    assert stored(clinic, issued.visit_id) == [("nrs", "web", "lumbar", 6), ("nrs", "web", "radicular", 4),
                                               ("odi", "web", "odi1", 2)]


def test_the_web_claim_is_renewed_after_a_minute_and_lapses_without_pages(invited, clock) -> None:
    app, issued, clinic, patient = invited
    client = app.test_client()
    confirm(client, issued.token)
    client.post("/q/1", data={"form_token": form_token(client), "choice": "6"})
    claimed = clinic.claims.holder(issued.visit_id)
    clock.set(clock.now() + dt.timedelta(seconds=30))
    client.get("/q/2")
    assert clinic.claims.holder(issued.visit_id).expires_at == claimed.expires_at  # not on every page
    clock.set(clock.now() + dt.timedelta(minutes=10))
    client.get("/q/2")  # the patient reads on: the claim runs a quarter of an hour from now
    renewed = clinic.claims.holder(issued.visit_id)
    quarter_hour_on = (clock.now() + dt.timedelta(minutes=15)).replace(tzinfo=None)  # stored naive UTC
    assert renewed.device == claimed.device and renewed.expires_at == quarter_hour_on
    clock.set(clock.now() + dt.timedelta(minutes=16))  # the phone put away: a tablet may have the visit
    tablet = clinic.hand_over(patient.id, device="tablet-3")
    tablet.claims.claim([issued.visit_id], "tablet-3")
    assert clinic.claims.holder(issued.visit_id).device == "tablet-3"


def test_a_tablet_taking_the_visit_over_is_seen_on_the_very_next_page(invited) -> None:
    app, issued, clinic, patient = invited
    client = app.test_client()
    confirm(client, issued.token)
    token = form_token(client)
    client.post("/q/1", data={"form_token": token, "choice": "6"})
    tablet = clinic.hand_over(patient.id, device="tablet-3")
    tablet.claims.claim([issued.visit_id], "tablet-3", take_over=True)  # within the web claim's first minute
    page = client.get("/q/2")
    assert page.status_code == 409 and "clinic tablet" in page.text
    sent = client.post("/q/2", data={"form_token": token, "choice": "3"})
    assert sent.status_code == 409
    assert stored(clinic, issued.visit_id) == [("nrs", "web", "lumbar", 6)]
