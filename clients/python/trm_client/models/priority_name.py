from enum import StrEnum


class PriorityName(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    URGENT = "urgent"

    def __str__(self) -> str:
        return str(self.value)
