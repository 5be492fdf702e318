"""The one client for Canvas's LTI Advantage services (built once by `lti_tool.wiring`)."""

from __future__ import annotations

from lti_tool.lti.advantage.ags import AgsCalls
from lti_tool.lti.advantage.nrps import NrpsCalls


class ServiceClient(AgsCalls, NrpsCalls):
    """AGS and NRPS calls sharing one token cache, HTTP session and timeout."""
