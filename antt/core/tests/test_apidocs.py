"""docs/api.md lists every endpoint the schema publishes: the generated section is current."""

from __future__ import annotations

from antt.core import apidocs

SPEC = {
    "paths": {
        "/api/v1/events/{code}/sites/": {
            "get": {
                "summary": "Sites of an event",
                "parameters": [{"name": "q", "in": "query"}, {"name": "code", "in": "path"}],
                "responses": {"200": {}, "404": {}},
            },
            "post": {"summary": "Create a site", "responses": {"201": {}, "400": {}}},
        },
        "/api/v1/tokens/": {"get": {"summary": "My tokens", "responses": {"200": {}}}},
    }
}


def test_docs_api_md_is_generated_from_the_current_schema() -> None:
    current = apidocs.DOC.read_text(encoding="utf-8")
    assert apidocs.render(current, apidocs.schema()) == current, "docs/api.md is stale: run `antt apidocs`"


def test_the_generated_section_replaces_only_itself_and_lists_each_operation() -> None:
    first = apidocs.render("# API\n\nHand-written intro.\n", SPEC)
    again = apidocs.render(first.replace("Sites of an event", "stale words"), SPEC)
    assert again == first
    assert first.startswith("# API\n\nHand-written intro.\n\n" + apidocs.BEGIN)
    assert "| GET | `/api/v1/events/{code}/sites/` | Sites of an event | `q` | 200 |" in first
    assert "| POST | `/api/v1/events/{code}/sites/` | Create a site |  | 201 |" in first
    assert "### sites" in first
    assert "### tokens" in first
    assert "(3 operations)" in first
