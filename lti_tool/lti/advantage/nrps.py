"""Names and Role Provisioning Service: the course roster, every page of it."""

from __future__ import annotations

from dataclasses import dataclass

from lti_tool.lti import claims
from lti_tool.lti.advantage.http import AuthorizedClient, ServiceError, json_object, with_query
from lti_tool.lti.advantage.tokens import Credentials

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class NrpsCalls(AuthorizedClient):
    def members(
        self, credentials: Credentials, memberships_url: str, rlid: str | None = None
    ) -> list[Member]:
        """Every page of the roster; entries the tool could not store are left out."""
        url = with_query(memberships_url, {"rlid": rlid} if rlid else {})
        members: list[Member] = []
        for page in self.pages(credentials, url, MEMBERSHIP_TYPE):
            entries = json_object(page).get("members")
            if not isinstance(entries, list):
                raise ServiceError("Canvas's roster answer holds no list of members")
            members.extend(m for m in map(Member.read, entries) if m is not None)
        return members


@dataclass(frozen=True)
class Member:
    """One roster entry, read defensively: Canvas's data, but not the tool's to trust blindly."""

    user_id: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]
    active: bool

    @classmethod
    def read(cls, entry: object) -> Member | None:
        """None for an entry without a usable user id; a name is cut to fit, an odd e-mail
        dropped."""
        if not isinstance(entry, dict):
            return None
        user_id, name, email, roles = (entry.get(k) for k in ("user_id", "name", "email", "roles"))
        if not isinstance(user_id, str | int) or not 0 < len(str(user_id)) <= claims.ID_LIMIT:
            return None
        return cls(
            user_id=str(user_id),
            name=name[: claims.TEXT_LIMIT] if isinstance(name, str) and name else None,
            email=email if isinstance(email, str) and 0 < len(email) <= claims.TEXT_LIMIT else None,
            roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
            active=entry.get("status", "Active") != "Inactive",
        )
