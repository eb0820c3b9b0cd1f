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


_HEAD = ("Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.net with ESMTPS id 1;"
         " Mon, 3 Mar 2025 10:00:02 +0000\r\n"
         "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: {subject}\r\n"
         "Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n")


def _analyze(subject: str, content_type: str, body: str) -> headerscope.Report:
    raw = (_HEAD.format(subject=subject) + f"Content-Type: {content_type}\r\n\r\n" + body).encode()
    return headerscope.analyze(raw, offline=True)


def _ids(report: headerscope.Report) -> dict[str, str]:
    return {f.id: f.severity.value for f in report.findings if f.id.startswith("message.")}


def test_smime_detached_signature_is_named_and_not_verified() -> None:
    report = _analyze("Q1", 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="S"',
                      "This is a cryptographically signed message in MIME format.\r\n\r\n--S\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n\r\nHello\r\n--S\r\n"
                      "Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n"
                      "\r\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCC\r\n--S--\r\n")
    assert report.structure is not None
    assert (report.structure.kinds, report.structure.protocol, report.structure.micalg) == (
        ("smime_signed",), "application/pkcs7-signature", "sha-256")
    assert _ids(report) == {"message.smime_signed": "info"}
    [finding] = [f for f in report.findings if f.id == "message.smime_signed"]
    assert "does not verify the S/MIME signature" in finding.explanation
    from headerscope.render.terminal import TerminalRenderer

    assert "Structure: S/MIME signed (multipart/signed, detached signature) (no signature verified, nothing " \
           "decrypted by this tool)." in TerminalRenderer(width=300).render(report)
    assert report.to_dict()["structure"]["kinds"] == ["smime_signed"]


def test_opaque_and_enveloped_smime_from_the_header_alone() -> None:
    opaque = headerscope.analyze((_HEAD.format(subject="Q1") + 'Content-Type: application/pkcs7-mime; '
                                  'smime-type=signed-data; name="smime.p7m"\r\n').encode(), offline=True)
    assert opaque.structure is not None and opaque.structure.kinds == ("smime_opaque_signed",)
    assert _ids(opaque) == {"message.smime_signed": "info"}
    enveloped = _analyze("...", 'application/pkcs7-mime; smime-type="enveloped-data"; name="smime.p7m"',
                         "MIAGCSqGSIb3DQEHA6CAMIACAQAxggFO\r\n")
    assert enveloped.structure is not None and enveloped.structure.kinds == ("smime_encrypted",)
    assert enveloped.structure.subject_placeholder
    assert _ids(enveloped) == {"message.encrypted": "info"}
    from headerscope.render.markdown import MarkdownRenderer

    assert "- **Subject:** ... (a header-protection placeholder: the real subject is inside the encrypted part)" \
        in MarkdownRenderer().render(enveloped)
    # A real subject that happens to be "..." on a plain message is no placeholder.
    plain = _analyze("...", "text/plain", "hi\r\n")
    assert plain.structure is None and not _ids(plain)


def test_pgp_mime_encrypted_and_inline_armour() -> None:
    encrypted = _analyze("Encrypted Message", 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"',
                         "--E\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--E\r\n"
                         "Content-Type: application/octet-stream; name=encrypted.asc\r\n\r\n"
                         "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA1\r\n-----END PGP MESSAGE-----\r\n--E--\r\n")
    assert encrypted.structure is not None and encrypted.structure.kinds == ("pgp_encrypted",)
    assert encrypted.structure.subject_placeholder
    inline = _analyze("notes", "text/plain; charset=us-ascii",
                      "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nhello\r\n"
                      "-----BEGIN PGP SIGNATURE-----\r\n\r\niQEz\r\n-----END PGP SIGNATURE-----\r\n")
    assert inline.structure is not None and inline.structure.kinds == ("pgp_inline_signed",)
    assert _ids(inline) == {"message.pgp_signed": "info"}
    quoted = _analyze("Re: notes", "text/plain", "> -----BEGIN PGP SIGNED MESSAGE-----\r\n> hello\r\n")
    assert quoted.structure is None
    # Inline armour in the text part of a message with an attachment (Enigmail's inline PGP with
    # a file): found whatever else the body holds; the old search for "pgp-" in the body missed it.
    mixed = _analyze("notes", 'multipart/mixed; boundary="M"',
                     "--M\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                     "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nhello\r\n"
                     "-----BEGIN PGP SIGNATURE-----\r\n\r\niQEz\r\n-----END PGP SIGNATURE-----\r\n--M\r\n"
                     "Content-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
                     "\r\nJVBERi0=\r\n--M--\r\n")
    assert mixed.structure is not None and mixed.structure.kinds == ("pgp_inline_signed",)


_SIGNED_PART = ('Content-Type: text/plain; charset=utf-8; protected-headers="v1"\r\n'
                "From: {inner_from}\r\nTo: list@lists.example.org\r\nSubject: more important stuff\r\n"
                "Message-ID: <m1@example.org>\r\n\r\nbody\r\n")


def _list_copy(inner_from: str, outer_subject: str) -> headerscope.Report:
    # Mailman wraps the signed part in a new multipart/mixed with its footer (real shape).
    body = ("--OUT\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n"
            ' protocol="application/pgp-signature"; boundary="SIG"\r\n\r\n'
            "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--SIG\r\n"
            + _SIGNED_PART.format(inner_from=inner_from)
            + "--SIG\r\nContent-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\n\r\n"
            "-----BEGIN PGP SIGNATURE-----\r\n\r\nwsB5\r\n-----END PGP SIGNATURE-----\r\n--SIG--\r\n\r\n"
            "--OUT\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Disposition: inline\r\n\r\n"
            "_______________________________________________\r\nintern mailing list\r\n--OUT--\r\n")
    return _analyze(outer_subject, 'multipart/mixed; boundary="OUT"', body)


def test_a_list_wrapped_signed_part_with_protected_headers() -> None:
    report = _list_copy("Alice <alice@example.org>", "[Intern] more important stuff")
    assert report.structure is not None
    assert report.structure.kinds == ("pgp_signed", "signed_part_wrapped")
    assert report.structure.parts_outside_signed == 1
    assert dict(report.structure.protected_headers)["Subject"] == "more important stuff"
    assert _ids(report) == {"message.pgp_signed": "info", "message.signed_part_wrapped": "info",
                            "message.protected_headers": "info"}
    [protected] = [f for f in report.findings if f.id == "message.protected_headers"]
    assert "adds a list's tag to the signed “more important stuff”" in protected.explanation and "benign" in \
        protected.explanation
    # Another From: inside the signature than outside: a warning.
    forged = _list_copy("Mallory <ceo@other.example>", "[Intern] more important stuff")
    [protected] = [f for f in forged.findings if f.id == "message.protected_headers"]
    assert protected.severity.value == "warning"
    assert "From: is Mallory <ceo@other.example> inside the signature but Alice <alice@example.org> outside" \
        in protected.explanation


_ICS = ("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20250311T180000\r\nDTEND:20250311T190000Z\r\n"
        "ORGANIZER;CN=\"Doe: Jane\":mailto:{organizer}\r\n"
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=\r\n"
        " TRUE;CN=bob@example.net;X-NUM-GUESTS=0:mailto:bob@example.net\r\n"
        "ATTENDEE;CN=carol@example.net:mailto:carol@example.net\r\n"
        "SUMMARY:Quarterly review\\, budget\r\nBEGIN:VALARM\r\nACTION:EMAIL\r\n"
        "ATTENDEE:mailto:list@example.net\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def _invite(organizer: str) -> headerscope.Report:
    import base64

    ics = base64.encodebytes(_ICS.format(organizer=organizer).encode()).decode().replace("\n", "\r\n")
    body = ("--C\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nYou have been invited\r\n--C\r\n"
            "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + ics + "--C--\r\n")
    return _analyze("Invitation: Quarterly review", 'multipart/alternative; boundary="C"', body)


def test_a_calendar_invitation_is_read_and_a_foreign_organizer_is_a_notice() -> None:
    report = _invite("jane@example.org")
    assert report.structure is not None and report.structure.calendar is not None
    invite = report.structure.calendar
    assert (invite.method, invite.organizer, invite.summary, invite.dtstart, invite.attendees) == (
        "REQUEST", "jane@example.org", "Quarterly review, budget", "20250311T180000 (Europe/Paris)", 2)
    assert _ids(report) == {"message.calendar_invite": "info"}
    spoofed = _invite("ceo@bank.example")
    [finding] = [f for f in spoofed.findings if f.id == "message.calendar_invite"]
    assert finding.severity.value == "notice"
    assert finding.title.endswith("its organizer's domain bank.example is not the From: domain example.org")


def test_a_latin1_calendar_is_read_as_a_mail_program_reads_its_label() -> None:
    # A Windows program's "iso-8859-1" text holds windows-1252's typographic quotes (0x92): mail
    # programs read the label through the WHATWG table, as headerscope reads header fields.
    import base64

    ics = _ICS.format(organizer="jane@example.org").replace("Quarterly review", "Q1 \x93review\x94 Ren\xe9\x92s")
    encoded = base64.encodebytes(ics.encode("latin-1")).decode().replace("\n", "\r\n")
    body = ("--C\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nYou have been invited\r\n--C\r\n"
            "Content-Type: text/calendar; charset=ISO-8859-1; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + "--C--\r\n")
    report = _analyze("Invitation", 'multipart/alternative; boundary="C"', body)
    assert report.structure is not None and report.structure.calendar is not None
    assert report.structure.calendar.summary == "Q1 \u201creview\u201d Ren\u00e9\u2019s, budget"


def test_every_organizer_is_read_and_a_decoy_first_one_does_not_hide_another() -> None:
    # Verification V10, P2: a decoy ORGANIZER on the From: domain first, the one a calendar program
    # may show after it (a second line, a second part), or an ORGANIZER hidden after a form feed
    # inside another property (RFC 5545 lines end with CRLF only: no line there).
    second_line = _invite("jane@example.org\r\nORGANIZER;CN=CEO:mailto:ceo@bank.example")
    [finding] = [f for f in second_line.findings if f.id == "message.calendar_invite"]
    assert finding.severity.value == "notice" and "other organizers named: ceo@bank.example" in finding.title
    assert second_line.structure is not None and second_line.structure.calendar is not None
    assert second_line.structure.calendar.organizers == ("jane@example.org", "ceo@bank.example")
    hidden = _invite("ceo@bank.example").structure
    assert hidden is not None and hidden.calendar is not None
    in_description = _ICS.format(organizer="jane@example.org").replace(
        "SUMMARY:Quarterly review", "DESCRIPTION:hi\x0cORGANIZER:mailto:x@bank.example\r\nSUMMARY:Quarterly review")
    from headerscope.mime import _ical_lines

    assert [value for name, value in _ical_lines(in_description) if name.upper().startswith("ORGANIZER")] == [
        "mailto:jane@example.org"]


def test_a_multipart_encrypted_wrapper_around_readable_content_is_not_called_encrypted() -> None:
    # Verification V10: RFC 3156 section 4's ciphertext part is application/octet-stream; a wrapper
    # around readable HTML is no encrypted message, and its "..." Subject no placeholder.
    body = ("--E\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--E\r\n"
            "Content-Type: text/html\r\n\r\n<a href=\"http://evil.example/\">login</a>\r\n--E--\r\n")
    report = _analyze("...", 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"', body)
    assert "message.encrypted" not in _ids(report)
    real = body.replace("Content-Type: text/html\r\n\r\n<a href=\"http://evil.example/\">login</a>",
                        "Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEM\r\n"
                        "-----END PGP MESSAGE-----")
    assert "message.encrypted" in _ids(_analyze("...", 'multipart/encrypted; protocol="application/pgp-encrypted"; '
                                                'boundary="E"', real))


def test_a_protected_header_too_long_to_read_whole_says_so() -> None:
    # Verification V10: a differing From: placed after 64 KB of padding in the signed part's header.
    padding = "".join(f"X-Pad-{n}: {'a' * 60}\r\n" for n in range(1200))
    report = _list_copy("Alice <alice@example.org>\r\n" + padding + "From: Mallory <ceo@other.example>",
                        "[Intern] more important stuff")
    [protected] = [f for f in report.findings if f.id == "message.protected_headers"]
    assert protected.severity.value in ("notice", "warning")
    assert "longer than 64 KB; the fields past that were not read" in protected.explanation
    assert "They match the outer fields" not in protected.explanation  # nothing past the cut was compared
    short = _list_copy("Alice <alice@example.org>", "[Intern] more important stuff")
    assert "not read" not in next(f for f in short.findings if f.id == "message.protected_headers").explanation


def test_a_calendar_not_read_in_full_says_so_and_vouches_for_nothing() -> None:
    # Verification V11, N3: the foreign organizer past a bound (a 300 KB description, a line past
    # 2,000 characters, a sixth organizer) was dropped and the finding said the From: domain's
    # authentication vouched for the invitation.
    long_line = _invite("jane@example.org").structure
    assert long_line is not None and long_line.calendar is not None and long_line.calendar.read_whole
    padded = _invite('jane@example.org\r\nORGANIZER;CN="' + "C" * 2100 + '":mailto:ceo@bank.example')
    [finding] = [f for f in padded.findings if f.id == "message.calendar_invite"]
    assert finding.severity.value == "notice" and finding.title.endswith("not read in full")
    assert "vouches" not in finding.explanation
    many = _invite("x0@example.org\r\n" + "".join(f"ORGANIZER:mailto:x{n}@example.org\r\n" for n in range(1, 5))
                   + "ORGANIZER:mailto:ceo@bank.example")
    [finding] = [f for f in many.findings if f.id == "message.calendar_invite"]
    assert "not read in full" in finding.title and "vouches" not in finding.explanation


def test_an_attendees_reply_is_not_checked_against_the_organizer() -> None:
    # Review AN 4: a METHOD:REPLY ("Accepted: ...") is sent by the attendee to the organizer
    # (RFC 5546 section 3.2.3): an organizer of another domain than From: is the rule, not a notice.
    import base64

    ics = _ICS.format(organizer="ceo@bank.example").replace("METHOD:REQUEST", "METHOD:REPLY")
    encoded = base64.encodebytes(ics.encode()).decode().replace("\n", "\r\n")
    body = ("--C\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nAccepted\r\n--C\r\n"
            "Content-Type: text/calendar; charset=UTF-8; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + "--C--\r\n")
    report = _analyze("Accepted: Quarterly review", 'multipart/alternative; boundary="C"', body)
    assert _ids(report).get("message.calendar_invite") == "info"
