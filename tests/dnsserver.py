"""A real DNS server on 127.0.0.1 for tests: dnsmasq serving the records of a snapshot dict.

CI installs it with the Debian package ``dnsmasq-base`` (the binary only, no system service).
Tests that need it skip with a clear reason when the binary is absent.

Besides the snapshot's records it serves two special names (and everything under them):
- ``TIMEOUT_NAME`` is forwarded to a loopback UDP socket that this helper opens and never
  reads, so a client waiting for it times out;
- ``SERVFAIL_NAME`` is forwarded to a loopback responder that answers SERVFAIL, which
  dnsmasq relays. A snapshot name whose value is ``"SERVFAIL"`` / ``"TIMEOUT"`` is routed the
  same way; every other unknown name is NXDOMAIN (``local=/#/``).

Limits (dnsmasq's, stated so a test does not trip on them): per-type error strings are not
served; a name must have at least one record for NODATA to be served; A/AAAA records also
create the matching PTR unless the snapshot gives that PTR itself; a config line holds at most
about 1000 characters (a TXT record of ~950 octets); CNAME loops are refused by dnsmasq.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rcode

TIMEOUT_NAME = "timeout.dnsserver.test"
SERVFAIL_NAME = "servfail.dnsserver.test"
_READY_NAME = "ready.dnsserver.test"
_MAX_LINE = 1000


def dnsmasq_binary() -> str | None:
    """Path of dnsmasq, also when /usr/sbin is not on PATH (non-root shells on Debian)."""
    found = shutil.which("dnsmasq")
    if found:
        return found
    for candidate in ("/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class DnsServer:
    """A running dnsmasq; ``nameserver`` is what LiveResolver / ``--nameserver`` take."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def queries(self, name: str, rdtype: str) -> int:
        """How many times clients asked dnsmasq this question (from its query log)."""
        needle = f"query[{rdtype.upper()}] {name.rstrip('.').lower()} from 127.0.0.1"
        # dnsmasq writes its log from its event loop: give it a moment to flush.
        time.sleep(0.2)
        text = self.log_path.read_text(encoding="utf-8", errors="replace").lower()
        return text.count(needle.lower())


def _quote(chunk: str) -> str:
    escaped = chunk.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def config_lines(snapshot: Mapping[str, Any], timeout_port: int, servfail_port: int) -> list[str]:
    """dnsmasq directives serving the snapshot's records (DESIGN.md format)."""
    lines = [f"server=/{TIMEOUT_NAME}/127.0.0.1#{timeout_port}",
             f"server=/{SERVFAIL_NAME}/127.0.0.1#{servfail_port}",
             f"txt-record={_READY_NAME},\"ready\""]
    for raw_name, entry in snapshot.items():
        if raw_name == "$meta":
            continue
        name = raw_name.rstrip(".").lower()
        if isinstance(entry, str):
            status = entry.upper()
            if status == "SERVFAIL":
                lines.append(f"server=/{name}/127.0.0.1#{servfail_port}")
            elif status == "TIMEOUT":
                lines.append(f"server=/{name}/127.0.0.1#{timeout_port}")
            elif status != "NXDOMAIN":
                raise ValueError(f"{name}: unknown error string {entry!r}")
            continue
        for rdtype, answers in entry.items():
            rdtype = rdtype.upper()
            if isinstance(answers, str) and answers.upper() in ("SERVFAIL", "TIMEOUT", "NXDOMAIN"):
                raise ValueError(f"{name} {rdtype}: per-type error strings cannot be served by dnsmasq")
            values = answers if isinstance(answers, list) else [answers]
            for value in values:
                lines.append(_directive(name, rdtype, value))
    too_long = [line for line in lines if len(line) > _MAX_LINE]
    if too_long:
        raise ValueError(f"record too long for a dnsmasq config line: {too_long[0][:60]}...")
    return lines


def _directive(name: str, rdtype: str, value: Any) -> str:
    if rdtype == "TXT":
        chunks = [value] if isinstance(value, str) else list(value)
        return f"txt-record={name}," + ",".join(_quote(c) for c in chunks)
    if rdtype == "MX":
        if isinstance(value, dict):
            host, pref = str(value["exchange"]), int(value.get("priority", 0))
        else:
            pref_text, host = str(value).split(None, 1)
            pref = int(pref_text)
        return f"mx-host={name},{host.rstrip('.')},{pref}"
    if rdtype in ("A", "AAAA"):
        return f"host-record={name},{value}"
    if rdtype == "PTR":
        return f"ptr-record={name},{str(value).rstrip('.')}"
    if rdtype == "CNAME":
        return f"cname={name},{str(value).rstrip('.')}"
    raise ValueError(f"{name}: type {rdtype} is not served by this helper")


def _free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now (dnsmasq binds both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port


def _answer_servfail(sock: socket.socket, stop: threading.Event) -> None:
    """The upstream for SERVFAIL names: answers every query with rcode SERVFAIL."""
    sock.settimeout(0.1)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(4096)
        except TimeoutError:
            continue
        except OSError:
            return
        try:
            query = dns.message.from_wire(data)
        except Exception:  # noqa: BLE001 - ignore garbage, keep serving
            continue
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        with contextlib.suppress(OSError):
            sock.sendto(response.to_wire(), peer)


def _ready(port: int, deadline: float) -> bool:
    query = dns.message.make_query(_READY_NAME, "TXT")
    while time.monotonic() < deadline:
        try:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    return False


@contextlib.contextmanager
def serve(snapshot: Mapping[str, Any], workdir: Path) -> Iterator[DnsServer]:
    """Start dnsmasq on 127.0.0.1 serving ``snapshot``; stop it (and the helpers) on exit."""
    binary = dnsmasq_binary()
    if binary is None:
        raise FileNotFoundError("dnsmasq not installed (Debian package dnsmasq-base)")
    blackhole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blackhole.bind(("127.0.0.1", 0))
    servfail = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    servfail.bind(("127.0.0.1", 0))
    stop = threading.Event()
    responder = threading.Thread(target=_answer_servfail, args=(servfail, stop), daemon=True)
    responder.start()
    process: subprocess.Popen[bytes] | None = None
    try:
        records = config_lines(snapshot, blackhole.getsockname()[1], servfail.getsockname()[1])
        log_path = workdir / "dnsmasq.log"
        for _attempt in range(5):
            port = _free_port()
            conf = workdir / "dnsmasq.conf"
            conf.write_text("\n".join([
                "no-resolv", "no-hosts", "no-poll", "bind-interfaces", "listen-address=127.0.0.1",
                f"port={port}", "pid-file=", "user=", "cache-size=0", "log-queries",
                f"log-facility={log_path}",
                # Every name not given below is answered NXDOMAIN here, never forwarded.
                "local=/#/",
                *records,
            ]) + "\n", encoding="utf-8")
            log_path.write_text("")
            process = subprocess.Popen([binary, "--keep-in-foreground", f"--conf-file={conf}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if _ready(port, time.monotonic() + 5):
                break
            process.kill()
            _, err = process.communicate()
            process = None
            if b"in use" not in err:
                raise RuntimeError(f"dnsmasq did not start: {err.decode(errors='replace').strip()}")
        if process is None:
            raise RuntimeError("dnsmasq did not start: no free port")
        yield DnsServer(port=port, log_path=log_path, process=process, _stop=stop)
    finally:
        stop.set()
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
        responder.join(timeout=2)
        blackhole.close()
        servfail.close()
