"""Everything Canvas does differently from the LTI specifications, in one package.

- `environments`: Canvas cloud's issuers and endpoints (prod, beta, test).
- `framing`: which origins frame the tool for a Canvas issuer.
- `scopes`: the one list of LTI Advantage scopes, for the developer key and token requests.
- `developer_key`: the developer-key JSON and the dynamic registration request.
- `messages`: Canvas's extra claims and parameters on logins, launches and deep links.
- `custom`: custom fields and the expansion of Canvas variables.
- `scores`: score and submission payloads (the submission extension).
- `line_items`: how the tool finds or creates its gradebook column.
- `review`: the SpeedGrader review URL of a reflection.
- `errors`: Canvas's error shapes, read into one message.

Only `lti_tool.lti` and the services that speak to Canvas import it; nothing here imports Flask.
"""
