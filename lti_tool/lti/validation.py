"""The launch's validation chain: pylti1p3's `MessageLaunch` with its gaps closed.

Closed here: single-use nonces in the database, 60 s clock leeway, RS256 only, `aud`/`azp`
checked, platform JWKS cached and re-fetched once on an unknown `kid`, deployment recorded,
message type and version checked, and a launch whose state cookie was blocked finished through
LTI Platform Storage instead of failing.
"""

from __future__ import annotations

import json
from typing import Any, cast

import jwt
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.registration import Registration as LibRegistration

from lti_tool.lti import claims
from lti_tool.lti.adapters import STATE_COOKIE_PREFIX, Cookies, LaunchStorage, Params
from lti_tool.lti.platform_keys import PlatformKeys
from lti_tool.lti.tool_config import DbToolConf

CLOCK_LEEWAY_SECONDS = 60
ACCEPTED_MESSAGE_TYPES = (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST)


class LaunchMessage(MessageLaunch[Params, DbToolConf, LaunchStorage, Cookies]):
    platform_keys: PlatformKeys
    needs_storage_check = False

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def body(self) -> dict[str, Any]:
        """The token's claims as sent; trusted only after validate() has passed."""
        body = self._jwt.get("body")
        return cast(dict[str, Any], body) if isinstance(body, dict) else {}

    def claimed(self, name: str) -> object:
        """A claim as sent, before validation; only for logging identifiers."""
        return self.body().get(name)

    def validate(self) -> LaunchMessage:
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_claim_shapes()
            self.validate_nonce()
            self.validate_deployment()
            self.validate_message()
            self.save_launch_data()
        except Exception:
            self._validated = False
            raise
        return self

    def validate_state(self) -> LaunchMessage:
        state = self._get_request_param("state")
        if not state:
            raise LtiException("missing_state")
        if self._cookie_service.get_cookie(state) == state:
            return self
        others = any(
            name.startswith(STATE_COOKIE_PREFIX + "state-")
            for name in self._cookie_service.incoming
        )
        if not others and self._get_request_param("lti_storage_target"):
            self.needs_storage_check = True
            return self
        raise LtiException("state_mismatch" if others else "state_cookie_missing")

    def validate_jwt_format(self) -> LaunchMessage:
        super().validate_jwt_format()
        header, body = self._jwt.get("header"), self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            self._jwt = {}
            raise LtiException("bad_token")
        if header.get("alg") != "RS256":
            raise LtiException("bad_algorithm")
        if not header.get("kid"):
            raise LtiException("missing_kid")
        return self

    def get_client_id(self) -> str:
        client_id = claims.audience_client_id(self.body())
        if client_id is None:
            raise LtiException("bad_audience")
        return client_id

    def validate_registration(self) -> LaunchMessage:
        body = self.body()
        if not body.get("iss"):
            raise LtiException("missing_claim:iss")
        client_id = self.get_client_id()
        azp = body.get("azp")
        if azp is not None and azp != client_id:
            raise LtiException("bad_audience")
        self._registration = self._tool_config.find_registration_by_params(
            str(body["iss"]), client_id
        )
        if not self._registration:
            raise LtiException("unknown_registration")
        return self

    def registration(self) -> LibRegistration:
        if self._registration is None:
            raise LtiException("unknown_registration")
        return self._registration

    def get_public_key(self) -> tuple[str, str]:
        kid = str(self._jwt.get("header", {}).get("kid"))
        key_set = self.platform_keys.key_set(self.registration().get_key_set_url() or "", kid)
        for key in key_set.get("keys", []):
            if key.get("kid") == kid and key.get("alg", "RS256") == "RS256":
                public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
                return public_key, "RS256"  # type: ignore[return-value]
        raise LtiException("unknown_kid")

    def validate_jwt_signature(self) -> LaunchMessage:
        registration = self.registration()
        public_key, _alg = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=["RS256"],
                audience=registration.get_client_id(),
                issuer=registration.get_issuer(),
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LtiException("expired") from error
        except jwt.ImmatureSignatureError as error:
            raise LtiException("not_yet_valid") from error
        except jwt.InvalidAudienceError as error:
            raise LtiException("bad_audience") from error
        except jwt.exceptions.InvalidSubjectError as error:
            raise LtiException("malformed_claim:sub") from error
        except jwt.MissingRequiredClaimError as error:
            raise LtiException(f"missing_claim:{error.claim}") from error
        except jwt.InvalidTokenError as error:
            raise LtiException("bad_signature") from error
        return self

    def validate_claim_shapes(self) -> LaunchMessage:
        """Before anything is stored (the deployment id is recorded next)."""
        malformed = claims.malformed_claim(self.body())
        if malformed:
            raise LtiException(f"malformed_claim:{malformed}")
        return self

    def validate_nonce(self) -> LaunchMessage:
        nonce = str(self.body().get("nonce") or "")
        if not self._session_service.consume_nonce(nonce):
            raise LtiException("replayed_nonce")
        return self

    def validate_deployment(self) -> LaunchMessage:
        if not self.body().get(claims.DEPLOYMENT_ID):
            raise LtiException(f"missing_claim:{claims.DEPLOYMENT_ID}")
        return super().validate_deployment()  # type: ignore[return-value]

    def validate_message(self) -> LaunchMessage:
        body = self.body()
        if body.get(claims.VERSION) != "1.3.0":
            raise LtiException("bad_version")
        if body.get(claims.MESSAGE_TYPE) not in ACCEPTED_MESSAGE_TYPES:
            raise LtiException("unsupported_message")
        for name in ("sub", claims.ROLES, claims.CONTEXT):
            if not body.get(name):
                raise LtiException(f"missing_claim:{name}")
        context = body.get(claims.CONTEXT)
        if not isinstance(context, dict) or not context.get("id"):
            raise LtiException(f"missing_claim:{claims.CONTEXT}")
        return super().validate_message()  # type: ignore[return-value]

    def save_launch_data(self) -> LaunchMessage:
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self
