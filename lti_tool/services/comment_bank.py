"""The course's comment bank: feedback instructors keep to insert again, per prompt or for any
prompt, shared by everyone who teaches the course."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lti_tool.models import BankComment, Course, Person, Prompt
from lti_tool.services.forms import FormInvalid

MAX_BANK_COMMENT = 5_000
MAX_THEME = 100


class BankCommentInvalid(FormInvalid):
    """A comment that cannot be kept."""


class CommentBank:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        course: Course,
        author: Person,
        *,
        body: str,
        theme: str,
        prompt: Prompt | None,
        now: datetime,
    ) -> BankComment:
        body, theme = body.strip(), " ".join(theme.split())
        errors = {}
        if not body:
            errors["body"] = "Write the comment to keep in the bank."
        elif len(body) > MAX_BANK_COMMENT:
            errors["body"] = f"Keep a bank comment under {MAX_BANK_COMMENT} characters."
        if len(theme) > MAX_THEME:
            errors["theme"] = f"Keep the theme under {MAX_THEME} characters."
        if errors:
            raise BankCommentInvalid(errors)
        comment = BankComment(
            course_id=course.id,
            prompt_id=prompt.id if prompt else None,
            theme=theme,
            body=body,
            author_id=author.id,
            created_at=now,
        )
        self.session.add(comment)
        self.session.flush()
        return comment

    def for_prompt(self, course: Course, prompt: Prompt | None) -> list[BankComment]:
        """The prompt's own comments first, then those for any prompt, each by theme."""
        query = select(BankComment).where(BankComment.course_id == course.id)
        if prompt is not None:
            query = query.where(
                or_(BankComment.prompt_id == prompt.id, BankComment.prompt_id.is_(None))
            ).order_by(BankComment.prompt_id.is_(None))
        return list(self.session.scalars(query.order_by(BankComment.theme, BankComment.id)))

    def get(self, course: Course, comment_id: int) -> BankComment | None:
        comment = self.session.get(BankComment, comment_id)
        return comment if comment is not None and comment.course_id == course.id else None

    def remove(self, comment: BankComment) -> None:
        self.session.delete(comment)
