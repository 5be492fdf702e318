"""Full OIDC login + launch round trips over loopback: throughput and p50/p95 latency.

Run: .venv/bin/python -m benchmarks.launch [--launches 300] [--database-url URL]
Each round trip is what a browser does: POST /lti/login, read the state and nonce, POST the
signed id_token to /lti/launch with the state cookie, follow the redirect to the landing page.
"""

from __future__ import annotations

import argparse
import time
from urllib.parse import parse_qs, urlsplit

import requests

from benchmarks.common import percentile, print_table, served_app
from tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, TestPlatform


def round_trip(session: requests.Session, base_url: str, platform: TestPlatform, n: int) -> None:
    login = session.post(
        base_url + "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": f"user-{n}",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "target_link_uri": base_url + "/lti/launch",
            "new_window": "1",
        },
        allow_redirects=False,
    )
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    claims = platform.claims(query["nonce"][0], sub=f"user-{n}")
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = base_url + "/lti/launch"
    launch = session.post(
        base_url + "/lti/launch",
        data={"id_token": platform.sign(claims), "state": query["state"][0]},
        allow_redirects=True,
    )
    if launch.status_code != 200:
        raise RuntimeError(f"launch failed with {launch.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--launches", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    args = parser.parse_args()
    platform = TestPlatform()
    platform.start()
    try:
        with served_app(args.database_url, args.server) as (app, base_url, peak_kib):
            platform.register_with(app)
            session = requests.Session()
            round_trip(session, base_url, platform, -1)  # warm caches (JWKS, keys)
            latencies = []
            started = time.perf_counter()
            for n in range(args.launches):
                begin = time.perf_counter()
                round_trip(session, base_url, platform, n)
                latencies.append(time.perf_counter() - begin)
            elapsed = time.perf_counter() - started
            worker_mib = peak_kib() / 1024
    finally:
        platform.stop()
    backend = (args.database_url or "sqlite").split(":")[0]
    print_table(
        "OIDC login + launch + landing page, sequential, loopback",
        [
            [
                backend,
                args.server,
                args.launches,
                f"{args.launches / elapsed:.1f}",
                f"{percentile(latencies, 0.5) * 1000:.1f}",
                f"{percentile(latencies, 0.95) * 1000:.1f}",
                f"{worker_mib:.0f}",
            ]
        ],
        ["database", "server", "round trips", "per second", "p50 ms", "p95 ms", "worker peak MiB"],
    )


if __name__ == "__main__":
    main()
