"""What services raise when a form cannot be accepted."""

from __future__ import annotations


class FormInvalid(ValueError):
    """Fields that cannot be used: `errors` maps each field name to a message for the person."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
