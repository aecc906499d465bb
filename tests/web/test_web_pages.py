"""The web app's pages through Flask's test client: the way in, one question per page, the review,
submitting, the headers, the refusals, and that nothing is stored twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from sijpro import i18n
from tests.web.fixture_door import FixtureDoor, invited_patient
from ui.web.app import PASS_COOKIE, create_app
from ui.web.words import TEMPLATE_KEYS

TEMPLATES = Path(__file__).resolve().parents[2] / "ui" / "web" / "templates"


@pytest.fixture
def database_url(tmp_path):
    """The pages on an SQLite file: the services below them are tested on PostgreSQL elsewhere, and the
    load test runs the web app on it."""
    return str(tmp_path / "clinic.sqlite")


@pytest.fixture
def web(clinic, clock):
    door = FixtureDoor(clinic)
    link = invited_patient(clinic, door, clock.today())
    app = create_app(door)
    app.testing = True
    return app.test_client(), door, link, clinic


def token_of(page: str) -> str:
    found = re.search(r'name="form_token" value="([0-9a-f]+)"', page)
    assert found, page
    return found.group(1)


def enter(client, secret="LINK-TOKEN", born=("12", "4", "1961")):
    return client.post("/confirm", data={"secret": secret, "day": born[0], "month": born[1], "year": born[2]})


def answers(clinic, visit_id):
    with clinic.database.reading() as session:
        rows = session.execute(text(
            "SELECT r.instrument, r.mode, r.status, a.item, a.value FROM responses r JOIN answers a "
            "ON a.response_id = r.id WHERE r.visit_id = :v ORDER BY r.instrument, a.item"), {"v": visit_id}).all()
    return [tuple(row) for row in rows]


def test_every_page_key_is_in_the_catalogue_and_listed() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z0-9_.]+)["']""", template.read_text(encoding="utf-8")))
    assert used == set(TEMPLATE_KEYS)
    for language in i18n.LANGUAGES:
        assert all(i18n.has(language, key) for key in used)


def test_a_whole_visit_one_question_per_page_each_answer_saved_at_once(web) -> None:
    client, _door, link, clinic = web
    start = client.get("/v/LINK-TOKEN")
    assert start.status_code == 200 and "Please confirm it is you" in start.text
    assert 'lang="en"' in start.text
    entered = enter(client)
    assert entered.status_code == 303 and entered.headers["Location"].endswith("/q")
    cookie = entered.headers["Set-Cookie"]
    assert PASS_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/q").headers["Location"].endswith("/q/1")
    first = client.get("/q/1")
    assert "Question 1 of 15" in first.text and "<fieldset" in first.text and "<legend>" in first.text
    form = token_of(first.text)
    number = 1
    while True:
        page = client.get(f"/q/{number}").text
        radios = re.findall(r'name="choice" value="([0-9a-z]+)"', page)
        choice = radios[0] if radios[0] != "alternative" else radios[1]
        sent = client.post(f"/q/{number}", data={"form_token": form, "choice": choice})
        assert sent.status_code == 303
        stored = answers(clinic, link.visit_id)
        assert len(stored) >= number  # saved the moment it is given
        location = sent.headers["Location"]
        if location.endswith("/review"):
            break
        assert location.endswith(f"/q/{number + 1}")
        number += 1
    assert number == 15
    review = client.get("/review")
    assert review.status_code == 200 and review.text.count('?from=review"') == 15
    done = client.post("/submit", data={"form_token": form})
    assert done.headers["Location"].endswith("/done")
    rows = answers(clinic, link.visit_id)
    assert {row[1] for row in rows} == {"web"} and {row[2] for row in rows} == {"complete"}
    # a replayed submit and a re-sent answer: a clear page, nothing added
    again = client.post("/submit", data={"form_token": form})
    assert again.status_code == 200 and "already sent" in again.text
    client.post("/q/1", data={"form_token": form, "choice": "3"})
    assert answers(clinic, link.visit_id) == rows


def test_back_review_change_and_resume_on_another_device(web) -> None:
    client, _door, link, clinic = web
    enter(client)
    form = token_of(client.get("/q/1").text)
    client.post("/q/1", data={"form_token": form, "choice": "7"})
    client.post("/q/1", data={"form_token": form, "choice": "7"})  # re-sent: one answer
    client.post("/q/2", data={"form_token": form, "choice": "4"})
    assert 'href="/q/1"' in client.get("/q/2").text  # Back
    assert 'value="7" checked' in client.get("/q/1").text
    other = client.application.test_client()
    enter(other)
    assert other.get("/q").headers["Location"].endswith("/q/3")  # resumes where it stopped
    changed = other.post("/q/1", data={"form_token": token_of(other.get("/q/1").text), "choice": "5",
                                       "from": "review"})
    assert changed.headers["Location"].endswith("/review")
    assert [row[3:] for row in answers(clinic, link.visit_id) if row[0] == "nrs"] == [("lumbar", 5), ("radicular", 4)]
    assert {row[1] for row in answers(clinic, link.visit_id)} == {"web"}


def test_nothing_chosen_or_a_value_never_offered_is_asked_again(web) -> None:
    client, _door, link, clinic = web
    enter(client)
    form = token_of(client.get("/q/1").text)
    for bad in ({}, {"choice": "11"}, {"choice": "skip"}):
        sent = client.post("/q/1", data={"form_token": form, **bad})
        assert sent.headers["Location"].endswith("/q/1?missing=1")
    assert "Please choose an answer" in client.get("/q/1?missing=1").text
    assert answers(clinic, link.visit_id) == []
    refused = client.post("/review")
    assert refused.status_code == 405
    incomplete = client.post("/submit", data={"form_token": form})
    assert incomplete.headers["Location"].endswith("/review?missing=1")


def test_a_form_without_the_pass_token_is_refused(web) -> None:
    client, _door, link, clinic = web
    enter(client)
    assert client.post("/q/1", data={"choice": "3"}).status_code == 403
    assert client.post("/q/1", data={"choice": "3", "form_token": "0" * 64}).status_code == 403
    assert client.post("/submit", data={}).status_code == 403
    assert answers(clinic, link.visit_id) == []


def test_wrong_birth_date_counts_down_then_locks(web) -> None:
    client, _door, _link, _clinic = web
    wrong = enter(client, born=("13", "4", "1961"))
    assert wrong.status_code == 400 and "You have 4 tries left" in wrong.text
    assert enter(client, born=("31", "2", "1961")).status_code == 400  # not a date: not a try
    assert "real date" in enter(client, born=("31", "2", "1961")).text
    for _ in range(3):
        enter(client, born=("1", "1", "1960"))
    locked = enter(client, born=("1", "1", "1960"))
    assert locked.status_code == 423 and "This link is locked" in locked.text
    assert enter(client).status_code == 423  # even the right date now


@pytest.mark.parametrize("status", ["expired", "revoked", "locked", "unknown"])
def test_closed_links_say_why(web, status) -> None:
    client, door, _link, _clinic = web
    if status != "unknown":
        door.links["LINK-TOKEN"].status = status
    page = client.get("/v/LINK-TOKEN" if status != "unknown" else "/v/NO-SUCH-LINK")
    assert page.status_code in {404, 410, 423}
    assert i18n.text("en", f"web.closed.{status}.title") in page.text


def test_the_short_code_form_and_french(web, clinic, clock) -> None:
    client, door, _link, _ = web
    invited_patient(clinic, door, clock.today(), mrn="WEB002", language="fr", secret="K7P2QX")
    assert "Code from the letter" in client.get("/", headers={"Accept-Language": "en-GB"}).text
    empty = client.post("/", data={"code": " "})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.text
    page = client.post("/", data={"code": "k7p2 qx"})
    assert page.status_code == 200 and 'lang="fr"' in page.text and "Votre date de naissance" in page.text
    entered = enter(client, secret="K7P2QX")
    assert entered.status_code == 303
    question = client.get("/q/1")
    assert 'lang="fr"' in question.text and "Question 1 sur 15" in question.text


def test_every_page_carries_the_security_headers(web) -> None:
    client, _door, _link, _clinic = web
    for response in (client.get("/"), client.get("/v/LINK-TOKEN"), enter(client), client.get("/q/1"),
                     client.get("/nowhere")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in client.get("/q/1").text


def test_no_pass_and_server_trouble_are_pages_never_a_traceback(web, monkeypatch, tmp_path) -> None:
    client, door, _link, _clinic = web
    monkeypatch.setenv("SIJPRO_LOG_DIR", str(tmp_path / "logs"))
    assert client.get("/q/1").status_code == 401
    enter(client)
    from sijpro.errors import Unreachable

    def down(_token, **_where):
        raise Unreachable("the database server cannot be reached")

    monkeypatch.setattr(door, "enter", down)
    page = client.get("/q/1")
    assert page.status_code == 503 and "try again" in page.text and "Traceback" not in page.text

    def broken(_token, **_where):
        raise RuntimeError("bug")

    monkeypatch.setattr(door, "enter", broken)
    page = client.get("/q/1")
    assert page.status_code == 503 and "RuntimeError" not in page.text
    logged = (tmp_path / "logs" / "sijpro.log").read_text()  # for support, not the patient
    assert "Traceback" in logged and "RuntimeError" in logged  # the stack and the type, never the error's words


def test_an_optional_question_may_be_skipped_and_relief_answered_by_its_alternative(web) -> None:
    client, _door, link, clinic = web
    enter(client)
    form = token_of(client.get("/q/1").text)
    sex_life = client.get("/q/10").text
    assert 'value="skip"' in sex_life and "I prefer not to answer" in sex_life
    assert 'value="skip"' not in client.get("/q/9").text
    client.post("/q/10", data={"form_token": form, "choice": "skip"})
    relief = client.get("/q/15").text
    assert 'value="alternative"' in relief and "worse than before surgery" in relief
    client.post("/q/15", data={"form_token": form, "choice": "alternative"})
    review = client.get("/review").text
    assert "you preferred not to answer" in review and "My pain is worse than before surgery" in review
    stored = {row[3]: row[4] for row in answers(clinic, link.visit_id)}
    assert stored == {"odi8": None, "percent": None, "worse": 1}
    client.post("/q/15", data={"form_token": form, "choice": "40"})  # changed: on the scale, not worse
    assert {row[3]: row[4] for row in answers(clinic, link.visit_id)} == {"odi8": None, "percent": 40, "worse": 0}
