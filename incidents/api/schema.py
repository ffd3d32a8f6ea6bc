"""Schema post-processing: the error responses every operation can give, in the one error format, and the exports.

drf-spectacular documents the success responses it can infer; the 4xx a
client must handle are the same everywhere (errors.py) and are added here,
so the schema is true to what the API answers (schemathesis checks it).
"""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "description": 'By field or parameter (nested fields by path, "casualties.0.low"); "detail" otherwise.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
}
DESCRIPTIONS = {
    "400": "Bad input: the field or parameter and the reason.",
    "401": "No key, or a key that is unknown, expired or revoked.",
    "403": "The role or the key's scopes do not allow this.",
    "404": "Not found (or not the caller's: the two are indistinguishable).",
    "409": "Conflict with the stored state.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
    "429": "Too many requests; see Retry-After.",
    "503": "The database cannot be reached just now; try again after Retry-After seconds.",
}


EXPORT_CONTENT = {
    "text/csv": {
        "schema": {"type": "string", "description": "CSV; with ?format=hxl the HXL hashtag row follows the header."}
    },
    "application/geo+json": {
        "schema": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


# A merged or withdrawn incident is a bare tombstone (serializers.tombstone): all but these are null or [].
TOMBSTONE_KEEPS = {"id", "status", "merged_into", "updated_at"}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for name, prop in schemas.get("Incident", {}).get("properties", {}).items():
        if name not in TOMBSTONE_KEEPS and prop.get("type") != "array":
            prop["nullable"] = True
            if "$ref" in prop:  # an enum: nullable needs it wrapped
                schemas["Incident"]["properties"][name] = {"allOf": [{"$ref": prop.pop("$ref")}], "nullable": True}
    schemas.get("Incident", {}).pop("required", None)
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/schema/", "/api/v1/docs/")):
            continue
        for method, operation in operations.items():
            codes = ["400", "401", "403", "429", "503"]
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch"):
                codes += ["409", "413", "415"]
            responses = operation.setdefault("responses", {})
            # The exports are not the paginated JSON: say what they are.
            success = responses.get("200", {}).get("content", {})
            for media_type, content in EXPORT_CONTENT.items():
                if media_type in success:
                    success[media_type] = content
            for code in codes:
                response = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
                response.setdefault("content", {"application/json": {"schema": reference}})
                response["description"] = response.get("description") or DESCRIPTIONS[code]
    return result
