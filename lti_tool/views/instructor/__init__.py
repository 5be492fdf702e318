"""Pages for course instructors (Canvas Teachers, TAs and Designers), one module per screen
group: `home` (workspace, program, queue, prompt page), `review` (reading, feedback, grading),
`prompts` (editing), `placing` (deep linking), `records` (audit log, completion report).

Every record is looked up within the launch's course, so another course's ids answer 404.
"""

from lti_tool.views.instructor import home, placing, prompts, records, review
from lti_tool.views.instructor.blueprint import bp

__all__ = ["bp", "home", "placing", "prompts", "records", "review"]
