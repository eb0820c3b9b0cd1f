"""Microsoft 365's own fields beside a sender's look-alikes (verification V40f D2, D4): Exchange Online
writes X-Forefront-Antispam-Report, X-Microsoft-Antispam, X-Microsoft-Antispam-Mailbox-Delivery and
X-CustomSpam once per receipt, appended after the message's own fields in the copy it keeps; a copy a
sender wrote among its own fields is a claim, never the receiver's BCL, folder or second verdict. The
message is a real Exchange Online inbound phish (quoted whole in a REMnux post); only its Microsoft
fields are changed, to values Microsoft documents."""

from __future__ import annotations

from datetime import datetime, timezone

import headerscope
from headerscope.model import Report, SpamFilterVerdict

NOW = datetime(2024, 11, 21, 12, 0, tzinfo=timezone.utc)

M1 = (
    b'Received: from DB9PR05MB10374.eurprd05.prod.outlook.com (2603:10a6:10:463::22)\n'
    b' by HE1PR0502MB3643.eurprd05.prod.outlook.com with HTTPS; Thu, 21 Nov 2024\n'
    b' 11:07:07 +0000\n'
    b'Received: from AM0PR10CA0051.EURPRD10.PROD.OUTLOOK.COM (2603:10a6:20b:150::31)\n'
    b' by DB9PR05MB10374.eurprd05.prod.outlook.com (2603:10a6:10:463::22) with\n'
    b' Microsoft SMTP Server (version=TLS1_2,\n'
    b' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8158.23; Thu, 21 Nov\n'
    b' 2024 11:01:25 +0000\n'
    b'Received: from AM2PEPF0001C713.eurprd05.prod.outlook.com\n'
    b' (2603:10a6:20b:150:cafe::ec) by AM0PR10CA0051.outlook.office365.com\n'
    b' (2603:10a6:20b:150::31) with Microsoft SMTP Server (version=TLS1_2,\n'
    b' cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8182.15 via Frontend\n'
    b' Transport; Thu, 21 Nov 2024 11:01:25 +0000\n'
    b'Authentication-Results: spf=pass (sender IP is 150.60.232.67)\n'
    b' smtp.mailfrom=720901.com; dkim=none (message not signed)\n'
    b' header.d=none;dmarc=bestguesspass action=none\n'
    b' header.from=720901.com;compauth=pass reason=109\n'
    b'Received-SPF: Pass (protection.outlook.com: domain of 720901.com designates\n'
    b' 150.60.232.67 as permitted sender) receiver=protection.outlook.com;\n'
    b' client-ip=150.60.232.67; helo=mta.ham1002.secure.ne.jp; pr=C\n'
    b'Received: from mta.ham1002.secure.ne.jp (150.60.232.67) by\n'
    b' AM2PEPF0001C713.mail.protection.outlook.com (10.167.16.183) with Microsoft\n'
    b' SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.16\n'
    b' via Frontend Transport; Thu, 21 Nov 2024 11:01:24 +0000\n'
    b'Received: from ham1002.secure.ne.jp (localhost [127.0.0.1])\n'
    b'\tby mta.ham1002.secure.ne.jp (Postfix) with SMTP id 05EC1520D1E\n'
    b'\tfor <ed.riley@mailonline.co.uk>; Thu, 21 Nov 2024 20:01:22 +0900 (JST)\n'
    b'Received: (qmail 90138 invoked from network); 21 Nov 2024 20:01:20 +0900\n'
    b'Received: from unknown (HELO ?100.64.100.6?) (kyodo-c@ao-re.jp@50.114.45.161)\n'
    b'  by 0 with SMTP; 21 Nov 2024 20:01:20 +0900\n'
    b'From: =?utf-8?b?4Y67Ui/OodCw0YNyzr/ihbzihbwgUtC10YAuIM6k0LXQsOKFv3zhjqDihb9ndCA=?= =?utf-8?b?z7LihbzOv8+FZCDOmdGDzp3VjVLhj5lo1Y3OpOKFvOGPmc6d1Y1rRs6fUs6VOc6d?= =?utf-8?b?zpzOpM6R1J3OmdGDzpw9?= <kuma@720901.com>\n'
    b'To: <ed.riley@mailonline.co.uk>\n'
    b'Subject: test\n'
    b'Content-Type: text/plain\n'
    b'Message-Id: <20241121110122.05EC1520D1E@mta.ham1002.secure.ne.jp>\n'
    b'Date: Thu, 21 Nov 2024 20:01:22 +0900 (JST)\n'
    b'Return-Path: kuma@720901.com\n'
    b'X-EOPAttributedMessage: 0\n'
    b'X-EOPTenantAttributedMessage: 0f3a4c64-4dc5-4a76-8d41-52d85ca158a5:0\n'
    b'X-MS-PublicTrafficType: Email\n'
    b'X-MS-TrafficTypeDiagnostic:\n'
    b' AM2PEPF0001C713:EE_|DB9PR05MB10374:EE_|HE1PR0502MB3643:EE_\n'
    b'X-MS-Office365-Filtering-Correlation-Id: 2f163f3f-c3a0-448e-c7ab-08dd0a1bd758\n'
    b'X-MS-Exchange-AtpMessageProperties: SA|SL\n'
    b'X-Microsoft-Antispam:\n'
    b' BCL:0;ARA:13230040|12012899012|5062899012|3072899012|2092899012|41022699024|8096899003|95630200002;\n'
    b'X-Forefront-Antispam-Report:\n'
    b' CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mta.ham1002.secure.ne.jp;PTR:ham1002.secure.ne.jp;CAT:NONE;SFS:(13230040)(12012899012)(5062899012)(3072899012)(2092899012)(41022699024)(8096899003)(95630200002);DIR:INB;\n'
    b'X-MS-Exchange-CrossTenant-OriginalArrivalTime: 21 Nov 2024 11:01:24.0730\n'
    b' (UTC)\n'
    b'X-MS-Exchange-CrossTenant-Network-Message-Id: 2f163f3f-c3a0-448e-c7ab-08dd0a1bd758\n'
    b'X-MS-Exchange-CrossTenant-Id: 0f3a4c64-4dc5-4a76-8d41-52d85ca158a5\n'
    b'X-MS-Exchange-CrossTenant-AuthSource:\n'
    b' AM2PEPF0001C713.eurprd05.prod.outlook.com\n'
    b'X-MS-Exchange-CrossTenant-AuthAs: Anonymous\n'
    b'X-MS-Exchange-CrossTenant-FromEntityHeader: Internet\n'
    b'X-MS-Exchange-Transport-CrossTenantHeadersStamped: DB9PR05MB10374\n'
    b'X-MS-Exchange-Transport-EndToEndLatency: 00:05:43.0882067\n'
    b'X-MS-Exchange-Processed-By-BccFoldering: 15.20.8158.023\n'
    b'Importance: high\n'
    b'X-Priority: 1\n'
    b'X-Microsoft-Antispam-Mailbox-Delivery:\n'
    b' ucf:0;jmr:0;auth:0;dest:I;ENG:(910001)(944506478)(944626604)(920097)(930097)(140003)(1420198);\n'
    b'MIME-Version: 1.0\n'
    b'\n'
    b'External Sender\n'
)
_REPORT = (b" CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:mta.ham1002.secure.ne.jp;"
           b"PTR:ham1002.secure.ne.jp;CAT:NONE;SFS:(13230040)(12012899012)(5062899012)(3072899012)(2092899012)"
           b"(41022699024)(8096899003)(95630200002);DIR:INB;\n")
_BCL = b" BCL:0;ARA:13230040|12012899012|5062899012|3072899012|2092899012|41022699024|8096899003|95630200002;\n"
_DEST = b" ucf:0;jmr:0;auth:0;dest:I;ENG:(910001)(944506478)(944626604)(920097)(930097)(140003)(1420198);\n"


def _variant(report: bytes, bcl: bytes = _BCL.strip(), dest: bytes = _DEST.strip(), among_own: bytes = b"",
             appended: bytes = b"") -> bytes:
    """M1 with the receiver's fields changed, ``among_own`` added among the message's own fields
    (after To:, where a sender writes), ``appended`` after the receiver's last field."""
    assert _REPORT in M1 and _BCL in M1 and _DEST in M1
    raw = M1.replace(_REPORT, b" " + report + b"\n").replace(_BCL, b" " + bcl + b"\n").replace(_DEST, b" " + dest + b"\n")
    raw = raw.replace(b"To: <ed.riley@mailonline.co.uk>\n", b"To: <ed.riley@mailonline.co.uk>\n" + among_own)
    return raw.replace(b"MIME-Version: 1.0\n", appended + b"MIME-Version: 1.0\n")


def _analyze(raw: bytes) -> Report:
    return headerscope.analyze(raw, offline=True, now=NOW)


def _receivers(report: Report) -> list[SpamFilterVerdict]:
    return [v for v in report.spam_filters if v.trusted]


_BULK_JUNK = b"CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:6;SRV:BULK;IPV:NLI;SFV:SPM;H:mta.ham1002.secure.ne.jp;" \
             b"PTR:ham1002.secure.ne.jp;CAT:BULK;SFS:(13230040);DIR:INB;"
_HPHISH = b"CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:mta.ham1002.secure.ne.jp;" \
          b"PTR:ham1002.secure.ne.jp;CAT:HPHISH;SFTY:9.20;SFS:(13230040);DIR:INB;"


def test_a_senders_bcl_and_folder_do_not_replace_the_receivers() -> None:
    # t4: the receiver wrote BCL:8 and dest:J at the bottom; the sender BCL:0 and dest:I with
    # OFR:TrustedSenderList among its own fields, above them.
    raw = _variant(_BULK_JUNK, bcl=b"BCL:8;ARA:13230040|12012899012;", dest=b"ucf:0;jmr:0;auth:0;dest:J;",
                   among_own=b"X-Microsoft-Antispam: BCL:0;\n"
                             b"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:1;dest:I;OFR:TrustedSenderList;\n")
    report = _analyze(raw)
    [receiver] = _receivers(report)
    assert "BCL 8 (bulk, many complaints)" in receiver.summary, receiver.summary
    assert "delivered to the Junk Email folder" in receiver.summary and "TrustedSenderList" not in receiver.summary
    claims = {v.header: v for v in report.spam_filters if not v.trusted}
    assert "BCL 0" in claims["X-Microsoft-Antispam"].summary
    assert "Inbox" in claims["X-Microsoft-Antispam-Mailbox-Delivery"].summary
    assert "second copy" in claims["X-Microsoft-Antispam-Mailbox-Delivery"].trust_reason
    flagged = [f for f in report.findings if f.id == "spam.flagged"]
    assert flagged and "BCL 0" not in flagged[0].title and "Inbox" not in flagged[0].title


def test_a_senders_second_report_is_a_claim() -> None:
    # t2: a sender's "SCL:-1;SFV:SKN;IPV:CAL" report (and dest:I) above the receiver's SCL 9 HPHISH.
    raw = _variant(_HPHISH, bcl=b"BCL:0;ARA:13230040|12012899012;", dest=b"ucf:1;jmr:0;auth:0;dest:J;",
                   among_own=b"X-Forefront-Antispam-Report: CIP:150.60.232.67;CTRY:JP;LANG:en;SCL:-1;SRV:;IPV:CAL;"
                             b"SFV:SKN;H:mta.ham1002.secure.ne.jp;PTR:;CAT:NONE;SFS:;DIR:INB;\n"
                             b"X-MS-Exchange-Organization-SCL: -1\n"
                             b"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;\n")
    report = _analyze(raw)
    [receiver] = _receivers(report)
    assert receiver.summary.startswith("SCL 9") and "Junk Email" in receiver.summary
    [forged] = [v for v in report.spam_filters if v.header == "X-Forefront-Antispam-Report" and not v.trusted]
    assert forged.spam is False and "second copy" in forged.trust_reason
    assert any(f.id == "spam.flagged" for f in report.findings)


def test_one_copy_of_each_stays_the_receivers() -> None:
    report = _analyze(M1)
    [receiver] = report.spam_filters
    assert receiver.trusted and "BCL 0 (not bulk)" in receiver.summary and "delivered to the Inbox" in receiver.summary


def test_x_customspam_the_receiver_wrote_is_read() -> None:
    # v14: the ASF match Exchange Online appended after its own report.
    spam = b"CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mta.ham1002.secure.ne.jp;" \
           b"PTR:ham1002.secure.ne.jp;CAT:SPM;SFS:;DIR:INB;"
    report = _analyze(_variant(spam, dest=b"ucf:0;jmr:0;auth:0;dest:J;",
                               appended=b"X-CustomSpam: Image links to remote sites\n"))
    [receiver] = report.spam_filters
    assert receiver.trusted and "Advanced Spam Filter: Image links to remote sites" in receiver.summary
    assert ("X-CustomSpam", "Image links to remote sites",
            "matched an Advanced Spam Filter (ASF) setting of the anti-spam policy") in receiver.details


def test_x_customspam_among_the_messages_own_fields_is_a_claim() -> None:
    report = _analyze(_variant(_REPORT.strip(), among_own=b"X-CustomSpam: Image links to remote sites\n"))
    receiver = [v for v in report.spam_filters if v.trusted]
    assert receiver and all("Advanced Spam Filter" not in v.summary for v in receiver)
    [claim] = [v for v in report.spam_filters if v.header == "X-CustomSpam"]
    assert not claim.trusted and "Image links to remote sites" in claim.summary


def _rendered(raw: bytes) -> tuple[str, str]:
    from headerscope.render import get_renderer

    report = _analyze(raw)
    return (get_renderer("terminal", color=False, width=400).render(report),
            get_renderer("markdown").render(report))


def test_terminal_and_markdown_show_what_mha_shows() -> None:
    # v02: SCL 9 HPHISH with a user impersonation safety tip, compauth=pass reason=109.
    hphish = _variant(_HPHISH, dest=b"ucf:1;jmr:0;auth:0;dest:J;")
    for text in _rendered(hphish):
        for shown in ("150.60.232.67", "mta.ham1002.secure.ne.jp", "ham1002.secure.ne.jp", "country JP", "language el",
                      "IPV:NLI", "SFTY:9.20 (user impersonation safety tip)",
                      "compauth=pass reason=109 (passed composite authentication)"):
            assert shown in text, (shown, text[-3000:])
    # v03 and v13: the allow list, and composite authentication bypassed.
    skn = b"CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:-1;SRV:;IPV:CAL;SFV:SKN;H:mta.ham1002.secure.ne.jp;" \
          b"PTR:ham1002.secure.ne.jp;CAT:NONE;SFS:;DIR:INB;"
    none = _variant(skn).replace(b"compauth=pass reason=109", b"compauth=none reason=405")
    for text in _rendered(none):
        assert "IPV:CAL (the source IP is on an allow list" in text
        assert "compauth=none reason=405 (bypassed composite authentication" in text
    softpass = _variant(_REPORT.strip()).replace(b"compauth=pass reason=109", b"compauth=softpass reason=201")
    for text in _rendered(softpass):
        assert "compauth=softpass reason=201 (soft-passed implicit authentication)" in text
    bulk = _variant(_BULK_JUNK, bcl=b"BCL:8;")
    for text in _rendered(bulk):
        assert "SRV:BULK" in text


def test_the_reports_text_is_escaped_as_message_text() -> None:
    # H: and PTR: carry the connecting server's own greeting: markup and line breaks stay text.
    hostile = _REPORT.strip().replace(b"H:mta.ham1002.secure.ne.jp", b"H:**x**[a](http://e.example/)<b>|z")
    terminal, markdown = _rendered(_variant(hostile))
    assert "**x**[a](http://e.example/)<b>|z" in terminal
    row = next(line for line in markdown.splitlines() if "X-Forefront-Antispam-Report" in line)
    assert "\\*\\*x\\*\\*\\[a\\]" in row and "<b>" not in row and "\\|z" in row


# Verification V41a D2: where the receiver wrote no X-Microsoft-Antispam-Mailbox-Delivery (hybrid
# delivery, where neither EOP nor Exchange on premises writes one; a quarantined message), a
# sender's only copy among the message's own fields was taken for the receiver's folder.
_ONPREM_HOPS = (
    b'Received: from EXMBX01.corp.mailonline.co.uk (10.18.126.90) by\n'
    b' EXMBX01.corp.mailonline.co.uk (10.18.126.90) with Microsoft SMTP Server\n'
    b' (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n'
    b' 15.2.1748.26 via Mailbox Transport; Thu, 21 Nov 2024 11:01:28 +0000\n'
    b'Received: from edge01.mailonline.co.uk (10.1.192.144) by\n'
    b' EXMBX01.corp.mailonline.co.uk (10.18.126.90) with Microsoft SMTP Server\n'
    b' (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n'
    b' 15.2.1748.26 via Frontend Transport; Thu, 21 Nov 2024 11:01:27 +0000\n'
    b'Received: from EUR05-DB8-obe.outbound.protection.outlook.com (40.107.22.53) by\n'
    b' edge01.mailonline.co.uk (192.0.2.82) with Microsoft SMTP Server\n'
    b' (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n'
    b' 15.2.1748.26; Thu, 21 Nov 2024 11:01:26 +0000\n')
_SPAM = b"CIP:150.60.232.67;CTRY:JP;LANG:el;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mta.ham1002.secure.ne.jp;" \
        b"PTR:ham1002.secure.ne.jp;CAT:SPM;SFS:(13230040);DIR:INB;"
_SENDERS_INBOX = b"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;OFR:TrustedSenderList;" \
                 b"ENG:(910001)(944506478)(944626604)(920097)(930097);\n"


def _hybrid(among_own: bytes = b"", bcl: bytes = _BCL.strip()) -> bytes:
    """V40f h1: the same EOP receipt handed on to the organisation's Exchange Server on premises,
    which wrote its own level and no X-Microsoft-Antispam-Mailbox-Delivery."""
    first_hop = M1[:M1.index(b"Received: from AM0PR10CA0051")]
    raw = _variant(_SPAM, bcl=bcl, among_own=among_own)
    raw = _ONPREM_HOPS + raw[len(first_hop):]
    start = raw.index(b"X-Microsoft-Antispam-Mailbox-Delivery:\n")
    end = raw.index(b"MIME-Version: 1.0\n")
    return raw[:start] + (b"X-MS-Exchange-Organization-SCL: 5\nX-MS-Exchange-Organization-AuthAs: Anonymous\n"
                          b"X-MS-Exchange-Organization-AuthSource: edge01.mailonline.co.uk\n") + raw[end:]


def _without_receivers_delivery(raw: bytes) -> bytes:
    start = raw.index(b"X-Microsoft-Antispam-Mailbox-Delivery:\n")
    return raw[:start] + raw[raw.index(b"MIME-Version: 1.0\n"):]


def test_a_senders_only_folder_in_hybrid_delivery_is_a_claim() -> None:
    report = _analyze(_hybrid(among_own=_SENDERS_INBOX))
    [receiver] = _receivers(report)
    assert receiver.header == "X-MS-Exchange-Organization-SCL" and receiver.summary == "SCL 5 (spam)", receiver
    assert not any(key in ("DEST", "OFR") for key, _, _ in receiver.details)
    [claim] = [v for v in report.spam_filters if v.header == "X-Microsoft-Antispam-Mailbox-Delivery"]
    assert not claim.trusted and "TrustedSenderList" in claim.summary
    assert "not in the receiver's own fields" in claim.trust_reason
    [flagged] = [f for f in report.findings if f.id == "spam.flagged"]
    assert "Inbox" not in flagged.title and "TrustedSenderList" not in flagged.explanation


def test_eops_bulk_level_in_hybrid_delivery_is_not_the_on_premises_verdicts() -> None:
    # EOP wrote BCL:0 beside its report, a claim at the on-premises receiver (any tenant's EOP
    # writes these fields, verification V41a D1): it stays with that report, not the level.
    report = _analyze(_hybrid())
    [receiver] = _receivers(report)
    assert receiver.summary == "SCL 5 (spam)"
    [eop] = [v for v in report.spam_filters if v.header == "X-Forefront-Antispam-Report"]
    assert not eop.trusted and "BCL 0" in eop.summary
    assert [v.header for v in report.spam_filters if v.header.startswith("X-Microsoft-Antispam")] == []


def test_a_senders_only_folder_in_a_quarantined_exchange_online_message_is_a_claim() -> None:
    # Exchange Online's mailbox wrote no X-Microsoft-Antispam-Mailbox-Delivery (a message released
    # from quarantine, or viewed there); the sender's copy is among its own fields.
    raw = _without_receivers_delivery(_variant(_SPAM, among_own=_SENDERS_INBOX))
    report = _analyze(raw)
    [receiver] = _receivers(report)
    assert receiver.header == "X-Forefront-Antispam-Report" and "BCL 0 (not bulk)" in receiver.summary
    assert "delivered" not in receiver.summary and "TrustedSenderList" not in receiver.summary
    [claim] = [v for v in report.spam_filters if v.header == "X-Microsoft-Antispam-Mailbox-Delivery"]
    assert not claim.trusted and claim.place == "outside the receiver's own fields"
    # The same copy appended after the receiver's report is the mailbox's, as in M1.
    appended = _without_receivers_delivery(_variant(_SPAM)).replace(b"MIME-Version: 1.0\n",
                                                                    _SENDERS_INBOX + b"MIME-Version: 1.0\n")
    [own] = _analyze(appended).spam_filters
    assert own.trusted and own.summary.endswith("delivered to the Inbox: the user's safe senders list overrode it "
                                                "(OFR:TrustedSenderList)")


def test_a_senders_only_bulk_level_is_a_claim() -> None:
    # The receiver wrote no X-Microsoft-Antispam; the sender's BCL:0 is among its own fields.
    raw = _variant(_BULK_JUNK, dest=b"ucf:0;jmr:0;auth:0;dest:J;",
                   among_own=b"X-Microsoft-Antispam: BCL:0;\n")
    raw = raw.replace(b"X-Microsoft-Antispam:\n" + _BCL, b"")
    report = _analyze(raw)
    [receiver] = _receivers(report)
    assert "BCL" not in receiver.summary and "Junk Email" in receiver.summary
    [claim] = [v for v in report.spam_filters if v.header == "X-Microsoft-Antispam"]
    assert not claim.trusted and "BCL 0" in claim.summary
    # Exchange Online's own, directly above its report (M1), and one after it, stay the receiver's.
    assert "BCL 0 (not bulk)" in _receivers(_analyze(M1))[0].summary
    after = _variant(_BULK_JUNK, dest=b"ucf:0;jmr:0;auth:0;dest:J;").replace(b"X-Microsoft-Antispam:\n" + _BCL, b"")
    after = after.replace(b"MIME-Version: 1.0\n", b"X-Microsoft-Antispam: BCL:8;\nMIME-Version: 1.0\n")
    assert "BCL 8 (bulk, many complaints)" in _receivers(_analyze(after))[0].summary
