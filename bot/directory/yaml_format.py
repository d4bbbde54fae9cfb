"""The directory as YAML: reading it with the line of every entry and field, and writing it.

Reading walks the composed node tree (not `safe_load`) because only nodes know their line,
and an error must say `directory.yml:42:`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.directory.duty_hours import ALWAYS, windows
from bot.directory.entries import LABELS, Directory, RawEntry, ResponderEntry, Where

_SECTIONS = {"municipalities": "municipality", "coordinators": "coordinator", "services": "service"}
_CHILDREN = {"municipality": ("schools", "school"), "school": ("staff", "staff")}
_PARENT_FIELD = {"school": "municipality", "staff": "school"}
_KEPT_FOR_PEOPLE = {"municipality": ("aliases",)}  # allowed in the file, not stored


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[RawEntry] = []
        self.errors: list[str] = []
        self._constructor = SafeConstructor()

    def where(self, node: Node) -> Where:
        return Where(self.name, node.start_mark.line + 1)

    def error(self, node: Node | None, message: str) -> None:
        where = self.where(node) if node is not None else Where(self.name, 1)
        self.errors.append(f"{where}: {message}")

    def value(self, node: Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def document(self, root: Node | None) -> None:
        sections: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in root.value if isinstance(root, MappingNode) else []:
            key = self.value(key_node)
            if key in _SECTIONS:
                sections[key] = (key_node, value_node)
            else:
                self.error(key_node, f"unknown section '{key}' (expected {', '.join(_SECTIONS)})")
        if "municipalities" not in sections:
            self.error(root, "expected a list under 'municipalities'")
        for section, entry_type in _SECTIONS.items():  # a fixed order, whatever the file's
            if section in sections:
                self.entries_of(*sections[section], entry_type, None)

    def entries_of(self, key_node: Node, node: Node, entry_type: str, parent: tuple[str, str] | None) -> None:
        if isinstance(node, ScalarNode) and self.value(node) is None and entry_type != "municipality":
            return  # an empty `staff:` or `services:`
        if not isinstance(node, SequenceNode):
            self.error(key_node, f"expected a list under '{self.value(key_node)}'")
            return
        for item in node.value:
            self.entry(item, entry_type, parent)

    def entry(self, node: Node, entry_type: str, parent: tuple[str, str] | None) -> None:
        label = LABELS[entry_type]
        if not isinstance(node, MappingNode):
            self.error(node, f"expected a {label} with fields (code: ..., name: ...)")
            return
        fields: dict[str, Any] = {}
        lines: dict[str, int] = {}
        children: tuple[Node, Node] | None = None
        child_key, child_type = _CHILDREN.get(entry_type, ("", ""))
        for key_node, value_node in node.value:
            key = str(self.value(key_node))
            if key in lines:
                self.error(key_node, f"{label} gives '{key}' twice")
                continue
            lines[key] = key_node.start_mark.line + 1
            if key == child_key:
                children = (key_node, value_node)
            elif parent and key == parent[0]:
                self.error(key_node, f"{label} has unknown field '{key}' (given by where it is nested)")
            elif key not in _KEPT_FOR_PEOPLE.get(entry_type, ()):
                fields[key] = self.value(value_node)
        if parent:
            fields[parent[0]] = parent[1]
        self.entries.append(RawEntry(entry_type, fields, self.where(node), lines))
        if children and fields.get("code") not in (None, ""):  # else its own error suffices
            self.entries_of(*children, child_type, (_PARENT_FIELD[child_type], str(fields["code"])))


def read_yaml(path: Path) -> tuple[list[RawEntry], list[str]]:
    """The entries of a directory YAML file and the problems of its structure."""
    reader = _Reader(path.name)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return [], [f"{path.name}:{mark.line + 1 if mark else 1}: not valid YAML: {error.problem}"]
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return [], [f"{path.name}:1: not valid YAML: {error}"]
    reader.document(root)
    return reader.entries, reader.errors


def _responder(entry: ResponderEntry) -> dict[str, Any]:
    document: dict[str, Any] = {"code": entry.code, "role": entry.role, "name": entry.name}
    if entry.organisation:
        document["organisation"] = entry.organisation
    if entry.municipality and entry.type != "staff":
        document["municipality"] = entry.municipality
    document.update(backup=entry.backup, language=entry.language)
    if entry.phone:
        document["phone"] = entry.phone
    if entry.telegram_chat_id:
        document["telegram_chat_id"] = entry.telegram_chat_id
    document["channels"] = list(entry.channels)
    document["on_duty"] = ALWAYS if entry.on_duty == ALWAYS else windows(entry.on_duty)
    if not entry.active:
        document["active"] = False
    document["sample"] = entry.sample
    return document


def to_document(directory: Directory) -> dict[str, Any]:
    """The YAML document of a directory (phones only where the entries carry them)."""

    def school(s: Any) -> dict[str, Any]:
        document = {"code": s.code, "name": s.name, "kind": s.kind, "sample": s.sample}
        staff = [_responder(r) for r in directory.responders if r.school == s.code]
        return {**document, "staff": staff} if staff else document

    document: dict[str, Any] = {
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "schools": [school(s) for s in directory.schools if s.municipality == m.code],
            }
            for m in directory.municipalities
        ]
    }
    for section, entry_type in (("coordinators", "coordinator"), ("services", "service")):
        entries = [_responder(r) for r in directory.responders if r.type == entry_type]
        if entries:
            document[section] = entries
    return document


class _Dumper(yaml.SafeDumper):
    """Short lists (channels, on_duty windows) on one line, as people write them."""

    def represent_list(self, data: list[Any]) -> Node:
        flow = all(isinstance(item, str) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow or None)


_Dumper.add_representer(list, _Dumper.represent_list)


def dump_yaml(directory: Directory) -> str:
    return yaml.dump(to_document(directory), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
