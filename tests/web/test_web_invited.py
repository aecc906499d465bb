"""The web app over the invitations' own door (``ui.web.clinic_door``): an issued link answered through the
pages, mode web, the claim, a second device, a tablet holding the visit, a revoked link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text


@pytest.fixture
def database_url(tmp_path):
    return str(tmp_path / "clinic.sqlite")


def confirm(client, secret, born=("12", "4", "1961")):
    return client.post("/confirm", data={"secret": secret, "day": born[0], "month": born[1], "year": born[2]})


def form_token(client, number=1):
    return re.search(r'name="form_token" value="([0-9a-f]+)"', client.get(f"/q/{number}").text).group(1)


def stored(clinic, visit_id):
    with clinic.database.reading() as session:
        return [tuple(row) for row in session.execute(text(
            "SELECT r.instrument, r.mode, a.item, a.value FROM responses r JOIN answers a ON a.response_id = r.id "
            "WHERE r.visit_id = :v ORDER BY r.instrument, a.item"), {"v": visit_id}).all()]


def test_an_issued_link_and_its_code_open_the_visit_and_answers_arrive_in_mode_web(invited) -> None:
    app, issued, clinic, _patient = invited
    client = app.test_client()
    assert "Please confirm it is you" in client.get(issued.link.removeprefix("https://prom.example.org")).text
    assert "Please confirm it is you" in client.post("/", data={"code": issued.printed_code.lower()}).text
    wrong = confirm(client, issued.token, ("1", "1", "1950"))
    assert wrong.status_code == 400 and "4 tries left" in wrong.text
    assert confirm(client, issued.token).status_code == 303
    token = form_token(client)
    client.post("/q/1", data={"form_token": token, "choice": "6"})
    client.post("/q/1", data={"form_token": token, "choice": "6"})
    assert stored(clinic, issued.visit_id) == [("nrs", "web", "lumbar", 6)]
    assert any(claim.visit_id == issued.visit_id and claim.device.startswith("web") for claim in clinic.claims.active())


def test_a_second_device_takes_over_and_the_first_is_told(invited) -> None:
    app, issued, clinic, _patient = invited
    phone, laptop = app.test_client(), app.test_client()
    confirm(phone, issued.token)
    phone_token = form_token(phone)
    phone.post("/q/1", data={"form_token": phone_token, "choice": "6"})
    confirm(laptop, issued.token)
    assert laptop.get("/q").headers["Location"].endswith("/q/2")  # resumes where the phone stopped
    moved = phone.post("/q/2", data={"form_token": phone_token, "choice": "3"})
    assert moved.status_code == 409 and "another device" in moved.text
    assert stored(clinic, issued.visit_id) == [("nrs", "web", "lumbar", 6)]


def test_a_tablet_holding_the_visit_keeps_the_web_out(invited) -> None:
    app, issued, clinic, patient = invited
    tablet = clinic.hand_over(patient.id, device="tablet-3")
    tablet.claims.claim([issued.visit_id], "tablet-3")
    client = app.test_client()
    confirm(client, issued.token)
    held = client.get("/q")
    assert held.status_code == 409 and "clinic tablet" in held.text


def test_a_revoked_link_says_so(invited) -> None:
    app, issued, clinic, _patient = invited
    clinic.invitations.revoke(issued.invitation_id, "sent to the wrong address")
    page = app.test_client().get(f"/v/{issued.token}")
    assert page.status_code == 410 and "no longer valid" in page.text
