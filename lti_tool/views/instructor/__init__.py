"""Pages for course instructors (Canvas Teachers, TAs and Designers), one module per screen
group: `home` (workspace, program, queue, prompt page), `prompts` (editing), `placing` (deep
linking), `records` (audit log, completion report).

The review screens are their own blueprint, `lti_tool.views.review`.

Every record is looked up within the launch's course, so another course's ids answer 404.
"""

from lti_tool.views.instructor import home, placing, prompts, records
from lti_tool.views.instructor.blueprint import bp

__all__ = ["bp", "home", "placing", "prompts", "records"]
