"""The one error a service raises when it refuses a step: which field, why, and the HTTP status to answer with.

The review workflow (`reports.review.ReviewError`) and the reviewers'
decisions on incidents (`incidents.services.IncidentActionError`) raise
subclasses of it; the API (`incidents/api/errors.py`) and the admin show
`field` and `reason` as they are. `status` is 400 (bad input), 403 (the user
may not do it), 404 (unknown) or 409 (the state forbids it now).
"""

from __future__ import annotations


class ActionRefused(Exception):
    def __init__(self, *, field: str, reason: str, status: int) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return self.reason

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field: [self.reason]}
