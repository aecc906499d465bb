"""A REDCap API on loopback that checks imports as REDCap does, for the upload tests.

It answers PyCap's real HTTP requests (form-encoded POSTs to /api/) and applies REDCap's documented
import rules, refusing a step as REDCap would (HTTP 400, {"error": ...}): the token; a data dictionary
with REDCap's 18 columns whose first field is the record ID; events on existing arms, named by REDCap's
rule (lowercased, non-alphanumerics as '_', 18 characters, '_arm_N'); mappings of existing forms to
existing events; records whose every column is a field (or a checkbox choice, or a form's _complete),
on an event the form is mapped to, with radio and checkbox values among their choices. Each request is
kept, so a test sees what was sent, and in which order.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

HEADER = ["field_name", "form_name", "section_header", "field_type", "field_label",
          "select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
          "text_validation_min", "text_validation_max", "identifier", "branching_logic", "required_field",
          "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking", "field_annotation"]


class Refused(Exception):
    pass


def generated_event_name(name: str, arm: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", name.lower())[:18] + f"_arm_{arm}"


@dataclass
class FakeProject:
    token: str
    requests: list[str] = field(default_factory=list)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    arms: set[str] = field(default_factory=set)
    events: dict[str, str] = field(default_factory=dict)
    mapping: set[tuple[str, str]] = field(default_factory=set)
    records: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)
    """content -> an error REDCap answers instead (a project in production refuses a dictionary...)."""

    def rows(self, data: str) -> tuple[list[str], list[dict[str, str]]]:
        reader = csv.DictReader(io.StringIO(data))
        return list(reader.fieldnames or []), list(reader)

    def choices(self, name: str) -> list[str]:
        text = self.fields[name]["select_choices_or_calculations"]
        return [part.split(",", 1)[0].strip() for part in text.split("|") if part.strip()]

    def metadata(self, data: str) -> int:
        header, rows = self.rows(data)
        # REDCap's API takes the short names; the Designer's CSV has the long ones, in the same order
        if len(header) != len(HEADER):
            raise Refused(f"the data dictionary has {len(header)} columns, not {len(HEADER)}")
        rows = [dict(zip(HEADER, row.values(), strict=True)) for row in rows]
        if not rows or rows[0]["field_name"] != "record_id":
            raise Refused("the first field must be the record ID field")
        names = [row["field_name"] for row in rows]
        if len(set(names)) != len(names):
            raise Refused("duplicate field names")
        bad = [name for name in names if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or len(name) > 100]
        if bad:
            raise Refused(f"invalid variable names: {bad}")
        self.fields = {row["field_name"]: row for row in rows}
        return len(rows)

    def arm(self, data: str) -> int:
        _, rows = self.rows(data)
        self.arms = {row["arm_num"] for row in rows}
        return len(rows)

    def event(self, data: str) -> int:
        header, rows = self.rows(data)
        if "unique_event_name" in header and any(row["unique_event_name"] for row in rows):
            raise Refused("unique_event_name cannot be given for new events")
        for row in rows:
            if row["arm_num"] not in self.arms:
                raise Refused(f"arm {row['arm_num']} does not exist")
            self.events[generated_event_name(row["event_name"], row["arm_num"])] = row["arm_num"]
        return len(rows)

    def form_event_mapping(self, data: str) -> int:
        _, rows = self.rows(data)
        forms = {row["form_name"] for row in self.fields.values()}
        for row in rows:
            if row["unique_event_name"] not in self.events:
                raise Refused(f"event {row['unique_event_name']} does not exist")
            if row["form"] not in forms:
                raise Refused(f"form {row['form']} does not exist")
            self.mapping.add((row["unique_event_name"], row["form"]))
        return len(rows)

    def record(self, data: str) -> dict[str, int]:
        header, rows = self.rows(data)
        form_of = {}
        for name, definition in self.fields.items():
            if definition["field_type"] == "calc":
                continue
            if definition["field_type"] == "checkbox":
                for code in self.choices(name):
                    form_of[f"{name}___{code}"] = definition["form_name"]
            else:
                form_of[name] = definition["form_name"]
            form_of[f"{definition['form_name']}_complete"] = definition["form_name"]
        unknown = [column for column in header if column not in form_of and column != "redcap_event_name"]
        if unknown:
            raise Refused(f"The following fields were not found in the project: {', '.join(unknown)}")
        for row in rows:
            event = row["redcap_event_name"]
            if event not in self.events:
                raise Refused(f"{row['record_id']}: the event {event} does not exist")
            for column, value in row.items():
                if not value or column in ("record_id", "redcap_event_name"):
                    continue
                form = form_of[column]
                if (event, form) not in self.mapping:
                    raise Refused(f"{row['record_id']}: form {form} is not designated for event {event}")
                name, _, code = column.partition("___")
                definition = self.fields.get(name)
                if definition and definition["field_type"] == "radio" and value not in self.choices(name):
                    raise Refused(f"{row['record_id']}: {value!r} is not a choice of {name}")
                if code and value not in ("0", "1"):
                    raise Refused(f"{row['record_id']}: checkbox {column} must be 0 or 1")
            self.records[(row["record_id"], event)] = row
        return {"count": len({row["record_id"] for row in rows})}


@contextmanager
def fake_redcap(token: str) -> Iterator[tuple[str, FakeProject]]:
    """A REDCap API at http://127.0.0.1:PORT/api/ for one project, for the duration of the block."""
    project = FakeProject(token)
    handlers = {"metadata": project.metadata, "arm": project.arm, "event": project.event,
                "formEventMapping": project.form_event_mapping, "record": project.record}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
            form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
            content = form.get("content", "")
            project.requests.append(content)
            try:
                if self.path != "/api/":
                    raise Refused("not the API endpoint")
                if form.get("token") != project.token:
                    self.answer(403, {"error": "You do not have permissions to use the API"})
                    return
                if content not in handlers or form.get("format") != "csv":
                    raise Refused(f"unsupported request {content!r} ({form.get('format')})")
                if content in project.refusals:
                    raise Refused(project.refusals[content])
                self.answer(200, handlers[content](form.get("data", "")))
            except Refused as refusal:
                self.answer(400, {"error": str(refusal)})

        def answer(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/", project
    finally:
        server.shutdown()
        server.server_close()
