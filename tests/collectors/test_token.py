"""One token per run, reused until shortly before it expires; refreshed after a 401."""

from __future__ import annotations

from mcaudit.collectors.credentials import MarketingCloudCredentials
from mcaudit.collectors.http import GuardedSession, HttpSettings
from mcaudit.collectors.marketing_cloud.token import TokenManager
from mcaudit.collectors.secrets import Redactor
from mcaudit.testing import MarketingCloudLogin
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import MC_CLIENT_ID, MC_CLIENT_SECRET, sample


def test_token_is_reused_until_near_expiry(serve) -> None:
    api = serve(with_empty_sections(sample("healthy.yaml")), marketing_cloud=MarketingCloudLogin(token_lifetime=300))
    now = [1000.0]
    redactor = Redactor()
    tokens = TokenManager(MarketingCloudCredentials(client_id=MC_CLIENT_ID, client_secret=MC_CLIENT_SECRET,
                                                    auth_url=api.mc_auth_url),
                          GuardedSession(HttpSettings(timeout=1), redactor), clock=lambda: now[0])
    first = tokens.current()
    now[0] += 200
    assert tokens.current() is first and tokens.requests == 1
    now[0] += 60  # within a minute of expiry
    second = tokens.current()
    assert second is not first and tokens.requests == 2
    assert tokens.refresh(first) is second and tokens.requests == 2  # another thread already renewed it
    assert tokens.refresh(second) is not second and tokens.requests == 3
    assert redactor.redact(first.access_token) == "***"
    assert api.counts()["mc.token"] == 3
