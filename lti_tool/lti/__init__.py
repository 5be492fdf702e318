"""LTI 1.3 and Canvas: the only package that imports pylti1p3.

`flow` (login and launch), `validation`, `adapters`, `platform_keys`, `errors`, `claims` (the
launch's data), `storage`, `keys` (the tool's signing keys), `tool_config`, `deep_linking`;
`advantage` (AGS and NRPS calls) and `canvas` (everything Canvas does its own way).
"""
