"""Exporting a course for its records: CSV of completion and grades, and each participant's
reflections with their feedback as a standalone HTML document anyone can open and print.

Documents are rendered by a Jinja environment of their own (autoescaped, no Flask): people's
text is escaped and shown as typed, never interpreted, and the files need no server or script.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from lti_tool.files import private_dir, private_subdir, write_private
from lti_tool.models import AuditAction, Course, FeedbackMessage, Reflection, ReflectionVersion
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.dates import format_moment
from lti_tool.services.records import (
    CourseRecords,
    ParticipantRecord,
    RecordsService,
    completion_csv,
    grades_csv,
)
from lti_tool.services.sections import blocks

_ENVIRONMENT = Environment(
    loader=PackageLoader("lti_tool", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(moment: datetime | None) -> str:
    return format_moment(moment) if moment else ""


_ENVIRONMENT.filters["when"] = _when
_ENVIRONMENT.globals["sections_of"] = blocks


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    participants: int
    documents: list[Path]


class CourseExport:
    def __init__(self, session: Session) -> None:
        self.session = session

    def write(self, course: Course, out_dir: Path, *, actor: Actor) -> ExportResult:
        """Write `grades.csv`, `completion.csv` and `reflections/` (an index and one document
        per participant) into `out_dir`, readable by the exporting account only; audited."""
        records = RecordsService(self.session).course_records(course, everyone=True)
        folder = private_subdir(private_dir(out_dir), "reflections")
        write_private(out_dir / "grades.csv", grades_csv(records))
        write_private(out_dir / "completion.csv", completion_csv(records))
        documents = self._documents(records, folder)
        write_private(folder / "index.html", render_index(records, [d.name for d in documents]))
        AuditLog(self.session).course(
            AuditAction.COURSE_EXPORTED,
            actor,
            course.id,
            f"{len(records.participants)} participants",
        )
        return ExportResult(out_dir, len(records.participants), documents)

    def _documents(self, records: CourseRecords, folder: Path) -> list[Path]:
        versions, threads = self._versions(records.course), self._threads(records.course)
        paths = []
        for participant in records.participants:
            path = folder / f"participant-{participant.person.id}.html"
            write_private(path, render_participant(records.course, participant, versions, threads))
            paths.append(path)
        return paths

    def _versions(self, course: Course) -> dict[int, list[ReflectionVersion]]:
        grouped: dict[int, list[ReflectionVersion]] = defaultdict(list)
        for version in self.session.scalars(
            select(ReflectionVersion)
            .join(Reflection, Reflection.id == ReflectionVersion.reflection_id)
            .where(Reflection.course_id == course.id)
            .order_by(ReflectionVersion.reflection_id, ReflectionVersion.number)
        ):
            grouped[version.reflection_id].append(version)
        return grouped

    def _threads(self, course: Course) -> dict[int, list[FeedbackMessage]]:
        grouped: dict[int, list[FeedbackMessage]] = defaultdict(list)
        for message in self.session.scalars(
            select(FeedbackMessage)
            .join(Reflection, Reflection.id == FeedbackMessage.reflection_id)
            .where(Reflection.course_id == course.id)
            .options(joinedload(FeedbackMessage.author))
            .order_by(FeedbackMessage.id)
        ):
            grouped[message.reflection_id].append(message)
        return grouped


def render_participant(
    course: Course,
    participant: ParticipantRecord,
    versions: dict[int, list[ReflectionVersion]],
    threads: dict[int, list[FeedbackMessage]],
) -> str:
    """One participant's reflections, every version, and each feedback thread."""
    return _ENVIRONMENT.get_template("records/participant.html").render(
        course=course, participant=participant, versions=versions, threads=threads
    )


def render_index(records: CourseRecords, documents: list[str]) -> str:
    return _ENVIRONMENT.get_template("records/index.html").render(
        course=records.course, participants=zip(records.participants, documents, strict=True)
    )
