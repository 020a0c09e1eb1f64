from enum import StrEnum


class TaskSort(StrEnum):
    CREATED_AT = "created_at"
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    UPDATED_AT = "updated_at"
    VALUE_1 = "-created_at"
    VALUE_3 = "-updated_at"
    VALUE_5 = "-due_date"
    VALUE_7 = "-priority"

    def __str__(self) -> str:
        return str(self.value)
