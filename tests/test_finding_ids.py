"""The catalogue of finding ids (what --filter reason= accepts) matches the code that raises them."""

from __future__ import annotations

import re

from conftest import CORPUS, REPO, SAMPLES

import headerscope
from headerscope.finding_ids import FINDING_IDS

_FAMILIES = ("arc", "attached", "attachment", "bimi", "bulk", "date", "dkim", "dmarc", "dns", "dsn", "envelope", "feedback", "headers", "hops", "input",
             "mdn", "message", "origin", "recorded", "spam", "spf")
# Quoted words of the families' shape that are no finding id.
_NOT_IDS = {"dkim.dnsplug", "dns.exception", "dns.rdatatype", "dns.resolver"}  # module names (dnspython)
# Ids built from a value at run time, each with the values the catalogue lists for it.
_BUILT = {'f"dsn.{kind}"', 'f"envelope.display_name_{what}"', 'f"feedback.{identifier}"',
          'f"recorded.{comparison.label}"'}


def test_every_id_written_in_the_package_is_in_the_catalogue() -> None:
    families = "|".join(_FAMILIES)
    literal = re.compile(rf'"((?:{families})\.[a-z_]+)"')
    built = re.compile(r'\bid=(f"[^"]*\{[^"]*")')
    written: set[str] = set()
    formatted: set[str] = set()
    for path in (REPO / "headerscope").rglob("*.py"):
        source = path.read_text()
        written.update(literal.findall(source))
        formatted.update(built.findall(source))
    assert sorted(written - _NOT_IDS - FINDING_IDS) == []
    # A new id built at run time must have its values added to the catalogue (and here).
    assert formatted == _BUILT
    # Nothing in the catalogue that the code no longer writes (the built families aside).
    built_prefixes = ("dsn.", "envelope.display_name_", "feedback.", "recorded.")
    assert sorted(i for i in FINDING_IDS - written if not i.startswith(built_prefixes)) == []


def test_every_finding_of_the_corpus_and_the_samples_has_a_catalogued_id() -> None:
    seen: set[str] = set()
    paths = sorted(CORPUS.rglob("*.eml")) + sorted(SAMPLES.glob("*.eml")) + sorted(CORPUS.rglob("*.msg"))
    assert len(paths) > 50
    for path in paths:
        snapshot = path.with_suffix(".dns.json")
        options = {"dns_snapshot": str(snapshot)} if snapshot.exists() else {"offline": True}
        report = headerscope.analyze(path.read_bytes(), **options)
        seen.update(f.id for f in report.findings)
    assert sorted(seen - FINDING_IDS) == []
    assert len(seen) > 25
