"""Build the hop chain from the Received headers: order, delays, roles, organisations, trust.

Every SMTP server that accepts a message prepends a ``Received`` field (RFC 5321 section 4.4),
so the field at the bottom is the earliest hand-over and the top one is the final delivery.
This module reads those fields (through :func:`headerscope.received.parse_received`), turns
them into :class:`~headerscope.model.Hop` objects earliest first, and works out:

* the signed delay of each hop (never clamped, never wrapped into a day);
* the role of the receiving agent (RFC 5598 section 2: MUA, MSA, MTA, MDA);
* the organisation of the receiving host, so consecutive hops can be grouped;
* the trust boundary: the hop where the final receiving organisation accepted the message
  from outside. Only fields at or above it were written by the receiving side; everything
  below is what the sender claims, and can be forged.

Hostile input: every value comes from the message, so nothing here raises on bad data,
regular expressions are linear and only scan a bounded prefix of a field, and the number of
hops analysed in detail is capped (see ``DETAIL_LIMIT``).
"""

from __future__ import annotations

import binascii
import dataclasses
import functools
import ipaddress
import itertools
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from . import domains
from ._value import Value, frozen, frozen_maker, replace
from .addresses import decode_srs, envelope_address, parse_addresses
from .domains import (
    is_ip_literal,
    list_id_label,
    normalize_domain,
    organizational_domain,
)
from .message import Message
from .model import Finding, HeaderField, Hop, ReceivedFields, Role, Severity, WaitCause
from .received import (
    NO_SECONDS,
    NO_TIME_ZONE,
    parse_received,
    parse_received_date,
    parse_received_timed,
    weekday_contradiction,
    zone_name_mismatch,
)
from .text import address_safe_shortened, compiled_on_first_use, header_ref

# A message with 100,000 Received fields is a loop or an attack. Only the latest (topmost)
# DETAIL_LIMIT fields are parsed and analysed: the receiving side's hops, which decide the
# trust boundary, are at the top, and everything further down is the sender's claim anyway.
# The rest is summarised in one ``hops.too_many`` finding, so time and memory stay bounded.
DETAIL_LIMIT = 500

# At most this many findings of one id are listed; the rest are counted in one summary finding.
FINDINGS_PER_ID = 20

# Text regexes only look at this many characters of a field (a 10 MB header stays fast).
_SCAN_LIMIT = 4096

# Most Received dates have one-second resolution: a hop stamped 12:00:00 after one stamped
# 12:00:00.9 is not clock skew, so a negative delay counts only beyond this tolerance.
SKEW_TOLERANCE_SECONDS = 1.0
# A journey that ends up to this long before it began is clock noise between operators' servers:
# its total is reported as zero rather than as unknown.
CLOCK_NOISE_SECONDS = 30.0
SLOW_HOP_SECONDS = 3600.0
# A shorter wait is told (hops.wait_explained) only when the message itself says why (a list
# moderator's approval, a re-sending inside the gap) and it is longer than a mail server's
# ordinary queue run: below a few minutes a wait needs no explaining.
EXPLAINED_WAIT_SECONDS = 180.0
# No mail server keeps a message queued for a week: RFC 5321 section 4.5.4.1 has a sender give up
# after 4-5 days, and the defaults agree (Postfix's maximal_queue_lifetime 5d, sendmail's
# Timeout.queuereturn 5d, Exim's retry rules 4 days). A longer step between two stamps, that the
# message does not explain, is two deliveries (hops.earlier_delivery); a week leaves margin for
# a server configured to keep trying longer.
RESEND_GAP_SECONDS = 7 * 86400.0
# A server whose clock or time-zone setting is off writes every stamp shifted by that amount:
# RFC 5322 section 3.3 has a stamp give the local time with the local offset from UTC, and a
# wrong zone, or a daylight-saving rule not applied, is off by a whole number of half hours
# (zones differ by whole or half hours). So a step forward of such a whole number plus the
# seconds a hop takes, between hops that are otherwise seconds apart, is most likely that
# clock, not a wait (hops.clock_offset). A queue run or a retry ends at no such mark.
# Whole hours are the common fault (a daylight-saving rule not applied is one hour; a zone set
# wrong, or a local time written as UTC, is whole hours almost everywhere). An odd number of
# half hours needs a half-hour zone (India, Iran, Newfoundland, central Australia) on the wrong
# side, and is rare, while a real wait of 30 minutes plus seconds is common: Debian's exim4
# runs its queue every 30 minutes (QUEUEINTERVAL='30m'), sendmail is often started with -q30m,
# and bulk senders release batches on the half hour. So a step of an odd number of half hours
# counts only when a later stamp steps back by as much: no wait steps back (_clock_offsets).
CLOCK_OFFSET_UNIT_SECONDS = 1800.0
# Up to a day: zones span UTC-12 to UTC+14, and a local time written as UTC is off by its zone.
CLOCK_OFFSET_MAX_UNITS = 48
# What is left over is the hop's real transit: at most two minutes, or a little below the mark
# when the clocks involved disagree by seconds as well (CLOCK_NOISE_SECONDS).
CLOCK_OFFSET_TRANSIT_SECONDS = 120.0
# The steps on both sides must be this short for the chain to be "otherwise seconds apart".
CLOCK_OFFSET_NEIGHBOUR_SECONDS = 120.0
FUTURE_TOLERANCE = timedelta(minutes=15)

_RFC5321_TRACE = "https://www.rfc-editor.org/rfc/rfc5321#section-4.4"
_RFC5598_ROLES = "https://www.rfc-editor.org/rfc/rfc5598#section-2"
_RFC1918 = "https://www.rfc-editor.org/rfc/rfc1918#section-3"
_RFC5322_DATE = "https://www.rfc-editor.org/rfc/rfc5322#section-3.3"

# Big operators run one network under several registrable domains. Hops on any of them are
# one organisation for grouping and for the trust boundary; ``Hop.organization`` shows the
# canonical domain (the right-hand side). General knowledge, kept deliberately small.
# The operators whose mail systems their customers share: every host of a message from one of
# their customers to another is theirs (see hops.internal_only).
_SHARED_OPERATORS = frozenset({"google.com", "outlook.com"})
OPERATOR_ALIASES: dict[str, str] = {
    # Google (Gmail, Workspace; 1e100.net is its server naming domain)
    "google.com": "google.com",
    "googlemail.com": "google.com",
    "gmail.com": "google.com",
    "1e100.net": "google.com",
    # Microsoft (Exchange Online / Microsoft 365, Outlook.com; *.protection.outlook.com is outlook.com)
    "outlook.com": "outlook.com",
    "office365.com": "outlook.com",
    "hotmail.com": "outlook.com",
    "microsoft.com": "outlook.com",
    "live.com": "outlook.com",
    "msn.com": "outlook.com",
    # The mailbox servers of newer Microsoft 365 tenants (*.prod.exchangelabs.com)
    "exchangelabs.com": "outlook.com",
    # Yahoo
    "yahoo.com": "yahoo.com",
    "yahoodns.net": "yahoo.com",
    "yahoo.net": "yahoo.com",
    "ymail.com": "yahoo.com",
    # Apple iCloud Mail
    "icloud.com": "icloud.com",
    "me.com": "icloud.com",
    "mac.com": "icloud.com",
    "apple.com": "icloud.com",
    # Zoho Mail (its MX and relays are zohomail.com, its outbound servers zoho.com)
    "zoho.com": "zoho.com",
    "zohomail.com": "zoho.com",
    "zoho.eu": "zoho.com",
    "zohomail.eu": "zoho.com",
    "zoho.in": "zoho.com",
    "zohomail.in": "zoho.com",
    # Mailgun (postgun.com names its internal relays, mailgun.net/.org/.info its outbound ones)
    "mailgun.net": "mailgun.net",
    "mailgun.org": "mailgun.net",
    "mailgun.info": "mailgun.net",
    "postgun.com": "mailgun.net",
    # SendGrid
    "sendgrid.net": "sendgrid.net",
    "sendgrid.com": "sendgrid.net",
    # Fastmail (messagingengine.com names its servers)
    "fastmail.com": "fastmail.com",
    "fastmail.fm": "fastmail.com",
    "messagingengine.com": "fastmail.com",
    # Proofpoint (pphosted.com and ppe-hosted.com name its hosted gateways; ppops.net its filter
    # hosts, "from pps.filterd (m0288454.ppops.net [127.0.0.1]) by mx0b-00650b01.pphosted.com", and
    # its fixed authserv-id, "Authentication-Results: ppops.net;" just above its intake: V44d)
    "proofpoint.com": "proofpoint.com",
    "pphosted.com": "proofpoint.com",
    "ppe-hosted.com": "proofpoint.com",
    "ppops.net": "proofpoint.com",
    # Proton Mail
    "protonmail.ch": "proton.me",
    "protonmail.com": "proton.me",
    "proton.me": "proton.me",
    # United Internet: GMX, WEB.DE, mail.com, IONOS (kundenserver.de names the IONOS relays)
    "gmx.net": "gmx.net",
    "gmx.com": "gmx.net",
    "gmx.de": "gmx.net",
    "web.de": "gmx.net",
    "mail.com": "gmx.net",
    "kundenserver.de": "gmx.net",
    "ionos.com": "gmx.net",
    # Tencent's QQ Mail: foxmail.com is Tencent's too (its mail is sent through *.qq.com servers,
    # Feedback-ID "…:foxmail.com:…", and its MX are mx*.qq.com)
    "qq.com": "qq.com",
    "foxmail.com": "qq.com",
    # VK's Mail.ru (smailru.net names its relays)
    "mail.ru": "mail.ru",
    "smailru.net": "mail.ru",
    # Barracuda Email Gateway Defense (ESS): customers' MX are <id>.ess.barracudanetworks.com, its
    # intake hosts mx-inbound*.<region>.ess.aws.cudaops.com (cudaops.com also names its scanners,
    # "[from cloudscan12-84.us-east-2a.ess.aws.cudaops.com]"), and it hands on from
    # egress-ip*.ess.<region>.barracuda.com / outbound-ip*.ess.barracuda.com: one chain in public
    # copies, "from outbound-ip23b.ess.barracuda.com" right above "by mx11.us-east-2b.ess.aws.cudaops.com"
    # (verification V44e; barracuda.com is the company's own domain).
    "barracuda.com": "barracuda.com",
    "barracudanetworks.com": "barracuda.com",
    "cudaops.com": "barracuda.com",
    # Trend Micro Email Security (MX <customer>.in.tmes.trendmicro.com, or .eu for its European
    # site): its European servers hand the message on to each other under trendmicro.com,
    # "from 104.47.7.169_.trendmicro.com (unknown [172.21.183.240]) by repost01.tmes.trendmicro.eu"
    # in public copies (verification V44e).
    "trendmicro.com": "trendmicro.com",
    "trendmicro.eu": "trendmicro.com",
    # Broadcom's Symantec Email Security.cloud (MessageLabs; symcld.net names its nodes)
    "messagelabs.com": "messagelabs.com",
    "symcld.net": "messagelabs.com",
    # SourceForge's list servers
    "sourceforge.net": "sourceforge.net",
    "sourceforge.com": "sourceforge.net",
    # Sending services whose servers are named under a delivery domain of their own: Zendesk
    # (zdsys.com), Mailchimp and Mandrill (mcsv.net, mcdlv.net, rsgsv.net, mandrillapp.com),
    # SparkPost (sparkpostmail.com), Postmark (mtasv.net), HubSpot (hubspotemail.net),
    # Salesforce Marketing Cloud (exacttarget.com) and Salesforce's own servers (sfdc.net, as in
    # "um8-app2-22-lo2.ops.sfdc.net" on its mail; verification V30c), Atlassian Cloud (atlassian.net).
    "zendesk.com": "zendesk.com",
    "zdsys.com": "zendesk.com",
    "mailchimp.com": "mailchimp.com",
    "mcsv.net": "mailchimp.com",
    "mcdlv.net": "mailchimp.com",
    "rsgsv.net": "mailchimp.com",
    "mandrillapp.com": "mailchimp.com",
    "sparkpost.com": "sparkpost.com",
    "sparkpostmail.com": "sparkpost.com",
    "postmarkapp.com": "postmarkapp.com",
    "mtasv.net": "postmarkapp.com",
    "hubspot.com": "hubspot.com",
    "hubspotemail.net": "hubspot.com",
    "salesforce.com": "salesforce.com",
    "exacttarget.com": "salesforce.com",
    "sfdc.net": "salesforce.com",
    "atlassian.com": "atlassian.com",
    "atlassian.net": "atlassian.com",
}

# Top-level labels used only on private networks (not in the public DNS): a name under one
# says nothing about the organisation (RFC 6762 appendix G, RFC 8375 for home.arpa).
_PRIVATE_TLDS = frozenset({
    "local", "localdomain", "lan", "internal", "intranet", "corp", "home", "private",
    "localhost", "arpa",
})

# Addresses that are not reachable on the public internet: RFC 1918 private, RFC 6598 shared
# (carrier-grade NAT), loopback, link-local, unique-local IPv6. Documentation ranges
# (192.0.2.0/24, 2001:db8::/32) are deliberately NOT here: examples use them for public hosts.
_NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
        "169.254.0.0/16", "0.0.0.0/8", "::1/128", "::/128", "fc00::/7", "fe80::/10",
    )
)

# Patterns written ``_name_re = compiled_on_first_use(...)`` are compiled at their first use,
# not at import: only uncommon hops reach them (markers a substring test must find first,
# hops below the boundary with a date in them, amavisd-new's loopback hops, a Received-SPF
# or Authentication-Results with a client address), and a cold ``analyze`` of a common
# message need not pay 0.1-1 ms for each. Those every message uses stay compiled at import.

# Protocol names (the ``with`` clause) seen on real servers; RFC 3848 and the IANA "Mail
# Transmission Types" registry list the SMTP/LMTP family. Used only to call a made-up one
# below the trust boundary "forged-looking".
_known_protocol_re = compiled_on_first_use(
    r"(?:utf8)?(?:e?smtp|lmtp)s?a?|http|https|mapi|uucp|nntp|imap|pop3?|qmqp|qmtp|local"
    r"|local-e?smtps?|local-bsmtp|bsmtp|webmail|asmtp|smtp-auth|ssl|tls",
    re.IGNORECASE,
)

# A date where a host name or address belongs ("from x ([Sun, 07 Jan 2018 00:03:41 -1100])").
_date_like_re = compiled_on_first_use(
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{2,4}\s+\d{1,2}:\d{2}",
    re.IGNORECASE,
)
_ZONE_OFFSET = re.compile(r"(?:^|\s)([+-])(\d{2})(\d{2})\b")
_BY_KEYWORD = re.compile(r"\bby\b", re.IGNORECASE)

# A local program handed the message over (RFC 5598 section 2.1, the MUA's submission):
# Postfix "(Postfix, from userid 1001)", qmail "(qmail 123 invoked by uid 1000)",
# Sendmail's submission program "(8.15.2/8.15.2/Submit)", and the sendmail stand-ins that only
# send, never listen on the network, so each of their stamps is a local program's hand-over:
# sSMTP's "by host (sSMTP sendmail emulation)" and the DragonFly Mail Agent's "from user (uid
# 1000) ... by host (DragonFly Mail Agent v0.11)".
_local_program_re = compiled_on_first_use(
    r"\bfrom\s+userid\s+\d+|\binvoked\s+by\s+uid\b|/submit\)|\bfrom\s+mail\s+pickup\s+service\b"
    r"|\(sSMTP sendmail emulation\)|\(DragonFly Mail Agent\b",
    re.IGNORECASE,
)
# A stamp with no from clause at all: "by host (5.65/SMI-4.1) id AA10568", or sendmail 8's
# "(from user@localhost) by host (8.11.6/8.11.6) id ...", its $_ macro naming the local user.
_no_from_clause_re = compiled_on_first_use(
    r"\s{0,20}(?:\(from\s{1,5}[^\s()@]{1,64}@[^\s()]{1,255}\)\s{1,20})?by\s", re.IGNORECASE)
# A label part that names a host as a mail server's inbound side (smtp-inbound1, mx2, mxin3,
# incoming): such a host receives over SMTP from the network, not from a local user.
_inbound_label_re = compiled_on_first_use(r"(?:inbound|incoming|mxin|mailin|mx)\d{0,4}", re.IGNORECASE)
_authenticated_sender_re = compiled_on_first_use(r"\bauthenticated\s+sender\s*:", re.IGNORECASE)
_with_lmtp_re = compiled_on_first_use(r"\bwith\s+lmtp", re.IGNORECASE)
_mda_software_re = compiled_on_first_use(r"\b(?:dovecot|cyrus)\b", re.IGNORECASE)


_SMTP_SUBMISSION = re.compile(r"(?:utf8)?(?:e?smtp)s?a")
# "with" words of an email service's web API, through which its customers submit (HTTP and
# HTTPS are read apart: Exchange Online writes HTTPS between its own servers too).
_API_SUBMISSION = frozenset({"rest", "api"})
# Relay services through which an organisation's own servers and devices hand their mail to
# their mail provider, authorised by the registered address of the server rather than by a
# login, so their stamps record no AUTH: Google Workspace's SMTP relay service
# (https://support.google.com/a/answer/2956491, which also writes "X-Relaying-Domain: <the
# customer's domain>"). The hand-over there is the customer's submission to the provider
# (RFC 5598 section 4.3.1), as a login to smtp.gmail.com would be.
_RELAY_SUBMISSION_HOSTS = frozenset({"smtp-relay.gmail.com"})
# Submission hosts of mail providers whose stamps record no AUTH (RFC 3848's ESMTPA is not
# written) though the hosts take mail only from their own customers, never from another
# organisation's servers: T-Online's (Deutsche Telekom) "fwdNN.t-online.de", its customers'
# outgoing servers (securesmtp.t-online.de, with the mail password today; before, T-Online knew
# the customer by the dial-up account the connection came in on and asked no login at all:
# https://huschi.net/31_201_de-bekannte-mailserver-und-deren-parameter.html). Their stamps read
# "from helios.localnet ([IP]) by fwd80.t-online.de with (TLSv1.3:... encrypted) esmtp id
# 1vacPX-2VeEM40", with the customer's home address and its computer's name or LAN address
# literal as greeting, and the message then goes to mailoutNN.t-online.de (to another provider)
# or by LMTP into a T-Online mailbox; older stamps name the hosts "fwd04.sul.t-online.de"
# and the client by the customer's T-Online number ("from (982759573974586-0001@[IP])"). Mail from
# outside enters T-Online at its MX hosts (mx00.t-online.de, mailinNN.mgt.mul.t-online.de), never
# at a fwd host, and T-Online's own stamps between its hosts name the fwd host with its internal
# ".aul." name, as a client ("from fwd79.aul.t-online.de"), not as a receiver.
_loginless_submission_host = compiled_on_first_use(r"fwd[0-9]{1,3}(?:\.[a-z]{2,8})?\.t-online\.de")
_HOST_CHARS = re.compile(r"[a-z0-9_.-]+")
# The host name a receiving program writes about itself in a comment after ``by NAME``:
# amavisd-new's "by localhost (host.example.net [127.0.0.1])".
_by_comment_host_re = compiled_on_first_use(r"\bby\s+[^\s();]{1,255}\s+\(([A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63}){1,8})[\s\[)]")
# Sendmail appends "(may be forged)" when the PTR name does not resolve back to the address.
_may_be_forged_re = compiled_on_first_use(r"\(may be forged\)", re.IGNORECASE)
# Postfix names the client "unknown" when its address has no PTR name that resolves back to it
# (http://www.postfix.org/postconf.5.html#reject_unknown_client_hostname): "(unknown [IP])".
_unknown_client_re = compiled_on_first_use(r"\(unknown \[(?:IPv6:)?[0-9A-Fa-f:.]{2,45}\]\)")

# The names cloud providers give every instance by default, in reverse DNS and as its own host
# name, by their documented patterns: (pattern, what it is, where its owner sets a name of its own).
_CLOUD_DEFAULT_NAMES: tuple[tuple[str, str, str], ...] = (
    # AWS: ec2-<IP>.compute-1.amazonaws.com (us-east-1), ec2-<IP>.<region>.compute.amazonaws.com,
    # and the private ip-<IP>.ec2.internal / ip-<IP>.<region>.compute.internal host names.
    (r"ec2-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\.(?:compute-1|[a-z]{2}(?:-[a-z]{1,12}){1,3}-\d{1,2}\.compute)"
     r"\.amazonaws\.com|ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\.(?:ec2|[a-z]{2}(?:-[a-z]{1,12}){1,3}-\d{1,2}\.compute)"
     r"\.internal",
     "an AWS EC2 instance",
     "an Elastic IP address, whose reverse DNS record AWS sets on request (AWS's \"Using reverse DNS for email "
     "applications\"; AWS also limits port 25 until asked)"),
    # Google Compute Engine: <reversed IP>.bc.googleusercontent.com.
    (r"(?:\d{1,3}\.){4}bc\.googleusercontent\.com", "a Google Compute Engine VM",
     "a PTR record set on the VM's external address (Compute Engine's \"Create a PTR record for a VM\")"),
    # Linode (Akamai): li<N>-<N>.members.linode.com, <IP>.ip.linodeusercontent.com.
    (r"li\d{1,6}-\d{1,3}\.members\.linode\.com|\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}\.ip\.linodeusercontent\.com",
     "a Linode", "a reverse DNS name set on the Linode's address"),
    # OVHcloud: vps-<id>.vps.ovh.net, ns<N>.ip-<a>-<b>-<c>.eu (dedicated servers).
    (r"vps-[0-9a-f]{8}\.vps\.ovh\.(?:net|ca|us)|ns\d{1,9}\.ip-\d{1,3}-\d{1,3}-\d{1,3}\.(?:eu|net|us)",
     "an OVHcloud server", "a reverse DNS name set on the address in the OVHcloud control panel"),
    # Hetzner: static.<reversed IP>.clients.your-server.de.
    (r"static\.(?:\d{1,3}\.){4}clients\.your-server\.de", "a Hetzner server",
     "a reverse DNS name set on the address in Hetzner's console"),
)
_cloud_default_re = compiled_on_first_use(
    "|".join(f"({pattern})" for pattern, _, _ in _CLOUD_DEFAULT_NAMES), re.IGNORECASE)

# The receiver's own record of the SMTP client (RFC 7208 section 9.1 ``client-ip``; RFC 8601
# section 2.7 ``smtp.remote-ip`` / ``policy.iprev``), read by a small local parser.
# Also Exchange Online's comment "spf=pass (sender IP is 149.72.167.116)".
_STATEMENT_IP = re.compile(
    r"(?:\b(?:client-ip|smtp\.remote-ip|smtp\.client-ip|policy\.iprev)\s*=\s*\"?\[?|\(sender IP is )"
    r"([0-9A-Fa-f:.]{2,45})",
    re.IGNORECASE,
)
# The client address in a Received-SPF comment's usual wording ("designates 192.0.2.1 as
# permitted sender", "does not designate ...", RFC 7208 section 9.1's example and Mail::SPF's).
_spf_comment_ip_re = compiled_on_first_use(r"\bdesignates? ([0-9A-Fa-f:.]{2,45}) as permitted sender", re.IGNORECASE)
_spf_receiver_re = compiled_on_first_use(r"\breceiver\s*=\s*\"?([A-Za-z0-9_.-]{1,253})", re.IGNORECASE)
_spf_comment_host_re = compiled_on_first_use(r"^\s*[A-Za-z]+\s*\(\s*([A-Za-z0-9_.-]{1,253})\s*:")
# Mail::SPF (Mail::SPF::Result, written by SpamAssassin, amavisd-new and policyd-spf-perl)
# opens its Received-SPF comment with the *authority domain* whose policy gave the result, not
# with its own name: "pass (example.com: 192.0.2.1 is authorized to use 'a@example.com' in
# 'mfrom' identity (mechanism 'mx' matched)) receiver=unknown" (the POD of local_explanation:
# "prefixed with the authority domain whose sender policy is responsible for the result"; the
# wording is Mail::SPF::SenderIPAddrMech's explanation templates). RFC 7208 section 9.1's
# "(mybox.example.org: domain of ...)" is only one writer's style.
_mail_spf_wording_re = compiled_on_first_use(
    r"\bis (?:not )?authorized to use\b|\bdoes not state whether\b|\bis not a designated mailserver\b"
    r"|\bin '(?:mfrom|helo|pra)' identity\b", re.IGNORECASE)
# The identities a Received-SPF says were checked (RFC 7208 section 9.1 envelope-from= and
# helo=): the authority's domain is one of them, or their organisational domain.
_spf_checked_re = compiled_on_first_use(
    r"(?<![\w.-])(?:envelope-from|helo)\s*=\s*\"?<?([^\s\";<>]{1,320})", re.IGNORECASE)
_authserv_id_re = compiled_on_first_use(r"^\s*([A-Za-z0-9_.-]{1,253})")
# The HELO name a receiver recorded: Received-SPF's "helo=" (RFC 7208 section 9.1),
# Authentication-Results' "smtp.helo=" (RFC 8601 section 2.7.5).
_record_helo_re = compiled_on_first_use(r"(?<![\w.-])(?:smtp\.)?helo\s*=\s*\"?\[?([A-Za-z0-9_.:-]{1,253})",
                                        re.IGNORECASE)
# ARC-Seal's i= and d= tags (RFC 8617 section 4.1.3), bounded.
_arc_seal_instance_re = compiled_on_first_use(r"(?<![\w-])i\s*=\s*(\d{1,2})\s*(?:;|$)")
_arc_seal_domain_re = compiled_on_first_use(r"(?<![\w-])d\s*=\s*([A-Za-z0-9_.-]{1,253})")
# At most this many statements are read (a hostile message may carry thousands).
_MAX_STATEMENTS = 64

_RFC7208_RECEIVED_SPF = "https://www.rfc-editor.org/rfc/rfc7208#section-9.1"
_RFC5322_ORIG_DATE = "https://www.rfc-editor.org/rfc/rfc5322#section-3.6.1"

# A Date: header more than this after the first Received stamp is not clock skew of a hop but
# a Date the creator's program wrote wrongly (or a replayed message), see _date_finding.
IMPLAUSIBLE_DATE_AFTER = timedelta(days=1)
# A Date: this long before the first hop is not a message waiting in an outbox (minutes to
# hours, a few days for a laptop kept offline) but a wrong clock or a back-dated message.
IMPLAUSIBLE_DATE_BEFORE = timedelta(days=30)
# Hop clocks that step back by more than this are broken (or forged), not skewed: the total
# journey is then unknown rather than a large negative number.
HOP_CLOCK_BROKEN = timedelta(days=1)

ReverseNames = Callable[[str], "tuple[Sequence[str], bool | None] | None"]
"""Hook: the PTR names of an IP and whether one resolves back to it (FCrDNS), None if unknown."""
MailExchangers = Callable[[str], "Sequence[str] | None"]
"""Hook: the MX host names of a domain (RFC 5321 section 5.1), None when unknown."""


_make_hop = frozen_maker(Hop)


@frozen
class InboundGateway(Value):
    """A hosted filtering service (Mimecast, Proofpoint, ...) that took the message from the sender
    and handed it to the mailbox provider below it in the chain: the recipient's own inbound
    gateway when the recipient domain's MX names it (``hops.inbound_gateway``: the trust boundary
    is the gateway's intake), perhaps so when no MX answer can tell (``hops.gateway_possible``:
    the boundary stays where the gateway handed the message on). The mailbox provider's SPF, and
    the DMARC and composite verdicts resting on it, then judged the gateway's address, not the
    sender's."""

    service: str
    """Organisational domain of the filtering service ("mimecast.com")."""
    client_ip: str | None
    """The gateway's address as the hop that took the message from it recorded it: the client
    the mailbox provider's results were evaluated for, unless it looks past the gateway
    (Exchange Online's Enhanced Filtering for Connectors, Google's inbound gateway setting)."""
    handed_on: int
    """Number of the hop where the gateway handed the message on (its client is the gateway)."""
    intake: int
    """Number of the hop where the gateway took the message from the sender's server."""
    confirmed: bool
    """True when the recipient domain's MX names the service (the boundary is ``intake``); False
    when only suspected (offline, or DNS without the MX: the boundary is ``handed_on``)."""
    tenant: str | None = None
    """The customer instance that both the recipient's MX host and the hand-over client's
    reverse-DNS name (as the receiver recorded it, never its greeting) name (Proofpoint's
    "mx0a-TENANT.pphosted.com"): the hand-over is then the recipient's own instance's. None for a
    service whose host names tell no customer apart (Mimecast, Barracuda, Proofpoint Essentials):
    another customer of it (a forger's own account) hands on from the same hosts."""
    declared: bool = False
    """True for a relay the user declared its own (``--trusted-relay``, hops.trusted_relay): the
    boundary moves to its intake, but the results it recorded above that intake are not credited
    (auth.recorded): a relay that serves many customers records what each configures (a forger's
    own Microsoft 365 tenant lists its own domain as a trusted ARC sealer: verification V59b D1-3)."""


@frozen
class TrustedRelay(Value):
    """A host or network the user declared part of its own receiving side (``--trusted-relay``,
    SpamAssassin's trusted_networks): an inbound gateway headerscope cannot bind to the recipient
    from the headers and DNS alone (Exchange Online Protection in front of on-premises Exchange,
    an in-house filtering appliance, a regional service). Exactly one of ``network`` and
    ``domain`` is set."""

    spec: str
    """The specification as the user gave it ("outlook.com", "192.0.2.0/24", "2001:db8::7")."""
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    """The addresses it covers (a single address is a /32 or /128), or None for a name."""
    domain: str | None
    """The domain whose host names it covers (that name and every name under it), or None."""


def trusted_relay(spec: str) -> TrustedRelay:
    """The TrustedRelay a ``--trusted-relay`` SPEC names: an IP address, a CIDR network or a
    domain name. Raises ValueError for anything else (a wildcard, a URL, an empty name)."""
    text = spec.strip()
    try:
        return TrustedRelay(spec=text, network=ipaddress.ip_network(text, strict=False), domain=None)
    except ValueError:
        pass
    name = normalize_domain(text.strip(".")) if text and len(text) <= 253 else None
    if not name or _trusted_domain_re().fullmatch(name) is None:
        raise ValueError(f"not an IP address, a CIDR network or a domain name: {spec[:80]!r}")
    return TrustedRelay(spec=text, network=None, domain=name)


# A host or domain name as normalize_domain gives it (A-labels), with at least two labels: a
# bare "com" or "local" would trust half the internet or a name anyone can give a host.
_trusted_domain_re = compiled_on_first_use(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.){1,126}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@frozen
class HopChain(Value):
    """The chain and what was learnt building it."""

    hops: tuple[Hop, ...]
    """Earliest first."""
    boundary_hop: int | None
    """Number of the trust-boundary hop (1-based), None when there are no hops."""
    total_delay_seconds: float | None
    """From the Date: header (or, when that is implausible or after the final delivery, the first
    stamped hop) to the last stamped hop; None when unknown, never a negative journey: hop clocks
    that step back by days or end before the start give None and ``hops.total_unknown``. A
    server's clock read as off by whole half hours (``hops.clock_offset``) is left out of it."""
    findings: tuple[Finding, ...]
    """Clock skew, inconsistencies, forged-looking hops, ..."""
    alternative_boundary_hop: int | None = None
    """Where the boundary would be if the HELO names of the receiver's relays were believed
    (only set when the boundary is uncertain, see ``hops.boundary_uncertain``)."""
    gateway: InboundGateway | None = None
    """The filtering service in front of the mailbox provider, when the boundary hop's client (or,
    once the MX confirmed it, the hop above the boundary's) is one; see InboundGateway."""


# _Work, _Statement and _Boundary are plain classes, not dataclasses: a dataclass writes its
# methods with exec() at import, a cost every start paid for three private records.


class _Work:
    """Per-hop facts gathered before the Hop objects are frozen."""

    __slots__ = ("fields", "header", "org", "own_org", "private", "role", "time")

    def __init__(self, *, header: HeaderField, fields: ReceivedFields, time: datetime | None,
                 own_org: str | None, private: bool) -> None:
        self.header = header
        self.fields = fields
        self.time = time
        self.own_org = own_org
        self.private = private  # is_non_public_ip(fields.from_ip), asked of every hop several times
        self.org: str | None = None
        self.role = Role.MTA


class _Statement:
    """A receiver's record of the client it saw: Received-SPF or Authentication-Results."""

    __slots__ = ("from_comment", "index", "ip", "writer_org")

    def __init__(self, *, index: int, ip: str, writer_org: str | None, from_comment: bool = False) -> None:
        self.index = index  # header index (smaller = written later, RFC 5321 section 4.4 prepending)
        self.ip = ip
        self.writer_org = writer_org
        # Read from a Received-SPF comment's wording, not a client-ip= (Yahoo writes only that):
        # used only to place the arrival on the receiver's record (_recorded_arrival_above).
        self.from_comment = from_comment


class _ClientRecord:
    """A server's own record of the client it took the message from (Received-SPF's client-ip
    and helo, RFC 7208 section 9.1; Authentication-Results' smtp.remote-ip and smtp.helo,
    RFC 8601 section 2.7.5), read whether or not it names an address: a forwarder that adds no
    Received for its inbound hop still records that hop here (see _forwarder_evidence)."""

    __slots__ = ("helo", "index", "ip", "name", "writer")

    def __init__(self, *, index: int, name: str, writer: str | None, ip: str | None, helo: str | None) -> None:
        self.index = index
        self.name = name
        self.writer = writer
        self.ip = ip
        self.helo = helo


class _ClockOffset:
    """A forward step read as one server's clock or zone setting being off (hops.clock_offset)."""

    __slots__ = ("offset", "residual", "returns", "same_host_next")

    def __init__(self, *, offset: float, residual: float, returns: int | None, same_host_next: bool) -> None:
        self.offset = offset  # the whole number of half hours the clock is off by, in seconds
        self.residual = residual  # the step without it: the hop's probable real transit
        # The index of a later hop whose stamp steps back by as much: that clock alone is off,
        # and the ends of the journey agree.
        self.returns = returns
        self.same_host_next = same_host_next  # the same host's next stamp follows within seconds


class _Boundary:
    __slots__ = ("alternative", "from_outside", "gateway", "index", "notes")

    def __init__(self, *, index: int, from_outside: bool) -> None:
        self.index = index
        self.from_outside = from_outside
        self.notes: list[Finding] = []
        self.alternative: int | None = None
        self.gateway: InboundGateway | None = None


# ---------------------------------------------------------------- small helpers


def _scan(text: str | None) -> str:
    return (text or "")[:_SCAN_LIMIT]


# IPv4 as ipaddress writes it (decimal octets 0-255 without leading zeros), as the parser
# gives every client address: read directly, to the address ipaddress would read.
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


@functools.lru_cache(maxsize=4096)
def _ip_cached(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    m = _CANONICAL_IPV4.fullmatch(text)
    if m is not None:
        a, b, c, d = m.groups()
        return ipaddress.IPv4Address(int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d))
    try:
        ip = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # Cached: the same relays' addresses recur across hops and messages (bounded cache).
    if not text or len(text) > 64:
        return None
    return _ip_cached(text)


# The IPv4 networks above as (first, last) address numbers: an address is in one exactly when
# its number lies between them (what ``address in network`` tests).
_NON_PUBLIC_V4_RANGES = tuple(
    (int(net.network_address), int(net.broadcast_address)) for net in _NON_PUBLIC_NETWORKS if net.version == 4
)


@functools.lru_cache(maxsize=4096)
def _non_public_cached(text: str) -> bool:
    ip = _ip(text)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        number = int(ip)
        return any(first <= number <= last for first, last in _NON_PUBLIC_V4_RANGES)
    if ip.scope_id:
        return True
    return any(ip.version == net.version and ip in net for net in _NON_PUBLIC_NETWORKS)


def is_non_public_ip(text: str | None) -> bool:
    """True for private, shared (CGNAT), loopback and link-local addresses."""
    if not text or len(text) > 64:
        return False
    return _non_public_cached(text)


def _is_loopback(text: str | None) -> bool:
    if not text or len(text) > 64:
        return False
    return _loopback_cached(text)


@functools.lru_cache(maxsize=4096)
def _loopback_cached(text: str) -> bool:
    ip = _ip(text)
    return ip is not None and ip.is_loopback


def local_submission_loopback(fields: ReceivedFields) -> bool:
    """The stamp records a local submission ("with local", "with local-esmtp": a program on the
    host ran the MTA's sendmail) whose client address is a loopback one: no network client
    connected, the address is text the MTA writes for every local submission (Courier's sendmail
    wrapper hands submit the fixed "dns; localhost (localhost [127.0.0.1])", courier/sendmail.c,
    which submit.C writes as "from localhost (localhost [127.0.0.1]) (uid N) by HOST with local").
    SPF has no client to judge there (RFC 7208 section 2.4 is about the SMTP client), as at a
    Postfix pickup or an Exim "with local" stamp, which record none."""
    protocol = _protocol(fields)
    return (protocol == "local" or protocol.startswith("local-")) and _is_loopback(fields.from_ip)


def _is_public_ip(text: str | None) -> bool:
    return _ip(text) is not None and not is_non_public_ip(text)


# RFC 6761 sections 6.2 and 6.5: "test" and "example" are reserved for testing and
# documentation, where they stand for public names (the samples use them that way).
_DOCUMENTATION_TLDS = frozenset({"test", "example"})


@functools.lru_cache(maxsize=1024)
def _registered_tld(tld: str) -> bool:
    """Whether ``tld`` is a top-level domain of the public DNS (a Public Suffix List rule).

    Names under anything else (``.local``, ``.lan``, ``.lkt``, ``.loc``, ``.internal``) live
    only on a private network and name no organisation (RFC 6762 appendix G).
    """
    if tld in _DOCUMENTATION_TLDS:
        return True
    if tld in _PRIVATE_TLDS or tld.isdigit():
        return False
    return domains.is_listed_tld(tld)


@functools.lru_cache(maxsize=8192)
def _host_domain_cached(name: str) -> str | None:
    host = normalize_domain(name)
    if host is None or len(host) > 253 or host.startswith("ipv6:"):
        return None
    if _HOST_CHARS.fullmatch(host) is None:
        return None
    labels = host.split(".")
    if len(labels) < 2 or "" in labels:
        return None
    # Each test here can only give None, so their order is free: the IP test comes last, as
    # an IPv4 literal already stops at its numeric last label (no top-level domain is one)
    # without being parsed.
    if not _registered_tld(labels[-1]) or is_ip_literal(host):
        return None
    return organizational_domain(host)


def cloud_default_name(name: str | None) -> tuple[str, str] | None:
    """(what the host is, where its owner names it) when ``name`` is the name a cloud provider
    gives every instance by default (``_CLOUD_DEFAULT_NAMES``: "an AWS EC2 instance" for
    ec2-52-10-201-128.us-west-2.compute.amazonaws.com), else None. Such a name is the provider's,
    not the sender's: each instance is its own customer's, so it names no organisation."""
    if not name or len(name) > 120:
        return None
    m = _cloud_default_re().fullmatch(name.strip().rstrip("."))
    if m is None:
        return None
    _, what, how = _CLOUD_DEFAULT_NAMES[(m.lastindex or 1) - 1]
    return what, how


def hop_above(hops: Sequence[Hop], header_index: int) -> Hop | None:
    """The hop whose Received sits directly above the header field at ``header_index``: the
    server that handled the message just before the field was there, or wrote it."""
    return max((h for h in hops if h.header_index < header_index), key=lambda h: h.header_index, default=None)


def host_domain(name: str | None) -> str | None:
    """The registrable domain a host name is under, as written (``protonmail.ch`` for
    mailin028.protonmail.ch): what a report quotes as evidence. None as for host_organization."""
    if not name:
        return None
    if len(name) > 300:  # not kept in the cache; such a name is hostile or broken anyway
        return _host_domain_cached.__wrapped__(name)
    return _host_domain_cached(name)


def host_organization(name: str | None) -> str | None:
    """The organisation of a host name, operator aliases merged; None when it says nothing.

    None for missing names, IP literals, bare names without a dot (``localhost``, ``IMSVA``),
    names under a top-level label that is not in the public DNS (``.local``, ``.lan``,
    ``.lkt``: a private network's names, RFC 6762 appendix G), and text that is not a host name.
    """
    # Cached by the name as written (bounded): relays and receivers recur in every message.
    domain = host_domain(name)
    return OPERATOR_ALIASES.get(domain, domain) if domain is not None else None


def _utc(timestamp: str | None) -> datetime | None:
    """The ISO 8601 timestamp as an aware UTC datetime (naive ones are read as UTC)."""
    if not timestamp:
        return None
    try:
        parsed = datetime.fromisoformat(timestamp[:64])
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # RFC 5322 section 3.3: "-0000" (zone unknown) is the only legitimate way to get here.
        parsed = parsed.replace(tzinfo=timezone.utc)
    return _aware(parsed)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        return None  # 1 January of year 1 east of UTC (or 31 December 9999 west of it): no UTC time


def _safe_parse(parse: Callable[[str], ReceivedFields], value: str) -> ReceivedFields:
    try:
        return parse(value)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the hop
        return ReceivedFields(complete=False, problems=(f"parser error: {type(exc).__name__}",))


def _safe_parse_timed(value: str) -> tuple[ReceivedFields, datetime | None]:
    try:
        return parse_received_timed(value)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the hop
        return ReceivedFields(complete=False, problems=(f"parser error: {type(exc).__name__}",)), None


_LOCALHOST_NAMES = domains.LOCALHOST_NAMES


def _has_client(fields: ReceivedFields) -> bool:
    return bool(fields.from_ip or fields.from_rdns or fields.from_helo)


def _client_names(fields: ReceivedFields) -> list[str]:
    return [n for n in (fields.from_rdns, fields.from_helo) if n]


def _protocol(fields: ReceivedFields) -> str:
    return (fields.protocol or "").strip().lower()


def _is_local_delivery(fields: ReceivedFields, raw: str, low: str | None = None,
                       protocol: str | None = None) -> bool:
    """LMTP or local delivery; ``low`` is the scanned raw text in lower case and ``protocol``
    is ``_protocol(fields)``, if at hand."""
    if protocol is None:
        protocol = _protocol(fields)
    if protocol.startswith("lmtp") or protocol == "local":
        return True
    text = _scan(raw)
    return "lmtp" in (low if low is not None else text.lower()) and bool(_with_lmtp_re().search(text))


def _mailbox_transport(fields: ReceivedFields) -> bool:
    """Exchange 2013 and later writing the message into a mailbox database: "via Mailbox
    Transport" (the Mailbox Transport Delivery service), always a final delivery."""
    return (fields.via or "").strip().lower() == "mailbox transport"


def _fmt_seconds(seconds: float) -> str:
    magnitude = abs(seconds)
    if magnitude < 120:
        text = f"{magnitude:.3g} s" if magnitude < 10 else f"{magnitude:.0f} s"
    elif magnitude < 600:
        # Minutes and seconds, as the hop table shows them ("2 min 31 s", not "3 min").
        minutes, rest = divmod(round(magnitude), 60)
        text = f"{minutes} min {rest} s" if rest else f"{minutes} min"
    elif magnitude < 7200:
        text = f"{magnitude / 60:.0f} min"
    elif magnitude < 172800:
        text = f"{magnitude / 3600:.1f} h"
    elif magnitude < _YEAR_SECONDS:
        text = f"{magnitude / 86400:.1f} days"
    else:
        # "2191.0 days" is not read at a glance: the years first, the days for the exact span.
        text = f"{magnitude / _YEAR_SECONDS:.1f} years ({magnitude / 86400:.0f} days)"
    return text


# A year of the Gregorian calendar on average (365.2425 days), for spans said in years.
_YEAR_SECONDS = 365.2425 * 86400


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- roles


# The accounts mail servers run as, which write their own bounces and reports locally.
_MTA_ACCOUNTS = frozenset({"debian-exim", "exim", "mailnull", "mail", "postfix", "qmaild", "qmails", "qmailr",
                           "mailer-daemon", "smmsp", "courier", "_postfix"})


def classify_role(fields: ReceivedFields, raw: str, same_org_client: bool) -> Role:
    """The role of the agent that wrote this Received field (RFC 5598 section 2), on its own.

    Rules, first match wins:

    1. **MUA** - the field records a hand-over from a local program or user rather than a
       network client: Postfix ``(Postfix, from userid N)``, qmail ``invoked by uid N``,
       Sendmail's ``/Submit`` program, IIS/Exchange's ``from mail pickup service`` (a file
       dropped into the pickup directory), sSMTP and the DragonFly Mail Agent (send-only
       sendmail stand-ins), and Exim's ``with local``/``local-esmtp`` when the
       "from" part is a user name without an address (Exim writes ``with local`` for
       messages a local user or program submits on the command line).
       A stamp with no from clause, no client and no protocol ("by host (5.65/SMI-4.1) id
       AA10568", sendmail's "(from user@localhost) by host ... id ..."): an MTA that receives
       over the network records its client (RFC 5321 section 4.4's From-domain is required),
       so a program or user on that host handed the message in (sendmail run from the command
       line, a pickup).
       A mailbox retrieval (``with POP3``/``with IMAP``, fetchmail's "from imap.example [IP] by
       localhost with IMAP (fetchmail-5.7.4) for user@localhost"): the recipient's own program
       (RFC 5598 section 2.1's rMUA, reading the message store) fetching the message, not an
       MTA hand-over.
    2. **MDA** - delivery into a mailbox store: ``with LMTP`` (any LMTP variant, e.g.
       Postfix to Dovecot or Cyrus), other ``with local`` delivery, or Dovecot/Cyrus named as
       the receiving software.
    3. **MSA** - authenticated submission: the parser's ``auth`` (``ESMTPA``, ``ESMTPSA``,
       ``Authenticated sender:``, ``with HTTP`` webmail), or Exchange's ``with mapi`` (Outlook
       submitting to its server). HTTP(S) between two hosts of one organisation is internal
       transport (Exchange Online writes ``with HTTPS`` between its own servers), not a
       submission, so it stays MTA. An email service's web API (``with REST``, ``with API``:
       SparkPost's Momentum writes ``with REST``) is where its customer hands the message in,
       the submission of RFC 5598 section 4.3.1, whoever's address the client has: no MTA
       relays over it. So is a hand-over to a provider's relay service that authorises its
       customers' servers by their address (Google Workspace's ``smtp-relay.gmail.com``), and
       to a provider's submission host whose stamps record no login (T-Online's
       ``fwdNN.t-online.de``, ``_loginless_submission_host``).
    4. **MTA** - everything else.

    In a chain, :func:`build_chain` corrects MUA and MDA by position: a local program's
    hand-over above the first hop is a re-injection (MTA; a retrieval stays MUA), and LMTP into
    a content filter that hands the message back is not the final delivery.
    """
    protocol = _protocol(fields)
    text = _scan(raw)
    low = text.lower()
    # Substring checks first: each regex needs its word, and most fields have none of them.
    if ("userid" in low or "invoked" in low or "/submit)" in low or "pickup" in low or "emulation)" in low
            or "dragonfly" in low) and _local_program_re().search(text):
        return Role.MUA
    if not protocol and not fields.via and not fields.from_ip and not fields.from_helo and fields.by \
            and _no_from_clause_re().match(text):
        if _hidden_client_stamp(fields, low):
            return Role.UNKNOWN
        return Role.MUA
    if is_retrieval(fields):
        return Role.MUA
    if protocol.startswith("local") and not fields.from_ip:
        user = (fields.ident or fields.from_helo or fields.from_rdns or "").strip()
        if user.lower() in _MTA_ACCOUNTS:
            # The mail server's own account ("from Debian-exim by host with local"): the server
            # itself wrote the message, a bounce or a report (RFC 3464's Reporting-MTA).
            return Role.MTA
        if protocol != "local" or (user and "." not in user):
            return Role.MUA
    if _is_local_delivery(fields, raw, low, protocol) or _mailbox_transport(fields) or (
        ("dovecot" in low or "cyrus" in low) and _mda_software_re().search(text)
        and not fields.auth and not protocol.startswith(("esmtp", "smtp", "utf8esmtp", "utf8smtp"))
    ):
        return Role.MDA
    if protocol in _API_SUBMISSION or _relay_service(fields) or loginless_submission(fields):
        return Role.MSA
    http_like = protocol.startswith("http") or (fields.via or "").strip().lower().startswith("http")
    if same_org_client and http_like and fields.from_ip is not None:  # _is_internal_http
        return Role.MTA
    if fields.auth or protocol == "mapi" or http_like or (
            "authenticated" in low and _authenticated_sender_re().search(text)):
        return Role.MSA
    if _SMTP_SUBMISSION.fullmatch(protocol):
        return Role.MSA
    return Role.MTA


def _hidden_client_stamp(fields: ReceivedFields, low: str) -> bool:
    """A stamp with no from clause by a host named as an inbound server ("Received: by
    smtp-inbound1.duck.com; date": a privacy relay that strips its client from the trace), with
    no mark of a local user's hand-over (no "(from user@host)", no queue id as sendmail writes
    for a local submission, "by host id X"): an inbound server takes mail over SMTP from the
    network (RFC 5321 section 4.4 requires its From clause), so the client was not recorded,
    which says nothing of a user's program handing the message in."""
    if fields.id or fields.ident or low.lstrip().startswith("("):
        return False
    host = normalize_domain(fields.by)
    if host is None or is_ip_literal(host) or "." not in host:
        return False
    label = host.split(".", 1)[0][:63]
    return any(_inbound_label_re().fullmatch(part) for part in label.replace("_", "-").split("-")[:8])


def _relay_service(fields: ReceivedFields) -> bool:
    """The hop hands the message to a provider's relay service for its customers' servers
    (``_RELAY_SUBMISSION_HOSTS``), from a client it records."""
    return _has_client(fields) and normalize_domain(fields.by) in _RELAY_SUBMISSION_HOSTS


def loginless_submission(fields: ReceivedFields) -> bool:
    """The hop is a customer's submission to a provider's submission host that records no login
    (``_loginless_submission_host``: T-Online's fwd hosts), from a network client it records.
    Only the name of the receiving host says so: the stamp is evidence where the receiving side
    wrote it (at or above the trust boundary); below it, it is the sender's claim like any other."""
    by = fields.by
    if not by or by[:3].lower() != "fwd" or not _has_client(fields):  # (most hops stop here)
        return False
    host = normalize_domain(by)
    return host is not None and _loginless_submission_host().fullmatch(host) is not None


def _is_internal_http(fields: ReceivedFields, same_org_client: bool) -> bool:
    """HTTP(S) between two hosts of one organisation: transport, not a user's submission.

    Only from a client whose address the stamp records: a connection between two of its servers
    (Exchange Online's "from CO1...outlook.com (2603:10b6:...) by SN1...outlook.com with HTTPS",
    "(::1)" for its last hop; Exchange writes the client's address in every stamp). A webmail
    back end names the web front end that relayed the browser's request by name alone, as
    RFC 5321 section 4.4's From-domain with no TCP-info, since no mail connection was made
    (Yahoo's "from sonicgw.mail.yahoo.co.jp by sonicconh5002.mail.kks.yahoo.co.jp with HTTP",
    "from sonic.gate.mail.ne1.yahoo.com by sonic305.consmr.mail.ne1.yahoo.com with HTTP"): that
    is the author's submission (RFC 5598 section 4.3.1), as when it names the browser's address."""
    if not same_org_client or fields.from_ip is None:
        return False
    protocol = _protocol(fields)
    return protocol.startswith("http") or (fields.via or "").strip().lower().startswith("http")


def _correct_roles_by_position(work: list[_Work], orgs: _Orgs | None = None) -> None:
    """Roles that only the position in the chain decides (RFC 5598 sections 2.1 and 4.3.3).

    * A local program's hand-over (MUA) is the message's origin only at the first hop; above
      it, ``qmail invoked by uid`` or ``from userid`` is a filter (qmail-scanner, a list
      manager) re-injecting mail it received: transport, so MTA.
    * LMTP / local delivery is the MDA only when nothing carries the message on: a later hop
      with a client (amavisd-new or another content filter handing the message back over
      SMTP) shows the earlier LMTP went to a filter, not into the mailbox.
    * Only the first authenticated hop of a journey is the submission (MSA); later ones are
      servers relaying with a login (MTA), unless the login hands the message to another
      organisation's submission service straight from where it was submitted (see
      ``_submits_to_another_organisation``).
    """
    last_with_client = next((i for i in range(len(work) - 1, -1, -1) if _has_client(work[i].fields)), -1)
    submitted = False
    start = 0  # the first hop of the current journey
    for i, item in enumerate(work):
        retrieval = item.role is Role.MUA and is_retrieval(item.fields)
        reinjection = item.role is Role.MUA and i > 0 and not retrieval
        # Exchange's Mailbox Transport delivers into the mailbox, never to a filter: hops above
        # it are the message sent on again (see build_chain's journey restart).
        filter_delivery = item.role is Role.MDA and i < last_with_client and not _mailbox_transport(item.fields)
        # RFC 6409 section 3: submission is the hand-over from the author's program. A later
        # authenticated hop of the same journey (a provider's server relaying to its outbound
        # filter with ESMTPSA) is transport between servers.
        relay_with_login = item.role is Role.MSA and submitted \
            and not _submits_to_another_organisation(work, start, i, orgs)
        if reinjection or filter_delivery or relay_with_login:
            item.role = Role.MTA
        if retrieval:
            # Fetched from the mailbox it was delivered to: what follows is a new leg.
            submitted = False
            start = i + 1
        elif item.role in (Role.MUA, Role.MSA):
            submitted = True
        elif item.role is Role.MDA:
            submitted = False  # delivered: a later submission starts a new journey
            start = i + 1


def _submits_to_another_organisation(work: Sequence[_Work], start: int, index: int, orgs: _Orgs | None) -> bool:
    """Hop ``index``'s login (or a provider's relay service, ``_relay_service``) hands the message
    from the host or organisation where it was submitted to another organisation's submission
    service: a null client's Postfix, sSMTP or msmtp logging in to smtp.gmail.com, Microsoft 365,
    Amazon SES or SendGrid after a cron job or a web script handed it the message ("from userid
    48"). That organisation's server is the one that authorised the sending, by the login (RFC
    6409 section 4.3, RFC 4954): its submission (MSA), which its customer's program or server
    made. Not when any hop of the journey so far belongs to that organisation (its servers
    relaying among themselves with a login, the rule this is the exception to), nor when the
    message already crossed the internet from one server to another (a relay with a public
    client): then the login is a relay's, later in the journey."""
    item = work[index]
    if not (item.fields.auth or _relay_service(item.fields)) or item.org is None:
        return False
    same = orgs.same if orgs is not None else (lambda a, b: a is not None and a == b)
    # A local program's stamp (MUA: sSMTP, msmtp, "from userid") is the author's own machine,
    # not one of the organisation's servers, even when it is named under the organisation's
    # domain (a laptop "sigill.intra.example.net"): when the login comes from a public address
    # outside that organisation's network (a mobile carrier's, by its looked-up name), the
    # machine logged in from outside, as a user's program does: a submission (RFC 5598 section
    # 4.3.1, RFC 6409), not the organisation's servers relaying among themselves.
    client_org = host_organization(item.fields.from_rdns)
    from_outside = bool(item.fields.auth) and _is_public_ip(item.fields.from_ip) \
        and not (client_org is not None and same(client_org, item.org))
    for earlier in work[start:index]:
        if earlier.role is Role.MUA and from_outside:
            continue
        if earlier.org is not None and same(earlier.org, item.org):
            return False
        if earlier.role is Role.MTA and _is_public_ip(earlier.fields.from_ip):
            return False
    return True


# ---------------------------------------------------------------- organisations


class _Orgs:
    """Organisations known to be one operator for this message (union of names of one host)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, org: str | None) -> str | None:
        if org is None or not self.parent:
            return org
        seen = 0
        while org in self.parent and seen < 64:
            org = self.parent[org]
            seen += 1
        return org

    def union(self, a: str | None, b: str | None) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra is None or rb is None or ra == rb:
            return False
        self.parent[rb] = ra
        return True

    def same(self, a: str | None, b: str | None) -> bool:
        if a is None:
            return False
        if not self.parent:  # the usual case: no names joined
            return a == b
        return self.find(a) == self.find(b)


def _assign_organizations(work: list[_Work]) -> None:
    """Organisation of each receiving host; unknown ``by`` names inherit from a neighbour.

    A ``by`` that is missing, an IP literal, a bare name or under a private top-level label
    says nothing about its owner. Such a hop takes, in order of evidence:

    (a) the previous hop's organisation when this hop has no client or a private/loopback one
        (the hand-over happened inside one host or network: the previous receiver's
        organisation is what the records show), or a client recorded by name alone that is the
        previous hop's ``by`` host (iCloud's "from ci74p00im-...me.com by p116-mailgateway-..."
        internal gateway: an MX taking mail from outside records the client's address);
    (b) else the name the next hop's client gave (the same machine introducing itself when it
        passed the message on): only a claim, so the last resort.

    A public client never passes its organisation on: that the client is the previous hop's
    ``by`` host proves the link (RFC 5321 section 4.4), not that the receiver belongs to the
    client's organisation. A hand-over across the internet is exactly where one organisation
    gives the message to another (a bulk sender to the recipient's ``by localhost`` Postfix).
    """
    for i, item in enumerate(work):
        if item.own_org is not None:
            item.org = item.own_org
            continue
        fields = item.fields
        inherited: str | None = None
        if i > 0:
            previous = work[i - 1]
            if not _has_client(fields) or item.private or _named_only_as_by_below(work, i):
                inherited = previous.org
        if inherited is None and i + 1 < len(work):
            for name in _client_names(work[i + 1].fields):
                inherited = host_organization(name)
                if inherited:
                    break
        item.org = inherited


def _named_only_as_by_below(work: Sequence[_Work], index: int) -> bool:
    """Hop ``index``'s receiver recorded its client by a name alone, with no address, and that
    name is the ``by`` host of the hop just below: the machine that stamped that hop handed the
    message on (RFC 5321 section 4.4), and the receiver saw no network address worth recording
    for it, as a provider's internal hand-over between its own pods shows (iCloud's "from
    p00-icloudmta-asmtp-... by p139-mailgateway-..." with no address)."""
    if index <= 0 or index >= len(work):
        return False
    fields = work[index].fields
    if fields.from_ip is not None:
        return False
    by = normalize_domain(work[index - 1].fields.by)
    return by is not None and by in {normalize_domain(name) for name in _client_names(fields)}


def vouched_client_name(hop: Hop) -> str | None:
    """The client's reverse DNS name as the receiver wrote it in the hop's Received, or None when
    it wrote none or marked it "(may be forged)" (Sendmail: the PTR name does not resolve back to
    the address, so it names whoever controls the address's reverse zone, a forger included)."""
    return _verified_client_name(hop.fields, hop.raw)


def _verified_client_name(fields: ReceivedFields, raw: str) -> str | None:
    """vouched_client_name for a hop not yet frozen (its fields and Received value as written)."""
    name = fields.from_rdns
    if not name or _may_be_forged_re().search(raw[:_SCAN_LIMIT]):
        return None
    return name


def _receiver_verified_name(fields: ReceivedFields, raw: str) -> str | None:
    """The client's reverse-DNS name where the receiver recorded it as verified: as
    vouched_client_name, and not in qmail's form, "from NAME (HELO x) (IP)" or "from NAME (IP)"
    with the address in a bare comment. qmail-smtpd writes $TCPREMOTEHOST, which tcpserver sets
    from the PTR record alone unless run with -p ("-P: (Default.) Not paranoid", tcpserver(1)):
    the name of whoever controls the address's reverse zone. (Postfix records "unknown", Exim no
    name, where the PTR name does not resolve back; sendmail marks it "(may be forged)";
    CommuniGate writes "verified".) The form is told by the Received itself (IronPort writes the
    same one, and is read the same way: unverified is the safe reading)."""
    name = _verified_client_name(fields, raw)
    if name is None or _qmail_client_form_re().match(_scan(raw)) is not None:
        return None
    return name


# The start of qmail's from clause: the name, then "(HELO x)" or the address in a comment of its
# own without brackets ("(198.51.100.7)", "(ident@198.51.100.7)"), as qmail's received.c writes it.
_qmail_client_form_re = compiled_on_first_use(
    r"\s*from\s+[^\s()]{1,255}\s+\((?:HELO\s|[^\s()@\[\]]{0,64}@?[0-9A-Fa-f:.]{2,45}\))", re.IGNORECASE)


def _client_in_org(fields: ReceivedFields, org: str | None, orgs: _Orgs | None = None) -> bool:
    """Whether the client of a hop is a host of ``org``, by names the receiver can vouch for.

    The reverse-DNS name is looked up by the receiver; the HELO name is the client's own claim.
    The HELO counts only when there is no address to contradict it, or the address is private,
    or ``org`` is one of the big operators whose internal relays talk over public addresses
    and record only the HELO name: for Microsoft and United Internet (GMX) only from their own
    networks (_operator_address); for the others an outsider could still claim such a name
    (accepted limitation).
    """
    if org is None:
        return False
    same = orgs.same if orgs is not None else (lambda a, b: a is not None and a == b)
    if fields.from_rdns and same(host_organization(fields.from_rdns), org):
        return True
    if fields.from_helo and not fields.from_rdns and same(host_organization(fields.from_helo), org):
        return (
            not fields.from_ip
            or is_non_public_ip(fields.from_ip)
            or (org in _OPERATORS and _operator_address(org, fields.from_ip))
        )
    return False


_OPERATORS = frozenset(OPERATOR_ALIASES.values())

# The addresses Exchange Online Protection sends from, as Microsoft publishes them ("Exchange
# Online" endpoints, https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges,
# and the include:spf.protection.outlook.com record): only these show a relay is really EOP's.
_EOP_NETWORKS = ("40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/14", "104.47.0.0/17",
                 "2a01:111:f400::/48", "2a01:111:f403::/48")


# Exchange Online's own addresses, as Microsoft publishes them for Exchange Online ("Microsoft 365
# URLs and IP address ranges", https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges,
# Exchange Online IDs 1, 2 and 9, and the EOP ranges of _EOP_NETWORKS), and Microsoft's IPv6
# allocations its mailbox servers talk over (2603:1000::/24, 2a01:111::/32), and 20.176.0.0/14, where
# its mailbox servers stood in 2018-2020 (20.177.206.204 in a real tenant's copy; 20.176.215.212 to
# 20.179.175.203 in public copies of that time). Microsoft publishes no 20.x block for Exchange Online
# (its 20.x blocks in that list are Entra ID's and other services'), and Azure rents the rest of
# 20.0.0.0/8, once listed whole here, to anyone: a forger on an Azure machine greeting as an Exchange
# Online host moved the boundary (verification V41a). Azure lists 20.176.0.0/14 too, so a forger there
# still passes. Also the blocks of Hotmail's and the first Exchange Online
# Protection's servers (FrontBridge), in older copies (213.199.154.182 in a 2015 Outlook paste). Its
# internal hops record only
# the client's greeting: a public address outside these with an Exchange Online greeting is an
# outsider's claim (verification V18 P1: a direct-to-MX forger greeting as
# "CH0PR03CA0999.namprd03.prod.outlook.com" moved the trust boundary down to its forged hops).
_MICROSOFT_NETWORKS = (*_EOP_NETWORKS, "13.107.6.152/31", "13.107.18.10/31", "13.107.128.0/22", "20.176.0.0/14",
                       "23.103.160.0/20", "40.96.0.0/13", "40.104.0.0/15", "52.96.0.0/14", "131.253.33.215/32", "132.245.0.0/16", "150.171.32.0/22",
                       "204.79.197.215/32", "64.4.0.0/18", "65.52.0.0/14", "94.245.64.0/18", "134.170.0.0/16",
                       "157.54.0.0/15", "157.56.0.0/14", "207.46.0.0/16", "213.199.128.0/18", "216.32.176.0/20",
                       "2603:1000::/24", "2620:1ec:4::152/128", "2620:1ec:c::10/128",
                       "2620:1ec:d::10/128", "2a01:111::/32")


@functools.cache
def _microsoft_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in _MICROSOFT_NETWORKS)


# United Internet's mail platform (GMX, WEB.DE, mail.com and IONOS share one "Nemesis" MX and relay
# system). Its MX records only the client's greeting and address, also between its own hosts ("from
# mout.gmx.net ([212.227.17.20]) by mx-ha.gmx.net (mxgmx114 [212.227.17.5]) with ESMTPS (Nemesis)",
# real GMX-to-GMX copy, 2022): a public address outside these with a greeting in its name is an
# outsider's claim (verification V37: a direct-to-MX forger greeting as mout.gmx.net from an address
# of its own, a forged GMX stamp below, read authenticated). The ip4: ranges of its SPF records as
# public copies quote them (gmx.net/_spf.gmx.net, gmx.com, web.de and _spf-eu.ionos.com, 2019-2026:
# SEC Consult's "SMTP Smuggling" paper, 2023, among others), which hold every outbound relay of real
# copies (mout.gmx.net 212.227.15.15-19 and 212.227.17.20-22, mout.web.de 212.227.15.3/4,
# 212.227.17.11/12 and 217.72.192.78, mout.gmx.com 74.208.4.200/201, mout.kundenserver.de
# 212.227.126.131-187, 212.227.17.10-24 and 217.72.192.73/74), and GMX's own mail /24 212.227.17.0/24
# (its MX mx-ha.gmx.net 212.227.17.5 and mx-ha.web.de 212.227.17.8, its submission hosts mrgmx
# 212.227.17.168-190, pop3.web.de 212.227.17.177). Not its whole allocations (212.227.0.0/16,
# 82.165.0.0/16, 74.208.0.0/16, 2001:8d8::/32): IONOS rents servers in them to anyone, as Azure
# does in Microsoft's 20.0.0.0/8 (verification V41a). It publishes no ip6: range for mail.
_UNITED_INTERNET_NETWORKS = ("74.208.4.192/26", "74.208.5.64/26", "74.208.122.0/26", "82.165.159.0/24",
                             "82.165.229.31/32", "82.165.229.130/32", "82.165.230.21/32", "82.165.230.22/32",
                             "185.48.116.13/32", "212.227.15.0/24", "212.227.17.0/24", "212.227.126.128/25",
                             "213.165.64.0/23", "217.72.192.64/26", "217.72.192.248/29", "217.72.207.0/27")

# The operators whose internal hops record only the client's greeting and address, with the networks
# they publish: a greeting in their name counts only from these (see _operator_address).
_OPERATOR_NETWORKS: dict[str, tuple[str, ...]] = {
    "outlook.com": _MICROSOFT_NETWORKS,
    "gmx.net": _UNITED_INTERNET_NETWORKS,
}


@functools.cache
def _operator_networks(org: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in _OPERATOR_NETWORKS[org])


def _operator_address(org: str, address: str) -> bool:
    """Whether a public client address may be one of the operator's own, for trusting a greeting
    in its name: for the operators of _OPERATOR_NETWORKS (Microsoft, United Internet) only their
    published networks; for the others any (accepted limitation: an outsider could still claim
    such a name)."""
    if org not in _OPERATOR_NETWORKS:
        return True
    ip = _ip(address)
    if ip is None:
        return False
    # Addresses reserved for documentation (RFC 5737, RFC 3849) are never on the internet: they
    # stand in for real ones in examples, and contradict no greeting.
    return any(ip.version == net.version and ip in net
               for net in (*_operator_networks(org), *_documentation_networks()))


@functools.cache
def _documentation_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))


_from_network_re = compiled_on_first_use(r"\binvoked from network\b", re.IGNORECASE)


def _client_inside(work: Sequence[_Work], index: int, org: str | None, orgs: _Orgs | None = None) -> bool:
    item = work[index]
    fields = item.fields
    if not _has_client(fields):
        # No "from" part: the hand-over happened inside the receiving host (Gmail's
        # "by 2002:...", qmail's "invoked from network" above qmail-smtpd's own line). Unless
        # the parser could not read a "from" part that is there: then nothing vouches for the
        # client.
        return fields.complete or not item.header.value.lstrip()[:5].lower().startswith("from")
    if item.private:
        return True
    if fields.from_ip is None and all(n.lower().rstrip(".") in _LOCALHOST_NAMES for n in _client_names(fields)):
        # "(from majordomo@localhost) by host": sendmail's record of a local submission. With
        # no address, a client named localhost is a program on the receiving host itself
        # (RFC 1122 section 3.2.1.3), as with a loopback address.
        return True
    if _is_local_delivery(fields, item.header.value):
        # LMTP is for delivery inside a site, never across the internet (RFC 2033 section 1),
        # and "with local" is delivery on the host itself.
        return True
    if org is not None and _named_only_as_by_below(work, index) \
            and all(host_organization(n) is None and not is_ip_literal(n) for n in _client_names(fields)) \
            and (orgs.same(work[index - 1].org, org) if orgs is not None else work[index - 1].org == org):
        # A client named only by a name with no domain (an internal pod name) that is the ``by``
        # host of the hop below, of this organisation: the receiver, whose stamp this is (the walk
        # only reaches hops the receiving side wrote), handed the message on between its own
        # hosts; _assign_organizations reads such a hop the same way. A client across the internet
        # is recorded with its address, so text below the boundary cannot bring this about: the
        # stamp that vouches is the receiver's. (A name with a domain is judged by that domain,
        # in _client_in_org: a hand-over to another organisation stays outside.)
        return True
    if tenant_handover(fields):
        return False
    return _client_in_org(fields, org, orgs)


# Exchange Online Protection's outbound relays, which carry a Microsoft 365 tenant's mail to
# other organisations ("NAM01-SN1-obe.outbound.protection.outlook.com",
# "mail-dm6nam11on2091.outbound.protection.outlook.com"): mail for a recipient in the sender's
# own tenant is delivered inside it and never leaves through them.
_EOP_OUTBOUND_SUFFIX = ".outbound.protection.outlook.com"


@functools.cache
def _eop_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in _EOP_NETWORKS)


def _eop_outbound_address(text: str | None) -> bool:
    ip = _ip(text)
    return ip is not None and any(ip.version == net.version and ip in net for net in _eop_networks())


def tenant_handover(fields: ReceivedFields) -> bool:
    """A hop where a Microsoft host took the message from EOP's outbound relay: one Microsoft 365
    (or Outlook.com) tenant handing it to another, as any outside sender would. All of Exchange
    Online's hosts share outlook.com, so the organisation of the names cannot tell the tenants
    apart; the outbound relay can. Its name is only the client's greeting, which an outside server
    could also give: that changes nothing, as either way the client is outside the receiving
    tenant (the reading is never more trusting than taking the hop for the boundary)."""
    if host_organization(fields.by) != "outlook.com" or not _is_public_ip(fields.from_ip):
        return False
    return any(name.lower().rstrip(".").endswith(_EOP_OUTBOUND_SUFFIX) for name in _client_names(fields))


def proven_tenant_handover(fields: ReceivedFields) -> bool:
    """A tenant hand-over (see tenant_handover) whose relay is shown to be Exchange Online
    Protection's by more than the client's greeting: its address is in EOP's published outbound
    networks, or the receiver's own reverse-DNS look-up names an outbound relay. Only then are
    Microsoft-named fields below it the sending tenant's work rather than a direct sender's text
    (review V17 N4: a forger greeting as PH7PR06CU001.outbound.protection.outlook.com)."""
    if not tenant_handover(fields):
        return False
    return _eop_outbound_address(fields.from_ip) or bool(
        fields.from_rdns and fields.from_rdns.lower().rstrip(".").endswith(_EOP_OUTBOUND_SUFFIX))


def client_in_organization(hop: Hop) -> bool:
    """Whether a hop's client is inside the hop's own (receiving) organisation: no client named
    (a hand-over inside the host), a private or loopback address, LMTP or local delivery (RFC 2033
    section 1: never across the internet), or a client name of the organisation by the rules of
    _client_in_org (the receiver's reverse-DNS name; the greeting only where no public address
    contradicts it, with the big operators' accepted exception)."""
    fields = hop.fields
    if not _has_client(fields) or hop.private_client or is_non_public_ip(fields.from_ip):
        return True
    return _is_local_delivery(fields, hop.raw) or _client_in_org(fields, hop.organization)


def is_retrieval(fields: ReceivedFields) -> bool:
    """A mailbox download: fetchmail or getmail pulling the message from the recipient's
    mailbox over POP3 or IMAP (RFC 1939, RFC 9051), then handing it to the local MTA. Not an
    SMTP hand-over: its client is the recipient's own mailbox provider."""
    return _protocol(fields).startswith(("pop", "imap"))


def _org_below_retrieval(work: list[_Work], index: int, orgs: _Orgs) -> str | None:
    """The receiving organisation below a retrieval hop (``index`` > 0): the recipient's own
    program fetched the message from its mailbox, so below it the receiving side is the mailbox
    provider, whose server the fetch came from."""
    fields = work[index].fields
    return orgs.find(work[index - 1].org) or orgs.find(host_organization(fields.from_rdns or fields.from_helo))


def _local_pickup(item: _Work) -> bool:
    """The field records a local program's hand-over with no network client (a pickup)."""
    if _has_client(item.fields):
        return False
    raw = _scan(item.header.value)
    low = raw.lower()
    # Substring checks first: each alternative of the regex needs its word.
    return ("userid" in low or "invoked" in low or "/submit)" in low or "pickup" in low or "emulation)" in low
            or "dragonfly" in low) and _local_program_re().search(raw) is not None


# Words of generic reverse names that ISPs and hosters give customer lines and pools (RFC 1912
# section 2.1 asks every address for a name; M3AAWG's rDNS best practice and SpamAssassin's
# RDNS_DYNAMIC read these words as an access line, not a mail server).
_ACCESS_LINE_WORDS = frozenset({"dyn", "dynamic", "dsl", "adsl", "vdsl", "xdsl", "cable", "dhcp", "pool", "ppp",
                                "pppoe", "dialup", "dial", "customer", "customers", "client", "clients",
                                "broadband", "hsd", "res", "residential"})
_NAME_WORD_RE = compiled_on_first_use(r"[a-z]{1,30}")
# Access-line words found run together inside a longer word ("dslpool", "dynip", "modemcable",
# verification V56a D1-2); "pool" and "client" only whole, as "spool" and "mailclient" name servers.
_ACCESS_LINE_PARTS = ("dsl", "dyn", "dhcp", "ppp", "cable", "dialup", "broadband", "customer", "residential")
_DIGIT_RUN_RE = compiled_on_first_use(r"[0-9]{1,3}")
_HEX_RUN_RE = compiled_on_first_use(r"[0-9a-f]{1,4}")


def _names_the_relay(name: str, greeting: str | None, below_by: str | None) -> bool:
    """The confirmed name is the host the client greeted as, or the receiver the hop below names:
    the organisation's named server, not any address its zone happens to name."""
    wanted = name.lower().rstrip(".")
    return any(host is not None and str(host).lower().rstrip(".") == wanted for host in (greeting, below_by))


def _access_line_name(name: str, ip: str | None) -> bool:
    """A generic reverse name of an access line: it embeds the address (dsl-203-0-113-66,
    c-73-15-22-101, cb007142) or carries an access-line word. An organisation's zone names its
    customers' lines and hosted machines too; such a name says nothing of a relay."""
    low = name.lower().rstrip(".")
    organization = host_organization(low)
    # Only the labels below the registered domain: the organisation's own name is not a sign.
    local = low[:-len(organization)] if organization and low.endswith(organization) else low
    words = _NAME_WORD_RE().findall(local[:253])
    if any(word in _ACCESS_LINE_WORDS for word in words[:64]) or "static-ip" in local \
            or any(part in word for word in words[:64] for part in _ACCESS_LINE_PARTS):
        return True
    address = _ip(ip)
    if address is None:
        return False
    if address.version == 4:
        octets = [int(octet) for octet in str(address).split(".")]
        # The four numbers in the name's digit runs, in either order, however padded and
        # separated ("modemcable066.113-0-203", "c-73-15-22-101"), or run together as hex.
        numbers = [int(run) for run in _DIGIT_RUN_RE().findall(local[:253])[:64]]
        for order in (octets, octets[::-1]):
            if any(numbers[at:at + 4] == order for at in range(len(numbers) - 3)):
                return True
        return f"{int(address):08x}" in local or "".join(str(octet) for octet in octets) in local \
            or "".join(str(octet).zfill(3) for octet in octets) in local
    # IPv6: the name's hex groups (however padded, written out or compressed) hold the address's
    # own eight groups in order, or its 32 nibbles run together.
    groups = [int(group, 16) for group in address.exploded.split(":")]
    runs = [int(run, 16) for run in _HEX_RUN_RE().findall(local[:253])[:64]]
    compressed_groups = [int(group, 16) for group in str(address).split(":") if group]
    for wanted in (groups, compressed_groups):
        if len(wanted) >= 3 and any(runs[at:at + len(wanted)] == wanted for at in range(len(runs) - len(wanted) + 1)):
            return True
    return address.exploded.replace(":", "") in local or str(address).replace(":", "-") in local


# Local hand-over stamps that the pickup words above do not name (verification V56a D1-1):
# sendmail's $_ macro "(from user@localhost) by host" of a local submission (with or without
# ".../Submit"), and OpenSMTPD's "from localhost (host [local])" for smtpctl's enqueue.
_localhost_user_re = compiled_on_first_use(r"\s{0,20}\(from\s{1,5}[^\s()@]{1,64}@localhost\)\s{1,20}by\s",
                                           re.IGNORECASE)
_opensmtpd_local_re = compiled_on_first_use(r"\s{0,20}from\s{1,5}\S{1,255}\s{1,20}\([^()\[]{0,255}\[local\]\)",
                                            re.IGNORECASE)


def _local_handover(item: _Work) -> bool:
    """The field records a local program handing the message in, with no network client: the
    pickups of _local_pickup, Exim's and Courier's "with local" / "with local-esmtp" (a process on
    the host ran the MTA's sendmail), sendmail's "(from user@localhost)" and OpenSMTPD's
    "[local]" client."""
    if _local_pickup(item):
        return True
    fields = item.fields
    if fields.from_ip and not item.private:
        return False
    protocol = _protocol(fields)
    if protocol == "local" or protocol.startswith("local-"):
        return True
    raw = _scan(item.header.value)[:600]
    return ("@localhost)" in raw.lower() and _localhost_user_re().match(raw) is not None) \
        or ("[local])" in raw.lower() and _opensmtpd_local_re().match(raw) is not None)


# Programs that only send and never receive from the network (nullmailer, sSMTP, the DragonFly
# Mail Agent): nothing is re-injected through them, so every Received below their stamp is text
# the local user handed in.
_send_only_re = compiled_on_first_use(r"\(nullmailer\s|\(sSMTP sendmail emulation\)|\(DragonFly Mail Agent\b",
                                      re.IGNORECASE)


def _send_only_handover(item: _Work) -> bool:
    """The stamp is a send-only program's local hand-over (see _send_only_re)."""
    if _has_client(item.fields):
        return False
    raw = _scan(item.header.value)[:600]
    low = raw.lower()
    return ("nullmailer" in low or "emulation)" in low or "dragonfly" in low) and _send_only_re().search(raw) is not None


def _names_another_receiver(pickup_host: str | None, below_host: str | None) -> bool:
    """Both fields name their receiving host, and the names differ."""
    return bool(pickup_host and below_host) and \
        str(pickup_host).lower().rstrip(".") != str(below_host).lower().rstrip(".")


def _walk(work: list[_Work], orgs: _Orgs, inside: set[int]) -> tuple[int, bool]:
    """The trust boundary (0-based) by walking down from the last hop; see _find_boundary."""
    final_org = orgs.find(work[-1].org)
    for index in range(len(work) - 1, -1, -1):
        if index not in inside and is_retrieval(work[index].fields) and index > 0:
            final_org = _org_below_retrieval(work, index, orgs)
            continue
        if index > 0 and index not in inside and _local_handover(work[index]) \
                and (_names_another_receiver(work[index].fields.by, work[index - 1].fields.by)
                     or (_send_only_handover(work[index]) and _is_public_ip(work[index - 1].fields.from_ip))):
            # A local program on one host handed the message in here ("by web1 (Postfix, from
            # userid 33)", sendmail's ".../Submit"), and the Received below names another host
            # as its receiver: not a filter or list manager re-injecting what its own host
            # received (qmail-scanner, ezmlm, a Postfix pipe filter: the same host, or no host
            # named), but a user or script submitting text it holds, Received fields included.
            # The message entered the receiving side here, from no network client (RFC 5598
            # section 2.1, the MUA's hand-over; verification V55d D1-2). The same holds for Exim's
            # and Courier's "with local", sendmail's "(from user@localhost)" and OpenSMTPD's
            # "[local]" stamps, and for a send-only program's stamp (nullmailer names no host) over
            # any public client, as nothing is ever re-injected through it (verification V56a D1-1).
            return index, True
        if index not in inside and not _client_inside(work, index, final_org, orgs):
            return index, True
        if index == 0 and not _has_client(work[0].fields) and _from_network_re().search(work[0].header.value[:200]):
            # qmail's "(qmail 2038 invoked from network)" with no hop below it: qmail-queue run by
            # qmail-smtpd for a client that connected over the network, whose own Received line
            # (which names it, just below) this copy lost, as a list archive's does. The message
            # came from outside; who sent it is not recorded. ("invoked by uid N" is a local
            # injection.)
            return 0, True
    for i, item in enumerate(work):
        if _is_public_ip(item.fields.from_ip):
            return i, False
    for i, item in enumerate(work):
        if _ip(item.fields.from_ip) is not None:
            return i, False
    return 0, False


def _learn_same_host_names(work: list[_Work], start: int, orgs: _Orgs) -> bool:
    """Join organisations that name one machine, from hops at or above ``start`` only.

    A loopback hand-over happens inside one host (RFC 1122 section 3.2.1.3), so the names the
    receiver gives both ends of it (the reverse name it looked up for the loopback address,
    the ``by`` name, the name a filter writes after ``by``, e.g. amavisd-new's "by localhost
    (host.example.net [127.0.0.1])") belong to one operator. Only hops the receiving side wrote
    are used: below the boundary the names are the sender's to choose.

    The client's HELO is the name the client chose to give (RFC 5321 section 4.1.1.1), and on a
    loopback connection the client is a program on the host that may greet with anything: a
    transparent SMTP proxy (clamsmtp, spampd) passes on the remote client's own greeting ("from
    mail0.bemta0.messagelabs.com (localhost [127.0.0.1]) by r2.example.net"), a hosting
    customer's script greets with the customer's domain. Joining such a name would make the
    sender's organisation the receiver's and move the trust boundary down into the sender's
    hops. So the HELO counts only when it is the ``by`` name of the hop just below: the server
    on this host that received the message handing it on under its own name (Postfix greeting
    amavisd-new as "i1rrzssmtp01v.rz-as.de"), never a name of that hop's client.
    """
    changed = False
    for index in range(max(start, 0), len(work)):
        fields = work[index].fields
        if not _is_loopback(fields.from_ip):
            continue
        names = [fields.from_rdns, fields.by]
        helo = normalize_domain(fields.from_helo)
        if helo is not None and index > 0 and helo == normalize_domain(work[index - 1].fields.by) \
                and helo not in {normalize_domain(n) for n in _client_names(work[index - 1].fields)}:
            names.append(fields.from_helo)
        item = work[index]
        m = _by_comment_host_re().search(_scan(item.header.value))
        if m is not None:
            names.append(m.group(1))
        found = [o for o in (host_organization(n) for n in names) if o]
        for other in found[1:]:
            changed = orgs.union(found[0], other) or changed
    return changed


def _private_range(address: str) -> str:
    """The kind of non-public address, with the RFC that sets it apart."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return "RFC 1918, RFC 4193, RFC 6598"
    if ip.is_link_local:
        return "a link-local address, RFC 3927" if ip.version == 4 else "a link-local address, RFC 4291 section 2.5.6"
    if ip.version == 6:
        return "a unique local address, RFC 4193"
    if ip in ipaddress.ip_network("100.64.0.0/10"):
        return "shared address space for carrier-grade NAT, RFC 6598"
    return "a private address, RFC 1918"


def _private_entry_unseen(entry: _Work, receiving_org: str | None) -> bool:
    """Whether the hop where the message entered records a private client address with no login
    and no reverse-DNS name in the receiving organisation: the receiver's own server, or a proxy
    or NAT hiding the real client; the HELO (the client's own choice) tells neither."""
    fields = entry.fields
    if fields.auth or not fields.from_ip or not is_non_public_ip(fields.from_ip) or _is_loopback(fields.from_ip):
        return False
    if entry.role is Role.MSA:
        # A submission the receiving server recorded as one (Exchange's "with mapi": an Outlook
        # client logged in to its mailbox; an authenticated protocol): the sender is known to it.
        return False
    rdns_org = host_organization(fields.from_rdns) if fields.from_rdns else None
    return rdns_org is None or rdns_org != receiving_org


def _learn_private_handover_names(work: list[_Work], boundary: int, orgs: _Orgs) -> bool:
    """Join the organisation of a client on a private address with its receiver's, from hops
    the walk judged inside (above ``boundary``) only.

    A private address cannot be reached across the internet (RFC 1918 section 3): a hop above
    the boundary whose client is on one is a hand-over inside the receiving site, and the walk
    already goes on below it. When that client greets with the ``by`` name of the hop just below
    (the server that stamped that hop handing the message on under its own name), that server
    and this hop's receiver are one site under two domains (an ISP's gateway named after its
    parent company's domain), so the walk must not stop at the hop below for its domain alone.
    Only hops the receiving side wrote are used (the walk reached them from the top); a private
    hop below the boundary is the sender's text and joins nothing. An authenticated submission
    over a private address is a customer's server logging in to its provider (RFC 4954): its
    name is the customer's own, never joined.
    """
    changed = False
    for index in range(max(boundary, 0) + 1, len(work)):
        item = work[index]
        fields = item.fields
        if not item.private or _is_loopback(fields.from_ip) or fields.auth:
            continue
        below = normalize_domain(work[index - 1].fields.by)
        if below is None or below not in {normalize_domain(n) for n in _client_names(fields)}:
            continue
        client_org = host_organization(below)
        receiver_org = item.org or host_organization(fields.by)
        if client_org is not None and receiver_org is not None:
            changed = orgs.union(receiver_org, client_org) or changed
    return changed


def _links(work: list[_Work], below: int, above: int, orgs: _Orgs) -> bool:
    """Whether hops below..above connect: each ``by`` is the next hop's client."""
    for k in range(below, above):
        nxt = work[k + 1].fields
        if not _has_client(nxt) or work[k + 1].private:
            continue
        if _link_matches(work[k].fields.by, nxt, orgs) is not True:
            return False
    return True


def _recorded_arrival_above(work: list[_Work], orgs: _Orgs, statements: Sequence[_Statement],
                            boundary: int) -> int | None:
    """The hop above the walk's boundary where the receiver says it took the message from outside,
    or None: the topmost hop whose client is a public address inside the receiving organisation by
    its greeting alone (no reverse DNS name of it, no operator network: _client_in_org's accepted
    limitation for Google, Yahoo...), when a result field in the receiver's name (or in none) above
    the walk's boundary records that very address as the client it checked (RFC 7208 section 9.1
    client-ip). A spoofer greeting as mail-sor-f41.google.com with a forged "from mx3.slc.paypal.com
    ... by mx.google.com" below moved the boundary onto its forged line and read authenticated
    (verification V36): the receiver's record of whom it checked outweighs a greeting. The
    receiving organisation is the walk's (_walk): below a retrieval hop (fetchmail), the mailbox
    provider's (V37)."""
    if not work or not statements:
        return None
    below = work[boundary].header.index
    final_org = orgs.find(work[-1].org)
    for k in range(len(work) - 1, boundary, -1):
        fields = work[k].fields
        if is_retrieval(fields):
            final_org = _org_below_retrieval(work, k, orgs)  # (k > boundary >= 0)
            continue
        if final_org is None or final_org == "outlook.com":
            continue  # (Exchange Online's greetings are believed only from Microsoft's networks)
        if not fields.from_ip or work[k].private or not fields.from_helo:
            continue
        if fields.from_rdns and orgs.same(host_organization(fields.from_rdns), final_org):
            continue  # the receiver's own lookup names it one of its hosts
        if not orgs.same(host_organization(fields.from_helo), final_org):
            continue
        address = _ip(fields.from_ip)
        # (A field naming no writer counts too: Yahoo's Received-SPF names none. It can only move the
        # boundary up, to a hop whose client the field names, never below the walk's.)
        if address is not None and any(
                st.index < below and _ip(st.ip) == address
                and (st.writer_org is None or orgs.same(st.writer_org, final_org)) for st in statements):
            return k
    return None


def _find_boundary(work: list[_Work], orgs: _Orgs, statements: Sequence[_Statement],
                   reverse_names: ReverseNames | None, mail_exchangers: MailExchangers | None = None,
                   addressed_domains: Sequence[str] = (), skip_listed: Sequence[str] = (),
                   trusted_relays: Sequence[TrustedRelay] = ()) -> _Boundary:
    """The trust boundary (0-based hop index) and whether the message came from outside.

    Walk down from the last hop while each hop's client is inside the final receiving
    organisation (the organisation of the last hop's receiver): no client (a hand-over inside
    one host), a private/loopback address (the previous receiver sits on the same network),
    LMTP/local delivery, or a client host name of the organisation. The first hop, going down,
    whose client is outside is the boundary: its client IP, HELO and envelope sender are what
    SPF evaluates, and every hop below it is the sender's claim.

    A client known only by its HELO name on a public address is a claim. It is believed,
    and the walk goes on below it, only on the receiver's evidence:

    * the client's address has a forward-confirmed PTR name in the organisation (the
      ``reverse_names`` hook, when DNS is available);
    * a Received-SPF / Authentication-Results written by the organisation records, as the
      client it checked (RFC 7208 section 9.1 ``client-ip``), the address of a lower hop whose
      ``by`` is that organisation's host, and the hops in between connect: the receiver said
      where it accepted the message (an IronPort or other gateway in front of an internal
      Exchange that records only HELO names).

    Otherwise, when the HELO names a host of the organisation and the hop below connects to
    it, the boundary stays and is reported as uncertain, with the alternative.

    If every hop is internal (a message sent inside one organisation, e.g. Gmail to Gmail),
    the boundary is where the message entered the organisation's mail system: the earliest
    hop recording a public client address, else the earliest recording any address, else hop 1.
    """
    inside: set[int] = set()
    index, outside = _walk(work, orgs, inside)
    # Aliases learnt from the receiver's own loopback hops can move the boundary, which can
    # bring more hops into view; each round only adds, and names are few: bounded.
    for _ in range(4):
        learned = _learn_same_host_names(work, index, orgs)
        if outside:
            learned = _learn_private_handover_names(work, index, orgs) or learned
        if not learned:
            break
        index, outside = _walk(work, orgs, inside)
    result = _Boundary(index=index, from_outside=outside)
    recorded_arrival = _recorded_arrival_above(work, orgs, statements, result.index)
    if recorded_arrival is not None:
        result.index, result.from_outside = recorded_arrival, True
        result.notes.append(Finding(
            id="hops.boundary_uncertain", severity=Severity.INFO,
            title=f"Trust boundary placed at hop {recorded_arrival + 1} on the receiver's own record",
            explanation=f"Hop {recorded_arrival + 1}'s client ({work[recorded_arrival].fields.from_ip}) called itself "
                        f"{str(work[recorded_arrival].fields.from_helo)[:120]}, a name of the receiving organisation, "
                        "but no reverse DNS name vouches for it, and the receiver's own result field records that "
                        "address as the client it checked: the receiver took the message from outside there, and "
                        "the Received fields below it are the sender's text, however they name the receiver.",
            reference=_RFC5321_TRACE, subject=f"hop {recorded_arrival + 1}"))
    gateway = (_inbound_gateway(work, orgs, result.index, mail_exchangers, reverse_names, addressed_domains)
               if outside else None)
    if gateway is None and outside:
        possible = _possible_gateway(work, orgs, result.index, mail_exchangers, addressed_domains)
        if possible is not None:
            result.notes.append(possible[0])
            result.gateway = possible[1]
        elif mail_exchangers is not None:
            unbound = _unbound_eop_intake(work, orgs, result.index, mail_exchangers, reverse_names,
                                          addressed_domains)
            if unbound is not None:
                result.notes.append(unbound)
    if gateway is not None:
        service, exchanger, domain = gateway
        handed_on = result.index
        inside.add(result.index)
        result.index, result.from_outside = _walk(work, orgs, inside)
        intake = _gateway_intake(work, handed_on, service, orgs)
        if intake is not None and result.index < intake:
            # The service took the message from outside at its intake (it recorded a public
            # client there): nothing below is the receiving side's, whatever the intake's client
            # called itself. The walk trusts a big operator's greeting from any address
            # (_client_in_org), so a forger greeting the gateway as "mail-sor-f41.google.com"
            # walked it down into its own text below, and a real Microsoft 365 sender's hops
            # counted as the recipient tenant's (verification V47b).
            result.index, result.from_outside = intake, True
        result.gateway = InboundGateway(service=service, client_ip=_plain_ip(work[handed_on].fields.from_ip),
                                        handed_on=handed_on + 1, intake=result.index + 1, confirmed=True,
                                        tenant=_named_tenant(exchanger, work[handed_on].fields.from_rdns))
        result.notes.append(Finding(
            id="hops.inbound_gateway", severity=Severity.INFO,
            title=f"{domain} receives its mail through {service}: the trust boundary is there",
            explanation=f"{domain}'s MX host is {exchanger}, a host of {service}: the receiving organisation "
                        f"takes its mail through that filtering service, which hands it on. So the message "
                        f"entered the receiving side where {service} accepted it (hop {result.index + 1}), and "
                        f"SPF is evaluated for that hop's client, not for {service}'s relay.",
            reference="https://www.rfc-editor.org/rfc/rfc5321#section-5.1", subject=f"hop {result.index + 1}",
        ))
    if result.from_outside and tenant_handover(work[result.index].fields):
        # Not a relay of the receiving tenant known by its greeting alone (below): all of
        # Exchange Online's hosts are outlook.com's, so neither a PTR name nor a Microsoft
        # Received-SPF under the hop would move the boundary below the other tenant's relay.
        fields = work[result.index].fields
        greeting = str(fields.from_helo or fields.from_rdns)[:120]
        if proven_tenant_handover(fields):
            # The receiver looked the name up, or the address is one of EOP's: Microsoft's relay.
            client = (f"from {str(fields.from_rdns or greeting)[:120]} ({fields.from_ip}), one of Exchange Online "
                      "Protection's outbound relays, which carry a tenant's mail to other organisations. Every "
                      "host here is Microsoft's, but ")
        else:
            # Only the client's greeting names the relay, which any server can give itself.
            client = (f"from {fields.from_ip}, which called itself {greeting}, the name of one of Exchange Online "
                      "Protection's outbound relays (which carry a tenant's mail to other organisations); its "
                      "address is not one of Microsoft's, and nothing the receiver looked up says it is one. "
                      "Whether or not it is, ")
        below = "the hops below belong to the sending tenant: " if result.index > 0 else ""
        result.notes.append(Finding(
            id="hops.tenant_handover", severity=Severity.INFO,
            title=f"Microsoft 365 tenant to tenant: the trust boundary is hop {result.index + 1}",
            explanation=f"At hop {result.index + 1}, {str(fields.by)[:120]} (Exchange Online) took the message "
                        f"{client}{below}the receiving tenant took the message from outside there, and SPF and "
                        "the results it recorded judge that hop's client.",
            reference=_RFC5321_TRACE, subject=f"hop {result.index + 1}",
        ))
    lookups = 0
    # (Placed on the receiver's own record of the client it checked: no greeting below moves it.)
    while result.from_outside and result.index > 0 and recorded_arrival is None \
            and not tenant_handover(work[result.index].fields):
        b = result.index
        fields = work[b].fields
        final_org = orgs.find(work[-1].org)
        claimed = host_organization(fields.from_helo)
        if not fields.from_helo or fields.from_rdns or not _is_public_ip(fields.from_ip):
            break
        # (1) The client's address says which host it is (FCrDNS, RFC 8601 section 3 "iprev").
        if reverse_names is not None and fields.from_ip and lookups < 3 and final_org is not None:
            lookups += 1
            answer = reverse_names(fields.from_ip)
            if answer is not None:
                names, confirmed = answer
                below_by = work[b - 1].fields.by
                if confirmed and any(orgs.same(host_organization(n), final_org)
                                     and _names_the_relay(n, fields.from_helo, below_by)
                                     and not _access_line_name(n, fields.from_ip) for n in names[:10]):
                    inside.add(b)
                    result.index, result.from_outside = _walk(work, orgs, inside)
                    continue
        # (2) The organisation's own record of the client it checked, at a lower hop.
        moved = _boundary_from_statement(work, b, claimed, final_org, orgs, statements)
        if moved is not None:
            j, statement = moved
            writer = statement.writer_org or claimed or "the receiver"
            result.notes.append(Finding(
                id="hops.boundary_uncertain", severity=Severity.INFO,
                title=f"Trust boundary placed at hop {j + 1} on the receiver's own record",
                explanation=f"Hop {b + 1}'s client is known only by the name it gave "
                            f"({fields.from_helo[:120]}), which the receiving server did not check. "
                            f"A Received-SPF or Authentication-Results written by {writer} records "
                            f"{statement.ip} as the client it checked, which is hop {j + 1}'s client, "
                            f"and the hops in between connect: {writer} accepted the message at hop "
                            f"{j + 1}, so that is where the receiving side took it over.",
                reference=_RFC7208_RECEIVED_SPF, subject=f"hop {j + 1}",
            ))
            if work[-1].org is None and claimed is not None:
                for item in work[j:]:
                    if item.org is None:
                        item.org = claimed
            result.index = j
            inside.add(b)
            break
        # (2b) Exchange Online's own record, behind the tenant's gateway, of the sender's server it
        # looked past the gateway to (Enhanced Filtering for Connectors): the receiving side's word.
        skipped = _skip_listed_boundary(work, b, final_org, orgs, statements, skip_listed)
        if skipped is not None:
            j, statement = skipped
            named = " X-MS-Exchange-SkipListedInternetSender names it too (a copy of that field sits among the " \
                "message's own, where a sender can write one: it is not what moves the boundary)." \
                if _ip(statement.ip) in {_ip(ip) for ip in skip_listed[:4]} else ""
            result.notes.append(Finding(
                id="hops.boundary_uncertain", severity=Severity.INFO,
                title=f"Trust boundary placed at hop {j + 1} on Exchange Online's own record "
                      "(Enhanced Filtering for Connectors)",
                explanation=f"At hop {b + 1}, Exchange Online ({str(fields.by)[:120]}) took the message from "
                            f"{fields.from_ip}, which called itself {fields.from_helo[:120]}; but its own "
                            f"Authentication-Results or Received-SPF, written above that Received, records "
                            f"{statement.ip} as the client it checked, which is hop {j + 1}'s client, and the "
                            f"hops in between connect. Exchange Online checks an earlier hop's client only when "
                            f"the tenant has Enhanced Filtering for Connectors (skip listing) on the connector "
                            f"from its own gateway or on-premises servers, which it looks past: so the "
                            f"receiving side took the message from outside at hop {j + 1}, and SPF is evaluated "
                            f"for that hop's client.{named} A sender that connects to Exchange Online directly "
                            f"is recorded as the client it is.",
                reference=_ENHANCED_FILTERING_DOCS, subject=f"hop {j + 1}",
            ))
            # The MX would tell no more than this record does: the gateway's hand-over was the tenant's.
            result.notes = [note for note in result.notes if note.id != "hops.gateway_possible"]
            result.index = j
            inside.add(b)
            break
        # (3) Only the HELO says so: keep the boundary, say what else it could be.
        if claimed is not None and (final_org is None or orgs.same(claimed, final_org)) \
                and _links(work, b - 1, b, orgs):
            assumed = inside | {b}
            alt, _ = _walk(work, orgs, assumed)
            # Relays of the organisation known only by their greetings, one after another (Exchange
            # 2003's SMTPSVC records no reverse-DNS name): the alternative is the furthest hop that
            # the same reading reaches, not the next of them.
            for _ in range(8):
                if final_org is None or not 0 < alt < b:
                    break
                relay = work[alt].fields
                if relay.from_rdns or not relay.from_helo or not _is_public_ip(relay.from_ip) \
                        or not orgs.same(host_organization(relay.from_helo), final_org) \
                        or not _links(work, alt - 1, alt, orgs):
                    break
                assumed = assumed | {alt}
                alt, _ = _walk(work, orgs, assumed)
            if final_org is None:
                alt = b - 1 if alt >= b else alt
            if alt >= b:
                break  # the other reading reaches no earlier hop: nothing uncertain to say
            result.alternative = alt
            # With a receiver that names itself without a domain ("by mx40"), the HELO's
            # organisation is only compared with nothing: said as a possibility, not a fact.
            # The server without a domain is the final receiver (whose organisation the walk
            # compares with), not the boundary hop's: "by server" above "by smtp3.hushmail.com".
            last_by = work[-1].fields.by
            whose = ("a name of the receiving organisation" if final_org is not None else
                     f"whose organisation may be the receiver's (the final receiving server, hop {len(work)}, "
                     + (f"names itself only {last_by[:60]}" if last_by else "gives no name")
                     + ", so its organisation is not known)")
            result.notes.append(Finding(
                id="hops.boundary_uncertain", severity=Severity.INFO,
                title=f"Trust boundary uncertain: hop {b + 1} or hop {alt + 1}",
                explanation=f"Hop {b + 1}'s client introduced itself as {fields.from_helo[:120]} "
                            f"({fields.from_ip}), {whose}, and hop {b} "
                            f"connects to it, but the receiving server recorded no verified name for "
                            f"that address. If it is the organisation's own relay, the message "
                            f"entered at hop {alt + 1} and that hop's client is the one SPF should "
                            f"be evaluated for; if not, the hops below are the sender's claim. "
                            f"The boundary is kept at hop {b + 1} (the safe choice); the receiver's "
                            f"DNS (its MX hosts, the PTR of {fields.from_ip}) tells which.",
                reference=_RFC5321_TRACE, subject=f"hop {b + 1}",
            ))
        break
    if trusted_relays and result.from_outside and result.index > 0:
        _behind_trusted_relay(work, orgs, result, trusted_relays, reverse_names)
    # A chain that never leaves one organisation keeps its boundary at the earliest hop with a
    # public client, even when a submission stamp lies below it (review verifyV6, N1): everything
    # below that hop is its client's text, and on a shared hosting provider that client may be a
    # customer's machine with a reverse-DNS name of the provider, which can write a whole made-up
    # "ESMTPSA by 10.0.0.1" hop. Moving the boundary down to such a stamp would trust it.
    if result.gateway is not None and result.index + 1 != (
            result.gateway.intake if result.gateway.confirmed else result.gateway.handed_on):
        # The boundary moved on other evidence after the gateway was weighed: the results at the
        # gateway's hand-over are then no longer placed by it.
        result.gateway = None
    return result


# The notes that place the boundary where the walk, a gateway or a receiver's record put it:
# a trusted relay's intake below it supersedes them.
_PLACEMENT_NOTES = frozenset({"hops.boundary_uncertain", "hops.gateway_possible", "hops.gateway_unbound",
                              "hops.inbound_gateway", "hops.tenant_handover"})


def _behind_trusted_relay(work: list[_Work], orgs: _Orgs, result: _Boundary, relays: Sequence[TrustedRelay],
                          reverse_names: ReverseNames | None) -> None:
    """Moves the boundary down to a trusted relay's intake (_trusted_relay_run), after every other
    rule placed it: the relay is then the receiving side's own gateway, as a filtering service the
    recipient's MX names is (hops.inbound_gateway), and its results above its intake are the
    receiving side's. Says so every time (hops.trusted_relay)."""
    b = result.index
    lookups = [0, 0]  # PTR look-ups asked, and how many had no answer (_trusted_client)
    run = _trusted_relay_run(work, b, relays, orgs, reverse_names, lookups)
    if run is None:
        fields = work[b].fields
        named = next((relay for name in _client_names(fields)[:4]
                      if (relay := _relay_for_name(name, relays)) is not None), None)
        if named is not None:
            # The boundary's client gives (or its receiver recorded unverified) a name the user
            # trusts, but nothing the receiver or DNS vouches for ties it to the relay: the user
            # gave the option and nothing moved, so the report says why (verification V59b D3-1:
            # offline, a name was matched by nothing and nothing was said).
            names = [str(n)[:120] for n in _client_names(fields)[:2]]
            dns = ("no DNS answer was had for its address (offline, or the look-up failed)" if reverse_names is None
                   or lookups[1] else "its address has no forward-confirmed PTR name under it")
            result.notes.append(Finding(
                id="hops.trusted_relay", severity=Severity.INFO,
                title=f"Trusted relay {named.spec[:80]} (--trusted-relay) could not be matched at hop {b + 1}: the "
                      f"trust boundary stays there",
                explanation=(f"Hop {b + 1}'s client ({fields.from_ip or 'no address'}) is named "
                             f"{' and '.join(names)}, under {named.spec[:80]}, which you declared part of your "
                             "receiving side. But a name counts only as the reverse-DNS name its receiver recorded "
                             "as verified (not sendmail's \"(may be forged)\", not qmail's), a forward-confirmed "
                             "PTR name of its address, or through an address in the networks the name's operator "
                             f"publishes; a greeting names nothing. None of these holds here ({dns}), so the "
                             "boundary did not move. Where DNS is not at hand, give the relay's addresses as "
                             "networks (--trusted-relay 192.0.2.0/24)."),
                reference=_RFC5321_TRACE, subject=f"hop {b + 1}"))
        return
    intake, passed, stopped = run
    if intake is None:
        specs = ", ".join(dict.fromkeys(relay.spec[:80] for _, relay, _ in passed))
        result.notes.append(Finding(
            id="hops.trusted_relay", severity=Severity.INFO,
            title=f"Trusted relay {specs} (--trusted-relay) handed the message on at hop {b + 1}, but the trust "
                  f"boundary stays there",
            explanation=(f"You declared {specs} part of your receiving side, and hop {b + 1}'s client is one "
                         f"({passed[0][2]}). But {stopped}, so where the relay took the message from another "
                         f"server is not shown, and the boundary stays at hop {b + 1}."),
            reference=_RFC5321_TRACE, subject=f"hop {b + 1}"))
        return
    result.notes = [note for note in result.notes if note.id not in _PLACEMENT_NOTES]
    result.notes.append(_trusted_relay_finding(work, b, intake, passed))
    result.index, result.from_outside, result.alternative = intake, True, None
    result.gateway = InboundGateway(service=passed[0][1].spec[:120], client_ip=_plain_ip(work[b].fields.from_ip),
                                    handed_on=b + 1, intake=intake + 1, confirmed=True, declared=True)


def _entered_by_submission(work: Sequence[_Work], b: int, orgs: _Orgs) -> bool:
    """The walk's boundary hop ``b``, whose client is outside the receiving organisation, is a
    customer's submission to that organisation's own server, which then delivered the message
    inside it: a login recorded (RFC 4954's AUTH, written as ESMTPA/ESMTPSA), or a provider's
    submission host that records none (``loginless_submission``), named under the organisation
    the walk ended in, with that organisation's hops above it. The author handed the message to
    their own provider (RFC 6409), which never took it from another organisation's server: no
    hand-over between administrative domains happened, which is what SPF checks (RFC 7208
    section 2.1), so the message came from no outside server. The hop is the receiving side's own
    stamp (the walk reached it through hops whose clients are the organisation's), so a sender
    cannot write it: a forger's look-alike stamp sits below the stamp of the receiver's intake,
    whose client is the forger's, and never reaches here. A copy that ends at the submission (a
    sent copy, _submission_only) has no such hop above it."""
    if not 0 <= b < len(work) - 1:
        return False
    entry = work[b]
    if entry.role is not Role.MSA or entry.private or not (entry.fields.auth or loginless_submission(entry.fields)):
        return False
    if any(is_retrieval(item.fields) for item in work[b + 1:]):
        return False  # fetched from a mailbox after: the organisation that delivered it is another
    final_org = orgs.find(work[-1].org)
    return final_org is not None and orgs.same(host_organization(entry.fields.by), final_org)


def _plain_ip(text: str | None) -> str | None:
    """A client address as the results name it (no brackets, lower case), None when unreadable."""
    ip = _ip(text) if text else None
    return str(ip) if ip is not None else None


def _submission_stamp(fields: ReceivedFields) -> bool:
    """A stamp of the author's program handing the message in (RFC 6409): a login (ESMTPA,
    webmail "with HTTP" naming no client) or Exchange's "with mapi". HTTP(S) from a client is
    Exchange Online's transport between its own servers, not a submission (_is_internal_http)."""
    protocol = _protocol(fields)
    if protocol == "mapi":
        return True
    http_like = protocol.startswith("http") or (fields.via or "").strip().lower().startswith("http")
    return bool(fields.auth) and not (http_like and _has_client(fields))


def _delivered_then_resent(work: Sequence[_Work]) -> tuple[int, int] | None:
    """(delivery, re-send) 0-based hop indexes when a local or LMTP delivery (RFC 2033) is
    followed by a hop that takes the message from that same host to another one, over a
    non-loopback address: the message was delivered into a mailbox there and sent on again (a
    provider's forwarding or a mailbox rule), not handed to a content filter, which gives it
    back to the same host over loopback. The first such pair."""
    for d in range(len(work) - 1):
        fields = work[d].fields
        if not _is_local_delivery(fields, work[d].header.value):
            continue
        host = normalize_domain(fields.by)
        nxt = work[d + 1].fields
        if host is None or _is_loopback(nxt.from_ip) or normalize_domain(nxt.by) in (host, None):
            continue
        if host in (normalize_domain(nxt.from_rdns), normalize_domain(nxt.from_helo)):
            return d, d + 1
    return None


def _internal_story(work: Sequence[_Work], boundary_index: int, forward_leg: tuple[int, int] | None) -> str:
    """For hops.internal_only: the submission the hops below the boundary show (the latest one,
    RFC 6409) and a delivery followed by a re-sending (see _delivered_then_resent); the stamps
    below the boundary are said to be claims. Empty when there is neither."""
    parts: list[str] = []
    claimed: list[int] = []
    submitted = next((k for k in range(boundary_index - 1, -1, -1) if _submission_stamp(work[k].fields)), None)
    if submitted is not None:
        fields = work[submitted].fields
        how = ", ".join(x for x in (str(fields.by or "")[:120], _protocol(fields)[:20]) if x)
        parts.append(f"hop {submitted + 1} ({how}) records the author's program submitting it")
        claimed.append(submitted)
    if forward_leg is not None:
        delivery, resent = forward_leg
        fields = work[delivery].fields
        parts.append(f"hop {delivery + 1} records a delivery ({str(fields.protocol or 'LMTP')[:20]} into a mailbox on "
                     f"{str(fields.by)[:120]}) and hop {resent + 1} a re-sending from there (the provider's "
                     "forwarding or a mailbox rule), a new leg inside the same organisation")
        claimed.extend(k for k in (delivery, resent) if k < boundary_index)
    if not parts:
        return ""
    below = [str(k + 1) for k in sorted(set(claimed))]
    listed = ", ".join(below[:-1]) + " and " + below[-1] if len(below) > 1 else "".join(below)
    return ("By the stamps, " + "; ".join(parts) + "."
            + (f" {'Hop' if len(below) == 1 else 'Hops'} {listed} "
               f"{'is' if len(below) == 1 else 'are'} below the trust boundary: written by or before its client, "
               "claims, not evidence." if below else "") + " ")


# Hosted filtering services that stand in front of organisations' mailboxes (their MX), by the
# organisational domain of their hosts. Offline, a boundary client among them is only possibly
# the recipient's gateway: the same services relay senders' outbound mail.
_FILTERING_SERVICES = frozenset({
    "mimecast.com", "mimecast.co.za", "proofpoint.com", "pphosted.com", "ppe-hosted.com", "trendmicro.com",
    "trendmicro.eu", "messagelabs.com", "iphmx.com", "barracudanetworks.com", "sophos.com", "hornetsecurity.com",
    "expurgate.net", "mailcontrol.com", "antispamcloud.com", "spamtitan.com", "fireeyecloud.com",
    "mailguard.com.au", "cloud-sec-av.com", "securence.com", "spamh.com",
    # Microsoft's Forefront Online Protection (FOPE, before Exchange Online Protection, until 2013).
    "bigfish.com", "frontbridge.com",
})
# Compared by operator: host_organization gives an operator's canonical name (OPERATOR_ALIASES), so
# Barracuda's egress host (barracuda.com) and intake (cudaops.com) are the service its customers'
# MX names (barracudanetworks.com), as pphosted.com's hosts are proofpoint.com's (verification V44e).
_FILTERING_SERVICES = _FILTERING_SERVICES | frozenset(OPERATOR_ALIASES.get(domain, domain)
                                                      for domain in _FILTERING_SERVICES)


# Microsoft's article on an on-premises Exchange server behind Exchange Online Protection: by
# default its receive connector takes mail from all of Microsoft 365's addresses, so any tenant,
# not only the organisation's own, can deliver to it.
_EOP_LOCK_DOWN_DOCS = ("https://techcommunity.microsoft.com/t5/exchange-team-blog/"
                       "advanced-office-365-routing-locking-down-exchange-on-premises/ba-p/609238")
# The host names of Exchange Online Protection's inbound frontends and of a domain's MX there
# ("example-com.mail.protection.outlook.com"), as opposed to its outbound relays
# (_EOP_OUTBOUND_SUFFIX).
_EOP_INBOUND_SUFFIX = ".mail.protection.outlook.com"


def _unbound_eop_intake(work: list[_Work], orgs: _Orgs, b: int, mail_exchangers: MailExchangers,
                        reverse_names: ReverseNames | None, addressed_domains: Sequence[str]) -> Finding | None:
    """hops.gateway_unbound: the recipient domain's MX is Exchange Online Protection
    (*.mail.protection.outlook.com), and the boundary's receiver, a server of the recipient's own
    (on-premises Exchange in a hybrid set-up, or behind standalone EOP), took the message from one
    of EOP's outbound relays, with Microsoft's hops below. That is how EOP hands the recipient's
    inbound mail on, but the boundary stays: EOP is one service for every Microsoft 365 tenant,
    and any tenant can deliver to that server from the same relays (an outbound connector of its
    own pointed at it; Microsoft's _EOP_LOCK_DOWN_DOCS). The hops and records below the hand-over
    are then the forger's own tenant's, whose settings choose what EOP records (Enhanced Filtering
    for Connectors judges a client named in the forger's own Received lines; mail flow rules add
    header fields). What would tell the recipient's tenant from another, the tenant id EOP writes
    (X-MS-Exchange-CrossTenant-Id), is published in no DNS record, and the relays' names and
    addresses, the intake's frontends and the other fields are the same for every tenant: so the
    finding says what is known, and neither the boundary nor the verdict moves on it."""
    if b <= 0:
        return None
    fields = work[b].fields
    names = _client_names(fields)
    if not names or not any(name.lower().rstrip(".").endswith(_EOP_OUTBOUND_SUFFIX) for name in names[:4]):
        return None  # the usual case, said first: the boundary's client is not EOP's relay
    if host_organization(fields.by) == "outlook.com" or not _is_public_ip(fields.from_ip) \
            or not orgs.same(work[b - 1].org, "outlook.com"):
        return None  # Exchange Online itself took it (hops.tenant_handover), or no Microsoft hop below
    if "microsoft" not in (fields.protocol or "").lower():
        # The receiver is no Exchange server ("with Microsoft SMTP Server"): a tenant's outbound
        # mail reaching Gmail or any other provider, which is no hybrid hand-over, and asks no MX.
        return None
    # The relay is EOP's by more than its greeting: its address is in EOP's published outbound
    # networks, or a reverse-DNS name (the receiver's, or a forward-confirmed one) names a relay.
    proven = _eop_outbound_address(fields.from_ip) or bool(
        fields.from_rdns and fields.from_rdns.lower().rstrip(".").endswith(_EOP_OUTBOUND_SUFFIX))
    if not proven and reverse_names is not None and fields.from_ip:
        answer = reverse_names(fields.from_ip)
        proven = answer is not None and bool(answer[1]) and any(
            name.lower().rstrip(".").endswith(_EOP_OUTBOUND_SUFFIX) for name in answer[0][:10])
    if not proven:
        return None
    recipient = _recipient_domain(fields)
    final_org = orgs.find(work[-1].org)
    domains = [recipient] if recipient else [*addressed_domains[:3], *([final_org] if final_org else [])]
    found: tuple[str, str] | None = None
    for domain in dict.fromkeys(domains):
        hosts = [name.split()[-1].rstrip(".") for name in (mail_exchangers(domain) or ())[:10] if name.split()]
        exchanger = next((host for host in hosts if host.lower().endswith(_EOP_INBOUND_SUFFIX)), None)
        if exchanger is not None:
            found = (domain, exchanger)
            break
    if found is None:
        return None
    domain, exchanger = found
    # EOP's intake by the hops below (claims, as any below the boundary): the nearest of
    # Microsoft's run whose receiver is an inbound frontend and whose client is not Microsoft's.
    intake_words = ""
    for k in range(b - 1, max(-1, b - 1 - 2 * _GATEWAY_RUN), -1):
        below = work[k].fields
        if not orgs.same(work[k].org, "outlook.com"):
            break
        if (normalize_domain(below.by) or "").endswith(_EOP_INBOUND_SUFFIX) and _is_public_ip(below.from_ip) \
                and not any(host_organization(name) == "outlook.com" for name in _client_names(below)):
            intake_words = (f" By the hops below it, EOP took the message at hop {k + 1} from {below.from_ip} and "
                            "recorded its own results there.")
            break
    receiver = str(fields.by)[:120]
    relay = str(fields.from_rdns or fields.from_helo)[:120]
    return Finding(
        id="hops.gateway_unbound", severity=Severity.INFO,
        title=f"{domain} receives its mail through Exchange Online Protection, but nothing ties this hand-over to "
              f"its own tenant: the trust boundary stays at hop {b + 1}",
        explanation=(f"{domain}'s MX host is {exchanger[:120]}: Exchange Online Protection (EOP) takes its inbound "
                     f"mail and hands it on, and at hop {b + 1} {receiver} took the message from {fields.from_ip} "
                     f"({relay}), one of EOP's outbound relays.{intake_words} But EOP is one service for every "
                     f"Microsoft 365 tenant: any tenant, a forger's own too, can deliver straight to {receiver} from "
                     "the same relays, and its hops below would look the same, with records its own settings shape. "
                     "The tenant id EOP writes (X-MS-Exchange-CrossTenant-Id) is the one thing that tells tenants "
                     f"apart, and no DNS record says which is {domain}'s. So the boundary stays at hop {b + 1}, "
                     "EOP's records below it are not relied on, and SPF there judged EOP's relay, not the sender's "
                     "server: a fail is what a sender whose SPF record does not list Microsoft 365 gets, whoever "
                     "sent it, and a pass says only that it lists Microsoft 365. If EOP is your organisation's own "
                     "gateway and your on-premises connector takes mail from your tenant only, say so with "
                     "--trusted-relay outlook.com: the boundary then moves to EOP's intake, which recorded the "
                     "sender's own server."),
        reference=_EOP_LOCK_DOWN_DOCS, subject=f"hop {b + 1}")


def _possible_gateway(work: list[_Work], orgs: _Orgs, b: int, mail_exchangers: MailExchangers | None,
                      addressed_domains: Sequence[str] = ()) -> tuple[Finding, InboundGateway | None] | None:
    """An info finding, when no MX answer can tell (offline, a snapshot without it), that the
    boundary hop's client is a hosted filtering service whose own hop below took the message from
    another organisation: perhaps the recipient's inbound gateway, which would move the boundary
    below it; and that gateway, unconfirmed. When the MX was answered and names the service (and
    _inbound_gateway did not confirm it), the finding says so and why it stays unconfirmed, with
    no gateway: nothing about the verdict moves on it."""
    if b <= 0:
        return None
    fields = work[b].fields
    service = next((org for org in (host_organization(fields.from_rdns), host_organization(fields.from_helo))
                    if org), None)
    # host_organization merges operator aliases (pphosted.com is proofpoint.com): a set lookup.
    if service is None or service not in _FILTERING_SERVICES or not orgs.same(work[b - 1].org, service):
        return None
    recipient = _recipient_domain(fields)
    final_org = orgs.find(work[-1].org)
    domains = [recipient] if recipient else [*addressed_domains[:3], *([final_org] if final_org else [])]
    # The first MX answered (asked in the order _inbound_gateway asks, so no other question) says
    # which: when it names the service, _inbound_gateway, called first, found that the records do
    # not bear the gateway out, which is said too (a verification V44d chain had this finding
    # dropped without a word, as if the MX did not name the service).
    answer = next((a for a in (mail_exchangers(domain) for domain in dict.fromkeys(domains)) if a is not None),
                  None) if mail_exchangers is not None else None
    named: str | None = None
    if answer is not None:
        named = next((host for host in (name.split()[-1].rstrip(".") if name.split() else "" for name in answer[:10])
                      if host and orgs.same(host_organization(host), service)), None)
        if named is None:
            return None  # the MX was answered, and does not name the service
    # The service's first hop (its intake): the earliest of its run below the boundary, which
    # must have taken the message from a public address (its internal hand-overs may be private).
    first = b - 1
    while first > 0 and orgs.same(work[first - 1].org, service):
        first -= 1
    if work[first].private or not work[first].fields.from_ip:
        return None
    client = work[first].fields.from_ip
    run_below = f"hop {b}" if first + 1 == b else f"hops {first + 1}–{b}"
    runs = f"{run_below} is" if first + 1 == b else f"{run_below} are"
    if named is not None:
        # No InboundGateway: its words would soften the verdict for the gateway's address, on
        # records (the client's own greeting, hops below the boundary) that did not hold.
        return Finding(
            id="hops.gateway_possible", severity=Severity.INFO,
            title=f"The recipient's MX names {service}, but the records do not show it handing on this message",
            explanation=(f"The recipient domain's MX host is {named[:120]}, a host of {service}, and hop {b + 1}'s "
                         f"client goes by a name of {service}'s, with {run_below} of that service's below it, which "
                         f"took the message from {client}. But the records do not bear it out: the address of hop "
                         f"{b + 1}'s client is not confirmed as {service}'s by its reverse DNS, or the hops below do "
                         f"not connect to it or took the message from another of {service}'s hosts or over a "
                         f"private network. So the boundary stays at hop {b + 1} (the safe choice), and the hops "
                         "below are the claims of whoever connected there. If it was the recipient's gateway, SPF "
                         f"and the results recorded at hop {b + 1} judged the gateway's address, not {client}'s."),
            reference="https://www.rfc-editor.org/rfc/rfc5321#section-5.1", subject=f"hop {b + 1}",
        ), None
    gateway = InboundGateway(service=service, client_ip=_plain_ip(fields.from_ip), handed_on=b + 1,
                             intake=first + 1, confirmed=False)
    return Finding(
        id="hops.gateway_possible", severity=Severity.INFO,
        title=f"The boundary's client is {service}, a filtering service: perhaps the recipient's gateway",
        explanation=(f"Hop {b + 1}'s client is a host of {service}, a hosted filtering service, and "
                     f"{runs} that service's own, which took the message from {client}. If {service} "
                     f"filters the recipient's inbound mail (the recipient domain's MX names it), the receiving side "
                     f"took the message at hop {first + 1}, and SPF and the results recorded at hop {b + 1} judged "
                     f"the gateway's address: a softfail or fail there is expected. If it relayed the sender's "
                     "outbound mail, the boundary is right. The MX tells which: run with DNS (live, or a snapshot "
                     "holding it)."),
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-5.1", subject=f"hop {b + 1}",
    ), gateway


# Microsoft's advice to a tenant behind a third-party filtering service: accept mail only from it.
_LOCK_DOWN_DOCS = ("https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
                   "manage-mail-flow-using-third-party-cloud")
# Google's: the Gmail inbound gateway setting, whose option "Reject all mail not from gateway IPs"
# ("Reject messages that aren't sent from the gateway") refuses mail that went around the MX.
_GOOGLE_GATEWAY_DOCS = "https://support.google.com/a/answer/60730"
# The names Gmail's inbound servers write in their Received ("by mx.google.com with ESMTPS id").
_GMAIL_RECEIVERS = frozenset({"mx.google.com", "aspmx.l.google.com"})
_GMAIL_CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def _bypassed_receiver(by: str) -> tuple[str, str] | None:
    """(the receiving provider's organisation, its name in words) when the boundary's receiver is
    one a domain can put behind a filtering service's MX and reach directly all the same: Exchange
    Online Protection's tenant host (*.mail.protection.outlook.com), or Gmail's inbound servers
    (Google Workspace). None for any other receiver."""
    if by.endswith(".mail.protection.outlook.com"):
        return "outlook.com", "Exchange Online"
    if by in _GMAIL_RECEIVERS or by.endswith(".aspmx.l.google.com"):
        return "google.com", "Gmail (Google Workspace)"
    return None


def _gateway_bypassed(work: list[_Work], boundary: _Boundary, mail_exchangers: MailExchangers | None,
                      addressed_domains: Sequence[str], list_domain: str | None,
                      forwarder_marks: Sequence[tuple[str, str]],
                      reverse_names: ReverseNames | None = None) -> Finding | None:
    """hops.gateway_bypassed: Exchange Online Protection's frontend, or Gmail's inbound server,
    took the message straight from the sender's server, though the MX of every domain the message
    is addressed to is a filtering service in front of it (RFC 5321 section 5.1: a sender delivers
    to the MX). Sending to the tenant's own *.mail.protection.outlook.com host, or to
    aspmx.l.google.com, skips the gateway, a known way around its filter unless the organisation
    accepts mail from the gateway's addresses only (_LOCK_DOWN_DOCS, _GOOGLE_GATEWAY_DOCS).

    Only where DNS answered those MX: Exchange Online writes no "for", so its To: and Cc: domains
    stand for the recipient; Gmail's "for" names it, and its domain alone is asked (without one,
    the recipient is unknown and nothing is said). A copy that a
    list or a forwarder carried (List-Id, an SRS sender, another party's ARC seal) was delivered to
    some other recipient."""
    b = boundary.index
    if mail_exchangers is None or not boundary.from_outside or boundary.gateway is not None \
            or list_domain is not None or not 0 <= b < len(work):
        return None
    fields = work[b].fields
    by = normalize_domain(fields.by) or ""
    receiver = _bypassed_receiver(by)
    if receiver is None or work[b].private or not _is_public_ip(fields.from_ip):
        return None
    provider, provider_words = receiver
    recipient = _recipient_domain(fields) if provider == "google.com" else None
    if provider == "google.com" and recipient is None:
        # Gmail leaves "for" out when a message has several recipients: the mailbox this copy went
        # to is then unknown, and To:/Cc: name the sender's choice, not it (verification V39d: a Bcc
        # to a consumer Gmail mailbox read as going around the To: domain's gateway).
        return None
    domains = [recipient] if recipient else list(addressed_domains[:3])
    if provider == "google.com" and any(domain in _GMAIL_CONSUMER_DOMAINS for domain in domains):
        return None  # Gmail's own mailboxes, whose MX is Google's: no DNS question for them
    if not domains or (provider == "outlook.com" and proven_tenant_handover(fields)):
        return None
    # By the reverse-DNS name the receiver recorded only: the greeting is the client's own word (a
    # spammer greeting as the gateway or as outlook.com silenced this, verification V32); a genuine
    # gateway, confirmed by DNS, is boundary.gateway above, and Microsoft's own relay proven_tenant_handover.
    client = host_organization(fields.from_rdns) if fields.from_rdns else None
    claimed = host_organization(fields.from_helo) if fields.from_helo and client is None else None
    if claimed in _FILTERING_SERVICES:
        # Exchange Online records the greeting and the address, no reverse-DNS name: a greeting
        # naming a filtering service is told only when DNS answers that the address is another
        # organisation's; an address with no PTR (or none at hand) may be the gateway's, whose
        # FCrDNS failed for want of an answer (verification V33: genuine Mimecast mail was called
        # "went around the MX").
        answer = reverse_names(fields.from_ip) if reverse_names is not None and fields.from_ip else None
        names = list(answer[0][:10]) if answer is not None else []
        if not names or any(host_organization(name) == claimed for name in names):
            return None
    # The provider's own servers (a tenant's relay, Gmail forwarding to a Workspace mailbox) and a
    # forwarder's marks other than the provider's own seal: not a sender that went around the MX.
    if client in _FILTERING_SERVICES or client == provider \
            or any(org != provider for org, _ in forwarder_marks[:8]):
        return None
    found: tuple[str, str, str] | None = None
    for domain in domains:
        # Every domain's MX must be a filtering service: a domain whose MX is the provider's own
        # may be the one this copy was delivered for.
        hosts = [name.split()[-1].rstrip(".") for name in (mail_exchangers(domain) or ())[:10] if name.split()]
        services = {host_organization(host) for host in hosts}
        if not hosts or not services <= _FILTERING_SERVICES:
            return None
        found = found or (domain, hosts[0], str(host_organization(hosts[0])))
    if found is None:
        return None
    domain, exchanger, service = found
    sender = f"{str(fields.from_rdns or fields.from_helo)[:120]} ({fields.from_ip})" \
        if fields.from_rdns or fields.from_helo else str(fields.from_ip)
    if provider == "google.com":
        how = ("A sender that delivers to Gmail's own inbound servers (aspmx.l.google.com) instead of the MX "
               "skips the gateway's filtering: a known way around it, which Google Workspace lets through "
               "unless its administrator sets the Gmail inbound gateway setting (the gateway's addresses) with "
               "\"Reject all mail not from gateway IPs\" (\"Reject messages that aren't sent from the gateway\").")
        addressed = f" for {domain}"
    else:
        how = ("A sender that delivers to the tenant's own *.mail.protection.outlook.com host instead of the MX "
               "skips the gateway's filtering: a known way around it, which Exchange Online lets through unless "
               "the tenant accepts mail from the gateway's addresses only.")
        addressed = ""
    return Finding(
        id="hops.gateway_bypassed", severity=Severity.NOTICE,
        title=f"The message went around {domain}'s MX ({service}): delivered straight to {provider_words}",
        explanation=(f"{domain}'s MX host is {exchanger}, a host of {service}, the filtering service in front of "
                     f"its mailboxes; but at hop {b + 1} {provider_words} ({str(fields.by)[:120]}) took the message"
                     f"{addressed} straight from {sender}, not from {service}. {how} (A partner's connector, or a "
                     f"recipient other than {domain}'s, a forward or a Bcc, also arrives this way.)"),
        reference=_GOOGLE_GATEWAY_DOCS if provider == "google.com" else _LOCK_DOWN_DOCS, subject=f"hop {b + 1}")


# The most of a gateway's own hops below the boundary (loopback re-injections, qmail's queue
# stamps, private hand-overs between its named hosts) its run is followed through: Proofpoint
# writes one, pps.filterd; an amavis or MailScanner host two; MessageLabs two (a qmail stamp and
# its tower-to-bemta hand-over). Bounds the walk.
_GATEWAY_RUN = 6


def _gateway_own_hop(work: Sequence[_Work], k: int, service: str, orgs: _Orgs) -> bool:
    """Whether hop ``k``, between the filtering service's intake and its hand-over, is the
    service's own (see _gateway_intake): a hand-over no client across the internet can make.

    * a loopback client: the host handing the message to itself (RFC 1122 section 3.2.1.3),
      Proofpoint's "from pps.filterd (m0288454.ppops.net [127.0.0.1])";
    * no client at all: a stamp written inside the host that took the message just below, as
      qmail-queue writes "(qmail 10981 invoked from network)" or "(qmail 5161 invoked by uid 89)"
      above qmail-smtpd's own line (MessageLabs' towers);
    * a private client (RFC 1918, RFC 6598) where this hop's receiver is a named host of the
      service and so is the receiver of the next named hop below: a hand-over inside the
      service's own network between two of its hosts, MessageLabs' "from [100.113.1.43] by
      server-1.bemta.az-a.eu-central-1.aws.symcld.net" above "by server-10.tower-244.messagelabs.com",
      Trend Micro's "from 192.0.2.25_.trendmicro.com (unknown [192.168.197.243]) by
      inpost.tmes.trendmicro.com" above "by inpre01.tmes.trendmicro.com".
    The hop's organisation must be the service's (its own name, or one inherited from the host
    below for a stamp with none)."""
    item = work[k]
    fields = item.fields
    if not orgs.same(item.org, service):
        return False
    if _is_loopback(fields.from_ip):
        return True
    if not _has_client(fields):
        # (A "from" the parser could not read is not a stamp without one: nothing vouches.)
        return fields.complete and (fields.by is None or orgs.same(host_organization(fields.by), service))
    if not item.private or fields.auth or not orgs.same(host_organization(fields.by), service):
        return False
    # The next hop below that names its receiver, past the host's own stamps.
    for j in range(k - 1, max(-1, k - 1 - _GATEWAY_RUN), -1):
        if work[j].fields.by is not None:
            return orgs.same(host_organization(work[j].fields.by), service)
        if _has_client(work[j].fields):
            return False
    return False


def _gateway_intake(work: Sequence[_Work], b: int, service: str, orgs: _Orgs) -> int | None:
    """The 0-based hop where the filtering service whose host is the boundary hop's client took
    the message from outside (its intake), or None when the hops below the boundary are not that.

    Between the intake and the hop where the service hands the message on, the service's own
    hosts may pass the message among themselves (_gateway_own_hop): a loopback re-injection
    (Proofpoint's pps.filterd, verification V44d; an amavisd-new "from localhost ([127.0.0.1])"),
    qmail's queue stamps, a hand-over over its private network between two of its named hosts
    (MessageLabs' tower to bemta, Trend Micro's inpre to inpost). Such a hop is the service's own,
    and the hop under it is the next candidate for the intake. The intake must be the service's
    hop whose client is not on a private network: a sender cannot extend the run, because the
    service recorded the real client's public address there, and no client across the internet
    connects from a loopback or private address; the walk stops at the first hop with a public
    client, so nothing the sender wrote below it is read. A hand-over over a private network
    below the boundary that is not between two of the service's named hosts is the sender's side
    (a service relaying the sender's own outbound mail from the sender's network)."""
    k = b - 1
    # Only a hosted filtering service's: a forwarder (a university's alias server that re-injects
    # over loopback before it hands the message to the mailbox's provider) is no gateway of the
    # provider's, though the To: domain's MX names it (samples/forwarded-srs.eml).
    while k > 0 and b - k <= _GATEWAY_RUN and service in _FILTERING_SERVICES \
            and _gateway_own_hop(work, k, service, orgs):
        k -= 1
    if work[k].private or not _has_client(work[k].fields) or not orgs.same(work[k].org, service):
        return None
    return k


def _gateway_linked(work: list[_Work], intake: int, b: int, orgs: _Orgs) -> bool:
    """Whether the gateway's run, intake..b-1, connects to the boundary hop's client (_links).
    When the run's top hop is a stamp naming no receiver (qmail's "(qmail 32312 invoked from
    network)" directly under the hand-over), the receiver the stamp was written on is the one
    named by the nearest hop below it in the run."""
    top = b - 1
    while top > intake and work[top].fields.by is None and not _has_client(work[top].fields):
        top -= 1
    if top == b - 1:
        return _links(work, intake, b, orgs)
    return _links(work, intake, top, orgs) and _link_matches(work[top].fields.by, work[b].fields, orgs) is True


def _inbound_gateway(work: list[_Work], orgs: _Orgs, b: int, mail_exchangers: MailExchangers | None,
                     reverse_names: ReverseNames | None = None, addressed_domains: Sequence[str] = ()
                     ) -> tuple[str, str, str] | None:
    """(service, MX host, domain) when the boundary hop's client is a filtering service that the
    receiving domain's MX names, and the hop below is that service's: the recipient's own inbound
    gateway (Mimecast, Proofpoint, eXpurgate... in front of the mailbox servers), not the sender's.

    Only the receiver's DNS tells the two apart (the same services relay outbound mail for
    senders), so nothing moves without an MX answer."""
    # (A private hand-over under the boundary other than a loopback one, or one between two of a
    # filtering service's hosts, is never the gateway's own, see _gateway_intake: said before any
    # name is looked at, as most chains have one.)
    if mail_exchangers is None or b <= 0 \
            or (work[b - 1].private and not _is_loopback(work[b - 1].fields.from_ip)
                and work[b - 1].org not in _FILTERING_SERVICES):
        return None
    fields = work[b].fields
    # The service is named by the reverse DNS the receiver recorded, never by the client's own
    # HELO alone: a sender connecting directly could claim to be the gateway, and its made-up
    # "gateway" Received below would then choose the client SPF checks. Exchange Online records
    # no reverse-DNS name ("from au-smtp-1.mimecast.com (124.47.150.22)"): there the HELO counts
    # only once DNS confirms it, the address's PTR naming the same service (FCrDNS, below).
    service = host_organization(fields.from_rdns) if fields.from_rdns else None
    helo_only = service is None and reverse_names is not None and bool(fields.from_ip)
    if helo_only:
        service = host_organization(fields.from_helo)
    final_org = orgs.find(work[-1].org)
    if service is None or final_org is None or orgs.same(service, final_org):
        return None
    intake = _gateway_intake(work, b, service, orgs)
    if intake is None:
        return None
    # A gateway takes mail from other organisations' servers: a hand-over between two of the
    # service's own hosts at its intake is the sender's side (the service relaying outbound mail).
    below = next((org for org in (host_organization(n) for n in _client_names(work[intake].fields)) if org), None)
    if (below is not None and orgs.same(below, service)
            and not _from_another_customer(work[intake].fields, service, orgs, reverse_names)) \
            or not _gateway_linked(work, intake, b, orgs):
        return None
    # The recipient's domain: the boundary hop's "for" clause; else, where the receiver writes
    # none (Exchange Online), the domains the message is addressed to, whose MX must then name
    # the service; else the receiving organisation itself.
    recipient = _recipient_domain(fields)
    domains = [recipient] if recipient else [*addressed_domains[:3], final_org]
    for domain in dict.fromkeys(domains):
        for name in (mail_exchangers(domain) or ())[:10]:
            host = name.split()[-1].rstrip(".") if name.split() else ""
            if host and orgs.same(host_organization(host), service):
                if not _same_tenant(host, fields.from_rdns or fields.from_helo):
                    # Another customer's instance of the same service (verification V45d: a
                    # forger's own Proofpoint tenant handing a message straight to the
                    # recipient's internal MX, past the recipient's tenant) is not the
                    # recipient's gateway.
                    continue
                if reverse_names is not None and fields.from_ip:
                    # Where DNS is at hand, the client's address must be the service's too (FCrDNS).
                    answer = reverse_names(fields.from_ip)
                    confirmed = answer is not None and answer[1] and any(
                        orgs.same(host_organization(n), service) for n in answer[0][:10])
                    if not confirmed and (answer is not None or helo_only):
                        return None
                return service, host, domain
    return None


# The most hops of a trusted relay's own run (_trusted_relay_run) walked through below the
# boundary: Exchange Online Protection writes three to five between its intake and its outbound
# relay, a gateway's filter re-injections a few more (see _GATEWAY_RUN).
_TRUSTED_RUN = 2 * _GATEWAY_RUN
# Forward-confirmed reverse-DNS questions the run may ask (one per hop at most).
_TRUSTED_LOOKUPS = 4


def _relay_for_name(name: str | None, relays: Sequence[TrustedRelay]) -> TrustedRelay | None:
    """The first trusted relay whose domain is ``name`` or a domain above it."""
    host = normalize_domain(name)
    if not host:
        return None
    for relay in relays:
        if relay.domain is not None and (host == relay.domain or host.endswith("." + relay.domain)):
            return relay
    return None


def _relay_for_address(text: str | None, relays: Sequence[TrustedRelay]) -> TrustedRelay | None:
    """The first trusted relay whose network holds the address ``text``."""
    address = _ip(text)
    if address is None:
        return None
    for relay in relays:
        if relay.network is not None and address.version == relay.network.version and address in relay.network:
            return relay
    return None


def _one_network(client: str | None, receiver: str | None) -> bool:
    """Whether a hop's public client address is beside the address its receiver gives as its own
    (the comment after the ``by`` name): one IPv6 /32 (one allocation, RFC 6177) or one IPv4 /24.
    Never a reason to trust the client (a hosting provider's /24 and /32 hold many customers, a
    forger among them: verification V59b D1-1); only a reason to stop the run where a client that
    matches no specification may be the relay's internal host, as the boundary would stay without
    the option."""
    a, b = _ip(client), _ip(receiver)
    if a is None or b is None or a.version != b.version or not _is_public_ip(str(a)) or not _is_public_ip(str(b)):
        return False
    prefix = 32 if a.version == 6 else 24
    return b in ipaddress.ip_network(f"{a}/{prefix}", strict=False)


# The addresses Microsoft publishes as Exchange Online's own ("Microsoft 365 URLs and IP address
# ranges", https://learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges,
# Exchange Online IDs 1 and 2, outlook.office365.com and smtp.office365.com, 9, the
# *.mail.protection.outlook.com intake, and 10; the generated list is microsoft-365/includes/
# office-365-worldwide-endpoints.md in github.com/MicrosoftDocs/microsoft-365-docs): the service's
# own endpoints, which no Azure customer rents. Not the rest of _MICROSOFT_NETWORKS (20.176.0.0/14,
# 2603:1000::/24, 65.52.0.0/14, 157.56.0.0/14...), where Azure rents machines to anyone
# (verification V63c D1-1).
_EXCHANGE_ONLINE_NETWORKS = (*_EOP_NETWORKS, "13.107.6.152/31", "13.107.18.10/31", "13.107.128.0/22",
                             "23.103.160.0/20", "40.96.0.0/13", "40.104.0.0/15", "52.96.0.0/14", "52.238.78.88/32",
                             "131.253.33.215/32", "132.245.0.0/16", "150.171.32.0/22", "204.79.197.215/32",
                             "2603:1006::/40", "2603:1016::/36", "2603:1026::/36", "2603:1036::/36",
                             "2603:1046::/36", "2603:1056::/36", "2603:1096::/38", "2603:1096:400::/40",
                             "2603:1096:600::/40", "2603:1096:a00::/39", "2603:1096:c00::/40", "2603:10a6:200::/40",
                             "2603:10a6:400::/40", "2603:10a6:600::/40", "2603:10a6:800::/40", "2603:10d6:200::/40",
                             "2620:1ec:4::152/127", "2620:1ec:c::10/127", "2620:1ec:d::10/127", "2620:1ec:8f0::/46",
                             "2620:1ec:900::/46", "2620:1ec:a92::152/127")

# Microsoft's IPv6 allocations, over which Exchange Online's internal hosts talk from addresses it
# does not publish ("2603:10a6:10:230::8", "2603:10a6:20b:436::11" in real copies), and in which
# Azure also rents addresses ("2603:1030:20e:3::23"): see _exchange_online_host_beside_receiver.
_MICROSOFT_V6_NETWORKS = ("2603:1000::/24", "2a01:111::/32")


@functools.cache
def _exchange_online_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in _EXCHANGE_ONLINE_NETWORKS)


@functools.cache
def _microsoft_v6_networks() -> tuple[ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.IPv6Network(n) for n in _MICROSOFT_V6_NETWORKS)


def _exchange_online_host_beside_receiver(fields: ReceivedFields, raw: str) -> bool:
    """Whether a hop inside the run of --trusted-relay outlook.com records, as its client, an
    Exchange Online host at an address Microsoft does not publish: an IPv6 client in Microsoft's
    allocations (_MICROSOFT_V6_NETWORKS) in the same /32 as the address the receiver gives as its
    own (one Exchange Online region's block, "2603:10a6::/32"), with the receiver and the client
    both named as Exchange Online hosts. The address is the receiver's record, which no sender
    chooses; the names add nothing a forger could not write, and are asked only so that a literal
    or foreign greeting ends the run. An Azure machine's address lies in another /32 of Microsoft's
    ("2603:1030:20e:3::23" beside "2603:10a6:10:230:cafe::5e"): a customer's SMTP AUTH submission
    from it to smtp.office365.com is then not taken for an internal host, and the forged hops the
    customer wrote below (a forged intake among them) are never reached (verification V63c
    D1-1)."""
    client, receiver = _ip(fields.from_ip), _ip(_by_address(fields, raw))
    if not isinstance(client, ipaddress.IPv6Address) or not isinstance(receiver, ipaddress.IPv6Address):
        return False
    if not any(client in net for net in _microsoft_v6_networks()):
        return False
    if receiver not in ipaddress.IPv6Network(f"{client}/32", strict=False):
        return False
    names = (fields.by, fields.from_rdns or fields.from_helo)
    return all(name is not None and host_organization(name) == "outlook.com" for name in names)


def _published_network(relay: TrustedRelay, address: str | None, inside: bool) -> bool:
    """Whether ``address`` is in the networks the operator of a name specification publishes for
    its mail service: Microsoft for Exchange Online, United Internet for GMX (_OPERATOR_NETWORKS).
    At the boundary's client (``inside`` False), where a sender connects from anywhere, only the
    relays' published outbound networks count (EOP's "*.protection.outlook.com" ranges,
    _EOP_NETWORKS); inside the relay's run, where the address is the relay's own record of its
    internal host, Exchange Online's published endpoints count too (_EXCHANGE_ONLINE_NETWORKS), but
    never Microsoft's wider networks, where Azure rents addresses to anyone: a customer submitting
    from an Azure machine by SMTP AUTH, which Exchange Online records at an internal host, not at
    its intake (verification V63c D1-1; see _exchange_online_host_beside_receiver). Both are
    addresses no customer rents."""
    org = host_organization(relay.domain) if relay.domain is not None else None
    if org is None or org not in _OPERATOR_NETWORKS or not _is_public_ip(address):
        return False
    if org == "outlook.com":
        if not inside:
            return _eop_outbound_address(address)
        ip = _ip(address)
        return ip is not None and any(ip.version == net.version and ip in net for net in _exchange_online_networks())
    ip = _ip(address)
    return ip is not None and any(ip.version == net.version and ip in net for net in _operator_networks(org))


def _trusted_client(item: _Work, relays: Sequence[TrustedRelay], reverse_names: ReverseNames | None,
                    receiver_trusted: bool, lookups: list[int]) -> tuple[TrustedRelay, str] | None:
    """(relay, how) when hop ``item``'s client is a trusted relay, None otherwise. The client is
    matched by what its receiver recorded of it, never by its greeting: its address in a network
    specification; under a name specification, the reverse-DNS name the receiver recorded as
    verified (_receiver_verified_name: not sendmail's "(may be forged)", not qmail's), a
    forward-confirmed PTR name of its address where DNS is at hand (RFC 8601 section 3, iprev),
    or an address in the networks the name's operator publishes (_published_network), those
    inside the run (``receiver_trusted``: the hop's receiver is the relay's) wider than at the
    boundary's client."""
    fields = item.fields
    relay = _relay_for_address(fields.from_ip, relays)
    if relay is not None:
        return relay, f"its address {fields.from_ip}"
    relay = _relay_for_name(_receiver_verified_name(fields, item.header.value), relays)
    if relay is not None:
        return relay, f"the reverse-DNS name {str(fields.from_rdns)[:120]} its receiver recorded as verified"
    relay = next((r for r in relays if _published_network(r, fields.from_ip, receiver_trusted)), None)
    if relay is not None:
        return relay, f"its address {fields.from_ip}, in the networks the operator of {relay.spec[:80]} publishes"
    if receiver_trusted and _exchange_online_host_beside_receiver(fields, item.header.value):
        relay = next((r for r in relays if r.domain is not None and host_organization(r.domain) == "outlook.com"),
                     None)
        if relay is not None:
            return relay, (f"its address {fields.from_ip}, an Exchange Online host's in the same Microsoft "
                           "/32 as its receiver's")
    if reverse_names is not None and fields.from_ip and _is_public_ip(fields.from_ip) \
            and lookups[0] < _TRUSTED_LOOKUPS and any(r.domain is not None for r in relays):
        lookups[0] += 1
        answer = reverse_names(fields.from_ip)
        if answer is None:
            lookups[1] += 1
        elif answer[1]:
            for name in answer[0][:10]:
                relay = _relay_for_name(name, relays)
                if relay is not None:
                    return relay, f"the forward-confirmed reverse-DNS name {name[:120]} of {fields.from_ip}"
    return None


def _by_address(fields: ReceivedFields, raw: str) -> str | None:
    """The address a Received header's ``by`` clause gives as the receiver's own (see
    _by_names_address), or None. Only a clause naming the receiver the parser read, and only
    when every such clause in the header gives the same address: a greeting that carries a
    "by NAME (ADDRESS)" of its own (the client's text, recorded in the from clause) cannot choose
    it."""
    host = normalize_domain(fields.by)
    if host is None:
        return None
    found: set[str] = set()
    for match in itertools.islice(_by_address_re().finditer(_scan(raw)), 8):
        name = normalize_domain(match.group(0).split()[1])
        address = _ip(match.group(1))
        if name == host and address is not None:
            found.add(str(address))
    return found.pop() if len(found) == 1 else None


def _submitted_here(fields: ReceivedFields) -> bool:
    """Whether the hop is a submission (an authenticated login, RFC 4954; a mail program's MAPI
    or webmail's HTTP hand-over) rather than a relay's hand-over: the service's own customer
    writing a message, whose Received fields below are whatever that customer put in it."""
    protocol = (fields.protocol or "").strip().lower()
    return bool(fields.auth) or protocol.startswith(("http", "mapi")) or protocol in ("esmtpa", "esmtpsa")


def _localhost_receiver(fields: ReceivedFields, raw: str) -> bool:
    """Whether a hop's receiver names itself as the loopback host: "by localhost", a loopback
    literal, or "by NAME (... [127.0.0.1])" (amavisd-new's "by localhost (mx1.example
    [127.0.0.1]) (amavisd-new, port 10024)", a content filter listening on the loopback address)."""
    by = (fields.by or "").strip("[]").lower().rstrip(".")
    return by in ("localhost", "localhost.localdomain") or _is_loopback(by) \
        or _is_loopback(_by_address(fields, raw))


def _shared_service_intake(fields: ReceivedFields) -> bool:
    """Whether the hop is where a shared service took the message from outside one customer's
    use of it: Exchange Online Protection's intake host (_EOP_INBOUND_SUFFIX) records a client that
    is never the receiving tenant's own internal host, and a hand-over from EOP's outbound relay
    (tenant_handover) is one tenant's mail entering another's, as any sender's would."""
    by = (fields.by or "").lower().rstrip(".")
    return by.endswith(_EOP_INBOUND_SUFFIX) or tenant_handover(fields)


_RunEnd = tuple[int | None, list[tuple[int, TrustedRelay, str]], str]


def _trusted_relay_run(work: Sequence[_Work], b: int, relays: Sequence[TrustedRelay], orgs: _Orgs,
                       reverse_names: ReverseNames | None, lookups: list[int]) -> _RunEnd | None:
    """(intake, hops walked through, why it stopped when the intake is None) when the boundary
    hop ``b``'s client is a trusted relay (_trusted_client); the intake is the hop where the
    relay's own run below it took the message from a client that is none. None when the
    boundary's client is no trusted relay.

    Once the boundary's client is the trusted relay, the Received just below it is the relay's
    own record (RFC 5321 section 4.4: each host prepends its own), and so on down its run: a hop
    whose receiver is the relay's (its ``by`` names a trusted domain, or the host the hop above
    recorded as its client) and whose client is a trusted relay too, or a non-public address
    (a client across the internet is never recorded at a private, loopback or link-local
    address: RFC 1918, RFC 4193, RFC 4291 section 2.5.6), is walked through; a hop with no
    client, or a loopback one, is a stamp inside that host, whatever the host calls itself there
    (amavisd-new's "by localhost"). The intake is the first hop whose public client matches no
    specification, and the hop where a shared service took the message from another customer's
    use of it (_shared_service_intake: Exchange Online's intake host, a tenant-to-tenant
    hand-over), whatever its client: that client's address is the relay's record of who
    connected, which no sender chooses. The run stops, and nothing moves, at a submission
    (_submitted_here: a customer of a shared service writing its own message, with any Received
    fields below), at a public client beside the receiver's own address that matches nothing
    (_one_network: perhaps an internal host the specification leaves out), at a receiver that
    is not the relay's, or after _TRUSTED_RUN hops. Nothing below the intake is read.
    ``lookups``: [PTR look-ups asked, look-ups with no answer], counted by _trusted_client."""
    first = _trusted_client(work[b], relays, reverse_names, False, lookups)
    if first is None:
        return None
    passed = [(b, *first)]
    above = work[b].fields  # the lowest hop of the run that recorded a client
    k = b - 1
    while k >= 0 and b - k <= _TRUSTED_RUN:
        item = work[k]
        fields = item.fields
        inside_host = not _has_client(fields) or _is_loopback(fields.from_ip)
        # The stamp just below a hop whose client is the relay (or below one of its loopback
        # hand-overs) is the relay host's own, whatever it calls itself on the loopback address.
        receiver_trusted = _relay_for_name(fields.by, relays) is not None \
            or _relay_for_address(_by_address(fields, item.header.value), relays) is not None \
            or _link_matches(fields.by, above, orgs) is True \
            or (inside_host and _localhost_receiver(fields, item.header.value))
        if not receiver_trusted:
            return None, passed, f"hop {k + 1}'s receiver ({str(fields.by)[:120]}) is not the trusted relay's host"
        if _submitted_here(fields):
            return None, passed, f"hop {k + 1} is a submission to the relay, not a hand-over from another server"
        if inside_host:
            if not fields.complete:
                return None, passed, f"hop {k + 1} names a client that could not be read"
            k -= 1
            continue
        if _is_public_ip(fields.from_ip) and _shared_service_intake(fields):
            return k, passed, ""
        matched = _trusted_client(item, relays, reverse_names, True, lookups)
        if matched is None and (item.private or not _is_public_ip(fields.from_ip)):
            matched = passed[-1][1], f"its non-public address {fields.from_ip}"
        if matched is None:
            relay_org = host_organization(passed[0][1].domain) if passed[0][1].domain is not None else None
            if relay_org == "outlook.com":
                # Exchange Online takes mail from outside at its intake hosts alone (the recipient
                # domain's MX, _shared_service_intake); any other public client one of its hosts
                # records is a customer's own submission, an application's SMTP AUTH to
                # smtp.office365.com, whose stamp carries no submission word (verification V63c
                # D1-2: the organisation's own scanner read SPOOFED with --trusted-relay outlook.com).
                return None, passed, (f"hop {k + 1}'s receiver ({str(fields.by)[:120]}) took the message from "
                                      f"{fields.from_ip}, not at Exchange Online Protection's intake: a customer's "
                                      "own submission to Exchange Online, not mail it took in for you")
            if _one_network(fields.from_ip, _by_address(fields, item.header.value)):
                return None, passed, (f"hop {k + 1}'s client ({str(fields.from_helo or fields.from_rdns)[:120]}, "
                                      f"{fields.from_ip}) is beside the relay's own address but matches no trusted "
                                      "relay: if it is the relay's internal host, add a specification that covers "
                                      "its address")
            return k, passed, ""
        passed.append((k, *matched))
        above = fields
        k -= 1
    return None, passed, (f"the relay's run went past {_TRUSTED_RUN} hops" if k >= 0 else
                          "the relay's run reached the first hop without an intake from another server")


def _trusted_relay_finding(work: Sequence[_Work], b: int, intake: int,
                           passed: Sequence[tuple[int, TrustedRelay, str]]) -> Finding:
    """hops.trusted_relay: the boundary moved past the hops of relays the user trusts."""
    specs = ", ".join(dict.fromkeys(relay.spec[:80] for _, relay, _ in passed))
    how = "; ".join(f"hop {k + 1}'s client by {words}" for k, _, words in passed[:8])
    fields = work[intake].fields
    client = str(fields.from_rdns or fields.from_helo or "")[:120]
    return Finding(
        id="hops.trusted_relay", severity=Severity.INFO,
        title=f"Trusted relay {specs} (--trusted-relay): the trust boundary moved from hop {b + 1} to hop {intake + 1}",
        explanation=(f"You declared {specs} part of your receiving side. It matched {how}. So "
                     + (f"hops {intake + 2}-{b + 1} are" if b > intake + 1 else f"hop {b + 1} is")
                     + f" your side's own relays, the trust boundary is hop {intake + 1}, where "
                     f"{str(fields.by)[:120]} took the message from {fields.from_ip}"
                     f"{f' ({client})' if client else ''}, which matches no trusted relay, and SPF and the results "
                     f"recorded above that hop judge that client. Headers alone could not show this: it rests on "
                     f"your word, and every customer of a shared service you trust hands mail on from the same relays "
                     f"(each is judged at the relay's intake, by the address it connected from)."),
        reference=_RFC5321_TRACE, subject=f"hop {intake + 1}")


# The hosts a shared filtering service delivers from when a message leaves one customer's
# processing for another server (Mimecast: "us-smtp-delivery-124.mimecast.com",
# "de-smtp-delivery-102.mimecast.com", "eu-smtp-delivery-1.mimecast.com" in public copies), by the
# service's organisation.
_delivery_hosts = {"mimecast.com": compiled_on_first_use(r"[a-z]{2}-smtp-delivery-[0-9]{1,4}\.mimecast\.com",
                                                        re.IGNORECASE)}


def _from_another_customer(fields: ReceivedFields, service: str, orgs: _Orgs,
                           reverse_names: ReverseNames | None) -> bool:
    """Whether the gateway's intake took the message from the service's own delivery host
    (_delivery_hosts): one customer's outbound mail entering another customer's inbound gateway
    (Mimecast to Mimecast, verification V52c D1), as any sender's would, not the service relaying
    outbound mail inside one run. The name is the reverse DNS the intake recorded, never the
    client's greeting, and where DNS is at hand the address must be confirmed as the service's
    (FCrDNS). The intake's Received is the top one under the confirmed hand-over, which the
    service wrote when it accepted the message (RFC 5321 section 4.4): a sender's text is below
    it, and to be recorded there as coming from the service's delivery host a sender must send
    through the service itself (its own account), whose egress the sender's SPF then judges, as
    the receiving gateway did (RFC 7208 section 2.4)."""
    pattern = _delivery_hosts.get(service)
    name = (fields.from_rdns or "").rstrip(".")
    if pattern is None or not name or pattern().fullmatch(name) is None:
        return False
    if reverse_names is not None and fields.from_ip:
        answer = reverse_names(fields.from_ip)
        return answer is not None and bool(answer[1]) and any(orgs.same(host_organization(n), service)
                                                              for n in answer[0][:10])
    return True


# A hosted service's customer instance named in its host names: Proofpoint's
# "mx0a-00650b01.pphosted.com" (tenant 00650b01) serves one customer, both as its MX and as the
# host that hands that customer's mail on; its other hosts are named "mx07-00178001", "mx08-..."
# (STMicroelectronics' in public copies: verification V45g).
_tenant_host = compiled_on_first_use(r"mx[0-9a-z]{2}-([0-9a-z]{4,16})\.pphosted\.com", re.IGNORECASE)


def _same_tenant(mx_host: str, client_name: str | None) -> bool:
    """Whether the client may be the customer instance the MX host names (_tenant_host): when the
    MX names one, the client's name must name the same, and a client named otherwise (another
    customer's host, a host of the service named with no instance) is not shown to be it. True
    when the MX names no instance (Proofpoint Essentials' shared hosts: nothing to tell apart)."""
    mx_tenant = _tenant_host().fullmatch(mx_host.rstrip("."))
    if mx_tenant is None:
        return True
    client_tenant = _tenant_host().fullmatch(client_name.rstrip(".")) if client_name else None
    return client_tenant is not None and mx_tenant.group(1).lower() == client_tenant.group(1).lower()


def _named_tenant(mx_host: str, client_rdns: str | None) -> str | None:
    """The customer instance (_tenant_host) the MX host and the client's recorded reverse-DNS
    name both name, or None when either names none or they differ."""
    mx_tenant = _tenant_host().fullmatch(mx_host.rstrip("."))
    client_tenant = _tenant_host().fullmatch(client_rdns.rstrip(".")) if client_rdns else None
    if mx_tenant is None or client_tenant is None or mx_tenant.group(1).lower() != client_tenant.group(1).lower():
        return None
    return mx_tenant.group(1).lower()


def _addressed_domains(message: Message) -> tuple[str, ...]:
    """The distinct domains of the message's To: and Cc: addresses (the first three)."""
    found: list[str] = []
    for name in ("To", "Cc"):
        for field in message.all(name)[:2]:
            for address in parse_addresses(field.value)[:20]:
                domain = (address.domain or "").lower()
                if domain and domain not in found:
                    found.append(domain)
    return tuple(found[:3])


def _author_domain(message: Message) -> str | None:
    """The domain of the (first) From: address, None when there is none."""
    value = message.first("From")
    found = parse_addresses(value[:2000])[:1] if value else []
    return found[0].domain.lower() if found and found[0].domain else None


def _recipient_domain(fields: ReceivedFields) -> str | None:
    """The domain of the boundary hop's "for" recipient, when it names one."""
    for found in parse_addresses(fields.for_)[:1] if fields.for_ else ():
        if found.domain:
            return found.domain.lower()
    return None


def _boundary_from_statement(work: list[_Work], b: int, claimed: str | None, final_org: str | None,
                             orgs: _Orgs, statements: Sequence[_Statement]) -> tuple[int, _Statement] | None:
    """A lower hop j whose client the organisation recorded as checked, when the chain allows it.

    When the final receiver's own name says nothing (``final_org`` None), the organisation
    is only what the relay's HELO claims, so the rule applies only if that receiver is an
    internal host (a bare name or one under a private top-level label, e.g. an Exchange
    server "APCNHUB11.correo.local" behind a gateway): an internet-facing MX has a public
    name, and a sender must not be able to pick the organisation, and so the boundary."""
    if claimed is None or (final_org is not None and not orgs.same(claimed, final_org)):
        return None
    if final_org is None and not _internal_name(work[-1].fields.by):
        return None
    for j in range(b - 1, max(-1, b - 8), -1):
        hop = work[j]
        ip = _ip(hop.fields.from_ip)
        if ip is None or hop.private:
            continue
        if not orgs.same(hop.org, claimed):
            return None
        for statement in statements:
            if statement.from_comment or statement.index >= hop.header.index or _ip(statement.ip) != ip:
                continue
            if statement.writer_org is not None and not orgs.same(statement.writer_org, claimed):
                continue
            if _links(work, j, b, orgs):
                return j, statement
        return None
    return None


# Exchange Online's Enhanced Filtering for Connectors ("skip listing"): behind a third-party
# filtering service, managed appliance or on-premises servers, Exchange Online skips the
# connector's listed addresses and evaluates SPF, DKIM and DMARC for the client before them.
_ENHANCED_FILTERING_DOCS = ("https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
                            "use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors")
# The most hops below Exchange Online's frontend it is followed past (a gateway's own run).
_SKIP_LISTED_DEPTH = 8


def _skip_listed_boundary(work: list[_Work], b: int, final_org: str | None, orgs: _Orgs,
                          statements: Sequence[_Statement], skip_listed: Sequence[str]
                          ) -> tuple[int, _Statement] | None:
    """(j, statement): the lower hop j whose client Exchange Online recorded as the client it
    checked, when Exchange Online's frontend is the boundary hop's receiver and it looked past the
    hop's client (Enhanced Filtering for Connectors, _ENHANCED_FILTERING_DOCS); None otherwise.

    The record counts only in Exchange Online's name (Received-SPF ``receiver=protection.outlook.com``,
    or its Authentication-Results that names no writer, "spf=pass (sender IP is 192.0.2.25)") and
    only between the frontend's Received and the next one above, where Exchange Online writes it:
    fields a sender wrote sit below the boundary hop's Received. Exchange Online names a client
    other than the one that connected only with skip listing on the tenant's connector, and picks
    the first client below the listed ones that the Received fields record: so j is the first hop
    below b whose client is that address, with the hops in between connecting. The
    X-MS-Exchange-SkipListedInternetSender / X-MS-Exchange-ExternalOriginalInternetSender
    fields (``skip_listed``: the addresses they name) sit among the message's own fields, where a
    sender can write one: they neither move the boundary nor stop it (only the words say them). The
    recorded client must not be Exchange Online's own relay (a loop out through an inline service)."""
    if final_org != "outlook.com" or not 0 < b < len(work) or work[b].private:
        return None
    fields = work[b].fields
    if not (normalize_domain(fields.by) or "").endswith(".mail.protection.outlook.com"):
        return None
    top = work[b].header.index
    ceiling = work[b + 1].header.index if b + 1 < len(work) else -1
    connected = _ip(fields.from_ip)
    checked: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    found: _Statement | None = None
    for statement in statements:
        if statement.from_comment or not ceiling < statement.index < top:
            continue
        if statement.writer_org is not None and statement.writer_org != "outlook.com":
            continue
        address = _ip(statement.ip)
        if address is not None:
            checked.add(address)
            found = found or statement
    # One address, not the connecting client's, not a private one: a frontend that recorded the
    # client that connected (the usual case), or two clients, moves nothing.
    if found is None or len(checked) != 1 or connected in checked or is_non_public_ip(found.ip):
        return None
    address = next(iter(checked))
    if any(address in network for network in _microsoft_networks() if network.version == address.version):
        # Exchange Online's own relay (a tenant's inbound mail looped out through an inline service
        # and back): the message was already inside the receiving side there, and Microsoft's
        # relays are in every Microsoft 365 domain's SPF (verification V45e D1: a direct-to-MX
        # spoof read AUTHENTICATED on the relay's address, its first frontend's failures below).
        return None
    # The X-MS-Exchange-SkipListedInternetSender fields (``skip_listed``) decide nothing here: they
    # sit among the message's own fields, and a sender's copy naming another address had switched
    # the move off (verification V45e D2).
    for j in range(b - 1, max(-1, b - 1 - _SKIP_LISTED_DEPTH), -1):
        if work[j].private or _ip(work[j].fields.from_ip) != address:
            continue
        return (j, found) if _links(work, j, b, orgs) else None
    return None


# The parser's words for a field that reads as more than one stamp: a greeting holding an address
# or clause words (received._read_from, received._greeting_clauses_joined), a second "by", more
# clauses than are read.
_INJECTION_PROBLEMS = ("the client's greeting holds", "the client's ident reply holds", "repeated 'by' clause",
                       "clauses: only the first", "the client's quoted address cannot be bounded",
                       "the client's text leaves a parenthesis unpaired")
# Or as less than one, where a client's address was read: no "by" after a "from". RFC 5321 section
# 4.4's Stamp has both, and the receiver writes its "by" after the greeting, so a greeting that opens
# a quoted string or a comment which the RCPT TO closes takes the receiver's record and "by" into it,
# and a record of the greeting's own is read as the client's ('from x (name [IP]) "a (unknown [IP])
# by mx (Postfix) ... for <"b"@c>'). (A "Received: from localhost" with no address names no client.)
_NO_BY = "no 'by' clause"
# How received.py's problem for unpaired parentheses begins (hops.greeting_injection's title).
_UNPAIRED_PREFIX = "the client's text leaves a parenthesis unpaired"


# The parser's word for a field with no ";" and no date: it ends where it stops (see _field_cut).
_NO_DATE = "no date (no ';' and no date-like text)"


def _greeting_injection(fields: ReceivedFields) -> str | None:
    """The first problem of the boundary hop's field that says the client's greeting may have
    written part of it (verifications V47c, V48a, V49a, V50a, V51a, V53f: a Postfix receiver
    writes the greeting verbatim, Exim the client's ident reply, and no parse of every such shape
    is unambiguous), or None. Where it is not None, nothing read from the field is the receiver's
    for certain: build_chain credits no login, webmail or submission there."""
    return next((problem[:200] for problem in fields.problems
                 if any(marker in problem for marker in _INJECTION_PROBLEMS)
                 or (problem == _NO_BY and fields.from_ip is not None)), None)


def _unplaced_text_credits_nothing(item: _Work) -> None:
    """The safety net for a hop whose field holds text the client may have written that the
    parser could not place (_greeting_injection): no login, no web mail ("via HTTP") and no
    submission is read from it."""
    fields = item.fields
    http_via = (fields.via or "").strip().lower().startswith("http")
    if fields.auth is not None or http_via:
        item.fields = dataclasses.replace(fields, auth=None, via=None if http_via else fields.via)
    if item.role is Role.MSA:
        item.role = Role.MTA


def _qmail_user_unsure(item: _Work) -> str | None:
    """The user a qmail stamp names as "(user@IP)" with plain "with SMTP" and no login marker, or
    None: John Simpson's combined qmail patch writes an SMTP AUTH login there with "SMTP" (it
    never writes ESMTPA), other builds the client's RFC 1413 ident reply (received.py's note above
    _QMAIL_AUTH_SOFTWARE). It is read as the ident, the safe side; this says it may be a login
    (V55c D2-1: a genuine sent copy read SPOOFED with no word why)."""
    fields = item.fields
    if fields.ident is None or fields.auth is not None or fields.from_ip is None \
            or (fields.protocol or "").upper() != "SMTP":
        return None
    value = item.header.value
    stamp = f"({fields.ident}@"
    return fields.ident if (f"{stamp}{fields.from_ip})" in value or f"{stamp}[{fields.from_ip}])" in value) else None


def _field_cut(fields: ReceivedFields, injected: str) -> bool:
    """The boundary field's only mark (``injected``) is a client address with no "by", and the
    field also has no ";" and no date: it ends after its from part, as a paste that lost the
    field's continuation lines does. A greeting that opens a quote or comment for the RCPT TO to
    close leaves the receiver's date after it (RFC 5321 section 4.4: the receiver writes the
    stamp's end), so it is the words that differ, not the distrust (V53f D3-1)."""
    return injected == _NO_BY and _NO_DATE in fields.problems


def _internal_name(name: str | None) -> bool:
    """A host name that exists only on a private network: no dot, or an unregistered TLD."""
    host = normalize_domain(name)
    if host is None or is_ip_literal(host) or _HOST_CHARS.fullmatch(host) is None:
        return False
    return "." not in host or not _registered_tld(host.rsplit(".", 1)[1])


def _statement_ip(value: str) -> re.Match[str] | None:
    """``_STATEMENT_IP.search(value)``, skipped when ASCII text lacks "ip" in any case: every
    name the pattern looks for has it, and many records (a plain "spf=pass smtp.mailfrom=...")
    do not. Non-ASCII text always goes to the regex (case-insensitive matching there follows
    Unicode case rules, which lower() alone does not)."""
    if value.isascii() and "ip" not in value.lower():
        return None
    return _STATEMENT_IP.search(value)


def _unseen_outside_client(work: list[_Work], statements: Sequence[_Statement],
                           boundary_index: int = 0) -> _Statement | None:
    """A client the receiving side recorded (its Received-SPF or Authentication-Results, in its
    name or in none, as Exchange Online writes) that is an internet address and the client of no
    hop shown: the hop where it connected is not there.

    None when the boundary hop's client is an internet address that only its own greeting puts
    inside the receiving side (no reverse DNS name of it, no network of the operator's): the
    receiver saw that client connect, which is the arrival, and those records may be the
    sender's (they sit anywhere in the header): a spoofer greeting as mail-sor-f41.google.com
    with a Received-SPF of its own naming another client made the arrival read as missing and
    its forged results "not relied on" instead of "possibly forged" (verification V35a)."""
    receiver = work[-1].org if work else None
    if 0 <= boundary_index < len(work):
        arrival = work[boundary_index]
        client = arrival.fields
        if client.from_ip and not arrival.private and arrival.org is not None \
                and not (client.from_rdns and host_organization(client.from_rdns) == arrival.org) \
                and not (arrival.org == "outlook.com" and _operator_address(arrival.org, client.from_ip)):
            return None
    shown = {_ip(item.fields.from_ip) for item in work if item.fields.from_ip}
    for statement in statements:
        if statement.from_comment:
            continue  # (a comment's address places no missing hop: _recorded_arrival_above only)
        if statement.writer_org is not None and statement.writer_org != receiver:
            continue  # another server's record (an earlier leg's, a forwarder's)
        address = _ip(statement.ip)
        if address is not None and address not in shown and not is_non_public_ip(statement.ip):
            return statement
    return None


def spf_comment_head_is_writer(head: str, comment: str, checked: Sequence[str | None]) -> bool:
    """Whether the host that opens a Received-SPF comment ("(mybox.example.org: ...") names the
    field's writer, as in RFC 7208 section 9.1's example, rather than the authority domain whose
    policy gave the result, as Mail::SPF writes it (see _mail_spf_wording_re). Not the writer
    when the comment has Mail::SPF's wording, or when the name is a checked identity's domain
    (``checked``: the envelope-from and helo values) or that domain's organisational domain:
    a receiver names itself, not the domain it checked."""
    if _mail_spf_wording_re().search(comment[:_SCAN_LIMIT]):
        return False
    name = normalize_domain(head)
    for value in checked[:4]:
        domain = normalize_domain((value or "")[:320].strip().strip("\"<>").rpartition("@")[2])
        if domain is not None and name in (domain, organizational_domain(domain)):
            return False
    return True


def _spf_writer_match(value: str) -> re.Match[str] | None:
    """The writer a Received-SPF names (``receiver=``, else the host opening its comment when
    that host is the writer; see spf_comment_head_is_writer), as a match whose group 1 is it."""
    r = _spf_receiver_re().search(value)
    if r is not None:
        return r
    head = _spf_comment_host_re().match(value)
    if head is None:
        return None
    checked = [m.group(1) for m in _spf_checked_re().finditer(value, 0, _SCAN_LIMIT)][:4]
    return head if spf_comment_head_is_writer(head.group(1), value, checked) else None


def _read_statements(message: Message) -> list[_Statement]:
    """Who recorded which client IP: Received-SPF (RFC 7208 section 9.1) and
    Authentication-Results (RFC 8601 section 2.7) fields, read by a small local parser."""
    found: list[_Statement] = []
    for name in ("Received-SPF", "Authentication-Results"):
        for header in message.all(name)[:_MAX_STATEMENTS]:
            value = header.value[:_SCAN_LIMIT]
            m = _statement_ip(value)
            from_comment = False
            if m is None and name == "Received-SPF":
                # Yahoo's "fail (domain of paypal.com does not designate 45.67.89.10 as permitted
                # sender)", with no client-ip= (RFC 7208 section 9.1 makes the key-value list optional).
                m = _spf_comment_ip_re().search(value)
                from_comment = m is not None
            if m is None:
                continue
            writer: str | None = None
            if name == "Received-SPF":
                r = _spf_writer_match(value)
                writer = host_organization(r.group(1)) if r else None
            else:
                a = _authserv_id_re().match(value)
                writer = host_organization(a.group(1)) if a else None
            found.append(_Statement(index=header.index, ip=m.group(1), writer_org=writer, from_comment=from_comment))
    return found


# Exchange Online's "ip=[192.0.2.25];domain=mail.example.org" (X-MS-Exchange-SkipListedInternetSender).
_skip_listed_ip_re = compiled_on_first_use(r"\bip=\[?([0-9A-Fa-f:.]{2,45})\]?", re.IGNORECASE)


_SKIP_LISTED_FIELDS = frozenset({"x-ms-exchange-skiplistedinternetsender", "x-ms-exchange-externaloriginalinternetsender"})


def _skip_listed(message: Message) -> tuple[str, ...]:
    """The addresses Exchange Online's X-MS-Exchange-SkipListedInternetSender and
    X-MS-Exchange-ExternalOriginalInternetSender fields name: the client before the connector's
    skip-listed addresses (see _skip_listed_boundary), as a sender may also write them."""
    if not message.has_any(_SKIP_LISTED_FIELDS):
        return ()  # (most messages: one set test instead of two lookups)
    found: list[str] = []
    for name in ("X-MS-Exchange-SkipListedInternetSender", "X-MS-Exchange-ExternalOriginalInternetSender"):
        for field in message.all(name)[:2]:
            m = _skip_listed_ip_re().search(field.value[:200])
            if m is not None:
                found.append(m.group(1))
    return tuple(found)


def _read_client_records(message: Message) -> list[_ClientRecord]:
    """Each Received-SPF and Authentication-Results field's writer and the client it recorded
    (address, HELO name), when it records either; see _ClientRecord."""
    found: list[_ClientRecord] = []
    for name in ("Received-SPF", "Authentication-Results"):
        for header in message.all(name)[:_MAX_STATEMENTS]:
            value = header.value[:_SCAN_LIMIT]
            m = _statement_ip(value)
            h = _record_helo_re().search(value) if not value.isascii() or "helo" in value.lower() else None
            if m is None and h is None:
                continue
            if name == "Received-SPF":
                r = _spf_writer_match(value)
            else:
                r = _authserv_id_re().match(value)
            found.append(_ClientRecord(index=header.index, name=name, writer=r.group(1) if r else None,
                                       ip=m.group(1) if m else None, helo=h.group(1) if h else None))
    return found


def _forwarder_marks(message: Message) -> list[tuple[str, str]]:
    """(organisation, what shows it) for each party the message names as a forwarder: the
    domain of an SRS envelope sender (a forwarder rewrites the MAIL FROM so that SPF passes for
    it at the next receiver; Shevek's SRS paper, RFC 7208 appendix D) and each ARC sealer
    (RFC 8617 section 1: an intermediary seals what it received before it sends the message on)."""
    marks: list[tuple[str, str]] = []
    path = message.first("Return-Path")
    srs = decode_srs(envelope_address(path))
    if srs is not None:
        org = host_organization(srs.forwarder)
        if org is not None:
            marks.append((org, f"the envelope sender is an SRS address of {srs.forwarder[:120]} (Return-Path)"))
    for header in message.all("ARC-Seal")[:8]:
        value = header.value[:_SCAN_LIMIT]
        d = _arc_seal_domain_re().search(value)
        org = host_organization(d.group(1)) if d else None
        if d is None or org is None:
            continue
        i = _arc_seal_instance_re().search(value)
        marks.append((org, f"ARC seal {'i=' + i.group(1) + ' ' if i else ''}by {d.group(1)[:120]} "
                           f"({header_ref(header.index)})"))
    return marks


def _forwarder_evidence(work: Sequence[_Work], i: int, orgs: _Orgs, records: Sequence[_ClientRecord],
                        marks: Sequence[tuple[str, str]]) -> tuple[str, str, bool] | None:
    """When hop i+2's client (0-based i+1), which hop i+1's ``by`` does not name, is a forwarder
    that added no Received for its own inbound hop: (its organisation, the evidence, linked).
    ``linked``: its own fields record the client it took the message from, and that client is
    hop i+1's server (its address, or a host of that server's organisation); the evidence then
    names that reconstructed inbound hop first. All of it is text hop i+2's client wrote (or, for
    an SRS MAIL FROM, chose): the forwarder's claim, never proof that the lower chain is real.
    None when nothing marks the client as a forwarder."""
    low, nxt = work[i], work[i + 1].fields
    client_orgs = {o for o in (host_organization(n) for n in (nxt.from_rdns, nxt.from_helo)) if o}
    if not client_orgs:
        return None
    forwarder = sorted(client_orgs)[0]
    by = normalize_domain(low.fields.by)
    by_org = host_organization(by)
    upper_ip = _ip(nxt.from_ip)
    own: list[_ClientRecord] = []
    for record in records[:_MAX_STATEMENTS]:
        # Written after hop i+1's Received and before hop i+2's: by the server in between.
        if not work[i + 1].header.index < record.index < low.header.index:
            continue
        if not any(orgs.same(host_organization(record.writer), o) for o in client_orgs):
            continue  # the receiver's own record of hop i+2, or another party's
        if record.ip and _ip(record.ip) == upper_ip:
            continue
        own.append(record)
    # One inbound hop, recorded by several fields (Received-SPF beside Authentication-Results):
    # the address from one, the HELO name from another.
    ip = next((r.ip for r in own if r.ip), None)
    helo_text = next((r.helo for r in own if r.helo), None)
    helo = normalize_domain(helo_text)
    address = _ip(ip) if ip else None
    why: str | None = None
    if address is not None and (address == _ip(low.fields.from_ip) or _by_names_address(low.header.value, ip)):
        why = f"the address hop {i + 1} names for its server or client"
    elif helo is not None and by is not None and (
            helo == by or (by_org is not None and orgs.same(host_organization(helo), by_org))):
        why = f"a host of {by_org or by}, as hop {i + 1}'s server is"
    evidence = [what for org, what in marks if any(orgs.same(org, o) for o in client_orgs)]
    if why is None and not evidence:
        return None
    if why is not None:
        client = " ".join(part for part in (str(helo_text or "")[:120], f"[{str(ip)[:45]}]" if ip else "") if part)
        refs = [f"{r.name} ({header_ref(r.index)})" for r in sorted(own, key=lambda r: r.index)[:3]]
        evidence.insert(0, f"its own {' and '.join(refs)}, right below hop {i + 2}'s Received, "
                           f"say{'s' if len(refs) == 1 else ''} it took the message from {client}, {why}")
    return forwarder, "; ".join(evidence[:4]), why is not None


# ---------------------------------------------------------------- consistency checks


def _link_matches(by: str | None, nxt: ReceivedFields, orgs: _Orgs | None = None,
                  ptr_names: Sequence[str] = ()) -> bool | None:
    """Does ``by`` of one hop name the client of the next? None when it cannot be told."""
    host = normalize_domain(by)
    if host is None or not _has_client(nxt):
        return None
    names: list[str] = []
    for name in (nxt.from_rdns, nxt.from_helo, *ptr_names):  # _client_names, then the PTR names
        normalized = normalize_domain(name)
        if normalized:
            if normalized == host:
                return True
            names.append(normalized)
    if _is_loopback(nxt.from_ip) or normalize_domain(nxt.by) in _LOCALHOST_NAMES:
        # A loopback client is the same machine handing the message back (a content filter:
        # amavisd-new, Proofpoint, MailScanner re-inject over 127.0.0.1): always connected. So is
        # a stamp "by localhost": amavisd-new's own, on the machine that handed it the message,
        # naming that server as it greeted ("from mail.ietf.org ... by localhost (ietfa.amsl.com").
        return True
    if is_ip_literal(host):
        client_ip = _ip(nxt.from_ip)
        return True if client_ip is not None and client_ip == _ip(host) else None
    by_org = host_organization(host)
    name_orgs = [o for o in (host_organization(n) for n in names) if o]
    if by_org is None or not name_orgs:
        return None
    if orgs is not None:
        return any(orgs.same(by_org, o) for o in name_orgs)
    return by_org in name_orgs


def _by_names_address(raw: str, address: str | None) -> bool:
    """Whether a Received header's ``by`` clause gives ``address`` as the server's own, in the
    comment after its name: "by auristor.com (208.125.0.235) (MDaemon PRO v21.5.0)"."""
    if not address or _ip(address) is None:
        return False
    by = _by_address_re().search(_scan(raw))
    return by is not None and _ip(by.group(1)) == _ip(address)


_by_address_re = compiled_on_first_use(r"\bby\s+\S+\s+\(\s*\[?([0-9A-Fa-f:.]{2,45})\]?\s*\)", re.IGNORECASE)


def _forged_signs(fields: ReceivedFields, raw: str) -> list[str]:
    """Values that no real server writes, found in a hop below the trust boundary."""
    signs: list[str] = []
    text = _scan(raw)
    helo, rdns, ip, by = fields.from_helo, fields.from_rdns, fields.from_ip, fields.by
    # A date needs "hh:mm": without a colon before "by" or in the host values there is none.
    # (The f-string is only the colon test: None is written "None", which has none.)
    if _date_before_by(text) or (
            ":" in f"{helo}{rdns}{ip}{by}"
            and _date_like_re().search(_scan(" ".join(x for x in (helo, rdns, ip, by) if x)))):
        signs.append("a date written where the sending host's name or address belongs")
    if fields.from_ip and _ip(fields.from_ip) is None:
        signs.append(f"an impossible client address ({fields.from_ip[:80]!r})")
    zone = _ZONE_OFFSET.search(_scan(fields.date_text))
    if zone and (int(zone.group(2)) > 14 or int(zone.group(3)) >= 60):
        signs.append(f"an impossible time-zone offset ({zone.group(0).strip()})")
    # A made-up protocol name alone is weak (real servers write "with FQDP", "with
    # qmail-scanner-1.24"), so it is only reported beside another sign.
    if signs:
        protocol = (fields.protocol or "").strip()
        if (protocol and " " not in protocol and not _known_protocol_re().fullmatch(protocol)
                and not re.search(r"smtp|lmtp|http", protocol, re.IGNORECASE)):
            signs.append(f"a protocol no mail server uses ('with {protocol[:40]}')")
    return signs


def _date_before_by(text: str) -> bool:
    """Whether the text before the first word "by" (any case) holds a colon and a date.

    Usually the first colon is in the date at the end, and " by " stands before it: then the
    first "by" (the regex's leftmost match is at or before that one) is before every colon,
    and the regex search is not needed. :func:`_date_before_by_plain` reads it in full (a test
    checks the two agree)."""
    colon = text.find(":")
    if colon == -1 or text.find(" by ", 0, colon) != -1:
        return False
    return _date_before_by_plain(text)


def _date_before_by_plain(text: str) -> bool:
    """_date_before_by by the regexes alone."""
    by_match = _BY_KEYWORD.search(text) if ":" in text else None
    from_clause = text[: by_match.start()] if by_match else ""
    return ":" in from_clause and _date_like_re().search(from_clause) is not None


# ---------------------------------------------------------------- findings


class _Findings:
    """Collects findings, listing at most FINDINGS_PER_ID of each id."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: dict[str, int] = {}

    def add(self, finding: Finding) -> None:
        count = self.counts.get(finding.id, 0) + 1
        self.counts[finding.id] = count
        if count <= FINDINGS_PER_ID:
            self.items.append(finding)

    def result(self) -> tuple[Finding, ...]:
        out = list(self.items)
        for finding_id, count in self.counts.items():
            if count > FINDINGS_PER_ID:
                out.append(Finding(
                    id=finding_id, severity=Severity.INFO,
                    title=f"{count - FINDINGS_PER_ID} more of the same",
                    explanation=f"{count} hops raised {finding_id}; only the first "
                                f"{FINDINGS_PER_ID} are listed.",
                ))
        return tuple(out)


def _skew_severity(seconds: float) -> Severity:
    magnitude = abs(seconds)
    if magnitude <= 120:
        return Severity.INFO
    if magnitude <= 86400:
        return Severity.NOTICE
    return Severity.WARNING


# ---------------------------------------------------------------- the chain


# A time of day without seconds ("09:06 GMT"): hours and minutes not followed by ":" and digits.
_minute_time_re = compiled_on_first_use(r"\b\d{1,2}:\d{2}(?![:\d])")
_second_time_re = compiled_on_first_use(r"\b\d{1,2}:\d{2}:\d{2}")


def _to_the_minute(date_text: str | None) -> bool:
    """Whether a Date: gives its time without seconds (RFC 5322 section 3.3 allows it)."""
    text = (date_text or "")[:200]
    return _minute_time_re().search(text) is not None and _second_time_re().search(text) is None


def build_chain(
    message: Message,
    date: datetime | None,
    now: datetime,
    *,
    parse: Callable[[str], ReceivedFields] = parse_received,
    reverse_names: ReverseNames | None = None,
    mail_exchangers: MailExchangers | None = None,
    trusted_relays: Sequence[TrustedRelay] = (),
) -> HopChain:
    """Parse every Received header of the message and assemble the chain.

    ``date`` is the parsed ``Date:`` header (hop 1's delay and the total are measured from
    it), ``now`` the time of analysis (for dates in the future), ``parse`` the Received
    parser (injectable for tests). ``reverse_names``, when DNS is available, gives the PTR
    names of a client address and whether they resolve back to it: used to confirm a
    HELO-only relay of the receiving organisation and to check the link into the boundary.
    ``trusted_relays``: hosts and networks the user declared its own receiving side
    (_behind_trusted_relay). The receiver's Received-SPF / Authentication-Results ``client-ip``
    records are read from the message. Never raises on message content.
    """
    received = message.all("Received")
    renamed = [f for f in message.all("X-Received")[:10] if _renamed_received_re().match(f.value[:400])]
    if renamed:
        received = tuple(sorted([*received, *renamed], key=lambda f: f.index))
    return build_chain_from_fields(received, date, now, parse=parse, header_only=message.header_only,
                                   cut_off=message.cut_off, top_cut=message.starts_mid_field,
                                   statements=_read_statements(message), skip_listed=_skip_listed(message),
                                   reverse_names=reverse_names,
                                   mail_exchangers=mail_exchangers,
                                   addressed_domains=_addressed_domains(message) if mail_exchangers else (),
                                   wait_notes=[*message.all("X-Greylist")[:3], *message.all("X-Mailman-Approved-At")[:1],
                                               *message.all("Resent-Date")[:2],
                                               *[f for f in message.all("X-Received")[:4] if f not in renamed],
                                               *message.all("X-MS-Exchange-CrossTenant-OriginalArrivalTime")[:1]],
                                   list_domain=list_id_domain(message.first("List-Id")),
                                   submission_stamps=[f for name in _SUBMISSION_STAMPS for f in message.all(name)[:5]],
                                   date_to_the_minute=_to_the_minute(message.first("Date")),
                                   message_id=message.first("Message-ID"), author_domain=_author_domain(message),
                                   originating_ips=[f.value for f in message.all("X-Originating-IP")[:5]],
                                   delivery_recorded=any(message.first(name) is not None for name in _DELIVERY_FIELDS),
                                   delivered_to=[f for name in _DELIVERY_FIELDS for f in message.all(name)[:3]],
                                   client_records=_read_client_records(message),
                                   forwarder_marks=_forwarder_marks(message), trusted_relays=trusted_relays)


# Fields a delivery writes (RFC 9228's Delivered-To; Postfix's X-Original-To; Exim's Envelope-To):
# a copy that carries one was delivered somewhere, so it is no sender's copy (_submission_only).
_DELIVERY_FIELDS = ("Delivered-To", "X-Original-To", "Envelope-To")


# A Received that a list server renamed X-Received (groups.io keeps the fields a message arrived
# with that way, below its own Received): "from HOST ... by HOST ...". Gmail's own X-Received
# ("by 2002:a05:... with SMTP id ...") names no client and stays out.
_renamed_received_re = compiled_on_first_use(r"\s*from\s+\S{1,255}\s[^;]{0,300}?\bby\s+\S", re.IGNORECASE)


def _renamed_trace_finding(work: Sequence[_Work]) -> Finding | None:
    """Info naming the hops read from X-Received fields, or None."""
    renamed = [i + 1 for i, item in enumerate(work) if item.header.name.lower() == "x-received"]
    if not renamed:
        return None
    numbers = ", ".join(str(n) for n in renamed[:5])
    return Finding(
        id="hops.renamed_trace", severity=Severity.INFO,
        title=f"Hop{'s' if len(renamed) > 1 else ''} {numbers} read from X-Received",
        explanation=(f"Hop{'s' if len(renamed) > 1 else ''} {numbers} {'are' if len(renamed) > 1 else 'is'} read "
                     "from X-Received fields written in the form of a Received field: a list server (groups.io "
                     "does this) renames the Received fields a message arrived with before it sends the message on. "
                     "They record the earlier hand-overs, with the same standing as any Received below the trust "
                     "boundary: claims, not evidence."),
        reference=_RFC5321_TRACE, subject=f"hop {renamed[0]}")


def originating_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address of an X-Originating-IP value: "[192.0.2.7]" (Exchange, Outlook.com, Coremail)
    or a bare address; None for anything else."""
    text = value.strip()[:64].strip("[]\t ")
    if text[:5].lower() == "ipv6:":
        text = text[5:]
    return _ip(text)


def _submitted_from_originating_ip(work: Sequence[_Work], originating_ips: Sequence[str], boundary: _Boundary) -> bool:
    """Whether the first hop, classified MTA, is the author's client submitting the message
    (RFC 6409, RFC 5598 section 4.3.1): its client address is the message's X-Originating-IP.

    The submission server writes X-Originating-IP with the address of the client that handed it
    the message: Exchange for every client submission (Outlook over SMTP, IMAP clients, Outlook on
    the web; its Received then says only "with Microsoft SMTP Server"), Outlook.com and Coremail
    for their web mail. The first hop recording that same address as its client is that
    submission. Only where the sender's side wrote the first hop: below the trust boundary, or
    at the boundary of a message sent inside one organisation from a private address. At a
    boundary where a public client handed the message over, that client (connected straight to
    the receiver) could have written the field with its own address, and a submission role there
    would hide what the receiver did not check (recorded.none)."""
    if not work or not originating_ips or work[0].role is not Role.MTA:
        return False
    client = _ip(work[0].fields.from_ip)
    if client is None or (boundary.index == 0 and (boundary.from_outside or not is_non_public_ip(str(client)))):
        return False
    return any(originating_ip(value) == client for value in originating_ips[:5])


# Fields a server writes beside the Received of a submission it authenticated, naming the
# account: the hop is the submission, though its Received does not say so. SmarterMail's just
# above its Received, whose protocol says only "with SMTP". Orange's submission servers (mwinfNNNN,
# "with ME", 2020-2021 copies on lists; later ones write "with ESMTPA") write their own block just
# below it, X-ME-Helo, X-ME-Auth (the login, base64), X-ME-Date, X-ME-IP; X-ME-Helo is gathered
# only to place X-ME-Auth.
_SUBMISSION_STAMPS = ("X-SmarterMail-Authenticated-As", "X-ME-Auth", "X-ME-Helo")
# A login as a decoded X-ME-Auth gives it (some copies hold a token that decodes to no text: no login).
_me_login_re = compiled_on_first_use(r"[A-Za-z0-9._%+=-]{1,64}(?:@[A-Za-z0-9.-]{1,253})?")


def _stamped_login(fields: ReceivedFields, header: HeaderField, stamps: Sequence[HeaderField]) -> ReceivedFields:
    """The Received's fields with the login of a submission stamp its server wrote beside it."""
    for stamp in stamps:
        name = stamp.name.lower()
        if name == "x-smartermail-authenticated-as" and stamp.index == header.index - 1:
            login = stamp.value.strip()[:200]
            if login and " " not in login:
                return dataclasses.replace(fields, auth=f"{stamp.name}: {login}")
        elif name == "x-me-auth" and stamp.index == header.index + 2 and (fields.protocol or "").upper() == "ME" \
                and any(other.index == header.index + 1 and other.name.lower() == "x-me-helo" for other in stamps):
            # Only Orange writes "with ME", and its block starts with X-ME-Helo, X-ME-Auth: below
            # the Received the sender's own fields follow Orange's, never in its place (a sender's
            # X-ME-Auth under another receiver's Received, or after Orange's X-ME-Helo when Orange
            # wrote no X-ME-Auth, is not read).
            encoded = _me_login(stamp.value)
            marker = f"{stamp.name}: authenticated as {encoded}" if encoded else stamp.name
            return dataclasses.replace(fields, auth=marker)
    return fields


def _me_login(value: str) -> str | None:
    """The login an X-ME-Auth value encodes (base64 of "user@domain"), or None when it is no such text."""
    text = value.strip()
    if not text or len(text) > 400:
        return None
    try:
        login = binascii.a2b_base64(text, strict_mode=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return login if _me_login_re().fullmatch(login) else None


def _arrival_missing(where: str, subject: str, explanation: str) -> Finding:
    """hops.arrival_missing: the copy lacks the hop where the message arrived at ``where``."""
    return Finding(id="hops.arrival_missing", severity=Severity.NOTICE,
                   title=f"The hop where the message arrived at {where} is missing", explanation=explanation,
                   reference=_RFC5321_TRACE, subject=subject)


def _only_final_delivery(work: Sequence[_Work]) -> bool:
    """Every hop is a delivery into a mailbox store (any LMTP variant, Exchange's Mailbox
    Transport) or a mailbox download, with no login: the copy records no hop where the message
    entered. Not Exim's "with local" or a pickup: those are a program on the host injecting it."""
    return bool(work) and all(
        not item.fields.auth and item.role is not Role.MSA
        and (_protocol(item.fields).startswith("lmtp") or _mailbox_transport(item.fields) or is_retrieval(item.fields)
             or (not _protocol(item.fields) and "lmtp" in _scan(item.header.value).lower()
                 and bool(_with_lmtp_re().search(_scan(item.header.value)))))
        for item in work)


def _content_filter_hop(item: _Work) -> bool:
    """A content filter's re-injection (amavisd-new's "by localhost (host [127.0.0.1])
    (amavisd-new, port 10024)", or a hand-over between loopback ports 10024/10025): it hands on
    a message its own server received before, never one that starts there."""
    raw = item.header.value[:_SCAN_LIMIT].lower()
    loopback = _is_loopback(item.fields.from_ip) or normalize_domain(item.fields.by) in _LOCALHOST_NAMES
    return loopback and ("amavisd" in raw or "port 10024" in raw or "port 10025" in raw)


# The filter's own words after "by localhost (host [127.0.0.1])": amavisd-new's "(amavisd-new, port
# 10024)", amavis 2.12's "(amavis, port 10024)".
_filter_words_re = compiled_on_first_use(r"\(([A-Za-z][A-Za-z0-9-]{0,30}),\s{0,5}port\s{1,5}(\d{1,5})\)")


def _content_filter_notes(work: Sequence[_Work]) -> dict[int, str]:
    """Hop.note for the hops of a content filter on the receiving host: the filter's own stamp
    (the server handed it the message over loopback, see _content_filter_hop) and the hop just
    after it whose client is loopback (the filter re-injecting the checked message into its
    server, amavisd-new to Postfix's port 10025). Their role stays MTA (RFC 5598 has no other
    word for them); the note says what they are."""
    notes: dict[int, str] = {}
    for i, item in enumerate(work):
        if not _content_filter_hop(item):
            continue
        m = _filter_words_re().search(_scan(item.header.value))
        # Short: the terminal shows it in the narrow "with" column.
        notes[i] = f"content filter {m.group(1)}" if m else "content filter"
        if i + 1 < len(work) and i + 1 not in notes and _is_loopback(work[i + 1].fields.from_ip) \
                and normalize_domain(work[i + 1].fields.by) not in _LOCALHOST_NAMES:
            notes[i + 1] = f"back from {m.group(1)}" if m else "back from content filter"
    return notes


def filter_loop_host(hops: Sequence[Hop]) -> str | None:
    """The one host every hop of a copy is on, when the copy is that host's own content-filter
    loop and nothing else (Postfix handing the message to amavisd-new on 127.0.0.1:10024, the
    filter handing it back, LMTP to the host's mailbox store): every hop is received by that
    host (the filter's own stamp, "by localhost (host.example [127.0.0.1])", names it in its
    comment) from a loopback client or from the host itself by its reverse-DNS name, and one
    of them is the filter's. Else None: a hop of another host or organisation is in it."""
    if not hops or not any((hop.note or "").startswith("content filter") for hop in hops):
        return None
    host: str | None = None
    for hop in hops:
        by = normalize_domain(hop.fields.by)
        if by in _LOCALHOST_NAMES and (hop.note or "").startswith("content filter"):
            m = _by_comment_host_re().search(_scan(hop.raw))
            by = normalize_domain(m.group(1)) if m else None
        if by is None or by in _LOCALHOST_NAMES or (host is not None and by != host):
            return None
        host = by
        if not _is_loopback(hop.fields.from_ip) and normalize_domain(hop.fields.from_rdns) != host:
            return None
    return host


# qmail-queue's own stamp when its caller is not qmail-smtpd: "(qmail 1234 invoked by uid 111)".
_queue_network_re = compiled_on_first_use(r"^\(\s*qmail \d{1,10} invoked from network\s*\)", re.IGNORECASE)
_queue_uid_re = compiled_on_first_use(r"^\(\s*[A-Za-z][\w.-]{0,30} \d{1,10} invoked by uid (\d{1,10})\s*\)")
# Seconds between an SMTP stamp and the queue's stamp above it within which the queue is taken as
# the receiving program's own (both stamps come from one host's clock, written as the DATA ends).
_QUEUED_WITHIN_SECONDS = 300


def _queued_by_receiver_notes(work: list[_Work]) -> dict[int, str]:
    """Hop.note for qmail-queue's "(qmail N invoked by uid U)" or "(qmail N invoked from
    network)" written just above an SMTP stamp (the latter, qmail-smtpd's, is no hand-over: the
    same host's note that it queued what it received):
    qmail-queue writes "invoked from network" only when qmail-smtpd runs it, and "invoked by uid
    U" for any other caller (qmail's qmail-queue.c): an SMTP server such as qpsmtpd, or a filter
    such as qmail-scanner, queuing what it has just received. U is that program's account, not a
    user submitting, so the stamp's uid is not kept as the client's user (the stamp's own words
    and this note say it)."""
    notes: dict[int, str] = {}
    for i in range(1, len(work)):
        item, below = work[i], work[i - 1]
        fields = item.fields
        if fields.by or _has_client(fields) or not _has_client(below.fields) \
                or item.time is None or below.time is None:
            continue
        m = _queue_uid_re().match(item.header.value[:200])
        network = m is None and _queue_network_re().match(item.header.value[:200]) is not None
        if m is None and not network:
            continue
        waited = (item.time - below.time).total_seconds()
        if -SKEW_TOLERANCE_SECONDS <= waited <= _QUEUED_WITHIN_SECONDS:
            if m is None:
                # qmail-smtpd's own queue note on the host that received the SMTP below it.
                notes[i] = f"queued by hop {i}'s receiver (qmail-smtpd), not a hand-over"
                continue
            notes[i] = f"queued by hop {i}'s receiver (uid {m.group(1)})"
            if fields.ident == f"uid {m.group(1)}":
                item.fields = dataclasses.replace(fields, ident=None)
    return notes


def list_id_domain(list_id: str | None) -> str | None:
    """The organisation a List-Id names (RFC 2919: "Name <list-label.example.org>")."""
    label = list_id_label(list_id)
    if label is None:
        return None
    if label.rstrip(".").rpartition(".")[2] in _PRIVATE_NAMESPACES:
        # RFC 2919 section 3: "localhost" names a list tied to no domain; Salesforce Marketing Cloud
        # numbers its campaigns under ".local". No server of theirs handled the message.
        return None
    return organizational_domain(label) if "." in label else None


# Last labels no domain on the internet ends with (RFC 6761, RFC 6762, RFC 8375's home.arpa aside).
_PRIVATE_NAMESPACES = frozenset(("localhost", "local", "invalid", "internal", "lan", "localdomain"))


def build_chain_from_fields(
    received: Sequence[HeaderField],
    date: datetime | None,
    now: datetime,
    *,
    parse: Callable[[str], ReceivedFields] = parse_received,
    statements: Sequence[_Statement] = (),
    reverse_names: ReverseNames | None = None,
    wait_notes: Sequence[HeaderField] = (),
    mail_exchangers: MailExchangers | None = None,
    addressed_domains: Sequence[str] = (),
    list_domain: str | None = None,
    submission_stamps: Sequence[HeaderField] = (),
    date_to_the_minute: bool = False,
    header_only: bool = False,
    cut_off: bool = False,
    top_cut: bool = False,
    message_id: str | None = None,
    author_domain: str | None = None,
    originating_ips: Sequence[str] = (),
    delivery_recorded: bool = False,
    delivered_to: Sequence[HeaderField] = (),
    client_records: Sequence[_ClientRecord] = (),
    forwarder_marks: Sequence[tuple[str, str]] = (),
    skip_listed: Sequence[str] = (),
    trusted_relays: Sequence[TrustedRelay] = (),
) -> HopChain:
    """The chain from Received fields given top first, as they stand in the message.
    ``wait_notes``: the fields that say why a hop waited (X-Greylist, X-Mailman-Approved-At);
    ``addressed_domains``: the domains of To: and Cc:, for a receiver that names no recipient;
    ``list_domain``: the organisation the message's List-Id names; ``header_only``: the fields
    are a pasted header without its body, which may stop anywhere (``cut_off``: a file cut off
    inside its header, which stops early too, said in a file's words; ``top_cut``: a paste that
    starts inside a field, without the topmost fields, Message.starts_mid_field); ``message_id`` and
    ``author_domain``: the Message-ID field and the From: address's domain; ``originating_ips``:
    the values of the message's X-Originating-IP fields (see _submitted_from_originating_ip);
    ``delivery_recorded``: the message carries a field a delivery writes (Delivered-To,
    X-Original-To, Envelope-To; see _submission_only), ``delivered_to`` those fields;
    ``client_records`` and ``forwarder_marks``: see _read_client_records and _forwarder_marks;
    ``skip_listed``: see _skip_listed."""
    findings = _Findings()
    total = len(received)
    if total == 0:
        findings.add(Finding(
            id="hops.no_received", severity=Severity.INFO, title="No Received headers",
            explanation="The message has no Received header, so there is no record of the servers "
                        "that carried it: it was never sent over SMTP, was saved before sending, "
                        "or its trace headers were removed.",
            reference=_RFC5321_TRACE,
        ))
        return HopChain(hops=(), boundary_hop=None, total_delay_seconds=None, findings=findings.result())

    truncated = total > DETAIL_LIMIT
    kept = list(received[:DETAIL_LIMIT])
    kept.reverse()  # Received fields are prepended (RFC 5321 section 4.4): bottom = earliest.
    if truncated:
        findings.add(Finding(
            id="hops.too_many", severity=Severity.WARNING,
            title=f"{total} Received headers: only the latest {DETAIL_LIMIT} analysed",
            explanation=f"The message carries {total} Received headers. Real mail passes a handful "
                        f"of servers; this many means a mail loop or a message built to overload "
                        f"analysers. The latest {DETAIL_LIMIT} (top) are analysed; the "
                        f"{total - DETAIL_LIMIT} older ones are not, and hop numbers count from the "
                        f"oldest analysed one.",
            reference=_RFC5321_TRACE,
        ))

    work: list[_Work] = []
    timed = parse is parse_received
    for header in kept:
        if timed:
            # The parser's own datetime, rather than its ISO text read back (the same moment).
            fields, moment = _safe_parse_timed(header.value)
            time = _aware(moment)
        else:
            fields = _safe_parse(parse, header.value)
            time = _utc(fields.timestamp)
        if time is not None and NO_TIME_ZONE in fields.problems:
            # RFC 5322 section 3.3 requires the zone: without it the moment is unknown by up to
            # a day, so no delay or clock step is measured against it (fetchmail 4's asctime
            # stamps). Its time as written stays in the hop.
            time = None
        if fields.auth is None and submission_stamps:
            fields = _stamped_login(fields, header, submission_stamps)
        work.append(_Work(header=header, fields=fields, time=time, own_org=host_organization(fields.by),
                          private=is_non_public_ip(fields.from_ip)))
    _assign_organizations(work)
    orgs = _Orgs()
    boundary = _find_boundary(work, orgs, statements, reverse_names, mail_exchangers, addressed_domains,
                              skip_listed, trusted_relays)
    boundary_index = boundary.index
    internal_http_last = False
    for item in work:
        fields = item.fields
        same_org_client = item.org is not None and (
            _client_in_org(fields, item.org, orgs) or item.private
        )
        item.role = classify_role(fields, item.header.value, same_org_client)
        internal_http = _is_internal_http(fields, same_org_client)
        if fields.auth and internal_http:
            # Exchange Online's "with HTTPS" between its own servers names no submission.
            item.fields = dataclasses.replace(fields, auth=None)
        internal_http_last = internal_http
    if not truncated and _submitted_from_originating_ip(work, originating_ips, boundary):
        work[0].role = Role.MSA
    _correct_roles_by_position(work, orgs)
    if internal_http_last and len(work) > 1 and boundary_index < len(work) - 1 and work[-1].role is Role.MTA \
            and not any(item.role is Role.MDA for item in work[boundary_index:]):
        # Exchange Online's last hop, "from <server> (::1) by <mailbox server> with HTTPS", hands
        # the message to the mailbox store: the delivery (RFC 5598 section 4.3.3), not a relay.
        work[-1].role = Role.MDA
    injected = _greeting_injection(work[boundary_index].fields) if 0 <= boundary_index < len(work) else None
    if injected is not None:
        # The safety net: the boundary field holds text the client may have written that the
        # parser could not place, so no favourable reading rests on it. A login, webmail ("via
        # HTTP", "with esmtpa") or submission read there may be the sender's own words (V53f
        # D1-2, D1-3: a spoof of a p=reject domain read NOT CHECKED as a sent copy): the hop is
        # no submission, which switches off the sent-copy reading (_submission_only), the
        # customer's submission inside its provider (_entered_by_submission, hops.internal_only's
        # login branch, verdict.submitted_inside) and the login shown. (SPF judged there is
        # already distrusted by the danger finding below.)
        _unplaced_text_credits_nothing(work[boundary_index])
    for item in work[boundary_index + 1:]:
        # Above the boundary too: a receiving side's hop (Dovecot LMTP's delivery quoting the
        # MAIL FROM) whose field holds the client's text it cannot place names no login there
        # (V53f: '(envelope-from <"x) via HTTP (by"@...>)' gave the delivery "auth HTTP").
        if (item.fields.auth is not None or item.fields.via) and _greeting_injection(item.fields) is not None:
            _unplaced_text_credits_nothing(item)
    if boundary.from_outside and boundary.gateway is None and _entered_by_submission(work, boundary_index, orgs):
        boundary.from_outside = False

    for note in boundary.notes:
        findings.add(note)
    if injected is not None and _field_cut(work[boundary_index].fields, injected):
        findings.add(Finding(
            id="hops.greeting_injection", severity=Severity.DANGER,
            title=f"Hop {boundary_index + 1}'s Received field is cut off: it names no receiver",
            explanation=f"At the trust boundary, hop {boundary_index + 1}'s Received field ends after its from part, "
                        "with no 'by', no ';' and no date (a paste or a copy that lost the field's continuation lines): "
                        "the receiver that wrote it, and so whether the client address in it is a receiver's record, "
                        "cannot be told, and what SPF judged there vouches for nothing (RFC 5321 section 4.4: a stamp "
                        "names its receiver and ends with its date). Read the raw field, or the complete header.",
            reference=_RFC5321_TRACE, subject=f"hop {boundary_index + 1}"))
    elif injected is not None:
        # Unpaired parentheses are as often a damaged stamp (a copy that lost part of a line, a
        # broken test fixture) as a client's breakout: the title says both (V55c D1-2's net).
        unpaired = injected.startswith(_UNPAIRED_PREFIX)
        findings.add(Finding(
            id="hops.greeting_injection", severity=Severity.DANGER,
            title=(f"Hop {boundary_index + 1}'s Received field leaves a parenthesis unpaired: damaged, or text the "
                   "client wrote" if unpaired else
                   f"Hop {boundary_index + 1}'s Received field holds text the client wrote in its greeting"),
            explanation=f"At the trust boundary, {str(work[boundary_index].fields.by or 'the receiver')[:120]} wrote the "
                        f"client's own text as it came (its greeting, its ident reply or an address it gave), and the "
                        f"field cannot be read as one stamp for certain ({injected}): the address, receiver, protocol "
                        "or login read from it may be the sender's own text, not the receiver's record, so what SPF "
                        "judged there vouches for nothing, and no login, web mail or submission is read from it "
                        "(RFC 5321 section 4.4: the greeting is the client's claim). Read the raw field; the "
                        "receiver's own result fields, if any, name the address it checked.",
            reference=_RFC5321_TRACE, subject=f"hop {boundary_index + 1}"))
    unsure_user = _qmail_user_unsure(work[boundary_index]) if 0 <= boundary_index < len(work) else None
    if unsure_user is not None:
        findings.add(Finding(
            id="hops.qmail_user_unclear", severity=Severity.NOTICE,
            title=f"Hop {boundary_index + 1} names user {unsure_user[:80]}, which may be a login or the client's claim",
            explanation=f"At the trust boundary, {str(work[boundary_index].fields.by or 'the receiver')[:120]} wrote "
                        f"qmail's \"({unsure_user[:80]}@{work[boundary_index].fields.from_ip})\" in a stamp \"with SMTP\": in "
                        "some qmail builds (John Simpson's "
                        "combined patch) that is the account the client logged in as with SMTP AUTH, in others the "
                        "client's RFC 1413 ident reply, which it chooses (RFC 1413 section 6), and the stamp looks the "
                        "same either way. It is therefore not relied on: the hop is no login and no submission, and "
                        "if this is the sender's own copy of a message sent through that server, the verdict does "
                        "not say so.",
            reference=_RFC5321_TRACE, subject=f"hop {boundary_index + 1}"))
    bypassed = _gateway_bypassed(work, boundary, mail_exchangers, addressed_domains, list_domain, forwarder_marks,
                                 reverse_names)
    if bypassed is not None:
        findings.add(bypassed)
    outside_client = _unseen_outside_client(work, statements, boundary_index) if not boundary.from_outside else None
    if outside_client is not None:
        # The receiver recorded a client from outside that no Received shows: the header is cut
        # (a paste that stops before the hop where the message arrived), not internal mail.
        where = work[-1].org or "the receiving host"
        findings.add(_arrival_missing(where, f"hop {boundary_index + 1}", (
                         f"No Received here shows the message arriving from outside {where}, but results in the "
                         f"receiving side's name or format ({header_ref(outside_client.index)}) record the client "
                         f"they checked, {outside_client.ip}, an internet address no Received names: the header is "
                         f"cut (a paste that stops before the hop where the message arrived), so the message came "
                         f"from outside and the hop that shows it is missing. The trust boundary is placed at hop "
                         f"{boundary_index + 1}, the earliest shown; results below it are not relied on, as its "
                         "writer cannot be placed without the missing hop.")))
    elif not boundary.from_outside and _content_filter_hop(work[0]):
        # A content filter hands on only what its own server received: the hop where the message
        # arrived (and from where) is not in this copy, a paste that stops early.
        where = work[-1].org or "the receiving host"
        # With no hop from outside, the boundary is the earliest hop with a public client (the
        # server's LMTP hand-over to its mailbox store from its own address, as Zimbra's): the
        # hops below it are the filter's loopback hand-overs, not earlier servers.
        placed = ("the earliest shown" if boundary_index == 0 else
                  f"the earliest hop whose client is not a loopback or private address; "
                  f"{'hop 1' if boundary_index == 1 else f'hops 1–{boundary_index}'} below it "
                  f"{'is a hand-over' if boundary_index == 1 else 'are hand-overs'} inside the receiving side (to "
                  "and from its content filter, over loopback or private addresses), not earlier servers")
        findings.add(_arrival_missing(where, "hop 1", (
                         f"The earliest hop here, hop 1, hands the message to or from a content filter on the "
                         f"receiving host over its loopback address ({work[0].fields.from_ip or 'localhost'}): it had "
                         f"arrived before, and the Received that shows from where is not in this copy (a paste that "
                         f"stops early). It was not sent inside {where}. The trust boundary is placed at hop "
                         f"{boundary_index + 1}, {placed}; SPF and DMARC cannot be judged from the receiving side's "
                         "own addresses.")))
    elif not boundary.from_outside and list_domain is not None and work[-1].org is not None \
            and not any(orgs.same(item.org, list_domain) for item in work):
        # A mailing list's server handled the message (its List-Id), yet none of its hops is here:
        # the copy lacks hops (an archive or the sender's copy stops before them; a paste may stop
        # after them), so it was not mail sent inside this organisation.
        where = work[-1].org
        findings.add(Finding(
            id="hops.delivery_missing", severity=Severity.NOTICE,
            title=f"The copy lacks the mailing list's hops ({list_domain})",
            explanation=(f"Every Received here is inside {where}, but the message carries the List-Id of a list at "
                         f"{list_domain}, whose server handled it, and no hop of it is here: this copy lacks hops (an "
                         f"archive, or a copy kept by the sender, ends before the list's and the final receiver's; a "
                         f"paste may stop before the hop where the list's server handed it over). It was not sent "
                         f"inside {where}. The trust boundary is placed at hop {boundary_index + 1}, the earliest "
                         "shown; SPF and DMARC judge that hop, not where the message entered."),
            reference=_RFC5321_TRACE, subject=f"hop {len(work)}",
        ))
    elif not boundary.from_outside and _only_final_delivery(work):
        # Every stamp is the receiving side's own delivery into the mailbox store (LMTP, RFC 2033
        # section 1: used only inside a site) or a mailbox download: it names the server that
        # delivered, not the client that sent the message (RFC 5321 section 4.4 has each SMTP
        # server stamp its client). Where the message entered is not in this copy, so nothing
        # here shows it was written inside the organisation either.
        where = work[-1].org or "the receiving host"
        stamps = "hop 1 is" if len(work) == 1 else f"hops 1–{len(work)} are"
        findings.add(_arrival_missing(where, "hop 1", (
            f"Only the final delivery is recorded: {stamps} the receiving side's own hand-over into the mailbox "
            f"({(work[0].fields.protocol or '').strip()[:20] or 'LMTP'} at {str(work[-1].fields.by or where)[:120]}), which names "
            f"no client that sent the message. Where the message entered is not in this copy (a mail store that "
            f"keeps only its delivery stamp, or a copy that lost its other Received fields); nothing here shows it "
            f"was sent inside {where}. The trust boundary is placed at hop {boundary_index + 1}, the earliest "
            "shown; SPF and DMARC would judge that hop's client, an internal hand-over, not where the message "
            "entered.")))
    elif not boundary.from_outside and header_only and work[0].role not in (Role.MSA, Role.MUA) \
            and not work[0].fields.auth \
            and (work[0].fields.from_ip or work[0].fields.from_helo or work[0].fields.from_rdns):
        # A paste may stop anywhere: with no submission at its earliest hop (a relay between the
        # receiving side's own servers: Exchange Online's internal hand-overs), nothing shows the
        # message was written inside; the hop where it arrived is most likely below the part
        # pasted. A hop that names no client at all ("Received: by 10.49.58.100") is a program's
        # injection there: written inside.
        where = work[-1].org or "the receiving host"
        servers = f"servers of {work[-1].org}" if work[-1].org else "the receiving side's servers"
        findings.add(Finding(
            id="hops.arrival_missing", severity=Severity.NOTICE,
            title=f"The hop where the message arrived at {where} is probably missing",
            explanation=(f"No Received here shows the message arriving from outside {where}, but the earliest one, "
                         f"hop 1, is no submission either (no login, no mail program's hand-over): a relay "
                         f"between {servers}. "
                         + ("This file is cut off inside its header, so its Received fields stop early: most "
                            if cut_off else "This is a pasted header, which may stop anywhere: most ")
                         + f"likely it stops before the hop where the message arrived. The trust boundary is placed "
                         f"at hop {boundary_index + 1}, the earliest shown; SPF and DMARC would judge that hop, "
                         "which may be an internal hand-over, not where the message entered."),
            reference=_RFC5321_TRACE, subject="hop 1"))
    elif not boundary.from_outside:
        where = work[-1].org or "the receiving host"
        entry = work[boundary_index]
        forward_leg = _delivered_then_resent(work)
        # The story of the hops below the boundary is told, but as what it is: the text of the
        # boundary hop's client (review verifyV6, N1), never where the boundary goes.
        story = _internal_story(work, boundary_index, forward_leg)
        loginless = entry.role is Role.MSA and not entry.fields.auth and loginless_submission(entry.fields)
        if entry.role is Role.MSA and (entry.fields.auth or loginless) and work[-1].org is not None:
            # The hop where it entered records its author's login (RFC 4954's AUTH, written as
            # RFC 3848's ESMTPA/ESMTPSA), or is the organisation's submission host for its own
            # customers, which records none (loginless_submission): the author's program submitted
            # it to the organisation's own server (RFC 6409), which delivered it without handing it
            # to anyone else.
            by = str(entry.fields.by or "the organisation's server")[:120]
            how = (f"to {where}'s submission host for its own customers (its stamps record no login)"
                   if loginless else f"with authentication ({address_safe_shortened(str(entry.fields.auth), 120)})")
            findings.add(Finding(
                id="hops.internal_only", severity=Severity.INFO,
                title=f"Submitted inside {where}; the hops after those shown are not in the copy" if top_cut
                else f"Sent and delivered inside {where}",
                explanation=f"The message was submitted {how} "
                            f"at hop {boundary_index + 1}, where {by} took it from the author's mail program "
                            f"(or web mail acting for the author), and every hop after it "
                            + (f"that this copy shows is inside {where}; the copy starts inside a header field, so "
                               "the fields above it, the later hops among them, are missing: where the message went "
                               "after those cannot be told. " if top_cut else
                               f"is inside {where}: it was sent and delivered inside that organisation, never "
                               "received from outside. ")
                            + f"{story}The trust boundary is placed at hop {boundary_index + 1}, the submission"
                            + ("." if forward_leg is not None else ", where it entered the mail system."),
                reference="https://www.rfc-editor.org/rfc/rfc6409#section-3",
            ))
        else:
            # A provider whose mail system its customers share (Google Workspace and Gmail,
            # Microsoft 365 tenants and Outlook.com): the sender's domain and the recipient's may be
            # two of its customers', one organisation only in the hosts' names.
            shared = work[-1].org in _SHARED_OPERATORS
            if forward_leg is not None and forward_leg[1] == boundary_index:
                # The boundary hop is the re-sending itself: not where the message came in.
                placed = ("the re-sending, the earliest hop whose client the receiving side recorded at a "
                          "public address")
            elif _submission_stamp(entry.fields):
                placed = "the submission, where the author's program handed it in" + (
                    f" ({str(entry.fields.by)[:120]}, {_protocol(entry.fields)[:20] or 'no protocol'})"
                    if entry.fields.by else "")
            elif forward_leg is not None:
                placed = "the earliest hop whose client the receiving side recorded at a public address"
            else:
                placed = "where it entered the mail system"
            findings.add(Finding(
                id="hops.internal_only", severity=Severity.INFO,
                title=f"Every hop is inside {where}'s mail system" if shared
                else "Every hop is inside the receiving organisation",
                explanation=f"No hop shows the message arriving from outside {where}: it was sent inside "
                            + ("that provider's mail system, which its customers share (the sender's domain and the "
                               "recipient's may be two different customers of it)" if shared else "that organisation")
                            + (" as far as this copy shows: it starts inside a header field, so the fields above it, "
                               "the later hops among them, are missing" if top_cut else "")
                            + f". {story}The trust boundary is placed at hop {boundary_index + 1}, {placed}.",
                reference=_RFC5321_TRACE,
            ))
            if _private_entry_unseen(entry, work[-1].org):
                # The receiving side recorded a private address for the client that handed the
                # message in, with no login and no reverse-DNS name of its own for it: one of its
                # servers, or a proxy, load balancer or NAT in front of it that hides where the
                # message came from (verification V10 P4, V11 N1: the HELO, the sender's to
                # choose, proves neither).
                helo = str(entry.fields.from_helo or "no name")[:120]
                findings.add(Finding(
                    id="hops.private_entry", severity=Severity.NOTICE,
                    title=f"Handed in from a private address ({entry.fields.from_ip}), no login: where the message "
                          "came from cannot be seen",
                    explanation=(f"At hop {boundary_index + 1} the receiving side recorded {entry.fields.from_ip}, an "
                                 f"address that cannot be reached across the internet ({_private_range(entry.fields.from_ip or '')}), "
                                 f"for a client that greeted it as {helo} (its own choice of name), with no login and "
                                 f"no reverse-DNS name of {where}'s. That is one of {where}'s own servers, or a "
                                 "proxy, load balancer or NAT in front of the receiving server (without the PROXY "
                                 "protocol), which makes every client look like this: nothing in the header tells "
                                 "the two apart, so the message may have come from outside, and SPF against this "
                                 "address says nothing about its sender."),
                    reference=_RFC5321_TRACE, subject=f"hop {boundary_index + 1}"))

    if boundary.from_outside and not delivery_recorded:
        submitted = _submission_only(work, boundary_index)
        if submitted is not None:
            findings.add(submitted)

    date_utc = _aware(date)
    first_time = next((item.time for item in work if item.time), None)
    last_time = next((item.time for item in reversed(work) if item.time), None)
    date_sane = True
    if date_utc is not None and first_time is not None and not truncated and (
            date_utc - first_time > IMPLAUSIBLE_DATE_AFTER
            or first_time - date_utc > IMPLAUSIBLE_DATE_BEFORE):
        date_sane = False
        findings.add(_implausible_date(date_utc, first_time))
    # A Date: within a day of the first hop but after its stamp is the creator's clock running
    # ahead (hop 1 gets a clock_skew finding saying so): the journey began no later than the
    # first server's stamp, so it is measured from whichever is earlier (from the Date: alone,
    # a journey whose first stamp is a minute before it would be a minute short).
    from_first_stamp = date_sane and date_utc is not None and first_time is not None and first_time < date_utc
    start = first_time if from_first_stamp or not date_sane else date_utc
    total_delay = (last_time - start).total_seconds() if last_time and start else None
    backwards = _largest_backward_step(work)
    total_unknown: Finding | None = None
    if total_delay is not None and (
            backwards > HOP_CLOCK_BROKEN.total_seconds() or total_delay < -CLOCK_NOISE_SECONDS):
        total_unknown = _total_unknown(total_delay, backwards)
        total_delay = None
    elif total_delay is not None and total_delay < 0:
        # Servers of different operators disagree by seconds (each hop's clock_skew finding
        # says so): the journey took no measurable time, not an unknown one.
        total_delay = 0.0
    if total_delay is not None and work and work[-1].time is None:
        # The delivering hop's time cannot be read (an impossible date, no zone): the time to the
        # last stamp that can be read is only part of the journey, never its total.
        reached = max(i for i, item in enumerate(work) if item.time is not None) + 1
        total_unknown = Finding(
            id="hops.total_unknown", severity=Severity.INFO,
            title=f"Total travel time unknown: hop {len(work)}'s time cannot be read",
            explanation=(f"The delivering hop's stamp (hop {len(work)}) gives no time that can be used, so the "
                         f"journey's end is unknown. Up to hop {reached}, the last stamp that can be read, it took "
                         f"{_fmt_seconds(max(total_delay, 0.0))}."),
            reference=_RFC5321_TRACE)
        total_delay = None
    now_utc = _aware(now) or datetime.now(timezone.utc)
    # A mailbox delivery with hops above it: the message was delivered, then sent on again
    # (an inbox rule's forward, a redirect, a re-send). When its Date: is later than the
    # first journey's first hop, the Date: is the new sending's: it is compared with the first
    # hop after the delivery, not with the first hop of all.
    restart = max((i for i, item in enumerate(work[:-1]) if item.role is Role.MDA), default=None)
    date_index = 0
    if restart is not None and date_utc is not None and work[0].time is not None \
            and (date_utc - work[0].time).total_seconds() > SKEW_TOLERANCE_SECONDS:
        date_index = restart + 1
    hops: list[Hop] = []
    future: list[int] = []
    filter_notes = _content_filter_notes(work)
    for i, queued in _queued_by_receiver_notes(work).items():
        filter_notes.setdefault(i, queued)
    for i, item in enumerate(work):
        if item.role is Role.MUA and is_retrieval(item.fields):
            # Its role (MUA) alone would read as a submission: this one fetched the message.
            filter_notes.setdefault(i, "mailbox retrieval")
        elif item.role is Role.UNKNOWN and not _has_client(item.fields):
            # An inbound server's stamp naming no client (_hidden_client_stamp): who handed the
            # message over is unknown, not a user's program.
            filter_notes.setdefault(i, "client not recorded")
    previous_times = [date_utc if i == date_index and not truncated and date_sane
                      else (work[i - 1].time if i > 0 and i != date_index else None) for i in range(len(work))]
    steps = [(item.time - previous).total_seconds() if item.time and previous else None
             for item, previous in zip(work, previous_times, strict=True)]
    offsets = _clock_offsets(work, steps, date_index, wait_notes)
    lags = _lagging_clocks(work, steps, date_index, offsets, wait_notes)
    lag_starts = {lag.start - 1: lag for lag in lags.values()}  # by index, as lags
    # A step longer than any queue keeps a message, that nothing in the message explains: the
    # stamps below it are an earlier delivery's (hops.earlier_delivery), with what shows it.
    # A step out of a stamp that is behind an earlier hop's (that clock far off): (the latest
    # earlier hop's number, the seconds from it), which is the step's real length.
    behind: dict[int, tuple[int, float]] = {}
    # The latest stamp below hop i and its index (the topmost of equal ones), kept as the loop
    # climbs rather than searched for again at each hop.
    latest_below: tuple[datetime, int] | None = None
    for i, item in enumerate(work):
        previous_stamp = work[i - 1].time if i > 0 else None
        if item.time is not None and previous_stamp is not None and i != date_index and steps[i] is not None \
                and latest_below is not None:
            latest, j = latest_below
            if (latest - previous_stamp).total_seconds() > SKEW_TOLERANCE_SECONDS:
                behind[i] = (j + 1, (item.time - latest).total_seconds())
        if item.time is not None and (latest_below is None or item.time >= latest_below[0]):
            latest_below = (item.time, i)
    resent: dict[int, str | None] = {}
    for i, step in enumerate(steps):
        if step is None or step <= RESEND_GAP_SECONDS or i == date_index or i in offsets \
                or is_retrieval(work[i].fields):
            continue
        # Every stamp before the gap must be that far before the one after it: measured from the
        # latest of them, not only the previous one, so that one stamp whose clock is far behind
        # (a step back into it, then the long step out of it) is not read as an earlier delivery
        # of the hops around it, which are days apart.
        if i in behind and behind[i][1] <= RESEND_GAP_SECONDS:
            continue
        if _after_mailbox(work, i) is None and _why_waited(wait_notes, work, i, previous_times[i]) is None:
            resent[i] = _recipient_change(work, i, delivered_to)
    if total_delay is not None:
        # A clock that is off by a whole number of half hours adds that to the total unless a
        # later stamp steps back by as much (then the ends of the journey agree): the total is
        # the journey without it, as the clock_offset finding says; so does the time between
        # two deliveries, which no server spent carrying the message.
        shift = sum(offset.offset for offset in offsets.values() if offset.returns is None) \
            + sum(steps[i] or 0.0 for i in resent)
        if shift:
            total_delay = max(total_delay - shift, 0.0)
    # Each step back read as a fast clock (the step forward into the earlier hop made it), found
    # before any hop's findings are made, so the forward step it explains is not also called a
    # wait in a queue (hops.slow_hop) while the step back's finding says it was no wait.
    fast_steps = _fast_clock_steps(work, steps, date_index if not truncated and date_sane else None)
    fast_ahead = {earlier: -(steps[i] or 0.0) for i, earlier in fast_steps.items()}
    for i, item in enumerate(work):
        number = i + 1
        from_date = i == date_index and not truncated and date_sane
        previous = previous_times[i]
        delay = steps[i]
        fields = item.fields
        # A stamp exact to the minute only (no seconds) makes the step exact to the minute too.
        approximate = delay is not None and (
            NO_SECONDS in fields.problems or (date_to_the_minute if from_date else
                                              i > 0 and NO_SECONDS in work[i - 1].fields.problems))
        # Measured from the latest earlier stamp only when this stamp is not behind it too: when
        # both are, that earlier stamp is the one far off (a fast clock), and the step is the wait.
        behind_here = behind.get(i)
        if behind_here is not None and behind_here[1] < -SKEW_TOLERANCE_SECONDS:
            behind_here = None
        wait = _net_wait(delay, clock_offset=offsets.get(i), resent=i in resent, lag_end=lags.get(i),
                         behind=behind_here, fast_ahead=fast_ahead.get(i))
        hops.append(_make_hop(
            number=number, header_index=item.header.index, fields=fields, raw=item.header.value,
            delay_seconds=delay, role=item.role, organization=item.org,
            trusted=i >= boundary_index, boundary=i == boundary_index,
            private_client=item.private, note=filter_notes.get(i), delay_approximate=approximate,
            wait_seconds=wait,
        ))
        fast_clock = None
        if i in fast_steps:
            earlier, last = hops[fast_steps[i]], hops[-2]
            which = (f"Hop {earlier.number}'s server" if earlier is last else
                     f"The servers of hops {earlier.number}–{last.number}")
            # Within a minute, stamps written out of order read the same: a relaying
            # front end (a proxy) may write its stamp only once it has handed the message on.
            out_of_order = (" (or the stamps were written out of order: a relaying front end may stamp "
                            "only after it has handed the message on)" if delay is not None and delay > -60 else "")
            lead, shown = -(delay or 0.0), earlier.delay_seconds or 0.0
            # The forward step into the fast clock's hop is "mostly clock" only when the lead is a
            # large part of it; a 15 s lead in a 6 min 34 s step leaves a real wait.
            share = (f"the {_fmt_seconds(shown)} shown for hop {earlier.number} is mostly that, not a wait"
                     if lead >= 0.5 * shown else
                     f"about {_fmt_seconds(lead)} of the {_fmt_seconds(shown)} shown for hop {earlier.number} "
                     "may be that clock; the rest is transit or a wait")
            fast_clock = (f"{which} ({str(earlier.fields.by or '?')[:120]}) stamp about {_fmt_seconds(delay or 0.0)} "
                          f"ahead of the server after {'it' if earlier is last else 'them'}: that clock is "
                          f"fast{out_of_order}, and {share}.")
        zone_step = _zone_label_step(work, i, delay) \
            if delay is not None and delay < -SKEW_TOLERANCE_SECONDS and i > 0 and i != date_index else None
        why_waited = (_after_mailbox(work, i) or _why_waited(wait_notes, work, i, previous)) \
            if delay and delay > SLOW_HOP_SECONDS else None
        wait_cause = _hop_findings(
            findings, item, number, delay, from_date, i < boundary_index, fast_clock=fast_clock,
            zone_step=zone_step, previous_below=i - 1 < boundary_index,
            measured_from_first_hop=from_date and from_first_stamp and total_delay is not None,
            clock_offset=offsets.get(i), total_known=total_delay is not None,
            next_step=steps[i + 1] if i + 1 < len(steps) else None,
            resent=(resent[i],) if i in resent else None, behind=behind_here, wait=wait,
            party=_wait_party(work, i, boundary_index, filter_notes.get(i), why_waited)
            if delay and delay > SLOW_HOP_SECONDS and not from_date else None,
            lag_start=lag_starts.get(i), lag_end=lags.get(i), fast_ahead=fast_ahead.get(i),
            same_operator=item.org if i > 0 and i != date_index and item.org is not None
            and work[i - 1].org == item.org else None,
            date_zone=_date_zone_step(date, delay)
            if from_date and delay is not None and delay < -SKEW_TOLERANCE_SECONDS else None,
            why_waited=why_waited)
        if delay is not None and delay - fast_ahead.get(i, 0.0) > EXPLAINED_WAIT_SECONDS and delay <= SLOW_HOP_SECONDS \
                and not is_retrieval(fields):
            # Not slow enough for hops.slow_hop, but long for a server's queue: say why when the
            # message does. Greylisting is left out: hops.greylisted ties it to its hop at any length.
            explained = _why_waited([n for n in wait_notes if n.name.lower() != "x-greylist"], work, i, previous)
            if explained is not None:
                since = "the Date: header" if from_date else f"hop {number - 1}"
                findings.add(Finding(
                    id="hops.wait_explained", severity=Severity.INFO,
                    title=f"Hop {number} waited {_fmt_seconds(delay)}: {_wait_label(explained.cause)}",
                    explanation=f"{_fmt_seconds(delay)} passed between {since} and hop {number}. {explained.words}",
                    reference=_RFC5321_TRACE, subject=f"hop {number}"))
                wait_cause = explained.cause
        if wait_cause is WaitCause.GREYLISTED and why_waited is not None and why_waited.field_index is not None \
                and not _receivers_greylist_field(why_waited.field_index, work, boundary_index):
            # A greylisting field a sender could have written is quoted by the finding as a claim
            # (_wait_party), not given as the hop's cause.
            wait_cause = None
        if wait_cause is not None:
            # The finding's cause as a fact of the hop, for renderers (the terminal's Date-gap
            # sentence) and scripts: never read back out of the explanation's words.
            hops[-1] = replace(hops[-1], wait_cause=wait_cause)
        if item.time is not None and item.time > now_utc + FUTURE_TOLERANCE:
            future.append(i)
    weekday = _weekday_finding(work, boundary_index)
    if weekday is not None:
        findings.add(weekday)
    if future:
        findings.add(_future_finding(work, future, boundary_index, now_utc))
    _greylist_findings(findings, wait_notes, work, hops, boundary_index)
    renamed = _renamed_trace_finding(work)
    if renamed is not None:
        findings.add(renamed)
    boundary_item = work[boundary_index]
    if boundary.from_outside and "forged" in boundary_item.header.value[:_SCAN_LIMIT] \
            and _may_be_forged_re().search(_scan(boundary_item.header.value)):
        name = boundary_item.fields.from_rdns or "the client's name"
        findings.add(Finding(
            id="hops.rdns_unconfirmed", severity=Severity.INFO,
            title="The receiver could not confirm the client's reverse-DNS name",
            explanation=f"At the trust boundary the receiving server wrote \"(may be forged)\" next to "
                        f"{name[:200]} ({boundary_item.fields.from_ip}): the address's PTR name does not "
                        f"resolve back to that address (sendmail's forward-confirmed reverse DNS check), "
                        f"so the name is not evidence of who connected.",
            reference="https://www.rfc-editor.org/rfc/rfc8601#section-3", subject=f"hop {boundary_index + 1}",
        ))

    boundary_ptr: Sequence[str] = ()
    answer = None
    if reverse_names is not None and boundary.from_outside and work[boundary_index].fields.from_ip:
        answer = reverse_names(work[boundary_index].fields.from_ip or "")
        boundary_ptr = tuple(answer[0])[:10] if answer is not None else ()
    if boundary.from_outside:
        # Where the boundary may be one hop lower (its client perhaps the organisation's own relay),
        # what the sending server's owner should fix may be the receiver's own relay's business.
        uncertain = next((note for note in boundary.notes if note.id == "hops.boundary_uncertain"
                          and note.title.startswith("Trust boundary uncertain")), None)
        for note in _sending_host_findings(boundary_item, boundary_index + 1, answer, author_domain):
            if uncertain is not None:
                note = dataclasses.replace(note, severity=Severity.INFO, explanation=(
                    f"{note.explanation} But the trust boundary is uncertain here ({uncertain.title[:80]}): if "
                    f"{boundary_item.fields.from_ip} is the receiving organisation's own relay, this is its internal "
                    "hand-over, and the advice is for its own administrators, not the sender."))
            findings.add(note)
        greeting = _lookalike_greeting(boundary_item, boundary_index + 1)
        if greeting is not None:
            findings.add(greeting)
    for i in range(len(work) - 1):
        ptr = boundary_ptr if i + 1 == boundary_index else ()
        _check_link(findings, work, i, boundary_index, orgs, ptr, client_records, forwarder_marks)
    claimed_hop = _receiver_claimed_below(work, boundary_index, orgs)
    if claimed_hop is not None:
        findings.add(claimed_hop)
    stacked = _submission_above_relays(work, boundary_index)
    if stacked is not None:
        findings.add(stacked)
    added_id = _receiver_message_id(work, boundary_index, orgs, message_id, author_domain) \
        if boundary.from_outside and message_id else None
    if added_id is not None:
        findings.add(added_id)

    if total_unknown is not None:
        findings.add(total_unknown)
    return HopChain(hops=tuple(hops), boundary_hop=boundary_index + 1,
                    total_delay_seconds=total_delay, findings=findings.result(),
                    alternative_boundary_hop=None if boundary.alternative is None else boundary.alternative + 1,
                    gateway=boundary.gateway)


def _implausible_date(date: datetime, first_hop: datetime) -> Finding:
    gap = _fmt_seconds((date - first_hop).total_seconds())
    if date > first_hop:
        title = "Date: header is later than the message's first hop"
        why = (f"{gap} after the first server stamped the message ({_iso(first_hop)}). The Date: is "
               f"when the creator marked the message complete (RFC 5322 section 3.6.1), so it "
               f"cannot follow the hand-over: the sending program's clock or the header is "
               f"wrong, or the message was re-sent with a new Date:.")
    else:
        title = "Date: header is long before the message's first hop"
        why = (f"{gap} before the first server stamped the message ({_iso(first_hop)}). The Date: is "
               f"when the creator marked the message complete (RFC 5322 section 3.6.1), and a "
               f"message is handed over minutes or hours later, not weeks: the sending program's "
               f"clock or the header is wrong (spam is often back-dated).")
    # Graded as the hop clocks are (_skew_severity: a step back of over a day is a warning): a
    # Date: over a day after the first stamp, or over a month before it, is no clock skew, and
    # as strong a sign of an edited Date: or made-up stamps as hop times running backwards.
    # Both directions alike: neither is the more innocent one.
    return Finding(
        id="hops.date_implausible", severity=Severity.WARNING, title=title,
        explanation=f"The Date: header says {_iso(date)}, {why} Hop 1's delay and the total "
                    f"journey are measured from the first hop with a timestamp instead.",
        reference=_RFC5322_ORIG_DATE, subject="Date",
    )


# A step back this short between two hosts of one operator is read as their clocks or their order
# of stamping (see _hop_findings), as a relaying front end's step is (_fast_clock_steps' wording).
_FEW_SECONDS_SKEW = 60.0


def _fast_clock_steps(work: list[_Work], steps: Sequence[float | None], date_index: int | None) -> dict[int, int]:
    """The steps back that the step forward into an earlier hop (mostly) made: that server's
    clock is ahead of the ones after it, and its "delay" is its clock, not a wait. As {index of
    the step back: index of the hop whose step forward it undoes}. The step up may be a few
    stamps back, in the same organisation's run of hops (the previous hop's organisation)."""
    found: dict[int, int] = {}
    for i, delay in enumerate(steps):
        if delay is None or delay >= -SKEW_TOLERANCE_SECONDS or i == date_index or i < 1:
            continue
        last_org = work[i - 1].org
        for j in range(i - 1, max(0, i - 4) - 1, -1):
            if work[j].org != last_org:
                break
            forward = steps[j]
            if forward is not None and forward >= -0.5 * delay:
                found[i] = j
                break
    return found


def _clock_offsets(work: list[_Work], steps: Sequence[float | None], date_index: int,
                   wait_notes: Sequence[HeaderField]) -> dict[int, _ClockOffset]:
    """The forward steps between hops that are most likely a server's clock or zone setting
    being off by a whole number of half hours (see CLOCK_OFFSET_UNIT_SECONDS), by hop index.

    A step counts when it is within CLOCK_OFFSET_TRANSIT_SECONDS above such a mark (or a little
    below it), and the chain around it is otherwise seconds apart: the step before it is short
    and so is the one after it (or a later stamp steps back by as much: that clock alone is
    off); with no step measured before it, the same host's next stamp must follow within
    seconds. Never when the message explains a real wait there (a greylisting stamp, a list
    moderator's approval, a re-sending, a mailbox in between) or when the hop is a mailbox
    download (its wait is the recipient's). The step from the Date: is not one: a message
    may wait in an outbox any time."""
    found: dict[int, _ClockOffset] = {}
    near = CLOCK_OFFSET_NEIGHBOUR_SECONDS
    for i, step in enumerate(steps):
        if step is None or i == 0 or i == date_index or is_retrieval(work[i].fields):
            continue
        units = round(step / CLOCK_OFFSET_UNIT_SECONDS)
        if not 1 <= units <= CLOCK_OFFSET_MAX_UNITS:
            continue
        offset = units * CLOCK_OFFSET_UNIT_SECONDS
        residual = step - offset
        if not -CLOCK_NOISE_SECONDS <= residual <= CLOCK_OFFSET_TRANSIT_SECONDS:
            continue
        before = steps[i - 1]
        after = steps[i + 1] if i + 1 < len(steps) and i + 1 != date_index else None
        returns = next((j for j in range(i + 1, len(steps))
                        if j != date_index and (back := steps[j]) is not None and abs(back + offset) <= near), None)
        if returns is None and units % 2:
            # Half an hour more than whole hours: a real queue run as often as a clock (see
            # CLOCK_OFFSET_UNIT_SECONDS); only a later step back tells it is the clock.
            continue
        if returns is None and _one_machine_across(work, i):
            # Both stamps around the step come from one machine (the same server, or a content
            # filter and its server over loopback), which writes both with one clock and one
            # zone: a wrong setting shifts both alike, and the step is a real wait (amavisd-new
            # down while Postfix kept the message for it). A later step back by as much would
            # still show one program there writing a shifted stamp.
            continue
        host = normalize_domain(work[i].fields.by)
        same_host_next = after is not None and abs(after) <= near and host is not None \
            and normalize_domain(work[i + 1].fields.by) == host
        short_before = before is not None and abs(before) <= near
        short_after = after is not None and abs(after) <= near
        if not ((short_before and (short_after or returns == i + 1)) or (before is None and same_host_next)):
            continue
        if _after_mailbox(work, i) is not None or _why_waited(wait_notes, work, i, work[i - 1].time) is not None:
            continue
        found[i] = _ClockOffset(offset=offset, residual=residual, returns=returns, same_host_next=same_host_next)
    return found


def _zone_label_step(work: Sequence[_Work], i: int, step: float) -> tuple[float, float] | None:
    """A step back into hop i (``step`` < 0) of a whole number of half hours (up to a day) to
    within seconds, between two machines: (the half hours in seconds, the step without them, the
    hop's probable real transit), or None. Such a step is what a stamp written with the wrong
    zone gives (a local summer time labelled GMT, a system with no time-zone support writing its
    local time, a wrong zone setting: RFC 5322 section 3.3 has each stamp carry its own offset
    from UTC), not clocks drifting apart, which stop at no such mark. No wait steps back, so
    unlike a forward step (_clock_offsets) an odd number of half hours counts too. Not across one
    machine's own stamps: one clock and one zone setting write both (see _one_machine_across)."""
    units = round(-step / CLOCK_OFFSET_UNIT_SECONDS)
    if not 1 <= units <= CLOCK_OFFSET_MAX_UNITS:
        return None
    offset = units * CLOCK_OFFSET_UNIT_SECONDS
    residual = step + offset
    if not -CLOCK_NOISE_SECONDS <= residual <= CLOCK_OFFSET_TRANSIT_SECONDS or _one_machine_across(work, i):
        return None
    return offset, residual


# How far past twice its own zone offset a Date: may still be read as written with the sign
# flipped: the time from writing to the first server's stamp (an MUA's submission, a bulk
# sender's queue), a few minutes.
SIGN_FLIP_TRANSIT_SECONDS = 600.0


def _date_zone_step(date: datetime | None, step: float) -> tuple[str, float, float] | None:
    """A step back from the Date: to its first hop (``step`` < 0) read as the Date:'s zone
    written wrong: ("sign", the offset written, the step read with the other sign) when the
    step is twice the Date:'s own offset (at least an hour) to within a few minutes, the
    signature of a local time written with its offset's sign flipped (UTC+8 written -0800;
    RFC 5322 section 3.3: the offset is the local time's distance from UTC, "+" east of it);
    ("label", the whole half hours, the step without them) when it is whole half hours to within
    seconds, as _zone_label_step reads a step between two servers; otherwise None."""
    written = date.utcoffset() if date is not None and date.tzinfo is not None else None
    if written is not None:
        offset = written.total_seconds()
        corrected = step - 2 * offset
        if abs(offset) >= 3600 and -CLOCK_NOISE_SECONDS <= corrected <= SIGN_FLIP_TRANSIT_SECONDS:
            return "sign", offset, corrected
    units = round(-step / CLOCK_OFFSET_UNIT_SECONDS)
    if not 1 <= units <= CLOCK_OFFSET_MAX_UNITS:
        return None
    whole = units * CLOCK_OFFSET_UNIT_SECONDS
    residual = step + whole
    if not -CLOCK_NOISE_SECONDS <= residual <= CLOCK_OFFSET_TRANSIT_SECONDS:
        return None
    return "label", whole, residual


def _fmt_zone(seconds: float) -> str:
    """An offset from UTC as RFC 5322 writes it: "+0800", "-0530"."""
    minutes = round(abs(seconds) / 60)
    return f"{'-' if seconds < 0 else '+'}{minutes // 60:02d}{minutes % 60:02d}"


# The largest lag read as a machine's clock running behind (a day, as the whole-half-hour clock
# offsets go): a longer step back is a made-up or earlier delivery's stamp (verification V13 L1).
LAGGING_CLOCK_MAX_SECONDS = 86400.0


class _LaggingClock:
    """One machine's run of stamps behind its neighbours': a step back into it and, after it, a
    step forward by about as much (see _lagging_clocks). Indices are hop numbers (1-based)."""

    __slots__ = ("end", "forward", "host", "lag", "start")

    def __init__(self, *, start: int, end: int, host: str, lag: float, forward: float) -> None:
        self.start = start  # the first hop stamped by the lagging machine
        self.end = end  # its last; the hop after it steps forward
        self.host = host
        self.lag = lag  # the step back into it, in seconds (positive)
        self.forward = forward  # the step out of it


def _lagging_clocks(work: list[_Work], steps: Sequence[float | None], date_index: int,
                    offsets: dict[int, _ClockOffset], wait_notes: Sequence[HeaderField]) -> dict[int, _LaggingClock]:
    """The forward steps that undo a machine's lagging clock, by the index of the hop that steps
    forward. A clock that runs behind by any amount (drift, not a zone label: those stop at whole
    half hours, see _zone_label_step) shows as a step back of X into that machine's stamps and a
    step forward of about X out of them, while its own stamps follow each other within seconds.
    The pairing must be clear: every stamp between the two steps written by that one machine
    (RFC 5321 section 4.4: each server stamps with its own clock), its own steps short, the
    forward step between half and twice the step back (what is left is the transit, or the next
    clock's own error, and no slow hop's wait), and nothing in the message explaining a real wait
    there."""
    found: dict[int, _LaggingClock] = {}
    near = CLOCK_OFFSET_NEIGHBOUR_SECONDS
    for i, back in enumerate(steps):
        if back is None or back >= -CLOCK_NOISE_SECONDS or i == 0 or i == date_index:
            continue
        lag = -back
        if lag > LAGGING_CLOCK_MAX_SECONDS:
            continue  # no clock drifts by days: an earlier delivery's stamps, or made-up ones
        host = _stamp_host(work, i)
        if host is None or _zone_label_step(work, i, back) is not None \
                or normalize_domain(_stamp_host(work, i - 1)) == normalize_domain(host):
            continue
        end = i
        while end + 1 < len(work) and normalize_domain(_stamp_host(work, end + 1)) == normalize_domain(host):
            end += 1
        j = end + 1
        if j >= len(work) or j == date_index or j in offsets or j in found or is_retrieval(work[j].fields):
            continue
        forward = steps[j]
        between = steps[i + 1:j]
        if forward is None or not 0.5 * lag <= forward <= 2 * lag or forward - lag > SLOW_HOP_SECONDS \
                or any(step is None or abs(step) > near for step in between):
            # What is left beyond the lag is a slow hop's wait: hops.slow_hop measures it from the
            # latest stamp before the lagging ones (``behind`` in build_chain_from_fields).
            continue
        if _after_mailbox(work, j) is not None or _why_waited(wait_notes, work, j, work[j - 1].time) is not None:
            continue
        found[j] = _LaggingClock(start=i + 1, end=end + 1, host=host, lag=lag, forward=forward)
    return found


def _lag_story(lag: _LaggingClock) -> str:
    """The sentence that says which machine's clock lags, for both ends of the run."""
    stamps = f"hop {lag.start}" if lag.start == lag.end else f"hops {lag.start}–{lag.end}"
    return (f"Time steps back {_fmt_seconds(lag.lag)} into {stamps}, stamped by {lag.host[:120]}, and forward "
            f"{_fmt_seconds(lag.forward)} out of {'it' if lag.start == lag.end else 'them'} at hop {lag.end + 1}: "
            f"that machine's clock was about {_fmt_seconds(lag.lag)} behind the machines on either side, so the "
            f"step forward is mostly that lag, not a wait.")


def _stamp_host(work: Sequence[_Work], i: int) -> str | None:
    """The machine that wrote hop i's stamp, by its name as written: the ``by`` name, or for a
    content filter's "by localhost (host.example [127.0.0.1])" the name in its comment. A stamp
    with neither a ``by`` nor a client (qmail-queue's "(qmail 1234 invoked from network)") is
    written on the host below it, whose name is taken. None when it cannot be told."""
    for j in range(i, max(i - 3, -1), -1):
        fields = work[j].fields
        by = (fields.by or "").strip()[:255] or None
        if normalize_domain(by) in _LOCALHOST_NAMES:
            m = _by_comment_host_re().search(_scan(work[j].header.value))
            by = m.group(1) if m else None
            return by if normalize_domain(by) not in _LOCALHOST_NAMES else None
        if by is not None or _has_client(fields):
            return by
    return None


def _one_machine_across(work: Sequence[_Work], i: int) -> bool:
    """Were hop i-1's stamp and hop i's written on one machine? When hop i's client is a
    loopback address (the host handing the message to itself, RFC 1122 section 3.2.1.3), when
    hop i is a content filter's own stamp (see _content_filter_hop), when it is a stamp without a
    client or a ``by`` (written inside the host below), or when both stamps name the same host."""
    item = work[i]
    if _is_loopback(item.fields.from_ip) or _content_filter_hop(item):
        return True
    if not _has_client(item.fields) and item.fields.by is None:
        return True
    after = normalize_domain(_stamp_host(work, i))
    return after is not None and after == normalize_domain(_stamp_host(work, i - 1))


def _fmt_offset(seconds: float) -> str:
    """A whole number of half hours in words: "1 h", "30 min", "5 h 30 min"."""
    hours, minutes = divmod(round(abs(seconds) / 60), 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _fmt_exact(seconds: float) -> str:
    """A step to the second, as the stamps give it: "1 h 00 min 03 s", "30 min 05 s"."""
    minutes, rest = divmod(round(abs(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min {rest:02d} s" if hours else f"{minutes} min {rest:02d} s"


def _largest_backward_step(work: list[_Work]) -> float:
    """The largest amount (seconds, >= 0) by which a stamped hop precedes the stamped hop before it."""
    largest = 0.0
    previous: datetime | None = None
    for item in work:
        if item.time is None:
            continue
        if previous is not None:
            largest = max(largest, (previous - item.time).total_seconds())
        previous = item.time
    return largest


def _total_unknown(total: float, backwards: float) -> Finding:
    if backwards > HOP_CLOCK_BROKEN.total_seconds():
        why = (f"one hop is stamped {_fmt_seconds(backwards)} before the hop that handed the message "
               f"to it. Each server stamps the time it received the message (RFC 5321 section "
               f"4.4), so a step back by days means a server's clock was badly wrong or a header "
               f"was made up, and nothing tells which end of the journey is the true one.")
    else:
        why = (f"the last hop is stamped {_fmt_seconds(total)} before the start, so the clocks "
               f"involved disagree by more than the journey took.")
    return Finding(
        id="hops.total_unknown", severity=Severity.INFO,
        title="Total travel time unknown: the hop timestamps run backwards",
        explanation=f"The total journey time is not reported: {why}",
        reference=_RFC5321_TRACE,
    )


def _future_finding(work: list[_Work], future: list[int], boundary_index: int, now: datetime) -> Finding:
    numbers = ", ".join(str(i + 1) for i in future[:20]) + (" ..." if len(future) > 20 else "")
    below = all(i < boundary_index for i in future)
    claim = (" These hops are below the trust boundary: they are the sender's claim, not evidence."
             if below else "")
    first = work[future[0]].time
    assert first is not None
    return Finding(
        id="hops.future_date", severity=Severity.WARNING,
        title="Received date in the future" if len(future) == 1 else f"{len(future)} Received dates in the future",
        explanation=f"{'Hop' if len(future) == 1 else 'Hops'} {numbers} {'is' if len(future) == 1 else 'are'} "
                    f"stamped after the time of this analysis ({_iso(now)}; the earliest such stamp is "
                    f"{_iso(first)}): a server's clock was wrong or the header was forged." + claim,
        reference=_RFC5322_DATE, subject=f"hop {future[0] + 1}",
    )


class _WaitReason(NamedTuple):
    """What the message itself says about a hop's wait: the cause (``Hop.wait_cause``, which
    renderers read) and the words a finding says it in."""

    cause: WaitCause
    words: str
    # The index (in the header) of the field that says so, when it is one field (a greylisting
    # stamp): where it sits says who could have written it (_wait_party).
    field_index: int | None = None


def _after_mailbox(work: list[_Work], i: int) -> _WaitReason | None:
    """Why hop i waited, when the hop before it delivered the message into a mailbox, or when
    this hop is a local program submitting it anew (a list manager, a user's re-send)."""
    if i == 0:
        return None
    if work[i - 1].role is Role.MDA:
        return _WaitReason(WaitCause.MAILBOX, (
            f"Hop {i} delivered the message into a mailbox (the journey's end); this hop sends it on "
            "again: the wait is time the message spent in the mailbox before it was forwarded, "
            "redirected or re-sent, not a queue."))
    raw = _scan(work[i].header.value)
    low = raw.lower()
    if ("userid" in low or "invoked" in low or "pickup" in low) and _local_program_re().search(raw):
        return _WaitReason(WaitCause.RESUBMITTED, (
            f"This hop is a program on {str(work[i].fields.by or 'the host')[:120]} submitting the message anew "
            f"({str(work[i].fields.ident or 'a local program')[:60]}): a list manager sending it to its members, "
            "or someone re-sending a message they had received. The wait is the time until then, in a mailbox "
            "or a moderation queue, not a mail server's queue."))
    return None


RESENT_CLOCK_TOLERANCE_SECONDS = 300
"""How far a Resent-Date (the resender's clock) may be after the stamp of the hop whose wait it
explains (the receiving server's clock)."""


def _later_step_holds(work: Sequence[_Work], i: int, when: datetime) -> bool:
    """Whether the hop after hop index ``i`` is stamped at or after ``when``: its step holds it."""
    later = work[i + 1].time if i + 1 < len(work) else None
    return later is not None and later >= when


# The most a greylisting stamp's stated delay is short of the wait it explains: the sender's
# retry comes a queue run after the retry window opens (RFC 6647 section 2.2).
GREYLIST_RETRY_SLACK_SECONDS = 3600.0
# A sending server gives up on a message after 4-5 days (RFC 5321 section 4.5.4.1): no greylisting
# explains a longer wait.
GREYLIST_GIVE_UP_SECONDS = 5 * 86400.0


def _why_waited(notes: Sequence[HeaderField], work: Sequence[_Work], i: int,
                previous: datetime | None) -> _WaitReason | None:
    """What the message itself says about a slow hop's wait, or None: a greylisting stamp of
    this hop's server ("X-Greylist: delayed 3603 seconds by postgrey-1.27 at vger.kernel.org"),
    or a list moderator's approval or a re-sending (Resent-Date) between the previous hop and
    this one."""
    item = work[i]
    for note in notes:
        value = " ".join(note.value[:300].split())
        if note.name.lower() == "x-greylist":
            stated = _greylist_seconds(value)
            step = (item.time - previous).total_seconds() if item.time is not None and previous is not None else None
            if step is not None and (step > GREYLIST_GIVE_UP_SECONDS or (
                    stated is not None and step > stated + GREYLIST_RETRY_SLACK_SECONDS)):
                # A stamp explains only the wait it states (and a sender gives up within days,
                # RFC 5321 section 4.5.4.1): "delayed 5 minutes" is no reason for 10 days, and a
                # field at the end of the header is one anyone can write (verification V13 F2).
                continue
            if _greylisting_hop(note, work) == i:
                return _WaitReason(WaitCause.GREYLISTED, (
                    f"The message says why: \"X-Greylist: {value[:160]}\". By that field, the server greylisted it: "
                    "it refused the first attempt, as greylisting does with an unknown sender, and "
                    "accepted the sender's retry."), note.index)
        elif previous is not None and item.time is not None:
            when = parse_received_date(value)
            if when is None:
                continue
            ahead = (when - item.time).total_seconds()
            if not previous <= when <= item.time and not (
                    # The Resent-Date is the resender's clock, the stamp the server's: a re-sending a
                    # little after this hop's stamp is still this wait's, when no later hop's step
                    # holds it.
                    note.name.lower() == "resent-date" and previous <= when
                    and 0 < ahead <= RESENT_CLOCK_TOLERANCE_SECONDS
                    and not _later_step_holds(work, i, when)):
                continue
            if note.name.lower() == "resent-date":
                # RFC 5322 section 3.6.6: a person reintroduced the message then.
                clocks = (f" This hop's stamp is {_fmt_seconds(ahead)} before the Resent-Date: the resender's "
                          "clock and this server's differ by that much." if ahead > 0 else "")
                return _WaitReason(WaitCause.RESENT, (
                    f"The message says why: it was re-sent at {value[:60]} (Resent-Date): the wait is "
                    f"the time until someone sent it on again, not a queue.{clocks}"))
            if note.name.lower() == "x-received":
                # Gmail's own stamp of storing the message ("X-Received: by 2002:...; date"): the
                # provider had the message then, and the rest of the wait was in its hands.
                if note.index < item.header.index or (item.time - when) < (when - previous):
                    continue
                return _WaitReason(WaitCause.PROVIDER_QUEUE, (
                    f"The message says where it waited: an X-Received stamp ({header_ref(note.index)}) shows the "
                    f"sending provider had it at {value.rpartition(';')[2].strip()[:60]}, "
                    f"{_fmt_seconds((when - previous).total_seconds())} after the time this hop is measured from; the "
                    f"remaining {_fmt_seconds((item.time - when).total_seconds())} it was in the provider's hands (its "
                    "outbound queue, retrying the next server), not in the author's outbox."))
            if note.name.lower() == "x-ms-exchange-crosstenant-originalarrivaltime":
                # Exchange Online's record of when the sending tenant accepted the message: a
                # wait after it was inside Exchange Online, not in the author's outbox. Only
                # into one of its own hops, and only as the field's claim: it sits wherever the
                # sending side put it, and a sender can write it.
                if host_organization(item.fields.by) != "outlook.com":
                    continue
                side = ("above this hop's Received" if note.index < item.header.index else
                        "below this hop's Received: the sending side's field, which a sender could also write")
                return _WaitReason(WaitCause.EXCHANGE_ARRIVAL, (
                    f"The message says where it waited: Exchange Online's X-MS-Exchange-CrossTenant-"
                    f"OriginalArrivalTime ({header_ref(note.index)}, {side}) says the sending tenant accepted it "
                    f"at {value[:40]}, {_fmt_seconds((when - previous).total_seconds())} after the time this hop "
                    f"is measured from; the remaining {_fmt_seconds((item.time - when).total_seconds())} it was "
                    "inside Exchange Online, not in the author's outbox."))
            if note.name.lower() == "x-mailman-approved-at":
                return _WaitReason(WaitCause.MODERATED, (
                    f"The message says why: a list moderator approved it at {value[:60]} "
                    "(X-Mailman-Approved-At): it waited for moderation."))
    return None


# A few words for a wait_explained finding's title, by the cause _why_waited found (not by its
# words, which quote the message's own fields: a Resent-Date value may say anything).
_WAIT_LABELS = {
    WaitCause.MODERATED: "held for a list moderator's approval",
    WaitCause.RESENT: "re-sent by someone",
    WaitCause.PROVIDER_QUEUE: "in the sending provider's hands",
    WaitCause.EXCHANGE_ARRIVAL: "inside Exchange Online",
}


def _wait_label(cause: WaitCause) -> str:
    """A few words for a finding's title, from the cause _why_waited found."""
    return _WAIT_LABELS.get(cause, "the message says why")


# Where a greylisting stamp says the server it delayed the message at: "delayed 9182 seconds by
# postgrey-1.36 at gabe"; milter-greylist: "Delayed for 00:05:12 by milter-greylist-4.6.2 (mx.example.org
# [192.0.2.1]); ...".
_greylist_host_re = compiled_on_first_use(
    r"\bdelayed\b.{0,120}?(?:\bat\s+|milter-greylist\S*\s+\()([A-Za-z0-9][A-Za-z0-9.-]{0,252})", re.IGNORECASE)
# How long: postgrey's "delayed 597 seconds", SQLgrey's "delayed 04:28:48", milter-greylist's
# "Delayed for 00:05:12".
_greylist_delay_re = compiled_on_first_use(
    r"\bdelayed\s+(?:for\s+)?(?:(\d{1,9})\s*sec|(\d{1,5}):(\d\d):(\d\d)\b)", re.IGNORECASE)


# The server's address in milter-greylist's "(host [192.0.2.1])", just after the host name.
_greylist_address_re = compiled_on_first_use(r"^\s{0,3}\[(?:IPv6:)?([0-9A-Fa-f.:]{2,45})\]")


def _greylist_seconds(value: str) -> float | None:
    """The delay a greylisting stamp states, in seconds, or None."""
    match = _greylist_delay_re().search(value[:300])
    if match is None:
        return None
    if match.group(1) is not None:
        return float(match.group(1))
    return float(int(match.group(2)) * 3600 + int(match.group(3)) * 60 + int(match.group(4)))


def _greylisting_hop(note: HeaderField, work: Sequence[_Work]) -> int | None:
    """The index (in ``work``) of the hop whose server wrote a greylisting stamp, or None when
    the copy does not hold it. Postfix's policy services (postgrey, SQLgrey) have the field
    written just above the Received of the transaction they delayed; other servers (ZMailer at
    vger.kernel.org) just below their own. A stamp that names its host must match the hop's
    "by" (postgrey names it as the system does, often without the domain: "at gabe" for
    gabe.freedesktop.org); one that names none is the hop just below it.

    Milters (milter-greylist, MIMEDefang) add their fields through sendmail's smfi_addheader,
    which appends them at the end of the header block, far below every Received field: so a
    stamp that names its host is tied to the hop anywhere in the chain whose "by" is that host,
    or whose server's address (milter-greylist's "(host [ip])", seen as the client address of
    the hop after it) is the one named. When several hops match, the one stamped at the stamp's
    own time is the transaction it delayed; then a neighbour of the field."""
    flat = " ".join(note.value[:300].split())
    at = _greylist_host_re().search(flat)
    host = at.group(1).lower().rstrip(".") if at else None
    below = min((i for i, item in enumerate(work) if item.header.index > note.index),
                key=lambda i: work[i].header.index, default=None)
    above = max((i for i, item in enumerate(work) if item.header.index < note.index),
                key=lambda i: work[i].header.index, default=None)
    if host is None:
        return below
    address_match = _greylist_address_re().search(flat[at.end():at.end() + 60]) if at else None
    address = address_match.group(1).lower() if address_match else None

    def names_host(i: int) -> bool:
        fields = work[i].fields
        if _is_loopback(fields.from_ip) or (fields.from_helo or "").lower() in _LOCALHOST_NAMES \
                or (fields.from_rdns or "").lower() in _LOCALHOST_NAMES:
            # A content filter's hand-back on the host itself (amavisd-new's "from localhost"): no
            # greylisting server refuses its own filter (verification V13 R1).
            return False
        by = normalize_domain(work[i].fields.by)
        if by and (by == host or by.startswith(host + ".")):
            return True
        # The server's own address is the client address its next hop recorded.
        later = work[i + 1].fields.from_ip if i + 1 < len(work) else None
        return address is not None and later is not None and later.lower() == address

    candidates = [i for i in range(len(work)) if names_host(i)]
    if not candidates:
        return None
    stamped = parse_received_date(flat.rpartition(";")[2]) if ";" in flat else None

    def rank(i: int) -> tuple[float, int]:
        when = work[i].time
        apart = abs((when - stamped).total_seconds()) if when is not None and stamped is not None else float("inf")
        # Within a minute counts as "the same time" (the milter stamps while the transaction is
        # open; the Received is written as it ends); the field's neighbours come next.
        return (apart if apart <= 60 else float("inf"), 0 if i in (below, above) else 1)

    return min(candidates, key=rank)


def _receivers_greylist_field(field_index: int, work: Sequence[_Work], boundary_index: int) -> bool:
    """Whether a greylisting field (at ``field_index`` in the header) is the receiving side's own
    word. Where it sits says who could have written it: above the trust boundary's Received only
    the receiving side adds fields (a Postfix policy service's field is prepended just above its
    Received); a milter's field is appended at the end of the header, among the sender's own
    fields, and tied to its hop by a host name anyone can write (_greylisting_hop), so a field
    there is a claim (verification V35c: a forged milter-greylist field naming mx.google.com)."""
    return 0 <= boundary_index < len(work) and field_index < work[boundary_index].header.index


# What a greylisting finding adds about a field a sender could have written (_receivers_greylist_field).
_GREYLIST_CLAIM = (" The field is below the trust boundary's Received, among the fields the sending side wrote (a "
                   "milter such as milter-greylist appends its field there, at the end of the header): a sender "
                   "could have written it, so it is a claim, not the receiving server's word.")


def _greylist_findings(findings: _Findings, notes: Sequence[HeaderField], work: Sequence[_Work],
                       hops: Sequence[Hop], boundary_index: int) -> None:
    """A finding for each greylisting stamp that states a delay, tied to the hop that was
    greylisted, with the delay the stamps measured there. A slow hop's own finding already
    quotes a stamp that explains it. A field below the trust boundary's Received is said as the
    claim it is (_receivers_greylist_field), as the slow hop's finding says it."""
    for note in notes:
        if note.name.lower() != "x-greylist":
            continue
        value = " ".join(note.value[:300].split())
        stated = _greylist_seconds(value)
        if stated is None:  # "Sender IP whitelisted", "auto-whitelisted": no wait
            continue
        index = _greylisting_hop(note, work)
        receivers = _receivers_greylist_field(note.index, work, boundary_index)
        claim = "" if receivers else _GREYLIST_CLAIM
        quoted = f"X-Greylist ({header_ref(note.index)}): \"{value[:160]}\"."
        how = ("Greylisting refuses the first attempt of an unknown sender (the client, sender and recipient "
               "together) with a temporary error, and accepts a retry after a while; the stated delay counts "
               "from that first attempt.")
        # A stated delay past the days a sender keeps retrying (RFC 5321 section 4.5.4.1) was no
        # wait of this message: greylisting software counts from the first attempt of the client,
        # sender and recipient together, and keeps that triplet for weeks (postgrey's --max-age is
        # 35 days), so an earlier message between the same three started the count.
        beyond = stated > GREYLIST_GIVE_UP_SECONDS
        too_long = (f" No sender retries one message that long: RFC 5321 section 4.5.4.1 has it give up after "
                    f"4 or 5 days. The count started at an earlier message's attempt between the same client, "
                    f"sender and recipient; this message was not held {_fmt_seconds(stated)}." if beyond else "")
        if index is None:
            findings.add(Finding(
                id="hops.greylisted", severity=Severity.INFO,
                title=(f"A greylisting stamp says {_fmt_seconds(stated)}, longer than any sender retries" if beyond
                       else f"Greylisted: delayed {_fmt_seconds(stated)}"),
                explanation=f"{quoted} {how}{too_long} The Received of the server that greylisted it is not in "
                            f"this copy, so the delay cannot be compared with the hops' stamps.{claim}",
                reference=_GREYLISTING, subject="X-Greylist"))
            continue
        hop = hops[index]
        # Net of the clock steps the chain shows (a stamp behind an earlier hop's), as hops.slow_hop measures it.
        measured = hop.wait_seconds
        if (measured is not None and SLOW_HOP_SECONDS < measured <= GREYLIST_GIVE_UP_SECONDS
                and measured >= stated - 60):
            continue  # the slow hop's finding quotes the stamp (see _why_waited)
        title = (f"Greylisted at hop {hop.number}: the server delayed it {_fmt_seconds(stated)}" if receivers else
                 f"A greylisting field says hop {hop.number}'s server delayed it {_fmt_seconds(stated)}")
        if beyond and (measured is None or measured >= stated - max(60.0, 0.1 * stated)):
            title = (f"{'Greylisting at' if receivers else 'A greylisting field for'} hop {hop.number} says "
                     f"{_fmt_seconds(stated)}, longer than any sender retries")
            said = too_long.lstrip() + (" The hops' stamps do not measure this hop's own time." if measured is None
                                        else f" The hop's {_fmt_seconds(measured)} is no greylisting wait either.")
        elif measured is not None and measured > GREYLIST_GIVE_UP_SECONDS and measured >= stated - 60:
            said = (f"The hop took {_fmt_seconds(measured)}, longer than any sender retries one message (RFC 5321 "
                    "section 4.5.4.1 has it give up after 4 or 5 days): greylisting does not explain that wait.")
        elif measured is None:
            said = "The hops' stamps do not measure this hop's own time."
        elif measured >= stated - max(60.0, 0.1 * stated):
            said = (f"The hop took {_fmt_seconds(measured)}: " +
                    ("that wait is the greylisting." if receivers else "if the field is true, that wait is the greylisting."))
        else:
            title = (f"{'Greylisting at' if receivers else 'A greylisting field for'} hop {hop.number} says "
                     f"{_fmt_seconds(stated)}, but the hop took {_fmt_seconds(max(measured, 0.0))}")
            since = ("after the previous stamp" if measured == hop.delay_seconds else
                     f"once the clock steps the stamps show are taken out (the step itself is "
                     f"{_fmt_seconds(hop.delay_seconds or 0.0)})")
            said = (f"But the hop took only {_fmt_seconds(max(measured, 0.0))} {since}: this "
                    f"message was not held {_fmt_seconds(stated)}. The count started at an attempt before it: "
                    "greylisting software keeps the client, sender and recipient, not the message, so an "
                    "earlier message between the same three started it.")
            if measured >= 60:
                # A retry comes minutes after the refusal (RFC 6647 section 2.2: senders retry,
                # commonly after some minutes), so a hop of minutes is likely this message's own wait.
                said += (f" The {_fmt_seconds(measured)} it did take is likely this message's own greylisting: "
                         "the first attempt refused, the sender's retry accepted.")
        findings.add(Finding(
            id="hops.greylisted", severity=Severity.INFO, title=title,
            explanation=f"{quoted} {how} {said}{claim}",
            reference=_GREYLISTING, subject=f"hop {hop.number}"))


_GREYLISTING = "https://www.rfc-editor.org/rfc/rfc6647"


# A dotted quad of digits with an octet above 255 ("123.456.789.000").
_impossible_ipv4_re = compiled_on_first_use(
    r"\[(?=[\d.]+\])(?:\d{1,3}\.){0,3}(?:25[6-9]|2[6-9]\d|[3-9]\d\d)(?:\.\d{1,3}){0,3}\]")


def _weekday_contradiction(fields: ReceivedFields) -> tuple[str, str, str] | None:
    """(day written, day of the date, the date) when a stamp names a day of the week its date
    did not fall on (RFC 5322 section 3.3), else None."""
    if not fields.date_text or not fields.timestamp:
        return None
    try:
        moment = datetime.fromisoformat(fields.timestamp)
    except ValueError:
        return None
    contradiction = weekday_contradiction(fields.date_text, moment)
    if contradiction is None:
        return None
    written, actual = contradiction
    return written, actual, moment.date().isoformat()


def _weekday_finding(work: Sequence[_Work], boundary_index: int) -> Finding | None:
    """One finding for every stamp whose day of the week is not the one of its date (RFC 5322
    section 3.3): an anonymised or edited copy shifts every date at once, and one finding per
    hop only repeats that."""
    wrong = [(i, found) for i, found in ((i, _weekday_contradiction(item.fields)) for i, item in enumerate(work))
             if found is not None]
    if not wrong:
        return None
    numbers = [i + 1 for i, _ in wrong]
    listed = ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
    if len(wrong) == 1:
        written, actual, day = wrong[0][1]
        title = f"Hop {numbers[0]}'s date says {written}, but {day} is a {actual}"
        said = f"The stamp names {written} for a date that fell on a {actual}."
    else:
        title = f"Hops {listed}: the dates name the wrong day of the week"
        said = "The stamps name days their dates did not fall on: " + "; ".join(
            f"hop {i + 1} says {written} for {day}, a {actual}" for i, (written, actual, day) in wrong[:10]) + "."
    below = [i + 1 for i, _ in wrong if i < boundary_index]
    receivers = [i + 1 for i, _ in wrong if i >= boundary_index and i < len(work) - 1]
    last = len(work) if wrong[-1][0] == len(work) - 1 and len(work) - 1 >= boundary_index else None
    why: list[str] = []
    if below:
        why.append(f"{_hops_word(below)} below the trust boundary, the sender's claim: made up, or edited or "
                   "anonymised in a copy")
    if receivers:
        # Not the final delivery's stamp: nothing shows it changed after delivery. A copy edited
        # by hand and a server that writes its stamps wrongly are as likely.
        why.append(f"{_hops_word(receivers)} the receiving side's, written before the final delivery: edited by "
                   "hand or anonymised in a copy, or written by a server that stamps the day wrongly")
    if last is not None:
        # The final delivery's own stamp is the last thing written into the message: a wrong day
        # there was written after delivery, unless that server's own stamp writer is faulty.
        why.append(f"hop {last} is the final delivery's own stamp: changed after delivery (a hand-edited or "
                   "anonymised copy, a date shifted afterwards), or that server stamps the day wrongly")
    reasons = "; ".join(why)
    return Finding(
        id="hops.weekday_mismatch", severity=Severity.NOTICE, title=title,
        explanation=(f"{said} RFC 5322 section 3.3 requires the day of the week, when given, to be the one the "
                     f"date implies, and a mail server writes both from its clock. {reasons[:1].upper()}"
                     f"{reasons[1:]}. The times are read as the dates and times written."),
        reference=_RFC5322_DATE, subject=f"hop {numbers[0]}",
    )


def _hops_word(numbers: Sequence[int]) -> str:
    """"hop 2 is" or "hops 1, 2 are"."""
    return (f"hop {numbers[0]} is" if len(numbers) == 1 else
            "hops " + ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "") + " are")


_RECEIVER_OWN_STAMP = ("This stamp is the receiving side's own, so the Date: is what is off: the sender's clock or "
                       "its time zone setting is wrong (a local time written with another zone's offset), or the "
                       "Date: was made up.")


def _net_wait(delay: float | None, *, clock_offset: _ClockOffset | None, resent: bool,
              lag_end: _LaggingClock | None, behind: tuple[int, float] | None,
              fast_ahead: float | None) -> float | None:
    """A hop's wait net of the clock steps the chain shows (``Hop.wait_seconds``), by the readings
    _hop_findings gives the step, in its order: a clock or zone off by half hours leaves the
    seconds beside it (hops.clock_offset), two deliveries leave no server's wait
    (hops.earlier_delivery), a lagging clock's step forward leaves what is beyond the lag
    (hops.clock_lag); out of a stamp behind an earlier hop's the wait is measured from that hop,
    and into a fast clock's stamp without its lead (hops.slow_hop). None when not measurable."""
    if delay is None or resent:
        return None
    if clock_offset is not None:
        net = clock_offset.residual
    elif lag_end is not None:
        net = delay - lag_end.lag
    else:
        net = (delay if behind is None else behind[1]) - (fast_ahead or 0.0)
    if net < -SKEW_TOLERANCE_SECONDS:
        # A step back (or still behind once the known clocks are taken out): no wait is measured.
        return None
    # Servers of different operators disagree by a second or so: no measurable time, as the total.
    return max(net, 0.0)


def _wait_party(work: Sequence[_Work], i: int, boundary_index: int, note: str | None,
                why: _WaitReason | None) -> str | None:
    """For a slow hop's finding: whose side the wait was on, before or after the trust boundary,
    and at a hand-over between organisations which of the two may have held it: the previous
    server's queue (an outage, a retry after a refusal, RFC 5321 section 4.5.4.1) or this server
    deferring it (a temporary refusal, RFC 5321 section 4.2.5). None when the message's own
    reason (a moderator, a re-sending, a mailbox, the provider's stamp) already names the party."""
    if i < 1 or (why is not None and why.cause is not WaitCause.GREYLISTED):
        return None
    item, previous = work[i], work[i - 1]
    fields = item.fields
    receiver = str(fields.by or f"hop {i + 1}'s server")[:120]
    sender = str(fields.from_rdns or fields.from_helo or fields.from_ip or previous.fields.by
                 or f"hop {i}'s server")[:120]
    here_org, there_org = item.org, previous.org
    greylisted = why is not None  # the only cause left: this server's own greylisting stamp
    # Between a content filter's hand-over and its re-injection (_content_filter_notes) the filter had it.
    filtered = None
    if note is not None and note.startswith(("back from ", "content filter")):
        name = note.removeprefix("back from ").removeprefix("content filter").strip()[:80]
        named = f"its content filter ({name})" if name else "its content filter"
        filtered = named if note.startswith("back from ") else f"the queue into {named}"
    if i > boundary_index:
        held = filtered or "its filters or queues"
        return (f"The wait was on the receiving side, after the trust boundary: the recipient's own servers held it "
                f"({held}), not the sender.")
    if i == boundary_index:
        side = "The wait was at the trust boundary, the hand-over into the receiving organisation" + (
            f" ({here_org[:120]})." if here_org else ".")
    else:
        side = "The wait was before the trust boundary, on the sender's side or a relay's (by their own stamps, a claim)."
    if here_org is not None and here_org == there_org:
        held = filtered or "its own queue or a filter"
        if i == boundary_index:
            # The stamp below the boundary is the sender's side's: it names the receiver's
            # organisation only as a claim (a forger writes "by mx.google.com" as easily), so the
            # wait may be the forger's made-up time, not the receiver's queue (verification V35c).
            below = str(previous.fields.by or f"hop {i}'s server")[:120]
            return (f"{side} Hop {i}'s stamp claims {here_org[:120]}'s server ({below}) wrote it too, but it is "
                    f"below the trust boundary: if {here_org[:120]} wrote it, {held} held the message; if the "
                    "sender's side made it up, its time is made up too, and nothing says who held the message.")
        return f"{side} Both stamps are {here_org[:120]}'s: {held} held it."
    if greylisted:
        if why is not None and why.field_index is not None \
                and _receivers_greylist_field(why.field_index, work, boundary_index):
            return (f"{side} {receiver} deferred it (its greylisting stamp, above the trust boundary's Received, "
                    f"says so), and {sender} kept it queued until its retry was accepted.")
        return (f"{side} A greylisting field naming {receiver}, which a sender could also write (it is below the "
                f"trust boundary's Received), says {receiver} deferred it; if so, {sender} kept it queued until its "
                "retry was accepted.")
    return (f"{side} Either {sender} kept it in its queue (an outage, or retrying after a refusal) or {receiver} "
            "deferred it with a temporary refusal (a rate limit, greylisting, a busy server); nothing in the "
            "message says which.")


def _hop_findings(findings: _Findings, item: _Work, number: int, delay: float | None,
                  from_date: bool, below_boundary: bool, *, measured_from_first_hop: bool = False,
                  why_waited: _WaitReason | None = None, fast_clock: str | None = None,
                  clock_offset: _ClockOffset | None = None, total_known: bool = False,
                  next_step: float | None = None, zone_step: tuple[float, float] | None = None,
                  previous_below: bool = False, resent: tuple[str | None] | None = None,
                  behind: tuple[int, float] | None = None, lag_start: _LaggingClock | None = None,
                  lag_end: _LaggingClock | None = None, fast_ahead: float | None = None,
                  date_zone: tuple[str, float, float] | None = None,
                  same_operator: str | None = None, wait: float | None = None,
                  party: str | None = None) -> WaitCause | None:
    """``date_zone``: the step back from the Date: read as its zone written wrong (_date_zone_step);
    ``lag_start``/``lag_end``: this hop's step back is into, or its step forward out of, the
    stamps of one machine whose clock lags its neighbours' (_lagging_clocks);
    ``zone_step``: a step back into this hop read as a stamp's zone label (_zone_label_step);
    ``previous_below``: the hop before it is below the trust boundary, the sender's claim;
    ``resent``: the step into this hop is two deliveries (see RESEND_GAP_SECONDS), with what
    else shows it (a change of recipient), or None; ``behind``: the previous hop's stamp is
    behind an earlier hop's (its clock far off), as (that earlier hop's number, the seconds from
    it to this hop), or None; ``fast_ahead``: how far this hop's clock runs ahead, as a later
    step back read as a fast clock shows (_fast_clock_steps): that much of its delay is no wait.
    ``wait``: the hop's wait net of those clocks (_net_wait, ``Hop.wait_seconds``); ``party``:
    whose side the wait was on (_wait_party), for a slow hop's finding.
    ``why_waited``: what the message says about the wait, for a slow hop's finding. Returns its
    cause when the hops.slow_hop finding made gives it (the hop's ``wait_cause``), else None."""
    subject = f"hop {number}"
    wait_cause: WaitCause | None = None
    fields = item.fields
    claim = (" This hop is below the trust boundary: it is the sender's claim, not evidence."
             if below_boundary else "")
    if not fields.complete:
        problems = "; ".join(p[:120] for p in fields.problems[:3]) or "unreadable parts"
        findings.add(Finding(
            id="hops.unparsed", severity=Severity.INFO, title="Received header only partly read",
            explanation=f"Part of this Received header could not be read ({problems}). It is kept "
                        f"as written, with the fields that could be read.",
            reference=_RFC5321_TRACE, subject=subject,
        ))
    if NO_TIME_ZONE in fields.problems:
        findings.add(Finding(
            id="hops.no_zone", severity=Severity.INFO, title=f"Hop {number}'s date has no time zone",
            explanation=(f"The stamp's date ({str(fields.date_text or '')[:80]}) gives no offset from UTC, which RFC "
                         "5322 section 3.3 requires: its moment is unknown by up to a day either way, so no delay is "
                         "measured to or from this hop. The time is shown as written." + claim),
            reference=_RFC5322_DATE, subject=subject))
    impossible = next((p for p in fields.problems if p.startswith("address literal is not an IP")
                       and _impossible_ipv4_re().search(p)), None) if not below_boundary else None
    if impossible is not None:
        # The receiving side's own stamp: its MTA writes the address its socket connected from,
        # always a real one. Octets above 255 there mean the field was edited or made up.
        literal = impossible.partition(": ")[2]
        findings.add(Finding(
            id="hops.impossible_address", severity=Severity.WARNING,
            title=f"The receiving side's own Received header records an impossible client address {literal}",
            explanation=(f"This hop is at or above the trust boundary, written by the receiving side, whose "
                         f"mail server records the address the client connected from. {literal} is no IPv4 "
                         "address (an octet above 255): the header was edited or made up after delivery, "
                         "or the message is a made-up example. Nothing in this hop can be relied on."),
            reference=_RFC5321_TRACE, subject=subject,
        ))
    if delay is not None and delay < -SKEW_TOLERANCE_SECONDS:
        before = "the Date: header" if from_date else f"hop {number - 1}"
        severity = _skew_severity(delay)
        title = f"Time goes backwards by {_fmt_seconds(delay)}"
        if fast_clock is not None:
            which = fast_clock
        elif zone_step is not None:
            offset, residual = zone_step
            amount = _fmt_offset(offset)
            # To the second: how far from the mark it stops is the point.
            title = f"Time goes backwards by {_fmt_exact(delay)}"
            which = (f"The step is {amount} to within {_fmt_seconds(abs(residual))}: that is what a stamp written "
                     f"with the wrong time zone gives (a local summer time labelled GMT or UTC, a system without "
                     f"time-zone support writing its local time, a wrong zone setting; each stamp carries its own "
                     f"offset from UTC), not clocks drifting apart. Hop {number - 1}'s stamp is then {amount} ahead "
                     f"or this one {amount} behind, and the hop itself took about "
                     f"{_fmt_seconds(max(residual, 0.0))}.")
            if previous_below or below_boundary:
                # The stamp before the step is the sender's to write: a made-up lower chain steps back
                # in time like this too, and a whole hour is as easy to type. The warning stays.
                which += (f" But hop {number - 1} is below the trust boundary, a claim of the sender's side: "
                          "otherwise at least one of the clocks involved is wrong, or a header was forged, and "
                          "nothing here tells the two apart.")
                title += f" ({amount}: a time-zone label, or a forged header)"
            else:
                # Both stamps are the receiving side's own: a label error, not a sign of forgery.
                severity = Severity.INFO
                title += f" ({amount}: probably a time-zone label error)"
        elif date_zone is not None:
            kind, offset, corrected = date_zone
            if kind == "sign":
                written, meant = _fmt_zone(offset), _fmt_zone(-offset)
                title += f" (twice the Date:'s own {written}: its zone sign probably flipped)"
                which = (f"The step is twice the Date:'s own zone offset ({written}) to within "
                         f"{_fmt_seconds(abs(corrected))}: the Date: is probably a local time written with its "
                         f"offset's sign flipped ({meant} written as {written}). Read with {meant} it is "
                         + (f"{_fmt_seconds(corrected)} before this hop's stamp, an ordinary submission."
                            if corrected >= 0 else f"{_fmt_seconds(-corrected)} after this hop's stamp."))
            else:
                title = f"Time goes backwards by {_fmt_exact(delay)} ({_fmt_offset(offset)}: a time-zone label?)"
                which = (f"The step is {_fmt_offset(offset)} to within {_fmt_seconds(abs(corrected))}: that is what a "
                         "Date: written with the wrong time zone gives (the author's computer set to another zone "
                         "than its clock, a local time labelled with another zone's offset), not clocks drifting "
                         f"apart; the message then reached this hop about {_fmt_seconds(max(corrected, 0.0))} after "
                         "it was written.")
            # The Date: is the sender's to write: the reading explains the step, the warning stays.
            which = (_RECEIVER_OWN_STAMP + " " + which) if not below_boundary else which + " Or the Date: was made up."
        elif lag_start is not None:
            # The pairing reads the step as a clock; below the boundary made-up stamps read the same.
            which = _lag_story(lag_start) + (" Or a header was forged: stamps below the trust boundary are the "
                                             "sender's to write." if below_boundary or previous_below else "")
        elif from_date and not below_boundary:
            # The receiving side's own clock against the sender's: the Date: is in its future.
            which = _RECEIVER_OWN_STAMP
        elif same_operator is not None and -delay <= _FEW_SECONDS_SKEW:
            # Two hosts of one operator (Exchange Online's, Google's) seconds apart: their clocks
            # differing slightly, or a front end that stamps once it has handed the message on.
            which = (f"Both stamps are by servers of {same_operator[:120]}: a few seconds between one operator's "
                     "hosts is their clocks differing slightly, or the stamps written out of order (a relaying "
                     "front end may stamp only after it has handed the message on).")
            if below_boundary or previous_below:
                # A stamp the sender's side wrote may be made up: that reading stays beside this one.
                which += (" A stamp below the trust boundary is the sender's side's to write, though, and a made-up "
                          "one reads the same.")
        else:
            which = "At least one of the clocks involved is wrong, or a header was forged."
        findings.add(Finding(
            id="hops.clock_skew", severity=severity,
            title=title,
            explanation=f"This hop is stamped {_fmt_seconds(delay)} earlier than {before} "
                        f"(compared in UTC). A message cannot be received before it was sent. {which}"
                        + (" The total journey is measured from the first hop with a timestamp instead "
                           "of the Date:, as the message was on its way by then."
                           if measured_from_first_hop else "")
                        + claim,
            reference=_RFC5322_DATE, subject=subject,
        ))
    mismatch = zone_name_mismatch(fields.date_text) if fields.date_text and "(" in fields.date_text else None
    if mismatch is not None:
        name, written, minutes, stood_for = mismatch
        findings.add(Finding(
            id="hops.zone_mismatch", severity=Severity.INFO,
            title=f"Hop {number}'s date gives {written} but names {name}",
            explanation=(f"The stamp's time zone offset ({written}) and the zone it names ({name}, {stood_for} at "
                         f"that date) differ by "
                         f"{_fmt_seconds(abs(minutes) * 60.0)}: the server's clock or its zone setting is wrong, so "
                         "delays measured to and from this hop may be off by that much (a long delay there may be "
                         "the wrong setting, not a queue)." + claim),
            reference=_RFC5322_DATE, subject=subject,
        ))
    if delay is not None and clock_offset is not None:
        findings.add(_clock_offset_finding(item, number, delay, clock_offset, total_known, next_step, claim))
    elif delay is not None and resent is not None:
        findings.add(_earlier_delivery_finding(number, delay, resent[0], total_known, claim, previous_below))
    elif delay is not None and lag_end is not None:
        remainder = delay - lag_end.lag
        rest = (f"Without the lag the hop took about {_fmt_seconds(remainder)}." if remainder >= 0 else
                f"Without the lag this stamp is still {_fmt_seconds(-remainder)} before hop {lag_end.start - 1}'s: "
                "the clocks on either side disagree by that much too, and the hop's own time is unknown.")
        findings.add(Finding(
            id="hops.clock_lag", severity=Severity.INFO,
            title=f"Hop {number}'s {_fmt_seconds(delay)} is mostly a lagging clock ({lag_end.host[:80]} about "
                  f"{_fmt_seconds(lag_end.lag)} behind), not a wait",
            explanation=f"{_lag_story(lag_end)} {rest}" + claim + (
                " The lagging stamps are below the trust boundary: the sender's side wrote them, and they may be "
                "made up to hide a wait." if previous_below and not claim else ""),
            reference=_RFC5322_DATE, subject=subject))
    elif delay is not None and delay > SLOW_HOP_SECONDS and not is_retrieval(fields) and wait is not None \
            and wait > SLOW_HOP_SECONDS:
        # Out of a stamp that is behind an earlier hop's, the step is that clock, not a wait:
        # slow only if it is slow from the latest stamp before it too. Into a stamp whose clock
        # is fast (a later step back says so, hops.clock_skew), only what is left without that
        # lead is a wait (_net_wait).
        measured = ""
        waited = wait
        if fast_ahead is not None:
            measured = (f" That is without the {_fmt_seconds(fast_ahead)} this hop's clock runs ahead of the "
                        f"servers after it (see their step back): the step measured is {_fmt_seconds(delay)}.")
        if behind is not None:
            measured += (f" Measured from hop {behind[0]}: hop {number - 1}'s stamp is behind it (that clock far off, "
                        f"see its step back), which makes the step from hop {number - 1} look longer.")
        if previous_below and not from_date and not below_boundary:
            # The receiver's own stamp against one the sender's side wrote: the wait rests on a claim.
            measured += (f" It is measured from hop {number - 1}'s stamp, which is below the trust boundary: the "
                         "sender's side wrote it, and its time may be made up or its clock or zone wrong.")
        # A mailbox download's delay is how long the message waited for the recipient to
        # fetch it, not a server's queue.
        # The generic reasons only when the message gives none of its own.
        what = ("between the Date: header and the first Received header" + ("" if why_waited else
                " (the message was written well before it was sent, or sat in an outbox or queue)")) \
            if from_date else "at this hop" + ("" if why_waited else
                                               " (the message waited in a queue, or a server retried delivery)")
        findings.add(Finding(
            id="hops.slow_hop", severity=Severity.INFO, title=f"Delay of {_fmt_seconds(waited)}",
            explanation=f"{_fmt_seconds(waited)} passed {what}." + (f" {why_waited.words}" if why_waited else "")
                        + measured + (f" {party}" if party else ""),
            reference=_RFC5321_TRACE, subject=subject,
        ))
        wait_cause = why_waited.cause if why_waited else None
    # An authenticated submission (ESMTPSA, RFC 3848) over a private address is a customer's own
    # server or program logging in to its provider's network: the name it greets with is its own.
    if item.private and not _is_loopback(fields.from_ip) and item.org and not fields.auth:
        looked_up = host_organization(fields.from_rdns)
        client_orgs = [o for o in (looked_up, host_organization(fields.from_helo)) if o]
        if client_orgs and item.org not in client_orgs:
            if looked_up is None:
                # Only the client's own greeting names the other organisation: on a private
                # address that is as likely one network's server named after another domain.
                title = "Private address, client named after another organisation"
                said = (f"{item.org} received this message over a private address ({fields.from_ip}), which "
                        f"cannot be reached across the internet (RFC 1918), from a client that named itself "
                        f"{fields.from_helo} (its own greeting, not a looked-up name). Either it is a server of "
                        f"{item.org}'s own network named after another domain, or both organisations share a "
                        "private network (a VPN or peering), or the header was made up.")
            else:
                title = "Private address between two organisations"
                said = (f"{item.org} received this message from {client_orgs[0]} over a private "
                        f"address ({fields.from_ip}), which cannot be reached across the internet "
                        f"(RFC 1918). Either both sit on one private network (a VPN or peering) "
                        f"or the header was made up.")
            findings.add(Finding(
                id="hops.private_ip_outside",
                # Below the boundary it is the sender's own (claimed) network layout: a curiosity.
                severity=Severity.INFO if below_boundary else Severity.NOTICE,
                title=title, explanation=said + claim, reference=_RFC1918, subject=subject,
            ))
    if below_boundary:
        signs = _forged_signs(fields, item.header.value)
        if signs:
            findings.add(Finding(
                id="hops.forged_looking", severity=Severity.WARNING,
                title="Forged-looking Received header",
                explanation="Below the trust boundary, this header contains " + "; ".join(signs)
                            + ". No mail server writes that: the sender most likely added this "
                              "header to make the message look relayed.",
                reference=_RFC5321_TRACE, subject=subject,
            ))
    return wait_cause


def _earlier_delivery_finding(number: int, delay: float, recipients: str | None, total_known: bool,
                              claim: str, claimed_before: bool = False) -> Finding:
    """hops.earlier_delivery: a step between two stamps longer than any queue keeps a message.
    ``claimed_before``: the hop before the gap is below the trust boundary, so the stamps before
    it are the sender's to write, and made-up stamps are as good a reading as an earlier delivery."""
    gap = _fmt_seconds(delay)
    single = number == 2
    before = "hop 1" if single else f"hops 1–{number - 1}"
    title = (f"{gap} between hops {number - 1} and {number}: {before} {'is' if single else 'are'} an earlier "
             "delivery's" + (", or stamps the sender made up" if claimed_before else ""))
    again = (f"and the message was sent on again later with {'its' if single else 'their'} stamps kept: released "
             "from a quarantine that held it, or re-sent or forwarded by someone who had it, or replayed (a spammer "
             "re-sending a captured message, a DKIM replay); or a server's clock is wrong by as much.")
    if claimed_before:
        # The stamps before the gap are below the boundary: nothing but the sender's word says an
        # earlier delivery happened, and backdated stamps are the simplest way to write them.
        reading = (f"But hop {number - 1} is below the trust boundary" + (", the sender's claim" if single else
                   f": {before} are the sender's claim") + ", written with any date the sender likes. Either the "
                   f"sender made "
                   f"{'it' if single else 'them'} up (to look like an old, already delivered message), or "
                   f"{'it belongs' if single else 'they belong'} to an earlier delivery, {again} Nothing here "
                   "tells these apart.")
    else:
        reading = f"So {before} belong{'s' if single else ''} to an earlier delivery, {again}"
    return Finding(
        id="hops.earlier_delivery", severity=Severity.NOTICE,
        title=title,
        explanation=(f"Hop {number} is stamped {gap} after hop {number - 1}. No mail server keeps a message queued "
                     "that long: RFC 5321 section 4.5.4.1 has a sender give up after 4 or 5 days, as Postfix, "
                     f"sendmail and Exim do by default. {reading}{f' {recipients}' if recipients else ''}"
                     + (f" The total travel time leaves the {gap} out." if total_known else "") + claim),
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.5.4.1", subject=f"hop {number}",
    )


def _recipient_change(work: Sequence[_Work], i: int, delivered_to: Sequence[HeaderField]) -> str | None:
    """The words for a recipient that changed across the step into hop i: the last ``for``
    clause below it against the first one from hop i on, or else a delivery field (Delivered-To,
    X-Original-To, Envelope-To) that stands above hop i's Received (written after that stamp)."""
    before = next(((j, _mailbox(w.fields.for_)) for j, w in reversed(list(enumerate(work[:i])))
                   if _mailbox(w.fields.for_)), None)
    if before is None:
        return None
    after = next(((f"hop {j + 1}'s Received", _mailbox(w.fields.for_)) for j, w in enumerate(work[i:], start=i)
                  if _mailbox(w.fields.for_)), None)
    if after is None:
        after = next(((f"{f.name} ({header_ref(f.index)})", _mailbox(f.value)) for f in delivered_to
                      if f.index < work[i].header.index and _mailbox(f.value)), None)
    if after is None or after[1] == before[1]:
        return None
    return (f"The recipient changed across the gap too: hop {before[0] + 1} received it for <{before[1]}>, and "
            f"{after[0]} names <{after[1]}>, as a new sending to another address would.")


def _mailbox(text: str | None) -> str | None:
    """The one address a for clause or delivery field names, lower case, or None (none, or several)."""
    words = [w.strip("<>;,") for w in (text or "")[:320].split()]
    found = [w.lower() for w in words if "@" in w and len(w) <= 254]
    return found[0] if len(found) == 1 else None


def _clock_offset_finding(item: _Work, number: int, step: float, clock: _ClockOffset, total_known: bool,
                          next_step: float | None, claim: str) -> Finding:
    """hops.clock_offset: a step of a whole number of half hours plus seconds, shown as it is
    measured and read as the hop's clock or zone setting (see _clock_offsets)."""
    # A filter's "by localhost (host.example [127.0.0.1])" is named by its host's name.
    host = (_stamp_host([item], 0) or f"hop {number}'s server")[:120]
    amount = _fmt_offset(clock.offset)
    if clock.returns is not None:
        why = (f" Hop {clock.returns + 1}'s stamp steps back by as much, so the stamps on both sides of this server "
               "agree with each other: its clock alone is off.")
        total = " The total travel time is not affected: the step back takes it out again." if total_known else ""
    else:
        # Only the step is known: every server before it being behind by as much would give it
        # too, but one server's setting is the likelier fault than all the others' alike.
        why = (" (Less likely, the servers before it are all that much behind.)"
               + (f" The same server's next stamp (hop {number + 1}) follows {_fmt_seconds(next_step)} later, on the "
                  "same clock." if clock.same_host_next and next_step is not None else ""))
        total = f" The total travel time leaves the {amount} out." if total_known else ""
    return Finding(
        id="hops.clock_offset", severity=Severity.INFO,
        title=f"Hop {number}: {host}'s clock or time zone is probably {amount} off (a step of {_fmt_exact(step)})",
        explanation=(f"Hop {number} is stamped {_fmt_exact(step)} after hop {number - 1}, while the hops around it are "
                     f"seconds apart. A step of exactly {amount} plus seconds is most likely {host}'s clock or time-zone setting "
                     f"being {amount} off, not a wait: each server stamps its local time with its own offset from UTC "
                     "(RFC 5322 section 3.3), so a wrong zone, or a daylight-saving rule not applied, shifts its "
                     "stamps by whole or half hours, and a queue or a retry does not end within seconds of such a "
                     f"mark. The real transit at this hop was probably about {_fmt_seconds(max(clock.residual, 0.0))}."
                     f"{why}{total} Nothing in the message (a greylisting stamp, a list moderator's approval) says "
                     f"it waited; if it did, the wait was the whole {_fmt_exact(step)}." + claim),
        reference=_RFC5322_DATE, subject=f"hop {number}",
    )


def _own_provider_submission(item: _Work, author_domain: str | None) -> bool:
    """Is the hop (the first of the chain) most likely a mail program handing its user's message
    to the user's own mailbox provider: the From: domain's organisation is a big operator's
    (OPERATOR_ALIASES) and the receiving server is that operator's? Such a program greets with
    its computer's name (Foxmail on a laptop: "from T450 ... by newxmesmtplogicsvrszb1-0.qq.com"),
    which is no server's setting to fix, even when the stamp records no login. The caller asks it
    only of the first hop: a mail program writes no Received field, while a server sending
    straight to the provider's MX (a laptop's own Postfix: "by Kaidos-MacBook-Pro.local
    (Postfix, from userid 501)" below) stamps its own, and its greeting is its setting. Only for
    operators: From: is the sender's to write, and a company's own server taking mail "from" its
    own domain from a machine greeting with a bare word is as often a spoof aimed at its users,
    where the greeting stays worth saying."""
    org = host_organization(author_domain)
    return org is not None and org in _OPERATORS and host_organization(item.fields.by) == org


def _lookalike_greeting(item: _Work, number: int) -> Finding | None:
    """hops.lookalike_helo: the trust boundary's client greeted with a name written to look like
    another (domains.idn_lookalike). Only there: the greeting is the sending side's own text (RFC
    5321 section 4.1.1.1), recorded by the receiving server, so its characters are the sender's
    choice; a name in a hop below the boundary is a claim anyway, and one in a hop above it the
    receiving side's own. The hop tables flag every such name where it is shown."""
    helo = item.fields.from_helo
    if not helo or (helo.isascii() and "xn--" not in helo.lower()):
        return None  # nearly every greeting: nothing to decode
    words = domains.idn_lookalike(helo)
    other = domains.idn_other_form(helo)
    if words is None or other is None:
        return None
    by = str(item.fields.by or "the receiving server")[:120]
    client = f"the client at {item.fields.from_ip}" if item.fields.from_ip else "the client"
    said = f"At the trust boundary (hop {number}) {client} introduced itself to {by} as \"{helo[:120]}\" ({other[:140]})"
    claim = ("The greeting is the client's own claim (RFC 5321 section 4.1.1.1), which the receiving server "
             "only recorded: the characters are the sending side's choice.")
    if words.startswith("written in"):
        ascii_name = other.removesuffix(" in DNS")
        return Finding(
            id="hops.lookalike_helo", severity=Severity.NOTICE,
            title=f"The sending server greeted with {ascii_name[:60]} written in look-alike characters",
            explanation=f"{said}: the UTS #46 mapping turns characters of it into ASCII ones, so DNS is "
                        f"asked for {ascii_name[:140]}. IDNA 2008 disallows such characters in a host name "
                        f"(RFC 5892; UTS #46 maps them only to read a name a person typed), and no mail server's "
                        f"configured name holds them: the name was written so to read as {ascii_name[:140]} on "
                        f"screen while a program comparing text (a filter, a search) sees another. {claim}",
            reference="https://www.unicode.org/reports/tr46/", subject=f"hop {number}")
    return Finding(
        id="hops.lookalike_helo", severity=Severity.NOTICE,
        title=f"The sending server greeted with a look-alike name, {helo[:60]}",
        explanation=f"{said}: it {words[:200]}, so on screen it passes for a name it is not (Unicode TR #39). "
                    f"{claim} A sending server named to pass for another is a forgery sign.",
        reference="https://www.unicode.org/reports/tr39/#Confusable_Detection", subject=f"hop {number}")


_SERVER_NAME_SETTINGS = ("Postfix: myhostname or smtp_helo_name; Exim: primary_hostname or helo_data; "
                         "Sendmail: confDOMAIN_NAME")


def _sending_host_findings(item: _Work, number: int,
                           ptr: tuple[Sequence[str], bool | None] | None = None,
                           author_domain: str | None = None) -> list[Finding]:
    """What the receiving server recorded, at the trust boundary, about the sending server's
    names that makes receivers distrust it, each with what its owner can fix: no reverse DNS name
    (Postfix's "unknown [IP]"), a greeting that is not a host name (RFC 5321 section 4.1.1.1), a
    cloud provider's default instance name. Only for a server handing the message over from a
    public address: a submission's client is a person's device, which needs none of it. ``ptr``:
    the address's PTR names now and whether one resolves back (FCrDNS), when DNS was asked."""
    fields = item.fields
    ip = fields.from_ip
    if item.role in (Role.MSA, Role.MUA) or item.private or not _is_public_ip(ip):
        return []
    out: list[Finding] = []
    by = str(fields.by or "the receiving server")[:120]
    text = _scan(item.header.value)
    # Postfix's own stamp only: Coremail writes "(unknown [IP])" for every client. A Postfix set not
    # to look names up (smtpd_peername_lookup = no) writes it too, so a PTR name that resolves back
    # to the address now is taken as that, and nothing is said.
    # A big operator's outbound servers all have forward-confirmed names (Microsoft documents it
    # for Microsoft 365: KB 3019655, "Recipient rejects mail from Microsoft 365 and host name does
    # not match IP address"), so when the client greeted with such a server's name, the "unknown"
    # is most likely the receiver's lookup failing then: without DNS to tell, nothing is said. The
    # greeting is the sender's to write, so with DNS finding no name now it is said as measured.
    helo_operator = OPERATOR_ALIASES.get(host_domain(fields.from_helo) or "")
    if fields.from_rdns is None and "unknown" in text and "(postfix" in text.lower() \
            and _unknown_client_re().search(text) and not (ptr is not None and ptr[1]) \
            and not (ptr is None and helo_operator is not None):
        # Without DNS, the stamp alone: said as what it records, an info; with DNS agreeing, a notice.
        if ptr is None:
            now = f" (A Postfix set not to look names up writes it for every client: the PTR record of {ip} tells.)"
            title = f"The receiving server recorded no verified name for the sending server {ip}"
        else:
            found = f"its PTR name {str(ptr[0][0])[:120]} does not resolve back to it" if ptr[0] else "no PTR record"
            now = f" The address has no such name now either ({found})."
            if helo_operator is not None:
                now += (f" It greeted as {str(fields.from_helo)[:120]}, a name of {helo_operator}'s servers, whose "
                        f"outbound servers all have such names: if it was one, only {helo_operator} can fix this; "
                        "if not, the greeting was false.")
            title = f"The sending server {ip} has no reverse DNS name, as the receiving server recorded"
        out.append(Finding(
            id="hops.no_reverse_dns", severity=Severity.INFO if ptr is None else Severity.NOTICE, title=title,
            explanation=(f"At the trust boundary (hop {number}) {by} recorded its client as \"unknown [{ip}]\": "
                         f"Postfix writes that when the address has no PTR record, or none whose name resolves back "
                         f"to it (or the lookup failed then).{now} Many receivers reject or junk mail from a server "
                         f"without a forward-confirmed name, and Google's sender guidelines require one. What to "
                         f"fix: whoever controls {ip} (the hosting or cloud provider) sets a PTR record naming the "
                         f"server, with an A record of that name pointing back to {ip}, and the server greets "
                         f"with that name."),
            reference="https://www.rfc-editor.org/rfc/rfc1912#section-2.1", subject=f"hop {number}"))
    helo = (fields.from_helo or "").strip()
    if helo and not helo.startswith("[") and not is_ip_literal(helo) and host_domain(helo) is None \
            and len(helo) <= 255 and not (number == 1 and _own_provider_submission(item, author_domain)):
        cloud = cloud_default_name(helo)
        what = (f"the private host name of {cloud[0]}, which the public DNS does not know" if cloud is not None
                else "a word, not a host name" if "." not in helo else "a name outside the public DNS")
        out.append(Finding(
            id="hops.helo_not_fqdn", severity=Severity.NOTICE,
            title=f"The sending server greeted with HELO {helo[:60]}, not a fully-qualified host name",
            explanation=(f"At the trust boundary (hop {number}) the server at {ip} introduced itself to {by} as "
                         f"\"{helo[:120]}\", {what}. RFC 5321 section 4.1.1.1 asks a client to greet with its "
                         f"fully-qualified domain name (an address literal when it has none), and receivers score "
                         f"a greeting like this as a spam sign; some reject it. What to fix, for a server that "
                         f"sends mail: give it a fully-qualified name in the public DNS, whose A record is {ip} and "
                         f"whose PTR record points back, and greet with it ({_SERVER_NAME_SETTINGS}). (A mail "
                         f"program submitting to its own provider greets with its computer's name, which is "
                         f"harmless there.)"),
            reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1", subject=f"hop {number}"))
    default = next(((name, kind) for name in (fields.from_rdns, fields.from_helo)
                    if name and (kind := cloud_default_name(name)) is not None and host_domain(name) is not None),
                   None)
    if default is not None:
        name, (instance, how) = default
        looked_up = name == fields.from_rdns
        seen = (f"{by} looked up {ip} and found {name[:120]}" if looked_up
                else f"the server at {ip} greeted {by} as {name[:120]}")
        greeted = (f" (it greeted as {helo[:120]}, which is not that name)"
                   if looked_up and helo and normalize_domain(helo) != normalize_domain(name) else "")
        out.append(Finding(
            id="hops.cloud_default_name", severity=Severity.NOTICE,
            title=f"The sending server is {instance} under the provider's default name",
            explanation=(f"At the trust boundary (hop {number}) {seen}, the name the provider gives every such "
                         f"instance{greeted}: the message was sent straight from a cloud server, not through a mail "
                         f"service, and the name says nothing of the sender. Receivers treat such names much as "
                         f"they treat home connections, and many junk or reject the mail. What to fix: send through "
                         f"the domain's mail provider or an email service; or give the server a name of the "
                         f"sender's own: {how}, an A record of that name pointing back to {ip}, and that name as "
                         "its HELO."),
            reference="https://www.rfc-editor.org/rfc/rfc1912#section-2.1", subject=f"hop {number}"))
    return out


def _submission_only(work: list[_Work], boundary_index: int) -> Finding | None:
    """An info finding when the copy ends at an authenticated submission from outside: the last
    hop, the trust boundary, records a client's login (RFC 4954's AUTH, written as RFC 3848's
    ESMTPA/ESMTPSA) at another organisation's server, and nothing after it. That is the sender's
    copy (a Sent folder, a copy the sending host kept, the copy a bounce returns): the message was
    handed to the sender's provider, and the hand-over where a receiving server would judge it is
    not in the copy. The stamp is the last one, which the tool reads as written by the receiving
    side (here, the provider that took the login): a message a recipient received carries its
    receiver's stamp above the sender's, so a sender cannot end a delivered copy this way. The
    caller leaves out a message that records a delivery (Delivered-To and the like)."""
    if boundary_index != len(work) - 1:
        return None
    entry = work[boundary_index]
    if entry.role is not Role.MSA or not entry.fields.auth or entry.org is None or entry.private:
        return None
    number = boundary_index + 1
    by = str(entry.fields.by or entry.org)[:120]
    client = str(entry.fields.from_ip or entry.fields.from_helo or "a client it does not record")[:60]
    if entry.fields.from_ip and (entry.fields.from_rdns or entry.fields.from_helo):
        client += f" ({str(entry.fields.from_rdns or entry.fields.from_helo)[:120]})"
    return Finding(
        id="hops.submission_only", severity=Severity.INFO,
        title=f"A sent copy: it ends where {entry.org} took the message on a login (hop {number})",
        explanation=(f"The last hop, hop {number}, records that {by} took the message from {client} after a login "
                     f"({address_safe_shortened(str(entry.fields.auth), 120)}): a submission, where a program or a server hands a message "
                     f"to its mail provider under an account (RFC 6409 section 4.3, RFC 4954), which the login "
                     f"authorised. No hop after it shows {entry.org} sending the message on, or a receiving server "
                     "accepting it: this is the sender's copy (a Sent folder, a copy the sending host kept, the copy "
                     "a bounce returns), not one a recipient received. SPF and DMARC are what a receiving server "
                     f"checks when {entry.org}'s outbound server hands the message over (RFC 7208 section 2.4, RFC "
                     "7489 section 6.6): that hand-over is not in this copy, so they cannot be judged from it, and "
                     f"the submitting client's address ({str(entry.fields.from_ip or '?')[:60]}) is no SPF "
                     "question."),
        reference="https://www.rfc-editor.org/rfc/rfc6409#section-4.3", subject=f"hop {number}",
    )


def _submission_above_relays(work: list[_Work], boundary_index: int) -> Finding | None:
    """A notice when a client's submission (MSA: ``with mapi``, ESMTPA, webmail over HTTP) is
    stamped above hops where servers relayed the message from the internet, with no mailbox
    delivery between them.

    A submission is where a message starts its journey (RFC 6409 section 3, RFC 5598 section
    4.3.1), and trace fields are only ever prepended (RFC 5321 section 4.4): the stamps below it
    belong to an earlier journey. That is a message sent again as it was (a user redirecting or
    re-sending a received message, a forward through an authenticated relay: RFC 5322 section
    3.6.6's resending), or Received fields stacked from another message or made up, as a replayed
    signed message carries. Only relays that took the message from a public address count (a
    printer or an application handing mail to its own network's server is where mail starts), and
    a visible delivery into a mailbox below the submission already explains a new journey."""
    for k in range(len(work) - 1, 0, -1):
        if work[k].role is not Role.MSA:
            continue
        relays = [j for j in range(k) if work[j].role is Role.MTA and _is_public_ip(work[j].fields.from_ip)]
        # A delivery between them (LMTP or local delivery, which a later hop's client turns into a
        # "filter" hop in _correct_roles_by_position, or Exchange's Mailbox Transport): the
        # message reached a mailbox and someone sent it on, which the wait there already tells.
        if not relays or any(work[j].role is Role.MDA or _is_local_delivery(work[j].fields, work[j].header.value)
                             or _mailbox_transport(work[j].fields) for j in range(relays[-1], k)):
            return None
        fields = work[k].fields
        how = address_safe_shortened(fields.protocol or fields.auth or "a login", 40)
        listed = ", ".join(str(j + 1) for j in relays[-5:])
        claim = (" Both are below the trust boundary: the sender's claim." if k < boundary_index else "")
        return Finding(
            id="hops.submission_above_relay", severity=Severity.NOTICE,
            title=f"Hop {k + 1} is a client's submission ({how}) above relayed hops: resent or stacked",
            explanation=(f"Hop {k + 1} records a client submitting the message ({how}, by "
                         f"{str(fields.by or 'an unnamed server')[:120]}), where a message starts its journey, "
                         f"but hop{'s' if len(relays) > 1 else ''} {listed} below it show{'' if len(relays) > 1 else 's'} "
                         "servers relaying it from the internet before, with no delivery into a mailbox between: "
                         "the lower stamps are an earlier journey's. Either the message was sent again as it was "
                         "(a user redirecting or re-sending a message they received, a forward through an "
                         "authenticated relay), or Received fields were stacked from another message or made up "
                         "(a replayed signed message carries the stamps of its first journey). The hops below "
                         f"hop {k + 1} say where an earlier copy went, not how this one reached the recipient."
                         + claim),
            reference="https://www.rfc-editor.org/rfc/rfc6409#section-3", subject=f"hop {k + 1}",
        )
    return None


# The domain of a msg-id (RFC 5322 section 3.6.4: "<" id-left "@" id-right ">"), bounded.
_message_id_domain_re = compiled_on_first_use(r"<[^<>@\s]{1,256}@([A-Za-z0-9_.-]{1,253})>")


def _receiver_message_id(work: list[_Work], boundary_index: int, orgs: _Orgs, message_id: str,
                         author_domain: str | None) -> Finding | None:
    """An info finding when the Message-ID names a host of the receiving side: the sender sent
    none, and a receiving server added one (RFC 5322 section 3.6.4 says a message SHOULD carry
    it; Exchange Online Protection, sendmail and Postfix with always_add_missing_headers write
    one under their own host name).

    Only for mail from outside, with the host named by a hop the receiving side wrote (a
    receiving server, or a client of a hop above the boundary: the receiver's internal
    hand-overs) and by no hop below the boundary, and a From: domain not of the receiving
    organisation: a sender inside it (its own mailbox server names its IDs) is not judged."""
    m = _message_id_domain_re().search(message_id[:1000])
    host = normalize_domain(m.group(1)) if m else None
    if host is None or "." not in host:
        return None
    receiver_org = orgs.find(work[-1].org)
    if receiver_org is None or (author_domain and orgs.same(host_organization(author_domain), receiver_org)):
        return None
    # The receiving side's hops first: most Message-IDs name the sender's domain, which no
    # receiving host is, and then the sender's hops need not be read.
    where = None
    for i in range(boundary_index, len(work)):
        fields = work[i].fields
        names = [fields.by, *(_client_names(fields) if i > boundary_index else ())]
        if host in {normalize_domain(name) for name in names}:
            where = i
            break
    if where is None:
        return None
    sender_side = {normalize_domain(name) for item in work[:boundary_index]
                   for name in (item.fields.by, *_client_names(item.fields))}
    if host in sender_side:
        return None
    written = m.group(1) if m else host
    return Finding(
        id="hops.message_id_by_receiver", severity=Severity.INFO,
        title=f"The Message-ID was written by the receiving side ({written[:100]}): the sender sent none",
        explanation=(f"The Message-ID names {written[:200]}, a server of the receiving side (hop {where + 1}), not the "
                     "sender's: the message arrived without one, and a receiving server added it (RFC 5322 section "
                     "3.6.4 says every message SHOULD carry one; Exchange Online Protection, sendmail and Postfix "
                     "write one under their own name when it is missing). So this ID cannot be searched for in the "
                     "sender's logs; mail programs write one, while a bulk-mailing or spam tool, a script or some "
                     "servers' automatic notices (bounces) may send none."),
        reference="https://www.rfc-editor.org/rfc/rfc5322#section-3.6.4", subject="Message-ID",
    )


def _receiver_claimed_below(work: list[_Work], boundary_index: int, orgs: _Orgs) -> Finding | None:
    """A hop below the boundary in the receiving organisation's name, before a hop of another
    organisation, that no next hop shows the message leaving: the forgery aimed at rules that
    trust mail from the receiver's own servers ("by jmason.org", then an open relay, then
    jmason.org's MX). A message that really left and came back (a list, a forward) shows its
    hand-over: its next hop's client names the receiver's host, and nothing is said."""
    if boundary_index < 2:
        return None
    receivers = [org for org in (work[boundary_index].org, work[-1].org) if org]
    for i in range(boundary_index - 1):
        receiver = next((org for org in receivers if orgs.same(work[i].org, org)), None)
        if receiver is None or not work[i].fields.by:
            continue
        between = [item.org for item in work[i + 1:boundary_index] if item.org and not orgs.same(item.org, receiver)]
        if not between or _link_matches(work[i].fields.by, work[i + 1].fields, orgs) is True:
            continue
        nxt = work[i + 1].fields
        claimed = nxt.from_rdns or nxt.from_helo or nxt.from_ip or "a client it does not name"
        return Finding(
            id="hops.receiver_claimed_below", severity=Severity.NOTICE,
            title=f"Hop {i + 1} claims the receiving organisation ({receiver}) handled it before {between[0]}",
            explanation=(f"Hop {i + 1}, below the trust boundary, says "
                         + (f"{receiver}" if normalize_domain(work[i].fields.by) == receiver else
                            f"{str(work[i].fields.by)[:120]} of {receiver}")
                         + ", an organisation of the receiving side, had the message first; then "
                         f"{between[0]} did, and the next hop's client ({str(claimed)[:120]}) does not show it coming "
                         f"from {receiver}. Forgers write such a hop so that filters trusting the receiver's own servers "
                         f"let the message through; a message that left {receiver} and came back (a list, a forward) "
                         "would show the hand-over. Nothing below the boundary is evidence."),
            reference=_RFC5321_TRACE, subject=f"hop {i + 1}",
        )
    return None


def _check_link(findings: _Findings, work: list[_Work], i: int, boundary_index: int, orgs: _Orgs,
                ptr_names: Sequence[str] = (), records: Sequence[_ClientRecord] = (),
                marks: Sequence[tuple[str, str]] = ()) -> None:
    """The ``by`` host of hop i+1 should be the ``from`` host of hop i+2 (1-based)."""
    by = work[i].fields.by
    nxt = work[i + 1].fields
    crossing = i + 1 == boundary_index
    if crossing:
        _check_helo_against_address(findings, work, i, orgs, ptr_names)
    if _link_matches(by, nxt, orgs, ptr_names) is not False:
        return
    if _by_names_address(work[i].header.value, nxt.from_ip):
        return  # "by example.com (192.0.2.5)": MDaemon and Exchange write their own address too
    if work[i + 1].private and normalize_domain(nxt.by) == normalize_domain(by):
        return  # handed back over the host's own private network to the same server
    claimed = nxt.from_rdns or nxt.from_helo or nxt.from_ip or "?"
    forwarder = _forwarder_evidence(work, i, orgs, records, marks) if crossing else None
    if forwarder is not None:
        # A forwarder (an alias or forwarding service, a list's outbound relay) that adds no
        # Received for the hop it received the message on leaves exactly this gap; its own
        # Received-SPF / Authentication-Results still record that hop's client (RFC 7208
        # section 9.1, RFC 8601 section 2.7.5). Everything below the boundary stays a claim.
        org, evidence, linked = forwarder
        severity = Severity.INFO
        below = "hop 1" if i == 0 else f"hops 1–{i + 1}"
        if linked:
            # Those fields are written by hop i+2's client itself, which may be the forger: they
            # name the forwarder's story but cannot rule out a made-up lower chain that comes with
            # a matching Received-SPF (review verifyV6, N4). Only something the client cannot
            # write could (a validated ARC seal of the forwarder, RFC 8617), and ARC is checked
            # after the chain is built, so the caveat always stays here.
            why = (f"{org} may have forwarded the message without recording its own inbound hop in a Received "
                   f"header: {evidence}. If so, the missing link is that forwarder's inbound hop, not a renamed "
                   f"client. But those fields are written by hop {i + 2}'s client itself, the forwarder's own "
                   f"claim, and a forged lower chain with a matching record of its own looks the same. The "
                   f"receiving organisation took the message over at hop {i + 2}; {below} and the forwarder's "
                   "fields are below the trust boundary: claims, not evidence.")
        else:
            why = (f"{org} is a forwarder ({evidence}) that recorded no Received for its own inbound hop, and no "
                   f"field of it here names the server it took the message from. The receiving organisation took "
                   f"the message over at hop {i + 2}, from that forwarder; {below} below it are the sender's "
                   "claims, and a forged lower chain would look the same.")
    elif crossing:
        severity = Severity.INFO
        why = ("This is where the receiving organisation took the message over, and its client "
               "named itself differently from the last server the sender's headers list. That is "
               "normal when an email service sends under its customer's host names or when the last "
               "server's operator sends through an outbound relay of another name that adds no Received "
               "of its own, and it is also what a forged lower chain looks like.")
    elif work[i + 1].private and orgs.same(host_organization(nxt.by), host_organization(by)):
        # One organisation's servers handing the message on over its private network: the
        # sending server often greets with a public alias (a customer's or the service's name).
        severity = Severity.INFO
        why = (f"Both servers belong to {host_organization(by)} and the hand-over used a private address "
               f"({nxt.from_ip}), inside its own network; a server there often greets with a public alias "
               "rather than its own name.")
    elif i + 1 < boundary_index and work[i].private and _is_public_ip(nxt.from_ip):
        # An internal server (Exchange names itself by its Active Directory name) handing the
        # message out: the next server sees the organisation's public name and address.
        severity = Severity.INFO
        why = (f"Hop {i + 1} took the message on a private network, so {str(by)[:200]} is an internal server "
               "of the sender's organisation; such a server often names itself by its internal name (Exchange "
               "by its Active Directory domain), while the next server sees the organisation's public name and "
               "address, behind address translation. Both headers are the sender's claim.")
    elif normalize_domain(by) is not None and organizational_domain(normalize_domain(by) or "") == normalize_domain(by):
        # "by auristor.com": MDaemon (and hMailServer, SmarterMail) write the domain they serve,
        # not the host's name, so no client name of the next hop can match it.
        severity = Severity.INFO
        why = (f"{str(by)[:200]} is a domain, not a host's name: some servers (MDaemon, hMailServer, SmarterMail) "
               "write the domain they serve there, so the next server's name for it cannot match."
               + (" Both headers are below the trust boundary: the sender's claim." if i + 1 < boundary_index else ""))
    elif i + 1 < boundary_index:
        severity = Severity.NOTICE
        why = ("Both headers are below the trust boundary, so this is the sender's claim: made-up "
               "Received headers often fail to connect.")
    else:
        severity = Severity.NOTICE
        why = ("Both headers were written by the receiving side; a header may be missing between "
               "them, or a server names itself differently inside and outside.")
    findings.add(Finding(
        id="hops.chain_gap", severity=severity, title="Hops do not connect",
        explanation=f"Hop {i + 1} was received by {str(by)[:200]}, but the next hop says it came from "
                    f"{str(claimed)[:200]}. " + why,
        reference=_RFC5321_TRACE, subject=f"hop {i + 2}",
    ))


def _check_helo_against_address(findings: _Findings, work: list[_Work], i: int, orgs: _Orgs,
                                 ptr_names: Sequence[str]) -> None:
    """At the boundary: the client's address names the previous hop's host, its HELO another
    organisation. What the receiver vouches for (rDNS it recorded, PTR) connects the chain;
    the HELO (RFC 5321 section 4.1.1.1, the client's own claim) is what does not fit."""
    nxt = work[i + 1].fields
    by = normalize_domain(work[i].fields.by)
    helo = normalize_domain(nxt.from_helo)
    if by is None or helo is None or helo == by:
        return
    vouched = [n for n in (normalize_domain(x) for x in (nxt.from_rdns, *ptr_names)) if n]
    if by not in vouched:
        return
    helo_org, by_org = host_organization(helo), host_organization(by)
    if helo_org is None or orgs.same(helo_org, by_org):
        return
    source = "reverse DNS" if normalize_domain(nxt.from_rdns) == by else "PTR record"
    findings.add(Finding(
        id="hops.helo_mismatch", severity=Severity.NOTICE,
        title=f"Client said HELO {helo[:100]}, but its address is {by[:100]}",
        explanation=f"At the trust boundary the client introduced itself as {helo[:200]}, while the "
                    f"{source} of its address ({nxt.from_ip}) is {by[:200]}, the server the lower hops "
                    f"name: the hops connect, but the client claimed a host of {helo_org} it is not. "
                    f"Receivers score such a HELO as a forgery sign.",
        reference="https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1", subject=f"hop {i + 2}",
    ))
