from enum import StrEnum


class TaskStatus(StrEnum):
    BACKLOG = "backlog"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"
    DONE = "done"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    TODO = "todo"

    def __str__(self) -> str:
        return str(self.value)
