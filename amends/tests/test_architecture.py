"""Conventions the code must keep (STYLE.md): layers import downwards only, and interfaces
reach cases and customers only through selectors and services (the access funnels)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTERFACES = ("desk", "portal", "api")
DOMAIN = ("core", "accounts", "customers", "cases", "sla", "mail", "notify")
# Lower layers may not import higher ones.
FORBIDDEN = {
    "core": ("accounts", "customers", "cases", "sla", "mail", "notify", *INTERFACES),
    "accounts": ("customers", "cases", "sla", "mail", "notify", *INTERFACES),
    "customers": ("accounts", "cases", "sla", "mail", "notify", *INTERFACES),
    "notify": ("cases", "sla", "mail", *INTERFACES),
    # cases and sla are one layer (workflow): the lifecycle moves the clocks, the sweeper
    # closes cases; both only through each other's services.
    "sla": ("mail", *INTERFACES),
    # mail (inbound) is an adapter over the case lifecycle: it calls cases' services; nothing
    # in the workflow calls mail.
    "mail": INTERFACES,
    "cases": ("mail", *INTERFACES),
}
FUNNELLED_MODELS = re.compile(r"\b(Case|Message|Attachment|Customer|CustomerIdentity)\.objects\b")


def _python_files(app: str):
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_layers_import_downwards_only(app):
    bad = []
    for path in _python_files(app):
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "amends" and len(parts) > 1 and parts[1] in FORBIDDEN[app]:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    assert bad == []


@pytest.mark.parametrize("app", INTERFACES)
def test_interfaces_use_the_access_funnels(app):
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files(app)
        if FUNNELLED_MODELS.search(path.read_text())
    ]
    assert offenders == []
