"""Each way to log in, and one clear line (exit 2) when credentials or options are wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mcaudit.collectors.credentials import SalesforceInput, resolve_salesforce
from mcaudit.collectors.secrets import Redactor
from mcaudit.errors import InputError
from mcaudit.testing import SalesforceLogin
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import FAST, MC_CLIENT_ID, MC_CLIENT_SECRET, run_main, sample


def mc_args(api) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--mc-auth-url", api.mc_auth_url, "--mc-client-id", MC_CLIENT_ID, "--mc-client-secret", MC_CLIENT_SECRET]


def collected_users(output: Path) -> int:
    return len(json.loads(output.read_text(encoding="utf-8"))["salesforce"]["users"])


def test_access_token_from_sf_org_display(serve, tmp_path: Path, capsys) -> None:
    api = serve(with_empty_sections(sample("healthy.yaml")), salesforce=SalesforceLogin(access_token="00Dx!token"))
    org = tmp_path / "org.json"
    org.write_text(json.dumps({"status": 0, "result": {"accessToken": "00Dx!token", "instanceUrl": api.base_url,
                                                        "username": "auditor@example.com"}}), encoding="utf-8")
    output = tmp_path / "s.json"
    code, _, err = run_main(["collect", "-o", str(output), "--only", "sf", "--sf-org-json", str(org), *FAST], capsys)
    assert code == 0, err
    assert collected_users(output) == 3
    assert api.counts()["sf.login"] == 0  # the token was used as is


def test_access_token_needs_an_instance_url(capsys) -> None:
    code, _, err = run_main(["collect", "-o", "x.json", "--only", "sf", "--sf-access-token", "abc"], capsys)
    assert code == 2
    assert err.strip() == "mcaudit: error: --sf-access-token needs --sf-instance-url (or use --sf-org-json)"


def test_jwt_bearer(serve, tmp_path: Path, capsys) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    api = serve(with_empty_sections(sample("healthy.yaml")),
                salesforce=SalesforceLogin(consumer_key="3MVG9.consumer", jwt_public_key=public))
    key_file = tmp_path / "server.key"
    key_file.write_bytes(pem)
    output = tmp_path / "s.json"
    code, _, err = run_main(["collect", "-o", str(output), "--only", "sf", "--sf-login-url", api.sf_login_url,
                             "--sf-username", "auditor@example.com", "--sf-consumer-key", "3MVG9.consumer",
                             "--sf-private-key-file", str(key_file), *FAST], capsys)
    assert code == 0, err
    assert api.counts()["sf.oauth_token"] == 1 and collected_users(output) == 3


def test_missing_credentials_are_a_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    for name in ("MCAUDIT_SF_USERNAME", "MCAUDIT_SF_PASSWORD", "MCAUDIT_SF_ACCESS_TOKEN", "MCAUDIT_SF_ORG_JSON"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run_main(["collect", "-o", str(tmp_path / "s.yaml"), "--only", "sf"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("mcaudit: error: Salesforce credentials are missing") and err.count("\n") == 1
    assert not (tmp_path / "s.yaml").exists()


def test_marketing_cloud_subdomain_must_be_bare(capsys) -> None:
    code, _, err = run_main(["collect", "-o", "x.yaml", "--only", "mc", "--mc-subdomain",
                             "mc123.auth.marketingcloudapis.com", "--mc-client-id", "a", "--mc-client-secret", "b"],
                            capsys)
    assert code == 2 and "bare tenant prefix" in err


def test_output_must_be_yaml_or_json(capsys) -> None:
    code, _, err = run_main(["collect", "-o", "snapshot.txt", "--only", "mc"], capsys)
    assert code == 2 and ".yaml, .yml or .json" in err


def test_plain_http_login_url_is_refused(tmp_path: Path, capsys) -> None:
    output = tmp_path / "s.yaml"
    code, _, err = run_main(["collect", "-o", str(output), "--only", "sf", "--sf-login-url", "http://login.example.com",
                             "--sf-username", "u", "--sf-password", "p", *FAST], capsys)
    assert code == 3 and "use https" in err
    assert "use https" in output.read_text(encoding="utf-8")  # recorded in the snapshot, too


def test_prompt_asks_for_what_is_missing() -> None:
    asked: list[tuple[str, bool]] = []

    def prompt(label: str, hide: bool) -> str:
        asked.append((label, hide))
        return "typed-secret" if hide else "someone@example.com"

    redactor = Redactor()
    credentials = resolve_salesforce(SalesforceInput(), redactor, prompt)
    assert credentials.username == "someone@example.com" and credentials.password == "typed-secret"
    assert [hide for _, hide in asked] == [False, True, True]  # username shown, password and token hidden
    assert redactor.redact("x typed-secret y") == "x *** y"
    assert "typed-secret" not in repr(credentials)


def test_attestations_file_must_hold_attestations(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "att.yaml"
    bad.write_text("attestations:\n  - fact: x\n    value: true\n", encoding="utf-8")
    code, _, err = run_main(["collect", "-o", str(tmp_path / "s.yaml"), "--only", "mc", "--attestations", str(bad),
                             "--mc-subdomain", "abc", "--mc-client-id", "a", "--mc-client-secret", "b"], capsys)
    assert code == 2 and "att.yaml" in err and "attestations[0]" in err


def test_resolve_rejects_jwt_without_username(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    key.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="--sf-username"):
        resolve_salesforce(SalesforceInput(consumer_key="c", private_key_file=key), Redactor(), None)


def test_another_wsdl_file(serve, tmp_path: Path, capsys) -> None:
    from mcaudit.collectors.zeep_clients import MC_WSDL

    own = tmp_path / "partner.wsdl"
    own.write_bytes(MC_WSDL.read_bytes())
    api = serve(with_empty_sections(sample("healthy.yaml")))
    output = tmp_path / "s.json"
    code, _, err = run_main(["collect", "-o", str(output), "--only", "mc", *mc_args(api), "--mc-wsdl", str(own),
                             *FAST], capsys)
    assert code == 0, err
    assert json.loads(output.read_text(encoding="utf-8"))["marketing_cloud"]["users"]
