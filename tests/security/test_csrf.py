"""CSRF: every state-changing route acts only on a session token the page itself sends (form
field, query or Authorization header). The tool sets no session cookie, so a cross-site form
can carry nothing that signs the victim in; a cookie named like the token is ignored.

The LTI endpoints are the exceptions, each with its own proof: login and launch are signed by
the platform (state and nonce), launch verification checks the request's own origin, and
dynamic registration is authorised by the platform's registration token.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.reflections.conftest import Canvas, Person, Placed

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
OWN_PROOF = {
    "lti.login",
    "lti.launch",
    "lti.launch_verify",
    "lti.register",
    "lti.register_invited",  # the invite in its path is the proof
}


def state_changing_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if STATE_CHANGING & set(rule.methods or ())
        and not rule.endpoint.startswith("demo")
        and rule.endpoint not in OWN_PROOF
    ]


def concrete_path(rule: Rule, placed: Placed) -> str:
    """The rule's path with the placed prompt for every id (real ids, so a refusal is not a
    404 in disguise)."""
    return re.sub(r"<int:\w+>", str(placed.prompt_id), rule.rule)


def test_every_state_changing_route_refuses_a_request_without_the_token(
    app: Flask, client: FlaskClient, canvas: Canvas, placed: Placed
) -> None:
    author = placed.launch(canvas, "student-a")
    teacher = canvas.instructor()
    rules = state_changing_rules(app)
    assert len(rules) >= 10, [rule.endpoint for rule in rules]
    for rule in rules:
        path = concrete_path(rule, placed)
        owner = author if rule.endpoint.startswith("participant.") else teacher
        for method in sorted(STATE_CHANGING & set(rule.methods or ())):
            forged = client.open(path, method=method, data={"text": "forged", "body": "forged"})
            assert forged.status_code == 401, (rule.endpoint, method, forged.status_code)
            client.set_cookie("st", owner.token, domain="localhost")
            with_cookie = client.open(path, method=method, data={"text": "forged"})
            client.delete_cookie("st", domain="localhost")
            assert with_cookie.status_code == 401, (rule.endpoint, "token in a cookie")
            genuine = _send_as(owner, method, path)
            assert genuine.status_code not in (401, 403), (rule.endpoint, genuine.status_code)


def _send_as(person: Person, method: str, path: str) -> object:
    """The same request as the person's own page would send it: it passes authentication."""
    response = person.client.open(path, method=method, data={"st": person.token})
    person._refresh(response)
    return response
