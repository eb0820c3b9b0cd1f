"""A scripted DNS server on 127.0.0.1 (UDP and TCP) for replies dnsmasq cannot produce.

``respond(handler)`` runs a server whose ``handler(query)`` returns the reply message (or None
to stay silent); the test builds each reply with dnspython, flags and sections as it needs
(a referral, RA=0, REFUSED...). Only loopback is ever bound or answered.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import dns.message

Handler = Callable[[dns.message.Message], "dns.message.Message | None"]


def _serve_udp(sock: socket.socket, handler: Handler, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(65535)
        except TimeoutError:
            continue  # look at stop again: closing a socket does not wake a blocked recvfrom
        except OSError:
            return
        try:
            reply = handler(dns.message.from_wire(data))
        except Exception:  # noqa: BLE001 - a bad query gets no answer
            continue
        if reply is not None:
            sock.sendto(reply.to_wire(), peer)


def _serve_tcp(sock: socket.socket, handler: Handler, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            conn, _ = sock.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        with conn:
            conn.settimeout(2)
            try:
                size = struct.unpack("!H", conn.recv(2))[0]
                reply = handler(dns.message.from_wire(conn.recv(size)))
                if reply is not None:
                    wire = reply.to_wire()
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
            except Exception:  # noqa: BLE001 - a broken connection is the client's loss
                continue


@contextlib.contextmanager
def respond(handler: Handler) -> Iterator[str]:
    """Yields the ``--nameserver`` value (127.0.0.1:PORT) of a server answering with ``handler``."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(8)
    udp.settimeout(0.1)
    tcp.settimeout(0.1)
    stop = threading.Event()
    threads = [threading.Thread(target=_serve_udp, args=(udp, handler, stop), daemon=True),
               threading.Thread(target=_serve_tcp, args=(tcp, handler, stop), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop.set()
        udp.close()
        with contextlib.suppress(OSError):
            tcp.shutdown(socket.SHUT_RDWR)
        tcp.close()
        for thread in threads:
            thread.join(timeout=2)


@contextlib.contextmanager
def silent_nameserver() -> Iterator[str]:
    """A dead nameserver on loopback: its UDP socket is bound (no ICMP refusal) and never read, so
    every question to it times out. Yields "127.0.0.1:PORT"."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        yield f"127.0.0.1:{silent.getsockname()[1]}"
    finally:
        silent.close()
