"""Schemathesis hooks of `cargo xtask schemathesis` (xtask/src/schemathesis.rs).

openapi.yaml takes a few binary bodies whose media types schemathesis has no
serializer for (a certificate for the trust list, an RFC 3161 request for the
sandbox's timestamp authority): they go on the wire as the bytes generated.
"""

import schemathesis


@schemathesis.serializer(
    "application/pkix-cert",
    "application/x-pem-file",
    "application/timestamp-query",
)
def raw_bytes(ctx, value):
    if value is None or isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode("utf-8")}
    return {"data": repr(value).encode("utf-8")}
