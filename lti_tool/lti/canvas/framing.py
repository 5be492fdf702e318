"""Where Canvas frames the tool (see /work/shared/canvas-lti.md, "Where the tool is framed")."""

from __future__ import annotations

from lti_tool.lti.canvas.environments import ENVIRONMENTS


def framing_origins(issuer: str) -> set[str]:
    """Canvas cloud frames tools from each institution's own domain, not the issuer's."""
    if issuer.rstrip("/") in {env.issuer for env in ENVIRONMENTS.values()}:
        return {"https://*.instructure.com", "https://*.canvaslms.com"}
    return set()
