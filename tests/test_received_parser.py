"""Unit tests of the Received parser: one test per real-MTA format or quirk, TLS and auth
variants, the tolerant date reader, and hostile input (time-bounded, never an exception)."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import pytest
from timing import assert_within

from headerscope.hops import classify_role
from headerscope.model import ReceivedFields, Role, TlsInfo
from headerscope.received import authenticated_login, parse_received, parse_received_date


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# MTA formats


def test_postfix_with_tls_and_envelope() -> None:
    f = parse_received(
        "from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) "
        "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
        "server-signature RSA-PSS (2048 bits) server-digest SHA256) (No client certificate requested) "
        "by mx.example.org (Postfix) with ESMTPS id 4F3D21234 for <user@example.org>; "
        "Tue, 15 Mar 2024 10:30:00 +0000 (UTC)"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip) == (
        "mail-wr1-f54.google.com",
        "mail-wr1-f54.google.com",
        "209.85.221.54",
    )
    assert f.by == "mx.example.org"
    assert f.protocol == "ESMTPS"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384")
    assert f.id == "4F3D21234"
    assert f.for_ == "<user@example.org>"
    assert f.timestamp == "2024-03-15T10:30:00+00:00"
    assert f.date_text == "Tue, 15 Mar 2024 10:30:00 +0000 (UTC)"
    assert f.auth is None
    assert f.complete and f.problems == ()


def test_postfix_local_userid() -> None:
    f = parse_received(
        "by example.com (Postfix, from userid 1001) id 1234ABCD; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)"
    )
    assert f.by == "example.com"
    assert f.ident == "userid 1001"
    assert f.id == "1234ABCD"
    assert f.from_helo is None and f.from_ip is None
    assert f.timestamp == "2014-08-21T12:12:48+02:00"
    assert f.complete


def test_postfix_authenticated_sender_and_unknown_rdns() -> None:
    f = parse_received(
        "from [192.168.1.5] (unknown [198.51.100.7]) (Authenticated sender: alice@example.org) "
        "by smtp.example.org (Postfix) with ESMTPSA id 4Q1; Mon, 1 Jan 2024 00:00:00 +0100"
    )
    assert f.from_helo == "[192.168.1.5]"
    assert f.from_rdns is None  # "unknown" means no PTR
    assert f.from_ip == "198.51.100.7"
    # The RFC 3848 protocol marker comes first; the comment adds who logged in.
    assert f.auth == "ESMTPSA (Authenticated sender: alice@example.org)"
    assert f.tls.encrypted is True
    plain = parse_received(
        "from h (h.example [192.0.2.1]) (Authenticated sender: bob) by mx (Postfix) with ESMTP id X; "
        "1 Jan 2024 00:00:00 +0000"
    )
    assert plain.auth == "Authenticated sender: bob"
    assert plain.tls.encrypted is False


def test_sendmail_ident_and_tls_and_auth() -> None:
    f = parse_received(
        "from laptop (user@dsl.example.net [203.0.113.9]) (authenticated bits=0) by mail.example.com "
        "(8.15.2/8.15.2) with ESMTP id 0A1 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 "
        "bits=256 verify=NO) for <x@example.com>; Thu, 2 Jan 2020 10:00:00 -0500"
    )
    assert (f.from_helo, f.ident, f.from_rdns, f.from_ip) == (
        "laptop",
        "user",
        "dsl.example.net",
        "203.0.113.9",
    )
    assert f.auth == "authenticated bits=0"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.2", cipher="ECDHE-RSA-AES256-GCM-SHA384")


def test_sendmail_login_in_the_comment_after_authenticated_bits() -> None:
    # MIT's outgoing.mit.edu (verification V44f D3, real shape): the first comment says that the
    # client logged in, the next as whom; both are kept, as Postfix's protocol and login are.
    f = parse_received(
        "from callcc.thunk.org (96-72-102-169-static.hfc.comcastbusiness.net\r\n [96.72.102.169] (may be forged)) "
        "(authenticated bits=0)\r\n (User authenticated as tytso@ATHENA.MIT.EDU)\r\n by outgoing.mit.edu "
        "(8.14.7/8.12.4) with ESMTP id x6SJdo7V012074\r\n (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-GCM-SHA384 "
        "bits=256 verify=NOT);\r\n Sun, 28 Jul 2019 15:39:52 -0400"
    )
    assert f.auth == "authenticated bits=0 (User authenticated as tytso@ATHENA.MIT.EDU)"
    assert authenticated_login(f.auth) == "tytso@ATHENA.MIT.EDU"
    assert (f.from_helo, f.from_rdns, f.from_ip) == (
        "callcc.thunk.org", "96-72-102-169-static.hfc.comcastbusiness.net", "96.72.102.169")
    # A first comment that names the login is kept alone; a later marked comment adds nothing.
    g = parse_received("from a.example ([192.0.2.1]) (Authenticated sender: alice@example.org) "
                       "(authenticated bits=0) by b.example with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0000")
    assert g.auth == "Authenticated sender: alice@example.org"


def test_sendmail_local_submission_comment() -> None:
    f = parse_received(
        "(from root@localhost) by host.example.com (8.14.4/8.14.4/Submit) id q1; Mon, 2 Jan 2012 01:02:03 +0100"
    )
    assert f.ident == "root"
    assert f.from_rdns == "localhost"
    assert f.by == "host.example.com"
    assert f.complete


def test_qmail_invoked_by_and_from_network() -> None:
    f = parse_received("(qmail 10681 invoked by uid 404); 14 Nov 2003 08:05:52 -0000")
    assert f.ident == "uid 404"
    assert f.by is None
    assert f.timestamp == "2003-11-14T08:05:52+00:00"
    assert f.complete
    g = parse_received("(qmail 10876 invoked from network); 24 Aug 2014 16:13:38 -0000")
    assert g.complete and g.timestamp == "2014-08-24T16:13:38+00:00"


def test_qmail_helo_and_ident() -> None:
    f = parse_received(
        "from adsl.example.net (HELO merlin.net.au) (Owner50@207.213.27.129) by totor.example.net with SMTP; "
        "10 Nov 2003 06:30:34 -0000"
    )
    assert (f.from_rdns, f.from_helo, f.ident, f.from_ip) == (
        "adsl.example.net",
        "merlin.net.au",
        "Owner50",
        "207.213.27.129",
    )
    # No (HELO ...) part: qmail leaves it out when the HELO equals the reverse-DNS name.
    g = parse_received(
        "from loki.komtel.net (212.7.146.145) by totor.example.net with SMTP; 16 Nov 2003 04:53:54 -0000"
    )
    assert (g.from_rdns, g.from_helo, g.from_ip) == (
        "loki.komtel.net",
        "loki.komtel.net",
        "212.7.146.145",
    )


def test_exim_formats() -> None:
    f = parse_received(
        "from dsl.example.net ([66.92.76.133]:4312 helo=pendaran.example.org) by mx.example.com "
        "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <bounce@example.org>) "
        "id 1u5HDe-0000000BekC-1MPb for list@example.com; Sat, 16 Oct 2004 03:20:18 -0700"
    )
    assert (f.from_rdns, f.from_helo, f.from_ip) == (
        "dsl.example.net",
        "pendaran.example.org",
        "66.92.76.133",
    )
    assert f.protocol == "esmtps"
    assert f.tls == TlsInfo(encrypted=True, version="TLS1.3", cipher="TLS_AES_256_GCM_SHA384")
    assert f.envelope_from == "bounce@example.org"
    assert f.id == "1u5HDe-0000000BekC-1MPb"  # Exim 4.97 id, not an Exchange version
    assert f.complete, f.problems
    # helo= left out: the HELO equals the reverse-DNS name.
    g = parse_received(
        "from gilmore.ael.be ([158.64.60.71]) by castlerea.stdlib.net with esmtp (TLSv1:DES-CBC3-SHA:168) "
        "(Exim 4.41) id 1CIusZ-00049K-45; Sat, 16 Oct 2004 21:10:16 +0100"
    )
    assert (g.from_rdns, g.from_helo) == ("gilmore.ael.be", "gilmore.ael.be")
    assert g.tls == TlsInfo(encrypted=True, version="TLSv1", cipher="DES-CBC3-SHA")
    # Exim 3: from RDNS (HELO) [IP.port]
    h = parse_received(
        "from helene8.i.pinwand.net (helene.cats.ms) [10.0.8.6.13219] (mail) by lisbeth.i.pinwand.net "
        "with esmtp (Exim 3.35 #1 (Debian)) id 1CO5y7-0001vC-00; Sun, 31 Oct 2004 04:01:23 +0100"
    )
    assert (h.from_rdns, h.from_helo, h.from_ip) == (
        "helene8.i.pinwand.net",
        "helene.cats.ms",
        "10.0.8.6",
    )


def test_exim_authenticated_id_and_local() -> None:
    f = parse_received(
        "from [198.51.100.4] (helo=[10.0.0.2]) by smtp.example.org with esmtpsa "
        "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.92) (authenticated as alice) "
        "id 1k-0001-aa; Mon, 5 Feb 2024 14:00:00 +0000"
    )
    assert (f.from_ip, f.from_helo) == ("198.51.100.4", "[10.0.0.2]")
    assert f.auth == "esmtpsa (authenticated as alice)"
    assert f.tls.cipher == "ECDHE_RSA_AES_256_GCM_SHA384"
    g = parse_received(
        "from h.example ([192.0.2.8]) by mx.example with esmtp (Exim 4.94) (authenticated_id: bob@example) id 1z; "
        "Mon, 5 Feb 2024 14:00:00 +0000"
    )
    assert g.auth == "authenticated_id: bob@example"
    from headerscope.received import authenticated_login

    assert (authenticated_login(f.auth), authenticated_login(g.auth)) == ("alice", "bob@example")


def test_exchange_online_hops() -> None:
    f = parse_received(
        "from BN8NAM12FT044.eop-nam12.prod.protection.outlook.com (2603:10b6:408:e3:cafe::ba) by "
        "BN9PR03CA0123.outlook.office365.com (2603:10b6:408:fe::8) with Microsoft SMTP Server "
        "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7091.25 via "
        "Frontend Transport; Mon, 4 Dec 2023 10:11:12 +0000"
    )
    assert f.from_helo == "BN8NAM12FT044.eop-nam12.prod.protection.outlook.com"
    assert f.from_rdns is None
    assert f.from_ip == "2603:10b6:408:e3:cafe::ba"
    assert f.by == "BN9PR03CA0123.outlook.office365.com"
    assert f.protocol == "Microsoft SMTP Server"
    assert f.tls == TlsInfo(
        encrypted=True, version="TLS1_2", cipher="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
    )
    assert (f.id, f.server_version) == (None, "15.20.7091.25")  # the build number (V57b D3-2)
    assert f.via == "Frontend Transport"
    plain = parse_received(
        "from edge.example.com (10.0.0.1) by EXCH01.corp.example.com (172.16.0.10) with Microsoft SMTP Server "
        "id 15.1.2507.23; Fri, 22 Nov 2024 16:00:00 -0800"
    )
    assert plain.tls.encrypted is False
    tls_only = parse_received(
        "from a.example (96.114.156.9) by b.example (147.191.125.148) with Microsoft SMTP Server (TLS) "
        "id 15.0.1395.4 via Frontend Transport; Thu, 7 Feb 2019 14:20:25 -0700"
    )
    # "(TLS)" says the hop was encrypted, not which version.
    assert tls_only.tls == TlsInfo(encrypted=True, version=None, cipher=None)
    submission = parse_received(
        "from DM6PR06MB4475.namprd06.prod.outlook.com (2603:10b6:207:3d::31) by "
        "BL0PR06MB4465.namprd06.prod.outlook.com with HTTPS; Mon, 1 Oct 2024 09:49:22 +0000"
    )
    assert submission.auth == "HTTPS" and submission.tls.encrypted is True


def test_gmail_formats() -> None:
    f = parse_received(
        "by 2002:a05:6a10:a0c6:b0:4b8:2c8b:a9c2 with SMTP id x6csp1234567pxa; Tue, 15 Mar 2022 08:30:00 -0700 (PDT)"
    )
    assert f.by == "2002:a05:6a10:a0c6:b0:4b8:2c8b:a9c2"
    assert f.protocol == "SMTP" and f.id == "x6csp1234567pxa"
    # No "from" part: no connection is recorded, so whether one was encrypted is not known
    # ("TLS no" was shown for Gmail's own first stamp); with a client, plain SMTP is no TLS.
    assert f.tls.encrypted is None
    assert parse_received("from a.example.net ([192.0.2.1]) by 2002:a05:6a10:a0c6:b0:4b8:2c8b:a9c2 with SMTP id "
                          "x6; Tue, 15 Mar 2022 08:30:00 -0700 (PDT)").tls.encrypted is False
    assert f.complete
    g = parse_received(
        "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with "
        "SMTPS id a1sor123 for <multiple recipients> (Google Transport Security); Tue, 15 Mar 2022 08:30:00 -0700 (PDT)"
    )
    assert g.from_rdns == "mail-sor-f41.google.com"  # the FQDN dot is dropped
    assert g.for_ == "<multiple recipients>"
    assert g.tls.encrypted is True
    h = parse_received(
        "from [192.168.1.2] ([203.0.113.5]) by smtp.gmail.com with ESMTPSA id b2sm for <a@example.com> "
        "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 15 Mar 2022 08:30:00 -0700 (PDT)"
    )
    assert (h.from_helo, h.from_ip, h.auth) == ("[192.168.1.2]", "203.0.113.5", "ESMTPSA")
    assert h.tls == TlsInfo(encrypted=True, version="TLS1_3", cipher="TLS_AES_256_GCM_SHA384")
    webmail = parse_received(
        "by 2002:a17:90a:1:0:0:0:0 with HTTP; Tue, 15 Mar 2022 08:30:00 -0700 (PDT)"
    )
    assert webmail.auth == "HTTP"


def test_for_multiple_recipients_unbracketed() -> None:
    f = parse_received(
        "from a.example by b.example with ESMTP id 1 for multiple recipients; 1 Jan 2020 00:00:00 +0000"
    )
    assert f.for_ == "multiple recipients"


def test_ibm_domino_for_then_from() -> None:
    f = parse_received(
        "from localhost by e06smtp10.uk.ibm.com with IBM ESMTP SMTP Gateway: Authorized Use Only! "
        "Violators will be prosecuted for <user@example.it> from <sender@it.ibm.com>; Wed, 8 Mar 2017 16:46:25 -0000"
    )
    assert f.from_helo == "localhost"
    assert f.for_ == "<user@example.it>"
    assert f.envelope_from == "sender@it.ibm.com"
    assert f.protocol is not None and f.protocol.startswith("IBM ESMTP")


def test_orcpt_semicolon_inside_angle_address() -> None:
    f = parse_received(
        "by vger.kernel.org via listexpand id S230171AbhFJIbY ORCPT <rfc822;bruce@untroubled.org>; "
        "Thu, 10 Jun 2021 04:31:52 -0400"
    )
    assert f.by == "vger.kernel.org"
    assert f.via == "listexpand"
    assert f.id == "S230171AbhFJIbY"
    assert f.timestamp == "2021-06-10T04:31:52-04:00"
    assert f.complete, f.problems


def test_semicolons_and_keywords_inside_comments() -> None:
    f = parse_received(
        "from a.example (a.example [192.0.2.1]) (comment with by x; for y; id z) by b.example with ESMTP id Q1; "
        "Mon, 1 Jan 2024 00:00:00 +0000"
    )
    assert (f.by, f.id, f.for_) == ("b.example", "Q1", None)
    assert f.timestamp == "2024-01-01T00:00:00+00:00"


def test_sendgrid_without_semicolon() -> None:
    f = parse_received(
        "by filter0383p1iad2.sendgrid.net with SMTP id filter0383p1iad2-15318-5AB8F728-C "
        "2020-06-17 16:39:24.757045452 +0000 UTC m=+349867.495769315"
    )
    assert f.by == "filter0383p1iad2.sendgrid.net"
    assert f.id == "filter0383p1iad2-15318-5AB8F728-C"
    assert f.timestamp == "2020-06-17T16:39:24.757045+00:00"
    assert f.date_text == "2020-06-17 16:39:24.757045452 +0000 UTC m=+349867.495769315"
    assert f.complete
    g = parse_received(
        "from smtp.github.com (out-8.smtp.github.com [192.30.252.199]) by ismtpd0003p1iad2.sendgrid.net (SG) "
        "with ESMTP id gDQRSEGgSqCsi9tFtF1Vtg Mon, 26 Mar 2018 13:35:36.102 +0000 (UTC)"
    )
    assert g.id == "gDQRSEGgSqCsi9tFtF1Vtg"
    assert g.timestamp == "2018-03-26T13:35:36.102000+00:00"


def test_clauses_after_the_date_and_envelope_from_after_date() -> None:
    f = parse_received(
        "from gorkcomputer (my.dns.com [1.2.3.4]) (AUTH: LOGIN gork@mydomain.com, SSL: TLSv1/SSLv3,128bits,RC4-MD5) "
        "by mydomain.com with esmtp; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11"
    )
    assert f.id == "000000DB.43735815.00001E11"
    assert f.timestamp == "2005-11-10T08:24:21-06:00"
    assert f.auth is not None and f.auth.startswith("AUTH: LOGIN")
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1/SSLv3", cipher="RC4-MD5")
    g = parse_received(
        "by server.domain.com id xx for <x@example.com>; Sun, 1 Apr 2018 03:01:53 -0400 (envelope-from <s@example.org>)"
    )
    assert g.envelope_from == "s@example.org"
    assert g.timestamp == "2018-04-01T03:01:53-04:00"
    assert g.date_text == "Sun, 1 Apr 2018 03:01:53 -0400"


def test_nested_comments_and_may_be_forged() -> None:
    f = parse_received(
        "from MARISELA (dsl-189-149-70-163.example.mx [189.149.70.163] (may be forged)) (authenticated bits=0) "
        "by mail.example.com.mx (8.13.8/8.13.8) with ESMTP id kB3; Sun, 3 Dec 2006 10:02:16 -0600 (CST)"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip) == (
        "MARISELA",
        "dsl-189-149-70-163.example.mx",
        "189.149.70.163",
    )


def test_communigate_account_and_verified() -> None:
    f = parse_received(
        "from [212.73.124.190] (account u@example.ru HELO ws.example.ru) by relay.example.ru "
        "(CommuniGate Pro SMTP 5.1.13) with ESMTPSA id 9830625 for s@example.ru; Mon, 07 Apr 2008 08:42:48 +0700"
    )
    # The account it logged in to is read as the login, as in the "[IP] verified" form (V57b D2-1).
    assert (f.from_ip, f.from_helo, f.auth) == ("212.73.124.190", "ws.example.ru",
                                                "ESMTPSA (account u@example.ru HELO ws.example.ru)")
    assert authenticated_login(f.auth) == "u@example.ru"
    g = parse_received(
        "from mail.tonet.ru ([213.183.114.1] verified) by relay2.tomsk.ru with ESMTP id 1; Tue, 08 Apr 2008 13:14:35 +0700"
    )
    assert (g.from_rdns, g.from_helo) == ("mail.tonet.ru", "mail.tonet.ru")
    h = parse_received(
        "from [10.0.0.1] (account u@example.com) by tin.example with SMTP id 1; Tue, 05 Dec 2006 11:17:51 -0800"
    )
    assert h.auth == "account u@example.com"


def test_communigate_account_helo_gives_the_login() -> None:
    # Real shapes (V57b D2-1): a HELO name, and an address literal as the HELO.
    f = parse_received(
        "from [198.51.100.232] (account l.abeni@example.com HELO sweethome) by example.com "
        "(CommuniGate Pro SMTP 6.1.11) with ESMTPSA id 147267237; Thu, 09 Apr 2020 15:00:21 +0200")
    assert authenticated_login(f.auth) == "l.abeni@example.com"
    assert (f.from_ip, f.from_helo, f.complete) == ("198.51.100.232", "sweethome", True)
    g = parse_received(
        "from [95.215.32.33] (account jocus@svn.example.com HELO [95.215.32.33]) by svn.example.com "
        "(CommuniGate Pro SMTP 5.2.3) with ESMTPA id 1234; Thu, 10 Apr 2025 16:04:35 +0200")
    assert authenticated_login(g.auth) == "jocus@svn.example.com"
    assert g.from_ip == "95.215.32.33" and g.complete


def test_communigate_account_helo_in_a_greeting_is_no_login() -> None:
    # A Postfix client greeting with CommuniGate's words before Postfix's own record: the
    # client's text, never a login (as before).
    f = parse_received(
        "from x (account evil@example.org HELO y) (unknown [198.51.100.7]) by mx.example.net (Postfix) "
        "with ESMTP id 4ZYRv70bS1z9rxB; Thu, 10 Apr 2025 16:04:35 +0200")
    assert f.auth is None and authenticated_login(f.auth) is None
    assert f.from_ip == "198.51.100.7"


def test_communigate_account_verified_is_read_whole() -> None:
    # "(account USER [IP] verified)", CommuniGate's authenticated submission (V57b D3-1): the
    # login, the address and the protocol are all read, with no "only partly read" mark.
    f = parse_received(
        "from [10.8.8.230] (account michael.scherle@rz.example.com\r\n [10.8.8.230] verified)\r\n"
        " by mail.example.com (CommuniGate Pro SMTP 6.3.19)\r\n with ESMTPSA id 46984509 for bob@example.net;\r\n"
        " Thu, 10 Apr 2025 16:04:35 +0200")
    assert (f.from_ip, f.complete, f.problems) == ("10.8.8.230", True, ())
    assert authenticated_login(f.auth) == "michael.scherle@rz.example.com"
    g = parse_received(
        "from gw.example.com (account larry [192.168.10.13] verified) by mail.example.com "
        "(CommuniGate Pro SMTP 5.0.9) with ESMTPA id 1; Thu, 10 Apr 2025 16:04:35 +0200")
    assert (g.from_ip, g.from_helo, g.complete) == ("192.168.10.13", "gw.example.com", True)
    assert authenticated_login(g.auth) == "larry"
    # Another address than the HELO literal: that address is the client's, read whole too.
    h = parse_received(
        "from [10.8.8.230] (account x@example.com [192.0.2.31] verified) by mail.example.com "
        "(CommuniGate Pro SMTP 6.3.19) with ESMTPSA id 1; Thu, 10 Apr 2025 16:04:35 +0200")
    assert (h.from_ip, h.from_helo, h.complete) == ("192.0.2.31", "[10.8.8.230]", True)


def test_exchange_build_number_is_the_server_version_not_the_id() -> None:
    # Exchange writes its build in the id clause, the same on every hop (V57b D3-2); twice each,
    # as the fast path caches a shape on first read.
    for _ in range(2):
        f = parse_received(
            "from EXCH01.corp.example.com (10.1.0.21) by EXCH02.corp.example.com (10.1.0.22) with Microsoft SMTP "
            "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.39; Tue, 3 Nov "
            "2026 10:01:09 +0100")
        assert (f.id, f.server_version, f.complete) == (None, "15.1.2507.39", True)
        g = parse_received(
            "from DS7PR11MB7859.namprd11.prod.outlook.com ([fe80::48d9:4c34:35b:f66]) by "
            "DS7PR11MB7859.namprd11.prod.outlook.com ([fe80::48d9:4c34:35b:f66%4]) with mapi id 15.20.6699.025; "
            "Wed, 23 Aug 2023 22:22:11 +0000")
        assert (g.id, g.server_version) == (None, "15.20.6699.025")
        # Another server's id of that shape stays its id; Exchange's other ids too.
        h = parse_received(
            "from a.example.com (a.example.com [192.0.2.1]) by b.example.net (Postfix) with ESMTP id 15.2.1258.12; "
            "Tue, 3 Nov 2026 10:01:09 +0100")
        assert (h.id, h.server_version) == ("15.2.1258.12", None)
        k = parse_received(
            "from EXCH01.corp.example.com (10.1.0.21) by EXCH02.corp.example.com (10.1.0.22) with Microsoft SMTP "
            "Server id 4ZYRv70bS1; Tue, 3 Nov 2026 10:01:09 +0100")
        assert (k.id, k.server_version) == ("4ZYRv70bS1", None)


def test_webmail_markers() -> None:
    f = parse_received(
        "from 153.90.199.141 (SquirrelMail authenticated user admin); by web1.example.edu with HTTP; "
        "Thu, 23 Sep 2004 14:35:29 -0600 (MDT)"
    )
    # SquirrelMail names the webmail login, as Kerio Connect does.
    assert (f.from_ip, f.from_helo, f.auth) == ("153.90.199.141", None, "HTTP (SquirrelMail authenticated user admin)")
    assert f.timestamp == "2004-09-23T14:35:29-06:00"
    g = parse_received(
        "from [94.79.161.130] by 3capp-webde-bs01.example.de (via HTTP); Tue, 11 Nov 2014 20:32:34 +0100"
    )
    assert (g.from_ip, g.from_helo, g.auth) == ("94.79.161.130", None, "via HTTP")


def test_ipv6_literal_and_mapped_ipv4() -> None:
    f = parse_received(
        "from rc3.isc.org (rc3.isc.org [IPv6:2001:4f8:3:bb::25]) by sf1.isc.org (Postfix) with ESMTP id C9; "
        "Sat, 16 Oct 2004 21:30:02 +0000 (UTC)"
    )
    assert f.from_ip == "2001:4f8:3:bb::25"
    g = parse_received(
        "from cs.example ([::ffff:218.11.152.141]) by mail.cs.example with esmtp; Mon, 18 Aug 2003 15:37:48 +0300"
    )
    assert g.from_ip == "218.11.152.141"


def test_xmail_port_and_envelope_sender() -> None:
    f = parse_received(
        "from list.example.com (63.146.189.86:23198) by mx1.example.net with [XMail 1.20 ESMTP Server] id <S72E> "
        "for <j@example.org> from <bounce-1@list.example.com>; Sat, 18 Sep 2004 23:17:54 -0500"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("list.example.com", None, "63.146.189.86")
    assert f.id == "S72E"
    assert f.envelope_from == "bounce-1@list.example.com"


def test_tis_smtpd_claiming_to_be() -> None:
    f = parse_received(
        'from pl027.example.jp(61.197.82.27), claiming to be "foo.woas.net" via SMTP by st.example.at, '
        "id smtpd1PBsZT; Sun Nov 13 15:38:52 2005"
    )
    assert (f.from_rdns, f.from_helo, f.from_ip) == (
        "pl027.example.jp",
        "foo.woas.net",
        "61.197.82.27",
    )
    assert f.by == "st.example.at"
    assert f.timestamp == "2005-11-13T15:38:52+00:00"  # asctime order, no zone: UTC, noted
    # Read whole: the missing zone is noted, not "partly read" (review AL D7; hops.no_zone says it).
    assert f.complete and any("time zone" in p for p in f.problems)


def test_envelope_null_sender() -> None:
    f = parse_received(
        "from a ([192.0.2.1]) by b with esmtp (Exim 4.9) (envelope-from <>) id 1; Mon, 1 Jan 2024 00:00:00 +0000"
    )
    assert f.envelope_from == ""


# ---------------------------------------------------------------------------------------------
# Partial reads


def test_date_only_line() -> None:
    f = parse_received("Wed, 7 Jun 2017 11:35:20 -0400")
    assert f.timestamp == "2017-06-07T11:35:20-04:00"
    assert f.by is None and f.from_helo is None
    assert f.complete is False
    assert "no 'from' or 'by' clause" in f.problems


def test_missing_date_keeps_fields() -> None:
    f = parse_received("from hotmail.com (bay1.hotmail.com [65.54.245.95]) by Daffy.timing.com;")
    assert (f.from_ip, f.by, f.timestamp, f.date_text) == (
        "65.54.245.95",
        "Daffy.timing.com",
        None,
        None,
    )
    assert f.complete is False and "no date after ';'" in f.problems


def test_unreadable_words_are_reported() -> None:
    f = parse_received(
        "from hotmail.com (something.com [65.54.245.95]) at just after 10pm by Daffy.timing.com on a Friday "
        "(CrazyMTA) (envelope-from <foo@example.com>) with TFTP"
    )
    assert (f.from_rdns, f.by, f.protocol, f.envelope_from) == (
        "something.com",
        "Daffy.timing.com",
        "TFTP",
        "foo@example.com",
    )
    assert f.complete is False
    assert any("at just after 10pm" in p for p in f.problems)


def test_forged_hop_with_date_as_address() -> None:
    f = parse_received(
        "from m1.example.com ([Sun, 07 Jan 2018 00:03:41 -1100]) by public.example.au with NNFMP; "
        "Sun, 07 Jan 2018 00:03:41 -1100"
    )
    assert f.from_ip is None
    assert f.from_helo == "m1.example.com"
    assert f.timestamp == "2018-01-07T00:03:41-11:00"
    assert any("not an IP" in p for p in f.problems)


@pytest.mark.parametrize("literal", ["[***]", "[redacted]", "[xxx.xxx.***.***]"])
def test_an_address_literal_masked_in_a_shared_copy_is_said_to_be_masked(literal: str) -> None:
    # A blog post's paste: "from mail-2061.simplelogin.co (mail-2061.simplelogin.co. [***])".
    for value in (f"from mail.example.com (mail.example.com. {literal}) by mx.example.net; 8 Apr 2023 22:48:25 -0700",
                  f"from mail.example.com {literal} by mx.example.net; 8 Apr 2023 22:48:25 -0700"):
        f = parse_received(value)
        assert f.from_ip is None and f.by == "mx.example.net"
        assert [p for p in f.problems if "literal" in p] == [f"address literal masked in this copy: {literal}"]


@pytest.mark.parametrize(
    "value", ["", "   ", ";", "(", ")", "<", "[", '"', "from", "by", "from by with id for via ;"]
)
def test_degenerate_values(value: str) -> None:
    f = parse_received(value)
    assert isinstance(f, ReceivedFields)
    assert f.complete is False


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 15 Mar 2024 10:30:00 +0000", _utc(2024, 3, 15, 10, 30)),
        ("15 Mar 2024 10:30:00 +0000", _utc(2024, 3, 15, 10, 30)),  # no weekday
        ("8 Mar 04 12:23:56 -0000", _utc(2004, 3, 8, 12, 23, 56)),  # 2-digit year, -0000
        ("1 Jan 99 00:00:00 GMT", _utc(1999, 1, 1)),  # 2-digit year >= 50 is 19xx
        ("1 Jan 103 00:00:00 GMT", _utc(2003, 1, 1)),  # 3-digit year is 1900 + n
        ("Wed, 30 Aug 2006 13:17:58 UT", _utc(2006, 8, 30, 13, 17, 58)),
        (
            "Thu, 6 May 2004 17:40:44-0500",
            datetime(2004, 5, 6, 17, 40, 44, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (
            "Mon, 8 Mar 2004 16:07:35 PST",
            datetime(2004, 3, 8, 16, 7, 35, tzinfo=timezone(timedelta(hours=-8))),
        ),
        (
            "Mon, 8 Mar 2004 16:07:35 EDT",
            datetime(2004, 3, 8, 16, 7, 35, tzinfo=timezone(timedelta(hours=-4))),
        ),
        (
            "Mon, 8 Mar 2004 16:07:35 +0100 (CET)",
            datetime(2004, 3, 8, 16, 7, 35, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("Sun Nov 13 14:50:12 2005", _utc(2005, 11, 13, 14, 50, 12)),  # asctime
        (
            "2020-06-17 16:39:24.757045452 +0000 UTC m=+349867.495769315",
            _utc(2020, 6, 17, 16, 39, 24, 757045),
        ),
        ("Thur, 29 Mar 2018 14:35:36 +0000", _utc(2018, 3, 29, 14, 35, 36)),
        ("Mon, 1 Jan 2024 10:00:00 +9900", _utc(2024, 1, 1, 10)),  # impossible zone: UTC
        ("Mon, 1 Jan 2024 10:00:00 A", _utc(2024, 1, 1, 10)),  # military zone = -0000
        ("Sat, 31 Dec 2016 23:59:60 +0000", _utc(2016, 12, 31, 23, 59, 59)),  # leap second
        ("22 Apr 2018", _utc(2018, 4, 22)),
    ],
)
def test_parse_received_date(text: str, expected: datetime) -> None:
    assert parse_received_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "31 Feb 2020 10:00:00 +0000",
        "Mon, 99:99:99",
        "Sun, 07 Jan",
        "-1100",
        "2020-13-45",
    ],
)
def test_parse_received_date_unreadable(text: str) -> None:
    assert parse_received_date(text) is None


def test_bogus_zone_is_flagged() -> None:
    f = parse_received("from a by b; Mon, 1 Jan 2024 10:00:00 +9900")
    assert f.timestamp == "2024-01-01T10:00:00+00:00"
    assert any("impossible time zone" in p for p in f.problems)


def test_a_three_digit_zone_is_read_with_its_leading_zero() -> None:
    from headerscope.received import THREE_DIGIT_ZONE, parse_date_noted

    # Quoted in SpamAssassin's Received.pm (2003): "-500" for -0500. Read as that offset, noted,
    # and the stamp stays whole (before: UTC, "no time zone").
    f = parse_received("from centipaid.com ([216.177.8.126]) by centipaid.com ; Tue,\n 11 Mar 2003 13:45:12 -500")
    assert (f.timestamp, f.problems, f.complete) == ("2003-03-11T13:45:12-05:00", (THREE_DIGIT_ZONE,), True)
    # India's "+530" is +05:30; "-959" the largest such offset.
    assert parse_date_noted("Tue, 11 Mar 2003 13:45:12 +530") == (
        datetime(2003, 3, 11, 13, 45, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))), [THREE_DIGIT_ZONE])
    assert parse_date_noted("Tue, 11 Mar 2003 13:45:12 -959")[0] == datetime(
        2003, 3, 11, 13, 45, 12, tzinfo=timezone(-timedelta(hours=9, minutes=59)))
    # Not a sign and three digits whose last two are a minute count: as before, no zone read.
    for zone in ("-560", "-50", "+5", "- 500", "500", "+٥٠٠", "-5000"):
        moment, notes = parse_date_noted(f"Tue, 11 Mar 2003 13:45:12 {zone}")
        assert moment == datetime(2003, 3, 11, 13, 45, 12, tzinfo=timezone.utc), zone
        assert THREE_DIGIT_ZONE not in notes, zone


# ---------------------------------------------------------------------------------------------
# TLS and auth matrix


@pytest.mark.parametrize(
    ("protocol", "encrypted", "auth"),
    [
        ("SMTP", False, None),
        ("ESMTP", False, None),
        ("LMTP", False, None),
        ("ESMTPA", False, "ESMTPA"),
        ("ESMTPS", True, None),
        ("ESMTPSA", True, "ESMTPSA"),
        ("UTF8SMTPS", True, None),
        ("UTF8SMTPSA", True, "UTF8SMTPSA"),
        # Exim built with SUPPORT_I18N puts "utf8" before its own word (verification V40 D2).
        ("utf8esmtp", False, None),
        ("utf8esmtpa", False, "utf8esmtpa"),
        ("utf8esmtps", True, None),
        ("utf8esmtpsa", True, "utf8esmtpsa"),
        ("LMTPS", True, None),
        ("esmtpsa", True, "esmtpsa"),
        ("HTTP", None, "HTTP"),  # a webmail back end's word: the browser's connection is not told
        ("HTTPS", True, "HTTPS"),
        ("local", None, None),
        ("Microsoft SMTPSVC(5.0.2195.6713)", None, None),
    ],
)
def test_protocol_tls_and_auth(protocol: str, encrypted: bool | None, auth: str | None) -> None:
    f = parse_received(
        f"from a.example ([192.0.2.1]) by b.example with {protocol} id Z; Mon, 1 Jan 2024 00:00:00 +0000"
    )
    assert f.tls.encrypted is encrypted
    assert f.auth == auth


def test_encrypted_comment_without_tls_word() -> None:
    f = parse_received(
        "from lists.gentoo.org (HELO parrot.gentoo.org) (156.56.111.196) by b.example with "
        "(DHE-RSA-AES256-SHA encrypted) SMTP; 6 Feb 2005 21:11:37 -0000"
    )
    assert f.protocol == "SMTP"
    assert f.tls == TlsInfo(encrypted=True, version=None, cipher="DHE-RSA-AES256-SHA")
    # qmail-smtpd with the TLS and auth patches: "(CIPHER encrypted, authenticated)".
    g = parse_received("by mail.zeus03.de with ESMTPSA (TLS_AES_256_GCM_SHA384 encrypted, authenticated); "
                       "22 Jan 2021 11:47:59 +0100")
    assert g.tls == TlsInfo(encrypted=True, version=None, cipher="TLS_AES_256_GCM_SHA384")


def test_encrypted_comment_with_version_and_cipher_joined() -> None:
    # T-Online's mail-in and fwd hosts, 2025 (verification V44f, D2): "(VERSION:CIPHER encrypted)".
    f = parse_received(
        "from stadt.wiesbaden.de ([24.40.191.66]) by mailin27.mgt.mul.t-online.de\r\n\twith "
        "(TLSv1.3:TLS_AES_256_GCM_SHA384 encrypted)\r\n\tesmtp id 1vaUJg-0uW6E50; "
        "Tue, 30 Dec 2025 08:38:52 +0100"
    )
    assert f.protocol == "esmtp"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384")
    g = parse_received(
        "from g116.gb126d70.use4.send.mailgun.net ([204.220.169.116]) by mailin24.mgt.mul.t-online.de "
        "with (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384 encrypted) esmtp id 1vaXYT-34njzp0; "
        "Tue, 30 Dec 2025 12:06:21 +0100"
    )
    assert g.tls == TlsInfo(encrypted=True, version="TLSv1.2", cipher="ECDHE-RSA-AES256-GCM-SHA384")
    # A colon in a token that is no version keeps the whole token as the cipher, as before.
    h = parse_received("by b.example with (X:Y encrypted) SMTP; Mon, 1 Jan 2024 00:00:00 +0000")
    assert h.tls == TlsInfo(encrypted=True, version=None, cipher="X:Y")


def test_not_authenticated_is_not_auth() -> None:
    f = parse_received(
        "from a ([192.0.2.1]) (not authenticated) (unauthenticated) by b with SMTP; 1 Jan 2024 00:00:00 +0000"
    )
    assert f.auth is None


# ---------------------------------------------------------------------------------------------
# Hostile input: bounded time, never an exception


def _timed(value: str) -> tuple[ReceivedFields, float]:
    start = time.perf_counter()
    fields = parse_received(value)
    return fields, time.perf_counter() - start


@pytest.mark.parametrize(
    "value",
    [
        "from a " + "(" * 10_000 + "x" + ")" * 10_000 + " by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "from a " + "(" * 10_000 + " by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "from a " + ")" * 10_000 + " by b; Mon, 1 Jan 2024 00:00:00 +0000",
        "from " + "(x " * 2_000_000,
        "x" * 10_000_000,
        "from a by b " + "for " * 500_000 + "; Mon, 1 Jan 2024 00:00:00 +0000",
        '"\\' * 500_000,
        "<" * 1_000_000,
        "[" * 1_000_000,
        "(" * 1_000_000 + ")" * 1_000_000,
        "from " + "a (b [1.2.3.4]) " * 200_000 + "; Mon, 1 Jan 2024 00:00:00 +0000",
        ";" * 1_000_000,
    ],
    ids=[
        "nested-10k",
        "unclosed-10k",
        "closing-10k",
        "huge-open-comments",
        "10MB-word",
        "many-keywords",
        "quote-backslash",
        "angles",
        "brackets",
        "nested-1M",
        "repeated-hostinfo",
        "semicolons",
    ],
)
def test_hostile_values_return_fast(value: str) -> None:
    fields, seconds = _timed(value)
    assert isinstance(fields, ReceivedFields)
    assert seconds < 2.0, seconds


def test_long_value_keeps_trailing_date() -> None:
    value = "from a.example ([192.0.2.1]) by b.example with ESMTP for " + "<r@example.com>, " * 5000
    value += "; Mon, 1 Jan 2024 00:00:00 +0000"
    f = parse_received(value)
    assert f.timestamp == "2024-01-01T00:00:00+00:00"
    assert f.from_ip == "192.0.2.1"
    assert not f.complete and "only the first" in f.problems[0]


def test_random_garbage_never_raises() -> None:
    rng = random.Random(20240101)
    alphabet = '()<>[];"\\ :@.,=-abcFROMbywithidforvia0123456789\t\n\u200b\x00é'
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        f = parse_received(value)
        assert isinstance(f, ReceivedFields)
        assert len(f.problems) <= 12


def test_throughput_typical_headers() -> None:
    values = [
        "from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) (using TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.org (Postfix) with ESMTPS id 4F3D21234 for "
        "<user@example.org>; Tue, 15 Mar 2024 10:30:00 +0000 (UTC)",
        "from BN8NAM12FT044.eop-nam12.prod.protection.outlook.com (2603:10b6:408:e3:cafe::ba) by "
        "BN9PR03CA0123.outlook.office365.com (2603:10b6:408:fe::8) with Microsoft SMTP Server (version=TLS1_2, "
        "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7091.25 via Frontend Transport; Mon, 4 Dec 2023 10:11:12 +0000",
        "by 2002:a05:6a10:a0c6:b0:4b8:2c8b:a9c2 with SMTP id x6csp1234567pxa; Tue, 15 Mar 2022 08:30:00 -0700 (PDT)",
        "from dsl.example.net ([66.92.76.133]:4312 helo=pendaran.example.org) by mx.example.com with esmtps "
        "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <b@example.org>) id 1u5HDe-0000000BekC-1MPb; "
        "Sat, 16 Oct 2004 03:20:18 -0700",
    ]
    # CPU time, not wall time: CI and developer machines run other work in parallel.
    start = time.process_time()
    for _ in range(250):
        for v in values:
            parse_received(v)
    per_header = (time.process_time() - start) / 1000
    start = time.process_time()
    for _ in range(100_000):
        pass
    empty_loop = time.process_time() - start  # ~2-5 ms: how fast this interpreter is now
    # 400 messages/s with 4-8 hops leaves ~300 us per header for the whole analysis. The
    # parser measures ~100 us on an idle 2-core machine (~0.04 of the empty loop); the bound
    # allows 3x that, scaled by the machine's current speed, and 1 ms of CPU at most.
    assert per_header < max(0.15 * empty_loop, 1e-4), (per_header, empty_loop)
    assert per_header < 1e-3, per_header


# ---------------------------------------------------------------- audit #11


def test_nested_name_addr_in_for_and_msg_id_as_id() -> None:
    # Salesforce: RFC 5321 section 4.4 "ID = Atom / msg-id", and a name-addr inside <...>.
    f = parse_received(
        "from 127.0.0.1 (localhost. [127.0.0.1]) by eaas-14 (EaaS) id\n  <3Thv2000SKUY8N@sfdc.net>\n"
        "  for <\"spprtmailgun@gmail.com\" <spprtmailgun@gmail.com>> Sat, 5 Oct 2024\n  00:48:25 GMT (GMT)"
    )
    assert f.complete, f.problems
    assert f.id == "3Thv2000SKUY8N@sfdc.net"
    assert f.for_ == "<\"spprtmailgun@gmail.com\" <spprtmailgun@gmail.com>>"
    assert f.timestamp == "2024-10-05T00:48:25+00:00"


def test_cyrus_unix_socket_is_a_local_client_not_a_bad_literal() -> None:
    f = parse_received("from murder ([unix socket]) by imap01.sssss.net (Cyrus v2.2.12) with LMTPA; "
                       "Sun, 23 Dec 2007 12:59:14 -0800")
    assert f.complete, f.problems
    assert (f.from_helo, f.from_ip, f.by, f.protocol) == ("murder", None, "imap01.sssss.net", "LMTPA")
    bad = parse_received("from x ([no such thing]) by y.example with ESMTP; Sun, 23 Dec 2007 12:59:14 -0800")
    assert not bad.complete


def test_ironport_protocol_carries_tls_and_cipher() -> None:
    f = parse_received("from vps.example.net ([152.228.133.10]) by apiron13.triara.com with "
                       "ESMTP/TLS/ECDHE-RSA-AES128-GCM-SHA256; 10 Oct 2022 15:11:33 -0500")
    assert f.tls == TlsInfo(encrypted=True, version=None, cipher="ECDHE-RSA-AES128-GCM-SHA256")
    assert f.from_ip == "152.228.133.10"


def test_qmail_user_before_the_address_is_a_login_only_where_the_stamp_says_so() -> None:
    # tcpserver fills $TCPREMOTEINFO from the client's identd by default (tcpserver(1): "-r
    # (Default.)"), so with plain "with SMTP" the word before "@IP" is the client's ident claim
    # whatever its shape (RFC 1413 section 6), never a login (SpamAssassin reads it so as well).
    f = parse_received("from unknown (HELO ljhw) (zyb@sgis.com.cn@[223.152.177.168]) by 0 with SMTP; "
                       "10 Oct 2022 15:11:33 -0000")
    assert (f.from_helo, f.from_rdns, f.from_ip, f.ident) == ("ljhw", None, "223.152.177.168", "zyb@sgis.com.cn")
    assert f.auth is None
    assert f.complete
    # With RFC 3848's "ESMTPA" the auth patch wrote the login there.
    f = parse_received("from unknown (HELO ljhw) (zyb@sgis.com.cn@[223.152.177.168]) by 0 with ESMTPA; "
                       "10 Oct 2022 15:11:33 -0000")
    assert (f.from_ip, f.ident, f.auth) == ("223.152.177.168", None, "ESMTPA (authenticated as zyb@sgis.com.cn)")
    # A plain account name under ESMTPA reads as before: the ident slot, the protocol's login.
    f = parse_received("from p5498acaa.dip0.t-ipconnect.de (HELO JIMBOBSPC) (user@84.152.172.1) by msa.example.com "
                       "with ESMTPA; 23 May 2007 15:05:04 -0000")
    assert (f.from_ip, f.ident, f.auth) == ("84.152.172.1", "user", "ESMTPA")


def test_qmail_ident_reply_is_never_read_as_a_login() -> None:
    from headerscope.received import authenticated_login

    # What a forger's identd answers comes through qmail's received.c as written (it turns only
    # characters outside [A-Za-z0-9.@%+/=:-] into "?"): no form of it is a login under "with SMTP".
    for user in ("president@example.net", "c2VjcmV0+Zm9v=", "auth:president", "Authenticated:president",
                 "Authenticated_SSL:president", "authenticated:president@example.net"):
        for address in ("203.0.113.5", "[203.0.113.5]"):
            f = parse_received(f"from unknown (HELO mail.example.net) ({user}@{address}) by mx.example.net "
                               "with SMTP; 5 Nov 2024 16:12:34 -0000")
            assert (f.from_ip, f.ident, f.auth) == ("203.0.113.5", user, None), (user, address)
            assert authenticated_login(f.auth) is None
            assert classify_role(f, "", same_org_client=False) is Role.MTA
            assert f.problems == ()
    # Brackets or quotes, which no account name has and qmail's own received.c never writes,
    # are said in the words hops.greeting_injection reads.
    f = parse_received('from unknown (HELO mail.example.net) (x"[198.51.100.20]@203.0.113.5) by mx.example.net '
                       "with SMTP; 5 Nov 2024 16:12:34 -0000")
    assert f.ident == 'x"[198.51.100.20]' and f.auth is None
    assert f.problems == ("the client's ident reply holds characters no account name has: x\"[198.51.100.20]",)


def test_qmail_ldap_and_auth_patches_write_the_login_where_the_ident_goes() -> None:
    from headerscope.received import authenticated_login

    def read(value: str) -> tuple[str | None, str | None, str | None, Role]:
        f = parse_received(value)
        return f.ident, authenticated_login(f.auth), f.from_ip, classify_role(f, value, same_org_client=False)

    # qmail-ldap 1.03 (the shape of its received.c): a provider's encoded login, over TLS.
    assert read("from unknown (HELO localhost.localdomain) (c2VjcmV0LWxvZ2lu+Zm9v=@[198.51.100.20])\n"
                "          (envelope-sender <ana@example.com.br>)\n          by smtp-01.example.com.br "
                "(qmail-ldap-1.03) with AES256-SHA encrypted SMTP\n          for <list@example.org>; "
                "12 Feb 2011 18:49:46 -0000") == (None, "c2VjcmV0LWxvZ2lu+Zm9v=", "198.51.100.20", Role.MSA)
    # A plain word, at a qmail-ldap server: its submission service's login.
    assert read("from unknown (HELO 192.168.1.88) (pedro@[203.0.113.17]) (envelope-sender <p@example.es>) "
                "by relay.example.es (qmail-ldap-1.03) with SMTP for <x@example.org>; 25 Dec 2019 04:33:51 -0000"
                ) == (None, "pedro", "203.0.113.17", Role.MSA)
    # Its AUTHPREPEND text before the login.
    assert read("from unknown (HELO pc1.example.lan) (Authenticated_SSL:jdoe@[10.2.10.44]) (envelope-sender "
                "<j.doe@example.com>) by smtp1.example.com (qmail-ldap-1.03) with ECDHE-RSA-AES256-GCM-SHA384 "
                "encrypted SMTP for <x@example.org>; 11 Nov 2020 17:07:28 -0000"
                ) == (None, "jdoe", "10.2.10.44", Role.MSA)
    # sapo.pt's qmail-ptmail says ESMTPA and writes the address it logged in with.
    f = parse_received("from unknown (HELO localhost.localdomain) (ana@example.pt@[203.0.113.91]) (envelope-sender "
                       "<ana@example.pt>) by mta-auth02 (qmail-ptmail-1.0.0) with ESMTPA for <x@example.org>; "
                       "12 May 2016 20:00:26 -0000")
    assert (f.auth, f.ident) == ("ESMTPA (authenticated as ana@example.pt)", None)
    # wp.pl's WP-SMTPD, the same form.
    assert read("from host.example.pl (HELO laptop.lan) (ola@example.pl@[203.0.113.18]) (envelope-sender "
                "<ola@example.pl>) by smtp.example.pl (WP-SMTPD) with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP "
                "for <x@example.org>; 2 Jan 2026 16:53:42 +0100") == (None, "ola@example.pl", "203.0.113.18", Role.MSA)
    # Plain qmail's RFC 1413 ident (an account name) stays an ident, and so does sendmail's
    # "(user@host [IP])" (sendmail writes its logins as "(authenticated ...)").
    assert read("from adsl.example.net (HELO merlin.example.au) (Owner50@192.0.2.129) by mx.example.net with SMTP; "
                "10 Nov 2003 06:30:34 -0000") == ("Owner50", None, "192.0.2.129", Role.MTA)
    assert read("from host.example.com (root@host.example.com [192.0.2.5]) by mx.example.net (8.12.11/8.12.11) "
                "with ESMTP id j1; Sat, 5 Jan 2008 09:12:19 -0500") == ("root", None, "192.0.2.5", Role.MTA)
    # No user part: no login (wp.pl's own relay).
    assert parse_received("from out.example.pl (HELO localhost) ([192.0.2.240]) (envelope-sender <z@example.pl>) "
                          "by smtp.example.pl (WP-SMTPD) with SMTP for <x@example.org>; 6 Sep 2010 06:49:41 +0200"
                          ).auth is None


def test_chasquid_stamps() -> None:
    # chasquid (internal/smtpsrv/conn.go): an authenticated client is named only by its EHLO
    # argument, here an address literal, and the RFC 8314 "tls" clause follows the protocol.
    f = parse_received("from [IPV6:2001:db8:aa40:4e0::8fde]\n        by mail.example.com.ar (chasquid) with ESMTPSA\n"
                       "        tls TLS_AES_128_GCM_SHA256\n        (over submission+TLS, TLS-1.3, envelope from "
                       "\"ana@example.com.ar\")\n        ; Wed, 27 Sep 2023 13:06:05 +0000")
    assert (f.from_helo, f.from_ip, f.protocol, f.auth, f.envelope_from) == (
        "[IPV6:2001:db8:aa40:4e0::8fde]", None, "ESMTPSA", "ESMTPSA", "ana@example.com.ar")
    assert f.tls == TlsInfo(encrypted=True, version="TLS-1.3", cipher="TLS_AES_128_GCM_SHA256")
    assert (f.complete, f.problems) == (True, ())
    # A client that did not authenticate: its address, then its EHLO name in the comment.
    f = parse_received("from [192.0.2.201] (out-18.smtp.example.com) by mx.example.org (chasquid) with ESMTPS "
                       "tls TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (over SMTP, TLS-1.2, envelope from "
                       "\"noreply@example.com\") ; Sat, 17 Feb 2024 15:20:18 +0000")
    assert (f.from_helo, f.from_ip, f.protocol, f.auth, f.envelope_from) == (
        "out-18.smtp.example.com", "192.0.2.201", "ESMTPS", None, "noreply@example.com")
    assert f.tls == TlsInfo(encrypted=True, version="TLS-1.2", cipher="TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
    # Plain text, and a bounce's null sender ("").
    f = parse_received("from [192.0.2.7] (mail.example.net) by mx.example.org (chasquid) with ESMTP (over SMTP, "
                       "plain text!, envelope from \"\") ; Sat, 17 Feb 2024 15:20:18 +0000")
    assert (f.tls.encrypted, f.envelope_from, f.from_ip) == (False, "", "192.0.2.7")
    # A shape the fast path would take (no tls clause, no envelope comment) reads the same.
    f = parse_received("from [192.0.2.7] (mail.example.net) by mx.example.org (chasquid) with ESMTP; "
                       "Sat, 17 Feb 2024 15:20:18 +0000")
    assert (f.from_helo, f.from_ip) == ("mail.example.net", "192.0.2.7")
    # Other servers write a bare "from [IP]" for the connection's address: it stays the client's.
    f = parse_received("from [198.51.100.7] by author.example (MDaemon PRO v26.0.2b) with ESMTPSA id 1; "
                       "Mon, 2 Nov 2026 10:00:00 +0000")
    assert f.from_ip == "198.51.100.7"


def test_dragonfly_mail_agent_names_the_local_user() -> None:
    f = parse_received("from rob (uid 1000)\n        (envelope-from rob@laptop)\n        id 22001a\n"
                       "        by laptop (DragonFly Mail Agent v0.11);\n        Wed, 08 Jan 2020 10:39:43 -0600")
    assert (f.ident, f.from_helo, f.envelope_from, f.by, f.complete) == (
        "rob (uid 1000)", None, "rob@laptop", "laptop", True)


def test_bare_tls_word_is_no_version() -> None:
    for value in (
        "from a.example (10.0.0.1) by b.example (10.0.0.2) with Microsoft SMTP Server (TLS) id 15.0.1210.3; "
        "Mon, 18 Sep 2017 12:00:28 +0200",
        "from a.example (a.example [192.0.2.1]) (using TLS with cipher AES256-SHA256 (256/256 bits)) by "
        "b.example with SMTP id 1; Mon, 18 Sep 2017 12:00:28 +0200",
    ):
        f = parse_received(value)
        assert f.tls.encrypted is True and f.tls.version is None, value


def test_fast_path_is_linear_on_hostile_input() -> None:
    started = time.perf_counter()
    for value in ("from " + " " * 1_000_000 + "x", "from a (" + "b " * 15_000 + ") by c with d id e; 1 Jan 2020 00:00:00 +0000",
                  "by x with y id " + "z" * 30_000 + "; Mon, 1 Jan 2020 00:00:00 +0000",
                  "from a" + " (b)" * 8_000 + " by c with ESMTP; Mon, 1 Jan 2020 00:00:00 +0000"):
        parse_received(value)
    assert_within(started, 5.0)


def test_frozen_maker_builds_the_same_objects_and_keeps_the_errors() -> None:
    import dataclasses

    from headerscope._value import frozen_maker
    from headerscope.model import Hop, Role

    make_fields = frozen_maker(ReceivedFields)
    assert make_fields(by="b.example", id="1") == ReceivedFields(by="b.example", id="1")
    made = make_fields()
    assert made == ReceivedFields() and made.tls is not ReceivedFields().tls  # factory called each time
    assert hash(made) == hash(ReceivedFields())
    # fields in field order whatever the keyword order (repr, equality and JSON read them so)
    reordered = make_fields(problems=("p",), by="b.example", from_helo="h")
    assert list(reordered.__dict__) == [f.name for f in dataclasses.fields(ReceivedFields)]
    assert repr(reordered) == repr(ReceivedFields(by="b.example", from_helo="h", problems=("p",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.by = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        make_fields(no_such_field=1)
    make_hop = frozen_maker(Hop)
    kwargs = dict(number=1, header_index=0, fields=made, raw="r", delay_seconds=None, role=Role.MTA,
                  organization=None, trusted=True, boundary=True)
    assert make_hop(**kwargs) == Hop(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        make_hop(number=1)  # required fields missing: the class's own error


def test_shape_cache_fills_in_the_client_address_and_a_literal_helo() -> None:
    """A cached shape also serves headers that differ in the client address of "(NAME [a.b.c.d])"
    and in an address-literal HELO: whichever header of a shape is read first, every other one
    reads exactly as the general parser reads it (canonical IPv4 only is filled in; other
    addresses are part of the shape)."""
    from headerscope import received

    shapes = [
        "from {helo} (relay.b.example [{ip}]) by mx.a.example (Postfix) with ESMTPS id 9F{n} "
        "for <u{n}@a.example>; Mon, 02 Nov 2026 08:00:42 +0000",
        "from {helo} (unknown [{ip}]) by smtp.b.example (Postfix) with ESMTPSA id 4{n}; "
        "Mon, 02 Nov 2026 08:00:42 -0500 (EST)",
        "from {helo} (tls.b.example [{ip}]) (using TLSv1.2 with cipher ECDHE (128/128 bits)) by mx.a.example "
        "(Postfix) with ESMTPS id 1{n}; Tue, 3 Nov 2026 09:10:11 +0100",
        "from {helo} (web.b.example [{ip}]) by mail.a.example with HTTP id {n}; Mon, 02 Nov 2026 08:00:42 +0000",
        "from {helo} (web.b.example [{ip}]) by mail.a.example with ESMTP id {n} via HTTP; Mon, 02 Nov 2026 08:00:42 +0000",
        "from {helo} (mx.b.example [{ip}]) (gw [10.0.0.1]) by mx.a.example with ESMTP id {n}; Mon, 02 Nov 2026 08:00:42 +0000",
        "from {helo} (mx.b.example [{ip}]) (x) by mx.a.example with ESMTP id {n}; Mon, 02 Nov 2026 08:00:42 +0000",
        "from {helo} (mx.b.example [{ip}]) by a.outlook.com (10.0.0.2) with Microsoft SMTP Server id {n}; "
        "Mon, 2 Nov 2026 10:00:40 +0000",
        "from {helo} (Authenticated sender [{ip}]) by mx.a.example with ESMTP id {n}; Mon, 02 Nov 2026 08:00:42 +0000",
    ]
    helos = ["relay.b.example", "with", "[10.1.2.3]", "[192.0.2.1]", "[1.2.3.256]", "[::1]", "[IPv6:2001:db8::1]",
             "[0a.1]"]
    ips = ["10.2.1.160", "0.0.0.0", "255.255.255.255", "127.0.0.1", "192.0.2.35", "010.2.1.1", "1.2.3.256",
           "2001:db8::1", "1.2.3.4:25", "::ffff:10.0.0.1"]
    for shape in shapes:
        values = [shape.format(helo=helo, ip=ip, n=n) for n, (helo, ip) in
                  enumerate((helo, ip) for helo in helos for ip in ips)]
        expected = [received._parse(v) for v in values]
        for first in values:
            received._SHAPES.clear()
            received.parse_received(first)
            assert [received.parse_received(v) for v in values] == expected, first
    received._SHAPES.clear()


def test_canonical_ipv4_is_read_as_ipaddress_reads_it() -> None:
    """The address reader skips ipaddress for IPv4 written as ipaddress writes it; that text
    must be exactly the text ipaddress gives back, and everything else goes the long way."""
    import ipaddress

    from headerscope.received import _CANONICAL_IPV4_RE, _read_ip_cached

    rng = random.Random(5)
    texts = ["0.0.0.0", "255.255.255.255", "10.2.1.160", "1.2.3.04", "01.2.3.4", "256.1.1.1", "1.2.3",
             "1.2.3.4.5", "[1.2.3.4]", "[IPv6:1.2.3.4]", "::ffff:10.0.0.1", "1.2.3.4:25",
             "\u0661.\u0662.\u0663.\u0664", "1.2.3.4\n"]
    for _ in range(3000):
        texts.append(".".join(rng.choice(["0", "00", "09", "1", "99", "100", "199", "200", "249", "250", "255",
                                          "256", "300", str(rng.randrange(1000))]) for _ in range(4)))
    for text in texts:
        if _CANONICAL_IPV4_RE.fullmatch(text) is not None:
            assert str(ipaddress.ip_address(text)) == text
            assert _read_ip_cached.__wrapped__(text) == (text, False)
        try:
            parsed = ipaddress.ip_address(text)
        except ValueError:
            continue
        if parsed.version == 4 and str(parsed) == text:
            assert _CANONICAL_IPV4_RE.fullmatch(text) is not None, text


def test_timed_parse_gives_the_moment_of_the_timestamp() -> None:
    from headerscope.received import parse_received_timed

    for value in ("from a (b [192.0.2.1]) by c with ESMTP id 1; Mon, 02 Nov 2026 08:00:42 +0530",
                  "by c with SMTP; 2020-06-17 16:39:24.757045452 +0000 UTC m=+349867.495769315",
                  "from a by c; Sun Nov 13 14:50:12 2005", "from a by c", "", "x" * 40_000):
        fields, moment = parse_received_timed(value)
        assert fields == parse_received(value)
        assert (moment.isoformat() if moment is not None else None) == fields.timestamp


# ---------------------------------------------------------------------------------------------
# More real formats: each value below is as written by the software named (taken from public
# list archives and parser test suites), with the fields a reader needs.


def test_exchange_2003_over_tls_secured_channel() -> None:
    f = parse_received(
        "from dd1.caveonetworks.com ([64.169.86.201]) by exch4.caveonetworks.com over TLS secured "
        "channel with Microsoft SMTPSVC(6.0.3790.3959); Tue, 23 Dec 2008 15:22:17 -0800"
    )
    assert (f.from_helo, f.from_ip, f.by) == ("dd1.caveonetworks.com", "64.169.86.201", "exch4.caveonetworks.com")
    assert f.protocol == "Microsoft SMTPSVC"
    assert f.tls.encrypted is True
    assert f.complete and f.problems == ()
    # Without the phrase the same hop says nothing about TLS.
    plain = parse_received(
        "from dd1.caveonetworks.com ([64.169.86.201]) by exch4.caveonetworks.com "
        "with Microsoft SMTPSVC(6.0.3790.3959); Tue, 23 Dec 2008 15:22:17 -0800"
    )
    assert plain.tls.encrypted is None and plain.complete


def test_iis_mail_pickup_service_is_a_local_program() -> None:
    f = parse_received("from mail pickup service by hotmail.com with Microsoft SMTPSVC; Tue, 16 Mar 2004 18:12:31 -0800")
    # No user and no account either: the words name IIS's own service (V34h).
    assert (f.from_helo, f.from_rdns, f.from_ip, f.ident) == (None, None, None, None)
    assert f.by == "hotmail.com"
    assert f.complete and f.problems == ()


def test_second_with_clause_starttls_marks_tls() -> None:
    # Mimecast; RFC 822 section 4.1 allows several "with" clauses.
    f = parse_received(
        "from mail-qv1-f71.google.com (mail-qv1-f71.google.com [209.85.219.71]) by relay.mimecast.com "
        "with ESMTP with STARTTLS (version=TLSv1.3, cipher=TLS_AES_128_GCM_SHA256) "
        "id us-mta-73-_Go8Hx0vPgqwuLHD2HVQUg-1; Tue, 14 Feb 2023 17:35:48 -0500"
    )
    assert f.protocol == "ESMTP"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_128_GCM_SHA256")
    assert f.id == "us-mta-73-_Go8Hx0vPgqwuLHD2HVQUg-1"
    assert f.complete and f.problems == ()
    # Without a cipher comment, the STARTTLS clause alone says the hop was encrypted.
    bare = parse_received("from a.example (a.example [192.0.2.1]) by b.example with ESMTP with STARTTLS id X; "
                          "Tue, 14 Feb 2023 17:35:48 -0500")
    assert bare.tls.encrypted is True and bare.complete
    # Any other second "with" is kept out of the protocol and noted.
    other = parse_received("by b.example with ESMTP with UUCP; Tue, 14 Feb 2023 17:35:48 -0500")
    assert other.protocol == "ESMTP"
    assert not other.complete and "UUCP" in other.problems[0]


def test_zmailer_convert_clause_after_id() -> None:
    # vger.kernel.org (ZMailer) on every message of the Linux kernel lists.
    f = parse_received(
        'from n14b.bullet.scd.yahoo.com ([209.73.160.81]:32609 "HELO n14b.bullet.scd.yahoo.com" '
        "rhost-flags-OK-OK-OK-OK) by vger.kernel.org with SMTP id S1752424AbYC3OiK convert rfc822-to-8bit "
        "(ORCPT <rfc822;git@vger.kernel.org>); Sun, 30 Mar 2008 10:38:10 -0400"
    )
    assert (f.from_ip, f.by, f.protocol, f.id) == ("209.73.160.81", "vger.kernel.org", "SMTP", "S1752424AbYC3OiK")
    assert f.timestamp == "2008-03-30T10:38:10-04:00"
    assert f.complete and f.problems == ()


def test_nullmailer_invoked_by_uid() -> None:
    f = parse_received("(nullmailer pid 2185267 invoked by uid 1000); Thu, 10 Mar 2022 22:18:35 -0000")
    assert f.ident == "uid 1000"
    assert f.timestamp == "2022-03-10T22:18:35+00:00"
    assert f.complete and f.problems == ()


def test_unknown_and_empty_address_literals() -> None:
    # Coremail writes "(unknown [])" when it has no address to record: not a damaged literal.
    coremail = parse_received(
        "from localhost (unknown []) by gzsmtp4 (Coremail) with SMTP id PykvCgD3l2og_sNnPh4JBg--.59684S2; "
        "Sun, 02 Mar 2025 14:43:44 +0800 (CST)"
    )
    assert (coremail.from_helo, coremail.from_rdns, coremail.from_ip) == ("localhost", None, None)
    assert coremail.complete and coremail.problems == ()
    # Sun Java / Oracle Messaging Server: "([unknown] [IP])", reverse DNS then address.
    sun = parse_received(
        "from imac-27.home ([unknown] [198.51.100.4]) by vms173019.mailsrvcs.net (Sun Java(tm) System "
        "Messaging Server 7u2-7.02 32bit (built Apr 16 2009)) with ESMTPA id "
        "<0NAK0041N80S4K20@vms173019.mailsrvcs.net>; Tue, 19 Aug 2014 10:22:07 -0500 (CDT)"
    )
    assert (sun.from_helo, sun.from_rdns, sun.from_ip) == ("imac-27.home", None, "198.51.100.4")
    assert sun.auth == "ESMTPA" and sun.complete
    # A literal that is no address at all is still reported.
    bad = parse_received("from x.example ([unknown] [999.1.1.1]) by y.example with ESMTP; Tue, 19 Aug 2014 10:22:07 -0500")
    assert bad.from_ip is None and not bad.complete and "999.1.1.1" in bad.problems[0]


def test_ipv6_zone_index_is_dropped() -> None:
    f = parse_received(
        "from 486006-USEXCH02.CMP.LOCAL ([fe80::250:56ff:fe85:5095%11]) by 486006-USEXCH02.CMP.LOCAL "
        "([fe80::250:56ff:fe85:5095%11]) with Microsoft SMTP Server id 14.03.0123.003; Tue, 24 Jun 2014 10:16:07 -0500"
    )
    assert f.from_ip == "fe80::250:56ff:fe85:5095"
    assert f.complete and f.problems == ()
    # A zone on an IPv4 address, or a zone that is not a name, is not an address.
    assert parse_received("from x ([192.0.2.1%11]) by y with SMTP; Tue, 24 Jun 2014 10:16:07 -0500").from_ip is None
    assert parse_received("from x ([fe80::1%a b]) by y with SMTP; Tue, 24 Jun 2014 10:16:07 -0500").from_ip is None


def test_exim_ident() -> None:
    f = parse_received(
        "from mail.example.com ([192.0.2.4]:4455 helo=mx.example.com ident=exim) by mx.test.ex "
        "with esmtp (Exim 4.96) id 1abc-0001-AB; Mon, 30 Sep 2013 15:12:33 +0700"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip, f.ident) == ("mx.example.com", "mail.example.com", "192.0.2.4", "exim")
    literal = parse_received("from [192.0.2.4] (ident=mail) by mx.test.ex with esmtp (Exim 4.80) id 1a7QMI-00; "
                             "Mon, 30 Sep 2013 15:12:33 +0700")
    assert (literal.from_ip, literal.ident) == ("192.0.2.4", "mail")


def test_gateway_product_name_as_by() -> None:
    f = parse_received(
        "from mse-fl2.zte.com.cn (unknown [10.30.14.239]) by Forcepoint Email with ESMTPS id 3EE8E2C9276DC129DA98; "
        "Thu, 27 Jun 2019 11:06:47 +0800 (CST)"
    )
    assert (f.from_helo, f.from_ip, f.by, f.protocol) == ("mse-fl2.zte.com.cn", "10.30.14.239", "Forcepoint Email", "ESMTPS")
    assert f.complete and f.problems == ()
    # Words after a host name are still reported, not taken into it.
    g = parse_received("from a.example by b.example garbage words with ESMTP; Thu, 27 Jun 2019 11:06:47 +0800")
    assert g.by == "b.example" and not g.complete


def test_zmailer_quoted_ehlo_and_reverse_name() -> None:
    # vger.kernel.org: from RDNS ([IP]:port "EHLO name" rhost-flags-...): HELO and RDNS differ.
    f = parse_received(
        'from rap-us.hgst.com ([199.255.44.250]:13826 "EHLO usg-ed-osssrv.wdc.com" rhost-flags-OK-OK-OK-FAIL) '
        "by vger.kernel.org with ESMTP id S230399AbiADK6v (ORCPT <rfc822;linux-ide@vger.kernel.org>); "
        "Tue, 4 Jan 2022 05:58:51 -0500"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("usg-ed-osssrv.wdc.com", "rap-us.hgst.com", "199.255.44.250")
    assert f.complete
    # Older ZMailer wrote no flags; the quoted marker is its mark all the same.
    old = parse_received('from fw-nat.cambridge.arm.com ([193.131.176.54]:23942 "EHLO ZIPPY.Emea.Arm.com") '
                         "by vger.kernel.org with ESMTP id S262979AbVGNKW7; Thu, 14 Jul 2005 06:22:59 -0400")
    assert (old.from_helo, old.from_rdns) == ("ZIPPY.Emea.Arm.com", "fw-nat.cambridge.arm.com")


def test_sendmail_host_and_address_without_a_space() -> None:
    f = parse_received(
        "from mail.realtek.com (rtexh36505.realtek.com.tw[172.21.6.25]) by rtits2.realtek.com.tw "
        "(8.15.2/3.06/5.92) with ESMTPS id 4AF9sZ7a9284316 (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 "
        "bits=256 verify=OK); Fri, 15 Nov 2024 17:54:35 +0800"
    )
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("mail.realtek.com", "rtexh36505.realtek.com.tw", "172.21.6.25")
    assert f.complete
    # Exim's "(helo=[IP])" is its HELO marker, not a host and address.
    g = parse_received("from [198.51.100.4] (helo=[10.0.0.2]) by smtp.example.org with esmtpsa (Exim 4.92) id 1k; "
                       "Mon, 5 Feb 2024 14:00:00 +0000")
    assert (g.from_ip, g.from_helo, g.from_rdns) == ("198.51.100.4", "[10.0.0.2]", None)


def test_yahoo_hermes_and_webmail_hops() -> None:
    # Yahoo's submission server names itself in a comment after a pod name with no dots.
    sub = parse_received("by hermes--production-gq1-5d95dc458-24x88 (Yahoo Inc. Hermes SMTP Server) with ESMTPA "
                         "ID dffbd785ee8ecfc4db9f25ae20a43d90; Fri, 30 Aug 2024 00:35:52 +0000 (UTC)")
    assert (sub.by, sub.protocol, sub.auth, sub.id) == (
        "hermes--production-gq1-5d95dc458-24x88", "ESMTPA", "ESMTPA", "dffbd785ee8ecfc4db9f25ae20a43d90")
    assert sub.timestamp == "2024-08-30T00:35:52+00:00" and sub.complete
    web = parse_received("from sonic.gate.mail.ne1.yahoo.com by sonic305.consmr.mail.ne1.yahoo.com with HTTP; "
                         "Fri, 30 Aug 2024 00:35:55 +0000")
    # HTTP has no HELO: the name written first is the web front end's.
    assert (web.from_helo, web.from_rdns, web.auth) == (None, "sonic.gate.mail.ne1.yahoo.com", "HTTP")
    assert web.complete


def test_dovecot_lmtp_delivery() -> None:
    f = parse_received(
        "from smtpin1.paris1.alwaysdata.com ([2a00:b6e0:1:42:1::1]) (using TLSv1.2 with cipher "
        "ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)) by imap1.paris1.alwaysdata.com (Dovecot) with LMTP id "
        "CmIDBvaxwl1rVwAA37iJ7g for <test@alwaysdata.net>; Wed, 06 Nov 2019 12:43:50 +0100"
    )
    assert (f.from_helo, f.from_ip, f.by, f.protocol) == (
        "smtpin1.paris1.alwaysdata.com", "2a00:b6e0:1:42:1::1", "imap1.paris1.alwaysdata.com", "LMTP")
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.2", cipher="ECDHE-RSA-AES128-GCM-SHA256")
    assert (f.id, f.for_) == ("CmIDBvaxwl1rVwAA37iJ7g", "<test@alwaysdata.net>")
    assert f.complete


def test_haraka_clauses_after_the_id() -> None:
    # Haraka: "id UUID envelope-from <sender> tls SUITE (authenticated bits=0)"; "tls" is the
    # clause RFC 8314 section 7.4 registers for the TLS cipher suite.
    f = parse_received(
        "from mail.example.com (mail.example.com [192.0.2.1]) by haraka.example.net (Haraka/3.0.3) with ESMTPS "
        "id 1E7D1C8F-8F0A-4B1E-9D3C-1A2B3C4D5E6F.1 envelope-from <x@example.com> tls TLS_AES_256_GCM_SHA384 "
        "(authenticated bits=0); Tue, 16 Jan 2024 10:00:00 +0000"
    )
    assert (f.id, f.envelope_from) == ("1E7D1C8F-8F0A-4B1E-9D3C-1A2B3C4D5E6F.1", "x@example.com")
    assert f.tls == TlsInfo(encrypted=True, version=None, cipher="TLS_AES_256_GCM_SHA384")
    assert f.complete and f.problems == ()


def test_opensmtpd_tls_comment() -> None:
    f = parse_received(
        "from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.net (OpenSMTPD) with ESMTPS id 3c6e7a2f "
        "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) for <user@example.net>; Tue, 16 Jan 2024 10:00:00 +0000"
    )
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384")
    assert (f.id, f.for_) == ("3c6e7a2f", "<user@example.net>")
    assert f.complete



def test_opensmtpd_received_auth_clause() -> None:
    # OpenSMTPD's "received-auth" listener option writes whether the client logged in, and as
    # whom, after its TLS comment (smtp_session.c); real stamps, as kernel list archives keep them.
    from headerscope.received import authenticated_login

    f = parse_received(
        "from xps.demsh.org (algiz.demsh.org [94.103.82.47])\r\n        by hermod.demsh.org (OpenSMTPD) with ESMTPSA "
        "id d6a231c8 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=me;\r\n        Thu, 3 Nov 2022 "
        "16:38:39 +0000 (UTC)"
    )
    assert f.complete and f.problems == ()
    assert (f.from_ip, f.id, f.auth) == ("94.103.82.47", "d6a231c8", "ESMTPSA (authenticated as me)")
    assert authenticated_login(f.auth) == "me"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384")
    # With no from clause (a local submission) and a for clause after it.
    f = parse_received(
        "\r\n\tby hurricane.the-brannons.com (OpenSMTPD) with ESMTPSA id 2c23a5c3 "
        "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=chris\r\n\tfor <speakup@linux-speakup.org>;"
        "\r\n\tFri, 13 Jun 2025 07:07:53 +0000 (UTC)"
    )
    assert f.complete and (f.for_, authenticated_login(f.auth)) == ("<speakup@linux-speakup.org>", "chris")
    # "auth=no": the client did not log in; "auth=yes" alone still marks a login.
    f = parse_received(
        "from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.net (OpenSMTPD) with ESMTPS id 3c6e7a2f "
        "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=no for <user@example.net>; Tue, 16 Jan 2024 10:00:00 +0000"
    )
    assert f.complete and (f.auth, f.for_) == (None, "<user@example.net>")
    f = parse_received(
        "from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.net (OpenSMTPD) with ESMTPS id 3c6e7a2f "
        "(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes; Tue, 16 Jan 2024 10:00:00 +0000"
    )
    assert f.complete and f.auth is not None and authenticated_login(f.auth) is None

def test_courier_auth_and_tls_comment() -> None:
    f = parse_received(
        "from mail.example.com (mail.example.com [::ffff:192.0.2.1]) (AUTH: LOGIN user, TLS: TLSv1/SSLv3,256bits,"
        "AES256-SHA) by mx.example.net with ESMTPSA; Tue, 16 Jan 2024 10:00:00 +0000"
    )
    # The AUTH item alone: the TLS item after it is read as TLS.
    assert (f.from_ip, f.auth) == ("192.0.2.1", "ESMTPSA (AUTH: LOGIN user)")
    from headerscope.received import authenticated_login

    assert authenticated_login(f.auth) == "user"
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1/SSLv3", cipher="AES256-SHA")


def test_courier_ident_then_auth_item() -> None:
    # Courier writes "(IDENT: x, AUTH: MECH login, TLS: ...)", each item only when it has one
    # (courieresmtpd.c, startsubmit()). Real stamps from gmane's copies of the git list (2008,
    # 2019); before, an AUTH item that was not first was lost, and the IDENT item unread.
    f = parse_received(
        "from perceptron (xdsl-87-78-94-105.netcologne.de [::ffff:87.78.94.105])\n"
        "  (IDENT: unknown, AUTH: LOGIN jast, TLS: TLSv1/SSLv3,256bits,AES256-SHA)\n"
        "  by cthulhu.zoidberg.org with esmtp; Sun, 09 Nov 2008 23:00:17 +0100\n  id 0015AFFF.49175D71.00006598"
    )
    from headerscope.received import authenticated_login

    assert (f.auth, authenticated_login(f.auth), f.ident, f.complete) == ("AUTH: LOGIN jast", "jast", None, True)
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1/SSLv3", cipher="AES256-SHA")
    assert classify_role(f, "", same_org_client=False) is Role.MSA
    # Older Courier writes "SSL:" for the TLS item.
    f = parse_received(
        "from neuron (xdsl-87-78-135-158.netcologne.de [::ffff:87.78.135.158]) (IDENT: unknown, AUTH: LOGIN jast, "
        "SSL: TLSv1/SSLv3,256bits,AES256-SHA) by cthulhu.zoidberg.org with esmtp; Sun, 25 May 2008 17:39:01 +0200 "
        "id 0015B434.48398815.00002532"
    )
    assert (f.auth, f.tls.cipher) == ("AUTH: LOGIN jast", "AES256-SHA")
    # The IDENT item alone names the client's user (RFC 1413); in the fast path's shape too
    # (Courier writes the id before the date since 2011).
    for stamp in (
        "from cnc.isely.net (cnc.isely.net [::ffff:192.168.23.2])\n  (IDENT: list)\n  by cnc.isely.net with ESMTP; "
        "Tue, 08 Oct 2019 22:59:44 -0500\n  id 00000000001426FA.000000005D9D5B30.00005C2D",
        "from cnc.isely.net (cnc.isely.net [192.168.23.2]) (IDENT: list) by cnc.isely.net with ESMTP id "
        "00000000001426FA.000000005D9D5B30.00005C2D; Tue, 08 Oct 2019 22:59:44 -0500",
        "from cnc.isely.net (cnc.isely.net [192.168.23.2]) (IDENT: list, TLS: TLSv1.2,256bits,AES256-SHA) by "
        "cnc.isely.net with ESMTPS id 1426FA; Tue, 08 Oct 2019 22:59:44 -0500",
    ):
        f = parse_received(stamp)
        assert (f.ident, f.auth, f.from_ip, f.complete) == ("list", None, "192.168.23.2", True), stamp
    # An ident that is no single word is left unread, as before.
    f = parse_received("from h (h.example.org [192.0.2.1]) (IDENT: two words) by mx.example.org with ESMTP id 1; "
                       "Tue, 08 Oct 2019 22:59:44 -0500")
    assert f.ident is None


def test_yahoo_qmail_login_with_its_mechanism() -> None:
    # Yahoo's qmail-based submission server (2003, quoted in SpamAssassin's Received.pm) writes
    # the login and its SASL mechanism where qmail writes "(ident@IP)". Before, the client's
    # address, its reverse-DNS name and the login were dropped, and the field said read whole.
    from headerscope.received import authenticated_login

    f = parse_received("from customer254-217.iplannetworks.net (HELO AGAMENON) \n (baldusi@200.69.254.217 with plain) "
                       "by smtp.mail.vip.sc5.yahoo.com with\n SMTP; 11 Mar 2003 21:03:28 -0000")
    assert (f.from_ip, f.from_rdns, f.from_helo, f.ident) == (
        "200.69.254.217", "customer254-217.iplannetworks.net", "AGAMENON", None)
    assert (f.auth, authenticated_login(f.auth), f.complete) == (
        "authenticated as baldusi with AUTH PLAIN", "baldusi", True)
    assert classify_role(f, "", same_org_client=False) is Role.MSA
    # A login that is an address keeps its "@"; the address is the part after the last one.
    f = parse_received("from h.example.net (HELO h) (bob@example.org@192.0.2.7 with CRAM-MD5) by smtp.example.com "
                       "with SMTP; 11 Mar 2003 21:03:28 -0000")
    assert (f.from_ip, authenticated_login(f.auth)) == ("192.0.2.7", "bob@example.org")


@pytest.mark.parametrize("comment", ["baldusi@200.69.254.217 via plain", "baldusi@200.69.254.217 with plain text",
                                     "client 2001:db8::1 port 25"])
def test_a_from_comment_with_an_address_that_is_not_read_leaves_the_field_partly_read(comment: str) -> None:
    # The client's address may be in it: the field must not say it was read whole.
    f = parse_received(f"from h.example.net (HELO h) ({comment}) by smtp.example.com with SMTP; "
                       "11 Mar 2003 21:03:28 -0000")
    assert (f.from_ip, f.complete) == (None, False)
    assert f.problems == (f"unrecognized comment with an address in 'from' clause: {comment}",)
    # Comments with no address, or whose address a marker names (the HELO), are notes: read whole.
    for note in ("No client certificate requested", "may be forged", "HELO [10.0.0.1]", "account u HELO [10.0.0.1]"):
        f = parse_received(f"from h.example.net (h.example.net [192.0.2.7]) ({note}) by smtp.example.com with SMTP; "
                           "11 Mar 2003 21:03:28 -0000")
        assert (f.from_ip, f.complete) == ("192.0.2.7", True), note


def test_forcepoint_not_verified_client_and_using_tls_colon() -> None:
    # Forcepoint/Websense gateways (seen on NVIDIA's relays in kernel list archives).
    f = parse_received(
        "from HKMAIL101.nvidia.example (Not Verified[10.18.92.100]) by nat-hk.nvidia.example (using TLS: "
        "TLSv1.2, AES256-SHA) id <B5f6ce9950000>; Fri, 25 Sep 2020 02:46:45 +0800"
    )
    assert (f.from_helo, f.from_ip, f.by) == ("HKMAIL101.nvidia.example", "10.18.92.100", "nat-hk.nvidia.example")
    assert f.tls == TlsInfo(encrypted=True, version="TLSv1.2", cipher="AES256-SHA")
    assert f.complete
    assert parse_received("from a.example (Verified[192.0.2.7]) by b.example with ESMTP; "
                          "Fri, 25 Sep 2020 02:46:45 +0800").from_ip == "192.0.2.7"


def test_oracle_beehive_slash_address() -> None:
    f = parse_received("from z2.cn.example (/10.182.71.205) by default (Oracle Beehive Gateway v4.0) with ESMTP ; "
                       "Mon, 30 Sep 2019 05:16:25 -0700")
    assert (f.from_helo, f.from_ip, f.protocol, f.complete) == ("z2.cn.example", "10.182.71.205", "ESMTP", True)


def test_sendmail_ident_prefix_and_exim_local_user() -> None:
    f = parse_received("from trna.example.com (IDENT:nobody@localhost [127.0.0.1]) by trna.example.com "
                       "(8.11.6/8.11.6) with ESMTP id g6HMlBR10235; Wed, 17 Jul 2002 18:47:11 -0400")
    assert (f.ident, f.from_rdns, f.from_ip) == ("nobody", "localhost", "127.0.0.1")
    # Exim's local submission: "from USER", the login of the submitting user, not a HELO.
    f = parse_received("from jgg by mlx with local (Exim 4.94) (envelope-from <jgg@example.com>) id 1kLWGP-000SFg-2t; "
                       "Fri, 25 Sep 2020 02:46:45 +0800")
    assert (f.ident, f.from_helo, f.protocol, f.envelope_from) == ("jgg", None, "local", "jgg@example.com")
    assert classify_role(f, "from jgg by mlx with local (Exim 4.94)", False) == Role.MUA
    # A dotted name there is a host (a relay re-injecting): kept as the HELO.
    assert parse_received("from mail.example.org by host.example.org with local (Exim 4.96) id 1a; "
                          "Fri, 25 Sep 2020 02:46:45 +0800").from_helo == "mail.example.org"


def test_qmail_ironport_rdns_then_helo_then_bracketed_address() -> None:
    # "from RDNS (HELO name) ([IP])": the first name is the reverse-DNS name the server looked up.
    f = parse_received("from 74-134-246-243.dhcp.example.net (HELO mail.lavos.example) ([74.134.246.243]) "
                       "by asav00.example.com with ESMTP; 12 Jan 2008 10:00:00 -0500")
    assert (f.from_rdns, f.from_helo, f.from_ip) == ("74-134-246-243.dhcp.example.net", "mail.lavos.example",
                                                     "74.134.246.243")


def test_a_date_with_am_pm_and_no_zone() -> None:
    from headerscope.received import parse_date_noted

    moment, notes = parse_date_noted("18 Feb 01 12:29:13 AM")
    assert moment == datetime(2001, 2, 18, 0, 29, 13, tzinfo=timezone.utc)
    assert notes == ["date has no time zone; read as UTC"]
    assert parse_date_noted("Sun, 18 Feb 2001 01:29:13 PM +0100")[0] == datetime(
        2001, 2, 18, 13, 29, 13, tzinfo=timezone(timedelta(hours=1)))
    assert parse_date_noted("Sun, 18 Feb 2001 00:29:13 +0000")[1] == []


def test_yahoo_pod_id_after_the_by_host() -> None:
    f = parse_received("by atlas-production.v2-mail-prod1-gq1.omega.yahoo.com pod-id "
                       "atlas--production-gq1-fb5f4cbd-6l2jz.gq1.yahoo.com with HTTP; Tue, 16 Dec 2025 10:17:41 +0000")
    assert (f.by, f.protocol, f.complete) == ("atlas-production.v2-mail-prod1-gq1.omega.yahoo.com", "HTTP", True)


def test_ironport_and_qmail_helo_address_literal_is_not_the_client_address() -> None:
    # Real IronPort line: the client (behind NAT) said HELO [192.168.1.222]; the address the
    # server saw is the next comment's.
    f = parse_received("from unknown (HELO [192.168.1.222]) ([118.208.187.186]) by icp-osb-irony-out7.iinet.net.au "
                       "with ESMTP; 03 Oct 2019 18:25:40 +0800")
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("[192.168.1.222]", None, "118.208.187.186")
    f = parse_received("from host.example.net (HELO [10.0.0.5]) ([118.208.187.186]) by esa.example.com with ESMTP; "
                       "03 Oct 2019 18:25:40 +0800")
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("[10.0.0.5]", "host.example.net", "118.208.187.186")
    # qmail's bare address.
    f = parse_received("from unknown (HELO [10.0.0.5]) (118.208.187.186) by mx.example.com with SMTP; "
                       "03 Oct 2019 18:25:40 +0800")
    assert (f.from_helo, f.from_ip) == ("[10.0.0.5]", "118.208.187.186")


def test_qmail_names_the_reverse_dns_host_before_a_bracketed_address() -> None:
    # qmail-ldap (real line): the name is TCPREMOTEHOST; a differing HELO would be "(HELO x)".
    f = parse_received("from avas5.coqui.net ([196.28.61.131]) (envelope-sender <sender@somehost.example.com>) by "
                       "mail1.coqui.net (qmail-ldap-1.03) with SMTP for <recipient@example.net>; 28 Aug 2006 16:38:01 -0400")
    assert (f.from_rdns, f.from_helo, f.from_ip, f.envelope_from) == (
        "avas5.coqui.net", "avas5.coqui.net", "196.28.61.131", "sender@somehost.example.com")
    # sendmail's "from HELO ([IP])" is a HELO whose address had no reverse-DNS name.
    f = parse_received("from mail.example.com ([1.2.3.4]) by mx.example.org (8.14.4/8.14.4) with ESMTP id abc; "
                       "Mon, 2 Nov 2026 10:00:00 +0000")
    assert (f.from_helo, f.from_rdns, f.from_ip) == ("mail.example.com", None, "1.2.3.4")


def test_qmail_tls_cipher_encrypted_smtp() -> None:
    # qmail's TLS patch, as Symantec's MessageLabs writes it (real line).
    f = parse_received("from unknown (HELO n03ukasimr01.n03.fujitsu.local) (62.60.8.97) by "
                       "server-3.tower-545.messagelabs.com with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP; "
                       "10 Jan 2022 06:25:16 -0000")
    assert f.tls == TlsInfo(encrypted=True, version=None, cipher="ECDHE-RSA-AES256-GCM-SHA384")
    assert (f.from_helo, f.from_ip) == ("n03ukasimr01.n03.fujitsu.local", "62.60.8.97")
    # The protocol is SMTP; the cipher is the TLS column's, not the "with" column's.
    assert f.protocol == "SMTP"


def test_exim_reinjection_names_the_submitting_login() -> None:
    # Exim's default Received text without a TCP client: "from IDENT" (real lines from gnu.org's
    # spam scanner and Xen's list server).
    f = parse_received("from Debian-exim by eggs.gnu.org with spam-scanned (Exim 4.71) "
                       "(envelope-from <laurent@vivier.eu>) id 1irgT0-0005Ur-G8; Tue, 14 Jan 2020 10:00:00 -0500")
    assert (f.ident, f.from_helo, f.protocol) == ("Debian-exim", None, "spam-scanned")
    f = parse_received("from list by lists.xenproject.org with outflank-mailman.860577.1272588 (Exim 4.92) "
                       "(envelope-from <xen-devel-bounces@lists.xenproject.org>) id 1q; Tue, 14 Jan 2020 10:00:00 -0500")
    assert (f.ident, f.from_helo) == ("list", None)


def test_list_manager_stamps_qmail_like_daemons_and_unverified_clients() -> None:
    # ECARTIS expanding a list (real stamp): no hand-over to name, so no missing "by".
    f = parse_received("with ECARTIS (v1.0.0; list linux-mips); Sat, 26 May 2018 12:28:01 +0200 (CEST)")
    assert (f.complete, f.problems, f.protocol) == (True, (), "ECARTIS")
    # wp.pl's qmail-derived daemon (real stamp).
    f = parse_received("(wp-smtpd 16293 invoked by uid 100); 19 Aug 2010 16:06:43 +0200")
    assert (f.complete, f.ident) == (True, "uid 100")
    # The same daemon naming its host before the process number (real stamp): that host wrote it.
    f = parse_received("(wp-smtpd smtp.tlen.pl 6210 invoked from network); 7 Jan 2022 14:15:00 +0100")
    assert (f.complete, f.problems, f.by) == (True, (), "smtp.tlen.pl")
    # Mail2World notes that no reverse-DNS name matched (real line).
    f = parse_received("from 212.112.174.166 unverified ([212.112.174.166]) by spsmtp02oc.mail2world.com with "
                       "Mail2World SMTP Server; Tue, 18 Jun 2019 10:00:00 -0700")
    assert (f.complete, f.problems, f.from_ip) == (True, (), "212.112.174.166")


def test_the_login_of_an_authenticated_submission_is_kept() -> None:
    from headerscope.received import authenticated_login

    # Postfix with smtpd_sasl_authenticated_header (a real PEC submission) and Courier (real shape).
    f = parse_received("from mailpro.sicurezzapostale.it (unknown [61.3.20.76]) (using TLSv1.3 with cipher "
                       "TLS_AES_256_GCM_SHA384 (256/256 bits)) (No client certificate requested) (Authenticated "
                       "sender: altea.l@namirialpec.it) by mailpro.sicurezzapostale.it (Postfix) with ESMTPSA id "
                       "4Y3Wq11qv1z1xqb; Thu, 5 Dec 2024 00:01:48 +0100 (CET)")
    assert f.auth == "ESMTPSA (Authenticated sender: altea.l@namirialpec.it)"
    assert (authenticated_login(f.auth), f.from_ip) == ("altea.l@namirialpec.it", "61.3.20.76")
    f = parse_received("from laptop (laptop [192.0.2.9]) (AUTH: LOGIN bob@example.org, TLS: TLSv1.3,256bits,"
                       "TLS_AES_256_GCM_SHA384) by mail.example.org with ESMTPSA; Mon, 2 Nov 2026 10:00:00 +0000")
    assert authenticated_login(f.auth) == "bob@example.org"
    # A protocol word alone says a login happened, not whose.
    f = parse_received("from [192.0.2.9] (helo=x) by smtp.example.org with esmtpsa (Exim 4.96) id 1; "
                       "Mon, 2 Nov 2026 10:00:00 +0000")
    assert (f.auth, authenticated_login(f.auth)) == ("esmtpsa", None)


def test_more_real_dialects_read_whole() -> None:
    # Real lines (public list archives and sisimai's corpus, 2011-2022).
    # Gmail's API: the client's project number, "named unknown" (no name known).
    f = parse_received("from 753933720722 named unknown by gmailapi.google.com with\n HTTPREST; "
                       "Mon, 25 Oct 2021 13:05:25 -0700")
    assert (f.complete, f.ident, f.from_helo, f.by, f.auth) == (
        True, "API client 753933720722", None, "gmailapi.google.com", "HTTPREST")
    # Active!Hunter writes the envelope sender with a space.
    f = parse_received("from mx1.example.org ([192.0.2.90]) \n    (envelope sender: <shironeko@example.co.jp>)\n"
                       "    by ah3.example.net with Active!Hunter esmtp server;\n    Thu, 29 Apr 2011 23:34:45 +0900")
    assert (f.envelope_from, f.from_ip) == ("shironeko@example.co.jp", "192.0.2.90")
    # Apache James: "via SSL", the session was encrypted.
    f = parse_received("from txslspamp2.vtext.example.com ([192.0.2.195])\n\tby gargamel.example.com ([192.0.2.146])\n"
                       "\twith ESMTP via SSL; 12 Jun 2013 02:22:13 -0000")
    assert (f.tls.encrypted, f.via, f.complete) == (True, "SSL", True)
    # Kerio Connect names the login.
    f = parse_received("from protopia.fink.org ([79.134.238.50])\n        (authenticated user list@fink.org)\n"
                       "        by mail.fink.org (Kerio Connect 9.2.12 patch 1) with ESMTPSA\n        (using TLSv1.2 "
                       "with cipher ECDHE-RSA-AES256-GCM-SHA384 (256 bits));\n        Mon, 8 Jun 2020 08:13:31 +0200")
    from headerscope.received import authenticated_login

    assert (authenticated_login(f.auth), f.tls.version) == ("list@fink.org", "TLSv1.2")
    # Exim with a custom received_header_text that adds the client's port.
    f = parse_received("from fe2.uni-freiburg.de ([132.230.2.222] helo=uni-freiburg.de) port\n 56666 by "
                       "smtp2.uni-freiburg.de with esmtp ( Exim )\n id 1ogNFj-0008Os-1X; Thu, 06 Oct 2022 11:33:15 +0200")
    assert (f.complete, f.from_ip, f.from_helo, f.from_rdns) == (True, "132.230.2.222", "uni-freiburg.de",
                                                               "fe2.uni-freiburg.de")


def test_netease_webmail_login_and_its_misplaced_bracket() -> None:
    # Real NetEase (Coremail/Hmail) webmail stamp, in several vivo.com messages: the login
    # where a HELO would be, the address's closing bracket after the comment.
    f = parse_received("from wangqing@vivo.com( [58.213.83.156) ] by ajax-webmail ( [127.0.0.1] ) ; "
                       "Thu, 12 Nov 2020 09:15:05 +0800 (GMT+08:00)")
    assert (f.from_ip, f.ident, f.from_helo, f.by) == ("58.213.83.156", "wangqing@vivo.com", None, "ajax-webmail")
    assert f.timestamp == "2020-11-12T09:15:05+08:00"


@pytest.mark.parametrize(("stamp", "login", "ip"), [
    # Real Coremail webmail stamps (verification V44a): 163.com 2025, 126.com 2020, a university
    # 2026 (its own "(GMT+08:00)" zone comment), a company 2026 from a private address.
    ("from luckd0g$163.com ( [183.205.138.3] ) by ajax-webmail-wmsvr-40-123 (Coremail) ; "
     "Tue, 29 Apr 2025 10:11:28 +0800 (CST)", "luckd0g$163.com", "183.205.138.3"),
    ("from zhixu001$126.com ( [209.8.147.252] ) by ajax-webmail-wmsvr46\n (Coremail) ; "
     "Wed, 15 Jul 2020 18:45:21 +0800 (CST)", "zhixu001$126.com", "209.8.147.252"),
    ("from l1zao$zju.edu.cn ( [10.162.196.130] ) by\n ajax-webmail-mail-app4 (Coremail) ; "
     "Fri, 10 Apr 2026 16:24:14 +0800\n (GMT+08:00)", "l1zao$zju.edu.cn", "10.162.196.130"),
    ("from zhangsenchuan$eswincomputing.com ( [10.12.96.83] ) by\n ajax-webmail-app2 (Coremail) ; "
     "Fri, 9 Jan 2026 19:22:02 +0800 (GMT+08:00)", "zhangsenchuan$eswincomputing.com", "10.12.96.83"),
])
def test_coremail_webmail_login_with_a_dollar_is_the_login_not_a_helo(stamp: str, login: str, ip: str) -> None:
    # Coremail writes the webmail account with "$" for "@": the login (as the "@" form of the
    # same webmail is read), not the HELO that HTTP does not have.
    f = parse_received(stamp)
    assert (f.from_helo, f.ident, f.from_ip, f.from_rdns) == (None, login, ip, None)
    assert f.complete and f.problems == ()


def test_a_dollar_in_the_first_word_elsewhere_stays_the_helo() -> None:
    # Only Coremail's stamp is read so: any other server's first word is the HELO as written.
    f = parse_received("from luckd0g$163.com ( [183.205.138.3] ) by mx.example.org (Postfix) ; "
                       "Tue, 29 Apr 2025 10:11:28 +0800 (CST)")
    assert (f.from_helo, f.ident, f.from_ip) == ("luckd0g$163.com", None, "183.205.138.3")
    # Coremail's SMTP receiver writes the client's HELO first, a reverse-DNS slot and "with SMTP":
    # a sender's HELO with a "$" there is its HELO, not a login (real shape: "from qq.com
    # (unknown [113.96.223.68]) by mx40 (Coremail) with SMTP id ...").
    for comment in ("unknown [198.51.100.7]", "mail.example.net [198.51.100.7]"):
        f = parse_received(f"from alice$victim.example ({comment}) by mx40 (Coremail) with SMTP id "
                           "WsCowAAH4Dv0.17594S3; Tue, 29 Apr 2025 10:11:28 +0800 (CST)")
        assert (f.from_helo, f.ident, f.from_ip) == ("alice$victim.example", None, "198.51.100.7"), comment
    f = parse_received("from alice$victim.example ( [198.51.100.7] ) by mx40 (Coremail) with SMTP id "
                       "WsCowAAH4Dv0.17594S3; Tue, 29 Apr 2025 10:11:28 +0800 (CST)")
    assert (f.from_helo, f.ident) == ("alice$victim.example", None)
    # In a Coremail stamp, a "$" word with no domain after the "$" is no login either.
    f = parse_received("from host$x ( [183.205.138.3] ) by ajax-webmail-wmsvr46 (Coremail) ; "
                       "Tue, 29 Apr 2025 10:11:28 +0800 (CST)")
    assert (f.from_helo, f.ident) == ("host$x", None)


def test_a_by_clause_of_punctuation_names_no_host() -> None:
    # A blog's paste whose <host names> the page swallowed: "from ( by ( with ...". RFC 5321
    # section 4.4 makes "by" a domain or an address literal; "(" is neither.
    fields = parse_received("from ( by ( with Microsoft SMTP Server (TLS) id 15.0.913.22 via Mailbox Transport;"
                            " Fri, 8 Jan 2016 09:51:28 +0000")
    assert fields.by is None and not fields.complete
    assert "'by' clause names no host: (" in fields.problems
    assert fields.protocol == "Microsoft SMTP Server" and fields.timestamp == "2016-01-08T09:51:28+00:00"

def test_qq_mails_protocol_in_a_comment_after_its_host() -> None:
    # Tencent's bizesmtp (real, 2026) leaves "with" and "id" empty and writes the protocol as a
    # comment after its host: the hop's protocol was unknown.
    fields = parse_received("from [127.0.0.1] ( [116.234.26.110]) by bizesmtp.qq.com (ESMTP) with \r\n id ; "
                            "Mon, 08 Jun 2026 12:16:03 +0800 (CST)")
    assert (fields.protocol, fields.by, fields.from_ip) == ("ESMTP", "bizesmtp.qq.com", "116.234.26.110")
    # A "with" clause keeps its word; other comments are no protocol.
    assert parse_received("from a (a [192.0.2.1]) by b (ESMTP) with LMTP id 1; Mon, 08 Jun 2026 12:16:03 +0800"
                          ).protocol == "LMTP"
    assert parse_received("from a (a [192.0.2.1]) by b (Postfix) id 1; Mon, 08 Jun 2026 12:16:03 +0800").protocol is None


def test_qmail_scanner_before_1_2_writes_the_envelope_sender_and_its_uid() -> None:
    # qmail-scanner 1.0x/1.1x: "from RETURN-PATH by HOST by uid N with qmail-scanner-VERSION (...)":
    # the from clause is the envelope sender (no client), "by uid N" the scanner's account.
    f = parse_received("from user@example.net by mx.example.org\n\t by uid 111 with qmail-scanner-1.10 "
                       "(clamscan: 0.54. Clear:RC:0(192.0.2.9):. Processed in 0.5 secs); "
                       "16 Dec 2002 23:08:43 +0900")
    assert (f.envelope_from, f.ident, f.by, f.protocol) == ("user@example.net", "uid 111", "mx.example.org",
                                                          "qmail-scanner-1.10")
    assert (f.from_helo, f.from_ip, f.complete, f.problems) == (None, None, True, ())
    # Without the uid clause (0.9x), the same reading of the address.
    f = parse_received("from someone@example.com by mother with qmail-scanner-0.96 (uvscan: v4.0.70/v4074. . Clean. "
                       "Processed in 1.0 secs); 27 Jun 2001 14:04:01 -0700")
    assert (f.envelope_from, f.ident, f.complete) == ("someone@example.com", None, True)
    # 1.2x names the client there and the sender in a comment: unchanged.
    f = parse_received("from 192.0.2.2 by mx.example.org (envelope-from <a@example.org>, uid 201) with "
                       "qmail-scanner-1.25st (clamdscan: 0.90. Clear:RC:1(192.0.2.2):. Processed in 0.03 secs); "
                       "02 May 2007 17:10:37 -0000")
    assert (f.from_ip, f.envelope_from) == ("192.0.2.2", "a@example.org")
    # Another stamp's second "by" host is still a problem read out.
    assert "repeated 'by' clause: b.example" in parse_received(
        "from a.example by mx.example by b.example with SMTP; 27 Jun 2001 14:04:01 -0700").problems


@pytest.mark.parametrize("comment", ["[TEMPUNAVAIL]. [34.87.251.30]", "[UNAVAILABLE] [34.87.251.30]"])
def test_a_reverse_dns_status_before_the_address_literal_keeps_the_address(comment: str) -> None:
    # MailChannels' front end: the reverse-DNS slot holds the lookup's status word, then the
    # connection's address, the one host that really sent the message.
    fields = parse_received(f"from pod-171985 ({comment}) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) "
                            "by 100.96.96.16 (trex/6.7.1); Mon, 02 Oct 2023 03:46:41 +0000")
    assert (fields.from_helo, fields.from_rdns, fields.from_ip) == ("pod-171985", None, "34.87.251.30")
    assert fields.problems == ()


def test_exclaimer_prefixed_tls_keys() -> None:
    # Exclaimer Signature Manager's cloud proxy writes "tlsversion=" and "tlscipher=" (review AP, defect 8).
    f = parse_received(
        "from EUR03-AM5-obe.outbound.protection.outlook.com (104.47.8.52) by eu1.smtp.exclaimer.net "
        "(104.40.229.156) with Exclaimer Signature Manager ESMTP Proxy eu1.smtp.exclaimer.net "
        "(tlsversion=TLS12, tlscipher=TLS_ECDHE_WITH_AES256_SHA384); Tue, 19 Jan 2021 14:06:52 +0000"
    )
    assert f.tls == TlsInfo(encrypted=True, version="TLS12", cipher="TLS_ECDHE_WITH_AES256_SHA384")


@pytest.mark.parametrize("greeting", ["evil (victim@198.51.100.7 with plain)", "evil (IDENT: ceo, AUTH: LOGIN ceo)",
                                      "evil (AUTH: LOGIN ceo)", "evil (authenticated as ceo)"])
def test_a_login_written_in_the_clients_greeting_is_not_read(greeting: str) -> None:
    # Verification V32: Postfix writes a multi-word HELO as it came, before its own "(rdns [IP])"
    # comment. A sender greeting with a qmail- or Courier-style login made its hop a submission
    # (role MSA), so its spoof read "a sent copy" with SPF and DMARC not applicable.
    f = parse_received(f"from {greeting} (unknown [203.0.113.66]) by mx.contoso.example (Postfix) with ESMTP "
                       "id 4AbC1; Mon, 11 Apr 2022 22:36:03 +0000")
    assert (f.auth, f.ident, f.from_ip) == (None, None, "203.0.113.66"), f
    assert classify_role(f, "", same_org_client=False) is Role.MTA
    # The same items where the receiver writes them, after its "(rdns [IP])" comment, are read.
    f = parse_received("from perceptron (xdsl-87-78-94-105.netcologne.de [::ffff:87.78.94.105]) "
                       "(IDENT: unknown, AUTH: LOGIN jast) by cthulhu.zoidberg.org with esmtp; Sun, 09 Nov 2008 23:00:17 +0100")
    assert f.auth == "AUTH: LOGIN jast"


@pytest.mark.parametrize("stamp", [
    "from alice@victim.example (unknown [198.51.100.7]) by mx.example.org (Postfix) with ESMTP id 4ZxQk2; "
    "Tue, 29 Apr 2025 10:11:28 +0800",
    "from alice@victim.example ([198.51.100.7]) by mx.example.org with ESMTP id 1ogNFj-0008Os-1X; "
    "Tue, 29 Apr 2025 10:11:28 +0800",
])
def test_an_address_given_as_helo_at_an_mta_stays_the_helo_not_a_login(stamp: str) -> None:
    # The client's own greeting, written as an address: an MTA's stamp with "with" (and Postfix's
    # "unknown" reverse-DNS slot) is not NetEase's webmail, so no login is read into it.
    f = parse_received(stamp)
    assert (f.from_helo, f.ident, f.from_ip) == ("alice@victim.example", None, "198.51.100.7")


def test_a_client_address_written_bare_after_its_name_is_read() -> None:
    # Rediffmail's webmail writes the browser's address with no brackets (V46c D2): it was lost,
    # and the field read as partly understood.
    f = parse_received("from unknown 198.51.100.223 by rediffmail.com via HTTP; 27 Feb 2008 11:12:06 -0000")
    assert (f.from_ip, f.via, f.complete, f.problems) == ("198.51.100.223", "HTTP", True, ())
    # Only straight after the name: a bare address after other text is still unread text.
    f = parse_received("from mail.example.com (mail.example.com [203.0.113.7]) 203.0.113.5 by mx.example.net; "
                       "Mon, 05 Oct 2020 10:00:00 -0000")
    assert f.from_ip == "203.0.113.7" and not f.complete


@pytest.mark.parametrize(("stamp", "login"), [
    # Runbox's submission host (V46c D3, real shapes 2020 and later): the account id in brackets
    # after the protocol word, with two spaces around it as Runbox writes them.
    ("by submission03.runbox with esmtpsa  [Authenticated alias (536975)]  (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)"
     "\n        (Exim 4.90_1)\n        id 1kJdIJ-0000zW-PL; Sat, 19 Sep 2020 15:52:51 +0200", "536975"),
    ("by submission04.runbox with esmtpsa  [Authenticated ID (604044)]  (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)"
     "\n        (Exim 4.93) id 1q0abc-0001aB-Cd; Mon, 3 Jul 2023 09:12:40 +0200", "604044"),
])
def test_runbox_bracketed_login_is_the_authenticated_account(stamp: str, login: str) -> None:
    from headerscope.received import authenticated_login

    f = parse_received(stamp)
    assert (f.complete, f.problems) == (True, ())
    assert (f.protocol, f.auth) == ("esmtpsa", f"esmtpsa (authenticated as {login})")
    assert authenticated_login(f.auth) == login
    assert (f.tls.version, f.tls.cipher) == ("TLS1.2", "ECDHE_RSA_AES_256_GCM_SHA384")


@pytest.mark.parametrize("protocol", ["utf8esmtpsa", "utf8esmtpa"])
def test_runbox_bracketed_login_after_exims_smtputf8_protocol_word(protocol: str) -> None:
    # Exim writes "utf8" before its word when the client asked for SMTPUTF8 (RFC 6531 section
    # 3.7.3's UTF8SMTPA / UTF8SMTPSA): the login is read as after "esmtpsa" (V50a D3-1).
    from headerscope.received import authenticated_login

    f = parse_received(f"by submission03.runbox with {protocol} [Authenticated ID (1057822)] "
                       "(TLS1.2:ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM:256) (Exim 4.95) "
                       "id 1waDDm-004UAW-Uz; Thu, 18 Jun 2026 15:55:55 +0200")
    assert (f.complete, f.problems) == (True, ())
    assert (f.protocol, f.auth) == (protocol, f"{protocol} (authenticated as 1057822)")
    assert authenticated_login(f.auth) == "1057822"


def test_a_bracket_holding_a_parenthesis_is_one_token_not_strays() -> None:
    # Other bracketed text with a parenthesis stays unread text of its clause, not a login, and
    # a bracket left open still reads as a stray character.
    f = parse_received("by mx.example with esmtps [Authenticated (536975)] id 1; Sat, 19 Sep 2020 15:52:51 +0200")
    assert f.auth is None
    f = parse_received("by mx.example with esmtpsa [Authenticated alias (536975) id 1; Sat, 19 Sep 2020 15:52:51 +0200")
    assert f.auth == "esmtpsa" and any("stray" in p for p in f.problems)


def test_an_envelope_from_comment_is_never_read_as_a_login() -> None:
    # Exim's submission stamp records no login, only "esmtpsa" and the MAIL FROM the client chose:
    # "<authenticated_id:president@uni.example;...>" there had read as the login "president@...", and
    # a customer's forged From: as that address as "sent by a customer ... after a login" (V48b D1-1).
    fields = parse_received(
        "from dslb.pools.example.net ([198.51.100.84] helo=[192.168.1.5]) by mail.uni.example with esmtpsa "
        "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <authenticated_id:president@uni.example;"
        "x@uni.example>) id 1vA2bC-000123-4x; Tue, 30 Dec 2025 17:17:30 +0100")
    assert fields.envelope_from == "authenticated_id:president@uni.example;x@uni.example"
    assert authenticated_login(fields.auth) is None and fields.auth == "esmtpsa"


def test_a_bare_address_is_read_only_in_the_webmail_shape() -> None:
    # A server that writes the greeting alone would write "EHLO mx3.slc.paypal.com 173.0.84.226" as
    # it came: the address is the sender's choice, never the client's (verification V49c).
    f = parse_received("from mx3.slc.paypal.com 173.0.84.226 by mx.example.net with ESMTP; Mon, 05 Oct 2020 10:00:00 -0000")
    assert f.from_ip is None and not f.complete


def test_a_mail_from_breaking_out_of_exims_envelope_from_comment_is_not_the_receivers_text() -> None:
    # A quoted local part may hold ")" and "(": Exim quotes the MAIL FROM in "(envelope-from <...>)",
    # and the text after the break read as a second "by" with a record (the forger's address as the
    # client) or a second "with esmtpsa [Authenticated alias (...)]" (a login) (verification V49a).
    head = ("from host.forger.example ([45.67.89.10]:51234 helo=mx.bank.example) by mx.example.net with esmtps "
            "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) ")
    tail = " id 1tA2bC-000123-4x for victim@example.net; Tue, 05 Nov 2024 16:12:34 +0000"
    record = parse_received(head + '(envelope-from <"x)(mx.bank.example [198.51.100.20]) by mx.example.net with '
                            'esmtp (x"@bank.example>)' + tail)
    assert (record.from_ip, record.by) == ("45.67.89.10", "mx.example.net")
    login = parse_received(head + '(envelope-from <"x) with esmtpsa [Authenticated alias (president)] '
                           '(x"@example.net>)' + tail)
    assert login.from_ip == "45.67.89.10" and authenticated_login(login.auth) is None


def test_a_postfix_greeting_copying_exims_slot_and_a_breakout_after_envelope_from_change_nothing() -> None:
    # V50a D1-1: "EHLO x ([198.51.100.20]:25 helo=mx.bank.example) id 1", written verbatim by Postfix,
    # pushed Postfix's own record into an "id" clause and switched off the greeting join: the
    # bank's address read as the client. D1-3: a MAIL FROM breaking out of Exim's envelope-from
    # comment into "(authenticated as president)" read as a login.
    fake_slot = parse_received(
        "from x ([198.51.100.20]:25 helo=mx.bank.example) id 1 (unknown [45.67.89.10]) by mx.example.net (Postfix) "
        "with ESMTPS id 4XjK2m1Qz9z1234 for <victim@example.net>; Tue, 05 Nov 2024 16:12:34 +0000")
    assert (fake_slot.from_ip, fake_slot.by) == ("45.67.89.10", "mx.example.net")
    breakout = parse_received(
        "from host.forger.example ([45.67.89.10]:51234 helo=mx.bank.example) by mx.example.net with esmtps (TLS1.3) "
        'tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <"x) (authenticated as president) (x"@example.net>) '
        "id 1tA2bC-000123-4x for victim@example.net; Tue, 05 Nov 2024 16:12:34 +0000")
    assert breakout.from_ip == "45.67.89.10" and authenticated_login(breakout.auth) is None
