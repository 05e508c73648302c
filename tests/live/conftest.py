"""A real moto server on loopback, a network built in it through the API, and IAM enforcement switched on.

Nothing is patched: boto3 (in the tests and in `vpcreach` subprocesses) reaches the server through
AWS_ENDPOINT_URL. After the network is built, moto's server-mode IAM enforcement is switched on
(`POST /moto-api/reset-auth` with 0 unauthenticated requests left), so from then on only the IAM
users created in moto_network (whose policies come from the shipped iam-policy.json) can read anything.
"""
from __future__ import annotations

import logging
import os
import urllib.request
from dataclasses import dataclass
from typing import Iterator

import pytest

moto_server = pytest.importorskip("moto.server")

from .moto_network import Built, build_everything, read_policy  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLICY_PATH = os.path.join(REPO, "vpcreach", "importers", "iam-policy.json")
FAKE_KEY_ID = "AKIAFAKEBUILDER00001"
FAKE_SECRET = "fake-builder-secret-0000000000000000000"


@dataclass
class LiveAws:
    endpoint: str
    built: Built
    base_env: dict[str, str]  # endpoint, region, isolated config files; no credentials

    def env(self, user: str | None = None, **extra: str) -> dict[str, str]:
        """A full process environment with the given moto IAM user's keys (or none)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(self.base_env)
        if user is not None:
            keys = self.built.keys[user]
            env.update(AWS_ACCESS_KEY_ID=keys["id"], AWS_SECRET_ACCESS_KEY=keys["secret"])
        env.update(extra)
        return env


def _post(url: str, body: bytes) -> None:
    # Not form-encoded: moto reads the raw body as the number of requests left unauthenticated.
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture(scope="module")
def live_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveAws]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    isolated = tmp_path_factory.mktemp("aws-config")
    base_env = {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(isolated / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(isolated / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as env:
        for name in [k for k in os.environ if k.startswith("AWS_")]:
            env.delenv(name)
        for name, value in base_env.items():
            env.setenv(name, value)
        env.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
        env.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
        try:
            built = build_everything(read_policy(POLICY_PATH))
            _post(f"{endpoint}/moto-api/reset-auth", b"0")  # enforce IAM from the next request on
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                env.delenv(name)
            yield LiveAws(endpoint, built, base_env)
        finally:
            _post(f"{endpoint}/moto-api/reset-auth", b"inf")  # other moto users in this process stay unaffected
            _post(f"{endpoint}/moto-api/reset", b"")
            server.stop()
