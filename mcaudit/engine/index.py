"""Lookups built once per snapshot, so that every rule is a dictionary access, not a scan.

Salesforce values are joined on Ids, Marketing Cloud values on keys and names; user names are
compared case-insensitively. Nothing here decides pass or fail.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cached_property

from mcaudit.engine.base import MCC_CONNECTED_APP, MCC_NAMESPACE, fold
from mcaudit.engine.index_aep import AepIndex
from mcaudit.engine.index_integrations import IntegrationIndex
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.marketing_cloud import MarketingCloudUser
from mcaudit.snapshot.salesforce import ConnectedApp, PermissionSet, SalesforceUser

__all__ = ["MCC_CONNECTED_APP", "MCC_NAMESPACE", "SnapshotIndex", "fold"]


class SnapshotIndex:
    def __init__(self, snapshot: Snapshot, as_of: datetime) -> None:
        self.snapshot = snapshot
        self.as_of = as_of  # permission-set assignments expire relative to this moment
        self.sf = snapshot.salesforce
        self.mc = snapshot.marketing_cloud

    # -- Salesforce -------------------------------------------------------------------------
    @cached_property
    def sf_users_by_id(self) -> dict[str, tuple[int, SalesforceUser]]:
        users = (self.sf.users if self.sf else None) or []
        return {user.id: (position, user) for position, user in enumerate(users)}

    @cached_property
    def sf_users_by_exact_username(self) -> dict[str, tuple[int, SalesforceUser]]:
        users = (self.sf.users if self.sf else None) or []
        return {user.username: (position, user) for position, user in enumerate(users)}

    @cached_property
    def sf_users_by_username(self) -> dict[str, tuple[int, SalesforceUser]]:
        """Folded usernames: built only when an exact lookup misses (folding 200k names costs)."""
        users = (self.sf.users if self.sf else None) or []
        return {fold(user.username): (position, user) for position, user in enumerate(users)}

    @cached_property
    def permission_sets_by_id(self) -> dict[str, PermissionSet]:
        sets = (self.sf.permission_sets if self.sf else None) or []
        return {permission_set.id: permission_set for permission_set in sets}

    @cached_property
    def group_members(self) -> dict[str, list[str]]:
        groups = (self.sf.permission_set_groups if self.sf else None) or []
        return {group.id: list(group.permission_set_ids) for group in groups}

    @cached_property
    def relevant_permission_set_ids(self) -> set[str]:
        """Permission sets and groups any rule asks about: those granting the MCC connected app
        and those of the MCC package. Indexing only these keeps 400k assignments cheap."""
        sets = (self.sf.permission_sets if self.sf else None) or []
        relevant = set(self.app_permission_set_ids)
        relevant.update(ps.id for ps in sets if fold(ps.namespace_prefix) == MCC_NAMESPACE)
        for group_id, member_ids in self.group_members.items():
            if relevant.intersection(member_ids):
                relevant.add(group_id)
        return relevant

    def _expired(self, expiration: datetime | None) -> bool:
        return expiration is not None and expiration <= self.as_of

    @cached_property
    def current_permission_sets(self) -> dict[str, set[str]]:
        """User Id -> relevant permission sets they hold now (expired assignments dropped,
        permission set groups expanded to their members)."""
        held: dict[str, set[str]] = defaultdict(set)
        assignments = (self.sf.permission_set_assignments if self.sf else None) or []
        relevant = self.relevant_permission_set_ids
        members = self.group_members
        for assignment in assignments:
            ps_id, group_id = assignment.permission_set_id, assignment.permission_set_group_id
            if ps_id not in relevant and group_id not in relevant:
                continue
            if self._expired(assignment.expiration_date):
                continue
            target = held[assignment.assignee_id]
            if ps_id:
                target.add(ps_id)
            if group_id:
                target.add(group_id)
                target.update(members.get(group_id, ()))
        return held

    @cached_property
    def expired_permission_sets(self) -> dict[str, set[str]]:
        """User Id -> relevant permission sets whose assignment has expired (to explain a failure)."""
        expired: dict[str, set[str]] = defaultdict(set)
        assignments = (self.sf.permission_set_assignments if self.sf else None) or []
        relevant = self.relevant_permission_set_ids
        for assignment in assignments:
            key = assignment.permission_set_id or assignment.permission_set_group_id
            if key in relevant and self._expired(assignment.expiration_date):
                expired[assignment.assignee_id].add(key)
        return expired

    @cached_property
    def mcc_holders(self) -> list[tuple[int, SalesforceUser]]:
        """Users holding an MCC permission: an MC for AppExchange flag or app access now."""
        users = (self.sf.users if self.sf else None) or []
        # a profile granting the app (often System Administrator) does not make everyone with
        # that profile an MCC user; only the flags and assigned permission sets do
        granting = {ps for ps in self.app_permission_set_ids if not self.is_profile_owned(ps)}
        with_access = {user_id for user_id, held in self.current_permission_sets.items() if held & granting}
        return [(position, user) for position, user in enumerate(users)
                if user.mc_appexchange_user or user.mc_appexchange_admin or user.id in with_access]

    @cached_property
    def mcc_connected_app(self) -> tuple[int, ConnectedApp] | None:
        apps = (self.sf.connected_apps if self.sf else None) or []
        for position, app in enumerate(apps):
            if fold(app.name) == MCC_CONNECTED_APP:
                return position, app
        return None

    @cached_property
    def app_permission_set_ids(self) -> set[str]:
        """Ids of permission sets (and group ids) that grant the MCC connected app."""
        found = self.mcc_connected_app
        if found is None or found[1].permission_set_ids is None:
            return set()
        granting = set(found[1].permission_set_ids)
        for group_id, member_ids in self.group_members.items():
            if granting.intersection(member_ids):
                granting.add(group_id)
        return granting

    def permission_set_label(self, permission_set_id: str) -> str:
        permission_set = self.permission_sets_by_id.get(permission_set_id)
        if permission_set is None:
            return permission_set_id
        if permission_set.is_owned_by_profile:
            return f"profile {permission_set.profile_name or permission_set.name}"
        return permission_set.label or permission_set.name

    def is_profile_owned(self, permission_set_id: str) -> bool:
        permission_set = self.permission_sets_by_id.get(permission_set_id)
        return bool(permission_set and permission_set.is_owned_by_profile)

    def sf_user(self, *, user_id: str | None, username: str | None) -> tuple[int, SalesforceUser] | None:
        if user_id and user_id in self.sf_users_by_id:
            return self.sf_users_by_id[user_id]
        if username:
            exact = self.sf_users_by_exact_username.get(username.strip())
            return exact if exact is not None else self.sf_users_by_username.get(fold(username))
        return None

    # -- Marketing Cloud --------------------------------------------------------------------
    @cached_property
    def mc_users_by_username(self) -> dict[str, tuple[int, MarketingCloudUser]]:
        users = (self.mc.users if self.mc else None) or []
        return {fold(user.username): (position, user) for position, user in enumerate(users)}

    @cached_property
    def role_aliases(self) -> dict[str, set[str]]:
        """Folded role name or key -> every folded name and key of that role."""
        aliases: dict[str, set[str]] = {}
        for role in (self.mc.roles if self.mc else None) or []:
            names = {fold(role.name)} | ({fold(role.key)} if role.key else set())
            for name in names:
                aliases[name] = names
        return aliases

    def role_names(self, roles: list[str]) -> set[str]:
        """A user's roles as folded names and keys, so a rule can match either."""
        result: set[str] = set()
        for role in roles:
            result |= self.role_aliases.get(fold(role), {fold(role)})
        return result

    @cached_property
    def top_level_mid(self) -> int | None:
        if self.mc is None:
            return None
        for unit in self.mc.business_units or []:
            if unit.is_top_level or (unit.is_top_level is None and unit.parent_mid in (None, 0)):
                return unit.mid
        return self.mc.mid

    @cached_property
    def is_multi_org(self) -> bool | None:
        if self.mc is None:
            return None
        if self.mc.multi_org is not None:
            return self.mc.multi_org
        return None

    # -- Adobe Experience Platform ---------------------------------------------------------
    @cached_property
    def aep(self) -> AepIndex:
        """Email Demographics attributes and roles as the AEP rules look them up."""
        return AepIndex(self.mc)

    # -- API integrations --------------------------------------------------------------------
    @cached_property
    def integrations(self) -> IntegrationIndex:
        """Installed packages, entry events and triggered sends as the API rules join them."""
        return IntegrationIndex(self.snapshot)
