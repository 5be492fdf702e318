"""A refused login or launch, and the words the person in the iframe reads about it."""

from __future__ import annotations

from pylti1p3.exception import LtiException


class LaunchError(Exception):
    """A refused login or launch: `title` and `advice` are shown to the person in the iframe."""

    def __init__(self, title: str, advice: str, status: int = 400) -> None:
        super().__init__(title)
        self.title = title
        self.advice = advice
        self.status = status


_ERRORS: dict[str, tuple[str, str]] = {
    "missing_state": (
        "This launch did not start from Canvas",
        "Open the item from your Canvas course instead of a bookmark or a copied link.",
    ),
    "state_mismatch": (
        "This launch does not match your browser session",
        "Open the item again from your Canvas course.",
    ),
    "state_cookie_missing": (
        "Your browser blocked the tool's cookie",
        "Open the item again from Canvas; if this keeps happening, open it in a new tab or allow "
        "cookies for this site.",
    ),
    "bad_algorithm": (
        "The launch was not signed correctly",
        "Only RS256-signed launches are accepted.",
    ),
    "missing_kid": ("The launch was not signed correctly", "The token names no signing key."),
    "bad_token": ("The launch could not be read", "Open the item again from your Canvas course."),
    "bad_audience": (
        "This launch was meant for another tool",
        "The token's audience does not match this tool's client id.",
    ),
    "unknown_registration": (
        "This platform is not registered with the tool",
        "Ask your Canvas administrator to install the tool.",
    ),
    "unknown_kid": (
        "The launch was signed with an unknown key",
        "The platform's key set does not contain the key that signed this launch.",
    ),
    "expired": ("This launch has expired", "Open the item again from your Canvas course."),
    "not_yet_valid": (
        "This launch is dated in the future",
        "Check the clock of the platform's server, then try again.",
    ),
    "bad_signature": (
        "The launch signature is not valid",
        "The token was not signed by the registered platform.",
    ),
    "replayed_nonce": (
        "This launch was already used",
        "Each launch works once. Open the item again from your Canvas course.",
    ),
    "bad_version": ("Unsupported LTI version", "This tool speaks LTI 1.3.0."),
    "unsupported_message": (
        "Unsupported kind of launch",
        "This tool accepts resource link and deep linking launches.",
    ),
}


def as_launch_error(error: LtiException) -> LaunchError:
    code = str(error)
    if code in _ERRORS:
        return LaunchError(*_ERRORS[code])
    if code.startswith("missing_claim:"):
        return LaunchError(
            "The launch is missing information",
            f"The platform did not send the required claim {code.partition(':')[2]!r}.",
        )
    if code.startswith("malformed_claim:"):
        return LaunchError(
            "The launch carries information the tool cannot read",
            f"The platform sent the claim {code.partition(':')[2]!r} in a form the tool does not "
            "accept. Tell your Canvas administrator.",
        )
    if code.startswith("The platform's key set"):
        return LaunchError(
            "The platform's keys could not be read",
            "The tool could not fetch the platform's public keys. Try again in a minute.",
            status=502,
        )
    # pylti1p3's own checks (JWT format, deployment, message validators) end up here.
    return LaunchError("The launch could not be accepted", code)
