"""The symptoms support engineers bring to `mcaudit triage`, read from symptoms.yaml beside this file.

A leaf: the rule loader checks that a rule names only known symptoms, triage diagnoses one, and
the docs list them, all from this one catalog. Which rules explain a symptom is said in the rule
files, not here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from mcaudit.yamlio import load_yaml

CATALOG = Path(__file__).with_name("symptoms.yaml")


class Symptom(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="kebab-case, as given to --symptom")
    title: str
    looks_like: str = Field(description="what the ticket says, and the failure modes behind it")
    also_from: tuple[str, ...] = Field(
        min_length=1, description="causes no configuration shows, said plainly in every diagnosis"
    )


class _Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    symptoms: tuple[Symptom, ...] = Field(min_length=1)


@cache
def symptoms() -> tuple[Symptom, ...]:
    """Every known symptom, in the catalog's order (our own file: trusted, read once)."""
    catalog = _Catalog.model_validate(load_yaml(CATALOG.read_text(encoding="utf-8")))
    names = [symptom.name for symptom in catalog.symptoms]
    if len(set(names)) != len(names):
        raise ValueError(f"{CATALOG.name}: a symptom name is listed twice")
    return catalog.symptoms


def symptom_names() -> tuple[str, ...]:
    return tuple(symptom.name for symptom in symptoms())


def symptom(name: str) -> Symptom | None:
    return next((known for known in symptoms() if known.name == name), None)
