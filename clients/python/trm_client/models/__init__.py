"""Contains all the data models used in inputs/outputs"""

from .attempt_response import AttemptResponse
from .effort_unit import EffortUnit
from .event_response import EventResponse
from .event_response_data import EventResponseData
from .event_response_metadata import EventResponseMetadata
from .http_error import HTTPError
from .http_validation_error import HTTPValidationError
from .liveness import Liveness
from .liveness_status import LivenessStatus
from .overview import Overview
from .overview_tasks_by_status import OverviewTasksByStatus
from .priority import Priority
from .priority_level import PriorityLevel
from .priority_name import PriorityName
from .project import Project
from .project_create import ProjectCreate
from .project_status import ProjectStatus
from .project_update import ProjectUpdate
from .readiness import Readiness
from .readiness_status import ReadinessStatus
from .task import Task
from .task_at_depth import TaskAtDepth
from .task_bulk_create import TaskBulkCreate
from .task_create import TaskCreate
from .task_sort import TaskSort
from .task_status import TaskStatus
from .task_type import TaskType
from .task_update import TaskUpdate
from .user import User
from .user_create import UserCreate
from .user_update import UserUpdate
from .validation_error import ValidationError
from .webhook import Webhook
from .webhook_create import WebhookCreate
from .webhook_created import WebhookCreated
from .webhook_delivery import WebhookDelivery
from .webhook_event_type import WebhookEventType
from .webhook_update import WebhookUpdate

__all__ = (
    "AttemptResponse",
    "EffortUnit",
    "EventResponse",
    "EventResponseData",
    "EventResponseMetadata",
    "HTTPError",
    "HTTPValidationError",
    "Liveness",
    "LivenessStatus",
    "Overview",
    "OverviewTasksByStatus",
    "Priority",
    "PriorityLevel",
    "PriorityName",
    "Project",
    "ProjectCreate",
    "ProjectStatus",
    "ProjectUpdate",
    "Readiness",
    "ReadinessStatus",
    "Task",
    "TaskAtDepth",
    "TaskBulkCreate",
    "TaskCreate",
    "TaskSort",
    "TaskStatus",
    "TaskType",
    "TaskUpdate",
    "User",
    "UserCreate",
    "UserUpdate",
    "ValidationError",
    "Webhook",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookDelivery",
    "WebhookEventType",
    "WebhookUpdate",
)
