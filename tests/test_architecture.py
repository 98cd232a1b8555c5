"""Apps depend one way only (docs/DESIGN.md, "Apps"), and these tests keep it so.

A higher layer may import or link to any lower one; an app never imports or links
to an app of its own layer (siblings) or of a higher one. `mentorship` is the
project package, the top: no app imports it (settings are read through
`django.conf.settings`). Imports are read with `ast`, at module level and inside
functions alike; templates under templates/<app>/ belong to <app>, and a URL name
("ns:name") in an app's code or templates is a link to the app of that namespace.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Higher number = higher layer. Same number = siblings, which never import each other.
LAYERS = {
    "mentorship": 7,  # the project package: settings, urls, composed pages, health
    "community": 6,
    "support": 5,
    "escalations": 4,
    "meetings": 4,
    "matches": 3,
    "notifications": 2,
    "audit": 2,  # every app above records history here; registers its part of erasure with privacy
    "privacy": 1,  # every app above registers its exporter and eraser here
    "profiles": 0,
}


def _app_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def _imports(path):
    """(line, imported module) for every import in the file, nested ones included."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module


def _may_use(app, other):
    return other == app or LAYERS[other] < LAYERS[app]


def _existing_apps():
    return [app for app in LAYERS if (ROOT / app).is_dir()]


def test_no_app_imports_its_own_layer_or_a_higher_one():
    wrong = []
    for app in _existing_apps():
        for path in _app_files(app):
            for line, module in _imports(path):
                other = module.split(".")[0]
                if other in LAYERS and not _may_use(app, other):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "Upward or sibling imports:\n" + "\n".join(wrong)


def _namespaces():
    """URL namespace -> the app whose urls module declares it (profiles has two)."""
    found = {}
    for app in _existing_apps():
        for path in (ROOT / app).glob("*urls.py"):
            declared = re.search(r'^app_name = "(\w+)"', path.read_text(), re.M)
            if declared:
                found[declared[1]] = app
    return found


URL_TAG = re.compile(r"""\{%\s*url\s+["'](\w+):""")
INCLUDE_TAG = re.compile(r"""\{%\s*include\s+["'](\w+)/""")


def test_no_app_template_links_to_or_includes_a_higher_app():
    namespaces = _namespaces()
    wrong = []
    for app in _existing_apps():
        for path in sorted((ROOT / "templates" / app).rglob("*.html")):
            text = path.read_text()
            for tag in URL_TAG.finditer(text):
                other = namespaces.get(tag[1])
                if other and not _may_use(app, other):
                    wrong.append(f"{path.relative_to(ROOT)} links to '{tag[1]}:' ({other})")
            for tag in INCLUDE_TAG.finditer(text):
                if tag[1] in LAYERS and not _may_use(app, tag[1]):
                    wrong.append(f"{path.relative_to(ROOT)} includes a template of {tag[1]}")
    assert not wrong, "Templates that depend upward:\n" + "\n".join(wrong)


URL_NAME = re.compile(r"^(\w+):\w+$")  # "support:match_detail", as reverse() and redirect() take it


def test_no_app_code_names_a_url_of_a_higher_app():
    """reverse("ns:name") and redirect("ns:name") are links too, like {% url %} in a template."""
    namespaces = _namespaces()
    wrong = []
    for app in _existing_apps():
        for path in _app_files(app):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                name = URL_NAME.match(node.value) if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
                if name and name[1] in namespaces and not _may_use(app, namespaces[name[1]]):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} names {node.value}")
    assert not wrong, "Links to a higher app's pages:\n" + "\n".join(wrong)


def _module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _local_imports(path, app, modules):
    """The modules of `app` this file imports (relative or absolute), at any depth."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from . import notices` imports a module; `from .models import X` a module's name.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        yield from (name for name in names if name in modules and name != app)


def _cycles(graph):
    """Each circle of imports in `graph` (module -> modules it imports), found by depth-first search."""
    found, state = [], {}  # state: "open" while on the current path, "done" after

    def visit(name, trail):
        state[name] = "open"
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                found.append(" -> ".join(trail[trail.index(other):] + [other]))
            elif other not in state:
                visit(other, trail + [other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_no_import_cycles_between_the_modules_of_an_app():
    cycles = []
    for app in _existing_apps():
        files = {_module_name(path): path for path in _app_files(app)}
        cycles += _cycles({name: set(_local_imports(path, app, files)) - {name} for name, path in files.items()})
    assert not cycles, "Modules that import each other (directly or round a circle):\n" + "\n".join(cycles)
