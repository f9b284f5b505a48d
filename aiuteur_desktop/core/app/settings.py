"""App settings: provider connections, default models, budgets. Never holds a secret."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class OpenAIConnection(BaseModel):
    """OpenAI cloud. The API key lives in the keyring under `openai.api_key`."""

    api_endpoint: str = ""  # blank = the official endpoint; set for proxies/gateways
    organization: str = ""
    #: The longest a request may take before it counts as timed out (then retried).
    timeout_s: float = Field(default=120.0, ge=5.0, le=3600.0)


class GoogleConnection(BaseModel):
    """Google: an API key (text, images, embeddings) and Vertex AI (video)."""

    api_endpoint: str = ""  # blank = the official endpoint
    vertex_project: str = ""
    vertex_location: str = "us-central1"
    vertex_credentials_file: str = ""  # path to a service-account JSON, kept outside the DB
    vertex_endpoint: str = ""  # blank = Vertex AI's own; set for a proxy or gateway


class FalConnection(BaseModel):
    """fal.ai: one key for Kling, Seedance, MiniMax and Luma video (`fal.api_key` in the
    keyring)."""

    api_endpoint: str = ""  # blank = queue.fal.run; set for a proxy or gateway


class MiniMaxConnection(BaseModel):
    """MiniMax's own API (Hailuo video; `minimax.api_key` in the keyring)."""

    api_endpoint: str = ""  # blank = api.minimax.io; set for api.minimaxi.com or a proxy


class ElevenLabsConnection(BaseModel):
    """ElevenLabs' text-to-speech (cloud voices; `elevenlabs.api_key` in the keyring)."""

    api_endpoint: str = ""  # blank = api.elevenlabs.io; set for a proxy or gateway


class StudioConnection(BaseModel):
    """A studio's PostgreSQL server (`studio.password` in the keyring, never here)."""

    server: str = ""  # postgresql://user@host:5432/database; blank = no studio
    user: str = ""  # who this member is to the studio; blank = their login name
    media: str = ""  # where a project's pictures go: a folder every member reaches, or s3://
    #: The S3-compatible service of an s3:// bucket when it is not Amazon's (MinIO, R2…);
    #: its keys are `studio.s3_access_key_id` and `studio.s3_secret_access_key`, in the keyring.
    s3_endpoint: str = ""


class VideosEndpoint(BaseModel):
    """An OpenAI-style `/v1/videos` endpoint (a gateway); its key is `videos.api_key`."""

    base_url: str = ""  # e.g. https://gateway.example/v1
    model: str = ""


class LocalServer(BaseModel):
    """An OpenAI-compatible server on this machine or network (Ollama, LM Studio…)."""

    enabled: bool = False
    base_url: str = "http://localhost:11434/v1"
    model: str = ""
    #: How long the server may send nothing (reading a long prompt on a CPU included)
    #: before a request counts as stalled. There is no overall deadline while tokens arrive.
    idle_timeout_s: float = Field(default=180.0, ge=5.0, le=3600.0)
    #: The model's context window in tokens; 0 = as the server says (4,096 if it does not).
    context_window: int = Field(default=0, ge=0, le=10_000_000)


class DefaultModels(BaseModel):
    """`provider:model` per capability; model ids churn, so they are settings."""

    text: str = ""
    image: str = "offline:storyboard"
    video: str = "offline:animatic"
    embeddings: str = "offline:minilm"


class Budget(BaseModel):
    """Spending caps in US dollars; None means no cap."""

    monthly_cap_usd: float | None = None
    project_cap_usd: float | None = None

    @field_validator("monthly_cap_usd", "project_cap_usd")
    @classmethod
    def _non_negative(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError("a budget cap cannot be negative")
        return value


class AppSettings(BaseModel):
    openai: OpenAIConnection = Field(default_factory=OpenAIConnection)
    google: GoogleConnection = Field(default_factory=GoogleConnection)
    fal: FalConnection = Field(default_factory=FalConnection)
    minimax: MiniMaxConnection = Field(default_factory=MiniMaxConnection)
    elevenlabs: ElevenLabsConnection = Field(default_factory=ElevenLabsConnection)
    studio: StudioConnection = Field(default_factory=StudioConnection)
    videos: VideosEndpoint = Field(default_factory=VideosEndpoint)
    local: LocalServer = Field(default_factory=LocalServer)
    models: DefaultModels = Field(default_factory=DefaultModels)
    budget: Budget = Field(default_factory=Budget)
    projects_dir: str = ""
