from enum import StrEnum


class EffortUnit(StrEnum):
    DAYS = "days"
    HOURS = "hours"
    STORY_POINTS = "story_points"

    def __str__(self) -> str:
        return str(self.value)
