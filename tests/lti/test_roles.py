"""Course roles as Canvas sends them; institution roles never grant course rights."""

from __future__ import annotations

import pytest

from lti_tool.lti.claims import TEST_USER, course_role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([f"{M}#Instructor"], "instructor"),
        ([f"{M}/Instructor#TeachingAssistant", f"{M}#Instructor"], "instructor"),
        ([f"{M}/Instructor#TeachingAssistant"], "instructor"),
        ([f"{M}#ContentDeveloper"], "instructor"),
        ([f"{M}#Learner"], "participant"),
        ([f"{M}#Learner", TEST_USER], "participant"),
        (["Learner"], "participant"),
        (
            [f"{M}#Learner", f"{INSTITUTION}#Instructor", f"{INSTITUTION}#Administrator"],
            "participant",
        ),
        ([f"{INSTITUTION}#Instructor", f"{SYSTEM}#SysAdmin"], "other"),
        ([f"{M}#Mentor"], "other"),
        ([f"{M}#Instructor", f"{M}#Learner"], "instructor"),
        ([], "other"),
    ],
)
def test_course_role(roles: list[str], expected: str) -> None:
    assert course_role(roles) == expected
