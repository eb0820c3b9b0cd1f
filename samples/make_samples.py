"""Generate the sample messages in this folder, each with its DNS snapshot (NAME.dns.json).

Run from the repository root:  python samples/make_samples.py  [--out DIR]

Keys live in samples/keys/ and are generated only when missing, and every timestamp is
fixed, so a rerun writes byte-identical files (RSA PKCS#1 v1.5 and Ed25519 signatures are
deterministic). Names and addresses are reserved for documentation (RFC 2606 / RFC 6761
names, RFC 5737 and RFC 3849 addresses) except operator host names whose format matters
(Microsoft 365's outlook.com hosts).

Each message is built the way it travelled: the author's client writes it, each server
prepends what it adds (Received, DKIM-Signature, ARC set, Authentication-Results), and a
list server changes Subject and body, so the signatures break exactly where they would.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from unittest import mock

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"

UTC = timezone.utc
PST = timezone(timedelta(hours=-8))
CET = timezone(timedelta(hours=1))
EST = timezone(timedelta(hours=-5))

TLS13_POSTFIX = ("(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
                 "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)")

# --------------------------------------------------------------------------- keys


def rsa_key(name: str, bits: int, keys: Path) -> bytes:
    """PKCS#1 PEM private key (dkimpy's format), created once and then reused."""
    path = keys / f"{name}.rsa{bits}.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return path.read_bytes()


def ed25519_key(name: str, keys: Path) -> bytes:
    """Base64 of the 32-byte Ed25519 seed (dkimpy's format, RFC 8463 section 4)."""
    path = keys / f"{name}.ed25519.b64"
    if not path.exists():
        key = ed25519.Ed25519PrivateKey.generate()
        seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        path.write_bytes(base64.b64encode(seed) + b"\n")
    return path.read_bytes().strip()


def rsa_record(pem: bytes) -> list[str]:
    """``v=DKIM1; k=rsa; p=...`` split into 255-octet character-strings (RFC 6376 section 3.6.2.2)."""
    private = serialization.load_pem_private_key(pem, password=None)
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return chunks("v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode())


def ed25519_record(seed_b64: bytes) -> list[str]:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return ["v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()]


def chunks(text: str) -> list[str]:
    return [text[i:i + 255] for i in range(0, len(text), 255)]


# --------------------------------------------------------------------------- message building


def date(when: datetime) -> str:
    return format_datetime(when)


def crlf(text: str) -> bytes:
    """The text with CRLF line ends (RFC 5322 section 2.1)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def prepend(message: bytes, *fields: str) -> bytes:
    """Add header fields on top, as each server does (RFC 5321 section 4.4); first is topmost."""
    return b"".join(crlf(f.rstrip("\n") + "\n") for f in fields) + message


def replace_header(message: bytes, name: str, value: str) -> bytes:
    head, sep, body = message.partition(b"\r\n\r\n")
    pattern = re.compile(rb"^" + name.encode() + rb":.*?\r\n(?![ \t])", re.S | re.M | re.I)
    new_head, count = pattern.subn((name + ": " + value).encode() + b"\r\n", head + b"\r\n", count=1)
    assert count == 1, name
    return new_head[:-2] + sep + body


def dkim_sign(message: bytes, selector: str, domain: str, key: bytes, when: datetime, headers: list[str],
              algorithm: str = "rsa-sha256", canonicalize: tuple[str, str] = ("relaxed", "relaxed")) -> str:
    """A DKIM-Signature field for ``message`` with t= fixed to ``when``."""
    # dkimpy's sign() has no timestamp parameter and reads time.time(): pin it for the call.
    with mock.patch("dkim.time.time", return_value=when.timestamp()):
        field: bytes = dkim.sign(message, selector.encode(), domain.encode(), key,
                          canonicalize=(canonicalize[0].encode(), canonicalize[1].encode()),
                          signature_algorithm=algorithm.encode(),
                          include_headers=[h.encode() for h in headers])
    return field.decode().replace("\r\n", "\n").rstrip("\n")


def arc_seal(message: bytes, selector: str, domain: str, key: bytes, srv_id: str, when: datetime,
             headers: list[str]) -> list[str]:
    """The ARC set (AAR, AMS, AS) that ``srv_id`` adds, top first (RFC 8617 section 4.1)."""
    fields = dkim.arc_sign(message, selector.encode(), domain.encode(), key, srv_id.encode(),
                           include_headers=[h.encode() for h in headers], timestamp=int(when.timestamp()))
    assert fields, "arc_sign found no Authentication-Results for " + srv_id
    return [f.decode().replace("\r\n", "\n").rstrip("\n") for f in fields]


def b_tag(signature_field: str) -> str:
    """The first 8 characters of b=, as receivers quote it in header.b (RFC 6008)."""
    match = re.search(r"\bb=([A-Za-z0-9+/=\s]+)", signature_field)
    assert match
    return re.sub(r"\s", "", match.group(1))[:8]


def postfix_received(helo: str, rdns: str, ip: str, by: str, queue_id: str, rcpt: str, when: datetime, *,
                     tls: bool = True, auth: str | None = None, protocol: str | None = None) -> str:
    proto = protocol or ("ESMTPSA" if auth else "ESMTPS" if tls else "ESMTP")
    lines = [f"Received: from {helo} ({rdns} [{ip}])"]
    if tls:
        lines.append("\t" + TLS13_POSTFIX)
        lines.append("\t(No client certificate requested)")
    if auth:
        lines.append(f"\t(Authenticated sender: {auth})")
    lines.append(f"\tby {by} (Postfix) with {proto} id {queue_id}")
    lines.append(f"\tfor <{rcpt}>; {date(when)}")
    return "\n".join(lines)


def exim_received(helo: str, ip: str, port: int, by: str, exim_id: str, envelope_from: str, rcpt: str,
                  when: datetime) -> str:
    return (f"Received: from {helo} ([{ip}]:{port} helo={helo})\n"
            f"\tby {by} with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
            f"\t(Exim 4.97.1)\n"
            f"\t(envelope-from <{envelope_from}>)\n"
            f"\tid {exim_id}\n"
            f"\tfor {rcpt};\n"
            f"\t{date(when)}")


def lmtp_received(from_host: str, ip: str, by: str, lmtp_id: str, envelope_from: str, rcpt: str,
                  when: datetime) -> str:
    # Dovecot's LMTP delivery line (the MDA hop).
    return (f"Received: from {from_host} ([{ip}])\n"
            f"\tby {by} with LMTP\n"
            f"\tid {lmtp_id}\n"
            f"\t(envelope-from <{envelope_from}>)\n"
            f"\tfor <{rcpt}>; {date(when)}")


def m365_received(from_host: str, from_ip: str, by: str, by_ip: str, when: datetime, *, frontend: bool,
                  tls: str = "version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384") -> str:
    via = " via Frontend Transport" if frontend else ""
    return (f"Received: from {from_host} ({from_ip}) by\n"
            f" {by} ({by_ip}) with Microsoft\n"
            f" SMTP Server ({tls}) id 15.20.8207.16{via}; {m365_date(when)}")


def m365_date(when: datetime) -> str:
    # Exchange writes "Thu, 26 Nov 2026 17:14:05 +0000" in UTC.
    return format_datetime(when.astimezone(UTC)).replace("-0000", "+0000")


def gmail_received(helo: str, ip: str, smtp_id: str, rcpt: str, when: datetime) -> str:
    return (f"Received: from {helo} ({helo}. [{ip}])\n"
            f"        by mx.google.com with ESMTPS id {smtp_id}\n"
            f"        for <{rcpt}>\n"
            f"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
            f"        {date(when)} (PST)")


# --------------------------------------------------------------------------- the samples

SIGNED_HEADERS = ["from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version",
                  "content-type", "content-transfer-encoding"]
# Over-signing From/Subject (listing them once more than present) stops a second copy
# being added after signing (RFC 6376 section 8.15).
OVERSIGNED = [*SIGNED_HEADERS, "from", "subject"]


def multipart_body(boundary: str, plain: str, html: str) -> str:
    return (f"This is a multi-part message in MIME format.\n"
            f"--{boundary}\n"
            f"Content-Type: text/plain; charset=UTF-8; format=flowed\n"
            f"Content-Transfer-Encoding: 7bit\n\n"
            f"{plain}\n"
            f"--{boundary}\n"
            f"Content-Type: text/html; charset=UTF-8\n"
            f"Content-Transfer-Encoding: 7bit\n\n"
            f"{html}\n"
            f"--{boundary}--\n")


def example_com_dns(key: bytes) -> dict[str, Any]:
    """What example.com publishes: its DKIM key (s2026), SPF with an include, MX and DMARC."""
    return {
        "s2026._domainkey.example.com": {"TXT": [rsa_record(key)]},
        "example.com": {"TXT": [["v=spf1 ip4:192.0.2.24/30 include:_spf.example.com -all"]],
                        "MX": ["10 mx1.example.com.", "20 mx2.example.com."]},
        "_spf.example.com": {"TXT": [["v=spf1 ip4:198.51.100.128/27 ip6:2001:db8:25::/48 -all"]]},
        "_dmarc.example.com": {"TXT": [["v=DMARC1; p=quarantine; sp=quarantine; adkim=r; aspf=r; pct=100; "
                                        "rua=mailto:dmarc-reports@example.com; fo=1"]]},
    }


def alice_sends(message: bytes, key: bytes, t_submit: datetime, rcpt: str, submit_id: str,
                relay_id: str) -> tuple[bytes, str, datetime]:
    """Alice's Thunderbird submits to submit.example.com, which signs and hands the message to
    the outbound relay mx-out1.example.com: (the message as the relay sends it, the
    DKIM-Signature field, when the relay received it)."""
    signature = dkim_sign(message, "s2026", "example.com", key, t_submit, OVERSIGNED)
    message = prepend(
        message,
        signature,
        postfix_received("[192.168.1.23]", "dyn-23.cable.example.org", "198.51.100.23", "submit.example.com",
                         submit_id, rcpt, t_submit, auth="alice"),
    )
    t_relay = t_submit + timedelta(seconds=2)
    message = prepend(message, postfix_received("submit.example.com", "submit.example.com", "10.20.0.5",
                                                "mx-out1.example.com", relay_id, rcpt, t_relay))
    return message, signature, t_relay


def sample_direct(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """Alice at example.com writes to Bob on a Google-hosted domain: everything passes."""
    key = rsa_key("example.com", 2048, keys)
    t0 = datetime(2026, 11, 26, 9, 12, 41, tzinfo=PST)
    boundary = "------------Vq3K8mZ0b1cY7uTn2wXe4hLd"
    message = crlf(
        "Message-ID: <4b7e1c2a-93f0-4d1e-a6b2-8f0c5d9e3a17@example.com>\n"
        f"Date: {date(t0.astimezone(CET))}\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        "Content-Language: en-US\n"
        "From: Alice Martin <alice@example.com>\n"
        "To: Bob Nguyen <bob@workspace.example>\n"
        "Subject: Q4 capacity plan - draft for review\n"
        f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\n"
        "\n"
        + multipart_body(boundary,
                         "Hi Bob,\n\nAttached below is the summary of the Q4 capacity plan. Could you\n"
                         "review the storage numbers before Friday?\n\nThanks,\nAlice",
                         "<html><body><p>Hi Bob,</p><p>Attached below is the summary of the Q4 capacity "
                         "plan. Could you review the storage numbers before Friday?</p><p>Thanks,<br>Alice"
                         "</p></body></html>"))
    message, signature, t_relay = alice_sends(message, key, t0 + timedelta(seconds=1), "bob@workspace.example",
                                              "4dKq7X1Zr8z9sVb", "4dKq7X3Fwnz2Jg4")
    t_gmail = t_relay + timedelta(seconds=3)
    auth = (f"Authentication-Results: mx.google.com;\n"
            f"       dkim=pass header.i=@example.com header.s=s2026 header.b={b_tag(signature)};\n"
            f"       spf=pass (google.com: domain of alice@example.com designates 192.0.2.25 as permitted sender)"
            f" smtp.mailfrom=alice@example.com;\n"
            f"       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=example.com")
    message = prepend(
        message,
        "Return-Path: <alice@example.com>",
        gmail_received("mx-out1.example.com", "192.0.2.25",
                       "af79cd13be357-8d3c2a91e7fsi512084385a.412.2026.11.26.09.12.47", "bob@workspace.example",
                       t_gmail),
        "Received-SPF: pass (google.com: domain of alice@example.com designates 192.0.2.25 as permitted sender)"
        " client-ip=192.0.2.25;",
        auth,
    )
    t_store = t_gmail + timedelta(seconds=1)
    # Gmail seals what it saw at its MX (ARC i=1, cv=none) above its own trace fields, as real
    # Gmail messages show in "Show original".
    google_key = rsa_key("google.com", 2048, keys)
    message = prepend(message, *arc_seal(message, "arc-20240605", "google.com", google_key, "mx.google.com", t_store,
                                         ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"]))
    message = prepend(
        message,
        "Delivered-To: bob@workspace.example",
        f"Received: by 2001:db8:6214:5d0c:b0:6f5:4c21:9a3e with SMTP id fb2csp1201847qvb;\n"
        f"        {date(t_store)} (PST)",
        "X-Received: by 2001:db8:620a:2994:b0:8b2:f1a3:9d10 with SMTP id"
        f" af79cd13be357-8d3c2a91e7fmr1093342585a.3.{int(t_store.timestamp() * 1000) + 120};\n"
        f"        {date(t_store)} (PST)",
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-26T17:20:00Z", "source": "samples/make_samples.py (direct)"},
        **example_com_dns(key),
        "25.2.0.192.in-addr.arpa": {"PTR": ["mx-out1.example.com."]},
        "mx-out1.example.com": {"A": ["192.0.2.25"], "AAAA": ["2001:db8:25::25"]},
        "arc-20240605._domainkey.google.com": {"TXT": [rsa_record(google_key)]},
    }
    return message, dns


def sample_forwarded(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """Carol at example.org writes to an alumni address that forwards (SRS) to Microsoft 365."""
    key = rsa_key("example.org", 2048, keys)
    t0 = datetime(2026, 11, 26, 14, 3, 9, tzinfo=CET)
    message = crlf(
        "From: Carol Dupont <carol@example.org>\n"
        "To: Dave Okafor <dave@alumni.example>\n"
        "Subject: Reunion dinner on 12 December\n"
        f"Date: {date(t0)}\n"
        "Message-ID: <20261126130309.A12F6180B2C@mail.example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "Dear Dave,\n\n"
        "We have booked the back room at the usual place for Saturday 12 December\n"
        "at 19:00. Please let me know by the 5th whether you can come, and whether\n"
        "you will bring a guest.\n\n"
        "Best regards,\n"
        "Carol\n")
    t_submit = t0 + timedelta(seconds=2)
    signature = dkim_sign(message, "mail2026", "example.org", key, t_submit, OVERSIGNED)
    message = prepend(
        message,
        signature,
        postfix_received("[10.0.0.77]", "unknown", "10.0.0.77", "mail.example.org", "A12F6180B2C",
                         "dave@alumni.example", t_submit, auth="carol"),
    )
    t_fwd = t_submit + timedelta(seconds=3)
    srs = "SRS0=hX4d=T3=example.org=carol@alumni.example"
    message = prepend(
        message,
        "Authentication-Results: mail.alumni.example;\n"
        "\tdkim=pass header.d=example.org header.s=mail2026;\n"
        "\tspf=pass smtp.mailfrom=carol@example.org;\n"
        "\tdmarc=pass header.from=example.org",
        postfix_received("mail.example.org", "mail.example.org", "192.0.2.40", "mail.alumni.example",
                         "4dKpZ95Jx1z4wQm", "dave@alumni.example", t_fwd),
    )
    # The forwarder's queue: the alias expands and Postfix's SRS daemon rewrites MAIL FROM.
    t_out = t_fwd + timedelta(seconds=1)
    message = prepend(message, postfix_received("mail.alumni.example", "localhost", "127.0.0.1",
                                                "mail.alumni.example", "4dKpZ96Bq2z4wQn",
                                                "dave@fabrikam.example", t_out, tls=False, protocol="ESMTP"))
    t_edge = t_out + timedelta(seconds=2)
    t_frontend = t_edge + timedelta(seconds=1)
    t_mailbox = t_frontend + timedelta(seconds=1)
    message = prepend(
        message,
        m365_received("BN9PR03CA0412.namprd03.prod.outlook.com", "2001:db8:10b6:804:13e::7",
                      "DM6PR11MB4321.namprd11.prod.outlook.com", "2001:db8:10b6:5:1c0::12", t_mailbox,
                      frontend=False, tls="version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        m365_received("BN8NAM12FT067.eop-nam12.prod.protection.outlook.com", "2001:db8:10b6:d0::41",
                      "BN9PR03CA0412.outlook.office365.com", "2001:db8:10b6:804:13e::7", t_frontend,
                      frontend=True),
        "Authentication-Results: spf=pass (sender IP is 203.0.113.45)\n"
        " smtp.mailfrom=alumni.example; dkim=pass (signature was verified)\n"
        " header.d=example.org;dmarc=pass action=none\n"
        " header.from=example.org;compauth=pass reason=100",
        "Received-SPF: Pass (protection.outlook.com: domain of alumni.example\n"
        " designates 203.0.113.45 as permitted sender) receiver=protection.outlook.com;\n"
        " client-ip=203.0.113.45; helo=mail.alumni.example; pr=C",
        m365_received("mail.alumni.example", "203.0.113.45",
                      "BN8NAM12FT067.mail.protection.outlook.com", "10.13.182.165", t_edge, frontend=True),
    )
    message = prepend(
        message,
        f"Return-Path: {srs}",
        "X-MS-Exchange-Organization-AuthSource: BN8NAM12FT067.eop-nam12.prod.protection.outlook.com",
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
        "X-MS-Exchange-Organization-SCL: 1",
        "X-Forefront-Antispam-Report: CIP:203.0.113.45;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;"
        "H:mail.alumni.example;PTR:mail.alumni.example;CAT:NONE;SFS:;DIR:INB;",
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-26T13:10:00Z", "source": "samples/make_samples.py (forwarded-srs)"},
        "mail2026._domainkey.example.org": {"TXT": [rsa_record(key)]},
        # example.org authorises only its own servers: from the forwarder's IP its SPF fails.
        "example.org": {"TXT": [["v=spf1 ip4:192.0.2.32/28 -all"]], "MX": ["10 mail.example.org."]},
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc@example.org"]]},
        "alumni.example": {"TXT": [["v=spf1 ip4:203.0.113.45 -all"]], "MX": ["10 mail.alumni.example."]},
        "_dmarc.alumni.example": {"TXT": [["v=DMARC1; p=none"]]},
        "mail.alumni.example": {"A": ["203.0.113.45"]},
        "45.113.0.203.in-addr.arpa": {"PTR": ["mail.alumni.example."]},
        "mail.example.org": {"A": ["192.0.2.40"]},
        "40.2.0.192.in-addr.arpa": {"PTR": ["mail.example.org."]},
    }
    return message, dns


def sample_mailing_list(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """A post to a Mailman list: Subject tag and footer break the author's DKIM; ARC vouches."""
    author_key = rsa_key("example.com", 2048, keys)
    list_key = rsa_key("lists.example.org", 2048, keys)
    receiver_key = rsa_key("example.net", 2048, keys)
    t0 = datetime(2026, 11, 25, 10, 41, 2, tzinfo=EST)
    message = crlf(
        "From: Frank Moreau <frank@example.com>\n"
        "To: devel@lists.example.org\n"
        "Subject: Proposal: drop Python 3.9 support in 4.0\n"
        f"Date: {date(t0)}\n"
        "Message-ID: <CAF3x9q1Lw2e7Rk0VbZp8sYtUoH5jN4mQxG6cD2aB1nE3fK7gA@mail.example.com>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=\"UTF-8\"\n"
        "\n"
        "Hi all,\n\n"
        "Python 3.9 reached end of life in October 2025. I propose we drop it in\n"
        "4.0 and use the match statement and the new typing features freely.\n\n"
        "Objections by the end of next week?\n\n"
        "Frank\n")
    t_submit = t0 + timedelta(seconds=1)
    author_sig = dkim_sign(message, "s2026", "example.com", author_key, t_submit, OVERSIGNED)
    message = prepend(message, author_sig,
                      postfix_received("[192.168.20.14]", "unknown", "198.51.100.61", "submit.example.com",
                                       "4dKb3T0m9Hz9sVc", "devel@lists.example.org", t_submit, auth="frank"))
    t_list_in = t_submit + timedelta(seconds=4)
    message = prepend(
        message,
        "Authentication-Results: lists.example.org;\n"
        "\tdkim=pass header.d=example.com header.s=s2026 header.b=" + b_tag(author_sig) + ";\n"
        "\tspf=pass smtp.mailfrom=example.com;\n"
        "\tdmarc=pass header.from=example.com;\n"
        "\tarc=none",
        postfix_received("mx-out1.example.com", "mx-out1.example.com", "192.0.2.25", "mail.lists.example.org",
                         "4dKb3W2yGfz7Ljm", "devel@lists.example.org", t_list_in),
    )
    # Mailman rewrites: a Subject prefix and a footer (which breaks the author's body hash,
    # RFC 6376 section 3.7), plus its own List-* fields (RFC 2369, RFC 2919).
    message = replace_header(message, "Subject", "[devel] Proposal: drop Python 3.9 support in 4.0")
    message = message + crlf(
        "_______________________________________________\n"
        "devel mailing list -- devel@lists.example.org\n"
        "To unsubscribe send an email to devel-leave@lists.example.org\n")
    t_list_out = t_list_in + timedelta(seconds=38)
    message = prepend(
        message,
        "Message-ID-Hash: 5QWZ3K2XH7R4TNGJ6VY2MB4LDFCUAEPO",
        "X-Message-ID-Hash: 5QWZ3K2XH7R4TNGJ6VY2MB4LDFCUAEPO",
        "X-MailFrom: frank@example.com",
        "X-Mailman-Rule-Misses: dmarc-mitigation; no-senders; approved; emergency; loop; banned-address;\n"
        " member-moderation; nonmember-moderation; administrivia; implicit-dest; max-recipients;\n"
        " max-size; news-moderation; no-subject; digests; suspicious-header",
        "X-Mailman-Version: 3.3.9",
        "Precedence: list",
        "List-Id: Development discussion <devel.lists.example.org>",
        "Archived-At: <https://lists.example.org/archives/list/devel@lists.example.org/message/"
        "5QWZ3K2XH7R4TNGJ6VY2MB4LDFCUAEPO/>",
        "List-Archive: <https://lists.example.org/archives/list/devel@lists.example.org/>",
        "List-Help: <mailto:devel-request@lists.example.org?subject=help>",
        "List-Owner: <mailto:devel-owner@lists.example.org>",
        "List-Post: <mailto:devel@lists.example.org>",
        "List-Subscribe: <mailto:devel-join@lists.example.org>",
        "List-Unsubscribe: <mailto:devel-leave@lists.example.org>",
    )
    # Mailman hands the post back to Postfix, whose milters sign (DKIM) and seal (ARC) it.
    message = prepend(message, postfix_received("mailman-core.lists.example.org", "localhost", "127.0.0.1",
                                                "mail.lists.example.org", "4dKb4B5nQ1z7Ljq", "grace@example.net",
                                                t_list_out, tls=False, protocol="ESMTP"))
    list_sig = dkim_sign(message, "list2026", "lists.example.org", list_key, t_list_out,
                         ["from", "to", "subject", "date", "message-id", "list-id", "list-post",
                          "list-unsubscribe", "mime-version", "content-type"])
    message = prepend(message, list_sig)
    arc1 = arc_seal(message, "arc2026", "lists.example.org", list_key, "lists.example.org", t_list_out,
                    ["from", "to", "subject", "date", "message-id", "list-id", "list-post", "mime-version",
                     "content-type"])
    verp = "devel-bounces+grace=example.net@lists.example.org"
    message = prepend(message, *arc1)
    t_rcv = t_list_out + timedelta(seconds=2)
    message = prepend(
        message,
        "Authentication-Results: mx1.example.net;\n"
        "\tdkim=fail reason=\"body hash did not verify\" header.d=example.com header.s=s2026"
        " header.b=" + b_tag(author_sig) + ";\n"
        "\tdkim=pass header.d=lists.example.org header.s=list2026 header.b=" + b_tag(list_sig) + ";\n"
        "\tarc=pass (\"lists.example.org:s=arc2026:i=1\");\n"
        "\tspf=pass smtp.mailfrom=lists.example.org;\n"
        "\tdmarc=fail reason=\"arc override: lists.example.org\" (p=quarantine) header.from=example.com",
        exim_received("mail.lists.example.org", "198.51.100.40", 41234, "mx1.example.net",
                      "1vQ2Xz-00A3bC-1q", verp, "grace@example.net", t_rcv),
    )
    arc2 = arc_seal(message, "arc", "example.net", receiver_key, "mx1.example.net", t_rcv,
                    ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"])
    t_store = t_rcv + timedelta(seconds=1)
    message = prepend(
        message,
        f"Return-Path: <{verp}>",
        "Delivered-To: grace@example.net",
        lmtp_received("mx1.example.net", "10.1.0.5", "imap1.example.net", "8Kq3HkPtRWl2cQAA6cB9Bg", verp,
                      "grace@example.net", t_store),
        *arc2,
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-25T15:50:00Z", "source": "samples/make_samples.py (mailing-list)"},
        "s2026._domainkey.example.com": {"TXT": [rsa_record(author_key)]},
        "list2026._domainkey.lists.example.org": {"TXT": [rsa_record(list_key)]},
        "arc2026._domainkey.lists.example.org": {"TXT": [rsa_record(list_key)]},
        "arc._domainkey.example.net": {"TXT": [rsa_record(receiver_key)]},
        # The recipient's domain receives at its own MX (no filtering service in front of it).
        "example.net": {"MX": ["10 mx1.example.net."]},
        "example.com": {"TXT": [["v=spf1 ip4:192.0.2.24/30 include:_spf.example.com -all"]],
                        "MX": ["10 mx1.example.com.", "20 mx2.example.com."]},
        "_spf.example.com": {"TXT": [["v=spf1 ip4:198.51.100.128/27 ip6:2001:db8:25::/48 -all"]]},
        "_dmarc.example.com": {"TXT": [["v=DMARC1; p=quarantine; sp=quarantine; adkim=r; aspf=r; pct=100; "
                                        "rua=mailto:dmarc-reports@example.com; fo=1"]]},
        "lists.example.org": {"TXT": [["v=spf1 ip4:198.51.100.40 -all"]], "MX": ["10 mail.lists.example.org."]},
        "_dmarc.lists.example.org": "NXDOMAIN",
        "_dmarc.example.org": {"TXT": [["v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc@example.org"]]},
        "mail.lists.example.org": {"A": ["198.51.100.40"]},
        "40.100.51.198.in-addr.arpa": {"PTR": ["mail.lists.example.org."]},
    }
    return message, dns


def sample_spoofed(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """A phish that claims to be bank.example (p=reject) from a rented server."""
    bank_key = rsa_key("bank.example", 2048, keys)
    attacker_key = rsa_key("attacker", 2048, keys)
    t0 = datetime(2026, 11, 27, 3, 17, 55, tzinfo=UTC)
    boundary = "_000_PH7PR84MB1869E5A1D2C43B7F9A0E4C12PH7PR84MB1869NAMP_"
    message = crlf(
        "From: \"accounts@bank.example\" <security-notice@bank.example>\n"
        "Reply-To: Account Recovery Desk <recovery@secure-verify.test>\n"
        "To: lee@fabrikam.example\n"
        "Subject: =?UTF-8?B?VW51c3VhbCBzaWduLWluIGF0dGVtcHQg4oCTIGFjdGlvbiByZXF1aXJlZA==?=\n"
        f"Date: {date(t0)}\n"
        "Message-ID: <20261127031755.9F3C2D@bank.example>\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\n"
        "X-Mailer: Microsoft Outlook 16.0\n"
        "\n"
        + multipart_body(boundary,
                         "Dear customer,\n\nWe detected an unusual sign-in attempt on your account.\n"
                         "To avoid suspension, confirm your identity within 24 hours:\n"
                         "https://secure-verify.test/bank/confirm?id=88213\n\nBank Security Team",
                         "<html><body><p>Dear customer,</p><p>We detected an unusual sign-in attempt on your "
                         "account. To avoid suspension, <a href=\"https://secure-verify.test/bank/confirm?"
                         "id=88213\">confirm your identity</a> within 24 hours.</p><p>Bank Security Team</p>"
                         "</body></html>"))
    # Signed with the attacker's own key under the bank's published selector: it cannot verify.
    forged_sig = dkim_sign(message, "s1", "bank.example", attacker_key, t0, SIGNED_HEADERS)
    t_forged = t0 + timedelta(seconds=4)
    message = prepend(
        message,
        forged_sig,
        # A forged "earlier hop" inside the bank, written by the sender: a claim, not evidence.
        f"Received: from [10.12.4.9] by mail.bank.example with ESMTPSA id 7f3e2a; {date(t_forged)}",
    )
    t_relay = t_forged + timedelta(seconds=31)
    message = prepend(message, postfix_received("mail.bank.example", "localhost", "127.0.0.1",
                                                "vps-4471.cheap-hosting.test", "4dKtR12Pq0z1xBc",
                                                "lee@fabrikam.example", t_relay, tls=False, protocol="ESMTP"))
    t_edge = t_relay + timedelta(seconds=2)
    t_frontend = t_edge + timedelta(seconds=1)
    t_mailbox = t_frontend + timedelta(seconds=2)
    message = prepend(
        message,
        m365_received("SN7PR04CA0133.namprd04.prod.outlook.com", "2001:db8:10b6:806:fc::18",
                      "PH7PR84MB1869.NAMPRD84.PROD.OUTLOOK.COM", "2001:db8:10b6:510:2f9::11", t_mailbox,
                      frontend=False, tls="version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        m365_received("SN1PEPF0002636B.namprd02.prod.outlook.com", "2001:db8:10b6:80f:cafe::c4",
                      "SN7PR04CA0133.outlook.office365.com", "2001:db8:10b6:806:fc::18", t_frontend,
                      frontend=True),
        "Authentication-Results: spf=fail (sender IP is 203.0.113.66)\n"
        " smtp.mailfrom=bank.example; dkim=fail (signature did not verify)\n"
        " header.d=bank.example;dmarc=fail action=oreject\n"
        " header.from=bank.example;compauth=fail reason=000",
        "Received-SPF: Fail (protection.outlook.com: domain of bank.example does not\n"
        " designate 203.0.113.66 as permitted sender)\n"
        " receiver=protection.outlook.com; client-ip=203.0.113.66;\n"
        " helo=mail.bank.example;",
        m365_received("mail.bank.example", "203.0.113.66", "SN1PEPF0002636B.mail.protection.outlook.com",
                      "10.167.242.71", t_edge, frontend=True, tls="version=TLS1_2, "
                      "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    )
    message = prepend(
        message,
        "Return-Path: security-notice@bank.example",
        "X-MS-Exchange-Organization-AuthSource: SN1PEPF0002636B.namprd02.prod.outlook.com",
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
        "X-MS-Exchange-Organization-SCL: 5",
        "X-Forefront-Antispam-Report: CIP:203.0.113.66;CTRY:;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;"
        "H:mail.bank.example;PTR:vps-4471.cheap-hosting.test;CAT:SPOOF;SFS:;DIR:INB;",
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-27T03:30:00Z", "source": "samples/make_samples.py (spoofed)"},
        "s1._domainkey.bank.example": {"TXT": [rsa_record(bank_key)]},
        "bank.example": {"TXT": [["v=spf1 ip4:192.0.2.128/26 include:_spf.bank.example -all"]],
                         "MX": ["10 mx.bank.example."]},
        "_spf.bank.example": {"TXT": [["v=spf1 ip6:2001:db8:b4::/48 -all"]]},
        "_dmarc.bank.example": {"TXT": [["v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; "
                                         "rua=mailto:dmarc@bank.example; ruf=mailto:dmarc-forensic@bank.example; "
                                         "fo=1"]]},
        "mail.bank.example": {"A": ["192.0.2.130"]},
        "66.113.0.203.in-addr.arpa": {"PTR": ["vps-4471.cheap-hosting.test."]},
        "vps-4471.cheap-hosting.test": {"A": ["203.0.113.66"]},
        "secure-verify.test": {"A": ["203.0.113.67"]},
    }
    return message, dns


def sample_headers_only(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """A newsletter's headers as pasted from Outlook's "Internet headers" box (no body)."""
    key = rsa_key("shop.example", 2048, keys)
    t0 = datetime(2026, 11, 26, 16, 2, 11, 412030, tzinfo=UTC)
    message = crlf(
        "From: Shop Example <news@shop.example>\n"
        "To: lee@fabrikam.example\n"
        "Subject: Black Friday starts now: 30% off everything\n"
        f"Date: {date(t0.replace(microsecond=0))}\n"
        "Message-ID: <Zx8aQ2mRTc6vW9pL4nK1fA@geopod-ismtpd-3>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=\"3f1b6e0c9a7d2e4b\"\n"
        "List-Unsubscribe: <https://email.shop.example/unsubscribe?u=55120>, <mailto:unsub@email.shop.example>\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "\n"
        "--3f1b6e0c9a7d2e4b\nContent-Type: text/plain; charset=utf-8\n\n30% off everything until Monday.\n"
        "--3f1b6e0c9a7d2e4b--\n")
    signature = dkim_sign(message, "s1", "shop.example", key, t0,
                          [*SIGNED_HEADERS, "list-unsubscribe", "list-unsubscribe-post"])
    bounce = "bounces+5512087-ab3f-lee=fabrikam.example@email.shop.example"
    t_filter = t0
    t_edge = t0 + timedelta(seconds=2)
    headers = [
        m365_received("DM6PR07CA0071.namprd07.prod.outlook.com", "2001:db8:10b6:5:1c0::33",
                      "SA1PR84MB3147.NAMPRD84.PROD.OUTLOOK.COM", "2001:db8:10b6:806:3d0::9",
                      t_edge + timedelta(seconds=2), frontend=False,
                      tls="version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        m365_received("DS2PEPF00003442.namprd04.prod.outlook.com", "2001:db8:10b6:f:fff::9b",
                      "DM6PR07CA0071.outlook.office365.com", "2001:db8:10b6:5:1c0::33",
                      t_edge + timedelta(seconds=1), frontend=True),
        "Authentication-Results: spf=pass (sender IP is 198.51.100.77)\n"
        " smtp.mailfrom=email.shop.example; dkim=pass (signature was verified)\n"
        " header.d=shop.example;dmarc=pass action=none\n"
        " header.from=shop.example;compauth=pass reason=100",
        "Received-SPF: Pass (protection.outlook.com: domain of email.shop.example\n"
        " designates 198.51.100.77 as permitted sender)\n"
        " receiver=protection.outlook.com; client-ip=198.51.100.77;\n"
        " helo=o1.email.shop.example; pr=C",
        m365_received("o1.email.shop.example", "198.51.100.77", "DS2PEPF00003442.mail.protection.outlook.com",
                      "10.167.17.196", t_edge, frontend=True),
        signature,
        # SendGrid-style lines: the filter writes no ";" before its date.
        "Received: by filterdrecv-5bd8f8f9c-q7zx4 with SMTP id filterdrecv-5bd8f8f9c-q7zx4-1-6745F0A3-2F\n"
        f"        {t_filter.strftime('%Y-%m-%d %H:%M:%S.%f')}113 +0000 UTC m=+3158.117654321",
        "Received: from shop-web-01 (unknown)\n"
        "\tby geopod-ismtpd-3 (SG) with HTTP\n"
        "\tid Zx8aQ2mRTc6vW9pL4nK1fA\n"
        f"\t{date(t0.replace(microsecond=0))} (UTC)",
        f"Return-Path: {bounce}",
    ]
    head = message.split(b"\r\n\r\n", 1)[0].decode()
    # Outlook shows the transport headers top first, Return-Path among them, LF line ends and
    # no body; the X-MS fields it adds sit on top.
    text = "\n".join([
        "X-MS-Exchange-Organization-AuthSource: DS2PEPF00003442.namprd04.prod.outlook.com",
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
        *headers,
        head.replace("\r\n", "\n"),
        "X-MS-Exchange-Organization-SCL: 1",
        "X-Forefront-Antispam-Report: CIP:198.51.100.77;CTRY:;LANG:en;SCL:1;SRV:BULK;IPV:NLI;SFV:NSPM;"
        "H:o1.email.shop.example;PTR:o1.email.shop.example;CAT:BULK;SFS:;DIR:INB;",
    ]) + "\n"
    dns = {
        "$meta": {"recorded_at": "2026-11-26T16:10:00Z", "source": "samples/make_samples.py (headers-only)"},
        "s1._domainkey.shop.example": {"TXT": [rsa_record(key)]},
        "shop.example": {"TXT": [["v=spf1 include:_spf.shop.example -all"]], "MX": ["10 mx.shop.example."]},
        "_spf.shop.example": {"TXT": [["v=spf1 ip4:192.0.2.200 -all"]]},
        "email.shop.example": {"TXT": [["v=spf1 ip4:198.51.100.64/26 -all"]], "MX": ["10 mx.email.shop.example."]},
        "_dmarc.shop.example": {"TXT": [["v=DMARC1; p=quarantine; rua=mailto:dmarc@shop.example"]]},
        "_dmarc.email.shop.example": "NXDOMAIN",
        "o1.email.shop.example": {"A": ["198.51.100.77"]},
        "77.100.51.198.in-addr.arpa": {"PTR": ["o1.email.shop.example."]},
    }
    return text.encode("utf-8"), dns


def sample_ed25519(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """Dual-signed (Ed25519 + RSA 1024, as RFC 8463 suggests); the copy of a Bcc recipient."""
    rsa_pem = rsa_key("sender.example", 1024, keys)
    ed_seed = ed25519_key("sender.example", keys)
    t0 = datetime(2026, 11, 24, 8, 30, 0, tzinfo=CET)
    message = crlf(
        "From: Ivan Petrov <ivan@sender.example>\n"
        "To: Release Team <release@sender.example>\n"
        "Subject: 2.4.0 release candidate is tagged\n"
        f"Date: {date(t0)}\n"
        "Message-ID: <rc-2.4.0-20261124083000@sender.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        "The 2.4.0 release candidate is tagged and the artifacts are uploading.\n"
        "Please run your smoke tests today; I will cut the release tomorrow at 10:00\n"
        "unless someone objects.\n\n"
        "Ivan\n")
    headers = ["from", "to", "subject", "date", "message-id", "from", "subject", "date"]
    t_sign = t0 + timedelta(seconds=3)
    rsa_sig = dkim_sign(message, "rsa1024", "sender.example", rsa_pem, t_sign, headers)
    ed_sig = dkim_sign(message, "ed2026", "sender.example", ed_seed, t_sign, headers, algorithm="ed25519-sha256")
    message = prepend(
        message, ed_sig, rsa_sig,
        postfix_received("ivan-laptop.sender.example", "vpn-7.sender.example", "192.0.2.77", "smtp.sender.example",
                         "4dJ9wX0cPqz3KlY", "judy@example.com", t_sign, auth="ivan"),
    )
    t_out = t_sign + timedelta(seconds=1)
    message = prepend(message, postfix_received("smtp.sender.example", "smtp.sender.example", "10.8.0.2",
                                                "out.sender.example", "4dJ9wX1Ttmz3Kp2", "judy@example.com",
                                                t_out))
    t_mx = t_out + timedelta(seconds=2)
    message = prepend(
        message,
        "Authentication-Results: mx.example.com;\n"
        "\tdmarc=pass (p=none dis=none) header.from=sender.example",
        "Authentication-Results: mx.example.com;\n"
        "\tdkim=pass (1024-bit key; unprotected) header.d=sender.example header.i=@sender.example"
        " header.a=rsa-sha256 header.s=rsa1024 header.b=" + b_tag(rsa_sig) + ";\n"
        "\tdkim=pass (256-bit key; unprotected) header.d=sender.example header.i=@sender.example"
        " header.a=ed25519-sha256 header.s=ed2026 header.b=" + b_tag(ed_sig),
        "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=sender.example",
        "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=198.51.100.9; helo=out.sender.example;"
        " envelope-from=ivan@sender.example; receiver=<UNKNOWN>",
        postfix_received("out.sender.example", "out.sender.example", "198.51.100.9", "mx.example.com",
                         "4dJ9wX3Hb0z1rTs", "judy@example.com", t_mx),
    )
    t_store = t_mx + timedelta(seconds=1)
    message = prepend(
        message,
        "Return-Path: <ivan@sender.example>",
        "Delivered-To: judy@example.com",
        lmtp_received("mx.example.com", "10.20.0.9", "imap.example.com", "qG9mF3n1Q2ltHQAAnC5bRw",
                      "ivan@sender.example", "judy@example.com", t_store),
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-24T07:40:00Z", "source": "samples/make_samples.py (ed25519)"},
        "rsa1024._domainkey.sender.example": {"TXT": [rsa_record(rsa_pem)]},
        "ed2026._domainkey.sender.example": {"TXT": [ed25519_record(ed_seed)]},
        "sender.example": {"TXT": [["v=spf1 mx ip4:198.51.100.8/29 -all"]], "MX": ["10 out.sender.example."]},
        "out.sender.example": {"A": ["198.51.100.9"]},
        "_dmarc.sender.example": {"TXT": [["v=DMARC1; p=none; rua=mailto:dmarc@sender.example"]]},
        "9.100.51.198.in-addr.arpa": {"PTR": ["out.sender.example."]},
    }
    return message, dns


def sample_bounce(keys: Path) -> tuple[bytes, dict[str, Any]]:
    """Alice's mail to a partner is refused by the partner's MX; her own outbound server
    returns it to her: a delivery status notification carrying the signed original."""
    key = rsa_key("example.com", 2048, keys)
    t0 = datetime(2026, 11, 27, 8, 30, 5, tzinfo=CET)
    original = crlf(
        "Message-ID: <9d2f4a61-0b7e-4c3a-8e15-2a6c7f1d0b94@example.com>\n"
        f"Date: {date(t0)}\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        "From: Alice Martin <alice@example.com>\n"
        "To: Dave Okafor <dave@partner.example>\n"
        "Subject: Signed contract, as agreed\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        "Hi Dave,\n\nHere is the signed contract, as agreed on Tuesday.\n\nBest,\nAlice\n")
    original, _signature, t_relay = alice_sends(original, key, t0 + timedelta(seconds=1), "dave@partner.example",
                                                "4dLa2B7Qk1z3xWc", "4dLa2B9Hmnz5Kq8")
    # Postfix on mx-out1.example.com tries mx1.partner.example, which refuses the message
    # (RFC 3464 section 2.3: one group per recipient), and returns it to the sender.
    t_bounce = t_relay + timedelta(seconds=4)
    boundary = "4dLa2C1Yz0z6Rt2.1764228611/mx-out1.example.com"
    status = (
        "Reporting-MTA: dns; mx-out1.example.com\n"
        "X-Postfix-Queue-ID: 4dLa2B9Hmnz5Kq8\n"
        "X-Postfix-Sender: rfc822; alice@example.com\n"
        f"Arrival-Date: {date(t_relay)}\n"
        "\n"
        "Final-Recipient: rfc822; dave@partner.example\n"
        "Original-Recipient: rfc822;dave@partner.example\n"
        "Action: failed\n"
        "Status: 5.7.1\n"
        "Remote-MTA: dns; mx1.partner.example\n"
        "Diagnostic-Code: smtp; 550 5.7.1 <dave@partner.example>: Recipient address\n"
        "    rejected: the sender's domain is on this site's block list (policy PX-17)\n")
    notice = ("This is the mail system at host mx-out1.example.com.\n\n"
              "I'm sorry to have to inform you that your message could not\n"
              "be delivered to one or more recipients. It's attached below.\n\n"
              "<dave@partner.example>: host mx1.partner.example[203.0.113.40] said: 550 5.7.1\n"
              "    <dave@partner.example>: Recipient address rejected: the sender's domain is on\n"
              "    this site's block list (policy PX-17) (in reply to RCPT TO command)\n")
    bounce = crlf(
        "Date: " + date(t_bounce) + "\n"
        "From: MAILER-DAEMON@mx-out1.example.com (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "To: alice@example.com\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"\n"
        "Content-Transfer-Encoding: 8bit\n"
        "Message-Id: <20261127073016.4dLa2C1Yz0z6Rt2@mx-out1.example.com>\n"
        "\n"
        "This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        f"{notice}\n"
        f"--{boundary}\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        f"{status}\n"
        f"--{boundary}\n"
        "Content-Description: Undelivered Message\n"
        "Content-Type: message/rfc822\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    ) + original + crlf(f"\n--{boundary}--\n")
    t_local = t_bounce + timedelta(seconds=1)
    bounce = prepend(
        bounce,
        "Received: by mx-out1.example.com (Postfix)\n\tid 4dLa2C1Yz0z6Rt2; " + date(t_bounce),
    )
    t_store = t_local + timedelta(seconds=1)
    bounce = prepend(
        bounce,
        "Return-Path: <>",
        "Delivered-To: alice@example.com",
        lmtp_received("mail.example.com", "10.20.0.9", "mail.example.com", "yL8dB0k3e2mRBQAA7a9rlg", "",
                      "alice@example.com", t_store),
        "Authentication-Results: mail.example.com; dkim=none; spf=none smtp.helo=mx-out1.example.com",
        postfix_received("mx-out1.example.com", "mx-out1.example.com", "10.20.0.6", "mail.example.com",
                         "4dLa2C3Mpwz7Vb1", "alice@example.com", t_local),
    )
    dns = {
        "$meta": {"recorded_at": "2026-11-27T07:40:00Z", "source": "samples/make_samples.py (bounce)"},
        **example_com_dns(key),
        "mx-out1.example.com": {"A": ["192.0.2.25"], "AAAA": ["2001:db8:25::25"]},
    }
    return bounce, dns


SAMPLES = {
    "direct.eml": sample_direct,
    "forwarded-srs.eml": sample_forwarded,
    "mailing-list.eml": sample_mailing_list,
    "spoofed.eml": sample_spoofed,
    "headers-only.txt": sample_headers_only,
    "ed25519.eml": sample_ed25519,
    "bounce.eml": sample_bounce,
}


def snapshot_name(sample: str) -> str:
    return sample.rsplit(".", 1)[0] + ".dns.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the samples to")
    parser.add_argument("--keys", type=Path, default=KEYS, help="folder with (or for) the private keys")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    args.keys.mkdir(parents=True, exist_ok=True)
    for name, build in SAMPLES.items():
        message, dns = build(args.keys)
        (args.out / name).write_bytes(message)
        (args.out / snapshot_name(name)).write_text(json.dumps(dns, indent=1, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
        print(f"wrote {args.out / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
