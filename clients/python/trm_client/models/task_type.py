from enum import StrEnum


class TaskType(StrEnum):
    BUG = "bug"
    CHORE = "chore"
    DOCUMENTATION = "documentation"
    FEATURE = "feature"
    IMPROVEMENT = "improvement"
    MEETING = "meeting"
    RESEARCH = "research"

    def __str__(self) -> str:
        return str(self.value)
