"""Find the report templates and hand out the one shared, hardened jinja2 Environment.

Where the templates are:
- an installed wheel ships the repository's ``templates/`` as ``headerscope/templates/``
  (pyproject.toml ``force-include``);
- a source checkout or an editable install reads ``<repo>/templates/`` directly.

Every message-derived string is hostile. The Environment therefore always autoescapes,
fails loudly on a missing variable (StrictUndefined), and its ``finalize`` hook turns
control, zero-width and bidi-override characters into visible ``⟨U+XXXX⟩`` markers so that
nothing in a header can reorder or hide text on the page (the "Trojan Source" trick).
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .render.interface import RenderError
from .text import HIDDEN_CHARACTERS, result_words

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed ``headerscope`` package directory."""

_CANDIDATES = (
    PACKAGE_DIR / "templates",  # installed wheel
    PACKAGE_DIR.parent / "templates",  # source checkout / editable install
)

# C0/C1 controls (tab and newline are kept), zero-width characters, bidi embeddings,
# overrides and isolates (Unicode TR9), the BOM and line/paragraph separators.
_INVISIBLE = re.compile(f"[{HIDDEN_CHARACTERS}]")


def templates_dir() -> Path:
    """The directory holding ``report.html.j2``: the wheel's copy first, then the checkout's."""
    for candidate in _CANDIDATES:
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise RenderError(
        "report templates not found; looked in " + ", ".join(str(c) for c in _CANDIDATES)
    )


def visible(text: str) -> str:
    """Show invisible and direction-changing characters as ``⟨U+XXXX⟩`` instead of obeying them."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def _finalize(value: Any) -> Any:
    # Applied to every {{ expression }} before autoescaping.
    if value is None:
        return "—"
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL without spaces or controls, else None.

    Only references written by our own checks ever reach an ``href``, but the scheme is still
    checked so a mistake can never produce a ``javascript:`` link.
    """
    if not url or len(url) > 2048 or _INVISIBLE.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def format_delay(seconds: float | None, approximate: bool = False) -> str:
    """A signed delay for people: ``0 s``, ``42 s``, ``3 min 4 s``, ``2 h 5 min``, ``−1 d 2 h``;
    ``approximate`` (a stamp without seconds): ``under 1 min``, ``about 3 min``."""
    if seconds is None or not math.isfinite(seconds):
        return "unknown"
    if approximate:
        minutes = round(abs(seconds) / 60)
        if minutes == 0:
            return "under 1 min"
        return "about " + format_delay(math.copysign(minutes * 60, seconds))
    sign = "−" if seconds < 0 else ""
    total = round(abs(seconds))
    if total < 60:
        text = f"{total} s"
    elif total < 3600:
        minutes, secs = divmod(total, 60)
        text = f"{minutes} min" + (f" {secs} s" if secs else "")
    elif total < 86400:
        hours, rest = divmod(total, 3600)
        text = f"{hours} h" + (f" {rest // 60} min" if rest // 60 else "")
    else:
        days, rest = divmod(total, 86400)
        text = f"{days} d" + (f" {rest // 3600} h" if rest // 3600 else "")
    return sign + text


def format_bool(value: bool | None, yes: str = "yes", no: str = "no", unknown: str = "unknown") -> str:
    """Three-valued booleans in words."""
    if value is None:
        return unknown
    return yes if value else no


_RESULT_CLASSES = frozenset({
    "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy",
    "not_checked", "bestguesspass", "hardfail",
})


def result_class(result: str | None) -> str:
    """A CSS class for an authentication result; recorded results come from the message, so
    anything outside the RFC 8601 vocabulary becomes ``other``."""
    value = (result or "none").lower()
    return "r-" + (value if value in _RESULT_CLASSES else "other")


@functools.lru_cache(maxsize=4)
def environment(directory: str | None = None) -> jinja2.Environment:
    """The shared Environment (created once per directory: loading templates is the slow part)."""
    root = Path(directory) if directory else templates_dir()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        autoescape=True,  # always, whatever the template's file name
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["delay"] = format_delay
    env.filters["yesno"] = format_bool
    env.filters["safe_url"] = safe_url
    env.filters["visible"] = visible
    env.filters["result_class"] = result_class
    env.filters["result_words"] = result_words
    env.filters["feedback_rows"] = _feedback_rows
    env.filters["dsn_said_heading"] = _dsn_said_heading
    env.filters["dsn_said_cell"] = _dsn_said_cell
    env.filters["dsn_sent_to"] = _dsn_sent_to
    env.filters["feedback_heading"] = _feedback_heading
    env.filters["feedback_intro"] = _feedback_intro
    env.filters["bulk_rows"] = _bulk_rows
    env.filters["bimi_rows"] = _bimi_rows
    env.filters["login"] = _login
    env.filters["client_user"] = _client_user
    env.filters["with_idn_forms"] = _with_idn_forms
    env.filters["idn_other_form"] = _idn_other_form
    env.filters["idn_lookalike"] = _idn_lookalike
    env.filters["one_idn_host"] = _one_idn_host
    return env


def _with_idn_forms(address: str) -> str:
    """domains.with_idn_forms, imported when a template first uses it."""
    from .domains import with_idn_forms

    return with_idn_forms(address)


def _idn_other_form(name: str | None) -> str | None:
    """domains.idn_other_form, imported when a template first uses it."""
    from .domains import idn_other_form

    return idn_other_form(name)


def _idn_lookalike(name: str | None) -> str | None:
    """domains.idn_lookalike, imported when a template first uses it."""
    from .domains import idn_lookalike

    return idn_lookalike(name)


def _one_idn_host(helo: str, rdns: str) -> bool:
    """domains.one_idn_host, imported when a template first uses it."""
    from .domains import one_idn_host

    return one_idn_host(helo, rdns)


def _client_user(ident: str | None) -> str | None:
    """The client's user in words (received.client_user_words)."""
    from .received import client_user_words

    return client_user_words(ident)


def _login(auth: str | None) -> str | None:
    """The login an authenticated submission used (received.authenticated_login)."""
    from .received import authenticated_login

    return authenticated_login(auth)


def _dsn_said_heading(recipients: Any) -> str:
    from .mime import dsn_said_heading

    return dsn_said_heading(recipients)


def _dsn_said_cell(recipient: Any, reporting_mta: str | None, heading: str) -> str | None:
    from .mime import dsn_said_cell

    return dsn_said_cell(recipient, reporting_mta, mixed=heading == "server said")


def _dsn_sent_to(recipient: Any) -> str | None:
    from .mime import dsn_sent_to

    return dsn_sent_to(recipient)


def _feedback_heading(feedback: Any) -> str:
    from .mime import feedback_heading

    return feedback_heading(feedback)


def _feedback_intro(feedback: Any, attached: bool = False) -> str:
    from .mime import feedback_intro

    return feedback_intro(feedback, attached)


def _feedback_rows(feedback: Any) -> tuple[tuple[str, str], ...]:
    from .mime import feedback_rows

    return feedback_rows(feedback)


def _bimi_rows(bimi: Any) -> tuple[tuple[str, str], ...]:
    from .auth.bimi import bimi_rows

    return bimi_rows(bimi)


def _bulk_rows(bulk: Any) -> tuple[tuple[str, str], ...]:
    from .bulk import bulk_rows

    return bulk_rows(bulk)


def get_template(name: str) -> jinja2.Template:
    """A template by file name, from the shared Environment."""
    try:
        return environment().get_template(name)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {name} not found in {templates_dir()}") from exc
