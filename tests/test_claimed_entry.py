"""Where the earlier servers' own records say the message came in (review AR 9): the earliest hop
below the trust boundary with a public client, said as their claim in every report."""

from __future__ import annotations

import headerscope
from headerscope.render import get_renderer

# A hosting account's script, its server, a list, and the reader's own mail server (earliest last).
RAW = (b"Received: from smtp.subspace.example.org (smtp.subspace.example.org [172.234.253.10]) by mail.reader.example "
       b"with ESMTPS id A1; Fri, 6 Feb 2026 22:41:00 +0000\r\n"
       b"Received: from vps.hosting.example (vps.hosting.example [67.227.154.145]) by smtp.subspace.example.org "
       b"with ESMTPS id B2; Fri, 6 Feb 2026 07:28:07 +0000\r\n"
       b"Received: from libc50 by vps.hosting.example with local (Exim 4.96.2) id C3; "
       b"Thu, 5 Feb 2026 10:53:37 -0500\r\n"
       b"From: support@hosting.example\r\nTo: list@subspace.example.org\r\nSubject: s\r\n"
       b"Date: Thu, 5 Feb 2026 10:53:36 -0500\r\n\r\nbody\r\n")


def test_the_earliest_public_client_below_the_boundary_is_named_as_a_claim() -> None:
    report = headerscope.analyze(RAW, offline=True)
    assert report.boundary_hop == 3
    entry = report.claimed_entry()
    assert entry is not None and entry.number == 2
    words = ("by their own record it came in at hop 2, where smtp.subspace.example.org took it from 67.227.154.145 "
             "(vps.hosting.example) on 2026-02-06 07:28:07 UTC")
    assert report.claimed_entry_words() == words
    terminal = " ".join(get_renderer("terminal").render(report).split())
    assert "are claims of earlier servers, not evidence: " + words + "." in terminal
    assert words in get_renderer("markdown").render(report)
    assert "Read as they say, it came in at hop 2, where smtp.subspace.example.org took it from 67.227.154.145" \
        in get_renderer("html").render(report)


def test_no_entry_line_when_the_boundary_is_the_first_public_client() -> None:
    # Only the local hand-over lies below the boundary: nothing to add.
    direct = RAW.split(b"\r\n", 1)[1]
    report = headerscope.analyze(direct, offline=True)
    assert report.boundary_hop == 2 and report.claimed_entry() is None
    assert "came in at hop" not in get_renderer("terminal").render(report)


def test_a_hand_over_inside_one_organisation_is_not_where_it_came_in() -> None:
    # The hosting company's own relay passed it between two of its hosts (public addresses both),
    # after a submission from its private network: it came in from outside where the list's
    # server took it from the hosting company, not at the company's internal hand-over.
    relayed = RAW.replace(
        b"Received: from libc50 by vps.hosting.example with local (Exim 4.96.2) id C3; ",
        b"Received: from relay2.hosting.example (relay2.hosting.example [67.227.154.9]) by vps.hosting.example with "
        b"ESMTP id D4; Thu, 5 Feb 2026 10:53:37 -0500\r\n"
        b"Received: from [10.0.0.7] (helo=desktop) by relay2.hosting.example with esmtpa id C3; ")
    report = headerscope.analyze(relayed, offline=True)
    entry = report.claimed_entry()
    assert entry is not None and entry.fields.from_ip == "67.227.154.145"


def test_a_submission_is_said_as_one() -> None:
    # samples/direct.eml: Alice submitted from her cable line to her provider's submission server.
    from conftest import SAMPLES

    report = headerscope.analyze((SAMPLES / "direct.eml").read_bytes(), offline=True)
    assert report.claimed_entry_words() == (
        "by their own record it was submitted at hop 1, where submit.example.com took it from 198.51.100.23 "
        "(dyn-23.cable.example.org) on 2026-11-26 17:12:42 UTC")


def test_the_entry_line_says_a_missing_zone_a_gap_and_skips_no_sender_addresses() -> None:
    # Verification V18 P4.
    zoneless = RAW.replace(b"Fri, 6 Feb 2026 07:28:07 +0000", b"Fri, 6 Feb 2026 07:28:07")
    words = headerscope.analyze(zoneless, offline=True).claimed_entry_words() or ""
    assert "on 2026-02-06 07:28:07 (no time zone given)" in words and "UTC" not in words
    for nowhere in (b"255.255.255.255", b"224.0.0.1", b"0.0.0.0"):
        report = headerscope.analyze(RAW.replace(b"67.227.154.145", nowhere), offline=True)
        assert report.claimed_entry() is None, nowhere
    # The stamps below the boundary do not connect to its client: said with the address.
    gap = RAW.replace(b"Received: from smtp.subspace.example.org (smtp.subspace.example.org [172.234.253.10])",
                      b"Received: from mail.attacker.example (mail.attacker.example [185.220.101.4])")
    words = headerscope.analyze(gap, offline=True).claimed_entry_words() or ""
    assert "came in at hop 2" in words and "but the hops do not connect between it and the boundary (hop 3)" in words


def test_a_courier_login_after_its_ident_item_is_said_as_a_submission() -> None:
    # The real chain of a git list message as gmane kept it (2008; verification V30a): Courier
    # wrote "(IDENT: unknown, AUTH: LOGIN jast, TLS: ...)", the login after the ident item. Before,
    # the login was lost and hop 1 read as a relay.
    raw = (b"Received: from vger.kernel.org ([209.132.176.167])\r\n\tby lo.gmane.org with esmtp (Exim 4.50)\r\n"
           b"\tid 1KzILi-0001YY-3G\r\n\tfor gcvg-git-2@gmane.org; Sun, 09 Nov 2008 23:01:38 +0100\r\n"
           b"Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand\r\n"
           b"\tid S1756255AbYKIWAV convert rfc822-to-quoted-printable (ORCPT\r\n"
           b"\t<rfc822;gcvg-git-2@m.gmane.org>); Sun, 9 Nov 2008 17:00:21 -0500\r\n"
           b"Received: (majordomo@vger.kernel.org) by vger.kernel.org id S1756186AbYKIWAU\r\n"
           b"\t(ORCPT <rfc822;git-outgoing>); Sun, 9 Nov 2008 17:00:20 -0500\r\n"
           b"Received: from zoidberg.org ([213.133.99.5]:60928 \"EHLO cthulhu.zoidberg.org\"\r\n"
           b"\trhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP\r\n"
           b"\tid S1755932AbYKIWAT convert rfc822-to-8bit (ORCPT\r\n"
           b"\t<rfc822;git@vger.kernel.org>); Sun, 9 Nov 2008 17:00:19 -0500\r\n"
           b"Received: from perceptron (xdsl-87-78-94-105.netcologne.de [::ffff:87.78.94.105])\r\n"
           b"  (IDENT: unknown, AUTH: LOGIN jast, TLS: TLSv1/SSLv3,256bits,AES256-SHA)\r\n"
           b"  by cthulhu.zoidberg.org with esmtp; Sun, 09 Nov 2008 23:00:17 +0100\r\n"
           b"  id 0015AFFF.49175D71.00006598\r\n"
           b"From: jk@jk.gs\r\nTo: git@vger.kernel.org\r\nSubject: s\r\n"
           b"Date: Sun, 9 Nov 2008 23:00:12 +0100\r\n\r\nbody\r\n")
    report = headerscope.analyze(raw, offline=True)
    first = report.hops[0]
    assert (first.role.value, first.fields.auth) == ("MSA", "AUTH: LOGIN jast")
    assert (report.claimed_entry_words() or "").startswith(
        "by their own record it was submitted at hop 1, where cthulhu.zoidberg.org took it from 87.78.94.105 "
        "(xdsl-87-78-94-105.netcologne.de)")


# Verification V44a D2: real chains (linux-sctp 2020, Kerio; netfilter-devel 2019, Exim) where the
# author's device, roaming on a public address the receiver recorded no reverse-DNS name for,
# logged in to its organisation's server with a HELO inside that organisation's domain.
KERIO = (b"Received: from vger.kernel.org (vger.kernel.org [23.128.96.18])\r\n"
         b"\tby mail.lfdr.de (Postfix) with ESMTP id 7E684283C9F\r\n"
         b"\tfor <lists+linux-sctp@lfdr.de>; Mon,  5 Oct 2020 18:39:26 +0200 (CEST)\r\n"
         b"Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand\r\n"
         b"        id S1726747AbgJEQjZ convert rfc822-to-8bit (ORCPT\r\n"
         b"        <rfc822;lists+linux-sctp@lfdr.de>); Mon, 5 Oct 2020 12:39:25 -0400\r\n"
         b"Received: from mail.fink.org ([79.134.252.20]:38278 \"EHLO mail.fink.org\"\r\n"
         b"        rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP\r\n"
         b"        id S1726615AbgJEQjZ (ORCPT <rfc822;linux-sctp@vger.kernel.org>);\r\n"
         b"        Mon, 5 Oct 2020 12:39:25 -0400\r\n"
         b"Received: from protopia.fink.org ([79.134.238.50])\r\n"
         b"        (authenticated user list@fink.org)\r\n"
         b"        by mail.fink.org (Kerio Connect 9.2.12 patch 1) with ESMTPSA\r\n"
         b"        (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256 bits))\r\n"
         b"        for linux-sctp@vger.kernel.org;\r\n"
         b"        Mon, 5 Oct 2020 18:39:23 +0200\r\n"
         b"From:   Andreas Fink <afink@list.fink.org>\r\nSubject: Heartbeat on closed SCTP sockets?\r\n"
         b"Date:   Mon, 5 Oct 2020 18:39:22 +0200\r\nTo:     linux-sctp@vger.kernel.org\r\n\r\nHello all,\r\n")
EXIM = (b"Received: from vger.kernel.org (vger.kernel.org [209.132.180.67])\r\n"
        b"\tby mail.lfdr.de (Postfix) with ESMTP id 70E1D9BEDE\r\n"
        b"\tfor <lists+netfilter-devel@lfdr.de>; Sat, 24 Aug 2019 18:40:56 +0200 (CEST)\r\n"
        b"Received: (majordomo@vger.kernel.org) by vger.kernel.org via listexpand\r\n"
        b"        id S1727353AbfHXQkv (ORCPT <rfc822;lists+netfilter-devel@lfdr.de>);\r\n"
        b"        Sat, 24 Aug 2019 12:40:51 -0400\r\n"
        b"Received: from ganesha.gnumonks.org ([213.95.27.120]:50471 \"EHLO\r\n"
        b"        ganesha.gnumonks.org\" rhost-flags-OK-OK-OK-OK) by vger.kernel.org\r\n"
        b"        with ESMTP id S1727146AbfHXQkv (ORCPT\r\n"
        b"        <rfc822;netfilter-devel@vger.kernel.org>);\r\n"
        b"        Sat, 24 Aug 2019 12:40:51 -0400\r\n"
        b"Received: from [47.60.33.188] (helo=gnumonks.org)\r\n"
        b"        by ganesha.gnumonks.org with esmtpsa (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)\r\n"
        b"        (Exim 4.89)\r\n"
        b"        (envelope-from <pablo@gnumonks.org>)\r\n"
        b"        id 1i1Z5o-0001Dm-6j; Sat, 24 Aug 2019 18:40:50 +0200\r\n"
        b"Date:   Sat, 24 Aug 2019 18:40:42 +0200\r\nFrom:   Pablo Neira Ayuso <pablo@netfilter.org>\r\n"
        b"To:     Phil Sutter <phil@nwl.cc>\r\nSubject: Re: [iptables PATCH 02/14] nft\r\n\r\nbody\r\n")


def test_a_submission_whose_helo_names_the_receivers_organisation_is_where_it_came_in() -> None:
    # The HELO is the client's own unchecked text: it does not make the authenticated submission
    # from a public address an internal hand-over (before, the line named hop 2, the company's
    # server handing it to the list, and the author's address was lost).
    for raw, words in (
        (KERIO, "by their own record it was submitted at hop 1, where mail.fink.org took it from 79.134.238.50 "
                "(protopia.fink.org) on 2020-10-05 16:39:23 UTC"),
        (EXIM, "by their own record it was submitted at hop 1, where ganesha.gnumonks.org took it from 47.60.33.188 "
               "(gnumonks.org) on 2019-08-24 16:40:50 UTC"),
    ):
        report = headerscope.analyze(raw, offline=True)
        assert report.hops[0].role.value == "MSA" and report.hops[0].fields.from_rdns is None
        assert report.claimed_entry_words() == words
    # The same with a HELO elsewhere, as before.
    elsewhere = headerscope.analyze(KERIO.replace(b"from protopia.fink.org", b"from protopia.example.net"),
                                    offline=True)
    assert (elsewhere.claimed_entry_words() or "").startswith(
        "by their own record it was submitted at hop 1, where mail.fink.org took it from 79.134.238.50")


def test_the_skip_still_passes_an_organisations_own_hosts() -> None:
    # A reverse-DNS name the receiver looked up in its own organisation (webmail on the server
    # itself: disco-boy.misterjones.org, 2020) and an unauthenticated relay whose HELO is in the
    # organisation are still hand-overs inside it: the entry is where the list took it from them.
    own_host = EXIM.replace(b"from [47.60.33.188] (helo=gnumonks.org)",
                            b"from ganesha.gnumonks.org ([213.95.27.120] helo=www.gnumonks.org)")
    relay = EXIM.replace(b"with esmtpsa (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)",
                         b"with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)")
    for raw in (own_host, relay):
        report = headerscope.analyze(raw, offline=True)
        entry = report.claimed_entry()
        assert entry is not None and entry.number == 2 and entry.fields.from_ip == "213.95.27.120"


# A Sendmail submission at MIT (verification V44f D3, real shape: linux-mtd, 2019, and
# outgoing.mit.edu 2020-2025): "(authenticated bits=0)" first, the login in the next comment, and
# the client's reverse-DNS name marked "(may be forged)".
MIT_SENDMAIL = (
    b"Received: from bombadil.infradead.org (bombadil.infradead.org [IPv6:2607:7c80:54:e::133])\r\n"
    b"\tby mail.lfdr.de (Postfix) with ESMTPS id B736678145\r\n"
    b"\tfor <lists+linux-mtd@lfdr.de>; Sun, 28 Jul 2019 21:40:13 +0200 (CEST)\r\n"
    b"Received: from outgoing-auth-1.mit.edu ([18.9.28.11] helo=outgoing.mit.edu)\r\n"
    b" by bombadil.infradead.org with esmtps (Exim 4.92 #3 (Red Hat Linux))\r\n"
    b" id 1hrp1Q-0005gq-5T\r\n"
    b" for linux-mtd@lists.infradead.org; Sun, 28 Jul 2019 19:39:57 +0000\r\n"
    b"Received: from callcc.thunk.org (96-72-102-169-static.hfc.comcastbusiness.net\r\n"
    b" [96.72.102.169] (may be forged)) (authenticated bits=0)\r\n"
    b" (User authenticated as tytso@ATHENA.MIT.EDU)\r\n"
    b" by outgoing.mit.edu (8.14.7/8.12.4) with ESMTP id x6SJdo7V012074\r\n"
    b" (version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT);\r\n"
    b" Sun, 28 Jul 2019 15:39:52 -0400\r\n"
    b"Received: by callcc.thunk.org (Postfix, from userid 15806)\r\n"
    b" id C00FF4202F5; Sun, 28 Jul 2019 15:39:49 -0400 (EDT)\r\n"
    b"Date: Sun, 28 Jul 2019 15:39:49 -0400\r\n"
    b"From: \"Theodore Y. Ts'o\" <tytso@mit.edu>\r\n"
    b"To: Eric Biggers <ebiggers@kernel.org>\r\n"
    b"Subject: Re: [PATCH v7 09/16] fscrypt: add an HKDF-SHA512 implementation\r\n"
    b"Message-ID: <20190728193949.GI6088@mit.edu>\r\n"
    b"\r\nReviewed-by: Theodore Ts'o <tytso@mit.edu>\r\n"
)


def test_a_name_the_receiver_marked_may_be_forged_is_not_the_clients_name() -> None:
    # Sendmail wrote the PTR name but marked it "(may be forged)": it names whoever controls the
    # address's reverse zone. The line gives the client's greeting instead, as with no name.
    report = headerscope.analyze(MIT_SENDMAIL, offline=True)
    assert report.hops[1].fields.from_rdns == "96-72-102-169-static.hfc.comcastbusiness.net"
    assert report.claimed_entry_words() == (
        "by their own record it was submitted at hop 2, where outgoing.mit.edu took it from 96.72.102.169 "
        "(callcc.thunk.org) on 2019-07-28 19:39:52 UTC")
    # Unmarked, the name is given as before.
    unmarked = headerscope.analyze(MIT_SENDMAIL.replace(b" (may be forged))", b")"), offline=True)
    assert (unmarked.claimed_entry_words() or "").endswith(
        "took it from 96.72.102.169 (96-72-102-169-static.hfc.comcastbusiness.net) on 2019-07-28 19:39:52 UTC")
