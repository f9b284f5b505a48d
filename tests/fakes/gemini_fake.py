"""Fake Gemini Developer API (accepts both /v1 and /v1beta, as the SDK may use either)."""

from __future__ import annotations

from tests.fakes.server import FakeServer, Request, Response


def google_error(code: int, message: str, status: str) -> Response:
    return Response(code, {"error": {"code": code, "message": message, "status": status}})


class FakeGemini(FakeServer):
    def __init__(self, models: list[str] | None = None, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.models = (
            models if models is not None else ["gemini-test-pro", "gemini-test-flash-image"]
        )
        self.valid_keys = valid_keys
        for version in ("/v1beta", "/v1"):
            self.route("GET", f"{version}/models", self._models)

    def _models(self, req: Request) -> Response:
        key = req.headers.get("x-goog-api-key", "")
        if self.valid_keys is not None and key not in self.valid_keys:
            return google_error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
            )
        return Response(
            200,
            {
                "models": [
                    {
                        "name": f"models/{m}",
                        "displayName": m,
                        "supportedActions": ["generateContent"],
                    }
                    for m in self.models
                ]
            },
        )
