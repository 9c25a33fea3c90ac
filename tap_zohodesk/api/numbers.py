"""Settings whose config schema type is ``number``, given as text: what environment variables give.

The SDK's ``--config=ENV`` parses integers, booleans, arrays and objects by their type but passes a number
through as text, and Meltano can hand a fractional value over only as text (its kind ``integer`` calls
``int()`` on it, its kind ``decimal`` cannot be written to the plugin's config file), so meltano.yml declares
such settings as strings. Both plugins turn that text into the number before the config is validated; text
that is not a number is left for validation, which names the setting.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def numbers_from_text(config: dict, schema: dict) -> None:
    """Replace, in ``config``, the text value of each ``number`` setting of ``schema`` by the number."""
    for name, prop in schema.get("properties", {}).items():
        value = config.get(name)
        types = prop.get("type", [])
        if isinstance(value, str) and "number" in types and NUMBER.fullmatch(value.strip()):
            number = float(value)
            config[name] = int(number) if number.is_integer() and "." not in value else number
