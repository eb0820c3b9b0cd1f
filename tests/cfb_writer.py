"""A minimal writer of OLE compound files (MS-CFB version 3, 512-byte sectors), for tests that
build Outlook .msg files olefile cannot write: a stream of another size, a storage where a
stream belongs, messages embedded in messages. From verification V23's builder, cleaned up.

A file is described as a dict from a path (a tuple of names) to the stream's bytes, or to None
for a storage; storages on the way to a stream are made as needed.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import olefile

Entries = dict[tuple[str, ...], bytes | None]

_FREE, _END, _FAT_SECTOR, _DIFAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFF
_SECTOR = 512
_MINI = 64
_MINI_CUTOFF = 4096
# An Outlook message's root CLSID (CLSID_MailMessage, 00020D0B-0000-0000-C000-000000000046).
MSG_CLSID = bytes.fromhex("0b0d020000000000c000000000000046")


def read_entries(path: Path) -> Entries:
    """Every stream (its bytes) and storage (None) of an OLE file, by path."""
    out: Entries = {}
    with olefile.OleFileIO(str(path)) as ole:
        for parts in ole.listdir(streams=True, storages=True):
            is_stream = ole.get_type(parts) == olefile.STGTY_STREAM
            out[tuple(parts)] = ole.openstream(parts).read() if is_stream else None
    return out


class _Node:
    def __init__(self, name: str, kind: int, data: bytes | None = None) -> None:
        self.name, self.kind, self.data = name, kind, data
        self.kids: dict[str, _Node] = {}
        self.sid = 0
        self.start = _END
        self.right = _NO_STREAM

    def sorted_kids(self) -> list[_Node]:
        # MS-CFB section 2.6.4: siblings compare by name length, then by upper-cased name.
        return sorted(self.kids.values(), key=lambda kid: (len(kid.name), kid.name.upper()))


def write_cfb(entries: Entries, root_clsid: bytes = MSG_CLSID) -> bytes:
    """The bytes of an OLE compound file holding ``entries`` (each storage's children a chain
    of right siblings: a degenerate but valid red-black tree, which readers accept)."""
    root = _Node("Root Entry", 5)
    for path in sorted(entries, key=len):
        node = root
        for part in path[:-1]:
            node = node.kids.setdefault(part, _Node(part, 1))
        data = entries[path]
        node.kids[path[-1]] = _Node(path[-1], 1) if data is None else _Node(path[-1], 2, data)
    order: list[_Node] = []

    def walk(node: _Node) -> None:
        order.append(node)
        for kid in node.sorted_kids():
            walk(kid)

    walk(root)
    for sid, node in enumerate(order):
        node.sid = sid
    for node in order:
        kids = node.sorted_kids()
        for left, right in itertools.pairwise(kids):
            left.right = right.sid
    # Streams under the cutoff go to the mini stream (64-byte sectors), the rest to sectors.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Node] = []
    for node in order:
        if node.kind != 2 or node.data is None:
            continue
        if len(node.data) >= _MINI_CUTOFF:
            big.append(node)
        elif node.data:
            node.start = len(mini) // _MINI
            count = (len(node.data) + _MINI - 1) // _MINI
            minifat += [node.start + i + 1 for i in range(count - 1)] + [_END]
            mini += node.data.ljust(count * _MINI, b"\0")
    sectors = (len(order) * 128 + _SECTOR - 1) // _SECTOR
    minifat_sectors = (len(minifat) * 4 + _SECTOR - 1) // _SECTOR
    mini_sectors = (len(mini) + _SECTOR - 1) // _SECTOR
    big_sectors = sum((len(node.data or b"") + _SECTOR - 1) // _SECTOR for node in big)
    data_sectors = sectors + minifat_sectors + mini_sectors + big_sectors
    fat_sectors, difat_sectors = 1, 0
    while True:
        need = ((data_sectors + fat_sectors + difat_sectors) * 4 + _SECTOR - 1) // _SECTOR
        difat_need = 0 if need <= 109 else (need - 109 + 126) // 127
        if (need, difat_need) == (fat_sectors, difat_sectors):
            break
        fat_sectors, difat_sectors = need, difat_need
    fat = [_FREE] * (fat_sectors * 128)
    fat_at = list(range(fat_sectors))
    difat_at = list(range(fat_sectors, fat_sectors + difat_sectors))
    for sector in fat_at:
        fat[sector] = _FAT_SECTOR
    for sector in difat_at:
        fat[sector] = _DIFAT_SECTOR
    next_sector = fat_sectors + difat_sectors

    def chain(count: int) -> int:
        nonlocal next_sector
        if count == 0:
            return _END
        start = next_sector
        for i in range(count):
            fat[next_sector] = next_sector + 1 if i < count - 1 else _END
            next_sector += 1
        return start

    directory_start = chain(sectors)
    minifat_start = chain(minifat_sectors)
    root.start = chain(mini_sectors)
    root.data = bytes(mini)
    for node in big:
        node.start = chain((len(node.data or b"") + _SECTOR - 1) // _SECTOR)
    directory = bytearray()
    for node in order:
        name = node.name.encode("utf-16-le")[:62] + b"\0\0"
        kids = node.sorted_kids()
        child = kids[0].sid if kids else _NO_STREAM
        size = len(node.data or b"") if node.kind in (2, 5) else 0
        start = node.start if node.kind in (2, 5) else 0
        directory += name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name), node.kind, 1, _NO_STREAM,
                                                         node.right, child)
        directory += (root_clsid if node.kind == 5 else b"\0" * 16) + b"\0" * 20 + struct.pack("<IQ", start, size)
    directory = directory.ljust(sectors * _SECTOR, b"\0")
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat).ljust(minifat_sectors * _SECTOR, b"\xff")
    body = bytearray(b"".join(struct.pack("<I", x) for x in fat))
    rest = fat_at[109:]
    for i, _sector in enumerate(difat_at):
        chunk = rest[i * 127:(i + 1) * 127]
        chunk += [_FREE] * (127 - len(chunk))
        following = difat_at[i + 1] if i + 1 < len(difat_at) else _END
        body += b"".join(struct.pack("<I", x) for x in chunk) + struct.pack("<I", following)
    body += directory + minifat_bytes + bytes(mini).ljust(mini_sectors * _SECTOR, b"\0")
    for node in big:
        data = node.data or b""
        body += data.ljust(((len(data) + _SECTOR - 1) // _SECTOR) * _SECTOR, b"\0")
    difat_head = fat_at[:109] + [_FREE] * (109 - min(109, fat_sectors))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<IIIIIIIII", 0, fat_sectors, directory_start, 0, _MINI_CUTOFF,
                                      minifat_start, minifat_sectors,
                                      difat_at[0] if difat_at else _END, difat_sectors)
    header += b"".join(struct.pack("<I", x) for x in difat_head)
    return header + bytes(body)
