"""Assignment and Grade Services: line items, scores and results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lti_tool.lti.advantage.http import AuthorizedClient, json_list, json_object, with_query
from lti_tool.lti.advantage.tokens import Credentials

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULT_CONTAINER_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"


class AgsCalls(AuthorizedClient):
    def line_item(self, credentials: Credentials, url: str) -> dict[str, Any]:
        return json_object(self.call(credentials, "GET", url, accept=LINEITEM_TYPE))

    def find_line_items(
        self, credentials: Credentials, lineitems_url: str, **filters: str
    ) -> list[dict[str, Any]]:
        url = with_query(lineitems_url, filters)
        return [
            item
            for page in self.pages(credentials, url, LINEITEM_CONTAINER_TYPE)
            for item in json_list(page)
        ]

    def create_line_item(
        self, credentials: Credentials, lineitems_url: str, line_item: Mapping[str, Any]
    ) -> dict[str, Any]:
        response = self.call(
            credentials,
            "POST",
            lineitems_url,
            accept=LINEITEM_TYPE,
            body=line_item,
            content_type=LINEITEM_TYPE,
        )
        return json_object(response)

    def update_line_item(
        self, credentials: Credentials, lineitem_url: str, changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """PUT the changed fields (Canvas keeps the others); answers the line item."""
        response = self.call(
            credentials,
            "PUT",
            lineitem_url,
            accept=LINEITEM_TYPE,
            body=changes,
            content_type=LINEITEM_TYPE,
        )
        return json_object(response)

    def post_score(
        self, credentials: Credentials, lineitem_url: str, score: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Canvas answers 200 (not 201 or 204) with `resultUrl`."""
        response = self.call(
            credentials,
            "POST",
            service_url(lineitem_url, "scores"),
            accept=SCORE_TYPE,
            body=score,
            content_type=SCORE_TYPE,
        )
        return json_object(response) if response.content else {}

    def results(
        self, credentials: Credentials, lineitem_url: str, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        url = service_url(lineitem_url, "results")
        if user_id is not None:
            url = with_query(url, {"user_id": user_id})
        return [
            result
            for page in self.pages(credentials, url, RESULT_CONTAINER_TYPE)
            for result in json_list(page)
        ]


def service_url(lineitem_url: str, leaf: str) -> str:
    """`…/line_items/7` → `…/line_items/7/scores`, keeping any query string where it belongs."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + leaf))
