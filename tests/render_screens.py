"""Render every sample (and the hand-built factory report) to build/screens/ for a person to look at.

    .venv/bin/python tests/render_screens.py [--dark]

Writes NAME.html, NAME.md, NAME.png (1280 px wide) and NAME-phone.png (390 px) per sample.
Needs Debian's chromium; DNS comes from each sample's NAME.dns.json snapshot (no network).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from report_factory import make_report  # noqa: E402

from headerscope.api import analyze  # noqa: E402
from headerscope.dns.snapshot import SnapshotResolver  # noqa: E402
from headerscope.model import Report  # noqa: E402
from headerscope.render.html import HtmlRenderer  # noqa: E402
from headerscope.render.markdown import MarkdownRenderer  # noqa: E402

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars")


def reports() -> list[tuple[str, Report]]:
    out: list[tuple[str, Report]] = [("factory", make_report())]
    for eml in sorted(p for p in (REPO / "samples").glob("*") if p.suffix in (".eml", ".txt")):
        snapshot = eml.with_name(eml.stem + ".dns.json")
        resolver = SnapshotResolver.from_file(snapshot) if snapshot.exists() else SnapshotResolver({})
        out.append((eml.stem, analyze(eml.read_bytes(), resolver=resolver, source=eml.name)))
    return out


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    dark = ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if "--dark" in sys.argv else []
    out_dir = REPO / "build" / "screens"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, report in reports():
        page = out_dir / f"{name}.html"
        page.write_text(HtmlRenderer().render(report), encoding="utf-8")
        (out_dir / f"{name}.md").write_text(MarkdownRenderer().render(report), encoding="utf-8")
        for suffix, size in (("", "1280,4000"), ("-phone", "390,2400")):
            png = out_dir / f"{name}{suffix}{'-dark' if dark else ''}.png"
            with tempfile.TemporaryDirectory() as profile:
                subprocess.run([chromium, *FLAGS, *dark, f"--user-data-dir={profile}", f"--screenshot={png}",
                                f"--window-size={size}", page.as_uri()], capture_output=True, timeout=90, check=True)
            print(png.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
