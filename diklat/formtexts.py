"""The texts of the Prefect UI's forms, for the gettext catalogs: extracted where they are written.

Form texts live where they belong, in English:
- a deployment's description in ``prefect.yaml``;
- a form's fields in ``schemas/params.py`` (the model's docstring, each ``Field(description=…)``, the
  title pydantic makes of each field's name).

Babel extracts them with the two functions below (see babel.cfg). ``localise_schema`` translates a
deployment's parameter schema, and ``diklat.deploy`` applies it to every deployment after
``prefect deploy``, in ``DIKLAT_LANGUAGE``.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from typing import IO, Any

import yaml

Extracted = Iterator[tuple[int, str | None, str, list[str]]]


def deployment_texts(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """Babel extractor for prefect.yaml: each deployment's description."""
    text = fileobj.read().decode("utf-8")
    for deployment in yaml.safe_load(text).get("deployments", []):
        if deployment.get("description"):
            line = next((n for n, row in enumerate(text.splitlines(), 1) if deployment["description"] in row), 0)
            yield line, None, deployment["description"], [f"deployment {deployment['name']}"]


def field_title(name: str) -> str:
    """The title pydantic gives a field without one: "cohorts_per_year" -> "Cohorts Per Year"."""
    return name.replace("_", " ").title()


def parameter_texts(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """Babel extractor for schemas/params.py: model docstrings, field descriptions and titles, *_HELP texts."""
    tree = ast.parse(fileobj.read().decode("utf-8"))
    # The frame Prefect puts around every form: its title and the flow's one parameter, "params".
    yield 1, None, "Parameters", ["form frame"]
    yield 1, None, "params", ["form frame: the flow's parameter"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(n.endswith("_HELP") for n in names) and isinstance(node.value, ast.Constant):
                yield node.lineno, None, node.value.value, []
        if isinstance(node, ast.ClassDef):
            yield node.lineno, None, node.name, ["form title (the model's name)"]
            doc = ast.get_docstring(node)
            if doc:
                yield node.lineno, None, inspect.cleandoc(doc), [f"form {node.name}"]
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    yield item.lineno, None, field_title(item.target.id), ["field title"]
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Field":
            for keyword in node.keywords:
                if keyword.arg == "description" and isinstance(keyword.value, ast.Constant):
                    yield node.lineno, None, keyword.value.value, ["field description"]


# Typer's own fixed help texts (typer.rich_utils), by the constant that holds each; translated with ours.
TYPER_TEXTS = {
    "DEFAULT_STRING": "[default: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
HELP_OPTION_TEXT = "Show this message and exit."  # click's --help option
COMPLETION_TEXTS = (  # typer's shell-completion options on the top command
    "Install completion for the current shell.",
    "Show completion for the current shell, to copy it or customize the installation.",
)


def cli_texts(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """Babel extractor for diklat/cli/*.py: what ``--help`` shows (command docstrings, ``help=`` of every
    option, argument and command group, ``*_HELP`` constants), plus the ``_()``/``N_()`` calls of the file."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    tree = ast.parse(source.decode("utf-8"))
    yield 1, None, HELP_OPTION_TEXT, ["click's --help option"]
    for text in (*TYPER_TEXTS.values(), *COMPLETION_TEXTS):
        yield 1, None, text, ["typer's help layout"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if any(isinstance(t, ast.Name) and t.id.endswith("_HELP") for t in node.targets):
                yield node.lineno, None, node.value.value, ["command-line help"]
        if isinstance(node, ast.FunctionDef) and any(_is_command(d) for d in node.decorator_list):
            doc = ast.get_docstring(node)
            if doc:
                yield node.lineno, None, doc, [f"command-line help: {node.name}"]
        if isinstance(node, ast.Call) and _callee(node) in {"Option", "Argument", "Typer"}:
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant):
                    yield node.lineno, None, keyword.value.value, ["command-line help"]


def _callee(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _is_command(decorator: ast.expr) -> bool:
    """``@app.command()``, ``@app.command("name")``, ``@generate_app.command(...)``."""
    return isinstance(decorator, ast.Call) and _callee(decorator) == "command"


def localise_schema(schema: Any, translate: Callable[[str], str]) -> Any:
    """The parameter schema with every title and description in the operator's language."""
    if isinstance(schema, dict):
        return {
            key: translate(value)
            if key in ("title", "description") and isinstance(value, str)
            else localise_schema(value, translate)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [localise_schema(value, translate) for value in schema]
    return schema
