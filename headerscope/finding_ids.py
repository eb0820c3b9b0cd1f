"""Every id a finding can carry (``Finding.id``): what ``scan --filter reason=`` and
``--fail-on reason=`` accept, so a mistyped id is refused instead of silently matching
nothing. A test keeps this list and the code that raises findings in step: every id written in
the package is here, and every finding the corpus and the samples produce has one of these.
"""

from __future__ import annotations

FINDING_IDS = frozenset({
    "arc.body_changed_between", "arc.budget_spent", "arc.chain_failed", "arc.changed_after_set", "arc.key_unavailable", "arc.sender_sealed", "arc.signature_broken_between",
    "arc.mbox_quoting", "arc.signature_absent", "arc.temperror", "arc.unsigned_body",
    "attached.messages",
    # attachment.*: a file attached to the message (mime.read_attachments).
    "attachment.body_fragment", "attachment.legacy_charset_name", "attachment.names_disagree", "attachment.padded_name", "attachment.risky_type", "attachment.spoofed_extension", "attachment.structure_disagrees",
    # bimi.*: BIMI (auth/bimi.py, draft-brand-indicators-for-message-identification).
    "bimi.invalid_record", "bimi.not_eligible", "bimi.sender_field",
    "bulk.no_one_click", "bulk.no_unsubscribe", "bulk.one_click_incomplete", "bulk.one_click_not_usable",
    "bulk.one_click_unsigned", "bulk.unsafe_unsubscribe_uri",
    "date.duplicate_chosen", "date.missing", "date.no_zone", "date.unreadable", "date.weekday_mismatch",
    "dkim.body_changed", "dkim.budget_spent", "dkim.cut_off", "dkim.expired", "dkim.future_timestamp", "dkim.headers_changed", "dkim.key_testing",
    "dkim.domainkeys", "dkim.possible_cause", "dkim.subject_tag_only_change", "dkim.key_too_large", "dkim.provider_default_key", "dkim.key_unavailable", "dkim.malformed", "dkim.not_oversigned", "dkim.redacted", "dkim.removed", "dkim.renamed_signature", "dkim.shortened", "dkim.signed_repeatedly", "dkim.temperror", "dkim.too_many", "dkim.unsigned_body",
    "dkim.mbox_quoting", "dkim.possible_replay", "dkim.reply_to_unsigned", "dkim.unsigned_header", "dkim.weak_crypto",
    "dmarc.cannot_pass", "dmarc.fail", "dmarc.host_envelope_sender", "dmarc.program_third_party_from", "dmarc.invalid_record", "dmarc.monitoring_only", "dmarc.multiple_from", "dmarc.no_from_domain",
    "dmarc.no_record", "dmarc.nothing_aligned", "dmarc.partial_pct", "dmarc.temperror", "dmarc.testing",
    # dsn.{kind}: the delivery report's action (mime.py), or none readable.
    "dsn.delayed", "dsn.delivered", "dsn.failed", "dsn.unstructured",
    # A bounce of a message whose own header says its From: domain did not send it (mime.py).
    "dsn.backscatter",
    "envelope.address_decoy", "envelope.sender_only_authenticated", "envelope.own_domain_from_outside", "envelope.archive_address", "envelope.confusable_domain", "envelope.damaged_return_path", "envelope.earlier_delivery",
    "envelope.encoded_word_in_address",
    "envelope.from_not_an_address", "envelope.invalid_originator", "envelope.list_intake", "envelope.multiple_from", "envelope.no_from", "envelope.null_sender",
    "envelope.quarantined_copy", "envelope.redelivered_copy",
    "envelope.reply_to_free_mailbox", "envelope.reply_to_other_domain", "envelope.self_addressed",
    "envelope.srs_list_sender", "envelope.submitted_by_other_account",
    # envelope.display_name_{what}: a display name showing an address or a domain.
    "envelope.display_name_address", "envelope.display_name_domain", "envelope.display_name_lookalike", "envelope.display_name_mixed_script",
    # feedback.{type}: an ARF report's Feedback-Type (RFC 5965, RFC 6430, RFC 6591), "-" as "_".
    "feedback.abuse", "feedback.auth_failure", "feedback.fraud", "feedback.not_spam", "feedback.other",
    "feedback.virus",
    # A message in SpamCop's report layout that spamcop.net did not DKIM-sign (not read as a report).
    "feedback.spamcop_lookalike",
    # An X-ARF report with a key given twice, or a value in YAML syntax: readers disagree.
    "feedback.xarf_ambiguous",
    # A message whose header says "X-ARF: Yes" with no report part to read.
    "feedback.xarf_incomplete",
    "dns.budget_spent", "dns.not_recorded", "dns.unanswered",
    "headers.defects",
    "hops.arrival_missing", "hops.boundary_uncertain", "hops.chain_gap", "hops.clock_lag", "hops.clock_offset", "hops.cloud_default_name", "hops.clock_skew", "hops.date_implausible",
    "hops.delivery_missing", "hops.earlier_delivery", "hops.forged_looking",
    "hops.future_date", "hops.gateway_bypassed", "hops.gateway_possible", "hops.gateway_unbound", "hops.greeting_injection", "hops.helo_mismatch", "hops.helo_not_fqdn", "hops.lookalike_helo", "hops.impossible_address", "hops.inbound_gateway", "hops.private_entry", "hops.internal_only", "hops.qmail_user_unclear", "hops.message_id_by_receiver", "hops.no_reverse_dns", "hops.no_received", "hops.no_zone", "hops.tenant_handover", "hops.trusted_relay",
    "hops.greylisted", "hops.private_ip_outside", "hops.provider_submission", "hops.rdns_unconfirmed", "hops.receiver_claimed_below", "hops.renamed_trace", "hops.slow_hop", "hops.submission_above_relay", "hops.submission_only", "hops.too_many", "hops.total_unknown", "hops.weekday_mismatch", "hops.zone_mismatch",
    "hops.unparsed", "hops.wait_explained", "hops.anachronistic_field", "hops.predates_authentication",
    "input.attached", "input.reported_arrival", "input.cleaned", "input.folder", "input.junk_folder", "input.mailbox", "input.no_separator", "input.never_sent", "input.no_body", "input.no_headers", "input.not_byte_exact", "input.quoted_printable", "input.truncated",
    "mdn.receipt",
    # origin.*: what the sending side's own fields say made the message (origin.py).
    "origin.client_ip", "origin.client_ip_invalid", "origin.exchange_tenant", "origin.from_rewritten", "origin.program",
    "message.auto_reply", "message.carrier", "message.dmarc_report", "message.hidden_characters", "message.inline_forward", "message.repeated_field", "message.repeated_signature",
    "message.report_subject_only",
    "message.tls_report", "message.unsubscribe_request", "message.eai", "message.eai_downgraded",
    "message.eai_plain_smtp",
    # message.{wrapping}: S/MIME, PGP, TNEF, calendar and header protection (mime.read_structure).
    "message.calendar_invite", "message.encrypted", "message.pgp_signed", "message.protected_headers",
    "message.signed_part_wrapped", "message.smime_certs_only", "message.smime_compressed", "message.smime_signed",
    "message.tnef",
    # message.report_without_report: a multipart/report with no report-type or report part (RFC 6522).
    "message.report_without_report",
    "recorded.changed_between_hops", "recorded.compauth_fail", "recorded.disagree", "recorded.dmarc_action", "recorded.dmarc_fail", "recorded.malformed",
    "recorded.none", "recorded.preserved", "recorded.renamed", "recorded.spf_fail",
    "recorded.too_many", "recorded.untrusted_claim",
    # recorded.{label}: a comparison of recorded and recomputed results that differ (recorded.py).
    "recorded.different", "recorded.dns_drift", "recorded.key_among_several", "recorded.from_changed", "recorded.expired_since", "recorded.rules_changed", "recorded.modified_after_delivery",
    "recorded.older_rules",
    "recorded.policy_changed", "recorded.records_disagree",
    "spam.flagged", "spam.subject_tagged", "spam.virus_found",
    "spf.fail", "spf.lookup_budget", "spf.none", "spf.permerror", "spf.permissive", "spf.ptr", "spf.softfail", "spf.temperror",
})
