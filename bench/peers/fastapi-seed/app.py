"""The seed's design, as `async-api-pattern.md` shows it, for the benchmarks.

FastAPI endpoints -> TaskService -> TaskRepository -> Neo4jDatabase, every
layer `async`, the official async `neo4j` driver, dependencies injected per
request with `Depends`, the same Cypher the document writes
(`MATCH (t:Task) MATCH (t)-[:IS_PART_OF_PROJECT]->(p:Project) WHERE ...
RETURN t`, `CREATE (t:Task $task_data) RETURN t`). Only what the document
leaves out is filled in, minimally and as the document implies:

* the document's `GraphDatabase.driver` is the async one here
  (`AsyncGraphDatabase`): its sessions are used with `async with` and
  `await`, which only the async driver supports; `session.close()` is
  awaited for the same reason;
* `GET /tasks/{uid}` (the document shows only the list and the create)
  follows the list's pattern with `MATCH (t:Task {uid: $uid}) RETURN t`;
* `adapt_task_response` (named, not shown) turns the driver's temporal
  values into Python ones so the response model can validate them;
* the EnumAdapter (another seed document) is a small synonym table.

It reads the graph our Neo4j adapter writes: `Task` nodes with snake_case
properties and `IS_PART_OF_PROJECT` relationships to `Project` nodes. As in
the document, the list takes no `limit` and returns every match.

Configuration: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD.
"""

import contextlib
import functools
import os
import uuid
from datetime import datetime
from typing import List, Optional

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from neo4j import AsyncGraphDatabase
from neo4j.time import DateTime as Neo4jDateTime
from pydantic import BaseModel


class EnumAdapter:
    """Canonical spellings of the task enums, from the seed's synonyms."""

    _STATUS = {
        "todo": "todo", "to do": "todo", "pending": "todo", "open": "todo", "new": "todo",
        "in_progress": "in_progress", "in progress": "in_progress", "wip": "in_progress", "doing": "in_progress",
        "in_review": "in_review", "review": "in_review", "blocked": "blocked", "backlog": "backlog",
        "done": "done", "completed": "done", "complete": "done", "closed": "done", "finished": "done",
        "cancelled": "cancelled", "canceled": "cancelled",
    }
    _TYPE = {
        "feature": "feature", "bug": "bug", "defect": "bug", "chore": "chore", "documentation": "documentation",
        "docs": "documentation", "doc": "documentation", "improvement": "improvement",
        "enhancement": "improvement", "research": "research", "meeting": "meeting",
    }

    @classmethod
    def normalize_task_status(cls, value: str) -> str:
        return cls._STATUS.get(value.strip().lower().replace("-", " ").replace("_", " "),
                               cls._STATUS.get(value.strip().lower(), value))

    @classmethod
    def normalize_task_type(cls, value: str) -> str:
        return cls._TYPE.get(value.strip().lower(), value)


class Neo4jConfig(BaseModel):
    uri: str
    username: str
    password: str


class Neo4jDatabase:
    def __init__(self, config: Neo4jConfig):
        self.config = config
        self._driver = None

    @property
    async def driver(self):
        if self._driver is None:
            self._driver = AsyncGraphDatabase.driver(
                self.config.uri,
                auth=(self.config.username, self.config.password)
            )
        return self._driver

    @contextlib.asynccontextmanager
    async def session(self):
        driver = await self.driver
        session = driver.session()
        try:
            yield session
        finally:
            await session.close()


_database = Neo4jDatabase(Neo4jConfig(
    uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
    username=os.environ.get("NEO4J_USER", "neo4j"),
    password=os.environ.get("NEO4J_PASSWORD", "trm-dev-password"),
))


def get_database() -> Neo4jDatabase:
    return _database


class TaskRepository:
    def __init__(self, db: Neo4jDatabase = Depends(get_database)):
        self.db = db

    async def get_tasks(self, filters: dict = None) -> List[dict]:
        """Get tasks with optional filtering"""
        query = "MATCH (t:Task)"
        params = {}

        # Apply filters
        if filters:
            conditions = []
            if "project_id" in filters:
                query += " MATCH (t)-[:IS_PART_OF_PROJECT]->(p:Project)"
                conditions.append("p.uid = $project_id")
                params["project_id"] = filters["project_id"]

            if "status" in filters:
                normalized_status = EnumAdapter.normalize_task_status(filters["status"])
                conditions.append("t.status = $status")
                params["status"] = normalized_status

            if conditions:
                query += " WHERE " + " AND ".join(conditions)

        query += " RETURN t"

        async with self.db.session() as session:
            result = await session.run(query, params)
            tasks = await result.data()
            return [dict(task["t"]) for task in tasks]

    async def get_task(self, uid: str) -> Optional[dict]:
        """Get one task by its uid"""
        async with self.db.session() as session:
            result = await session.run("MATCH (t:Task {uid: $uid}) RETURN t", {"uid": uid})
            data = await result.single()
            return dict(data["t"]) if data else None

    async def create_task(self, task_data: dict) -> dict:
        """Create a new task"""
        # Normalize enum values
        if "status" in task_data:
            task_data["status"] = EnumAdapter.normalize_task_status(task_data["status"])

        if "task_type" in task_data and task_data["task_type"] is not None:
            task_data["task_type"] = EnumAdapter.normalize_task_type(task_data["task_type"])

        # Set default values
        if "created_at" not in task_data:
            task_data["created_at"] = datetime.utcnow()

        task_data["uid"] = str(uuid.uuid4())

        # Create task in database
        query = """
        CREATE (t:Task $task_data)
        RETURN t
        """

        async with self.db.session() as session:
            result = await session.run(query, {"task_data": task_data})
            data = await result.single()
            return dict(data["t"])


def get_task_repository(db: Neo4jDatabase = Depends(get_database)) -> TaskRepository:
    return TaskRepository(db)


class TaskService:
    def __init__(self, repository: TaskRepository = Depends(get_task_repository)):
        self.repository = repository

    async def get_tasks(self, filters: dict = None) -> List[dict]:
        """Get tasks with optional filtering"""
        return await self.repository.get_tasks(filters or {})

    async def get_task(self, uid: str) -> Optional[dict]:
        return await self.repository.get_task(uid)

    async def create_task(self, task_data: dict) -> dict:
        """Create a new task"""
        # Validate required fields
        if not task_data.get("title"):
            raise ValueError("Task title is required")

        return await self.repository.create_task(task_data)


def get_task_service(repository: TaskRepository = Depends(get_task_repository)) -> TaskService:
    return TaskService(repository)


class TaskCreateSchema(BaseModel):
    title: str
    description: Optional[str] = None
    status: str = "todo"
    task_type: Optional[str] = None
    priority: Optional[int] = 0
    project_id: Optional[str] = None


class TaskResponseSchema(BaseModel):
    uid: str
    title: str
    description: Optional[str] = None
    status: str
    task_type: Optional[str] = None
    priority: Optional[int] = None
    project_id: Optional[str] = None
    effort_estimate: Optional[float] = None
    effort_unit: Optional[str] = None
    tags: Optional[List[str]] = None
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None


def _native(value):
    return value.to_native() if isinstance(value, Neo4jDateTime) else value


def _adapt(task):
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    return {key: _native(value) for key, value in task.items()}


def adapt_task_response(endpoint):
    """Turns the driver's values into ones the response model accepts."""

    @functools.wraps(endpoint)
    async def wrapper(*args, **kwargs):
        result = await endpoint(*args, **kwargs)
        if isinstance(result, list):
            return [_adapt(task) for task in result]
        return _adapt(result)

    return wrapper


router = APIRouter()


@router.get("/tasks/", response_model=List[TaskResponseSchema])
@adapt_task_response
async def get_tasks(
    project_id: Optional[str] = None,
    status: Optional[str] = None,
    service: TaskService = Depends(get_task_service)
):
    """Get list of tasks with optional filtering"""
    filters = {}
    if project_id:
        filters["project_id"] = project_id
    if status:
        filters["status"] = status

    return await service.get_tasks(filters)


@router.get("/tasks/{uid}", response_model=TaskResponseSchema)
@adapt_task_response
async def get_task(uid: str, service: TaskService = Depends(get_task_service)):
    """Get one task"""
    return await service.get_task(uid)


@router.post("/tasks/", response_model=TaskResponseSchema)
@adapt_task_response
async def create_task(
    task: TaskCreateSchema,
    service: TaskService = Depends(get_task_service)
):
    """Create a new task"""
    return await service.create_task(task.model_dump())


app = FastAPI(title="TRM-OS seed (async API pattern)")
app.include_router(router, prefix="/api/v1")
