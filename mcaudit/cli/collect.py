"""`mcaudit collect`: read both sides of a live connection, read-only, into one snapshot file.

Exit 0 when every collector completed, 3 when any failed or was partial (the file is still
written with what was read), 2 on usage errors. The HTTP, Salesforce and SOAP stacks are imported
only when the command runs: every other command would pay for them in start-up time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mcaudit.errors import InputError
from mcaudit.safetext import same_file

if TYPE_CHECKING:
    from mcaudit.collectors.credentials import Prompt

log = logging.getLogger("mcaudit.collect")
EXIT_INCOMPLETE = 3
F = TypeVar("F", bound=Callable[..., Any])


def _prompt(label: str, hide_input: bool) -> str:
    return str(click.prompt(label, hide_input=hide_input, default="", show_default=False, err=True))


def _sf(name: str, help_text: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(f"--sf-{name}", envvar=f"MCAUDIT_SF_{name.upper().replace('-', '_')}",
                        show_envvar=True, help=help_text, **kwargs)


def _mc(name: str, help_text: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(f"--mc-{name}", envvar=f"MCAUDIT_MC_{name.upper().replace('-', '_')}",
                        show_envvar=True, help=help_text, **kwargs)


@click.command()
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="snapshot file to write (.yaml, .yml or .json)")
@click.option("--only", type=click.Choice(["sf", "mc"]), help="collect one side only")
@click.option("--name", help="a label for reports, e.g. 'ACME production'")
@click.option("--merge", "merge_files", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="merge this file's hand-maintained parts (attestations, aep, integrations, a few "
                   "marketing_cloud facts) into the snapshot; collected values win (repeatable)")
@click.option("--attestations", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="merge these attestations (a list, or a snapshot's attestations) into the snapshot")
@_sf("login-url", "login URL (default https://login.salesforce.com; a sandbox, My Domain or proxy)")
@_sf("instance-url", "instance URL, with --sf-access-token")
@_sf("username", "username (password or JWT login)")
@_sf("password", "password (prefer the environment variable or the prompt)")
@_sf("security-token", "security token, appended to the password")
@_sf("access-token", "OAuth access token (with --sf-instance-url)")
@_sf("org-json", "the output of `sf org display --json` (access token and instance URL)",
     type=click.Path(path_type=Path, dir_okay=False, exists=True))
@_sf("consumer-key", "connected app consumer key, for the JWT bearer flow")
@_sf("private-key-file", "private key (PEM) for the JWT bearer flow",
     type=click.Path(path_type=Path, dir_okay=False, exists=True))
@_sf("system-user", "username of the Salesforce System User the connector runs as. No API holds it: it is "
     "chosen in Marketing Cloud (Setup > Users > the MC API user > Modify Settings). Without it, mcaudit "
     "infers it from the org's OAuth tokens where exactly one user fits, and labels it inferred")
@_mc("subdomain", "tenant subdomain (the part before .auth.marketingcloudapis.com)")
@_mc("client-id", "client id of an installed package's API integration")
@_mc("client-secret", "its client secret (prefer the environment variable or the prompt)")
@_mc("account-id", "MID of the business unit to authenticate into", type=int)
@_mc("auth-url", "auth base URL (default https://SUBDOMAIN.auth.marketingcloudapis.com)")
@_mc("api-user", "username of the MC user Marketing Cloud Connect authenticates as (no API shows it)")
@_mc("package-name", "name of the installed package the client id belongs to, recorded with the scopes its "
                     "token grants (no API shows it; default: mcaudit audit package)")
@_mc("wsdl", "another SOAP WSDL (file or URL) instead of the packaged one")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="HOST",
              help="also accept API base URLs on this host (and its subdomains) when a login or token response "
                   "names one outside Salesforce's and Marketing Cloud's domains, e.g. a company proxy (repeatable)")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=30.0, show_default=True,
              help="seconds to wait for any one response")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=3, show_default=True,
              help="retries of a throttled (429), failed (5xx) or dropped call")
@click.option("--journey-detail-limit", type=click.IntRange(min=0), default=200, show_default=True,
              help="at most this many per-journey detail calls for entry sources the lists do not show")
@click.option("--backoff-base", type=click.FloatRange(min=0), default=0.5, hidden=True,
              envvar="MCAUDIT_BACKOFF_BASE")
@click.option("--retry-after-cap", type=click.FloatRange(min=0), default=30.0, hidden=True,
              envvar="MCAUDIT_RETRY_AFTER_CAP")
@click.option("--mc-page-size", type=click.IntRange(min=1, max=500), default=50, hidden=True)
def collect(output: Path, only: str | None, name: str | None, merge_files: tuple[Path, ...],
            attestations: Path | None,
            sf_login_url: str | None, sf_instance_url: str | None, sf_username: str | None,
            sf_password: str | None, sf_security_token: str | None, sf_access_token: str | None,
            sf_org_json: Path | None, sf_consumer_key: str | None, sf_private_key_file: Path | None,
            sf_system_user: str | None,
            mc_subdomain: str | None, mc_client_id: str | None, mc_client_secret: str | None,
            mc_account_id: int | None, mc_auth_url: str | None, mc_api_user: str | None,
            mc_package_name: str | None, mc_wsdl: str | None, allowed_hosts: tuple[str, ...],
            timeout: float, retries: int, journey_detail_limit: int, backoff_base: float,
            retry_after_cap: float, mc_page_size: int) -> None:
    """Read both sides of a Marketing Cloud Connect connection (read-only) into a snapshot.

    Credentials come from the options, MCAUDIT_SF_* / MCAUDIT_MC_* environment variables, or a
    prompt on a terminal. Nothing is ever written to either side.
    """
    # imported here: the HTTP, Salesforce and SOAP stacks cost every other command its start-up time
    from mcaudit.collectors.credentials import (
        MarketingCloudInput,
        SalesforceInput,
        resolve_marketing_cloud,
        resolve_salesforce,
    )
    from mcaudit.collectors.http import HttpSettings, RetryPolicy
    from mcaudit.collectors.merge import attestations_file, load_merge_file
    from mcaudit.collectors.progress import reporting
    from mcaudit.collectors.run import CollectRequest, is_complete
    from mcaudit.collectors.run import collect as run_collection
    from mcaudit.collectors.secrets import Redactor
    from mcaudit.collectors.snapshot_file import output_format, write_snapshot

    output_format(output)
    for option, given in (("--attestations", attestations), *(("--merge", path) for path in merge_files)):
        if given is not None and same_file(output, given):
            raise InputError(f"-o {output}: is the {option} file this run reads; mcaudit never writes over its inputs")
    # every file is read and validated before any credential is asked for or any call made
    merges = (*([attestations_file(attestations)] if attestations else []),
              *(load_merge_file(path) for path in merge_files))
    redactor = Redactor()
    prompt: Prompt | None = _prompt if sys.stdin.isatty() else None
    salesforce = None if only == "mc" else resolve_salesforce(SalesforceInput(
        login_url=sf_login_url, instance_url=sf_instance_url, username=sf_username, password=sf_password,
        security_token=sf_security_token, access_token=sf_access_token, org_json=sf_org_json,
        consumer_key=sf_consumer_key, private_key_file=sf_private_key_file), redactor, prompt)
    marketing_cloud = None if only == "sf" else resolve_marketing_cloud(MarketingCloudInput(
        subdomain=mc_subdomain, client_id=mc_client_id, client_secret=mc_client_secret,
        account_id=mc_account_id, auth_url=mc_auth_url, api_user=mc_api_user), redactor, prompt)
    request = CollectRequest(
        salesforce=salesforce, marketing_cloud=marketing_cloud,
        sf_system_user=(sf_system_user or "").strip() or None,
        http=HttpSettings(timeout=timeout, retry=RetryPolicy(attempts=retries + 1, backoff_base=backoff_base,
                                                             retry_after_cap=retry_after_cap),
                          allowed_hosts=tuple(host.strip().lower() for host in allowed_hosts if host.strip())),
        mc_wsdl=_wsdl(mc_wsdl), journey_detail_limit=journey_detail_limit, mc_page_size=mc_page_size,
        mc_package_name=(mc_package_name or "").strip() or None,
        name=name, merges=merges,
    )
    debug = bool(click.get_current_context().find_root().params.get("debug"))
    with reporting(redactor, debug=debug) as progress:
        snapshot = run_collection(request, redactor, progress)
        write_snapshot(snapshot, output)
        complete = is_complete(snapshot)
        for run in snapshot.collection.collectors if snapshot.collection else []:
            log.info("%s: %s%s", run.name, run.status.value,
                     f" ({run.api_calls} API calls)" if run.api_calls is not None else "")
        log.info("wrote %s%s", output, "" if complete else "; collection incomplete (see collection.collectors)")
    sys.exit(0 if complete else EXIT_INCOMPLETE)


def _wsdl(value: str | None) -> str | None:
    if value is None:
        return None
    if "://" in value:
        if not value.lower().startswith("https://"):
            raise InputError(f"--mc-wsdl: give a file path or an https URL, not {value.split('://')[0]}://")
        return value
    if not Path(value).is_file():
        raise InputError(f"--mc-wsdl: no such file: {value}")
    return value
