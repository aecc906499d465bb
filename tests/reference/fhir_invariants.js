// The FHIR R4 invariants (the constraint expressions of the official R4 StructureDefinitions) run by
// fhirpath.js, HL7's FHIRPath engine, over every resource of a Bundle, and over the Bundle itself.
//
// usage: node fhir_invariants.js NODE_MODULES BUNDLE.json...
// prints JSON: {BUNDLE.json: {checked: N, failures: [{resource, key, severity, path, human}],
//                             errors: [{key, path, message}]}, ...}
// Element constraints apply at their path; a datatype's constraints apply wherever that datatype is used
// (one level: Quantity, Narrative, Extension, Reference, Coding... inside a resource).
"use strict";
console.log = () => {}; // trace() inside some invariants writes here; stdout carries only the result
const fs = require("fs");
const path = require("path");

const [modulesArgument, ...bundlePaths] = process.argv.slice(2);
const modules = path.resolve(modulesArgument);
const fhirpath = require(path.join(modules, "fhirpath"));
const model = require(path.join(modules, "fhirpath", "fhir-context", "r4"));
const definitions = path.join(modules, "@medplum", "definitions", "dist", "fhir", "r4");

const structures = {};
for (const file of ["profiles-resources.json", "profiles-types.json"]) {
  for (const entry of JSON.parse(fs.readFileSync(path.join(definitions, file), "utf8")).entry) {
    const sd = entry.resource;
    if (sd.resourceType === "StructureDefinition" && sd.derivation !== "constraint") structures[sd.type] = sd;
  }
}

// An element path as FHIRPath: no [x], and names that are FHIRPath keywords (Narrative.div) quoted.
const KEYWORDS = new Set(["div", "mod", "and", "or", "xor", "implies", "as", "is", "in", "contains"]);
function plain(elementPath) {
  return elementPath.replace(/\[x\]$/, "").split(".").map((part) => (KEYWORDS.has(part) ? `\`${part}\`` : part))
    .join(".");
}

// [{path, key, severity, human, expression}] for one resource type, with its datatypes' constraints.
const plans = {};
function plan(type) {
  if (plans[type]) return plans[type];
  const found = [];
  for (const element of structures[type].snapshot.element) {
    for (const constraint of element.constraint || []) {
      if (constraint.expression) found.push({ path: plain(element.path), ...constraint });
    }
    if (element.path === type) continue;
    for (const kind of element.type || []) {
      const datatype = structures[kind.code];
      if (!datatype || datatype.kind === "resource" || /^[a-z]/.test(kind.code)) continue;
      const at = element.path.endsWith("[x]") ? `${plain(element.path)}.ofType(${kind.code})` : plain(element.path);
      for (const inner of datatype.snapshot.element) {
        for (const constraint of inner.constraint || []) {
          if (!constraint.expression || constraint.key === "ele-1") continue;
          found.push({ path: at + plain(inner.path).slice(kind.code.length), ...constraint });
        }
      }
    }
  }
  plans[type] = found.map((item) => ({ ...item, compiled: null }));
  return plans[type];
}

function check(bundlePath) {
  const bundle = JSON.parse(fs.readFileSync(bundlePath, "utf8"));
  const resources = [bundle, ...(bundle.entry || []).map((entry) => entry.resource)];
  const result = { checked: 0, failures: [], errors: [] };
  const broken = new Set();
  for (const resource of resources) {
    for (const check of plan(resource.resourceType)) {
      const id = `${check.key}@${check.path}`;
      if (broken.has(id)) continue;
      try {
        if (!check.compiled) check.compiled = fhirpath.compile(`${check.path}.all(${check.expression})`, model);
        const [ok] = check.compiled(resource, { resource, rootResource: resource });
        result.checked += 1;
        if (ok !== true) {
          result.failures.push({ resource: `${resource.resourceType}/${resource.id}`, key: check.key,
                                 severity: check.severity, path: check.path, human: check.human });
        }
      } catch (error) {
        broken.add(id);
        result.errors.push({ key: check.key, path: check.path, message: String(error.message || error).slice(0, 200) });
      }
    }
  }
  return result;
}

const results = {};
for (const bundlePath of bundlePaths) results[bundlePath] = check(bundlePath);
process.stdout.write(JSON.stringify(results));
