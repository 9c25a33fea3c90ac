"""Custom fields (``cf``) typed from the org's field metadata at discovery.

``GET /organizationFields?module=<module>`` lists each field with its ``apiName``, ``type``
and ``isCustomField``. Each custom field becomes a typed property of ``cf``; values Zoho
sends as strings ("42", "true") are converted to the declared type when read. When the
metadata cannot be read, ``cf`` stays an open object and a warning says why.
"""

from __future__ import annotations

import logging
from typing import Any

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError

# the modules whose custom fields type some stream's ``cf`` (the catalog rows' ``cf_module``)
MODULES = sorted({spec.read.cf_module for spec in OBJECTS if spec.read.cf_module})

_NULLABLE = {
    "Number": {"type": ["integer", "null"]},
    "Decimal": {"type": ["number", "null"]},
    "Currency": {"type": ["number", "null"]},
    "Percent": {"type": ["number", "null"]},
    "Boolean": {"type": ["boolean", "null"]},
    "Date": {"type": ["string", "null"], "format": "date"},
    "DateTime": {"type": ["string", "null"], "format": "date-time"},
}
_STRING = {"type": ["string", "null"]}  # Text, Textarea, Email, Phone, URL, Picklist, Multiselect, ...


def field_schema(zoho_type: str) -> dict:
    return dict(_NULLABLE.get(zoho_type, _STRING))


def read_custom_fields(client: ZohoDeskClient, logger: logging.Logger) -> dict[str, dict[str, dict]]:
    """Module -> {apiName: JSON schema}; a module whose metadata fails is left out, with a warning."""
    out: dict[str, dict[str, dict]] = {}
    for module in MODULES:
        try:
            body = client.get("organizationFields", {"module": module}, label="discover custom fields")
        except ZohoDeskError as exc:
            logger.warning("Custom fields of %s stay untyped: field metadata unreadable (%s)", module, exc)
            continue
        fields = (body or {}).get("data") or []
        out[module] = {f["apiName"]: field_schema(str(f.get("type"))) for f in fields
                       if f.get("isCustomField") and f.get("apiName")}
    return out


def coerce(value: Any, schema: dict, where: str = "custom field") -> Any:
    """Zoho sends many custom values as strings: convert to the declared type. A value that
    is not of that type is an error naming ``where`` (record and field), never silently dropped."""
    if value is None or value == "":
        return None
    kinds = schema.get("type", [])
    try:
        if "integer" in kinds and not isinstance(value, bool):
            number = float(value)
            if not number.is_integer():
                raise ValueError(value)
            return int(number)
        if "number" in kinds and not isinstance(value, bool):
            return float(value) if isinstance(value, str) else value
        if "boolean" in kinds and isinstance(value, str):
            return {"true": True, "false": False}[value.strip().lower()]
    except (ValueError, KeyError, TypeError):
        raise ZohoDeskError(f"{where}: {value!r} is not a {'/'.join(k for k in kinds if k != 'null')} "
                            "as the catalog declares it") from None
    if "string" in kinds and not isinstance(value, str):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return value


def coerce_all(custom: dict, types: dict, where: str) -> None:
    """Every typed value of ``custom`` (a record's ``cf``) converted in place."""
    for name, value in custom.items():
        if name in types:
            try:
                custom[name] = coerce(value, types[name])
            except ZohoDeskError as exc:
                raise ZohoDeskError(f"{where} cf.{name}: {str(exc).split(': ', 1)[1]}") from None
