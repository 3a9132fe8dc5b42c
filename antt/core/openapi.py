"""OpenAPI post-processing: document the error answers every endpoint can give.

Each API view may answer 401 (no or a bad token), 403 (the role does not allow it), 404 (missing, or not
visible to the caller) and, where it takes input, 400 (the input is not valid) — and a write may answer
409 (the state forbids it, e.g. approving a plan twice); one that reads a body answers 415 for a body that is
not JSON or a well-formed form. Those answers all share one body,
``{"detail", "code", "field"?, "errors"?}`` (see ``antt.core.api.exception_handler``). Without this hook
the schema listed only the success codes, so a client generated from it (or a schema fuzzer) took every
refusal for an undocumented answer.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Why the request was refused, in the caller's language.",
    "properties": {
        "detail": {"type": "string", "description": "What is wrong and what to do about it."},
        "code": {"type": "string", "description": "A stable machine-readable code, e.g. invalid, not_found."},
        "field": {
            "type": "string",
            "description": "The input field the message is about, where there is one.",
        },
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Per-field messages when the request body does not have the expected shape.",
        },
    },
    "required": ["detail", "code"],
}

DESCRIPTIONS = {
    "400": "The input is not valid; `detail` (and `field` or `errors`) say what to change.",
    "401": "No valid credentials: sign in, or send `Authorization: Bearer <token>`.",
    "403": "Your role in this event does not allow this.",
    "404": "Not found, or you do not have access.",
    "409": "The current state does not allow this (e.g. the plan is already approved).",
    "415": "The body is not in a documented format (JSON, or a well-formed form/multipart body).",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _codes_for(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "404"]
    takes_query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
    if method in WRITE_METHODS or takes_query:
        codes.insert(0, "400")
    if method in WRITE_METHODS:
        codes.append("409")
    if "requestBody" in operation:
        codes.append("415")
    return codes


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: Any
) -> dict[str, Any]:
    """A drf-spectacular post-processing hook: add the shared error answers to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes_for(method, operation):
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
