"""Retries: bounded, exponential with jitter, honouring Retry-After up to a cap."""

from __future__ import annotations

import random

from mcaudit.collectors.http import GuardedSession, HttpSettings, RetryPolicy
from mcaudit.collectors.secrets import Redactor
from mcaudit.testing import PERMANENT, Fault
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import sample


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(attempts=6, backoff_base=1.0, backoff_cap=4.0)
    rng = random.Random(1)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0), (5, 4.0)):
        delays = [policy.delay(attempt, None, rng) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1  # jitter


def test_retry_after_is_honoured_up_to_its_cap() -> None:
    policy = RetryPolicy(retry_after_cap=30)
    rng = random.Random(1)
    assert policy.delay(1, 3.0, rng) == 3.0
    assert policy.delay(1, 3600.0, rng) == 30.0


def test_session_waits_as_told_and_gives_up(serve) -> None:
    api = serve(with_empty_sections(sample("healthy.yaml")))
    api.inject(Fault.http("mc.token", 429, retry_after="2", times=PERMANENT))
    slept: list[float] = []
    session = GuardedSession(HttpSettings(timeout=1, retry=RetryPolicy(attempts=3), sleep=slept.append),
                             Redactor())
    response = session.post(f"{api.mc_auth_url}/v2/token", json={})
    assert response.status_code == 429 and slept == [2.0, 2.0]
    assert api.counts()["mc.token"] == 3 and session.total_calls == 3


def test_server_errors_back_off_exponentially(serve) -> None:
    api = serve(with_empty_sections(sample("healthy.yaml")))
    api.inject(Fault.http("mc.token", 503, times=PERMANENT))
    slept: list[float] = []
    settings = HttpSettings(timeout=1, retry=RetryPolicy(attempts=4, backoff_base=1.0), sleep=slept.append)
    assert GuardedSession(settings, Redactor(), seed=7).post(f"{api.mc_auth_url}/v2/token", json={}).status_code == 503
    assert len(slept) == 3 and 0.5 <= slept[0] <= 1 and 1 <= slept[1] <= 2 and 2 <= slept[2] <= 4
