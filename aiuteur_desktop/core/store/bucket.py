"""A studio's pictures in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze…):
content-addressed objects `<prefix>/<aa>/<sha256>`, written once (an object already there is
never written again), checked against their hash whenever they are read. Each member's
machine keeps what it has read in the project's folder (`media/`), so a picture is fetched
once; the media store (core/store/media.py) asks here for what it does not have.

The keys are each member's own, in the keyring (`studio.s3_access_key_id`,
`studio.s3_secret_access_key`); the endpoint of a bucket that is not Amazon's is in
Settings → Studio. botocore is the client: the one every S3-compatible service tests against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

from aiuteur_desktop.core.errors import ProjectError

KEY_ID_SECRET = "studio.s3_access_key_id"
SECRET_SECRET = "studio.s3_secret_access_key"
#: Seconds to connect, and to wait for each read of an answer.
CONNECT_S, READ_S = 10, 60


def is_bucket(location: str) -> bool:
    return str(location).startswith("s3://")


@dataclass(frozen=True)
class Bucket:
    """`s3://bucket/prefix` at `endpoint` ("" = Amazon S3), with this member's keys."""

    location: str
    endpoint: str = ""
    key_id: str = ""
    secret: str = ""
    region: str = "us-east-1"

    @property
    def name(self) -> str:
        return urlparse(self.location).netloc

    @property
    def prefix(self) -> str:
        return urlparse(self.location).path.strip("/")

    def key(self, media_id: str) -> str:
        where = f"{media_id[:2]}/{media_id}"
        return f"{self.prefix}/{where}" if self.prefix else where

    @cached_property
    def _client(self) -> Any:
        """One client per bucket for its life (making one costs tens of milliseconds;
        botocore's clients are safe to share between threads)."""
        import botocore.session
        from botocore.config import Config

        if not self.name:
            raise ProjectError(f"“{self.location}” names no bucket (s3://bucket/folder).")
        session = botocore.session.get_session()
        return session.create_client(
            "s3",
            endpoint_url=self.endpoint or None,
            region_name=self.region,
            aws_access_key_id=self.key_id or None,
            aws_secret_access_key=self.secret or None,
            config=Config(
                connect_timeout=CONNECT_S,
                read_timeout=READ_S,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": "path"},
                # (plain checksums: every S3-compatible service takes them)
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def _failed(self, exc: Exception) -> ProjectError:
        from botocore.exceptions import ClientError, IncompleteReadError, ResponseStreamingError

        if isinstance(exc, IncompleteReadError | ResponseStreamingError):
            return ProjectError(
                f"A picture from the studio's bucket {self.location} arrived cut off; it was "
                "not used. Try again."
            )
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                return ProjectError(
                    f"The studio's bucket {self.location} refused your keys ({code}): check "
                    "them in Settings → Studio."
                )
            return ProjectError(f"The studio's bucket {self.location} answered {code or exc}.")
        return ProjectError(
            f"The studio's pictures bucket {self.location} cannot be reached ({exc}). The "
            "story can still be read and edited; pictures wait until it is back."
        )

    def has(self, media_id: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.head_object(Bucket=self.name, Key=self.key(media_id))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._failed(exc) from exc
        except BotoCoreError as exc:
            raise self._failed(exc) from exc

    def put(self, media_id: str, data: bytes, mime: str) -> None:
        """Write an object once (one already there is left as it is)."""
        from botocore.exceptions import BotoCoreError, ClientError

        if self.has(media_id):
            return
        try:
            self._client.put_object(
                Bucket=self.name, Key=self.key(media_id), Body=data, ContentType=mime
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(exc) from exc

    def get(self, media_id: str) -> bytes:
        """The object's bytes, checked against its name (ProjectError: missing, damaged or
        unreachable)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.get_object(Bucket=self.name, Key=self.key(media_id))
            data: bytes = answer["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ProjectError(
                    f"Media file {media_id[:12]} is missing from the studio's bucket."
                ) from exc
            raise self._failed(exc) from exc
        except BotoCoreError as exc:
            raise self._failed(exc) from exc
        if hashlib.sha256(data).hexdigest() != media_id:
            raise ProjectError(
                f"Media file {media_id[:12]} in the studio's bucket is damaged (its content "
                "no longer matches its name, or it arrived cut off); it was not used."
            )
        return data
