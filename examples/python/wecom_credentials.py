"""A Python caller of the WeCom credential service, with boto3 (Debian: python3-boto3).

It invokes the service's functions with the Lambda Invoke API (JSON in and out; the contract is
in schemas/invoke/), keeps each token until shortly before it ends, lets concurrent threads share
one request per token, and, when WeCom refuses a token it handed out, asks the service to replace
exactly that token (staleToken).

Run against `npm start` (the service's tests do, in CI):

    python3 examples/python/wecom_credentials.py http://127.0.0.1:3001
"""

import json
import sys
import threading
import time
import urllib.request
from datetime import datetime

import boto3

# WeCom's answers that mean "this token is no longer valid": get a replacement, then retry once.
STALE_TOKEN_ERRCODES = {40014, 42001, 40082, 42009}


class CredentialServiceError(Exception):
    """A typed error of the service: error_type is its Lambda errorType (docs/errors.md)."""

    def __init__(self, error_type, message):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type


class CredentialsClient:
    """Tokens from the credential service, cached until `margin_seconds` before they end."""

    def __init__(self, lambda_client, function_names=None, margin_seconds=60):
        self._lambda = lambda_client
        # In AWS pass the stack's *FunctionName outputs; under npm start the names are the defaults.
        self._names = {
            "suite-token": "suite-token",
            "corp-token": "corp-token",
            "jsapi-ticket": "jsapi-ticket",
            **(function_names or {}),
        }
        self._margin = margin_seconds
        self._cache = {}
        self._locks = {}
        self._locks_guard = threading.Lock()
        self._rejected = set()
        # The token last handed out per key, so a rejected one can be named to the service.
        self._issued = {}
        self.invocations = []

    @classmethod
    def local(cls, endpoint="http://127.0.0.1:3001"):
        """For npm start: a region and placeholder credentials, which the local stack never checks."""
        return cls(
            boto3.client(
                "lambda",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        )

    def invoke(self, function, payload):
        """Invokes a function; a thrown error comes back as CredentialServiceError."""
        self.invocations.append((function, payload))
        response = self._lambda.invoke(
            FunctionName=self._names[function], Payload=json.dumps(payload).encode("utf-8")
        )
        body = json.loads(response["Payload"].read() or b"null")
        if "FunctionError" in response:
            body = body if isinstance(body, dict) else {}
            raise CredentialServiceError(
                body.get("errorType", response["FunctionError"]), body.get("errorMessage", "")
            )
        return body

    def suite_token(self, suite_id=None):
        payload = {} if suite_id is None else {"suiteId": suite_id}
        return self._token(("suite", suite_id), "suite-token", payload)

    def corp_token(self, corp_id, suite_id=None):
        payload = {"corpId": corp_id, **({} if suite_id is None else {"suiteId": suite_id})}
        return self._token(("corp", suite_id, corp_id), "corp-token", payload)

    def jsapi_signature(self, corp_id, url, signature_type="agent", suite_id=None):
        """What a page passes to wx.agentConfig / wx.config; never cached (a nonce per page load)."""
        payload = {"corpId": corp_id, "type": signature_type, "url": url}
        if suite_id is not None:
            payload["suiteId"] = suite_id
        return self.invoke("jsapi-ticket", payload)

    def rejected(self, access_token):
        """WeCom refused this token: the next request for it asks the service to replace it."""
        with self._locks_guard:
            self._rejected.add(access_token)
            for key, cached in list(self._cache.items()):
                if cached["accessToken"] == access_token:
                    del self._cache[key]

    def call_with_token(self, get_token, call):
        """Runs call(token); on a stale-token errcode reports the token and retries once."""
        token = get_token()
        answer = call(token["accessToken"])
        if answer.get("errcode") in STALE_TOKEN_ERRCODES:
            self.rejected(token["accessToken"])
            answer = call(get_token()["accessToken"])
        return answer

    def _token(self, key, function, payload):
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        # One request per token at a time: other threads wait for it and take the cached answer.
        with lock:
            cached = self._cache.get(key)
            if cached is not None and cached["expiresAtEpoch"] - self._margin > time.time():
                return cached
            last = self._issued.get(key)
            stale = last if last in self._rejected else None
            answer = self.invoke(function, payload if stale is None else {**payload, "staleToken": stale})
            answer["expiresAtEpoch"] = _epoch(answer["expiresAt"])
            with self._locks_guard:
                self._cache[key] = answer
                self._issued[key] = answer["accessToken"]
                self._rejected.discard(stale)
            return answer


def _epoch(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def main(endpoint):
    suite_id = "wwsandboxsuite0001"
    corp_id = sys.argv[2] if len(sys.argv) > 2 else "wwpythoncorp"
    client = CredentialsClient.local(endpoint)

    suite = client.suite_token(suite_id)
    again = client.suite_token(suite_id)

    # The sandbox's stand-in for a company installing the app; its corp token follows in seconds.
    urllib.request.urlopen(
        urllib.request.Request(
            f"{endpoint}/sandbox/install?suiteId={suite_id}&corpId={corp_id}", method="POST"
        )
    ).read()
    corp = None
    for _ in range(200):
        try:
            corp = client.corp_token(corp_id, suite_id)
            break
        except CredentialServiceError as error:
            if error.error_type != "CorpNotAuthorizedError":
                raise
            time.sleep(0.1)
    if corp is None:
        raise RuntimeError("no corp token 20 s after the install")

    # A WeCom call that answers 42001 once (as WeCom does for a token it ended early), then succeeds.
    answers = iter([{"errcode": 42001, "errmsg": "access_token expired"}, {"errcode": 0}])
    retried = client.call_with_token(lambda: client.corp_token(corp_id, suite_id), lambda token: next(answers))
    stale_sent = any("staleToken" in payload for function, payload in client.invocations if function == "corp-token")

    signature = client.jsapi_signature(corp_id, "https://app.example.com/page?x=1#part", suite_id=suite_id)

    print(
        json.dumps(
            {
                "suiteToken": suite["accessToken"],
                "suiteTokenCached": again is suite,
                "corpToken": corp["accessToken"],
                "retried": retried,
                "staleTokenSent": stale_sent,
                "signature": signature,
                "invocations": [function for function, _ in client.invocations],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3001")
