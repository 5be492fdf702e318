"""The LTI Advantage scopes the tool asks for: one list for the developer key, the dynamic
registration request and every token request. Canvas grants a token only scopes its developer
key holds, so the lists must not drift apart; there is only this one."""

from __future__ import annotations

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPES = (
    AGS + "lineitem",
    AGS + "lineitem.readonly",
    AGS + "result.readonly",
    AGS + "score",
    NRPS_SCOPE,
)
