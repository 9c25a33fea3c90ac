"""Error answers of the emulator, in Zoho's body shape."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, errors=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors, self.headers = errors, headers or {}

    def body(self) -> dict:
        out = {"errorCode": self.code, "message": self.message}
        if self.errors:
            out["errors"] = self.errors
        return out


def invalid_param(name: str) -> ApiError:
    return ApiError(422, "UNPROCESSABLE_ENTITY", f"The value passed for the '{name}' parameter is invalid.")


def not_found() -> ApiError:
    """Zoho's answer to a bad URL and to a record id that does not exist."""
    return ApiError(404, "URL_NOT_FOUND", "The URL you requested could not be found.")
