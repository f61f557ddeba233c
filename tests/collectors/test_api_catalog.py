"""The API catalog is sourced and sound, and the collectors use only names it holds.

mcaudit must never guess an API name: every entry of api_catalog.yaml names its public source, and
the statements the collectors send (SOQL in queries.py, SOAP property lists in the Marketing Cloud
collector, REST paths in journeys.py and contacts.py) are checked statically against the catalog,
so an invented field fails here rather than as INVALID_FIELD in a customer's org.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mcaudit import apicatalog as api
from mcaudit.collectors.salesforce import queries

from ..conftest import ROOT

MC_DIR = ROOT / "mcaudit" / "collectors" / "marketing_cloud"


# -- the catalog itself ---------------------------------------------------------------------------

def test_every_entry_has_a_source_with_an_address() -> None:
    data = api.catalog()
    assert data.sources
    for tag, address in data.sources.items():
        assert address.startswith(("https://", "github ")) or "(copy:" in address, f"{tag}: {address!r}"
    for kind, name, tags in data.entries():
        assert tags, f"{kind} {name} has no source"
        for tag in tags:
            assert tag in data.sources, f"{kind} {name}: source tag {tag} has no address"
        assert api.source_of(kind, name)


def test_every_source_tag_is_used() -> None:
    data = api.catalog()
    used = {tag for _, _, tags in data.entries() for tag in tags}
    assert set(data.sources) - used == set()


def test_value_sets_are_non_empty_and_duplicate_free() -> None:
    data = api.catalog()
    assert data.value_sets
    for name, values in data.value_sets.items():
        assert values, name
        assert len(set(values)) == len(values), f"{name} repeats a value"


def test_objects_list_each_field_once() -> None:
    for obj in api.catalog().objects.values():
        assert len(set(obj.fields)) == len(obj.fields), obj.name
        assert obj.api in {"rest", "tooling"}, obj.name


@pytest.mark.parametrize(("object_name", "fields"), [
    ("Organization", ["Id", "Name", "InstanceName", "IsSandbox"]),
    ("ConnectedApplication", ["Id", "Name", "OptionsAllowAdminApprovedUsersOnly", "OptionsRefreshTokenValidityMetric",
                              "RefreshTokenValidityPeriod"]),
    ("SetupEntityAccess", ["ParentId", "SetupEntityId", "SetupEntityType"]),
    ("PermissionSet", ["Id", "Name", "Label", "NamespacePrefix", "IsOwnedByProfile", "ProfileId", "Profile.Name"]),
    ("PermissionSetGroup", ["Id", "DeveloperName"]),
    ("PermissionSetGroupComponent", ["PermissionSetGroupId", "PermissionSetId"]),
    ("PermissionSetAssignment", ["AssigneeId", "PermissionSetId", "PermissionSetGroupId", "ExpirationDate",
                                 "IsActive"]),
    ("User", ["Id", "Username", "Name", "Email", "IsActive", "ProfileId", "UserPermissionsMarketingUser",
              "Profile.Name", "Profile.UserLicense.Name", "et4ae5__ExactTargetForAppExchangeUser__c",
              "et4ae5__ExactTargetForAppExchangeAdmin__c"]),
    ("UserLogin", ["UserId", "IsFrozen", "IsPasswordLocked"]),
    ("OauthToken", ["AppName", "UserId", "UseCount", "LastUsedDate", "CreatedDate", "DeleteToken"]),
    ("InstalledSubscriberPackage", ["SubscriberPackage.NamespacePrefix", "SubscriberPackageVersion.MajorVersion",
                                    "SubscriberPackageVersion.MinorVersion", "SubscriberPackageVersion.PatchVersion"]),
    ("ApexTrigger", ["Name", "TableEnumOrId", "Status", "Body", "NamespacePrefix", "UsageAfterInsert"]),
    ("FlowDefinitionView", ["ApiName", "IsActive", "ProcessType", "InstalledPackageName", "ActiveVersionId"]),
    ("et4ae5__Business_Unit__c", ["Id", "Name", "et4ae5__Business_Unit_ID__c", "et4ae5__Enabled__c",
                                  "et4ae5__IsParentAccountMID__c"]),
    ("et4ae5__SendDefinition__c", ["Id", "Name", "et4ae5__SendStatus__c", "et4ae5__Scheduled_Date_Time__c",
                                   "et4ae5__Business_Unit__r.et4ae5__Business_Unit_ID__c"]),
    ("et4ae5__Automated_Send__c", ["Id", "Name", "et4ae5__Active__c", "et4ae5__Object__c",
                                   "et4ae5__Business_Unit__c", "RecordTypeId"]),
    ("et4ae5__Triggered_Send_Execution__c", ["et4ae5__Status__c", "et4ae5__Scheduled_Date_Time__c"]),
])
def test_loader_answers_for_the_collected_objects(object_name: str, fields: list[str]) -> None:
    known = api.soql_fields(object_name)
    for field in fields:
        assert field in known, f"{object_name}.{field}"
        assert api.is_soql_field(object_name, field.upper()), "SOQL names are case-insensitive"


@pytest.mark.parametrize(("object_name", "package_fields"), [
    ("et4ae5__Configuration__c", 30), ("et4ae5__Business_Unit__c", 8), ("et4ae5__Automated_Send__c", 59),
    ("et4ae5__SendDefinition__c", 92), ("et4ae5__Triggered_Send_Execution__c", 10)])
def test_package_objects_list_every_package_field(object_name: str, package_fields: int) -> None:
    fields = api.soql_object(object_name).fields
    assert sum(field.startswith("et4ae5__") for field in fields) == package_fields
    assert {"Id", "Name", "OwnerId", "CreatedDate", "LastModifiedDate", "IsDeleted"} <= set(fields)


def test_invented_names_are_not_in_the_catalog() -> None:
    assert not api.is_soql_field("et4ae5__Configuration__c", "et4ae5__System_User__c")
    assert not api.is_soql_field("et4ae5__Configuration__c", "et4ae5__Scope_By_User__c")
    assert not api.is_soql_field("NoSuchObject", "Id")
    with pytest.raises(KeyError):
        api.soql_fields("NoSuchObject")


def test_value_sets_the_collectors_rely_on() -> None:
    send_status = api.value_set("et4ae5__SendDefinition__c.et4ae5__SendStatus__c")
    assert len(send_status) == 13
    assert {"Canceled", "Pending Tracking Subscription", "Send Queued", "Processing Data"} <= set(send_status)
    assert api.value_set("TriggeredSendStatusEnum") == ("New", "Inactive", "Active", "Canceled", "Deleted", "Moved")
    assert "Paused" in api.value_set("JourneyStatus")
    assert "SalesforceObjectTriggerV2" in api.value_set("EventDefinitionType")
    assert api.value_set("ConnectedApp.oauthPolicy.ipRelaxation") == (
        "ENFORCE", "BYPASS_2FACTOR", "BYPASS", "ENFORCE_RELAXREFRESH")
    assert set(api.value_set("ConnectedApp.oauthPolicy.refreshTokenPolicy")) == {
        "zero", "infinite", "specific_lifetime", "specific_inactivity"}
    assert api.value_set("SetupEntityAccess.SetupEntityType").count("ConnectedApplication") == 1


def test_soap_properties_include_nested_paths() -> None:
    assert {"Client.ID", "TriggeredSendStatus", "CategoryID"} <= api.soap_properties("TriggeredSendDefinition")
    assert {"AccountUser.AccountUserID", "Account.ID"} <= api.soap_properties("AccountUserAccount")
    assert "Description" in api.soap_properties("BusinessUnit")  # BusinessUnit extends Account
    assert "Description" not in api.soap_properties("Account")
    with pytest.raises(KeyError):
        api.soap_properties("NoSuchType")


def test_rest_paths_match_templates() -> None:
    assert api.is_rest_path("interaction/v1/interactions")
    assert api.is_rest_path("/interaction/v1/interactions/0a1b2c3d?versionNumber=2")
    assert api.is_rest_path("/services/data/v59.0/tooling/query/")
    assert not api.is_rest_path("/interaction/v1/interactions/a/b")
    assert not api.is_rest_path("/interaction/v2/interactions")
    assert "$pageSize" in api.rest_params("/interaction/v1/eventDefinitions")
    with pytest.raises(KeyError):
        api.rest_params("/nope")


# -- static conformance: SOQL in queries.py -------------------------------------------------------

_SOQL = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_CLAUSE_END = re.compile(r"\b(?:ORDER\s+BY|GROUP\s+BY|LIMIT|OFFSET)\b", re.IGNORECASE)
# a field name directly followed by a comparison operator
_CONDITION = re.compile(r"([A-Za-z_][\w.]*)\s*(?:<>|!=|<=|>=|=|<|>|\bNOT\s+IN\b|\bIN\b|\bLIKE\b|\bINCLUDES\b"
                        r"|\bEXCLUDES\b)", re.IGNORECASE)
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")


def parse_soql(statement: str) -> tuple[str, list[str]]:
    """(object, fields named in SELECT and WHERE) of a plain SOQL statement; subqueries, aggregates
    and other constructs this tiny parser does not understand fail loudly."""
    match = _SOQL.match(statement)
    assert match, f"not a SELECT ... FROM statement: {statement!r}"
    selected = [field.strip() for field in match.group("fields").split(",")]
    for field in selected:
        assert re.fullmatch(r"[A-Za-z_][\w.]*", field), f"unsupported SELECT item {field!r} in {statement!r}"
    rest = match.group("rest").strip()
    conditions: list[str] = []
    if rest:
        where = re.match(r"WHERE\s+(?P<where>.+)$", rest, re.IGNORECASE | re.DOTALL)
        assert where or _CLAUSE_END.match(rest), f"unsupported clause after FROM in {statement!r}"
        if where:
            text = _CLAUSE_END.split(_STRING_LITERAL.sub("''", where.group("where")))[0]
            conditions = _CONDITION.findall(text)
            assert conditions, f"no field found in WHERE of {statement!r}"
    return match.group("object"), selected + conditions


def _soql_statements() -> Iterator[tuple[str, str]]:
    """(label, statement) for every module-level SOQL string constant of queries.py, and for every
    function there whose parameters all have defaults or are booleans (called with each value)."""
    for name, value in vars(queries).items():
        if isinstance(value, str) and value.lstrip().upper().startswith("SELECT "):
            yield name, value
        elif inspect.isfunction(value) and value.__module__ == queries.__name__:
            for kwargs in _argument_combinations(value):
                statement = value(**kwargs)
                if isinstance(statement, str):
                    yield f"{name}({', '.join(f'{k}={v}' for k, v in kwargs.items())})", statement


def _argument_combinations(function: Callable[..., Any]) -> list[dict[str, Any]]:
    required = [param for param in inspect.signature(function).parameters.values()
                if param.default is inspect.Parameter.empty]
    # annotations are strings under `from __future__ import annotations`
    if not all(param.annotation in (bool, "bool") for param in required):
        return []
    names = [param.name for param in required]
    return [dict(zip(names, values, strict=True)) for values in itertools.product((True, False), repeat=len(names))]


def test_the_soql_parser_reads_what_the_collectors_write() -> None:
    assert parse_soql("SELECT UserId, IsFrozen FROM UserLogin WHERE IsFrozen = true") == (
        "UserLogin", ["UserId", "IsFrozen", "IsFrozen"])
    assert parse_soql("SELECT Id FROM OauthToken WHERE AppName IN ('a = b', 'c') ORDER BY UseCount") == (
        "OauthToken", ["Id", "AppName"])
    assert parse_soql("select Profile.Name from User")[1] == ["Profile.Name"]


def test_queries_module_has_statements() -> None:
    labels = [label for label, _ in _soql_statements()]
    assert any(label.startswith("users(") for label in labels)
    assert len(labels) >= 8


@pytest.mark.parametrize(("label", "statement"), list(_soql_statements()), ids=lambda value: str(value)[:60])
def test_soql_names_only_catalog_objects_and_fields(label: str, statement: str) -> None:
    object_name, fields = parse_soql(statement)
    try:
        api.soql_object(object_name)
    except KeyError:
        pytest.fail(f"{label}: object {object_name} is not in the API catalog")
    unknown = sorted({field for field in fields if not api.is_soql_field(object_name, field)})
    assert not unknown, f"{label}: {object_name} has no {', '.join(unknown)} in the API catalog"


def test_soql_literals_are_catalog_values() -> None:
    """A value compared with a field that has a catalog value set (a picklist) must be one of its values."""
    checked = 0
    for label, statement in _soql_statements():
        object_name, _ = parse_soql(statement)
        for field, value in re.findall(r"([A-Za-z_][\w.]*)\s*=\s*'([^']*)'", statement):
            name = f"{api.soql_object(object_name).name}.{field}"
            if name in api.catalog().value_sets:
                assert value in api.value_set(name), f"{label}: {value!r} is not a value of {name}"
                checked += 1
    assert checked, "no picklist literal found (SetupEntityType = 'ConnectedApplication' is expected)"


# -- static conformance: SOAP properties in the Marketing Cloud collector --------------------------

def _module_constants(tree: ast.Module) -> dict[str, Any]:
    constants: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return constants


def _literal(node: ast.expr, constants: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return constants[node.id]
    return ast.literal_eval(node)


def _retrieve_calls() -> list[tuple[str, list[str]]]:
    """(object type, properties) of every `self._retrieve(soap, progress, "<Type>", [...])` in the collector."""
    tree = ast.parse((MC_DIR / "collector.py").read_text(encoding="utf-8"))
    constants = _module_constants(tree)
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        args = node.args
        if isinstance(node.func, ast.Name) and node.func.id == "partial" and args:  # partial(self._retrieve, ...)
            node, args = args[0], args[1:]
        target = node.func if isinstance(node, ast.Call) else node
        if isinstance(target, ast.Attribute) and target.attr == "_retrieve" and len(args) >= 4:
            calls.append((_literal(args[2], constants), list(_literal(args[3], constants))))
    return calls


def test_the_collector_retrieves_soap_objects() -> None:
    retrieved = {object_type for object_type, _ in _retrieve_calls()}
    assert {"BusinessUnit", "AccountUser", "AccountUserAccount", "Role", "TriggeredSendDefinition"} <= retrieved


@pytest.mark.parametrize(("object_type", "properties"), _retrieve_calls(), ids=lambda value: str(value)[:40])
def test_soap_properties_are_catalog_properties(object_type: str, properties: list[str]) -> None:
    known = api.soap_properties(object_type)
    not_retrievable = api.catalog().soap[object_type].not_retrievable
    assert not set(properties) - known, f"{object_type}: {sorted(set(properties) - known)} not in the WSDL/catalog"
    assert not set(properties) & not_retrievable, f"{object_type}: {sorted(set(properties) & not_retrievable)}"


def test_soap_filters_and_options_are_catalog_names() -> None:
    collector = (MC_DIR / "collector.py").read_text(encoding="utf-8")
    tree = ast.parse(collector)
    constants = _module_constants(tree)
    retrieved = {object_type for object_type, _ in _retrieve_calls()}
    filterable = set().union(*(api.soap_properties(object_type) for object_type in retrieved))
    filters = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr == "simple_filter"]
    assert filters
    for node in filters:
        prop, operator = (_literal(arg, constants) for arg in node.args[:2])
        assert prop in filterable, f"filter on {prop!r}, a property of no retrieved object"
        assert operator in api.value_set("SimpleOperators"), operator
        values = node.args[2]
        if prop == "TriggeredSendStatus" and isinstance(values, ast.Name) and values.id in constants:
            assert set(constants[values.id]) <= set(api.value_set("TriggeredSendStatusEnum"))
    keys = _request_keys(MC_DIR / "soap.py")
    assert {"ObjectType", "Properties", "ContinueRequest"} <= keys, "soap.py builds no RetrieveRequest"
    assert keys <= api.soap_properties("RetrieveRequest"), keys - api.soap_properties("RetrieveRequest")
    filter_keywords = {keyword.arg for node in ast.walk(ast.parse((MC_DIR / "soap.py").read_text(encoding="utf-8")))
                       if isinstance(node, ast.Call) for keyword in node.keywords if keyword.arg}
    assert {"Property", "SimpleOperator", "Value"} <= filter_keywords
    assert {"Property", "SimpleOperator", "Value"} <= api.soap_properties("SimpleFilterPart")


def _request_keys(file: Path) -> set[str]:
    """Keys of the RetrieveRequest dicts soap.py builds: literals and `request["X"] = ...` assignments."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            literal = {key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
            if "ObjectType" in literal:
                keys |= literal
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name)
              and node.value.id == "request" and isinstance(node.slice, ast.Constant)):
            keys.add(str(node.slice.value))
    return keys


# -- static conformance: REST paths of the Marketing Cloud collector -------------------------------

def _path_constants(file: Path) -> dict[str, str]:
    constants = _module_constants(ast.parse(file.read_text(encoding="utf-8")))
    return {name: value for name, value in constants.items()
            if isinstance(value, str) and re.fullmatch(r"/?[a-z]+/v\d+/[\w/]+", value)}


def _params_literals(file: Path) -> set[str]:
    """Keys of the dict literals assigned to a variable named `params` (the query parameters)."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id == "params" and isinstance(value, ast.Dict):
            keys.update(key.value for key in value.keys if isinstance(key, ast.Constant) and isinstance(key.value, str))
    return keys


def _dict_keys(file: Path) -> set[str]:
    keys: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keys.update(key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str))
    return keys


@pytest.mark.parametrize("module", ["journeys.py", "contacts.py"])
def test_rest_path_constants_are_catalog_paths(module: str) -> None:
    paths = _path_constants(MC_DIR / module)
    assert paths, f"{module} defines no REST path"
    for name, path in paths.items():
        assert api.is_rest_path(path), f"{module}: {name} = {path!r} is not a catalog REST path"


def test_journey_detail_path_is_a_catalog_path() -> None:
    interactions = _path_constants(MC_DIR / "journeys.py")["INTERACTIONS"]
    assert api.is_rest_path(f"{interactions}/0a1b2c3d-0000-0000-0000-000000000000")


def test_rest_query_parameters_are_documented() -> None:
    journeys = _path_constants(MC_DIR / "journeys.py")
    contacts = _path_constants(MC_DIR / "contacts.py")
    # the journey list's own parameters, and the paging parameters rest.py adds to every list call
    journey_params = _params_literals(MC_DIR / "journeys.py")
    paging = {key for key in _dict_keys(MC_DIR / "rest.py") if key.startswith("$")}
    assert journey_params and paging == {"$page", "$pageSize"}
    assert journey_params <= set(api.rest_params(journeys["INTERACTIONS"]))
    for path in [*journeys.values(), *contacts.values()]:
        assert paging <= set(api.rest_params(path)), f"{path}: {sorted(paging - set(api.rest_params(path)))}"


def test_token_request_and_response_names_are_documented() -> None:
    token = (MC_DIR / "token.py").read_text(encoding="utf-8")
    entry = api.rest_path("/v2/token")
    assert entry is not None
    for name in ("grant_type", "client_id", "client_secret", "account_id"):
        if f'"{name}"' in token:
            assert name in entry.params
    # the success response as _request reads it (the OAuth error body is another matter)
    request = next(node for node in ast.walk(ast.parse(token))
                   if isinstance(node, ast.FunctionDef) and node.name == "_request")
    read = re.findall(r"data\.get\(['\"](\w+)['\"]\)", ast.unparse(request))
    assert {"access_token", "rest_instance_url", "soap_instance_url"} <= set(read)
    assert set(read) <= set(entry.fields), set(read) - set(entry.fields)
