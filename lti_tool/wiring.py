"""The composition root: one object that owns the tool's long-lived collaborators (settings, the
database engine and session factory, the key store, the outbound HTTP client, the LTI Advantage
client) and builds every service from them.

`create_app()` builds it once (`lti_tool.web.wiring()` finds it again in a request or command);
the grade worker, the CLI, benchmarks and tests use the same object, so what depends on what is
written here and nowhere else. Nothing in this module knows Flask.

Services take one database `Session`, the unit of work of their caller: `Services` builds them
over it, each once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.config import Settings
from lti_tool.db import make_engine, transaction, utcnow
from lti_tool.http import SERVICE_PAGE, GuardedHttp
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.flow import LtiGateway
from lti_tool.lti.keys import KeyStore
from lti_tool.lti.storage import DbStorage
from lti_tool.lti.tool_config import DbToolConf
from lti_tool.services import placements
from lti_tool.services.audit import AuditLog
from lti_tool.services.background_delivery import BackgroundDelivery
from lti_tool.services.canvas_results import CanvasResults
from lti_tool.services.delivery import Sender, Worker, worker_name
from lti_tool.services.erasure import ErasureService
from lti_tool.services.export import CourseExport
from lti_tool.services.feedback import FeedbackService
from lti_tool.services.framing import FramingService
from lti_tool.services.grading import GradingService
from lti_tool.services.install import DynamicRegistration
from lti_tool.services.invites import InviteService
from lti_tool.services.launches import LaunchService
from lti_tool.services.outbox import GradeSync
from lti_tool.services.programs import ProgramService
from lti_tool.services.prompts import PromptService
from lti_tool.services.rate_limits import DEFAULT_RULES, RateLimiter, Rule
from lti_tool.services.records import RecordsService
from lti_tool.services.reflections import ReflectionService
from lti_tool.services.registrations import RegistrationService
from lti_tool.services.workspace import WorkspaceService

USER_AGENT = "lti-tool/0.1 (+reflections)"


def default_http(settings: Settings) -> GuardedHttp:
    """The one outbound client: the settings' destination rules, caps and deadlines."""
    return GuardedHttp(settings.destinations, user_agent=USER_AGENT)


@dataclass
class Wiring:
    """Everything the tool is made of, built once per process (per app instance)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    key_store: KeyStore
    http: GuardedHttp
    service_deadline: float = SERVICE_PAGE.deadline
    _delivery: BackgroundDelivery | None = field(default=None, init=False, repr=False)
    _delivery_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    rate_limits: Mapping[str, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        http: GuardedHttp | None = None,
        service_deadline: float = SERVICE_PAGE.deadline,
        rate_limits: Mapping[str, Rule] | None = None,
    ) -> Wiring:
        engine = make_engine(settings.database_url)
        key_store = KeyStore(settings.keys_dir, timedelta(hours=settings.key_overlap_hours))
        if not settings.is_production:
            key_store.ensure_key()
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessionmaker(engine, expire_on_commit=False),
            key_store=key_store,
            http=http or default_http(settings),
            service_deadline=service_deadline,
            rate_limits={**DEFAULT_RULES, **(rate_limits or {})},
        )

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def refresh_placements(self) -> int:
        """The worker's upkeep: read the placed prompts of every course gone stale."""
        return placements.refresh_stale(self.sessions, self.service_client, utcnow())

    @cached_property
    def service_client(self) -> ServiceClient:
        """The one LTI Advantage client (its token cache lives in the database)."""
        return ServiceClient(
            self.http, self.key_store, self.sessions, deadline=self.service_deadline
        )

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Per-address limits on the LTI entrances, counted in the database (all instances)."""
        return RateLimiter(self.sessions, self.rate_limits)

    @contextmanager
    def unit_of_work(self) -> Iterator[Services]:
        """Services over a new session outside a request (CLI, worker, seeding): committed when
        the block succeeds, rolled back when it raises."""
        with transaction(self.sessions) as session:
            yield self.services(session)

    def services(self, session: Session) -> Services:
        return Services(self, session)

    def canvas_results(self, read_interval: timedelta) -> CanvasResults:
        """Reads Canvas's grades back, in its own short transactions."""
        return CanvasResults(self.sessions, self.service_client, read_interval=read_interval)

    def sender(self, name: str | None = None) -> Sender:
        """A grade sender with its own short transactions (never the caller's)."""
        return Sender(self.sessions, self.service_client, name=name or worker_name())

    def worker(self, name: str | None = None, *, poll: float = 5.0) -> Worker:
        return Worker(self.sender(name), poll=poll)

    @property
    def background_delivery(self) -> BackgroundDelivery:
        """This process's delivery thread, which web requests hand what they queued to (made on
        first use, so a forking server starts it in the process that serves)."""
        with self._delivery_lock:
            if self._delivery is None:
                self._delivery = BackgroundDelivery(self.sender(worker_name("web")))
            return self._delivery

    def stop_delivery(self) -> None:
        """Let the delivery thread finish what it was handed, then stop it (if it was made)."""
        with self._delivery_lock:
            delivery = self._delivery
        if delivery is not None:
            delivery.wait_idle()
            delivery.stop()

    def dispose(self) -> None:
        """Stop the delivery thread and close the engine's connections (tests, shutdown)."""
        self.stop_delivery()
        self.engine.dispose()


class Services:
    """Every service over one session: the caller's unit of work, committed by the caller."""

    def __init__(self, wiring: Wiring, session: Session) -> None:
        self.wiring = wiring
        self.session = session

    # LTI --------------------------------------------------------------------------------------

    @cached_property
    def registrations(self) -> RegistrationService:
        return RegistrationService(self.session, destinations=self.wiring.http.policy)

    @cached_property
    def tool_conf(self) -> DbToolConf:
        return DbToolConf(self.registrations, self.wiring.key_store)

    @cached_property
    def gateway(self) -> LtiGateway:
        return LtiGateway(
            self.tool_conf,
            DbStorage(self.session),
            base_url=self.wiring.base_url,
            http=self.wiring.http,
        )

    @cached_property
    def dynamic_registration(self) -> DynamicRegistration:
        return DynamicRegistration(self.session, self.wiring.http, self.wiring.base_url)

    @cached_property
    def invites(self) -> InviteService:
        return InviteService(self.session)

    @cached_property
    def launches(self) -> LaunchService:
        return LaunchService(
            self.session,
            programs=self.programs,
            prompts=self.prompts,
            reflections=self.reflections,
            framing=self.framing,
            roster_client=self.wiring.service_client,
        )

    @cached_property
    def framing(self) -> FramingService:
        return FramingService(self.session)

    # Courses, prompts, reflections ------------------------------------------------------------

    @cached_property
    def programs(self) -> ProgramService:
        return ProgramService(self.session)

    @cached_property
    def prompts(self) -> PromptService:
        return PromptService(self.session)

    @cached_property
    def outbox(self) -> GradeSync:
        return GradeSync(self.session)

    @cached_property
    def reflections(self) -> ReflectionService:
        return ReflectionService(self.session, self.outbox, self.wiring.base_url)

    @cached_property
    def grading(self) -> GradingService:
        return GradingService(self.session, self.outbox, self.wiring.base_url)

    @cached_property
    def feedback(self) -> FeedbackService:
        return FeedbackService(self.session)

    @cached_property
    def workspace(self) -> WorkspaceService:
        return WorkspaceService(self.session)

    # Records ----------------------------------------------------------------------------------

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.session)

    @cached_property
    def records(self) -> RecordsService:
        return RecordsService(self.session)

    @cached_property
    def export(self) -> CourseExport:
        return CourseExport(self.session)

    @cached_property
    def erasure(self) -> ErasureService:
        return ErasureService(self.session)
