"""Prepares the served /openapi.json for openapi-python-client.

    preprocess.py SERVED DOCUMENT GENERATOR_INPUT

Writes the served document SERVED as it is, only indented, to DOCUMENT (the
committed clients/python/openapi.json), and the generator's input to
GENERATOR_INPUT: the same document without what openapi-python-client cannot
express:

* An object schema whose `oneOf` (or `anyOf`) only says which properties are
  required (`{"oneOf": [{"required": ["title"]}, {"required": ["name"]}]}`:
  `title` or its alias `name`, one of the two). openapi-python-client reads
  an object with a `oneOf` as a union of its branches, finds no properties in
  them and gives up on the model (the request body becomes `Any`). The
  constraint is dropped, leaving both properties optional in the generated
  model; the server still enforces it (a 422 when neither or both are sent),
  and the schema's description still says so.
* Likewise an object schema's `allOf` of such rules only: required-only
  `oneOf`/`anyOf` lists and `not`s of a `required` list (a project body's
  `title`/`name` and `parent_id`/`parent_project_id`, one of each pair, or
  not both). openapi-python-client would read the `allOf` as schemas to
  merge into the model; it is dropped, the server enforces it.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _only_required(branches: Any) -> bool:
    return (
        isinstance(branches, list)
        and len(branches) > 0
        and all(isinstance(b, dict) and set(b) == {"required"} for b in branches)
    )


def _required_rule(rule: Any) -> bool:
    """Whether `rule` only says which properties are (not) sent together."""
    if not isinstance(rule, dict) or len(rule) != 1:
        return False
    ((keyword, value),) = rule.items()
    if keyword in ("oneOf", "anyOf"):
        return _only_required(value)
    return keyword == "not" and isinstance(value, dict) and set(value) == {"required"}


def drop_required_alternatives(document: dict[str, Any]) -> None:
    """Removes `oneOf`/`anyOf` lists of `required`-only branches, and `allOf`
    lists of such rules, from object schemas."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        if not isinstance(schema, dict) or schema.get("type") != "object":
            continue
        for keyword in ("oneOf", "anyOf"):
            if _only_required(schema.get(keyword)):
                del schema[keyword]
        rules = schema.get("allOf")
        if isinstance(rules, list) and rules and all(_required_rule(rule) for rule in rules):
            del schema["allOf"]


def write(document: dict[str, Any], path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")


def main() -> None:
    served, document_path, input_path = sys.argv[1:]
    with open(served, encoding="utf-8") as f:
        document = json.load(f)
    write(document, document_path)
    drop_required_alternatives(document)
    write(document, input_path)


if __name__ == "__main__":
    main()
