"""Fake OpenAI REST API (also stands in for Ollama / LM Studio's OpenAI-compatible servers)."""

from __future__ import annotations

from tests.fakes.server import FakeServer, Request, Response


def openai_error(status: int, message: str, code: str = "") -> Response:
    return Response(
        status, {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    )


class FakeOpenAI(FakeServer):
    """Serves `/v1/models`; `valid_keys` decides which bearer tokens are accepted."""

    def __init__(self, models: list[str] | None = None, valid_keys: set[str] | None = None) -> None:
        super().__init__()
        self.models = models if models is not None else ["gpt-test-1", "gpt-test-mini"]
        self.valid_keys = valid_keys  # None = accept anything (like a local server)
        self.route("GET", "/v1/models", self._models)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def _authorised(self, req: Request) -> bool:
        if self.valid_keys is None:
            return True
        auth = req.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") in self.valid_keys

    def _models(self, req: Request) -> Response:
        if not self._authorised(req):
            return openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        return Response(
            200,
            {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake"}
                    for m in self.models
                ],
            },
        )
