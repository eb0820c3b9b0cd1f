"""Forward-confirmed reverse DNS (FCrDNS) of the client IP, against snapshot DNS."""

from __future__ import annotations

from headerscope.auth.ptr import MAX_PTR_NAMES, check_reverse_dns
from headerscope.dns.offline import OfflineResolver
from headerscope.dns.snapshot import SnapshotResolver


def test_ipv4_forward_confirmed() -> None:
    dns = SnapshotResolver({"10.2.0.192.in-addr.arpa": {"PTR": ["mx.sender.test."]},
                            "mx.sender.test": {"A": ["192.0.2.9", "192.0.2.10"]}})
    result = check_reverse_dns(dns, "192.0.2.10")
    assert (result.result, result.confirmed, result.ptr_names) == ("pass", True, ("mx.sender.test",))


def test_ipv6_reverse_name_and_compressed_forms_compare_equal() -> None:
    reverse = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    dns = SnapshotResolver({reverse: {"PTR": ["v6.sender.test."]},
                            "v6.sender.test": {"AAAA": ["2001:0db8:0000:0000:0000:0000:0000:0001"]}})
    result = check_reverse_dns(dns, "[IPv6:2001:db8::1]")
    assert (result.ip, result.result, result.confirmed) == ("2001:db8::1", "pass", True)


def test_ptr_that_does_not_point_back_fails() -> None:
    dns = SnapshotResolver({"10.2.0.192.in-addr.arpa": {"PTR": ["liar.test."]},
                            "liar.test": {"A": ["198.51.100.1"]}})
    result = check_reverse_dns(dns, "192.0.2.10")
    assert (result.result, result.confirmed) == ("fail", False)
    assert "liar.test" in result.explanation


def test_no_ptr_is_none() -> None:
    result = check_reverse_dns(SnapshotResolver({}), "192.0.2.10")
    assert (result.result, result.confirmed, result.ptr_names) == ("none", False, ())


def test_servfail_and_timeout_are_temperror_naming_the_name() -> None:
    ptr_fail = check_reverse_dns(SnapshotResolver({"10.2.0.192.in-addr.arpa": "SERVFAIL"}), "192.0.2.10")
    assert ptr_fail.result == "temperror" and "10.2.0.192.in-addr.arpa" in ptr_fail.explanation
    dns = SnapshotResolver({"10.2.0.192.in-addr.arpa": {"PTR": ["slow.test."]}, "slow.test": {"A": "TIMEOUT"}})
    forward_fail = check_reverse_dns(dns, "192.0.2.10")
    assert forward_fail.result == "temperror" and "slow.test" in forward_fail.explanation


def test_offline_and_missing_ip_are_not_checked() -> None:
    offline = check_reverse_dns(OfflineResolver(), "192.0.2.10")
    assert (offline.result, offline.explanation) == ("not_checked", "not checked (offline)")
    assert check_reverse_dns(SnapshotResolver({}), None).result == "not_checked"
    assert check_reverse_dns(SnapshotResolver({}), "not-an-ip").result == "not_checked"


def test_number_of_ptr_names_checked_is_bounded() -> None:
    names = [f"h{i}.test." for i in range(50)]
    data: dict[str, object] = {"10.2.0.192.in-addr.arpa": {"PTR": names}}
    data["h40.test"] = {"A": ["192.0.2.10"]}  # the only confirming name lies beyond the limit
    asked: list[str] = []

    class Counting(SnapshotResolver):
        def resolve(self, name: str, rdtype: str):  # type: ignore[no-untyped-def]
            asked.append(name)
            return super().resolve(name, rdtype)

    result = check_reverse_dns(Counting(data), "192.0.2.10")
    assert result.result == "fail"
    assert len(asked) == 1 + MAX_PTR_NAMES
    assert "40 more PTR names not checked" in result.explanation
