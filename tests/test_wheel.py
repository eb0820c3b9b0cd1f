"""The wheel ships the templates: build it, install it away from the checkout, render from there.

No network in tests: the wheel is built without build isolation (hatchling from this venv) and
installed with ``--no-deps --target``; its dependencies come from this venv's site-packages,
placed after the install directory on PYTHONPATH, and Python runs outside the repository so
the checkout's templates/ cannot be picked up by accident.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import headerscope.templating as t
from report_factory import make_report
from headerscope.render.html import HtmlRenderer
from headerscope.render.markdown import MarkdownRenderer
page = HtmlRenderer().render(make_report())
print(json.dumps({"templates": str(t.templates_dir()), "module": t.__file__,
                  "html": len(page), "verdict": 'id="verdict"' in page,
                  "markdown": MarkdownRenderer().render(make_report()).splitlines()[0]}))
"""


def test_wheel_ships_and_uses_its_templates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=240)
    wheels = list(dist.glob("headerscope-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "headerscope/templates/report.html.j2" in names
    assert "headerscope/templates/_style.css.j2" in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target),
                    str(wheels[0])], check=True, capture_output=True, timeout=240)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "report_factory.py").write_text((REPO / "tests" / "report_factory.py").read_text())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), sysconfig.get_paths()["purelib"], str(outside)])
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=outside, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert Path(probe["module"]).is_relative_to(target)
    assert Path(probe["templates"]) == target / "headerscope" / "templates"
    assert probe["verdict"] and probe["html"] > 10_000
    assert probe["markdown"] == "## Message analysis: Suspicious"
