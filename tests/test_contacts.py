"""Patient contact details and consent: checked by one rule (E.164 with the clinic's country, e-mail
syntax, a channel that has its detail and a yes), read and changed only by the roles allowed, audited
field by field, imported from the optional columns with every bad cell named by file, line and field."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from sijpro.access import ADMIN, EVERYONE, KIOSK, NURSE, SURGEON, AccessDenied, Capability
from sijpro.contact import ContactDraft, contact_problems, e164, email_problem
from sijpro.errors import InputErrors, UserError
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import FixedClock
from tests.factories import operated_patient, patient_draft
from tests.trusted import trusted

TODAY = dt.date(2024, 6, 3)
HEADER = "mrn,family_name,given_name,birth_date,surgery_date,phone,email,address,contact_channel\n"


@pytest.fixture
def clinic(tmp_path: Path):
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path), clock=FixedClock(TODAY))
    with trusted(str(path), "admin", clock=FixedClock(TODAY)) as admin:
        admin.auth.add_user("admin", "Ada", "admin", "clinic password 1")
        admin.auth.add_user("nina", "Nina", "nurse", "nurse password 1")
    with Clinic.open(str(path), clock=FixedClock(TODAY)) as opened:
        yield opened


def test_phone_numbers_get_their_e164_form_from_the_clinic_country() -> None:
    assert e164("06 12 34 56 78", "FR") == "+33612345678"
    assert e164("+41 44 668 18 00") == "+41446681800"
    assert e164("0041 44 668 18 00") == "+41446681800"
    assert e164("044 668 18 00", "CH") == "+41446681800"
    with pytest.raises(ValueError, match="country code"):
        e164("06 12 34 56 78")
    with pytest.raises(ValueError, match="not a valid phone number in FR"):
        e164("06 12", "FR")
    with pytest.raises(ValueError, match="is not a phone number"):
        e164("call me", "FR")


@pytest.mark.parametrize("address", ["anne@example.org", "a.b+tag@mail.example.co.uk", "o'neil@example.ie"])
def test_good_email_addresses(address: str) -> None:
    assert email_problem(address) is None


@pytest.mark.parametrize("address", ["anne", "anne@", "@example.org", "anne@example", "an ne@example.org",
                                     "anne@@example.org", "anne@-example.org", "=HYPERLINK(\"x\")@a.org"])
def test_bad_email_addresses(address: str) -> None:
    assert "is not an e-mail address" in str(email_problem(address) or "")


def test_a_channel_needs_its_detail_and_a_yes() -> None:
    problems = contact_problems(ContactDraft(channel="post"), "FR")
    assert list(map(str, problems)) == ["field 'address': the preferred channel is post, so a postal address is needed",
                        "field 'consent': a preferred channel (post) needs the patient's consent to be contacted"]
    assert contact_problems(ContactDraft(address="1 rue X", channel="post", consent=True), "FR") == []
    assert contact_problems(ContactDraft(channel="none", consent=False), "FR") == []


def test_the_capability_table_says_who_reads_and_changes_contact_details() -> None:
    for role in (NURSE, SURGEON, ADMIN):
        assert {Capability.CONTACTS, Capability.EDIT_CONTACTS} <= role
    assert Capability.CONTACTS not in KIOSK and Capability.CONTACTS not in EVERYONE


def test_registered_with_the_clinic_country_and_every_change_audited(clinic: Clinic) -> None:
    admin = clinic.sign_in("admin", "clinic password 1")
    admin.settings.save(ClinicSettings(name="Clinique", country="fr"))
    nurse = clinic.sign_in("nina", "nurse password 1")
    patient = nurse.patients.register(patient_draft("C-1"), contact=ContactDraft(
        " 06 12 34 56 78 ", "anne@example.org", " 1 rue Haute \n\n 69003 Lyon ", "email", True))
    details = nurse.contacts.get(patient.id)
    assert (details.phone, details.phone_e164, details.address) == ("06 12 34 56 78", "+33612345678",
                                                                    "1 rue Haute\n69003 Lyon")
    with pytest.raises(UserError, match="a reason is required"):
        nurse.contacts.save(patient.id, ContactDraft("06 98 76 54 32", channel="phone", consent=True),
                            expected_version=1, reason="")
    nurse.contacts.save(patient.id, ContactDraft("+33 6 98 76 54 32", "anne@example.org", "", "phone", True),
                        expected_version=1, reason="new mobile")
    with pytest.raises(UserError, match="changed by nina"):  # a stale copy
        nurse.contacts.save(patient.id, ContactDraft(), expected_version=1, reason="x")
    events = [(e.field, e.old, e.new, e.reason) for e in admin.audit.events(entity="contact")]
    assert events[0][0] is None and events[0][2]["phone_e164"] == "+33612345678"
    assert ("phone_e164", "+33612345678", "+33698765432", "new mobile") in events
    assert ("address", "1 rue Haute\n69003 Lyon", "", "new mobile") in events
    assert ("channel", "email", "phone", "new mobile") in events
    assert not [e for e in events if e[0] == "email"]  # unchanged fields are not recorded


def test_bad_details_are_refused_at_their_fields_and_nothing_is_written(clinic: Clinic) -> None:
    nurse = clinic.sign_in("nina", "nurse password 1")
    with pytest.raises(InputErrors) as refused:
        nurse.patients.register(patient_draft("C-2"), contact=ContactDraft("06 12", "anne@", "", "email", None))
    assert [str(problem).split(":")[0] for problem in refused.value.problems] == [
        "field 'phone'", "field 'email'", "field 'consent'"]
    assert nurse.patients.by_mrn("C-2") is None
    with pytest.raises(InputErrors) as refused:  # the patient's own problems and the contact's, all at once
        nurse.patients.register(patient_draft(" "), contact=ContactDraft(email="anne@"))
    assert [(problem.field, problem.code) for problem in refused.value.problems] == [("mrn", "required"),
                                                                                      ("email", "email")]
    patient = nurse.patients.register(patient_draft("C-2"))
    with pytest.raises(InputErrors) as refused:
        nurse.patients.update(patient.id, {"bmi": 200.0}, expected_version=1, reason="typo",
                              contact=ContactDraft(phone="12"))
    assert [problem.field for problem in refused.value.problems] == ["bmi", "phone"]
    assert nurse.contacts.get(patient.id).row_version == 0


def test_a_kiosk_never_reads_contact_details(clinic: Clinic) -> None:
    nurse = clinic.sign_in("nina", "nurse password 1")
    patient = operated_patient(nurse, "C-3", surgery=TODAY - dt.timedelta(weeks=6))
    nurse.contacts.save(patient.id, ContactDraft(email="c3@example.org"), expected_version=0, reason="")
    kiosk = nurse.hand_over(patient.id)
    assert kiosk.patients.get(patient.id).mrn == "C-3"
    with pytest.raises(AccessDenied, match="contacts needs the nurse or surgeon or admin role"):
        kiosk.contacts.get(patient.id)
    with pytest.raises(AccessDenied):
        kiosk.patients.update(patient.id, {}, expected_version=patient.row_version, reason="x",
                              contact=ContactDraft(email="evil@example.org"))
    assert nurse.contacts.get(patient.id).email == "c3@example.org"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    from sijpro.cli import main

    status = main(list(args))
    return status, capsys.readouterr().err


def test_import_reads_the_contact_columns_and_names_each_bad_cell(clinic: Clinic, tmp_path: Path,
                                                                  cli_as, capsys) -> None:
    url = str(tmp_path / "clinic.sqlite")
    cli_as(url)
    bad = tmp_path / "patients.csv"
    bad.write_text(HEADER + 'P-1,Roux,Anne,1950-01-02,2024-01-10,+41 44 668 18 00,anne@example.org,'
                   '"1 rue X\n75001 Paris",email\n'
                   "P-2,Roux,Bob,1950-01-02,2024-01-10,12,bob@,,post\n"
                   "P-3,Roux,Cid,1950-01-02,2024-01-10,,,,fax\n", encoding="utf-8")
    status, err = cli(capsys, "--db", url, "import", str(bad))
    assert status == 1
    assert "patients.csv, line 4, field phone: '12': give the number with its country code" in err
    assert "patients.csv, line 4, field email: 'bob@' is not an e-mail address" in err
    assert "patients.csv, line 4, field address: the preferred channel is post" in err
    assert "patients.csv, line 5, field contact_channel: 'fax' is not a contact channel" in err
    assert sqlite3.connect(url).execute("SELECT count(*) FROM patients").fetchone() == (0,)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + 'P-1,Roux,Anne,1950-01-02,2024-01-10,+41 44 668 18 00,anne@example.org,'
                    '"1 rue X\n75001 Paris",email\n'
                    "P-3,Roux,Cid,1950-01-02,2024-01-10,,,,none\n"
                    "P-4,Roux,Dan,1950-01-02,2024-01-10,,,,\n", encoding="utf-8")
    status, err = cli(capsys, "--db", url, "import", str(good))
    assert status == 0, err
    rows = sqlite3.connect(url).execute(
        "SELECT p.mrn, c.phone_e164, c.email, c.address, c.channel, c.consent FROM patient_contacts c "
        "JOIN patients p ON p.id = c.id ORDER BY p.mrn").fetchall()
    assert rows == [("P-1", "+41446681800", "anne@example.org", "1 rue X\n75001 Paris", "email", 1),
                    ("P-3", "", "", "", "none", 0)]
    status, err = cli(capsys, "--db", url, "verify")
    assert status == 0, err
