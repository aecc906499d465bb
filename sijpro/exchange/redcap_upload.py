"""Upload a REDCap export through the REDCap API (PyCap): build the project, then import the data.

The same files an administrator uploads by hand (see ``redcap.README``), in the same order: the data
dictionary, the arms, the events, the instrument-event mapping, then the records. The project must exist,
be longitudinal and in development status (REDCap refuses a new dictionary in production), and the token
must carry API import rights; the token is never written anywhere. REDCap checks every step and
refuses the whole of a step it finds fault with, so a refusal names the step and REDCap's own words.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sijpro.errors import UserError
from sijpro.exchange.redcap import FILES

EVENT_COLUMNS = ("event_name", "arm_num", "day_offset", "offset_min", "offset_max")
"""What REDCap's Import Events takes for new events: it generates unique_event_name itself."""
TIMEOUT_SECONDS = 120
TOKEN = re.compile(r"[0-9A-Fa-f]{32}")


@dataclass(frozen=True)
class UploadResult:
    fields: int
    arms: int
    events: int
    mappings: int
    records: int


def _events_csv(text: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    writer.writerows([row[column] for column in EVENT_COLUMNS] for row in rows)
    return out.getvalue()


def _count(result: Any) -> int:
    """REDCap answers an import with the number imported, or {"count": n} for records."""
    if isinstance(result, dict):
        return int(result.get("count", 0))
    return int(result)


def upload_redcap(directory: Path, url: str, token: str) -> UploadResult:
    """Send the files of a REDCap export in ``directory`` to the project behind ``url`` and ``token``."""
    import requests
    from redcap import Project, RedcapError

    def read(name: str) -> str:
        return (directory / FILES[name]).read_text(encoding="utf-8")

    if not url.endswith("/api/") or not url.startswith(("https://", "http://")):
        raise UserError(f"--url {url}: a REDCap API address, ending in /api/ (e.g. https://redcap.example.org/api/)")
    if not TOKEN.fullmatch(token):
        raise UserError("the REDCap API token: 32 hexadecimal characters, as REDCap shows it on the API page")
    project = Project(url, token, timeout=TIMEOUT_SECONDS)
    steps = (
        ("data dictionary", lambda: project.import_metadata(read("dictionary"), import_format="csv")),
        ("arms", lambda: project.import_arms(read("arms"), import_format="csv")),
        ("events", lambda: project.import_events(_events_csv(read("events")), import_format="csv")),
        ("instrument-event mapping", lambda: project.import_instrument_event_mappings(
            read("mapping"), import_format="csv")),
        ("records", lambda: project.import_records(read("data"), import_format="csv", overwrite="normal",
                                                   return_content="count", date_format="YMD")),
    )
    counts = []
    for what, step in steps:
        try:  # PyCap's RedcapError is requests' RequestException itself: the network's own come first
            counts.append(_count(step()))
        except (requests.ConnectionError, requests.Timeout) as error:
            raise UserError(f"{url}: cannot reach REDCap ({type(error).__name__})") from None
        except (requests.JSONDecodeError, TypeError, ValueError):
            raise UserError(f"{url}: the answer to the {what} is not the REDCap API's") from None
        except RedcapError as error:
            raise UserError(f"REDCap refused the {what}: {_reason(error)}") from None
    return UploadResult(*counts)


def _reason(error: Exception) -> str:
    detail = error.args[0] if error.args else error
    if isinstance(detail, dict):
        detail = detail.get("error", detail)
    return " ".join(str(detail).split())[:500]
