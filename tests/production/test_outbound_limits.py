"""A hostile platform against the tool under gunicorn with two workers (loopback only): one
configuration streams 200 MiB, another drips a byte a second. Both registrations are refused
within the guarded client's cap and deadline, the workers' memory stays small, and `/health`
keeps answering meanwhile. On main the 200 MiB answer was read whole and the drip held its worker
for as long as it lasted.

The registrations use operator invites: without one nothing is fetched at all."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from benchmarks.common import served_app
from lti_tool.http import CONFIGURATION
from lti_tool.http.guarded import MIB
from tests.hostile import hostile_server
from tests.platform import invite_path

pytestmark = pytest.mark.load

WORKER_PEAK_LIMIT_KIB = 250 * 1024
"""A worker starts near 100 MiB; reading the 200 MiB answer whole took main's to 904 MiB."""


def test_huge_and_dripping_configurations_are_cut_while_health_answers() -> None:
    with served_app(workers=2) as (app, base_url, peak_kib), hostile_server() as platform:
        invites = [invite_path(app) for _ in range(2)]

        def register(invite: str, path: str) -> tuple[int, float, str]:
            started = time.monotonic()
            answer = requests.post(
                base_url + invite,
                data={"openid_configuration": platform.url + path, "registration_token": "t"},
                timeout=60,
            )
            return answer.status_code, time.monotonic() - started, answer.text

        with ThreadPoolExecutor(max_workers=2) as pool:
            huge = pool.submit(register, invites[0], "/huge")
            drip = pool.submit(register, invites[1], "/drip")
            health_times = []
            while not drip.done():
                started = time.monotonic()
                assert requests.get(base_url + "/health", timeout=10).status_code == 200
                health_times.append(time.monotonic() - started)
                time.sleep(0.5)
            huge_status, huge_seconds, huge_page = huge.result()
            drip_status, drip_seconds, drip_page = drip.result()

        assert huge_status == 400 and "larger than" in huge_page
        assert huge_seconds < 5.0
        assert drip_status == 400 and "did not answer in time" in drip_page
        assert CONFIGURATION.deadline - 0.5 < drip_seconds < CONFIGURATION.deadline + 5.0
        # each answer came long before the drip ended: the other worker was free
        assert len(health_times) >= 3 and max(health_times) < CONFIGURATION.deadline / 2
        assert platform.bytes_sent < 200 * MIB
        assert peak_kib() < WORKER_PEAK_LIMIT_KIB
