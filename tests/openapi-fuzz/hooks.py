"""Schemathesis hooks for the TRM task API.

Schemathesis's own `positive_data_acceptance` check expects every request
that matches the OpenAPI document to succeed. Three answers of this API are
decided by what is stored, which no schema can say, so for schema-valid
requests this file's check accepts exactly these and nothing else:

* 412 when the request carried an `If-Match` other than `*` (the stored
  version is not the one named: the contract's optimistic concurrency);
* 422 whose every error is one of: an `Idempotency-Key` reused with another
  body (`idempotency_key_reused`); a `project_id` / `assignee_id` (or a
  project's `parent_id`) naming nothing stored ("... not found"), at the
  body's top level or at an item of a bulk create
  (`["body", "tasks", i, field]`); a `blocked_by` id naming
  no task, or the task itself (`["body", "blocked_by", j]`, in a bulk
  create `["body", "tasks", i, "blocked_by", j]`); a `due_date` before the
  `start_date` (the one rule between two fields, which a PATCH checks
  against the stored one), likewise; a task list's `cursor` sent with
  another `sort` than the one it was made for ("the cursor was made for
  sort=…": every cursor of the published shape is a position in some
  order, but in one order only — a rule between two parameters).

Every other non-2xx answer to a schema-valid request still fails the run,
so a constraint the document forgets (say, an empty tag) is still caught.
"""

import schemathesis
from schemathesis.core.failures import Failure

# What the built-in check accepts for schema-valid data.
ACCEPTED = {401, 403, 404, 409, 429}

REFERENCE_FIELDS = {"project_id", "assignee_id", "parent_id"}


class RejectedValidData(Failure):
    """A schema-valid request was rejected for a reason the contract does not give."""

    checks = ("trm_positive_data_acceptance",)
    kind_title = "Schema-valid request rejected"

    __slots__ = ("status_code",)

    def __init__(self, *, operation: str, status_code: int, body: str) -> None:
        super().__init__(operation=operation, message=f"Valid data was rejected with {status_code}: {body[:500]}")
        self.status_code = status_code

    @property
    def _unique_key(self) -> str:
        return str(self.status_code)


def _field_of(loc: object) -> object:
    """The field a `loc` names: `["body", f]`, or `["body", "tasks", i, f]`
    for an item of a bulk create; None for any other location."""
    if not isinstance(loc, list):
        return None
    if len(loc) == 2 and loc[0] == "body":
        return loc[1]
    if len(loc) == 4 and loc[:2] == ["body", "tasks"] and isinstance(loc[2], int):
        return loc[3]
    return None


def _blocker_of(loc: object) -> bool:
    """Whether a `loc` names one id of a `blocked_by` list: `["body",
    "blocked_by", j]`, or `["body", "tasks", i, "blocked_by", j]`."""
    if not isinstance(loc, list) or not loc or not isinstance(loc[-1], int):
        return False
    return loc[:-1] == ["body", "blocked_by"] or (
        len(loc) == 5 and loc[:2] == ["body", "tasks"] and isinstance(loc[2], int) and loc[3] == "blocked_by"
    )


def _stored_state_422(body: object) -> bool:
    if not isinstance(body, dict) or not isinstance(body.get("detail"), list) or not body["detail"]:
        return False
    for error in body["detail"]:
        loc = error.get("loc") if isinstance(error, dict) else None
        if loc == ["header", "Idempotency-Key"] and error.get("type") == "idempotency_key_reused":
            continue
        message = str(error.get("msg", ""))
        field = _field_of(loc)
        if field in REFERENCE_FIELDS and "not found" in message:
            continue
        if _blocker_of(loc) and ("not found" in message or "cannot block itself" in message):
            continue
        if field == "due_date" and "must not be before start_date" in message:
            continue
        if loc == ["query", "cursor"] and "the cursor was made for sort=" in message:
            continue
        return False
    return True


@schemathesis.check
def trm_positive_data_acceptance(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if 200 <= status < 400 or status in ACCEPTED:
        return None
    headers = {key.lower(): value for key, value in (case.headers or {}).items()}
    if status == 412 and headers.get("if-match", "*").strip() != "*":
        return None
    if status == 422:
        try:
            body = response.json()
        except Exception:  # noqa: BLE001 - any undecodable body is a failure below
            body = None
        if _stored_state_422(body):
            return None
    raise RejectedValidData(operation=case.operation.label, status_code=status, body=response.text)
