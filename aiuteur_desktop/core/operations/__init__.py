"""Operations (DESIGN.md "Operations, jobs and the session"): one plain, Qt-free object per
user action that generates. It reads project state and builds the request when it is made,
runs as a job (the provider comes from the registry, by model id and capability), applies
its result to the store on the worker, commits, and returns what changed.

Because the operation — not the page that asked — applies the result, a generation that
finishes after its page was left, its project closed or the app restarted still lands.

A new stage's generation is one module here: a frozen dataclass subclassing `Operation`,
registered with `@register`. Its fields are the job's parameters — `to_params()`,
`from_params()` and `submission()` are derived from them (`stored_as("model_id")` keeps a
field under another key) — so it writes `kind`, `job_title()`, `run()` and `apply()`.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from aiuteur_desktop.core import jobs
from aiuteur_desktop.core.app.redaction import redact_tree
from aiuteur_desktop.core.errors import AiuteurError
from aiuteur_desktop.core.money import ledger
from aiuteur_desktop.core.provider_api import ProviderSource
from aiuteur_desktop.core.session import Changes
from aiuteur_desktop.core.store import Project

_source: Callable[[Any], ProviderSource] | None = None


def use_providers(factory: Callable[[Any], ProviderSource]) -> None:
    """Installed once at start-up by `providers.startup.register_all()`."""
    global _source
    _source = factory


def providers(settings: Any = None) -> ProviderSource:
    if _source is None:
        raise AiuteurError("No provider registry is installed (call register_all() at start-up).")
    return _source(settings)


# ---------------------------------------------------------------- open projects
_open: dict[Path, Project] = {}


def share(project: Project) -> None:
    """The app's open project: operations apply their results through this very instance,
    so its writes and the editors' autosaves are serialised, never interleaved."""
    _open[project.path.resolve()] = project


def unshare(project: Project) -> None:
    if _open.get(project.path.resolve()) is project:
        del _open[project.path.resolve()]


@contextmanager
def open_project(bundle: str | Path) -> Iterator[Project]:
    """The shared instance when the app has the project open, else one opened for the job."""
    shared = _open.get(Path(bundle).resolve())
    if shared is not None:
        yield shared
        return
    with Project.open(Path(bundle)) as project:
        yield project


class OnBranch:
    """A project seen from one Story Timeline: an operation applies its result to the
    branch it was started on, even if the user has switched since."""

    def __init__(self, project: Project, branch: str) -> None:
        self._project, self._branch = project, branch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._project, name)

    @property
    def current_branch(self) -> str:
        return self._branch

    def branch(self, name: str | None = None) -> Any:
        return self._project.branch(name or self._branch)

    def read(self, path: str, *, branch: str | None = None) -> Any:
        return self._project.read(path, branch=branch or self._branch)

    def read_many(self, paths: list[str], *, branch: str | None = None) -> dict[str, Any]:
        return self._project.read_many(paths, branch=branch or self._branch)

    def derived(self, path: str, name: str, compute: Any, *, branch: str | None = None) -> Any:
        return self._project.derived(path, name, compute, branch=branch or self._branch)

    def at_draft(self, name: str, compute: Any, *, branch: str | None = None) -> Any:
        return self._project.at_draft(name, compute, branch=branch or self._branch)

    def write(self, path: str, doc: Any, *, branch: str | None = None) -> str:
        return self._project.write(path, doc, branch=branch or self._branch)

    def delete(self, path: str, *, branch: str | None = None) -> str:
        return self._project.delete(path, branch=branch or self._branch)

    def is_dirty(self, branch: str | None = None) -> bool:
        return self._project.is_dirty(branch or self._branch)

    def head(self, branch: str | None = None) -> Any:
        return self._project.head(branch or self._branch)

    def commit(self, message: str, *, branch: str | None = None, **kw: Any) -> Any:
        return self._project.commit(message, branch=branch or self._branch, **kw)


def on_branch(project: Project, branch: str | None) -> Project:
    if not branch or branch == project.current_branch:
        return project
    return cast(Project, OnBranch(project, branch))


# ------------------------------------------------------------------ job ending
def end_job(
    project: Project,
    job: jobs.Job,
    *,
    provider: str,
    model: str,
    kind: str,
    actual: float,
    data: bytes | None = None,
    mime: str = "",
    stage: int | None = None,
    key: str | None = None,
) -> str | None:
    """The end every generation shares, paid or free: the bytes into the project's media
    (returns their id), and the ledger row of what it was estimated to cost and did — under
    `key` (the job context's `spend_key()`), so ending twice records once."""
    media = project.media.put(data, mime) if data is not None else None
    p = job.params
    ledger.record(
        project,
        ledger.Spend(
            job=job.id,
            provider=provider,
            model=model,
            kind=kind,
            stage=stage if stage is not None else p.get("stage"),
            scene=p.get("scene"),
            branch=p.get("branch"),
            estimate=job.estimate,
            actual=actual,
            at=time.time(),
            key=key,
        ),
    )
    return media


def image_call(
    ctx: jobs.JobContext,
    project: Project,
    model: str,
    paid: bool,
    call: Callable[[str], Any],
) -> tuple[str, float]:
    """The run every image operation shares: `call(model name)` (the provider's generate or
    edit) as a paid call — a cut-off or timed-out answer is not made again unasked, it may
    be charged — then the PNG into the media store and the ledger. Returns (media id, price)."""
    ctx.progress(0.1)
    name = model.partition(":")[2] or model
    with ctx.paid(ctx.job.estimate):
        image = call(name)
    if ctx.cancelled():
        raise jobs.Cancelled()
    price = ctx.job.estimate if paid else 0.0
    media = end_job(
        project,
        ctx.job,
        provider=model.partition(":")[0],
        model=name,
        kind="image",
        actual=price,
        data=image.png,
        mime="image/png",
        key=ctx.spend_key(),
    )
    ctx.progress(1.0)
    assert media is not None
    return media, price


def provenance(
    job: jobs.Job, *, provider: str, model: str, cost: float, **parameters: Any
) -> dict[str, Any]:
    """What a stored artifact keeps to be explained and reproduced."""
    p = job.params
    return {
        "provider": provider,
        "model": model,
        "parameters": parameters,
        "template": p.get("template"),
        "context_ids": p.get("context_ids", []),
        "seed": p.get("seed"),
        "cost": cost,
        "job": job.id,
    }


# ------------------------------------------------------------------ operations
@dataclass(frozen=True)
class Ran:
    """What the provider call produced (JSON) and what it cost."""

    result: dict[str, Any]
    cost: float


OpT = TypeVar("OpT", bound="Operation")


def stored_as(key: str) -> dict[str, str]:
    """A field's metadata keeping it in the job's params under another key:
    `model: str = field(metadata=stored_as("model_id"))`."""
    return {"key": key}


#: What a field without a default takes when an older job row lacks its key.
_EMPTY: dict[str, Any] = {"str": "", "int": 0, "float": 0.0, "bool": False}


def _from_json(annotation: str, value: Any) -> Any:
    """A job row's JSON value as the field's type (a list back into a tuple, a number)."""
    kind = annotation.split("[", 1)[0].split("|", 1)[0].strip()
    if kind == "tuple":
        return tuple(value)
    if kind in ("int", "float", "bool"):
        return {"int": int, "float": float, "bool": bool}[kind](value)
    return value


class Operation(ABC):
    """A generation as a frozen dataclass: its fields are its job's parameters."""

    kind: ClassVar[str]
    #: The engine the job runs on when the operation has no `model` field.
    engine: ClassVar[str] = ""

    @abstractmethod
    def job_title(self) -> str:
        """The job's name on the Jobs page and in notifications."""

    def to_params(self) -> dict[str, Any]:
        """The job row's parameters: every field under its key (tuples as lists)."""
        out = {}
        for f in fields(cast(Any, self)):
            value = getattr(self, f.name)
            out[f.metadata.get("key", f.name)] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_params(cls: type[OpT], params: dict[str, Any]) -> OpT:
        """The operation again from its job row (on the worker, or after a restart): a key
        missing or null takes the field's default (or its type's empty value)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cast(Any, cls)):
            value = params.get(f.metadata.get("key", f.name))
            if value is not None:
                kwargs[f.name] = _from_json(str(f.type), value)
            elif f.default is MISSING and f.default_factory is MISSING:
                kwargs[f.name] = _EMPTY.get(str(f.type))
        return cls(**kwargs)

    def submission(self) -> jobs.Submission:
        """The job this operation becomes: its title, model (or engine), parameters and
        price, for the scheduler to check against the caps and queue."""
        return jobs.Submission(
            self.kind,
            self.job_title(),
            self.engine or str(getattr(self, "model", "")),
            self.to_params(),
            str(getattr(self, "bundle", "")) or None,
            float(getattr(self, "estimate", 0.0) or 0.0),
            bool(getattr(self, "paid", False)),
        )

    @abstractmethod
    def run(self, ctx: jobs.JobContext, project: Project, source: ProviderSource) -> Ran:
        """The provider call (on the worker); media into the project, spend into the ledger."""

    @abstractmethod
    def apply(self, project: Project, result: dict[str, Any]) -> Changes:
        """The result into the store (on the job's branch), committed."""


_OPERATIONS: dict[str, type[Operation]] = {}
T = TypeVar("T", bound=type[Operation])


def register(cls: T) -> T:
    """Make an operation kind runnable as a job."""
    _OPERATIONS[cls.kind] = cls

    @jobs.register(cls.kind)
    def work(ctx: jobs.JobContext) -> tuple[dict[str, Any], float]:
        op = cls.from_params(ctx.job.params)
        with open_project(ctx.job.params["bundle"]) as project:
            ran = op.run(ctx, project, providers())
            if ctx.cancelled():
                raise jobs.Cancelled()
            # A model's answer never brings a key into the project (a proxy echoing one).
            ran = Ran(redact_tree(ran.result), ran.cost)  # type: ignore[arg-type]
            try:
                changes = op.apply(on_branch(project, ctx.job.params.get("branch")), ran.result)
            except (AiuteurError, ValueError) as exc:
                # Paid for and kept in the job row, but the project refused it (say, the
                # beats changed meanwhile): the page says why; nothing is sent again.
                why = (
                    exc.user_message
                    if isinstance(exc, AiuteurError)
                    else "The model's answer does not fit the project, so nothing was changed. "
                    "Try again, perhaps with other guidance."
                )
                return {**ran.result, "changes": {}, "not_applied": why}, ran.cost
        return {**ran.result, "changes": changes.to_json()}, ran.cost

    return cls


def not_applied(job: jobs.Job) -> str:
    """Why a finished operation's result was not applied ("" when it was)."""
    return str((job.result or {}).get("not_applied") or "")


def changes_of(job: jobs.Job) -> Changes:
    """What a finished operation job changed (empty for anything else)."""
    return Changes.from_json((job.result or {}).get("changes"))
