"""Where mail that a program sent came from, and what its sender can fix.

Web sites, scripts and devices send mail through the local ``sendmail`` or a library, and the
programs on the way stamp the message with what made it: PHP's ``X-PHP-Originating-Script``,
cPanel's ``X-PHP-Script`` and ``X-AntiAbuse``, the library's ``X-Mailer``, cron's ``X-Cron-Env``
and ``Cron <user@host>`` subject. These are fields of the sending side (below the trust
boundary): what the message says of itself, which a forger can write too, told as claims. They
are still what an abuse desk or a hosting provider's support matches to its logs: which site,
which script, which account, and which web request made the server send it.

The same sending side often leaves DMARC nothing to pass on: a provider's default DKIM key
(Microsoft 365's ``<tenant>.onmicrosoft.com``, Google Workspace's ``….gappssmtp.com``) or the
server's own account as envelope sender. Each gets a finding saying what to change, at the
sender's end; none of them softens any other finding.
"""

from __future__ import annotations

import ipaddress
import re

from .addresses import parse_addresses
from .domains import aligned, normalize_domain, organizational_domain
from .hops import OPERATOR_ALIASES, host_organization, is_non_public_ip, originating_ip
from .message import Message
from .model import DkimSignatureResult, Finding, Hop, RecordedResult, Severity, SpfResult
from .text import compiled_on_first_use, header_ref, one_line

_MAX_FIELDS = 12
"""Fields of one name looked at: a message with more is hostile, and the first say enough."""
_MAX_VALUE = 400
"""Characters of a field read: every value this module reads fits in far fewer."""


def _shown(text: str, limit: int = 120) -> str:
    """A value of the message as the report shows it: one line, bounded."""
    text = " ".join(one_line(text[:_MAX_VALUE]).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# PHP's mail() with mail.add_x_header on writes "X-PHP-Originating-Script: UID:FILE", the uid
# the script runs as and its file name (php.ini: "Add X-PHP-Originating-Script that will include
# UID of the script followed by the filename", https://www.php.net/manual/en/mail.configuration.php;
# ext/standard/mail.c writes it as "%ld:%s"). Code run through eval() appends PHP's own note
# ("m.php(2) : eval()'d code"), as injected code does.
_php_originating_re = compiled_on_first_use(r"^\s*(\d{1,10})\s?:\s?(\S.{0,199})$")
# cPanel's PHP (EasyApache's mail headers, from the "PHP mail() header patch") writes
# "X-PHP-Script: HOST/PATH for ADDRESS": the page that ran and the address of the web client
# that requested it (REMOTE_ADDR). When the request carried an X-Forwarded-For field, its value
# comes first: "for FORWARDED, REMOTE_ADDR". So the last address is the one that connected to
# the web server; the ones before it are what a proxy in front of the site wrote, or what the
# client itself wrote (nothing stops a client sending X-Forwarded-For). No vendor page documents
# the field; its shape is read as cPanel servers write it (also on Windows:
# "X-PHP-Script: host/page.php for 192.0.2.1").
_php_script_re = compiled_on_first_use(r"^\s*(\S{1,300}?)\s+for\s+([0-9A-Fa-f.:, ]{2,200})\s*$")
# cPanel's Exim writes a block of "X-AntiAbuse: LABEL - VALUE" fields (its first line: "This
# header was added to track abuse, please include it with any abuse report"): the server's
# "Primary Hostname", the "Originator/Caller UID/GID - [uid gid] / [uid gid]" (the process that
# handed the message to Exim, then Exim's own), and the "Sender Address Domain".
_antiabuse_uid_re = compiled_on_first_use(r"\[(\d{1,10}) (\d{1,10})\]\s*/\s*\[(\d{1,10}) (\d{1,10})\]")
# cPanel's Exim names the account a message was sent with: "X-Get-Message-Sender-Via: HOST:
# authenticated_id: USER/from_h" (a hosting account's local user: the sender was taken from the
# From: header) or "... authenticated_id: user@domain" (a mailbox's login), and
# "X-Authenticated-Sender: HOST: user@domain". Other values ("mailgid no entry from
# get_recent_authed_mail_ips_entry", "none") name no account and are not read.
_sender_via_account_re = compiled_on_first_use(
    r"^\s*([^\s:]{1,253}):\s*authenticated_id:\s*([^\s/;:]{1,128})(?:/([\w.-]{1,40}))?\s*$")
_authenticated_sender_re = compiled_on_first_use(r"^\s*([^\s:]{1,253}):\s*([^\s@:;]{1,64}@[^\s@:;]{1,253})\s*$")
# Vixie cron and its descendants (cronie, Debian's cron, fcron) mail a job's output with
# "Subject: Cron <USER@HOST> COMMAND" and one "X-Cron-Env: <NAME=VALUE>" per environment
# variable (do_command.c: fprintf(mail, "Subject: Cron <%s@%s> %s\n", usernm, hostname, cmd)).
_cron_subject_re = compiled_on_first_use(r"^\s*Cron <([^<>@\s]{1,64})@([^<>@\s]{1,253})>\s*(.{0,300})$")
_cron_env_re = compiled_on_first_use(r"^\s*<(LOGNAME|USER)=([^<>\s]{1,64})>\s*$")
# Libraries and plugins that programs send mail with, as their X-Mailer / User-Agent names
# them: PHPMailer ("PHPMailer 6.6.0 (https://github.com/PHPMailer/PHPMailer)"), WP Mail SMTP
# ("WPMailSMTP/Mailer/smtp 3.3.0"), Nodemailer, Symfony's and Swift Mailer, Zend/Laminas Mail,
# PEAR Mail, .NET's System.Net.Mail (PowerShell's Send-MailMessage uses it), MailKit, Microsoft
# CDO, JavaMail, Apache Commons Email, Rails' Action Mailer, Python's smtplib, Perl's MIME::Lite
# and Mail::Sender, and "PHP/8.1.2" (scripts that name the PHP version they run on).
_library_re = compiled_on_first_use(
    r"\b(PHPMailer|WPMailSMTP|WP Mail SMTP|Nodemailer|Swift ?Mailer|Symfony Mailer|Zend_Mail|Laminas|"
    r"PEAR::?Mail|System\.Net\.Mail|Send-MailMessage|MailKit|Microsoft CDO|JavaMail|Commons Email|"
    r"ActionMailer|Action Mailer|smtplib|MIME::Lite|Mail::Sender|PHP/\d)", re.IGNORECASE)


def _ips(text: str) -> list[str]:
    """The IP addresses in a comma-separated list (anything else is dropped; the text is
    bounded by the caller's pattern)."""
    out: list[str] = []
    for word in text.split(",")[:64]:
        try:
            out.append(str(ipaddress.ip_address(word.strip())))
        except ValueError:
            continue
    return out


def site_host(message: Message) -> str | None:
    """The host name of the web site whose page sent the message, as cPanel's X-PHP-Script names
    it ("www.example.com/contact.php for 192.0.2.1")."""
    for field in message.all("X-PHP-Script")[:_MAX_FIELDS]:
        match = _php_script_re().match(field.value[:_MAX_VALUE])
        if match is not None:
            return normalize_domain(match.group(1).partition("/")[0].partition(":")[0])
    return None


def originating_client(message: Message, hops: tuple[Hop, ...]) -> Finding | None:
    """Info naming the client address X-Originating-IP gives when no hop records that address:
    web mail (Hotmail, Yahoo, Outlook on the web, Coremail, many webmail programs) writes the
    address of the browser or program that submitted the message there, and its own Received
    field names only the web server (``with HTTP``). The analyst's one pointer to where the
    author was; a field the sender's side writes, so it is said as that side's claim."""
    fields = message.all("X-Originating-IP")[:_MAX_FIELDS]
    if not fields:
        return None
    seen = {str(ip) for ip in (originating_ip(h.fields.from_ip or "") for h in hops) if ip is not None}
    invalid = None
    for field in fields:
        address = originating_ip(field.value[:_MAX_VALUE])
        if address is None:
            invalid = invalid or (field if field.value.strip() else None)
            continue
        if str(address) in seen:
            continue
        where = "a private address (the client's own network, behind a router)" if is_non_public_ip(str(address)) \
            else "a public address"
        return Finding(
            id="origin.client_ip", severity=Severity.INFO,
            title=f"X-Originating-IP names the submitting client: {address}",
            explanation=(f"X-Originating-IP gives {address}, {where}, which no Received field records. Web mail and "
                         "some submission servers write there the address of the browser or program that handed "
                         "them the message, where their own Received field names only the web server: the one "
                         "pointer to where the author was. It is the sending side's field, written before the "
                         "trust boundary: that side's claim, not the receiver's evidence."),
            reference=None, subject="X-Originating-IP")
    if invalid is not None and not any(originating_ip(f.value[:_MAX_VALUE]) is not None for f in fields):
        # "88.404.30.198" (a real phish, 2025): no server writes a number over 255 in an IPv4
        # address (RFC 791's four octets), so the field was typed by hand or damaged; said, as
        # silence would read as "nothing there".
        shown = _shown(invalid.value, 80)
        return Finding(
            id="origin.client_ip_invalid", severity=Severity.INFO,
            title=f"X-Originating-IP is not an IP address: {shown}",
            explanation=(f"X-Originating-IP ({header_ref(invalid.index)}) says {shown}, which is no IPv4 or IPv6 "
                         "address. Web mail and submission servers write the client's address there as a program "
                         "does, so this one was written by hand (by whoever made the message) or damaged on the "
                         "way. It names no client, and it is the sending side's field, below the trust boundary."),
            reference="https://www.rfc-editor.org/rfc/rfc791#section-3.2", subject="X-Originating-IP")
    return None


# qmail-queue's stamp names the uid that ran it, except for qmail's own roles: "invoked by alias"
# (qmail-local delivering through ~alias, a forward), "invoked from network" (qmail-smtpd) and
# "invoked for bounce" (qmail-send's bounce); some builds write "invoked by bounce" (qmail-queue.c,
# received()). Only "invoked by uid N" names an account.
_qmail_invoked_re = compiled_on_first_use(r"\binvoked (?:by|for|from) ", re.IGNORECASE)
_uid_re = compiled_on_first_use(r"uid \d{1,10}", re.IGNORECASE)


def _qmail_role_stamp(hop: Hop) -> bool:
    """Whether a hop is a qmail-style "invoked by/for/from" stamp whose word is one of qmail's
    roles (alias, network, bounce) rather than "uid N": no hosting account."""
    if _qmail_invoked_re().search(hop.raw[:500]) is None:
        return False
    return _uid_re().fullmatch((hop.fields.ident or "").strip()[:40]) is None


# The system users a mail server runs as, which its own messages' local hand-over names: Exim
# writes "Received: from mailnull by HOST with local (Exim ...)" above every bounce and warning it
# makes, as its exim_user (mailnull on Red Hat's builds, Debian-exim on Debian's, exim on others:
# https://www.exim.org/exim-html-current/doc/html/spec_html/ch-main_configuration.html, exim_user).
# No hosting account handed such a message over: the server wrote it itself.
_MAIL_SERVER_USERS = frozenset({"mailnull", "debian-exim", "exim", "mailer-daemon"})


def _sending_accounts(message: Message, first_hop: Hop | None) -> list[tuple[str, str]]:
    """(account, what names it) for the hosting account the sending host says handed the message
    to its mail server: the lowest Received when it is a program's local hand-over there (no
    client address: Exim's "from USER ... with local", the DragonFly Mail Agent's "from USER (uid
    N)", Postfix's "(Postfix, from userid N)", qmail's "invoked by uid N", which the parser keeps
    as the stamp's local user), and cPanel's X-Get-Message-Sender-Via / X-Authenticated-Sender.
    A client's greeting (HELO) names no account and is never read as one, nor is the mail
    server's own user (_MAIL_SERVER_USERS)."""
    found: list[tuple[str, str]] = []
    if first_hop is not None and first_hop.fields.ident \
            and first_hop.fields.ident.strip().lower() not in _MAIL_SERVER_USERS and not first_hop.fields.from_ip \
            and not first_hop.fields.from_helo and not first_hop.fields.from_rdns and not first_hop.note \
            and not _qmail_role_stamp(first_hop):
        ident = _shown(first_hop.fields.ident, 100)
        on = f" on {_shown(first_hop.fields.by, 120)}" if first_hop.fields.by else ""
        found.append((ident, f"hop 1's Received ({header_ref(first_hop.header_index)}), the local hand-over{on}, "
                             f"names {ident}"))
    # Hosts whose X-Get-Message-Sender-Via says "USER/from_h": a local hosting account's hand-over,
    # no login; their X-Authenticated-Sender then names the address taken from From: (V57c D-1).
    from_header_hosts: dict[str, str] = {}
    for field in message.all("X-Get-Message-Sender-Via")[:3]:
        match = _sender_via_account_re().match(field.value[:_MAX_VALUE])
        if match is not None:
            account = _shown(match.group(2), 100)
            if account.strip().lower() in _MAIL_SERVER_USERS:
                continue  # cPanel's Exim names its own user for the bounces it writes
            from_h = (match.group(3) or "").lower() == "from_h"
            if from_h:
                from_header_hosts[match.group(1).lower()] = account
            found.append((account, f"cPanel's X-Get-Message-Sender-Via ({header_ref(field.index)}) says "
                                   f"{_shown(match.group(1), 120)} took it from the account {account}"
                                   + (" (from_h: a local hand-over by that hosting account, no login; the sender "
                                      "address was taken from the From: header)" if from_h else "")))
    from_address = _from_address(message) if from_header_hosts else None
    for field in message.all("X-Authenticated-Sender")[:3]:
        match = _authenticated_sender_re().match(field.value[:_MAX_VALUE])
        if match is None:
            continue
        account = _shown(match.group(2), 100)
        if account.strip().lower() in _MAIL_SERVER_USERS:
            continue  # cPanel's Exim names its own user for the bounces it writes
        host = _shown(match.group(1), 120)
        user = from_header_hosts.get(match.group(1).lower())
        if user is None:
            found.append((account, f"X-Authenticated-Sender ({header_ref(field.index)}) says {host} took it from "
                                   f"the login {account}"))
        else:
            # Not a login: cPanel copies the From: address here for a from_h hand-over, so it is
            # no account to act on (the hosting account is), and no mailbox that logged in.
            what = ("repeats the From: address" if from_address == match.group(2).lower()
                    else "names the sender address")
            found.append((user, f"X-Authenticated-Sender ({header_ref(field.index)}) {what} {account}, no login: "
                                f"{host}'s from_h took it from the From: header, and the hosting account {user} "
                                "sent the message"))
    return found[:4]


def _from_address(message: Message) -> str | None:
    """The From: header's one address, lower case, or None."""
    value = message.first("From")
    if value is None:
        return None
    addresses = [word.strip("<>,;\"'") for word in value[:_MAX_VALUE].split() if "@" in word]
    return addresses[0].lower() if len(addresses) == 1 else None


# Exchange Online's cross-tenant stamps of the sending tenant: "TenantId=GUID;Ip=[ADDRESS];Helo=[NAME]"
# (the client that handed the message to that tenant), the tenant's Network-Message-Id (the key its
# message trace is searched by) and OriginalArrivalTime (when the tenant accepted the message).
_tenant_connecting_re = compiled_on_first_use(
    r"TenantId=([0-9A-Fa-f-]{36});\s*Ip=\[([0-9A-Fa-f.:]{2,45})\](?:;\s*Helo=\[([^\]\s;]{1,253})\])?")
_guid_re = compiled_on_first_use(r"^\s*([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\s*$")
_TENANT_PREFIX = "X-MS-Exchange-CrossTenant-"


_MAX_TENANT_STAMPS = 8  # copies of the connecting-IP field read (a sender may plant several)
_MAX_RUN = 40  # fields walked either way along a run of Exchange's X-MS-Exchange-* stamps


def _in_stamped_run(message: Message, index: int) -> bool:
    """Whether a field sits in an unbroken run of X-MS-Exchange-* fields that holds
    X-MS-Exchange-Transport-CrossTenantHeadersStamped, which Exchange Online writes beside the
    cross-tenant fields it stamped itself (the run ends with it in Exchange's own copies)."""
    headers = message.headers
    for step in (1, -1):
        at = index
        for _ in range(_MAX_RUN):
            at += step
            if not 0 <= at < len(headers):
                break
            name = headers[at].name.lower()
            if name == "x-ms-exchange-transport-crosstenantheadersstamped":
                return True
            if not name.startswith("x-ms-exchange-"):
                break
    return False


def tenant_connecting(message: Message) -> tuple[str, str, str | None, int] | None:
    """(tenant id, client address, HELO or None, field index) from Exchange Online's
    X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp, or None. When there are
    several, the copy in Exchange's own stamped run (beside X-MS-Exchange-Transport-
    CrossTenantHeadersStamped) is preferred: another copy is text someone else put there."""
    found: list[tuple[str, str, str | None, int]] = []
    for field in message.all(_TENANT_PREFIX + "OriginalAttributedTenantConnectingIp")[:_MAX_TENANT_STAMPS]:
        match = _tenant_connecting_re().search(field.value[:_MAX_VALUE])
        if match is None:
            continue
        try:
            address = str(ipaddress.ip_address(match.group(2)))
        except ValueError:
            continue
        found.append((match.group(1).lower(), address, match.group(3), field.index))
    if len(found) > 1:
        return next((f for f in found if _in_stamped_run(message, f[3])), found[0])
    return found[0] if found else None


def exchange_tenant_origin(message: Message, hops: tuple[Hop, ...]) -> Finding | None:
    """Info naming what Exchange Online's cross-tenant stamps say of where a message entered
    Microsoft 365: the client that injected it into the sending tenant (with that tenant's id and
    the client's HELO), the tenant's Network-Message-Id, which its administrator searches in
    message trace, and the time the tenant accepted it. None without those fields."""
    connecting = tenant_connecting(message)
    trace = next((m.group(1).lower() for f in message.all(_TENANT_PREFIX + "Network-Message-Id")[:2]
                  if (m := _guid_re().match(f.value[:80])) is not None), None)
    boundary = next((h for h in hops if h.boundary), None)
    received_by_exchange = boundary is not None and host_organization(boundary.fields.by) == "outlook.com"
    if connecting is None and (trace is None or received_by_exchange):
        # Delivered by Exchange Online, these fields may be the receiving tenant's own: only the
        # connecting-IP stamp is named for the sending ("original attributed") tenant.
        return None
    arrival = _shown((message.first(_TENANT_PREFIX + "OriginalArrivalTime") or "").replace("(UTC)", ""), 60)
    facts: list[str] = []
    title: str
    same: list[Hop] = []
    if connecting is not None:
        tenant, address, helo, index = connecting
        helo_words = f" (HELO {_shown(helo, 120)})" if helo else ""
        same = [h for h in hops if h.fields.from_ip == address and host_organization(h.fields.by) == "outlook.com"]
        if same:
            title = f"Sent into Microsoft 365 tenant {tenant} from {address}{helo_words}, per Exchange Online's stamp"
        else:
            # Review V17 N5: the fields are text below the boundary that any sender can write, and
            # mail that never touched Microsoft can carry them. Without an Exchange Online Received
            # recording the same client, the title (all a scan or a JSON consumer reads) must not
            # name an origin as Exchange's word: it is kept as a claim rather than dropped, since
            # planted Microsoft stamps are themselves worth seeing, and a header pasted without
            # its Received fields still gives the tenant and the trace key.
            # The qualifier first: a long HELO is what the 200-character cut then takes off.
            title = ("Claim in X-MS-Exchange-CrossTenant fields (no Exchange Online hop here records it): sent into "
                     f"Microsoft 365 tenant {tenant} from {address}{helo_words}")
        facts.append(f"X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp ({header_ref(index)}) says the "
                     f"client {address}{helo_words} handed the message to Microsoft 365 tenant {tenant}"
                     + (f"; hop {same[0].number}'s Received, an Exchange Online server's, records the same client"
                        if same else "; no Received by an Exchange Online host here records that client"))
    else:
        title = f"Exchange Online's message-trace key: Network-Message-Id {trace}"
    tenant_words = "the receiving tenant's or the sending tenant's (these fields do not say which)" \
        if received_by_exchange else "the sending tenant's"
    if trace is not None:
        facts.append(f"its Network-Message-Id is {trace}, the key {tenant_words} administrator (or Microsoft, in an "
                     "abuse report) searches in message trace")
    if arrival:
        facts.append(f"OriginalArrivalTime says that tenant accepted it at {arrival} (UTC)")
    return Finding(
        id="origin.exchange_tenant", severity=Severity.INFO, title=title[:200],
        explanation=(("Exchange Online's cross-tenant fields: " if connecting is None or same
                      else "Fields in the form of Exchange Online's cross-tenant stamps: ") + "; ".join(facts) + ". The "
                     "receiving tenant's Exchange Online carries them over (X-MS-Exchange-Transport-CrossTenantHeaders"
                     "Promoted/Stamped), but Microsoft documents no removal of look-alikes from mail that enters "
                     "from outside Microsoft 365, so a sender could write these fields too: they sit below the trust "
                     "boundary, the sending side's record, which counts as far as Exchange's own Received fields "
                     "agree with it."),
        reference="https://learn.microsoft.com/exchange/monitoring/trace-an-email-message/message-trace-modern-eac",
        subject="origin")


def program_origin(message: Message, hops: tuple[Hop, ...]) -> Finding | None:
    """Info naming the program, script or job that made the message, from the fields the
    sending side wrote about it, with the address of the web request when cPanel's X-PHP-Script
    names one. None when no field names a program (a person's mail client is not told)."""
    facts: list[str] = []
    report = ""
    title: str | None = None
    first_hop = hops[0] if hops else None

    script = next((f for f in message.all("X-PHP-Script")[:_MAX_FIELDS]
                   if _php_script_re().match(f.value[:_MAX_VALUE])), None)
    if script is not None:
        match = _php_script_re().match(script.value[:_MAX_VALUE])
        assert match is not None
        page, clients = _shown(match.group(1), 160), _ips(match.group(2))
        if clients:
            # The last address connected to the web server; any before it are the request's
            # X-Forwarded-For, a proxy's word or the visitor's own text: told as such, never as
            # the source.
            connected, forwarded = clients[-1], clients[:-1][:3] + (["…"] if len(clients) > 4 else [])
            title = f"Sent by the web page {page}, requested from {connected}" + (
                f" (forwarded for {', '.join(forwarded)})" if forwarded else "")
            if forwarded:
                addresses = (f"and the addresses of the web request, {', '.join([*forwarded, connected])}: "
                             f"the last, {connected}, is the one that connected to the web server; "
                             f"{', '.join(forwarded)} came from the request's X-Forwarded-For field, which a proxy "
                             "in front of the site (a CDN, a web firewall) writes for the visitor it passes on, but "
                             "which the visitor can also write itself: a claim, not a fact of the connection")
            else:
                addresses = f"and the address that connected to the web server to request it, {connected}"
            facts.append(f"X-PHP-Script ({header_ref(script.index)}), which cPanel's PHP writes, names the page "
                         f"that ran, {page}, {addresses}")
            # A web request made the server send it: where a form or a page is abused, that
            # request is what the site's operator can find and stop.
            report = (f" If the message is unwanted (a contact form or a compromised page made to send mail), the "
                      f"web request in the site's log at the time it left is what to report: it came from {connected}"
                      + (", a proxy's address if the site is behind one, whose own log then tells the visitor"
                         if forwarded else "") + ".")
        else:
            title = f"Sent by the web page {page}"
            facts.append(f"X-PHP-Script ({header_ref(script.index)}), which cPanel's PHP writes, names the page that "
                         f"ran, {page}")

    php = next((f for f in message.all("X-PHP-Originating-Script")[:_MAX_FIELDS]
                if _php_originating_re().match(_shown(f.value, 240))), None)
    if php is not None:
        match = _php_originating_re().match(_shown(php.value, 240))
        assert match is not None
        uid, name = match.group(1), _shown(match.group(2), 160)
        same_uid = first_hop is not None and first_hop.fields.ident == f"userid {uid}"
        # PHP writes the uid of the script's owner (getmyuid(): "Gets PHP script owner's UID"),
        # which on shared hosting is the hosting account's.
        fact = (f"X-PHP-Originating-Script ({header_ref(php.index)}), which PHP's mail() adds (php.ini "
                f"mail.add_x_header), names the script {name}, whose file belongs to uid {uid}"
                + (" (hop 1's local hand-over names the same uid)" if same_uid else ""))
        if "eval()'d code" in name:
            fact += "; PHP notes that the mail() call ran in code passed to eval(), as injected code does"
        facts.append(fact)
        title = title or f"Sent by the PHP script {name} (uid {uid})"

    host, caller = None, None
    for field in message.all("X-AntiAbuse")[:_MAX_FIELDS]:
        label, _, value = field.value[:_MAX_VALUE].partition(" - ")
        label = label.strip().lower()
        if label == "primary hostname":
            host = _shown(value, 120)
        elif label.startswith("originator/caller"):
            uids = _antiabuse_uid_re().search(value)
            # The originator is Exim itself (the same uid as the caller) for mail that came in
            # over SMTP; another uid is a local process that ran sendmail.
            if uids is not None and uids.group(1, 2) != uids.group(3, 4):
                caller = (uids.group(1), uids.group(2), field.index)
    if caller is not None:
        facts.append(f"cPanel's X-AntiAbuse ({header_ref(caller[2])}) says a local process of uid {caller[0]} "
                     f"(gid {caller[1]}) handed the message to the mail server"
                     + (f" on {host}" if host else "") + ": the hosting account that sent it")
        title = title or f"Handed to the mail server by a local process (uid {caller[0]})"

    accounts = _sending_accounts(message, first_hop)
    if accounts:
        facts.append("the sending host's own records name the account that handed the message over: "
                     + "; ".join(text for _, text in accounts))

    cron_user, cron_host, command = None, None, None
    subject = message.first_decoded("Subject")
    cron = _cron_subject_re().match(_shown(subject, 360)) if subject and "Cron <" in subject[:40] else None
    if cron is not None:
        cron_user, cron_host, command = cron.group(1), cron.group(2), _shown(cron.group(3), 160)
    env_fields = message.all("X-Cron-Env")[:64]
    for field in env_fields:
        env = _cron_env_re().match(field.value[:200])
        if env is not None and cron_user is None:
            cron_user = env.group(2)
    if cron is not None or env_fields:
        where = f"{cron_user}@{cron_host}" if cron_host else (cron_user or "a user")
        facts.append("cron's own fields (" + " and ".join(
            (["the Subject: \"Cron <user@host> command\""] if cron is not None else [])
            + (["X-Cron-Env"] if env_fields else [])) + f") say a cron job of {where} made it, mailing its output"
            + (f": {command}" if command else ""))
        title = title or f"Sent by a cron job of {where}"

    mailer = next(((name, f) for name in ("X-Mailer", "User-Agent") for f in message.all(name)[:3]
                   if _library_re().search(f.value[:_MAX_VALUE])), None)
    if mailer is not None:
        name, field = mailer
        shown = _shown(field.value, 100)
        facts.append(f"{name} ({header_ref(field.index)}) names the library or plugin that composed it: {shown}")
        title = title or f"Composed by {shown}"

    if accounts and not (title or "").startswith("Sent by a cron job"):
        # The account is what a hosting abuse desk suspends: named in the title too (a cron job's
        # title names its user already).
        title = f"{title}; account {accounts[0][0]}" if title else \
            f"Handed to the mail server by the account {accounts[0][0]}"
    if title is None:
        return None
    return Finding(
        id="origin.program", severity=Severity.INFO, title=title[:200],
        explanation=("What the sending side's own fields say made the message: " + "; ".join(facts) + ". These "
                     "fields are written by the sending server or the program itself, below the trust boundary: "
                     "claims, which a forger can write too, and no evidence of who is authenticated. They are "
                     "what the sending server's operator can match to its logs (the site, the script, the "
                     "account, the job)." + report),
        reference="https://www.php.net/manual/en/mail.configuration.php", subject="origin")


# Gmail's servers keep the From: they replaced in X-Google-Original-From: a message submitted
# with an account's login (smtp.gmail.com, the Workspace SMTP relay) whose From: is not an
# address that account may send as (its own, or a verified "Send mail as" alias: the Gmail API's
# users.settings.sendAs, https://developers.google.com/gmail/api/reference/rest/v1/users.settings.sendAs)
# leaves Google with the account's address instead. Google documents no page on the field; its
# meaning is as those who met it describe it (gophish issue #1311, huginn pull request #1312).
# Google's domains: those of the operator table, and gappssmtp.com, its Workspace default DKIM key's.
_GOOGLE_DOMAINS = frozenset({name for name, operator in OPERATOR_ALIASES.items() if operator == "google.com"}
                            | {"gappssmtp.com"})


def from_rewritten(message: Message, hops: tuple[Hop, ...], dkim: tuple[DkimSignatureResult, ...],
                   from_address: str | None) -> Finding | None:
    """Info telling that Gmail replaced the From: address (X-Google-Original-From), what it was,
    and why Gmail does that."""
    field = next(iter(message.all("X-Google-Original-From")[:1]), None)
    if field is None or not from_address:
        return None
    written = _shown(field.value, 160)
    original = next((a.address for a in parse_addresses(field.value[:_MAX_VALUE]) if a.domain), None)
    # A mailing list that rewrote the From: afterwards (DMARC mitigation, RFC 7960 section 4.1.3)
    # keeps the one it replaced, the From: as Gmail left it, in X-Original-From.
    later = next((a.address for a in parse_addresses((message.first("X-Original-From") or "")[:_MAX_VALUE])
                  if a.domain), None)
    list_note = ""
    if later is not None and later.lower() != from_address.lower():
        from_address = later
        list_note = (" (as X-Original-From keeps it: a mailing list replaced the From: again afterwards, with "
                     "an address of its own)")
    if original is None or original.lower() == from_address.lower():
        return None  # nothing was replaced (or nothing readable)
    google = any(host_organization(h.fields.by) in _GOOGLE_DOMAINS for h in hops) or any(
        organizational_domain(s.domain or "") in _GOOGLE_DOMAINS for s in dkim)
    # Gmail writes the account itself in Sender: when the From: it put is another of the account's
    # "Send mail as" addresses (review AN 2): the login is the Sender:, and the From: that account's
    # default sending address.
    agent = next((a.address for a in parse_addresses((message.first("Sender") or "")[:_MAX_VALUE])
                  if a.domain and a.address.lower() != from_address.lower()), None)
    login = (f"{_shown(agent, 100)} (the account, which Gmail names in Sender:) is the login it used, and "
             f"{_shown(from_address, 100)} that account's default \"Send mail as\" address") if agent else \
        f"{_shown(from_address, 100)} is the login it used"
    standing = ("A Google server carried the message (its Received or DKIM signature), which fits: " if google else
                "No Received field or signature of Google is in the message, so the field is only the sending "
                "side's text: ")
    return Finding(
        id="origin.from_rewritten", severity=Severity.INFO,
        title=f"Gmail replaced the From: address; the message was written as from {_shown(original, 100)}"[:200],
        explanation=(f"X-Google-Original-From ({header_ref(field.index)}) keeps the From: the message had when it "
                     f"was submitted: {written}. {standing}Gmail writes it when a program or a server logs in to "
                     f"Gmail's SMTP service (or the Workspace relay) with an account and writes a From: that the "
                     f"account may not send as (not its own address, nor a verified \"Send mail as\" alias): Gmail "
                     f"then puts an address the account may send as, {_shown(from_address, 100)}, in the From:{list_note}. So the "
                     f"sender's program (a mail client, or a server's cron or script relaying through Gmail) wrote {_shown(original, 100)}, "
                     f"and {login}. To keep the address, add it to the "
                     "account as a verified \"Send mail as\" address; DKIM and DMARC judge the From: as it is now."),
        reference="https://developers.google.com/gmail/api/reference/rest/v1/users.settings.sendAs",
        subject="From")


# The signing domains a mail provider uses when its customer has not turned on DKIM for its own
# domain. Google Workspace: "If you don't generate your own DKIM domain key, Gmail signs all
# outgoing messages with this default DKIM domain key: d=*.gappssmtp.com"
# (https://support.google.com/a/answer/174124); its label is the customer's domain, dots as
# dashes, and a date ("example-com.20230601.gappssmtp.com"). Microsoft 365 signs a tenant's
# mail with its initial domain, <tenant>.onmicrosoft.com (selectors "selector1-…"/"selector2-…"),
# until DKIM is turned on for the custom domain
# (https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure).
_PROVIDER_DEFAULTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("gappssmtp.com", "Google Workspace", "account",
     "in the Google Admin console (Apps › Google Workspace › Gmail › Authenticate email: generate the key, "
     "publish it in DNS, then Start authentication)",
     "https://support.google.com/a/answer/174124"),
    ("onmicrosoft.com", "Microsoft 365", "tenant",
     "in the Microsoft Defender portal (Email & collaboration › Policies & rules › Threat policies › Email "
     "authentication settings › DKIM: publish the two selector CNAME records, then enable signing)",
     "https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure"),
)


def provider_default(domain: str | None) -> tuple[str, str, str] | None:
    """(provider, where to turn DKIM on, reference) when ``domain`` is a provider's default
    signing domain (a name under it, not the provider's own domain)."""
    name = normalize_domain(domain)
    if not name:
        return None
    for suffix, provider, _, where, reference in _PROVIDER_DEFAULTS:
        if name.endswith("." + suffix):
            return provider, where, reference
    return None


def _account_noun(domain: str | None) -> str:
    """What the provider calls the customer a default signing domain belongs to."""
    name = normalize_domain(domain) or ""
    return next((noun for suffix, _, noun, _, _ in _PROVIDER_DEFAULTS if name.endswith("." + suffix)), "account")


def default_key_tie(message: Message, signing_domain: str | None, from_domain: str) -> str | None:
    """What in the message ties a provider's default signing domain to the From: domain's own
    account at that provider, or None when nothing does.

    Google's label is its customer's domain with dashes; Exchange Online stamps the tenant's
    default domain in X-OriginatorOrg. Without either the signer may be anyone's account (a
    tenant relaying or forwarding another domain's mail, or a spoof sent from an unrelated
    tenant), and nothing may be said of the From: domain's own set-up."""
    if provider_default(signing_domain) is None:
        return None
    from_domain = from_domain.lower()
    label = (normalize_domain(signing_domain) or "").partition(".")[0]
    if label == from_domain.replace(".", "-"):
        return f"its first label, {label}, is {from_domain} written with dashes: that domain's Workspace account"
    originator = normalize_domain(_shown(message.first("X-OriginatorOrg") or "", 100))
    from_org = organizational_domain(from_domain) or from_domain
    if originator and (organizational_domain(originator) or originator) == from_org:
        return f"X-OriginatorOrg, Exchange Online's stamp of the tenant, names {originator}"
    return None


def default_key_tied(message: Message, dkim: tuple[DkimSignatureResult, ...], from_domains: tuple[str, ...]) -> bool:
    """Whether a provider default signature of the message is shown to be the From: domain's own
    account's (default_key_tie): only then is "turn on DKIM for the domain" the fix."""
    return len(set(from_domains)) == 1 and any(
        default_key_tie(message, s.domain, from_domains[0]) is not None for s in dkim)


def provider_default_signatures(message: Message, dkim: tuple[DkimSignatureResult, ...],
                                from_domains: tuple[str, ...], through_list: bool) -> Finding | None:
    """What to fix when every DKIM signature is a provider's default key and none is the From:
    domain's own: the organisation has not turned DKIM on for its domain at that provider. When
    nothing ties the signing account to the From: domain, only what was signed is told."""
    if len(set(from_domains)) != 1 or not dkim:
        return None
    from_domain = from_domains[0].lower()
    if provider_default(from_domain) is not None or any(aligned(s.domain, from_domain) for s in dkim if s.domain):
        return None  # the From: is the default domain itself, or the domain signs its own mail
    found = [(s, d) for s, d in ((s, provider_default(s.domain)) for s in dkim) if d is not None]
    if not found:
        return None
    # The signature whose account is shown to be the From: domain's, if any.
    ties = [(s, d, default_key_tie(message, s.domain, from_domain)) for s, d in found]
    signature, (provider, where, reference), tie = next((t for t in ties if t[2] is not None), ties[0])
    state = {"pass": "it verifies", "fail": "it does not verify now"}.get(signature.result, "it was not verified here")
    noun = _account_noun(signature.domain)
    unaligned = (f"Such a signature does not align with the From: domain, so it cannot give DMARC a pass for "
                 f"{from_domain} (RFC 7489 section 3.1)")
    if tie is None:
        # A spoof can be signed with its sender's own tenant's default key: the advice would
        # tell the owner of a domain it has nothing to do with to fix its set-up.
        label = _shown((signature.domain or "").partition(".")[0], 63)
        greeted = ""
        if provider == "Microsoft 365":
            originator = normalize_domain(_shown(message.first("X-OriginatorOrg") or "", 100))
            unshown = (f"X-OriginatorOrg, Exchange Online's stamp of the tenant, names {originator}" if originator
                       else "no X-OriginatorOrg, Exchange Online's stamp of the tenant, names it")
            connecting = tenant_connecting(message)
            helo = normalize_domain(connecting[2]) if connecting is not None and connecting[2] else None
            from_org = organizational_domain(from_domain) or from_domain
            if helo and (organizational_domain(helo) or helo) == from_org:
                # The injecting client greeted with the From: domain's name: the message does name
                # the domain beside the tenant, but only in the client's own words (any client
                # may greet with any name, RFC 5321 section 4.1.4), which show no ownership.
                greeted = (f" Only the client that handed the message to the tenant named {from_domain}'s "
                           f"organisation, greeting as {_shown(helo, 120)} (Exchange Online's "
                           "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp): a client may greet with "
                           "any name, so that shows no tie of the tenant to the domain.")
        else:
            unshown = f"the key's label, {label}, is not {from_domain} written with dashes"
        return Finding(
            id="dkim.provider_default_key", severity=Severity.INFO,
            title=f"Signed only with a {provider} {noun}'s default key ({label}), not by {from_domain}"[:200],
            explanation=(f"The DKIM signature d={_shown(signature.domain or '', 120)} ({state}) is the default key "
                         f"{provider} signs a {noun}'s mail with until DKIM is turned on for a domain of its own; no "
                         f"signature is by {from_domain}, and no stamp of the provider ties that {noun} to "
                         f"{from_domain} ({unshown}).{greeted} It may be {from_domain}'s own {noun}, or anyone else's "
                         f"sending in its name. {unaligned}. If {from_domain} is a domain of that {noun} (nothing here "
                         f"says so), its administrator can turn on DKIM signing for it {where}."),
            reference=reference, subject="dkim")
    return Finding(
        id="dkim.provider_default_key",
        severity=Severity.INFO if through_list else Severity.NOTICE,
        # A fact, not advice: the account is tied to the domain, but the sender may be a phisher whose
        # own domain it is, whom a title should not coach (review AQ 8, V17); the explanation's fix is
        # addressed to the domain's owner, conditionally.
        title=(f"Signed only with {provider}'s default key, not {from_domain}'s own: DKIM is not turned on for "
               f"{from_domain} there")[:200],
        explanation=(f"The DKIM signature d={signature.domain} ({state}; {tie}) is the one {provider} adds when the "
                     f"organisation has not turned on DKIM for its own domain; no signature is by {from_domain}. "
                     f"{unaligned}: only SPF can, and SPF no longer aligns once a mailing list "
                     f"or a forwarder resends the message. If {from_domain} is your domain, the fix is an "
                     f"administrator's setting at {provider}: turn on DKIM signing for {from_domain} {where} (the "
                     "advice is for the domain's owner, whoever sent this message). The field is the signer's "
                     "claim, not checked evidence of who sent the message."),
        reference=reference, subject="dkim")


# Accounts a program runs as on a Unix server, whose name a script's mail gets as its envelope
# sender when nothing sets one: the web server's (Apache's "apache"/"www-data"/"wwwrun"/"_www",
# nginx, lighttpd, PHP-FPM), the superuser, "nobody" (suEXEC-less PHP on cPanel, per its PHP
# handlers documentation https://docs.cpanel.net/ea4/php/php-handlers/), and "daemon".
_SYSTEM_ACCOUNTS = frozenset({"apache", "apache2", "www-data", "www", "wwwrun", "_www", "httpd", "nginx",
                              "lighttpd", "php-fpm", "nobody", "root", "daemon"})
_SPF_NOT_PASSING = frozenset({"none", "fail", "softfail", "neutral", "permerror"})


def host_envelope_sender(message: Message, hops: tuple[Hop, ...], from_domains: tuple[str, ...],
                         dkim: tuple[DkimSignatureResult, ...], spf: SpfResult | None,
                         recorded: tuple[RecordedResult, ...], dmarc_result: str | None,
                         through_list: bool, reported_signed: str | None = None) -> Finding | None:
    """What to fix when the message left its first server with that server's own account as
    envelope sender (a script's mail through the local sendmail) and carries no DKIM signature
    of the From: domain, so DMARC could not pass for it as sent. ``reported_signed``: for a copy
    a feedback report carries, the report's words on who signed it (recorded.reported_signatures)."""
    if len(set(from_domains)) != 1 or not hops or dmarc_result == "pass":
        return None
    if any(s.aligned for s in dkim):
        return None  # an aligned signature can pass DMARC whatever the envelope
    from_domain = from_domains[0].lower()
    from_org = organizational_domain(from_domain) or from_domain
    first = hops[0]
    origin_host = normalize_domain(first.fields.by)
    if first.fields.from_ip or not origin_host:
        return None  # hop 1 is no local hand-over (a program on the server itself): not this case
    # The server must be the From: domain's own, or host its site (cPanel's X-PHP-Script names the
    # site whose page sent the message): otherwise the message is someone else's mail in that
    # domain's name (a spoof from a rented server), where there is nothing for the domain to fix.
    site = site_host(message)
    ours = [name for name in (origin_host, site) if name and organizational_domain(name) == from_org]
    if not ours:
        return None
    candidates: list[tuple[str, str]] = []
    if first.fields.envelope_from:
        candidates.append((first.fields.envelope_from,
                           f"Hop 1's Received ({header_ref(first.header_index)}) records the envelope sender"))
    boundary = next((i for i, hop in enumerate(hops) if hop.boundary), None)
    # The envelope SPF judged is the one the first server sent with only when every hop before the
    # boundary is that server's organisation's (no list or forwarder resent it), and not the null
    # sender (a bounce; SPF then checks postmaster@HELO, RFC 7208 section 2.4).
    if spf is not None and spf.mail_from and boundary is not None and not through_list \
            and all(host_organization(h.fields.by) == host_organization(origin_host) for h in hops[:boundary]) \
            and not (spf.helo and spf.mail_from.lower() == f"postmaster@{spf.helo}".lower()):
        candidates.append((spf.mail_from, "The envelope sender SPF judged at the boundary is"))
    for address, source in candidates:
        local, _, domain = address[:320].rpartition("@")
        domain = normalize_domain(domain) or ""
        if not local or not domain or domain == from_domain:
            continue
        if origin_host and domain == origin_host:
            why = f"its domain is the host name of the server it left from ({origin_host}, hop 1's \"by\")"
        elif local.lower() in _SYSTEM_ACCOUNTS:
            why = f"{local} is a system account of the server (the web server's or the superuser's), not a mailbox"
        elif first.fields.ident and local == first.fields.ident and first.fields.protocol \
                and first.fields.protocol.lower() == "local":
            why = f"{local} is the local account hop 1 says handed the message over (a hosting account's user name)"
        else:
            continue
        if aligned(domain, from_domain):
            spf_result = _spf_result_for(domain, spf, recorded)
            if spf_result is None:
                continue  # SPF could pass aligned: nothing to say
            spf_state = (f"; {domain} is in {from_org}'s organisation, but SPF for it was {spf_result[0]} "
                         f"({spf_result[1]})")
        else:
            spf_state = f"; {domain} is not in {from_org}'s organisation, so whatever its SPF says it cannot align"
        signed = (f"its DKIM signatures are by {', '.join(dict.fromkeys(s.domain for s in dkim if s.domain))}, "
                  f"none of {from_domain}" if dkim else
                  f"this copy carries no DKIM signature ({reported_signed})" if reported_signed else
                  "it carries no DKIM signature")
        return Finding(
            id="dmarc.host_envelope_sender", severity=Severity.INFO if through_list else Severity.NOTICE,
            title=f"Sent with the server's own account {_shown(address, 100)} as envelope sender: DMARC for "
                  f"{from_domain} could not pass",
            explanation=(f"{source} {_shown(address, 160)}: {why}. The server is {from_domain}'s own or hosts its "
                         f"site ({', '.join(dict.fromkeys(ours))}). That is the address a program's mail gets from the "
                         "local sendmail when nothing sets the envelope sender (Return-Path). SPF checks that "
                         f"address's domain, and DMARC counts it only when it is in {from_org}'s organisation and SPF "
                         f"passes (RFC 7489 section 3.1){spf_state}; and {signed}. So DMARC for "
                         f"{from_domain} could not pass for the message as it was sent. The fix, on the sending server "
                         f"or site: set the envelope sender to an address of {from_domain} whose SPF record lists the "
                         "server (PHP mail()'s \"-f address\" parameter, PHPMailer's Sender, sendmail -f, or the "
                         f"site's SMTP plugin), and sign its mail with DKIM for {from_domain} (the hosting panel's "
                         "DKIM setting). These hops are the sending side's own record: claims, told only to "
                         "say what the sender can fix."),
            reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="dmarc")
    return None


def _spf_result_for(domain: str, spf: SpfResult | None,
                    recorded: tuple[RecordedResult, ...]) -> tuple[str, str] | None:
    """(result, where) when SPF for ``domain`` did not pass: computed now, or as the receiving
    side recorded it (trusted results only: the sender's own records are claims)."""
    if spf is not None and normalize_domain(spf.domain) == domain and spf.result in _SPF_NOT_PASSING:
        return spf.result, "evaluated now"
    for result in recorded[:64]:
        if not result.trusted or result.method != "spf" or result.result not in _SPF_NOT_PASSING:
            continue
        properties = dict(result.properties)
        identity = (properties.get("smtp.mailfrom") or properties.get("smtp.mail") or "").strip().strip("<>\"")
        if normalize_domain(identity.rpartition("@")[2]) == domain:
            return result.result, f"as {result.authserv_id or 'the receiving side'} recorded at delivery"
    return None


def program_third_party_from(message: Message, hops: tuple[Hop, ...], from_address: str | None,
                             recipients: tuple[str, ...], dmarc_result: str | None,
                             program_named: bool, boundary_hop: int | None = None,
                             chain_findings: tuple[Finding, ...] = ()) -> Finding | None:
    """What to fix when a program on a web or hosting server (a contact form, most often) wrote a
    third party's address into From: and sent the message to the site's own mailbox: DMARC judges
    From:'s domain (RFC 7489 section 3.1), whose SPF does not list the site's server and whose key
    the site does not hold, so it can never pass from there, whatever the site sets. The evidence is
    the sending side's own (a local hand-over at hop 1, the fields that name a program: origin.program)
    and the recipients: the site's own domain (cPanel's X-PHP-Script names the site) or the sending
    host's. Words only, said as what the fields claim: the verdict does not move on them; and only
    where the hand-over is tied to the delivery: hop 1 is the boundary (delivered on that server), or
    the boundary's receiver recorded the host of hop 1 as its client by reverse DNS and the chain
    connects (no hops.chain_gap): a phish from another server that writes a local hop 1 and the
    program fields below its own is not told it is the site's form (verification V58c D-3).
    ``boundary_hop``: 1-based, as HopChain's."""
    if not program_named or not hops or not from_address or dmarc_result == "pass" or boundary_hop is None:
        return None
    first = hops[0]
    origin_host = normalize_domain(first.fields.by)
    if first.fields.from_ip or not origin_host:
        return None  # hop 1 is no program's local hand-over on the server
    if boundary_hop > 1:
        client_rdns = normalize_domain(hops[boundary_hop - 1].fields.from_rdns) if boundary_hop <= len(hops) else None
        if client_rdns != origin_host or any(f.id == "hops.chain_gap" for f in chain_findings):
            return None
    from_domain = normalize_domain(from_address.rpartition("@")[2])
    from_org = organizational_domain(from_domain) if from_domain else None
    site = site_host(message)
    own = {org for org in (organizational_domain(site) if site else None, host_organization(origin_host)) if org}
    if not from_org or from_org in own:
        return None  # the site's own (or the host's) domain in From: is dmarc.host_envelope_sender's case
    mailbox = next((r for r in recipients[:100]
                    if organizational_domain(normalize_domain(r.rpartition("@")[2]) or "") in own), None)
    if mailbox is None:
        return None
    where = site or origin_host
    return Finding(
        id="dmarc.program_third_party_from", severity=Severity.NOTICE,
        title=f"A program on {_shown(where, 100)} wrote {_shown(from_address, 100)} into From: and sent it to the "
              f"site's own {_shown(mailbox, 100)}: DMARC for {from_domain} cannot pass from there",
        explanation=(f"Hop 1 is a local hand-over on {_shown(origin_host, 120)} (a program on the server, no client), "
                     f"the fields that name a program say what made it (see origin.program), and it went to "
                     f"{_shown(mailbox, 120)}, an address of the site ({_shown(where, 120)}) itself; yet From: is "
                     f"{_shown(from_address, 120)}, of another domain. That is what a contact form does when it writes "
                     "the visitor's address into From:. DMARC judges From:'s domain (RFC 7489 section 3.1), and "
                     f"only {from_domain}'s own servers and DKIM keys can pass it: the site's server is not one and "
                     f"holds none, so DMARC for {from_domain} can never pass for mail from there, and if {from_domain} asks "
                     "for quarantine or reject, receivers file or refuse the site's own form mail. The fix, in the "
                     f"form's settings: put an address of the site's own domain in From:, and the visitor's address "
                     "in Reply-To:, so that a reply still reaches the visitor. These fields are the sending side's "
                     "own records: claims, told only to say what the site can fix."),
        reference="https://www.rfc-editor.org/rfc/rfc7489#section-3.1", subject="From")
