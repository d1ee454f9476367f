"""Every whole number the API accepts (query, path, body) states its bounds, within what a
PostgreSQL `integer` column holds: `?year=-34359738368` must be a 422 naming the field, not a
server error from the database (SQLite takes any size, so only the document can catch this early)."""

from labtrack.parsing import INT_MAX

LOWEST = -(2**31)


def _integers(schema: dict, where: str, document: dict, seen: set[str]):
    """Yield (where, schema) for each integer in a request schema, following $ref."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from _integers(
            document["components"]["schemas"][name], f"{where}<{name}>", document, seen | {name}
        )
        return
    if schema.get("readOnly"):
        return
    types = schema.get("type")
    if types == "integer" or (isinstance(types, list) and "integer" in types):
        yield where, schema
    for name, sub in (schema.get("properties") or {}).items():
        yield from _integers(sub, f"{where}.{name}", document, seen)
    if "items" in schema:
        yield from _integers(schema["items"], f"{where}[]", document, seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            yield from _integers(sub, where, document, seen)


def _request_integers(document: dict):
    for path, operations in document["paths"].items():
        shared = operations.get("parameters", [])
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for parameter in shared + operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                yield from _integers(parameter.get("schema", {}), where, document, set())
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                yield from _integers(
                    media.get("schema", {}), f"{method.upper()} {path} body", document, set()
                )


def test_every_integer_a_request_takes_is_bounded_for_the_database(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    found = list(_request_integers(document))
    assert len(found) > 20  # the walk reaches query, path and body integers
    unbounded = [
        where
        for where, schema in found
        if not (schema.get("minimum", LOWEST - 1) >= LOWEST and schema.get("maximum", INT_MAX + 1) <= INT_MAX)
    ]
    assert not unbounded, "integers without bounds a database column holds:\n" + "\n".join(unbounded)
