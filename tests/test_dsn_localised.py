"""Exchange's non-delivery reports in other languages than English: the heading above the failed
recipient and the generating server's label are localised with the NDR (its reply line is not).
Sources of the wording, each test's comment names its own: a French Exchange Online NDR kept in a
project's tests, Sisimai's Exchange2007 reader (it, sv), a hosted-Exchange provider's guide to its
German NDRs, a script that files Spanish bounces."""

from __future__ import annotations

import headerscope
from headerscope import mime
from headerscope.message import parse_message
from headerscope.model import Finding

# The shape of a real French Exchange Online NDR (a project's test of its bounce reader keeps it,
# "relevée en base", 2026; addresses replaced): the localised heading, the address on its own line,
# the user's sentence below it; no reply line in its administrators' section, only header lines.
FRENCH_NDR = (
    "Échec de la remise pour ces destinataires ou groupes :\n\n"
    "antoine@exemple.example\n"
    "Nous n’avons pas trouvé l’adresse de courrier que vous avez entrée.\n\n"
    "Informations de diagnostic pour les administrateurs :\n"
    "Message-ID: <DCY5FBEBEUU4.USTVO1VCFZFP3@win-v9livl9jlsi>\n"
    "X-MS-TrafficTypeDiagnostic: AM1PEPF000C1AD9:EE_\n"
)


def _ndr(body: str, subject: str, return_path: str = "<>", sender: str = "postmaster@contoso.example") -> bytes:
    return (f"Return-Path: {return_path}\nFrom: {sender}\nTo: alice@contoso.example\nSubject: {subject}\n"
            "Date: Sat, 26 Sep 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n" + body).encode()


def _bounce(raw: bytes) -> Finding:
    [finding] = [f for f in headerscope.analyze(raw, offline=True).findings if f.id.startswith("dsn.")]
    return finding


def test_a_french_ndr_names_its_failed_recipient_from_its_localised_heading() -> None:
    finding = _bounce(_ndr(FRENCH_NDR, "Non remis : Quittance Octobre"))
    # Before: "Bounce without a machine-readable report", the recipient unread.
    assert finding.title == "Bounce: delivery to antoine@exemple.example failed"
    assert "its text names the recipient(s) that failed: antoine@exemple.example" in finding.explanation
    # The French typography's no-break space before the colon reads the same.
    found = mime._failed_recipient_re().search(FRENCH_NDR.replace(" :\n", "\u00a0:\n", 1))
    assert found is not None and "antoine@exemple.example" in found.groups()


def test_a_french_ndr_pasted_above_its_header_is_read_as_exchanges_failure() -> None:
    finding = mime.pasted_notice(FRENCH_NDR)
    # Before: None (neither an English opening nor a reply line nor a header title told it).
    assert finding is not None and finding.id == "dsn.unstructured"
    assert finding.title == "Bounce pasted above the header: delivery to antoine@exemple.example failed"
    assert "(Exchange's words)" in finding.explanation and "failed permanently" in finding.explanation


# A hosted-Exchange provider's guide to the NDRs its German customers get (hilfe.cloud4you.biz,
# "Fehlermeldungen beim Versand und Empfang von Mails") shows their layout: "Diagnoseinformationen
# für Administratoren", "Generierender Server: <Servername>", the recipient, and "Remote Server
# returned '...'" (the reply line in English). Its example reply, from the same page.
GERMAN_NDR = (
    "Diagnoseinformationen für Administratoren:\n\n"
    "Generierender Server: EXCH01.firma.example\n\n"
    "max.mustermann@partner.example\n"
    "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n\n"
)


def test_a_german_ndr_names_its_generating_server_as_the_one_that_refused() -> None:
    finding = mime.pasted_notice(GERMAN_NDR + "Original message headers:\n\nFrom: anna@firma.example\n")
    assert finding is not None
    # Before: no server named, and the sentence ended "..".
    assert finding.explanation.endswith(
        "The server's reason: “550 5.1.1 RESOLVER.ADR.RecipNotFound; not found” (from EXCH01.firma.example).")
    whole = _bounce(_ndr(GERMAN_NDR, "Unzustellbar: Angebot", sender="Microsoft Outlook <postmaster@firma.example>"))
    assert whole.title.startswith("Bounce: delivery to max.mustermann@partner.example failed (5.1.1")
    # Before: "the receiving server's reply in the SMTP session the bounce quotes" (there is none).
    assert ("“550 5.1.1 RESOLVER.ADR.RecipNotFound; not found”, as Exchange's diagnostic block gives it; the block "
            "names no remote server, so by its account its generating server, EXCH01.firma.example, refused it"
            ) in whole.explanation


def test_the_generating_servers_label_is_read_in_italian_and_swedish() -> None:
    # Sisimai's Exchange2007 reader (lhost/via-exchange2007.go) lists these labels.
    for label in ("Server di generazione", "Genererande server", "Generierender Server"):
        found = mime._generating_server_re().search(f"Intro\n{label}: mbx01.corp.example\n")
        assert found is not None and found.group(1) == "mbx01.corp.example", label
    # A label in running text, or without a host name after it, names no server.
    assert mime._generating_server_re().search("Der Generierender Server: ist aus\n") is None


# A Gmail Apps Script that files Spanish bounces takes the address after "destinatarios o grupos:"
# and searches for the subject "No se puede entregar". (Only those words are sourced; the heading's
# first words here are the English heading's, translated, and the reading does not depend on them.)
SPANISH_NDR = (
    "Error al entregar a estos destinatarios o grupos:\n\n"
    "lucia@ejemplo.example\n"
    "No se ha encontrado la dirección de correo electrónico que ha escrito.\n"
)


def test_a_spanish_ndr_is_a_bounce_by_its_subject_and_names_its_recipient() -> None:
    finding = _bounce(_ndr(SPANISH_NDR, "No se puede entregar: Factura"))
    # Before: no finding at all (the subject was not a bounce's).
    assert finding.id == "dsn.unstructured"
    assert finding.title == "Bounce: delivery to lucia@ejemplo.example failed"
    for subject in ("Non recapitabile: Fattura", "Olevererbart: Faktura"):
        assert _bounce(_ndr(SPANISH_NDR, subject)).id == "dsn.unstructured", subject


def test_a_forged_localised_ndr_says_it_was_not_sent_with_the_null_sender() -> None:
    # Anyone can write these words: from a sender other than the null one, the finding says the
    # words are that sender's claim; from an ordinary sender they make no bounce at all.
    forged = _bounce(_ndr(FRENCH_NDR, "Non remis : Facture", return_path="<billing@attacker.example>"))
    assert forged.title.startswith("Bounce (not sent with the null sender): delivery to antoine@exemple.example")
    assert "its words are a claim of whoever sent it" in forged.explanation
    ordinary = _ndr(SPANISH_NDR, "No se puede entregar: Factura", return_path="<bob@example.net>",
                    sender="Bob <bob@example.net>")
    assert not [f for f in headerscope.analyze(ordinary, offline=True).findings if f.id.startswith("dsn.")]
    assert not mime._looks_like_bounce(parse_message(ordinary))
