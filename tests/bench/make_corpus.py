"""Generate the benchmark corpus: realistic signed messages, an mbox, and their DNS snapshot.

Messages resemble real modern mail: about 40 KB on average (multipart text + HTML, some with a
base64 attachment), 4 to 8 Received hops written like Postfix, Exim, Gmail and Microsoft 365,
one to three DKIM signatures (RSA 1024, RSA 2048, ed25519) made with keys this script creates,
SPF records with includes, DMARC records, an Authentication-Results header at delivery.

    python tests/bench/make_corpus.py [--messages 1000] [--out tests/bench/out]

Writes OUT/corpus.mbox, OUT/corpus.dns.json, OUT/one.eml (+ one.dns.json), OUT/big50.eml
(a 50 MB message with a large attachment, + big50.dns.json).
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from unittest import mock

import dkim
import nacl.signing

HERE = Path(__file__).resolve().parent
DOMAINS = [f"sender{i}.example" for i in range(40)]
ESP_DOMAIN = "esp-mail.example"
RECEIVER = "mx.receiver.example"
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "invoice", "meeting", "report", "quarterly", "shipping", "update", "account", "security", "newsletter", "product", "launch", "schedule", "agenda"]


def rsa_key(bits: int) -> tuple[bytes, str]:
    private = subprocess.run(["openssl", "genrsa", str(bits)], capture_output=True, check=True).stdout
    public_der = subprocess.run(["openssl", "rsa", "-pubout", "-outform", "DER"], input=private,
                                capture_output=True, check=True).stdout
    return private, base64.b64encode(public_der).decode()


def ed25519_key(seed: bytes) -> tuple[bytes, str]:
    signing = nacl.signing.SigningKey(seed)
    return base64.b64encode(bytes(signing)), base64.b64encode(bytes(signing.verify_key)).decode()


def chunks(text: str, size: int = 250) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def body(rng: random.Random, target: int) -> tuple[str, bytes]:
    boundary = f"b{rng.getrandbits(64):016x}"
    text_lines, size = [], 0
    while size < target * 0.35:
        line = paragraph(rng, rng.randint(8, 14))
        text_lines.append(line)
        size += len(line) + 2
    html = "".join(f"<p>{line}</p>\r\n" for line in text_lines)
    parts = [
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
        + "\r\n".join(text_lines) + "\r\n",
        f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n{html}</body></html>\r\n",
    ]
    remaining = target - sum(len(p) for p in parts)
    if remaining > 2000:
        blob = base64.encodebytes(rng.randbytes(remaining * 3 // 4)).decode().replace("\n", "\r\n")
        parts.append(f"--{boundary}\r\nContent-Type: application/pdf; name=\"doc.pdf\"\r\n"
                     f"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n{blob}")
    return f"multipart/mixed; boundary=\"{boundary}\"", ("".join(parts) + f"--{boundary}--\r\n").encode()


def received_chain(rng: random.Random, domain: str, when: datetime, hops: int, client_ip: str,
                   rcpt: str) -> tuple[list[str], datetime]:
    """Received fields top (newest) first, and the delivery time."""
    lines: list[str] = []
    t = when + timedelta(seconds=rng.randint(0, 3))
    chain: list[str] = []
    # submission (MSA), then the sender's outbound relays
    chain.append(f"from [10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}] (unknown [10.1.2.3]) by smtp.{domain} "
                 f"(Postfix) with ESMTPSA id {rng.getrandbits(40):010X} for <{rcpt}>; {{t}}")
    for n in range(hops - 4):
        chain.append(f"from relay{n}.{domain} (relay{n}.{domain} [10.2.{n}.{rng.randint(1, 254)}]) by relay{n + 1}.{domain} "
                     f"(Postfix) with ESMTPS id {rng.getrandbits(40):010X}; {{t}}")
    chain.append(f"from out.{domain} (out.{domain} [{client_ip}]) by {RECEIVER} (Postfix) with ESMTPS id "
                 f"{rng.getrandbits(40):010X} (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
                 f"for <{rcpt}>; {{t}}")
    chain.append(f"from {RECEIVER} ({RECEIVER} [198.51.100.25]) by filter.receiver.example with ESMTP id "
                 f"{rng.getrandbits(40):010X}; {{t}}")
    chain.append(f"from filter.receiver.example by mailbox.receiver.example (Dovecot) with LMTP id "
                 f"{base64.b64encode(rng.randbytes(9)).decode()} for <{rcpt}>; {{t}}")
    for template in chain:
        t += timedelta(seconds=rng.choice((0, 0, 1, 1, 2, 5, 30)))
        lines.append(template.format(t=format_datetime(t)))
    return list(reversed(lines)), t


def make_message(rng: random.Random, n: int, keys: dict[str, tuple[bytes, str, bytes]]) -> bytes:
    domain = rng.choice(DOMAINS)
    index = DOMAINS.index(domain)
    client_ip = f"192.0.2.{index + 10}"
    rcpt = f"user{rng.randint(1, 50)}@receiver.example"
    when = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc) + timedelta(minutes=n)
    target = int(rng.lognormvariate(10.3, 0.6))  # median about 30 KB, mean about 40 KB
    content_type, payload = body(rng, max(3000, min(target, 400_000)))
    hops = rng.randint(4, 8)
    received, delivered = received_chain(rng, domain, when, hops, client_ip, rcpt)
    headers = (
        f"From: {paragraph(rng, 2).title()} <news@{domain}>\r\n"
        f"To: <{rcpt}>\r\nSubject: {paragraph(rng, 6)}\r\nDate: {format_datetime(when)}\r\n"
        f"Message-ID: <{rng.getrandbits(64):x}.{n}@{domain}>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\nList-Unsubscribe: <mailto:unsub@{domain}>\r\n"
    ).encode()
    message = headers + b"\r\n" + payload
    signers = [("rsa2048", domain), *rng.sample([("ed25519", domain), ("rsa1024", ESP_DOMAIN)], rng.randint(0, 2))]
    signatures = b""
    for key_name, signing_domain in signers:
        private, _public, selector = keys[key_name]
        algorithm = b"ed25519-sha256" if key_name == "ed25519" else b"rsa-sha256"
        # dkimpy stamps t= with the current time; a generator script may pin the clock so the
        # signature time matches the message's Date (product code never does this).
        with mock.patch("time.time", return_value=when.timestamp() + 1):
            signatures = dkim.sign(message, selector, signing_domain.encode(), private, signature_algorithm=algorithm,
                                   include_headers=[b"from", b"to", b"subject", b"date", b"message-id",
                                                    b"content-type"],
                                   canonicalize=(b"relaxed", b"relaxed")) + signatures
    auth = (f"Authentication-Results: {RECEIVER}; dkim=pass header.d={domain}; "
            f"spf=pass smtp.mailfrom=bounce@{domain}; dmarc=pass header.from={domain}\r\n").encode()
    trace = b"".join(f"Received: {line}\r\n".encode() for line in received)
    envelope = f"Return-Path: <bounce@{domain}>\r\nDelivered-To: {rcpt}\r\n".encode()
    del delivered
    return envelope + trace[: trace.index(b"Received:", 1)] + auth + trace[trace.index(b"Received:", 1):] + signatures + message


def dns_snapshot(keys: dict[str, tuple[bytes, str, bytes]]) -> dict[str, object]:
    snapshot: dict[str, object] = {"$meta": {"recorded_at": "2026-11-02T12:00:00Z", "source": "tests/bench/make_corpus.py"}}
    key_tag = {"rsa2048": "k=rsa", "rsa1024": "k=rsa", "ed25519": "k=ed25519"}
    for index, domain in enumerate(DOMAINS):
        snapshot[domain] = {"TXT": [[f"v=spf1 ip4:192.0.2.{index + 10} include:_spf.{ESP_DOMAIN} ~all"]],
                            "MX": [f"10 mx.{domain}."], "A": [f"192.0.2.{index + 10}"]}
        snapshot[f"_dmarc.{domain}"] = {"TXT": [[f"v=DMARC1; p={('none', 'quarantine', 'reject')[index % 3]}; "
                                                 f"rua=mailto:dmarc@{domain}"]]}
        snapshot[f"out.{domain}"] = {"A": [f"192.0.2.{index + 10}"]}
        snapshot[f"{index + 10}.2.0.192.in-addr.arpa"] = {"PTR": [f"out.{domain}."]}
        for key_name in ("rsa2048", "ed25519"):
            _private, public, selector = keys[key_name]
            snapshot[f"{selector.decode()}._domainkey.{domain}"] = {"TXT": [chunks(f"v=DKIM1; {key_tag[key_name]}; p={public}")]}
    _private, public, selector = keys["rsa1024"]
    snapshot[f"{selector.decode()}._domainkey.{ESP_DOMAIN}"] = {"TXT": [chunks(f"v=DKIM1; k=rsa; p={public}")]}
    snapshot[f"_spf.{ESP_DOMAIN}"] = {"TXT": [["v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"]]}
    snapshot[f"_dmarc.{ESP_DOMAIN}"] = {"TXT": [["v=DMARC1; p=none"]]}
    return snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--big-mb", type=int, default=50)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261128)
    rsa2048, rsa2048_pub = rsa_key(2048)
    rsa1024, rsa1024_pub = rsa_key(1024)
    ed_private, ed_public = ed25519_key(rng.randbytes(32))
    keys = {"rsa2048": (rsa2048, rsa2048_pub, b"s2048"), "rsa1024": (rsa1024, rsa1024_pub, b"esp1024"),
            "ed25519": (ed_private, ed_public, b"ed")}
    snapshot = dns_snapshot(keys)
    total = 0
    with (args.out / "corpus.mbox").open("wb") as mbox:
        for n in range(args.messages):
            message = make_message(rng, n, keys)
            total += len(message)
            mbox.write(b"From bounce@example Mon Nov  2 10:00:00 2026\n")
            body = message.replace(b"\r\n", b"\n")
            mbox.write(b"\n".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line
                                  for line in body.split(b"\n")))
            mbox.write(b"\n\n")
            if n == 0:
                (args.out / "one.eml").write_bytes(message)
    for name in ("corpus", "one", "big50"):
        (args.out / f"{name}.dns.json").write_text(json.dumps(snapshot, indent=1))
    big = make_message(random.Random(7), 0, keys)
    head, _, _ = big.partition(b"\r\n\r\n")
    attachment = base64.encodebytes(random.Random(8).randbytes(args.big_mb * 1024 * 1024 * 3 // 4))
    (args.out / "big50.eml").write_bytes(head + b"\r\n\r\n" + attachment.replace(b"\n", b"\r\n"))
    print(f"{args.messages} messages, {total / args.messages / 1024:.1f} KB average, in {args.out / 'corpus.mbox'}")


if __name__ == "__main__":
    main()
