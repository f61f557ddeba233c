"""Subjects: what a rule is evaluated on, one result per subject.

Each selector turns the snapshot into a list of Subjects. A subject's `view` exposes plain
attributes (strings, booleans, lists) that declarative checks compare; derived attributes are
computed from the snapshot index. An attribute raises NotApplicable when the question does not
arise and Missing when the data behind it was not collected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcaudit.engine.base import MCC_NAMESPACE, Missing, ModelView, NotApplicable, Subject, fold, plain
from mcaudit.engine.context import Context, EvaluationConfig
from mcaudit.engine.index import SnapshotIndex
from mcaudit.engine.subjects_aep import AEP_SUBJECTS
from mcaudit.engine.subjects_health import HEALTH_SUBJECTS
from mcaudit.engine.subjects_integrations import INTEGRATION_SUBJECTS
from mcaudit.engine.subjects_rotation import ROTATION_SUBJECTS
from mcaudit.findings import Attested
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.marketing_cloud import MarketingCloudUser
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    MccConnector,
    SalesforceUser,
    SystemUserCandidate,
    SystemUserSource,
    UserRef,
)


class Names(tuple[str, ...]):
    """Folded names and keys to match against, shown to people as the original labels."""

    display: str

    def __new__(cls, match: set[str], labels: list[str]) -> Names:
        names = super().__new__(cls, sorted(match))
        names.display = ", ".join(labels) or "none"
        return names


# -- who the System User is ------------------------------------------------------------------

SYSTEM_USER_FACT = "salesforce.mcc_connector.system_user"
MCC_APP = "the Salesforce Marketing Cloud app"


@dataclass(frozen=True)
class SystemUserIdentity:
    """Who the System User is and how mcaudit knows it.

    The MCC package does not store the System User: it is chosen in Marketing Cloud and no API
    returns it. So every finding about it says where the name came from, and an inferred name is
    labelled as such, never shown as a fact.
    """

    user_id: str | None
    username: str | None
    identified_by: str  # option / declared / attested / inferred
    how: str  # e.g. "declared in the snapshot", "attested by X on DATE", "inferred from ...; confirm it"
    attested: Attested | None = None
    basis: str | None = None  # inferred only: what the inference rests on ("from OAuth tokens for ...")

    @property
    def name(self) -> str:
        return self.username or self.user_id or "?"

    @property
    def inferred(self) -> bool:
        return self.identified_by == "inferred"

    @property
    def display(self) -> str:
        return f"{self.name} ({self.how})"

    def evidence(self) -> str:
        return f"system user: {self.display}"


_HOW = {SystemUserSource.option: ("option", "given with --sf-system-user"),
        None: ("declared", "declared in the snapshot"),
        SystemUserSource.declared: ("declared", "declared in the snapshot")}


def _named(ref: UserRef | None) -> bool:
    return bool(ref and (ref.id or ref.username))


def system_user_identity(ctx: Context) -> SystemUserIdentity | None:
    """The System User as a person gave it (option, snapshot, attestation) or, failing that, as the
    collector inferred it. A person's word comes first: an attestation settles an inference."""
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    if connector is None:
        return None
    ref, source = connector.system_user, connector.system_user_source
    if ref is not None and _named(ref) and source is not SystemUserSource.inferred:
        identified_by, how = _HOW[source]
        return SystemUserIdentity(ref.id, ref.username, identified_by, how)
    lookup = ctx.attestation(SYSTEM_USER_FACT)
    value = str(lookup.raw_value).strip() if lookup.found else ""
    if lookup.attested is not None and value:  # a username or a User Id: joined on either
        return SystemUserIdentity(value, value, "attested", lookup.attested.label(), lookup.attested)
    if ref is not None and _named(ref):
        basis = _inference_basis(connector, ref)
        return SystemUserIdentity(ref.id, ref.username, "inferred", f"inferred {basis}; confirm it", basis=basis)
    return None


def describe_system_user(snapshot: Snapshot, config: EvaluationConfig | None = None) -> SystemUserIdentity | None:
    """system_user_identity() for callers without an evaluation context (the rotation runbook)."""
    return system_user_identity(Context(snapshot, config or EvaluationConfig()))


def _inference_basis(connector: MccConnector, ref: UserRef) -> str:
    candidate = next((c for c in connector.system_user_candidates or []
                      if (ref.id and c.user_id == ref.id)
                      or (ref.username and fold(c.username) == fold(ref.username))), None)
    reasons = []
    if candidate is not None and candidate.oauth_tokens:
        reasons.append(f"OAuth tokens for {MCC_APP}: {_token_usage(candidate)}")
    if candidate is not None and candidate.holds_system_user_permission_set:
        reasons.append("the package's Marketing Cloud System User permission set")
    if not reasons:
        return "by the collector from the org's records"
    return f"from {' and '.join(reasons)}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _token_usage(candidate: SystemUserCandidate) -> str:
    """'2 tokens, used 4,210 times, last 2026-11-19'."""
    parts = [_plural(candidate.oauth_tokens or 0, "token")]
    if candidate.oauth_use_count is not None:
        parts.append(f"used {_plural(candidate.oauth_use_count, 'time')}")
    if candidate.oauth_last_used is not None:
        parts.append(f"last {candidate.oauth_last_used.date().isoformat()}")
    return ", ".join(parts)


def candidate_evidence(candidate: SystemUserCandidate) -> str:
    """One candidate and what ties it to the connector, for a person to confirm or rule out."""
    if candidate.oauth_tokens is None:
        tokens = f"OAuth tokens for {MCC_APP} not collected"
    elif candidate.oauth_tokens == 0:
        tokens = f"no OAuth token for {MCC_APP}"
    else:
        tokens = f"OAuth tokens for {MCC_APP}: {_token_usage(candidate)}"
    parts = [tokens]
    if candidate.holds_system_user_permission_set is not None:
        held = "assigned" if candidate.holds_system_user_permission_set else "not assigned"
        parts.append(f"{held} the package's Marketing Cloud System User permission set")
    return f"candidate {candidate.username or candidate.user_id}: {'; '.join(parts)}"


# -- Salesforce views ----------------------------------------------------------------------

class OrgView:
    def __init__(self, index: SnapshotIndex) -> None:
        self._index = index

    @property
    def mcc_app_installed(self) -> bool:
        return self._index.mcc_connected_app is not None

    @property
    def connected_app_names(self) -> list[str]:
        apps = (self._index.sf.connected_apps if self._index.sf else None) or []
        return [app.name for app in apps]


class ConnectedAppView(ModelView, model=ConnectedApp):
    def __init__(self, index: SnapshotIndex, app: ConnectedApp, location: str) -> None:
        super().__init__(app, location)
        self._index = index
        self._app = app
        self._location = location

    def _granting_ids(self) -> list[str]:
        if self._app.permission_set_ids is None:
            raise Missing(f"{self._location}.permission_set_ids")
        return self._app.permission_set_ids

    @property
    def granting_permission_sets(self) -> list[str]:
        """Permission sets (not profiles) that grant access to the app."""
        return sorted(self._index.permission_set_label(ps) for ps in self._granting_ids()
                      if not self._index.is_profile_owned(ps))

    @property
    def granting_profiles(self) -> list[str]:
        return sorted(self._index.permission_set_label(ps) for ps in self._granting_ids()
                      if self._index.is_profile_owned(ps))


class SalesforceUserView(ModelView, model=SalesforceUser):
    def __init__(self, index: SnapshotIndex, user: SalesforceUser, location: str) -> None:
        super().__init__(user, location)
        self._index = index
        self._user = user
        self.location = location

    @property
    def user_id(self) -> str:
        """The user's Id, by the name rules have always used for it (the model field is `id`)."""
        return self._user.id

    def _require_app(self) -> None:
        found = self._index.mcc_connected_app
        if found is None:
            raise NotApplicable(
                "the Salesforce Marketing Cloud connected app is not installed (see SF101)"
            )
        if found[1].permission_set_ids is None:
            raise Missing(f"salesforce.connected_apps[{found[0]}].permission_set_ids")

    @property
    def app_permission_sets(self) -> list[str]:
        """Currently assigned permission sets (not profiles) that grant the MCC connected app."""
        self._require_app()
        held = self._index.current_permission_sets.get(self._user.id, set())
        granting = self._index.app_permission_set_ids
        return sorted(self._index.permission_set_label(ps) for ps in held & granting
                      if not self._index.is_profile_owned(ps))

    @property
    def app_access_via_profile(self) -> list[str]:
        self._require_app()
        held = self._index.current_permission_sets.get(self._user.id, set())
        return sorted(self._index.permission_set_label(ps).removeprefix("profile ")
                      for ps in held & self._index.app_permission_set_ids
                      if self._index.is_profile_owned(ps))

    @property
    def app_access(self) -> list[str]:
        """Every current way to the MCC connected app: permission sets, groups and the profile."""
        self._require_app()
        held = self._index.current_permission_sets.get(self._user.id, set())
        return sorted(self._index.permission_set_label(ps) for ps in held & self._index.app_permission_set_ids)

    @property
    def app_access_through_permission_set(self) -> bool:
        """False when only the profile grants the app: it works until the profile changes."""
        if self.app_permission_sets:
            return True
        if not self.app_access_via_profile:
            raise NotApplicable(f"{self._user.username} has no current access to the connected app at all "
                                "(see SF106)")
        return False

    @property
    def expired_app_permission_sets(self) -> list[str]:
        expired = self._index.expired_permission_sets.get(self._user.id, set())
        return sorted(self._index.permission_set_label(ps)
                      for ps in expired & self._index.app_permission_set_ids)

    @property
    def system_user(self) -> str | None:
        """Only the System User's view has it (its name and how it was identified); None elsewhere."""
        return None

    @property
    def package_permission_sets(self) -> list[str]:
        """Labels of the MCC managed package's permission sets this user holds now."""
        held = self._index.current_permission_sets.get(self._user.id, set())
        labels = []
        for ps_id in held:
            permission_set = self._index.permission_sets_by_id.get(ps_id)
            if permission_set and fold(permission_set.namespace_prefix) == MCC_NAMESPACE:
                labels.append(permission_set.label or permission_set.name)
        return sorted(labels)


class SystemUserView(SalesforceUserView):
    """The System User: a Salesforce user plus how mcaudit knows it is the System User."""

    def __init__(self, index: SnapshotIndex, user: SalesforceUser, location: str,
                 identity: SystemUserIdentity) -> None:
        super().__init__(index, user, location)
        self.identity = identity

    @property
    def system_user(self) -> str:
        """The name and where it came from, e.g. 'x@y.example (declared in the snapshot)'."""
        return self.identity.display

    @property
    def identified_by(self) -> str:
        """option, declared, attested or inferred."""
        return self.identity.identified_by


def identity_evidence(subject: Subject) -> tuple[str, ...]:
    """The evidence line naming the System User and its provenance, for function checks."""
    view = subject.view
    return (view.identity.evidence(),) if isinstance(view, SystemUserView) else ()


# -- Marketing Cloud views -----------------------------------------------------------------

class MarketingCloudUserView(ModelView, model=MarketingCloudUser):
    def __init__(self, index: SnapshotIndex, user: MarketingCloudUser, location: str) -> None:
        super().__init__(user, location)
        self._index = index
        self._user = user
        self.location = location

    @property
    def roles(self) -> Names | None:
        """The user's roles, matchable by name or key in any case."""
        if self._user.roles is None:
            return None
        return Names(self._index.role_names(self._user.roles), self._user.roles)

    @property
    def default_business_unit_is_top_level(self) -> bool | None:
        """Outside multi-org the API user should default to the top-level business unit."""
        if self._index.is_multi_org is not False:
            raise NotApplicable("the account is multi-org (or not known not to be): each business unit "
                                "is connected on its own")
        top = self._index.top_level_mid
        default = self._user.default_business_unit
        if top is None:
            raise Missing("marketing_cloud.business_units")
        if default is None:
            raise Missing(f"{self.location}.default_business_unit")
        return default == top

    @property
    def salesforce_status(self) -> str | None:
        integration = self._user.salesforce_integration
        return plain(integration.status) if integration else None

    @property
    def salesforce_username(self) -> str | None:
        integration = self._user.salesforce_integration
        return integration.salesforce_username if integration else None


class ConnectorView(ModelView, model=MccConnector):
    def __init__(self, index: SnapshotIndex, identity: SystemUserIdentity | None) -> None:
        connector = index.sf.mcc_connector if index.sf else None
        if connector is None:
            raise Missing("salesforce.mcc_connector")
        super().__init__(connector, "salesforce.mcc_connector")
        self._index = index
        self.identity = identity

    @property
    def system_user(self) -> str | None:
        """The System User's name and where it came from; None when no one identified it."""
        return self.identity.display if self.identity else None

    @property
    def system_user_source(self) -> str | None:
        """option, declared, attested or inferred (None: not identified)."""
        return self.identity.identified_by if self.identity else None

    @property
    def system_user_identified(self) -> bool:
        """Named by a person (option, snapshot, attestation); an inference is not an identification."""
        return self.identity is not None and not self.identity.inferred

    @property
    def system_user_found(self) -> bool:
        identity = self.identity
        if identity is None:
            return False
        return self._index.sf_user(user_id=identity.user_id, username=identity.username) is not None


class AccountView:
    def __init__(self, index: SnapshotIndex) -> None:
        self._index = index

    @property
    def mcc_api_user_found(self) -> bool:
        mc = self._index.mc
        if mc is None or not mc.mcc_api_user:
            raise Missing("marketing_cloud.mcc_api_user")
        if mc.users is None:
            raise Missing("marketing_cloud.users")
        return fold(mc.mcc_api_user) in self._index.mc_users_by_username

    @property
    def api_users_excluded_from_password_expiration(self) -> bool | None:
        security = self._index.mc.security if self._index.mc else None
        if security is None:
            return None
        return security.api_users_excluded_from_password_expiration


# -- selectors -------------------------------------------------------------------------------

def _system_user(ctx: Context) -> list[Subject]:
    index = ctx.index
    identity = system_user_identity(ctx)
    if identity is None:
        return []
    found = index.sf_user(user_id=identity.user_id, username=identity.username)
    if found is None:
        return []
    position, user = found
    location = f"salesforce.users[{position}]"
    # an inferred System User is checked like a named one, but never shown as one
    label = f"System User {user.username}" + (" (inferred)" if identity.inferred else "")
    return [Subject(user.username, label, location, SystemUserView(index, user, location, identity))]


def _system_user_id(ctx: Context) -> str | None:
    subjects = _system_user(ctx)
    return subjects[0].view.user_id if subjects else None


def _users_holding_mcc(ctx: Context, *, active_only: bool) -> list[Subject]:
    index = ctx.index
    system_user_id = _system_user_id(ctx)
    subjects = []
    for position, user in index.mcc_holders:
        if user.id == system_user_id:
            continue  # the System User has stricter rules of its own (SF106, SF111-SF117)
        if active_only and user.is_active is not True:
            continue
        location = f"salesforce.users[{position}]"
        subjects.append(Subject(user.username, f"user {user.username}", location,
                                SalesforceUserView(index, user, location)))
    return subjects


def _impacted_users(ctx: Context) -> list[Subject]:
    return _users_holding_mcc(ctx, active_only=True)


def _mcc_permission_holders(ctx: Context) -> list[Subject]:
    return _users_holding_mcc(ctx, active_only=False)


def _org(ctx: Context) -> list[Subject]:
    org_id = (ctx.index.sf.org_id if ctx.index.sf else None) or "unknown org id"
    return [Subject(org_id, f"Salesforce org {org_id}", "salesforce", OrgView(ctx.index))]


def _mcc_connected_app(ctx: Context) -> list[Subject]:
    found = ctx.index.mcc_connected_app
    if found is None:
        return []
    position, app = found
    location = f"salesforce.connected_apps[{position}]"
    return [Subject(app.name, f"connected app '{app.name}'", location,
                    ConnectedAppView(ctx.index, app, location))]


def _connector(ctx: Context) -> list[Subject]:
    return [Subject("mcc_connector", "MCC connector configuration", "salesforce.mcc_connector",
                    ConnectorView(ctx.index, system_user_identity(ctx)))]


def _mc_api_user(ctx: Context) -> list[Subject]:
    mc = ctx.index.mc
    if mc is None or not mc.mcc_api_user:
        return []
    found = ctx.index.mc_users_by_username.get(fold(mc.mcc_api_user))
    if found is None:
        return []
    position, user = found
    location = f"marketing_cloud.users[{position}]"
    return [Subject(user.username, f"MC API user {user.username}", location,
                    MarketingCloudUserView(ctx.index, user, location))]


def _mc_account(ctx: Context) -> list[Subject]:
    mc = ctx.index.mc
    mid = mc.mid if mc and mc.mid is not None else "unknown MID"
    return [Subject(str(mid), f"Marketing Cloud account {mid}", "marketing_cloud",
                    AccountView(ctx.index))]


_CONNECTION_SUBJECTS: dict[str, Callable[[Context], list[Subject]]] = {
    "sf.org": _org,
    "sf.mcc_connected_app": _mcc_connected_app,
    "sf.connector": _connector,
    "sf.system_user": _system_user,
    "sf.impacted_users": _impacted_users,
    "sf.mcc_permission_holders": _mcc_permission_holders,
    "mc.api_user": _mc_api_user,
    "mc.account": _mc_account,
}



Selectors = dict[str, Callable[[Context], list[Subject]]]


def _merged(*registries: Selectors) -> Selectors:
    """One registry of every selector; a name defined twice is a mistake, not an override."""
    merged: Selectors = {}
    for registry in registries:
        if merged.keys() & registry.keys():
            raise RuntimeError(f"subject selector defined twice: {sorted(merged.keys() & registry.keys())}")
        merged.update(registry)
    return merged


# the connection checklist's selectors above; each feature's selectors live in its own module
SUBJECTS = _merged(_CONNECTION_SUBJECTS, ROTATION_SUBJECTS, AEP_SUBJECTS, INTEGRATION_SUBJECTS, HEALTH_SUBJECTS)
