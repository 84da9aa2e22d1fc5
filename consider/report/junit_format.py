"""``--format junit``: JUnit XML, for the test reports of CI services.

A test suite per spec file (named by its path), and in it a test case per rule and entity:
``classname`` the file, ``name`` the rule id and the entity's JSON pointer. Several findings
of one rule about one entity are one case. A case

- *fails* (``<failure>``, its type the severity) when a finding fails the gate
  (``View.threshold``);
- is *skipped* when its findings are waived or baselined, the message saying by whom, until
  when and why;
- *passes* otherwise (risks below the threshold, questions), with the findings in
  ``<system-out>`` so they are still read.

A file with no case of its own has one passing case, ``consider check``; a file that could not be
read has one case with an ``<error>``. ``View.quiet`` keeps only failing cases (and the
unreadable files); ``View.questions`` off leaves questions out.

The XML is written by ``xml.etree``, which escapes markup; characters XML 1.0 cannot carry at
all (most control characters, lone surrogates, U+FFFE and U+FFFF) are written as escapes
first, so strict consumers read the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from consider.findings import Finding, Kind, Status, fails
from consider.report import DEFAULT_VIEW, View, printable, related_text, suppression_text
from consider.result import FileResult, Result

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result: Result, view: View = DEFAULT_VIEW) -> str:
    """The JUnit XML document."""
    root = ET.Element("testsuites", name="consider")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for file in result.files:
        suite = _suite(file, view)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def xml_text(text: str) -> str:
    """``text`` with what XML 1.0 cannot carry, and control characters, shown as escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(text))


def _suite(file: FileResult, view: View) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(file.path), time="0")
    failures = errors = skipped = 0
    if file.error is not None:
        case = _case(suite, file.path, "consider check")
        error = ET.SubElement(case, "error", message=xml_text(file.error.message), type="input")
        error.text = xml_text(str(file.error))
        errors = 1
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in file.findings:
        if view.quiet and not fails(finding, view.threshold):
            continue
        if not view.questions and finding.kind is Kind.QUESTION:
            continue
        groups.setdefault((finding.rule, finding.pointer), []).append(finding)
    for (rule, pointer), findings in groups.items():
        case = _case(suite, file.path, f"{rule} {pointer or '/'}")
        failing = [f for f in findings if fails(f, view.threshold)]
        waived = [f for f in findings if f.suppressed is not None]
        if failing:
            first = failing[0]
            severity = first.severity.value if first.severity else "error"
            failure = ET.SubElement(case, "failure", message=xml_text(first.message), type=severity)
            failure.text = _details(findings)
            failures += 1
        elif waived and len(waived) == len(findings):
            suppressed = waived[0].suppressed
            assert suppressed is not None
            ET.SubElement(case, "skipped", message=xml_text(suppression_text(suppressed)))
            _system_out(case, findings)
            skipped += 1
        else:
            _system_out(case, findings)
    if file.error is None and not groups:
        _case(suite, file.path, "consider check")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    return suite


def _case(suite: ET.Element, path: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=xml_text(path), name=xml_text(name), time="0")


def _system_out(case: ET.Element, findings: Iterable[Finding]) -> None:
    ET.SubElement(case, "system-out").text = _details(findings)


def _details(findings: Iterable[Finding]) -> str:
    """Each finding on its own lines: place, severity, rule, message, then the advice."""
    lines = []
    for f in findings:
        if f.kind is Kind.QUESTION:
            label = "question (tbd)" if f.status is Status.ACKNOWLEDGED else "question"
        else:
            label = f.severity.value if f.severity else "info"
        lines.append(f"{f.file}:{f.line}:{f.column}: {label} {f.rule}: {f.message}")
        lines.extend(f"  open: {q.message}" for q in f.folded)
        lines.extend(f"  {related_text(m)}" for m in f.subsumed)
        if f.suppressed is not None:
            lines.append(f"  {suppression_text(f.suppressed)}")
        if f.fix:
            lines.append(f"  fix: {f.fix}")
    return xml_text("\n".join(lines))
