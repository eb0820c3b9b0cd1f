"""Start-up: what dkimpy, pyspf and rich import for paths headerscope rarely takes (dnspython's
resolver, PyNaCl, logging, email.message, pickle, pyspf's regular expressions) is imported or
compiled only when used, and the CLI's entry point freezes the analysis it imported.

_deferred puts stand-ins in their place while those packages are imported; the packages
must still work through them (dkimpy's own ed25519 verification and default logger here).
"""

from __future__ import annotations

import subprocess
import sys

from conftest import SAMPLES

REPO = SAMPLES.parent


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return out.stdout.strip()


def test_importing_dkimpy_and_pyspf_leaves_nacl_and_the_resolver_out() -> None:
    code = ("import sys\n"
            "from headerscope.auth._dkimpy_import import import_dkim\n"
            "from headerscope.auth._pyspf_import import import_pyspf\n"
            "import_dkim(); import_pyspf()\n"
            "print(sorted(m for m in ('nacl.signing', 'nacl.encoding', 'nacl.bindings', 'dns.resolver',\n"
            "                         'email.message', 'email.utils', 'socket', 'logging') if m in sys.modules))")
    assert _run(code) == "[]"


def test_pyspf_still_has_its_message_class_and_socket_through_the_stand_ins() -> None:
    code = ("import sys\n"
            "from headerscope.auth._pyspf_import import import_pyspf\n"
            "spf = import_pyspf()\n"
            "q = spf.query(i='192.0.2.1', s='a@example.com', h='mx.example.com')\n"
            "q.parse_header('Pass (test) client-ip=192.0.2.7; envelope-from=\"b@example.org\"; helo=h.example;')\n"
            "print(q.i, q.s, q.h)\n"
            "import socket\n"
            "print(spf.socket.error is socket.error is OSError, type(spf.Message()).__module__)")
    first, second = _run(code).splitlines()
    assert first == "192.0.2.7 b@example.org h.example"  # read through the real email.message
    assert second == "True email.message"


def test_dkimpy_verifies_ed25519_itself_through_the_stand_ins() -> None:
    # dkimpy's own verifier (not headerscope's) reads nacl.signing through the stand-in,
    # which imports the real module at that moment.
    code = f"""
import json, sys
from headerscope.auth._dkimpy_import import import_dkim
dkim = import_dkim()
assert 'nacl.signing' not in sys.modules
zone = json.load(open({str(SAMPLES / 'ed25519.dns.json')!r}))
def dnsfunc(name, timeout=5):
    record = zone.get(name.decode().rstrip('.'), {{}}).get('TXT')
    return ''.join(record[0]).encode() if record else None
raw = open({str(SAMPLES / 'ed25519.eml')!r}, 'rb').read()
d = dkim.DKIM(raw)
results = [d.verify(idx=i, dnsfunc=dnsfunc) for i in range(raw.count(b'DKIM-Signature:'))]
print(results, 'nacl.signing' in sys.modules, type(sys.modules['nacl'].signing).__name__)
"""
    results, loaded, bound = _run(code).rsplit(" ", 2)
    assert "True" in results, results
    assert (loaded, bound) == ("True", "module")


def test_spf_through_pyspf_still_imports_nothing_more() -> None:
    code = ("import sys, headerscope\n"
            f"headerscope.analyze(open({str(SAMPLES / 'direct.eml')!r}, 'rb').read(), "
            f"dns_snapshot={str(SAMPLES / 'direct.dns.json')!r})\n"
            "print('dns.resolver' in sys.modules, type(sys.modules['dns'].resolver).__name__)")
    assert _run(code) == "False DeferredModule"


def test_a_scan_warm_up_leaves_no_import_to_each_worker() -> None:
    # A parallel scan forks its workers after runner._warm_up(); whatever an analysis still
    # imports on first use, every worker imports again (PyNaCl with cffi, orjson: ~50 ms each).
    code = f"""
import sys
from pathlib import Path
from headerscope.scan import runner
from headerscope.scan.readers import iter_inputs
runner._warm_up(runner.ScanOptions(dns_snapshot="x"))
before = set(sys.modules)
samples = Path({str(SAMPLES)!r})
for eml in sorted(samples.glob('*.eml')):
    options = runner.ScanOptions(dns_snapshot=str(eml.with_suffix('.dns.json')), want_json=True)
    runner._init_worker(options, None)
    for index, item in enumerate(iter_inputs([str(eml)]), start=1):
        row = runner.analyze_one(index, item)
        assert row.error is None and row.report_json, row
print(sorted(set(sys.modules) - before))
"""
    assert _run(code) == "[]"


def test_importing_the_analysis_compiles_no_dataclass_method() -> None:
    # dataclasses compiles every method it writes from source at class creation (about
    # 0.2 ms each): the model uses @frozen, and private records are plain slotted classes.
    code = ("import dataclasses\n"
            "made = []\n"
            "real = dataclasses._create_fn\n"
            "def counted(name, *args, **kwargs):\n"
            "    made.append(name)\n"
            "    return real(name, *args, **kwargs)\n"
            "dataclasses._create_fn = counted\n"
            "import headerscope.cli, headerscope.api, headerscope.render.terminal, headerscope.render.json\n"
            "import headerscope.dns.snapshot, headerscope.scan.runner, headerscope.scan.readers\n"
            "print(made)")
    assert _run(code) == "[]"


def test_the_entry_point_freezes_the_imported_analysis_and_click_runs_do_not() -> None:
    # The console entry point owns its process: it imports the analysis with the cyclic
    # collector paused and freezes the result (cli._import_analysis). A program driving the
    # commands through click's runner must keep its collector as it was.
    code = f"""
import gc, sys
from click.testing import CliRunner
from headerscope import cli
sample = {str(SAMPLES / 'direct.eml')!r}
result = CliRunner().invoke(cli.cli, ['analyze', sample, '--offline', '--format', 'json'])
assert result.exit_code == 0, result.output
print(gc.get_freeze_count(), gc.isenabled())
try:
    cli.main(['analyze', sample, '--offline', '--format', 'json'])
except SystemExit as exc:
    assert not exc.code, exc.code
print(gc.get_freeze_count() > 10000, gc.isenabled(), 'headerscope.api' in sys.modules, file=sys.stderr)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.splitlines()[0] == "0 True"
    assert out.stderr.strip() == "True True True"


def test_dkimpy_default_logger_still_works_through_the_logging_stand_in() -> None:
    # dkimpy bound `logging` and `NullHandler` from the stand-in; its own default logger (for a
    # program that uses dkimpy without giving one) is the real thing, built on first use.
    code = """
import sys
from headerscope.auth._dkimpy_import import import_dkim
dkim = import_dkim()
assert 'logging' not in sys.modules
import dkim.util
logger = dkim.util.get_default_logger()
import logging
print(type(logger) is logging.Logger, [type(h).__name__ for h in logger.handlers], dkim.logging.DEBUG)
"""
    assert _run(code) == "True ['NullHandler'] 10"


def test_an_arc_check_that_fails_leaves_the_host_programs_logs_alone() -> None:
    # dkimpy logs verification errors at ERROR level; headerscope's silent logger takes them.
    code = f"""
import logging, io
stream = io.StringIO()
logging.basicConfig(stream=stream, level=logging.DEBUG)
from headerscope import analyze
from headerscope.auth import _dkimpy
calls = []
_dkimpy._LOGGER.error = lambda *args, **kwargs: calls.append(args)
_dkimpy._LOGGER.debug = lambda *args, **kwargs: calls.append(args)
raw = open({str(SAMPLES / 'mailing-list.eml')!r}, 'rb').read()
raw = raw.replace(b'ARC-Seal: i=1;', b'ARC-Seal: i=1; b=AAAA;', 1)
report = analyze(raw, dns_snapshot={str(SAMPLES / 'mailing-list.dns.json')!r})
print(report.arc.result if report.arc else None, len(calls) > 0, repr(stream.getvalue()))
"""
    result, called, logged = _run(code).split(" ", 2)
    assert result == "fail" and called == "True"
    assert logged == "''"


def test_pyspf_compiles_each_pattern_on_first_use_and_then_uses_the_real_one() -> None:
    code = """
import re
from headerscope.auth._pyspf_import import import_pyspf
compile_before = re.compile
spf = import_pyspf()
assert re.compile is compile_before
print(type(spf.RE_IP6).__name__, type(spf.RE_IP4).__name__)
q = spf.query(i='2001:db8::7', s='a@example.com', h='mx.example.com')
q.dns_txt = lambda name, *rest: [b'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all'] if name == 'example.com' else []
print(q.check())
print(type(spf.RE_IP6).__name__, type(spf.RE_IP4).__name__, spf.RE_IP6.match('2001:db8::') is not None)
"""
    before, result, after = _run(code).splitlines()
    assert before == "_LazyPattern _LazyPattern"
    assert result.startswith("('pass', 250")
    assert after == "Pattern Pattern True"


def test_rich_imported_for_a_report_leaves_pickle_out_until_a_style_needs_it() -> None:
    code = """
import sys
from headerscope.render.terminal import import_rich
import_rich()
print('pickle' in sys.modules)
from rich.style import Style
style = Style(bold=True, meta={'key': 1}) + Style(italic=True)
print(style.meta, 'pickle' in sys.modules)
"""
    assert _run(code).splitlines() == ["False", "{'key': 1} True"]


def test_a_scan_imports_the_analysis_with_the_collector_paused() -> None:
    # scan's own modules (scan.filters, scan.runner) import the analysis: imported before
    # _import_analysis paused the collector, about twenty collections ran inside that import and
    # found nothing (some 14 million instructions of every scan's start-up).
    code = f"""
import gc, sys
def inside_the_analysis_import(phase, info):
    if phase == 'start':
        frame = sys._getframe()
        while frame is not None:
            if frame.f_code.co_name == '<module>' and frame.f_code.co_filename.endswith('headerscope/api.py'):
                collections.append(info['generation'])
                return
            frame = frame.f_back
collections = []
gc.callbacks.append(inside_the_analysis_import)
from headerscope import cli
try:
    cli.main(['scan', {str(SAMPLES / 'direct.eml')!r}, '--offline', '--format', 'jsonl', '--jobs', '1'])
except SystemExit as exc:
    assert not exc.code, exc.code
print('headerscope.api' in sys.modules, collections, file=sys.stderr)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stderr.strip() == "True []"
