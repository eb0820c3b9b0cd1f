"""What a message shows of the programs that change mail in transit: the likely cause of a
DKIM or ARC signature that no longer verifies.

Gateways, lists and filters change what a sender signed as a matter of course: a tag before
the Subject, a banner at the top of the body, links rewritten through a URL checker, a new
transfer encoding, an infected attachment replaced by a warning, an e-mail signature added.
Each leaves marks a reader can name (RFC 6376 section 5.3 and RFC 6377 section 5 describe such
changes). The marks are text in the message, which a sender could write as well: what is found
here names a possible cause, beside a failure that stays a failure, and never vouches for the
message.
"""

from __future__ import annotations

import re

from ..message import Message
from ..text import charset_codec, compiled_on_first_use

_MAX_TEXT = 64 * 1024
"""Bytes of each text part read (decoded) for a banner or a rewritten link."""
_BANNER_WINDOW = 1500
"""Characters from the start of a part (tags removed) where a gateway's banner is looked for."""
_MAX_PARTS = 8
_MAX_NAMED = 4

# Link rewriters, by the host their rewritten links point at (the vendors' documented forms):
# Microsoft Defender for Office 365 Safe Links ("*.safelinks.protection.outlook.com/?url="),
# Proofpoint URL Defense ("urldefense.proofpoint.com/v2/url?u=", "urldefense.com/v3/__"),
# Mimecast URL Protect ("protect-eu.mimecast.com/s/"), Barracuda Link Protection
# ("linkprotect.cudasvc.com/url?a=").
_REWRITERS = (
    ("safelinks.protection.outlook.com", "Microsoft Safe Links"),
    ("urldefense", "Proofpoint URL Defense"),
    ("mimecast.com", "Mimecast URL Protect"),
    ("linkprotect.cudasvc.com", "Barracuda Link Protection"),
)
# The filtering service (organisational domain, as hops.host_organization names its hosts) whose
# inbound gateway does each rewrite: with that service the recipient's confirmed gateway
# (hops.inbound_gateway), the rewrite is the receiving side's own (verdict.decide).
REWRITER_SERVICES = {"Proofpoint URL Defense": "proofpoint.com", "Mimecast URL Protect": "mimecast.com",
                     "Barracuda Link Protection": "barracudanetworks.com"}
_REWRITER_HOSTS = {"Microsoft Safe Links": "safelinks.protection.outlook.com", "Proofpoint URL Defense": "urldefense",
                   "Mimecast URL Protect": "protect-*.mimecast.com",
                   "Barracuda Link Protection": "linkprotect.cudasvc.com"}
_rewritten_link = compiled_on_first_use(
    rb"https?://(?:[a-z0-9-]{1,40}\.){0,3}safelinks\.protection\.outlook\.com/"
    rb"|https?://urldefense(?:\.proofpoint)?\.com/v[0-9]/"
    rb"|https?://protect(?:-[a-z0-9]{1,12}){1,2}\.mimecast\.com/s/"
    rb"|https?://linkprotect\.cudasvc\.com/url", re.IGNORECASE)
# Banners gateways put at the top of a part, in the words of the templates their vendors and
# the usual transport rules use (Microsoft 365 mail flow rules' "CAUTION: This email originated
# from outside of the organization", Proofpoint's Email Warning Tag "This Message Is From an
# External Sender / This message came from outside your organization", an "[EXTERNAL]" line).
_banner = compiled_on_first_use(
    r"(?:CAUTION|WARNING|ATTENTION|EXTERNAL(?: EMAIL| SENDER)?)\s{0,3}:\s{0,3}This (?:e-?mail|message) "
    r"(?:originated|came|was sent) (?:from )?outside"
    r"|This (?:e-?mail|message) (?:originated|came) from outside (?:of )?(?:the|your) organi[sz]ation"
    r"|This Message Is From an External Sender"
    r"|^\s{0,20}\[?EXTERNAL(?: EMAIL| SENDER)?\]?\s{0,3}[:\]]", re.IGNORECASE)
_html_tag = compiled_on_first_use(r"<[^<>]{0,500}>")
# The receiving host of a Received stamp is one of Exclaimer's ("by smtp1.exclaimer.net"), not its
# client's greeting (verification V16 F4).
_exclaimer_by = compiled_on_first_use(r"(?i)\bby\s{1,5}[A-Za-z0-9.-]{0,200}\.exclaimer\.net\b")
# MailScanner's replacement of an infected attachment ("The original e-mail attachment ... has
# been replaced by this warning message", its stock report) and the usual "attachment has been
# removed" notes of other scanners.
_removed_attachment = compiled_on_first_use(
    rb"has been replaced by this warning\s{1,3}message|This attachment has been removed"
    rb"|attachments? (?:has|have) been removed", re.IGNORECASE)
# sendmail's note of an 8BITMIME downgrade: "from 8bit to quoted-printable by HOST id ID".
_autoconverted = compiled_on_first_use(
    r"from\s{1,3}([\w-]{1,30})\s{1,3}to\s{1,3}([\w-]{1,30})\s{1,3}by\s{1,3}([A-Za-z0-9.-]{1,253})", re.IGNORECASE)
# A tag before the Subject: "[EXTERNAL]", "[SPAM]", a list's "[listname]", "*EXTERNAL*", "EXT:". One
# grammar for the decoded Subject, its raw field value and a list of tags taken off.
# Also "(EXTERNAL)" and the "CAUTION:" / "WARNING:" / "SPAM:" words gateways are set to write
# (verification V17 N3); a tag may also be put at the end ("Hello [EXTERNAL]": see untagged_subjects).
_TAG = (r"\[[^\[\]\r\n]{1,40}\]|\*{1,3}[^*\r\n]{1,30}\*{1,3}|\([^()\r\n]{1,40}\)|EXT(?:ERNAL)?:"
        r"|(?i:caution|warning|spam|suspected spam|suspicious|phishing)[ \t]?:")
_subject_tag = compiled_on_first_use(rf"^\s{{0,8}}({_TAG})")
# The words of the tags gateways and filters add (an author writes "[PATCH v2]" or "[Draft]"
# itself, so only these, and a list's own label, are named).
_GATEWAY_TAG_WORDS = frozenset({"external", "ext", "external email", "external sender", "spam", "possible spam",
                                "suspected spam", "probable spam", "suspicious", "caution", "warning", "phish",
                                "phishing", "suspected phishing", "junk", "bulk"})


# The same tags at the start of a Subject field's raw value (with the white space after the
# colon), for taking them off and verifying again.
_raw_subject_tag = compiled_on_first_use(rf"^([ \t]*)({_TAG})[ \t]*".encode())
_MAX_TAGS_REMOVED = 3
_raw_subject_suffix = compiled_on_first_use(rf"[ \t]+({_TAG})[ \t]*(\r?\n)?\Z".encode())
_one_tag = compiled_on_first_use(_TAG)


# The verdicts a secure-mail gateway writes into the Subject of the mail it checked or decrypted,
# by vendor, with what each says. SEPPmail (inbound): "[secure]" decrypted, "[signed OK]" /
# "[signed INVALID]" its S/MIME check (an INVALID one keeps the certificate in the message), "[PGP
# OK]" / "[PGP INVALID]" its OpenPGP check, "[HIN secured]" HIN-encrypted and decrypted
# (https://helpdesk.tremegisto.ch/help/de-de/11-seppmail-cloud/16-seppmail-betreff-eingehender-nachrichten;
# https://docs.seppmail.com/en/09_ht_signature_different-validation-results.html). The flag says
# whether the verdict is a failure: a forger gains nothing by writing one.
_SECURE_GATEWAY_TAGS: dict[str, tuple[str, str, bool]] = {
    "secure": ("SEPPmail", "the message came encrypted and the gateway decrypted it", False),
    "signed ok": ("SEPPmail", "the gateway found the S/MIME signature valid, by a certificate it trusts", False),
    "signed invalid": ("SEPPmail", "the gateway found the S/MIME signature not valid, or made with a certificate "
                                   "it does not trust, or the message changed after signing",
                       True),
    "pgp ok": ("SEPPmail", "the gateway found the OpenPGP signature valid", False),
    "pgp invalid": ("SEPPmail", "the gateway could not verify the OpenPGP signature", True),
    "hin secured": ("SEPPmail", "the message came HIN-encrypted and the gateway decrypted it", False),
}


def secure_gateway_verdicts(tags: str) -> list[tuple[str, str, str, bool]]:
    """(tag, vendor, what it says, whether it is a failure) of each secure-mail gateway's verdict
    tag among ``tags`` (as ``untagged_subjects`` joins them); empty when none is, or when any
    other tag is not a gateway's words (the verdict wording is then not the whole story)."""
    found: list[tuple[str, str, str, bool]] = []
    for tag in _one_tag().findall(tags[:400]):
        word = _tag_word(tag)
        known = _SECURE_GATEWAY_TAGS.get(word)
        if known is not None:
            found.append((tag, *known))
        elif not _known_tag(word, None):
            return []
    return found


def _tag_word(tag: str) -> str:
    """A tag's words, as compared with gateways' words and a list's label: "[External  Email]" is
    "external email"."""
    return " ".join(tag.strip("[]()* :").lower().split())


def _known_tag(word: str, list_label: str | None) -> bool:
    """Whether a tag's words are a gateway's or filter's, or the label of the list the List-Id names."""
    return word.rstrip("?!") in _GATEWAY_TAG_WORDS or bool(
        list_label and word and word == list_label.split(".", 1)[0].lower())


def gateway_tags(tags: str, list_label: str | None = None) -> bool:
    """Whether every tag in ``tags`` (as ``untagged_subjects`` joins them) is one gateways and
    filters write ("[EXTERNAL]", "[SPAM]", "EXT:"), or the label of the list the List-Id names:
    any other bracketed text before a Subject may be anyone's words (verification V17 N2:
    "[PAID: new IBAN ...]")."""
    words = [_tag_word(tag) for tag in _one_tag().findall(tags[:400])]
    return bool(words) and all(_known_tag(word, list_label) for word in words)


def untagged_subjects(value: bytes) -> list[tuple[str, bytes]]:
    """(the tags taken off, the Subject field's raw value without them), for the tags its value
    starts with (at most three, one after the other). Each removal comes in the spacings a tagger
    may have left: the white space after the colon kept ("Subject: [EXT] Hi" was "Subject: Hi"),
    dropped with the tag ("Subject: [EXT] Hi" was "Subject:Hi"), or one space put back where the
    tagger wrote its tag right after the colon ("Subject:[EXT] Hi" was "Subject: Hi"); simple
    header canonicalization tells them apart (RFC 6376 section 3.4.1), relaxed does not."""
    found: list[tuple[str, bytes]] = []
    tags: list[str] = []
    current = value
    for _ in range(_MAX_TAGS_REMOVED):
        match = _raw_subject_tag().match(current)
        if match is None:
            break
        tags.append(match.group(2).decode("ascii", "replace"))
        rest = current[match.end():]
        taken = " ".join(tags)
        for candidate in (match.group(1) + rest, rest, b" " + rest):
            if all(candidate != seen for _, seen in found):
                found.append((taken, candidate))
        current = match.group(1) + rest
    if not found:
        # A tag put at the end: "Hello [EXTERNAL]" was "Hello" (the space before it the tagger's).
        suffix = _raw_subject_suffix().search(value[-512:])
        if suffix is not None:
            cut = len(value) - len(value[-512:]) + suffix.start()
            # (A fold before the tag goes with it.)
            found.append((suffix.group(1).decode("ascii", "replace"),
                          value[:cut].rstrip(b" \t\r\n") + (suffix.group(2) or b"")))
    return found


# An RFC 2047 encoded word (section 2: "=?charset?encoding?encoded-text?=", the charset with an
# optional RFC 2231 "*language"), and the run of them a Subject's raw value starts with.
_encoded_word = compiled_on_first_use(rb"=\?([^?\s*]{1,40})(\*[^?\s]{0,20})?\?([BbQq])\?([^?\s]{0,900})\?=")
_encoded_run = compiled_on_first_use(
    rb"^([ \t]*)((?:=\?[^?\s]{1,61}\?[BbQq]\?[^?\s]{0,900}\?=(?:(?:\r?\n)?[ \t]+)?){1,12})")
_MAX_ENCODED_VALUE = 4096
# C0 controls but the tab, DEL and the C1 controls: none belongs in a Subject's text.
_CONTROLS = frozenset(chr(code) for code in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)))
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _decode_word(encoding: bytes, text: bytes) -> bytes | None:
    import binascii

    try:
        if encoding in b"Bb":
            return binascii.a2b_base64(text + b"=" * (-len(text) % 4))
        return binascii.a2b_qp(text, header=True)  # RFC 2047 section 4.2: "_" is a space
    except (binascii.Error, ValueError):
        return None


def _encode_word(charset: bytes, encoding: bytes, data: bytes) -> bytes:
    import binascii

    if encoding in b"Bb":
        text = binascii.b2a_base64(data, newline=False)
    else:  # RFC 2047 section 4.2 (the letters, digits and "!*+-/" as they are, a space as "_")
        text = b"".join(bytes((byte,)) if byte in _Q_SAFE else b"_" if byte == 0x20 else b"=%02X" % byte
                        for byte in data)
    return b"=?" + charset + b"?" + encoding + b"?" + text + b"?="


def _chunks(text: str, charset: str, size: int) -> list[bytes]:
    """The text's bytes in the charset, cut into pieces of at most ``size`` bytes between
    characters (RFC 2047 section 5: an encoded word holds whole characters)."""
    pieces: list[bytes] = []
    current = b""
    for char in text:
        encoded = char.encode(charset)
        if current and len(current) + len(encoded) > size:
            pieces.append(current)
            current = b""
        current += encoded
    return [*pieces, current] if current else pieces


def reencoded_untagged_subjects(value: bytes) -> list[tuple[str, bytes]]:
    """(the tags taken off, a candidate raw value the signer may have written) for a Subject whose
    tag a tagger put inside the RFC 2047 encoded words it wrote again (Exchange, for one, decodes
    a Subject, puts "[EXTERNAL] " before the text and encodes the whole again: verification V17
    N3). The words are decoded (one charset, one encoding), the tags taken off, and the rest
    written again the ways a signer most likely wrote it: one word; words of the sizes the
    tagged value's longest holds; Python's email packages' folding (the legacy email.header and
    the current policy); plain text or raw UTF-8. None is assumed:
    a candidate counts only when the signature verifies with it, and a failure proves nothing
    (the signer's own word breaks are not known)."""
    run = _encoded_run().match(value[:_MAX_ENCODED_VALUE])
    if run is None:
        return []
    words = _encoded_word().findall(run.group(2))
    if not words or len({(charset.lower(), encoding.upper()) for charset, _lang, encoding, _ in words}) != 1:
        return []
    charset_raw, language, encoding = words[0][0], words[0][1], words[0][2]
    decoded_pieces = [_decode_word(encoding, text) for _, _, _, text in words]
    if any(piece is None for piece in decoded_pieces):
        return []
    # The label as a mail program reads it (WHATWG aliases): a Python-only codec a sender writes
    # as a charset (unicode_escape, idna, punycode) names no character set, and its decoded text
    # is not what a reader's mail program shows (verification V20 N4).
    charset = charset_codec(charset_raw.decode("ascii", "replace"))
    if charset is None:
        return []
    try:
        text = b"".join(piece for piece in decoded_pieces if piece is not None).decode(charset)
    except (LookupError, UnicodeDecodeError):
        return []
    if any(char in _CONTROLS for char in text):
        # A line break or other control character inside an encoded word is no tagger's: "=0D=0A"
        # would let the re-encoded candidate fold a signed field (a Reply-To:, say) into the
        # Subject, which simple canonicalization keeps as it is (verification V20 N1, N2).
        return []
    tags: list[str] = []
    rest = text
    for _ in range(_MAX_TAGS_REMOVED):
        match = _subject_tag().match(rest)
        if match is None:
            break
        tags.append(match.group(1))
        rest = rest[match.end():].lstrip(" \t")
    if not tags or not rest:
        return []
    try:
        rest_bytes = rest.encode(charset)
    except (LookupError, UnicodeEncodeError):
        return []
    leading, after = run.group(1), value[run.end():]
    separator = b"\r\n " if b"\n" in run.group(2) else b" "
    tail = (separator if after and not after[:1].isspace() else b"") + after
    largest = max(len(piece) for piece in decoded_pieces if piece is not None)
    runs: list[list[bytes]] = [[rest_bytes]]
    if largest < len(rest_bytes):
        runs.append(_chunks(rest, charset, largest))
    # The signer's spelling of the charset and its choice of B or Q (in either case) need not be
    # the tagger's: relaxed canonicalization keeps a value's case (RFC 6376 section 3.4.2).
    labels = dict.fromkeys(spelling + language for spelling in (charset_raw, charset_raw.lower(), charset_raw.upper()))
    letters = dict.fromkeys((encoding, b"B", b"b", b"Q", b"q"))
    candidates = [leading + separator.join(_encode_word(label, letter, piece) for piece in pieces) + tail
                  for pieces in runs for label in labels for letter in letters]
    from email.errors import HeaderParseError
    from email.header import Header

    try:
        # Python's email package writes the label it is given: the tagger's, as the signer's was.
        folded = Header(rest, charset_raw.decode("ascii"), header_name="Subject").encode(linesep="\r\n")
        candidates.append(leading + folded.encode("ascii") + tail)
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        pass
    # Python's current email package (policy.SMTP) encodes only the words that need it, in B or
    # Q, whichever is shorter, beside plain ones (verification V20 N5).
    from email import policy

    try:
        modern = policy.SMTP.fold_binary("Subject", rest)
        candidates.append(modern[len(b"Subject:"):].rstrip(b"\r\n") + value[len(value.rstrip(b"\r\n")):])
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        pass  # a short one is left unencoded by that package: the raw UTF-8 candidate below
    if rest.isascii():
        candidates.append(leading + rest_bytes + tail)  # the tagger encoded a plain Subject
    elif charset == "utf-8":
        candidates.append(leading + rest_bytes + tail)  # written as raw UTF-8 (RFC 6532)
    taken = " ".join(tags)
    return [(taken, candidate) for candidate in dict.fromkeys(candidates) if candidate != value]


def subject_tag(message: Message) -> str | None:
    """The tag the current Subject starts with, or None."""
    subject = message.first_decoded("Subject")
    if subject is None:
        return None
    found = _subject_tag().match(subject[:200])
    return found.group(1).strip() if found else None


def subject_tag_words(message: Message, signed_copy: str | None, list_label: str | None) -> str | None:
    """What the Subject shows of a tag added after signing, or None. ``signed_copy``: the
    Subject as the signer copied it into z= (RFC 6376 section 3.5), when it did; only then is
    the signed Subject known."""
    tag = subject_tag(message)
    if tag is None:
        return None
    word = _tag_word(tag)
    if list_label and word and word == list_label.split(".", 1)[0].lower():
        whose = ", the mailing list's tag (its List-Id label)"
    elif word.rstrip("?!") in _GATEWAY_TAG_WORDS:
        whose = ""
    else:
        return None  # a tag the author may have written ("[PATCH]"): no sign of a change
    if signed_copy is not None:
        if signed_copy.lstrip().startswith(tag):
            return None  # signed with the tag: not a change
        return (f"the Subject now starts with {tag!r}{whose}, which the Subject the signer copied into z= lacks: "
                "the tag was added after signing, and Subject is signed (h=)")
    return (f"the Subject starts with {tag!r}{whose}, a tag gateways, filters and lists add; Subject is signed "
            "(h=), so a tag added after signing breaks the header signature (the signed Subject is not known)")


def _text_parts(message: Message) -> list[tuple[bool, bytes]]:
    """(is HTML, decoded head) of the first text parts."""
    from .. import mime  # the MIME walk is needed only when a signature broke
    parts = [p for p in mime._parts(message, keep_text=True) if p.content_type in ("text/plain", "text/html")]
    return [(p.content_type == "text/html", mime._decoded_head(message.raw, p)[:_MAX_TEXT])
            for p in parts[:_MAX_PARTS]]


def autoconverted(value: str) -> tuple[str, str, str] | None:
    """(from encoding, to encoding, host) of sendmail's X-MIME-Autoconverted note, or None."""
    match = _autoconverted().search(value[:400])
    return (match.group(1), match.group(2), match.group(3)) if match is not None else None


def body_modifiers(message: Message) -> list[tuple[str, str]]:
    """(short name, what the message shows) of each modifier of the body it shows (a few)."""
    found: list[tuple[str, str]] = []
    for field in message.all("X-MIME-Autoconverted")[:2]:
        note = autoconverted(field.value)
        if note is not None:
            found.append(("a transfer encoding conversion (X-MIME-Autoconverted)", f"X-MIME-Autoconverted says {note[2]} converted the body from {note[0]} to "
                         f"{note[1]} (sendmail's 8BITMIME downgrade, RFC 6152 section 3): a new transfer "
                         "encoding changes the bytes DKIM hashes (RFC 6376 section 5.3), whatever the content"))
            break
    for field in message.headers[:200]:
        name = field.name.lower()
        if (name.endswith("-mailscanner") or name == "x-mailscanner") \
                and field.value.strip()[:40].lower().rstrip(".") in ("found to be infected", "disinfected"):
            found.append(("MailScanner's virus scan", f"{field.name}: {field.value.strip()[:40]}: MailScanner "
                                                       "replaces an infected attachment with its warning"))
            break
    amavis = message.first("X-Amavis-Modified")
    if amavis is not None:
        found.append(("amavisd-new", f"X-Amavis-Modified: {' '.join(amavis.split())[:80]} (amavisd-new changed "
                                     "the body)"))
    # Its hop is "with Exclaimer Signature Manager" or by one of its hosts; the word elsewhere in a
    # Received (a sender's HELO) says nothing (verification V15 F4).
    exclaimer = message.first("X-ExclaimerHostedSignatures-MessageProcessed") is not None or any(
        "with exclaimer" in " ".join(field.value[:600].lower().split())
        or _exclaimer_by().search(field.value[:600]) is not None for field in message.all("Received")[:30])
    if exclaimer:
        found.append(("Exclaimer's signature service", "Exclaimer's e-mail signature service handled it (its "
                      "Received hop or X-ExclaimerHostedSignatures-MessageProcessed), which adds a signature block "
                      "to the body"))
    if message.first("X-CodeTwoProcessed") is not None:
        found.append(("CodeTwo's signature service", "CodeTwo's e-mail signature service handled it "
                      "(X-CodeTwoProcessed), which adds a signature block to the body"))
    if message.body_start is None:
        return found[:_MAX_NAMED]
    parts = _text_parts(message)
    links = {_rewriter(m.group(0)) for _, text in parts for m in _rewritten_link().finditer(text)}
    found.extend((name, f"{name} rewrote its links ({_REWRITER_HOSTS[name]})")
                 for name in sorted(w for w in links if w))
    for is_html, text in parts:
        head = text[:_BANNER_WINDOW * 4].decode("utf-8", "replace")
        if is_html:
            head = _html_tag().sub(" ", head)
        # White space collapsed: a banner's line may wrap anywhere; "^" is then the part's start.
        match = _banner().search(" ".join(head.split())[:_BANNER_WINDOW])
        if match is not None:
            found.append(("a gateway's banner", "a gateway's banner at the top of a part "
                          f"(\u201c{' '.join(match.group(0).split())[:80]}\u201d)"))
            break
    if not any("MailScanner" in name for name, _ in found):
        removed = next((m for _, text in parts for m in [_removed_attachment().search(text)] if m), None)
        if removed is not None:
            found.append(("an attachment replaced by a scanner", "a part says an attachment was replaced or "
                          f"removed (\u201c{removed.group(0).decode('ascii', 'replace')}\u201d), as virus scanners do"))
    return found[:_MAX_NAMED]


def _rewriter(link: bytes) -> str | None:
    low = link.lower().decode("ascii", "replace")
    return next((words for host, words in _REWRITERS if host in low), None)
