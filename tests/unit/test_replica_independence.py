"""The replica is the crawler's oracle: it must share no code with the crawler (package `newscrawl`)."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT

REPLICA = ROOT / "tests" / "replica"


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            names |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return names


def test_scanner_sees_every_kind_of_import():
    source = "import newscrawl.site\nfrom newscrawl import urls\nimportlib.import_module('newscrawl.x')\n"
    assert imported_modules(source) == {"newscrawl.site", "newscrawl", "newscrawl.x"}


def test_no_module_of_the_replica_imports_newscrawl():
    files = sorted(REPLICA.rglob("*.py"))
    assert len(files) >= 10
    offenders = {f.name: sorted(m for m in imported_modules(f.read_text(encoding="utf-8"))
                                if m.split(".")[0] == "newscrawl")
                 for f in files}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_importing_and_running_the_replica_loads_no_newscrawl_module():
    script = (
        "import importlib, pkgutil, sys\n"
        "import tests.replica as pkg\n"
        "for m in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module('tests.replica.' + m.name)\n"
        "from tests.replica.model import SiteModel\n"
        "from tests.replica.routes import resolve\n"
        "for options in ({}, {'edition': 'ar'}, {'markup': 2, 'no_tawsiyat': True, 'unknown_template': True,\n"
        "                                      'sitemap_lastmod': 'build', 'span_days': 20}):\n"
        "    model = SiteModel(seed=2, articles=30, epoch=2, **options)\n"
        "    model.truth()\n"
        "    for path in ('/', '/sitemaps/all.xml', model.present()[0].path):\n"
        "        assert resolve(model, 2, path).status == 200\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'newscrawl'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
