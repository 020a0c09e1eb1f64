from enum import StrEnum


class WebhookEventType(StrEnum):
    PROJECT_CREATED = "project.created"
    PROJECT_DELETED = "project.deleted"
    PROJECT_UPDATED = "project.updated"
    TASK_COMPLETED = "task.completed"
    TASK_CREATED = "task.created"
    TASK_DELETED = "task.deleted"
    TASK_UPDATED = "task.updated"
    USER_CREATED = "user.created"
    USER_DELETED = "user.deleted"
    USER_UPDATED = "user.updated"

    def __str__(self) -> str:
        return str(self.value)
