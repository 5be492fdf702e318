"""Full OIDC login + launch round trips over loopback: throughput and p50/p95 latency.

Run: .venv/bin/python -m benchmarks.launch [--launches 300] [--database-url postgresql://...]
(a PostgreSQL URL names the server: each run makes and drops a database of its own)
Each round trip is what a browser does: POST /lti/login, read the state and nonce, POST the
signed id_token to /lti/launch with the state cookie, follow the redirect to the landing page.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

from benchmarks.common import percentile, print_table, served_app
from tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, TestPlatform

COHORT = 75
"""Launches cycle through one session's 75 officers: the first 75 create people, the rest return."""


@dataclass
class Timing:
    login_launch: float
    """The tool's part of the OIDC flow: the login redirect and the launch up to its 303."""
    landing: float
    """The page the launch lands on (the participant's prompt page)."""


def round_trip(session: requests.Session, base_url: str, platform: TestPlatform, n: int) -> Timing:
    """What a browser does for one click in Canvas; the platform's own signing is not timed."""
    started = time.perf_counter()
    login = session.post(
        base_url + "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": f"user-{n % COHORT}",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "target_link_uri": base_url + "/lti/launch",
            "new_window": "1",
        },
        allow_redirects=False,
    )
    login_seconds = time.perf_counter() - started
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    claims = platform.claims(query["nonce"][0], sub=f"user-{n % COHORT}")
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = base_url + "/lti/launch"
    token = platform.sign(claims)
    started = time.perf_counter()
    launch = session.post(
        base_url + "/lti/launch",
        data={"id_token": token, "state": query["state"][0]},
        allow_redirects=False,
    )
    launch_seconds = time.perf_counter() - started
    if launch.status_code != 303:
        raise RuntimeError(f"launch failed with {launch.status_code}")
    started = time.perf_counter()
    landing = session.get(base_url + launch.headers["Location"])
    if landing.status_code != 200:
        raise RuntimeError(f"landing page failed with {landing.status_code}")
    return Timing(login_seconds + launch_seconds, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--launches", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    args = parser.parse_args(argv)
    platform = TestPlatform()
    platform.start()
    try:
        with served_app(args.database_url, args.server) as (app, base_url, peak_kib):
            platform.register_with(app)
            session = requests.Session()
            round_trip(session, base_url, platform, -1)  # warm caches (JWKS, keys)
            started = time.perf_counter()
            timings = [round_trip(session, base_url, platform, n) for n in range(args.launches)]
            elapsed = time.perf_counter() - started
            worker_mib = peak_kib() / 1024
    finally:
        platform.stop()
    backend = (args.database_url or "sqlite").split(":")[0]
    flow = [t.login_launch for t in timings]
    pages = [t.landing for t in timings]
    print_table(
        "OIDC login + launch, then the landing page; sequential, loopback",
        [
            [
                backend,
                args.server,
                args.launches,
                f"{args.launches / elapsed:.1f}",
                f"{percentile(flow, 0.5) * 1000:.1f}",
                f"{percentile(flow, 0.95) * 1000:.1f}",
                f"{percentile(pages, 0.5) * 1000:.1f}",
                f"{percentile(pages, 0.95) * 1000:.1f}",
                f"{worker_mib:.0f}",
            ]
        ],
        [
            "database",
            "server",
            "launches",
            "per second",
            "login+launch p50 ms",
            "p95 ms",
            "landing page p50 ms",
            "p95 ms",
            "worker peak MiB",
        ],
    )


if __name__ == "__main__":
    main()
