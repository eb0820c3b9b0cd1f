"""How many DKIM checks a header-only paste's recorded results name (Report.no_signature_words)."""

from __future__ import annotations

from headerscope.api import analyze


def test_one_signature_recorded_in_the_a_r_and_its_arc_copy_counts_once() -> None:
    # Fastmail's shape (review AH, 04): its ARC-Authentication-Results repeats its A-R's check
    # of the one mail.ru signature, same d=, s= and header.b.
    check = ("dkim=pass (2048-bit rsa key sha256) header.d=mail.ru header.i=@mail.ru header.b=0EDw+VrK "
             "header.a=rsa-sha256 header.s=mail4 x-bits=2048")
    paste = (f"ARC-Authentication-Results: i=1; mx3.messagingengine.com; {check}; spf=pass "
             f"smtp.mailfrom=alice@mail.ru\r\n"
             f"Authentication-Results: mx3.messagingengine.com; {check}; spf=pass smtp.mailfrom=alice@mail.ru\r\n"
             "From: alice@mail.ru\r\nSubject: hi\r\n").encode()
    assert analyze(paste, offline=True).no_signature_words() == (
        "no DKIM-Signature in the pasted header; its recorded results name 1 DKIM check, so the paste stops "
        "before the signature")


def test_a_vendor_no_result_word_and_a_lower_forged_claim_name_no_signature() -> None:
    # Yahoo's atlas writes dkim=unknown for an unsigned message (review AH, 10); the A-R below it,
    # in another writer's name, is a sender's claim, not the receiver's record.
    paste = (b"Authentication-Results: atlas206.aol.mail.ne1.yahoo.com; dkim=unknown; spf=none "
             b"smtp.mailfrom=example.com; dmarc=unknown header.from=example.com\r\n"
             b"From: a@example.com\r\n"
             b"Authentication-Results: aaa.com; dkim=pass header.i=@example.com\r\n"
             b"Subject: hi\r\n")
    assert analyze(paste, offline=True).no_signature_words() == "no DKIM-Signature in the pasted header"


def test_distinct_signatures_of_one_writer_each_count() -> None:
    paste = (b"Authentication-Results: mx.dest.example; dkim=pass header.d=a.example header.s=s1 "
             b"header.b=AAAAAAAA; dkim=pass header.d=esp.example header.s=s1 header.b=BBBBBBBB\r\n"
             b"ARC-Authentication-Results: i=1; mx.dest.example; dkim=pass header.d=esp.example header.s=s1 "
             b"header.b=BBBBBBBB\r\n"
             b"From: a@a.example\r\n")
    assert "name 2 DKIM checks" in analyze(paste, offline=True).no_signature_words()
