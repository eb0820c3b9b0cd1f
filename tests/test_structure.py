"""The message's structure: pasted Exchange NDRs in any language, S/MIME and PGP/MIME wrapping,
header protection, calendar invitations."""

from __future__ import annotations

import headerscope

_RETURNED = ("Received: from SRV16.corp.example (10.20.1.160) by SRV15.corp.example (10.20.1.158)\n"
             " with Microsoft SMTP Server (TLS) id 15.0.1497.42; Fri, 21 Mar 2025 16:36:46 +0100\n"
             "From: Pierre Simon <psimon@corp.example>\n"
             "To: Franck Martin <franck.martin@partner.example>\n"
             "Subject: test\n"
             "Date: Fri, 21 Mar 2025 16:36:46 +0100\n"
             "Message-ID: <dab29793436a4721@SRV16.corp.example>\n")


def test_a_french_exchange_ndr_pasted_above_the_header_is_read_as_a_bounce() -> None:
    """Exchange 2013's diagnostic block in French (its labels localised, its reply line not):
    the text before the header is the NDR, with its recipient, code and generating server."""
    paste = ("Message d'erreur :\n"
             "Serveur de génération : SRV15.corp.example\n"
             "IMCEAEX-_o=CORP_ou=Exchange+20Administrative+20Group+20+28FYDIBOHF23SPDLT+29_cn=Recipients_cn="
             "0a7099394a614acf970a60629e6015c0-Martin+20Franck@corp.example\n"
             "Remote Server returned '550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found'\n\n"
             "En-têtes de message d'origine :\n" + _RETURNED).encode()
    report = headerscope.analyze(paste, offline=True)
    [bounce] = [f for f in report.findings if f.id == "dsn.unstructured"]
    assert bounce.severity.value == "warning"
    assert bounce.title.startswith("Bounce pasted above the header: delivery to IMCEAEX-_o=CORP_ou=")
    assert bounce.title.endswith("failed (5.1.1: permanent failure: bad destination mailbox address (no such user))")
    assert "“550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found” (from SRV15.corp.example)" in bounce.explanation
    assert "0a7099394a614acf970a60629e6015c0-Martin+20Franck@corp.example failed permanently" in bounce.explanation
    assert "legacyExchangeDN" in bounce.explanation
    assert report.hops[0].fields.by == "SRV15.corp.example"  # the returned header is still analysed


def test_exchange_2010_hash_diagnostic_line_is_read_in_a_dutch_ndr() -> None:
    # Exchange 2010 and later write "#550 5.1.10 RESOLVER... ##" below the recipient.
    paste = ("Diagnostische gegevens voor beheerders:\n\n"
             "Bronserver: MBX01.corp.example\n\n"
             "jan@partner.example\n"
             "#550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup ##\n\n"
             "Oorspronkelijke berichtkoppen:\n\n" + _RETURNED).encode()
    [bounce] = [f for f in headerscope.analyze(paste, offline=True).findings if f.id == "dsn.unstructured"]
    assert bounce.title.startswith("Bounce pasted above the header: delivery to jan@partner.example failed (5.1.10")
    assert "“550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup” " \
           "(from MBX01.corp.example)" in bounce.explanation
    assert "IMCEAEX" not in bounce.explanation


def test_a_note_quoting_no_diagnostic_line_is_still_no_notice() -> None:
    note = ("Hi, the remote server returned an error, here are the headers:\n\n" + _RETURNED).encode()
    assert not [f for f in headerscope.analyze(note, offline=True).findings if f.id.startswith("dsn.")]
