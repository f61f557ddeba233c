"""No API lists installed packages. The one mcaudit knows is its own: recorded with the scopes its
token grants (so a write scope on this read-only auditor shows), and never as the account's full list."""

from __future__ import annotations

from pathlib import Path

from mcaudit.snapshot.integrations import InstalledPackage, IntegrationType
from mcaudit.testing import MarketingCloudLogin
from mcaudit.testing.expectations import auditor_package
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import MC_CLIENT_ID, collect, sample

WRITES = "email_read email_send data_extensions_write journeys_read list_and_subscribers_read users_read"


def test_the_auditors_own_package_is_recorded(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("healthy.yaml"))
    result = collect(serve(source), source, tmp_path / "collected.json", capsys)
    assert result.exit_code == 0, result.stderr
    packages = result.snapshot.marketing_cloud.installed_packages
    assert packages == [auditor_package(MarketingCloudLogin())]
    (package,) = packages
    assert package.name == "mcaudit audit package" and package.legacy is False  # /v2/token: an enhanced package
    (integration,) = package.api_integrations
    assert integration.client_id == MC_CLIENT_ID and integration.integration_type is IntegrationType.server_to_server
    assert integration.scopes == ["accounts_read", "email_read", "journeys_read", "list_and_subscribers_read",
                                  "users_read"]


def test_write_scopes_are_recorded_and_named(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("healthy.yaml"))
    api = serve(source, marketing_cloud=MarketingCloudLogin(scope=WRITES))
    result = collect(api, source, tmp_path / "collected.json", capsys, "--mc-package-name", "ACME audit (read only)")
    assert result.exit_code == 0, result.stderr
    (package,) = result.snapshot.marketing_cloud.installed_packages
    assert package == auditor_package(MarketingCloudLogin(scope=WRITES), "ACME audit (read only)")
    assert {"email_send", "data_extensions_write"} <= set(package.api_integrations[0].scopes)
    assert "write scopes mcaudit never uses: data_extensions_write email_send" in result.stderr


def test_a_token_without_scope_leaves_the_scopes_unknown(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("healthy.yaml"))
    api = serve(source, marketing_cloud=MarketingCloudLogin(scope=None))
    result = collect(api, source, tmp_path / "collected.json", capsys)
    assert result.exit_code == 0, result.stderr
    (package,) = result.snapshot.marketing_cloud.installed_packages
    assert package.api_integrations[0].scopes is None  # not collected, rather than "no scopes"


def test_other_packages_in_the_source_are_not_pretended(serve, tmp_path: Path, capsys) -> None:
    """A hand-written source may list the account's packages; collection can only see its own."""
    source = with_empty_sections(sample("healthy.yaml"))
    source = source.model_copy(update={"marketing_cloud": source.marketing_cloud.model_copy(update={
        "installed_packages": [InstalledPackage(name="Orders sync", legacy=True)]})})
    result = collect(serve(source), source, tmp_path / "collected.json", capsys)
    assert [package.name for package in result.snapshot.marketing_cloud.installed_packages] == [
        "mcaudit audit package"]
