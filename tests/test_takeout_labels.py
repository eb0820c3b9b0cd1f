"""Google Takeout's mbox as a non-English account exports it (verification V42c D4 and minor 5):
its X-Gmail-Labels in the account's language, RFC 2047-encoded (and folded) when a label is not
ASCII; its "From " separator's message-number placeholder at "xxx", which names no sender."""

from __future__ import annotations

from pathlib import Path

import pytest

from headerscope.api import analyze
from headerscope.folders import gmail_labels
from headerscope.loader import load_bytes
from headerscope.scan.readers import iter_inputs
from headerscope.scan.runner import ScanOptions, run_scan

SEPARATOR = b"From 1828754568043628583@xxx Mon Apr 07 14:31:02 +0000 2025\n"
MESSAGE = (b"Delivered-To: johndoe@gmail.com\n"
           b"Received: by 2002:a05:622a:68cd:b0:471:9721:748a with SMTP id ic13csp6102107qtb;\n"
           b"        Mon, 7 Apr 2025 07:31:03 -0700 (PDT)\n"
           b"Received: from mail.example.com (mail.example.com. [192.0.2.25])\n"
           b"        by mx.google.com with ESMTPS id a1si123456qtb.1.2025.04.07.07.31.02\n"
           b"        for <johndoe@gmail.com>\n"
           b"        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
           b"        Mon, 07 Apr 2025 07:31:02 -0700 (PDT)\n"
           b"From: \"Promo\" <promo@example.com>\nTo: johndoe@gmail.com\nSubject: Test Email\n"
           b"Date: Mon, 07 Apr 2025 14:31:00 +0000\nMessage-ID: <abc@example.com>\n\nbody\n")


def _entry(labels: bytes) -> bytes:
    return SEPARATOR + b"X-GM-THRID: 1828754568043628583\nX-Gmail-Labels: " + labels + b"\n" + MESSAGE


@pytest.mark.parametrize(("value", "labels"), [
    ("Spam,Unread", ("Spam", "Unread")),
    ("=?UTF-8?Q?Spam,Cat=C3=A9gorie=C2=A0:_Promotions,Non_lus?=", ("Spam", "Catégorie : Promotions", "Non lus")),
    ("=?UTF-8?Q?Archiv=C3=A9s,Envoy=C3=A9?=", ("Archivés", "Envoyé")),
    # Folded across two encoded-words, a label holding a comma quoted.
    ('=?UTF-8?Q?Messages_archiv=C3=A9s,Ouvert,Cat=C3=A9gorie=C2=A0:_E-mails_?=\r\n'
     ' =?UTF-8?Q?personnels,"Culture,_associations"?=',
     ("Messages archivés", "Ouvert", "Catégorie : E-mails personnels", "Culture, associations")),
    ("Inbox,\r\n Category Purchases", ("Inbox", "Category Purchases")),
    ("=?UTF-8?Q?broken", ("=?UTF-8?Q?broken",)),
])
def test_gmail_labels_are_decoded_before_they_are_split(value: str, labels: tuple[str, ...]) -> None:
    assert gmail_labels(value) == labels


def test_a_french_takeout_export_s_labels_are_read(tmp_path: Path) -> None:
    spam = _entry(b"=?UTF-8?Q?Spam,Cat=C3=A9gorie=C2=A0:_Promotions,Non_lus?=")
    opened = _entry(b"=?UTF-8?Q?Ouvert,Messages_archiv=C3=A9s?=")
    inbox = _entry(b"=?UTF-8?Q?Bo=C3=AEte_de_r=C3=A9ception,Non_lus?=")
    (tmp_path / "fr.mbox").write_bytes(spam + b"\n" + opened + b"\n" + inbox)
    rows = list(run_scan(iter_inputs([str(tmp_path / "fr.mbox")]), ScanOptions(offline=True), 1))
    assert [(r.spam, r.mailbox_flags) for r in rows] == [("spam", ()), (None, ("seen",)), ("not spam", ())]
    [verdict] = analyze(spam, offline=True, source="fr.mbox").spam_filters
    assert verdict.spam and verdict.details[0][1] == "Spam, Catégorie : Promotions, Non lus"


def test_takeouts_message_number_placeholder_is_no_envelope_sender() -> None:
    loaded = load_bytes(_entry(b"Spam,Unread"))
    assert loaded.format == "mbox-entry" and loaded.mbox_sender is None
    report = analyze(_entry(b"Spam,Unread"), offline=True, source="en.mbox")
    assert "1828754568043628583@xxx" not in str(report.envelope)
    # Another mbox writer's sender on the line is still the line's claim.
    other = load_bytes(b"From alice@example.com Mon Apr 07 14:31:02 2025\n" + MESSAGE)
    assert other.mbox_sender == "alice@example.com"
    for near in (b"12ab@xxx", b"123@xxx.example", b"123@XXY"):
        assert load_bytes(b"From " + near + b" Mon Apr 07 14:31:02 2025\n" + MESSAGE).mbox_sender == near.decode()
