"""boto3 sessions, clients and error classification for the live importer.

The standard AWS configuration is honoured by construction: credentials, profiles, SSO and
`AWS_ENDPOINT_URL` all come from `boto3.Session(profile_name=...)`; nothing here reads them itself.
Clients are created under a lock (a boto3 Session is not thread-safe) and then used by one thread each.
"""
from __future__ import annotations

import re
import threading
from typing import Any, Callable

import boto3
import botocore.exceptions as bx
from botocore.config import Config

from .. import __version__
from ..errors import InputError

# Reads ride out throttling with botocore's adaptive client-side rate limiting.
READ_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 10},
    connect_timeout=10, read_timeout=60, user_agent_extra=f"vpcreach/{__version__}",
)
# The first calls (identity, regions) fail fast: an unreachable endpoint or bad credentials are fatal
# and retrying them ten times with back-off would only delay the error.
PREFLIGHT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=5, read_timeout=30, user_agent_extra=f"vpcreach/{__version__}",
)

DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation",
})
CREDENTIAL_CODES = frozenset({
    "InvalidClientTokenId", "AuthFailure", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
    "UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken", "RequestExpired",
})
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

CREDENTIALS_HINT = ("check AWS_PROFILE / --profile, run `aws sso login` for an SSO profile, "
                    "or `aws sts get-caller-identity` to test the credentials")
ENDPOINT_HINT = "check network access, proxy settings (HTTPS_PROXY) and AWS_ENDPOINT_URL"


def where(action: str, region: str | None, account: str | None = None) -> str:
    """The `where` of a live problem: `aws: ec2:DescribeVpcs (us-east-1)`."""
    scope = f"{account}/{region}" if account and region else (region or account or "")
    return f"aws: {action} ({scope})" if scope else f"aws: {action}"


def error_code(error: BaseException) -> str | None:
    if isinstance(error, bx.ClientError):
        return str(error.response.get("Error", {}).get("Code") or "") or None
    return None


def is_denied(error: BaseException) -> bool:
    return error_code(error) in DENIED_CODES


def fatal_input_error(error: BaseException, at: str, profile: str | None = None) -> InputError | None:
    """The one-line InputError for an error that makes the whole snapshot impossible, else None."""
    code = error_code(error)
    if code in CREDENTIAL_CODES:
        return InputError.at(at, "AWS rejected the credentials", code,
                             "valid, unexpired AWS credentials", CREDENTIALS_HINT)
    if code == "OptInRequired":
        return InputError.at(at, "region not enabled for this account", code, "an enabled region",
                             "enable the region (Account > AWS Regions) or leave it out of --region")
    if isinstance(error, bx.NoCredentialsError):
        return InputError.at(at, "no AWS credentials found", None, None, CREDENTIALS_HINT)
    if isinstance(error, bx.PartialCredentialsError):
        return InputError.at(at, "incomplete AWS credentials", str(error), None, CREDENTIALS_HINT)
    if isinstance(error, bx.ProfileNotFound):
        return InputError.at("aws: --profile", "profile not found", profile,
                             "a profile in ~/.aws/config or ~/.aws/credentials",
                             "list profiles with `aws configure list-profiles`")
    if isinstance(error, (bx.TokenRetrievalError, bx.SSOError, bx.UnauthorizedSSOTokenError, bx.SSOTokenLoadError)):
        login = f"aws sso login --profile {profile}" if profile else "aws sso login"
        return InputError.at(at, "the SSO session is missing or expired", type(error).__name__, None,
                             f"run `{login}` and try again")
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        url = getattr(error, "kwargs", {}).get("endpoint_url")
        return InputError.at(at, "cannot reach the AWS endpoint", url, None, ENDPOINT_HINT)
    return None


def new_session(profile: str | None) -> boto3.Session:
    """The base session: the standard credential chain, optionally for a named profile."""
    try:
        return boto3.Session(profile_name=profile)
    except bx.ProfileNotFound as error:
        raise fatal_input_error(error, "aws: --profile", profile) from None  # type: ignore[misc]


class ClientFactory:
    """Creates clients from one session, safely from many threads."""

    def __init__(self, session: boto3.Session):
        self.session = session
        self._lock = threading.Lock()
        self.on_client: Callable[[Any], None] | None = None  # e.g. to count the setup calls

    def client(self, service: str, region: str, credentials: dict[str, str] | None = None,
               config: Config = READ_CONFIG) -> Any:
        keys: dict[str, str] = {}
        if credentials:
            keys = {"aws_access_key_id": credentials["AccessKeyId"],
                    "aws_secret_access_key": credentials["SecretAccessKey"],
                    "aws_session_token": credentials["SessionToken"]}
        with self._lock:
            client = self.session.client(service, region_name=region, config=config, **keys)
        if self.on_client is not None:
            self.on_client(client)
        return client
