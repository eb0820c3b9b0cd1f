"""Mail sent by programs: what made it (origin.program), Gmail's From: rewrite
(origin.from_rewritten), a provider's default DKIM key (dkim.provider_default_key) and a
server's own account as envelope sender (dmarc.host_envelope_sender). The messages are built
here in the fields' real formats (PHP's, cPanel's, cron's, Gmail's, Microsoft 365's)."""

from __future__ import annotations

import headerscope
from headerscope.model import Finding, Report, Severity


def _analyze(text: str) -> Report:
    return headerscope.analyze(text.replace("\n", "\r\n").encode(), offline=True)


def _finding(report: Report, finding_id: str) -> Finding | None:
    return next((f for f in report.findings if f.id == finding_id), None)


# A WordPress form on a cPanel server (Exim's local pickup, cPanel's PHP and X-AntiAbuse fields),
# sent straight to the recipient's provider.
_CPANEL = """\
Return-Path: <shopuser@server7.webhost.example>
Received: from server7.webhost.example (server7.webhost.example [198.51.100.7])
\tby mx.recipient.example (Postfix) with ESMTPS id 4AB12;
\tThu, 09 Jul 2026 16:55:20 +0000 (UTC)
Authentication-Results: mx.recipient.example; spf=none smtp.mailfrom=server7.webhost.example
Received: from shopuser by server7.webhost.example with local (Exim 4.98)
\t(envelope-from <shopuser@server7.webhost.example>)
\tid 1whqxZ-00000005kOG-1SfI
\tfor alice@recipient.example; Thu, 09 Jul 2026 11:55:18 -0400
To: alice@recipient.example
Subject: Contact form
X-PHP-Script: www.shop.example/contact.php for 134.84.145.89, 198.51.100.99
X-PHP-Originating-Script: 1115:PHPMailer.php
Date: Thu, 9 Jul 2026 15:55:18 +0000
From: Shop <wordpress@shop.example>
Message-ID: <abc@shop.example>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
X-AntiAbuse: This header was added to track abuse, please include it with any abuse report
X-AntiAbuse: Primary Hostname - server7.webhost.example
X-AntiAbuse: Original Domain - recipient.example
X-AntiAbuse: Originator/Caller UID/GID - [1115 1116] / [47 12]
X-AntiAbuse: Sender Address Domain - server7.webhost.example
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Name: test
"""


def test_a_cpanel_form_names_its_page_the_visitor_the_script_and_the_account() -> None:
    report = _analyze(_CPANEL)
    found = _finding(report, "origin.program")
    assert found is not None and found.severity is Severity.INFO
    # cPanel writes the request's X-Forwarded-For first and the address that connected last: the
    # connecting address is the requester; the forwarded one is only a proxy's or the visitor's word.
    assert found.title == ("Sent by the web page www.shop.example/contact.php, requested from 198.51.100.99 "
                           "(forwarded for 134.84.145.89); account shopuser")
    assert "the last, 198.51.100.99, is the one that connected to the web server; 134.84.145.89 came from the " \
           "request's X-Forwarded-For field" in found.explanation
    assert "which the visitor can also write itself" in found.explanation
    assert "it came from 198.51.100.99, a proxy's address if the site is behind one" in found.explanation
    assert "134.84.145.89, not the web server's, is the source" not in found.explanation
    assert "names the script PHPMailer.php, whose file belongs to uid 1115" in found.explanation
    assert "a local process of uid 1115 (gid 1116)" in found.explanation
    assert "on server7.webhost.example" in found.explanation
    assert "PHPMailer 6.9.1" in found.explanation
    # The sender's own fields: said as claims.
    assert "claims" in found.explanation


def test_a_single_x_php_script_address_is_the_one_that_connected() -> None:
    single = _CPANEL.replace("for 134.84.145.89, 198.51.100.99", "for 134.84.145.89")
    found = _finding(_analyze(single), "origin.program")
    assert found is not None
    assert found.title == "Sent by the web page www.shop.example/contact.php, requested from 134.84.145.89; account shopuser"
    assert "the address that connected to the web server to request it, 134.84.145.89" in found.explanation
    assert "If the message is unwanted (a contact form or a compromised page made to send mail)" in found.explanation
    assert "X-Forwarded-For" not in found.explanation


def test_a_long_forwarded_chain_still_names_the_last_address_as_the_connecting_one() -> None:
    chain = _CPANEL.replace("for 134.84.145.89, 198.51.100.99",
                            "for 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 198.51.100.99")
    found = _finding(_analyze(chain), "origin.program")
    assert found is not None
    assert found.title == ("Sent by the web page www.shop.example/contact.php, requested from 198.51.100.99 "
                           "(forwarded for 192.0.2.1, 192.0.2.2, 192.0.2.3, …); account shopuser")


def test_a_library_alone_gets_no_abuse_advice() -> None:
    # PHPMailer or WP Mail SMTP names how a message was composed, not that anything was abused.
    found = _finding(_analyze(_M365), "origin.program")
    assert found is not None and found.title == "Composed by WPMailSMTP/Mailer/smtp 1.3.2"
    assert "used to send mail" not in found.explanation and "unwanted" not in found.explanation
    assert "what the sending server's operator can match to its logs" in found.explanation


def test_the_server_s_own_account_as_envelope_sender_is_what_the_site_can_fix() -> None:
    report = _analyze(_CPANEL)
    found = _finding(report, "dmarc.host_envelope_sender")
    assert found is not None and found.severity is Severity.NOTICE
    assert "shopuser@server7.webhost.example" in found.title and "DMARC for shop.example could not pass" in found.title
    assert "host name of the server it left from (server7.webhost.example" in found.explanation
    assert "hosts its site (www.shop.example)" in found.explanation
    assert "set the envelope sender to an address of shop.example" in found.explanation
    assert "it carries no DKIM signature" in found.explanation


def test_a_spoof_from_someone_else_s_server_gets_no_advice_for_the_spoofed_domain() -> None:
    # The same local pickup, but nothing ties the server to the From: domain (no site of it, not
    # its host): a rented server sending in a bank's name.
    spoof = _CPANEL.replace("X-PHP-Script: www.shop.example/contact.php for 134.84.145.89, 198.51.100.99\n", "") \
        .replace("From: Shop <wordpress@shop.example>", "From: Bank <alerts@bank.example>")
    report = _analyze(spoof)
    assert _finding(report, "dmarc.host_envelope_sender") is None
    # What made it is still told: the script and the hosting account.
    program = _finding(report, "origin.program")
    assert program is not None and program.title == "Sent by the PHP script PHPMailer.php (uid 1115); account shopuser"


def test_an_aligned_signature_leaves_nothing_to_fix_in_the_envelope() -> None:
    signed = _CPANEL.replace(
        "To: alice@recipient.example\n",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example; s=default;\n"
        " h=From:To:Subject:Date; bh=MSwWR8pC4+BDrNyRK/qe/6PxQX2XcAnW7eHPGL8ogao=; b=ePKkWttN4ZzSt1mCZU3rG6w=\n"
        "To: alice@recipient.example\n")
    report = _analyze(signed)
    assert _finding(report, "dmarc.host_envelope_sender") is None
    assert _finding(report, "origin.program") is not None


# A PHP site on its own server (Postfix's local pickup as the web server's user, apache), direct
# to Gmail, which recorded SPF none for the server's host name.
_APACHE = """\
Delivered-To: bob@gmail.com
Received: by 10.194.205.133 with SMTP id lg5csp447424wjc;
        Sat, 21 Feb 2015 18:48:38 -0800 (PST)
Return-Path: <apache@panel.example.org>
Received: from panel.example.org (ec2-192-0-2-128.us-west-2.compute.amazonaws.com. [192.0.2.128])
        by mx.google.com with ESMTP id j6si5476792pdo.204.2015.02.21.18.48.36
        for <bob@gmail.com>;
        Sat, 21 Feb 2015 18:48:37 -0800 (PST)
Received-SPF: none (google.com: apache@panel.example.org does not designate permitted sender hosts) client-ip=192.0.2.128;
Authentication-Results: mx.google.com;
       spf=none (google.com: apache@panel.example.org does not designate permitted sender hosts) smtp.mail=apache@panel.example.org
Received: by panel.example.org (Postfix, from userid 48)
\tid 01AD5A1820E; Sun, 22 Feb 2015 02:48:35 +0000 (UTC)
To: bob@gmail.com
Subject: Welcome
X-PHP-Originating-Script: 0:class.phpmailer.php
Date: Sat, 21 Feb 2015 20:48:35 -0600
From: Team <info@example.org>
Message-ID: <5b0da5eb@panel.example.org>
X-Mailer: PHPMailer 5.2

"""


def test_an_aligned_host_name_without_spf_and_without_dkim_cannot_pass_dmarc() -> None:
    report = _analyze(_APACHE)
    found = _finding(report, "dmarc.host_envelope_sender")
    assert found is not None
    assert "apache@panel.example.org" in found.title and "DMARC for example.org could not pass" in found.title
    # The receiver's own record says why the aligned host name does not help.
    assert "panel.example.org is in example.org's organisation, but SPF for it was none (as mx.google.com recorded" \
        in found.explanation
    program = _finding(report, "origin.program")
    assert program is not None and program.title == "Sent by the PHP script class.phpmailer.php (uid 0); account userid 48"


def test_a_cron_job_is_named_with_its_user_host_and_command() -> None:
    cron = """\
Received: by serviplate.example.com (Postfix, from userid 0)
        id 3A1F5211BE; Tue,  7 Oct 2014 06:26:36 +0000 (UTC)
From: root@example.com (Cron Daemon)
To: root@example.com
Subject: Cron <root@serviplate2> test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )
X-Cron-Env: <SHELL=/bin/sh>
X-Cron-Env: <LOGNAME=root>
Message-Id: <20141007062636.3A1F5211BE@serviplate.example.com>
Date: Tue,  7 Oct 2014 06:26:36 +0000 (UTC)

/etc/cron.daily/apt:
"""
    found = _finding(_analyze(cron), "origin.program")
    assert found is not None
    assert found.title == "Sent by a cron job of root@serviplate2"
    assert "run-parts --report /etc/cron.daily" in found.explanation


def test_a_person_s_mail_client_is_not_a_program_origin() -> None:
    person = """\
From: Alice <alice@example.com>
To: bob@example.org
Subject: Lunch
Date: Tue,  7 Oct 2014 06:26:36 +0000
Message-ID: <1@example.com>
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0

Hi
"""
    assert _finding(_analyze(person), "origin.program") is None
    # The same message composed by a library is told.
    scripted = person.replace("User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0",
                              "X-Mailer: Nodemailer (6.9.8; +https://nodemailer.com/)")
    found = _finding(_analyze(scripted), "origin.program")
    assert found is not None and found.title == "Composed by Nodemailer (6.9.8; +https://nodemailer.com/)"


_GMAIL_SMARTHOST = """\
Return-Path: <relay.account@gmail.com>
Received: from host.example.com (c-192-0-2-6.hsd1.wa.comcast.net. [192.0.2.6])
        by mx.google.com with ESMTPSA id ei1sm14948541pbd.46.2014.10.06.23.26.41
        for <root@example.com>
        (version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);
        Mon, 06 Oct 2014 23:26:42 -0700 (PDT)
From: Cron Daemon <relay.account@gmail.com>
X-Google-Original-From: root@example.com (Cron Daemon)
Received: by host.example.com (Postfix, from userid 0)
        id 3A1F5211BE; Tue,  7 Oct 2014 06:26:36 +0000 (UTC)
To: root@example.com
Subject: backup done
Message-Id: <20141007062636.3A1F5211BE@host.example.com>
Date: Tue,  7 Oct 2014 06:26:36 +0000 (UTC)

done
"""


def test_gmail_s_from_rewrite_says_what_the_program_wrote_and_why() -> None:
    found = _finding(_analyze(_GMAIL_SMARTHOST), "origin.from_rewritten")
    assert found is not None and found.severity is Severity.INFO
    assert found.title == "Gmail replaced the From: address; the message was written as from root@example.com"
    assert "an address the account may send as, relay.account@gmail.com, in the From:" in found.explanation
    assert "relay.account@gmail.com is the login it used" in found.explanation
    # Review AN 2: with a Sender:, Gmail names the account there; the From: is its default "Send
    # mail as" address, not the login.
    alias = _finding(_analyze(_GMAIL_SMARTHOST.replace("To: root@example.com\n",
                                                       "Sender: account98@gmail.com\nTo: root@example.com\n")
                              .replace("From: Cron Daemon <relay.account@gmail.com>", "From: Cron <me@alum.example>")),
                     "origin.from_rewritten")
    assert alias is not None
    assert ("account98@gmail.com (the account, which Gmail names in Sender:) is the login it used, and "
            "me@alum.example that account's default \"Send mail as\" address") in alias.explanation
    assert "verified \"Send mail as\"" in found.explanation
    assert "A Google server carried the message" in found.explanation


def test_an_unchanged_from_is_no_rewrite() -> None:
    same = _GMAIL_SMARTHOST.replace("X-Google-Original-From: root@example.com (Cron Daemon)",
                                    "X-Google-Original-From: Cron Daemon <relay.account@gmail.com>")
    report = _analyze(same)
    assert _finding(report, "origin.from_rewritten") is None
    # Only the local pickup's account (Postfix's "from userid 0") is told of the origin.
    assert [f.title for f in report.findings if f.id.startswith("origin.")] == [
        "Handed to the mail server by the account userid 0"]
    assert _finding(_analyze(_GMAIL_SMARTHOST), "origin.from_rewritten") is not None


_M365 = """\
Received: from ME2PR01MB6066.ausprd01.prod.outlook.com
 ([fe80::f9cd:d3e8:2320:8413]) by ME2PR01MB6066.ausprd01.prod.outlook.com
 ([fe80::f9cd:d3e8:2320:8413%4]) with mapi id 15.20.5525.011; Mon, 15 Aug 2022
 01:45:50 +0000
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=contosoltd.onmicrosoft.com; s=selector2-contosoltd-onmicrosoft-com;
 h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;
 bh=hRYmFiQorCA1GkHAsgNXSN1gfPsqLlp/sCZza5USlfQ=; b=CEY3Z7ExvwMC3+pRPgGvSM05XwmF0n8RBjUpvRNgUEqV
Date: Mon, 15 Aug 2022 01:45:49 +0000
To: someone@recipient.example
From: Contoso <info@contoso.example>
Subject: Thanks
Message-ID: <ea7b9ef7@www.contoso.example>
X-Mailer: WPMailSMTP/Mailer/smtp 1.3.2
X-OriginatorOrg: contoso.example
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Thanks
"""


def test_a_microsoft_365_default_signature_says_to_turn_on_dkim_for_the_domain() -> None:
    report = _analyze(_M365)
    found = _finding(report, "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.NOTICE
    assert found.title == ("Signed only with Microsoft 365's default key, not contoso.example's own: DKIM is not turned "
                           "on for contoso.example there")
    assert "X-OriginatorOrg, Exchange Online's stamp of the tenant, names contoso.example" in found.explanation
    assert "Microsoft Defender portal" in found.explanation
    assert "if contoso.example is a domain of that" not in found.explanation
    program = _finding(report, "origin.program")
    assert program is not None and program.title == "Composed by WPMailSMTP/Mailer/smtp 1.3.2"


def test_without_a_stamp_of_the_tenant_the_advice_is_conditional() -> None:
    found = _finding(_analyze(_M365.replace("X-OriginatorOrg: contoso.example\n", "")), "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.INFO
    # Nothing ties the tenant to the From: domain: the title states no fix.
    assert found.title == "Signed only with a Microsoft 365 tenant's default key (contosoltd), not by contoso.example"
    assert "no X-OriginatorOrg, Exchange Online's stamp of the tenant, names it" in found.explanation
    assert "If contoso.example is a domain of that tenant (nothing here says so)" in found.explanation


# A spoof signed with an unrelated tenant's default key, delivered from Exchange Online
# Protection's outbound servers: the bank has nothing to do with the tenant.
_M365_SPOOF = """\
Return-Path: <bounce@phishytenant.onmicrosoft.com>
Received: from NAM12-MW2-obe.outbound.protection.outlook.com (mail-mw2nam12on2069.outbound.protection.outlook.com [40.107.244.69])
        by mx.recipient.example (Postfix) with ESMTPS id 4AB12
        for <alice@recipient.example>; Mon, 10 Mar 2025 10:00:05 +0000 (UTC)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=phishytenant.onmicrosoft.com;
 s=selector2-phishytenant-onmicrosoft-com; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;
 bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=CEY3Z7ExvwMC3+pRPgGvSM05XwmF0n8RBjUpvRNgUEqV
From: Payroll <payroll@bank.example>
To: alice@recipient.example
Subject: Update your direct deposit
Date: Mon, 10 Mar 2025 10:00:00 +0000
Message-ID: <x1@phishytenant.onmicrosoft.com>
X-OriginatorOrg: phishytenant.onmicrosoft.com
MIME-Version: 1.0
Content-Type: text/plain

Click here.
"""


def test_an_unrelated_tenant_s_default_key_tells_the_spoofed_domain_nothing_to_fix() -> None:
    report = _analyze(_M365_SPOOF)
    found = _finding(report, "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.INFO
    assert found.title == "Signed only with a Microsoft 365 tenant's default key (phishytenant), not by bank.example"
    assert "turn on DKIM for bank.example" not in found.title
    assert "X-OriginatorOrg, Exchange Online's stamp of the tenant, names phishytenant.onmicrosoft.com" \
        in found.explanation
    assert "or anyone else's sending in its name" in found.explanation
    # The finding that nothing can authenticate the bank stays, without the fix.
    nothing = _finding(report, "dmarc.nothing_aligned")
    assert nothing is not None and nothing.severity is Severity.NOTICE
    assert "turns on DKIM" not in nothing.explanation
    assert "the signatures are Microsoft 365's default key of an account that nothing in the message ties to " \
           "bank.example" in nothing.explanation


def test_a_tenant_stamped_with_the_from_domain_gets_the_fix_in_nothing_aligned_too() -> None:
    report = _analyze(_M365_SPOOF.replace("X-OriginatorOrg: phishytenant.onmicrosoft.com", "X-OriginatorOrg: bank.example"))
    found = _finding(report, "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.NOTICE
    assert found.title == ("Signed only with Microsoft 365's default key, not bank.example's own: DKIM is not turned on "
                           "for bank.example there")
    nothing = _finding(report, "dmarc.nothing_aligned")
    assert nothing is not None
    assert "used until an administrator turns on DKIM for bank.example there" in nothing.explanation


def test_a_workspace_key_labelled_with_another_domain_is_not_the_from_domain_s() -> None:
    other = _M365_SPOOF.replace("d=phishytenant.onmicrosoft.com;\n s=selector2-phishytenant-onmicrosoft-com;",
                                "d=cheap-domain-example.20230601.gappssmtp.com;\n s=20230601;") \
        .replace("X-OriginatorOrg: phishytenant.onmicrosoft.com\n", "")
    found = _finding(_analyze(other), "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.INFO
    assert found.title == ("Signed only with a Google Workspace account's default key (cheap-domain-example), not by "
                           "bank.example")
    assert "the key's label, cheap-domain-example, is not bank.example written with dashes" in found.explanation


def test_a_google_workspace_default_signature_names_the_domain_s_account() -> None:
    workspace = _M365.replace("d=contosoltd.onmicrosoft.com; s=selector2-contosoltd-onmicrosoft-com;",
                              "d=contoso-example.20230601.gappssmtp.com; s=20230601;") \
        .replace("X-OriginatorOrg: contoso.example\n", "")
    report = _analyze(workspace)
    found = _finding(report, "dkim.provider_default_key")
    assert found is not None
    assert "contoso-example, is contoso.example written with dashes" in found.explanation
    assert "Google Admin console" in found.explanation
    # The offline "nothing aligned" finding names the same fix, not "its own systems sign".
    nothing = _finding(report, "dmarc.nothing_aligned")
    assert nothing is None or "Google Workspace's default key" in nothing.explanation


def test_a_domain_s_own_signature_beside_the_default_one_needs_no_fix() -> None:
    both = _M365.replace("Date: Mon, 15 Aug 2022", "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
                         " d=contoso.example; s=selector1; h=From:Date; bh=hRYmFiQorCA1GkHAsgNXSN1gfPsqLlp/sCZza5USlfQ=;"
                         " b=CEY3Z7ExvwMC3+pRPgGvSM05XwmF0n8RBjUpvRNgUEqV\nDate: Mon, 15 Aug 2022")
    report = _analyze(both)
    assert _finding(report, "dkim.provider_default_key") is None
    assert _finding(report, "origin.program") is not None


def test_nothing_aligned_names_the_provider_default_as_the_fix() -> None:
    # Through a list: the envelope is the list's, the only signature the tenant's default.
    listed = _M365.replace("Received: from ME2PR01MB6066", "Return-Path: <list-owner@lists.example.net>\n"
                           "Received: from ME2PR01MB6066", 1).replace("MIME-Version: 1.0",
                                                                     "List-Id: <dev.lists.example.net>\nMIME-Version: 1.0")
    report = _analyze(listed)
    nothing = _finding(report, "dmarc.nothing_aligned")
    assert nothing is not None
    assert "the signatures are Microsoft 365's default key, used until an administrator turns on DKIM for " \
           "contoso.example there" in nothing.explanation
    found = _finding(report, "dkim.provider_default_key")
    assert found is not None and found.severity is Severity.INFO


def test_an_x_originating_ip_no_hop_records_names_the_submitting_client() -> None:
    """Web mail writes the browser's address in X-Originating-IP and names only its web server in
    Received (a Hotmail/Coremail stamp "with HTTP"): the analyst's pointer to where the author
    was, said as the sending side's claim; not repeated when a hop records the same client."""
    web = ("Received: from mx.example.org (mx.example.org [198.51.100.7]) by mail.example.net (Postfix) with ESMTP "
           "id 1; Mon, 2 Nov 2026 10:00:05 +0000\n"
           "Received: from web.example.org by mx.example.org with HTTP; Mon, 2 Nov 2026 10:00:01 +0000\n"
           "X-Originating-IP: [134.84.145.89]\n"
           "From: a@example.org\nTo: b@example.net\nSubject: s\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nbody\n")
    [found] = [f for f in _analyze(web).findings if f.id == "origin.client_ip"]
    assert found.severity is Severity.INFO and found.title.endswith(": 134.84.145.89")
    assert "a public address" in found.explanation and "claim" in found.explanation
    private = web.replace("[134.84.145.89]", "192.168.1.20")
    [found] = [f for f in _analyze(private).findings if f.id == "origin.client_ip"]
    assert "a private address" in found.explanation
    # A hop records that client already: nothing to add.
    recorded = web.replace("from web.example.org by", "from web.example.org ([134.84.145.89]) by")
    assert not [f for f in _analyze(recorded).findings if f.id == "origin.client_ip"]


def test_the_hosting_account_the_sending_host_names_is_in_the_program_origin() -> None:
    """The user or uid in the sending host's own local hand-over (Exim's "from USER ... with local",
    the DragonFly Mail Agent's "from USER (uid N)", Postfix's "from userid N") and cPanel's
    X-Get-Message-Sender-Via / X-Authenticated-Sender are what a hosting abuse desk suspends
    (review AR 8: real cPanel, Rackspace and Plesk senders); a client's HELO is no account."""
    cpanel = _CPANEL.replace("X-AntiAbuse: This header", "X-Get-Message-Sender-Via: server7.webhost.example: "
                             "authenticated_id: shopuser/from_h\nX-Authenticated-Sender: server7.webhost.example: "
                             "wordpress@shop.example\nX-AntiAbuse: This header")
    found = _finding(_analyze(cpanel), "origin.program")
    assert found is not None
    assert "hop 1's Received (header 4), the local hand-over on server7.webhost.example, names shopuser" \
        in found.explanation, found.explanation
    assert "cPanel's X-Get-Message-Sender-Via (header 13) says server7.webhost.example took it from the account " \
           "shopuser" in found.explanation, found.explanation
    # With from_h there was no login: cPanel copied the From: address (verification V57c D-1).
    assert "X-Authenticated-Sender (header 14) repeats the From: address wordpress@shop.example, no login: " \
           "server7.webhost.example's from_h took it from the From: header, and the hosting account shopuser sent " \
           "the message" in found.explanation
    assert "the login wordpress@shop.example" not in found.explanation
    dma = ("Received: from php-v418.host.example (unknown [10.40.206.44]) by mx-n07.host.example (Postfix) with ESMTP "
           "id 907A; Tue, 29 Oct 2024 15:00:42 -0500\n"
           "Received: from cs_web_edvpc8ymwqu9 (uid 3167726)\n\t(envelope-from marc@site.example)\n\tid 6037d\n"
           "\tby php-v418.host.example (DragonFly Mail Agent v0.13);\n\tTue, 29 Oct 2024 15:00:42 -0500\n"
           "From: marc@site.example\nTo: b@example.net\nSubject: s\nDate: Tue, 29 Oct 2024 20:00:41 +0000\n\nbody\n")
    found = _finding(_analyze(dma), "origin.program")
    assert found is not None and found.title == "Handed to the mail server by the account cs_web_edvpc8ymwqu9 (uid 3167726)"
    plesk = dma.replace("Received: from cs_web_edvpc8ymwqu9 (uid 3167726)\n\t(envelope-from marc@site.example)\n"
                        "\tid 6037d\n\tby php-v418.host.example (DragonFly Mail Agent v0.13);",
                        "Received: by php-v418.host.example (Postfix, from userid 10004)\n\tid 5F0B;")
    found = _finding(_analyze(plesk), "origin.program")
    assert found is not None and found.title == "Handed to the mail server by the account userid 10004", found.title
    # An SMTP client's greeting names no account.
    helo = dma.replace("Received: from cs_web_edvpc8ymwqu9 (uid 3167726)\n\t(envelope-from marc@site.example)\n"
                       "\tid 6037d\n\tby php-v418.host.example (DragonFly Mail Agent v0.13);",
                       "Received: from shopuser (dsl.example [203.0.113.5])\n\tby php-v418.host.example with SMTP id 1;")
    assert _finding(_analyze(helo), "origin.program") is None


def test_an_x_originating_ip_that_is_no_address_is_said() -> None:
    # A billing lure (real, 2025): "X-Originating-IP: 88.404.30.198" (404 > 255) was skipped in silence.
    web = ("Received: from mx.example.org (mx.example.org [198.51.100.7]) by mail.example.net (Postfix) with ESMTP "
           "id 1; Mon, 2 Nov 2026 10:00:05 +0000\n"
           "X-Originating-IP: 88.404.30.198\n"
           "From: a@example.org\nTo: b@example.net\nSubject: s\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nbody\n")
    [found] = [f for f in _analyze(web).findings if f.id == "origin.client_ip_invalid"]
    assert found.severity is Severity.INFO
    assert found.title == "X-Originating-IP is not an IP address: 88.404.30.198"
    assert "written by hand" in found.explanation
    assert not [f for f in _analyze(web.replace("88.404.30.198", "[88.40.30.198]")).findings
                if f.id == "origin.client_ip_invalid"]


# A lure relayed through an attacker's Microsoft 365 tenant (real shape, 2025, review AQ 3): the
# client that injected it into the tenant is in Exchange Online's cross-tenant stamp.
_TENANT_RELAY = """\
Received: from PH7PR06CU001.outbound.protection.outlook.com (mail-westus2azon11012011.outbound.protection.outlook.com [52.102.149.11])
\tby mx.recipient.example (Postfix) with ESMTPS id 4AB12; Sun, 30 Nov 2025 04:59:48 +0000 (UTC)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=jrw2gqh.onmicrosoft.com;
 s=selector1-jrw2gqh-onmicrosoft-com; h=From:Date:Subject:Message-ID;
 bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=CEY3Z7ExvwMC3+pRPgGvSM05XwmF0n8RBjUpvRNgUEqV
Received: from b3ila.billing.example (185.211.101.195) by
 CH1PEPF0000AD77.mail.protection.outlook.com (10.167.244.55) with Microsoft
 SMTP Server id 15.20.9388.8 via Frontend Transport; Sun, 30 Nov 2025 04:59:39 +0000
From: Billing <info@b3ila.billing.example>
To: alice@recipient.example
Subject: Billing error
Date: Sun, 30 Nov 2025 04:59:30 +0000
Message-ID: <x1@b3ila.billing.example>
X-MS-Exchange-CrossTenant-OriginalArrivalTime: 30 Nov 2025 04:59:39.6369 (UTC)
X-MS-Exchange-CrossTenant-Network-Message-Id: 8576c8dc-4ad4-4c0d-e3fe-08de2fcd4a16
X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId=bb77615d-2f4d-4e0d-ba82-81af21a396d4;Ip=[185.211.101.195];Helo=[b3ila.billing.example]
MIME-Version: 1.0
Content-Type: text/plain

Pay now.
"""


def test_the_client_that_injected_mail_into_a_microsoft_365_tenant_is_named() -> None:
    report = _analyze(_TENANT_RELAY)
    found = _finding(report, "origin.exchange_tenant")
    assert found is not None and found.severity is Severity.INFO
    assert found.title == ("Sent into Microsoft 365 tenant bb77615d-2f4d-4e0d-ba82-81af21a396d4 from 185.211.101.195 "
                           "(HELO b3ila.billing.example), per Exchange Online's stamp")
    assert "hop 1's Received, an Exchange Online server's, records the same client" in found.explanation
    assert "its Network-Message-Id is 8576c8dc-4ad4-4c0d-e3fe-08de2fcd4a16" in found.explanation
    assert "a sender could write these fields too" in found.explanation
    # The tenant's default key: the HELO names the From: domain, so "nothing ties" would be false;
    # the greeting is said, as the client's own words, and the advice stays conditional.
    key = _finding(report, "dkim.provider_default_key")
    assert key is not None
    assert "nothing in the message ties" not in key.explanation
    assert "Only the client that handed the message to the tenant named b3ila.billing.example's organisation, " \
           "greeting as b3ila.billing.example" in key.explanation, key.explanation
    assert "If b3ila.billing.example is a domain of that tenant (nothing here says so)" in key.explanation
    # Without the connecting-IP stamp, the Network-Message-Id alone is the trace key.
    plain = _TENANT_RELAY.replace("X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId="
                                  "bb77615d-2f4d-4e0d-ba82-81af21a396d4;Ip=[185.211.101.195];Helo=[b3ila.billing.example]\n",
                                  "")
    found = _finding(_analyze(plain), "origin.exchange_tenant")
    assert found is not None
    assert found.title == "Exchange Online's message-trace key: Network-Message-Id 8576c8dc-4ad4-4c0d-e3fe-08de2fcd4a16"


def test_qmail_s_own_roles_are_no_hosting_account() -> None:
    # Review V17 N10: qmail-queue writes "invoked by alias" when qmail-local forwards through
    # ~alias, and "invoked by bounce" for a bounce: qmail's roles, not a hosting account. Only
    # "invoked by uid N" names the account that ran it.
    def stamped(stamp: str) -> Report:
        return _analyze("Received: from mail.host.example (mail.host.example [198.51.100.20]) by mx.example.net "
                        "(Postfix) with ESMTP id 1; Tue, 13 Aug 2013 05:04:55 +0000\n"
                        f"Received: ({stamp}); 13 Aug 2013 10:34:39 +0530\n"
                        "From: a@host.example\nTo: b@example.net\nSubject: s\nDate: Tue, 13 Aug 2013 10:34:30 +0530\n"
                        "\nbody\n")

    for role in ("qmail 30311 invoked by alias", "qmail 30311 invoked by bounce"):
        assert _finding(stamped(role), "origin.program") is None, role
    found = _finding(stamped("qmail 30311 invoked by uid 1001"), "origin.program")
    assert found is not None and found.title == "Handed to the mail server by the account uid 1001"


def test_planted_cross_tenant_fields_on_mail_that_never_touched_microsoft_are_a_claim() -> None:
    # Review V17 N5: one Postfix hop from 198.51.100.7, no Microsoft host anywhere, and a forger's
    # X-MS-Exchange-CrossTenant-* fields naming Microsoft's own tenant and an EOP address. The
    # title must not say it was sent from 40.107.1.1 "per Exchange Online's stamp".
    planted = """\
Received: from out.bank.example (out.bank.example [198.51.100.7])
\tby mx.firma.example (Postfix) with ESMTPS id 4dA9q1Lw2Tz7pD; Tue, 18 Nov 2025 03:12:09 +0000 (UTC)
From: Bank <alerts@bank-secure.example>
To: kalle@firma.example
Subject: Your statement is ready
Date: Tue, 18 Nov 2025 03:12:00 +0000
Message-ID: <abc123@bank.example>
X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId=72f988bf-86f1-41af-91ab-2d7cd011db47;Ip=[40.107.1.1];Helo=[mail.bank.example]
X-MS-Exchange-CrossTenant-Network-Message-Id: 11111111-2222-3333-4444-555555555555
MIME-Version: 1.0
Content-Type: text/plain

Hello.
"""
    found = _finding(_analyze(planted), "origin.exchange_tenant")
    assert found is not None
    assert found.title == ("Claim in X-MS-Exchange-CrossTenant fields (no Exchange Online hop here records it): sent "
                           "into Microsoft 365 tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 from 40.107.1.1 "
                           "(HELO mail.bank.example)")
    assert "per Exchange Online's stamp" not in found.title
    assert "no Received by an Exchange Online host here records that client" in found.explanation
    # A Received by Exchange Online that records another client does not make it Exchange's word.
    other = _TENANT_RELAY.replace("Ip=[185.211.101.195]", "Ip=[192.0.2.44]")
    found = _finding(_analyze(other), "origin.exchange_tenant")
    assert found is not None and found.title.startswith("Claim in X-MS-Exchange-CrossTenant fields")


def test_the_cross_tenant_copy_exchange_stamped_is_read_before_another() -> None:
    # A sender's copy of the connecting-IP field among the message's own fields, and Exchange's
    # copy in its run of X-MS-Exchange-* stamps ending with CrossTenantHeadersStamped (the real
    # layout): Exchange's is the one read, whichever comes first.
    planted = ("X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: TenantId="
               "72f988bf-86f1-41af-91ab-2d7cd011db47;Ip=[40.107.1.1];Helo=[mail.bank.example]\n")
    stamped = "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\nX-MS-Exchange-Transport-CrossTenantHeadersStamped: IA0PR12MB8374\n"
    text = _TENANT_RELAY.replace("From: Billing", planted + "From: Billing").replace(
        "MIME-Version: 1.0\n", stamped + "MIME-Version: 1.0\n")
    found = _finding(_analyze(text), "origin.exchange_tenant")
    assert found is not None
    assert found.title == ("Sent into Microsoft 365 tenant bb77615d-2f4d-4e0d-ba82-81af21a396d4 from 185.211.101.195 "
                           "(HELO b3ila.billing.example), per Exchange Online's stamp")


def test_a_tied_default_key_s_advice_is_for_the_domain_s_owner() -> None:
    # Review AQ 8: "turn on DKIM for training-bcd.org" was advice to a phisher's own domain.
    workspace = _M365.replace("d=contosoltd.onmicrosoft.com; s=selector2-contosoltd-onmicrosoft-com;",
                              "d=contoso-example.20230601.gappssmtp.com; s=20230601;") \
        .replace("X-OriginatorOrg: contoso.example\n", "")
    found = _finding(_analyze(workspace), "dkim.provider_default_key")
    assert found is not None
    assert "If contoso.example is your domain, the fix is an administrator's setting at Google Workspace" \
        in found.explanation
    assert "The fix is an administrator's setting" not in found.explanation
    # Review V17 (AQ 8): the title gives no advice either; the domain may be the phisher's own.
    assert found.title == ("Signed only with Google Workspace's default key, not contoso.example's own: DKIM is not "
                           "turned on for contoso.example there")
    assert "turn on" not in found.title
