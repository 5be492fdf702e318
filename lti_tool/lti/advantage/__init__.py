"""LTI Advantage services (AGS, NRPS) over one authorised client.

- `tokens`: client-credentials tokens, cached in the database for every process.
- `http`: authorised calls, paging, `ServiceError`.
- `ags`: line items, scores, results.  `nrps`: the roster.
- `client`: `ServiceClient`, all of them together (built once by `lti_tool.wiring`).
"""
