#!/usr/bin/env bash
# Offline checks of infra/kubernetes (no cluster needed):
#  1. validate.py --self-test: broken manifests must be rejected;
#  2. validate.py: the manifests against the SpinKube CRDs, spin.toml, openapi.yaml;
#  3. `kubectl kustomize` renders the kustomization (when kubectl is installed);
#  4. with SPIN_BIN (and redis-server, and the wasm components built): real
#     `spin up` of spin.toml with the runtime config taken from the manifests'
#     Secret (its Redis URL pointed at a local redis-server) must answer
#     /healthz; then the notifications CronJob's own script must get 200 from
#     POST /api/v1/platform/notifications/dispatch, and fail on a wrong token.
# Usage: SPIN_BIN=/path/to/spin bash infra/kubernetes/check.sh [--crds DIR]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
VENV="$TARGET/k8s-venv"
cd "$REPO"

# --- Python with pyyaml and jsonschema ---------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "check.sh: installing python3-venv"
    apt-get install -y python3-venv >/dev/null 2>&1 ||
      { apt-get update >/dev/null && apt-get install -y python3-venv >/dev/null; }
  fi
  mkdir -p "$TARGET"
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import yaml, jsonschema' 2>/dev/null; then
  "$PY" -m pip install -q --disable-pip-version-check pyyaml jsonschema
fi

# --- the manifests --------------------------------------------------------------
"$PY" "$HERE/validate.py" --self-test "$@"
"$PY" "$HERE/validate.py" "$@"

if command -v kubectl >/dev/null 2>&1; then
  objects=$(kubectl kustomize "$HERE" | "$PY" -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(sys.stdin) if d))')
  echo "kubectl kustomize: renders $objects objects"
else
  echo "SKIPPED: kubectl kustomize (no kubectl)"
fi

# --- the runtime config under real Spin ---------------------------------------
if [[ -z "${SPIN_BIN:-}" ]]; then
  echo "SKIPPED: no SPIN_BIN (spin up with the manifests' runtime config)"
  exit 0
fi
if [[ ! -f "$SPIN_BIN" || ! -x "$SPIN_BIN" ]]; then
  echo "SKIPPED: SPIN_BIN=$SPIN_BIN is not an executable file"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "SKIPPED: spin up (no redis-server)"
  exit 0
fi
# Spin reads the components from the paths in spin.toml, relative to the repository
# (target/wasm32-wasip2/release/...: `cargo xtask up` or cargo build builds them).
missing=$("$PY" - "$REPO/spin.toml" <<'EOF'
import sys, tomllib
from pathlib import Path
manifest = Path(sys.argv[1])
app = tomllib.loads(manifest.read_text())
for c in app.get("component", {}).values():
    if not (manifest.parent / c["source"]).is_file():
        print(c["source"])
EOF
)
if [[ -n "$missing" ]]; then
  echo "SKIPPED: spin up (components not built: $(echo $missing)); build them with cargo xtask up"
  exit 0
fi

TMP="$(mktemp -d)"
SPIN_PID="" REDIS_PID="" S3_PID=""
cleanup() {
  # `spin up` starts `spin trigger http` children: kill its whole process group.
  [[ -n "$SPIN_PID" ]] && kill -KILL -- "-$SPIN_PID" 2>/dev/null || true
  [[ -n "$S3_PID" ]] && kill -KILL "$S3_PID" 2>/dev/null || true
  [[ -n "$REDIS_PID" ]] && kill -KILL "$REDIS_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fail() {
  echo "FAIL: $*" >&2
  for log in "$TMP"/*.log; do
    [[ -s "$log" ]] && { echo "--- $(basename "$log") ---" >&2; tail -n 60 "$log" >&2; }
  done
  exit 1
}

REDIS_PORT=$(free_port)
(cd "$TMP" && exec redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$TMP" >"$TMP/redis.log" 2>&1) &
REDIS_PID=$!
disown "$REDIS_PID"
"$PY" - "$REDIS_PORT" <<'EOF' || fail "redis-server did not answer PING"
import socket, sys, time
for _ in range(100):
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF

RUNTIME_CONFIG="$TMP/runtime-config.toml"
"$PY" "$HERE/validate.py" "$@" --write-runtime-config "$RUNTIME_CONFIG" \
  --redis-url "redis://127.0.0.1:$REDIS_PORT" --write-cronjob-script "$TMP/dispatch.sh" >/dev/null
grep -q "redis://127.0.0.1:$REDIS_PORT" "$RUNTIME_CONFIG" || fail "runtime config has no local Redis URL"

# /healthz reads the key-value store and asks the object store for the bucket
# (functions/health). With the host's own S3 server (target/release/ghiseu) both
# must be ok and the answer 200; without it, only the key-value part can be
# checked: 503 with key_value "ok" and the object store reported unreachable.
S3_ACCESS_KEY=K8SCHECK
S3_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_hex(20))')
S3_ENDPOINT=http://127.0.0.1:9
EXPECT=200
if [[ -x "$TARGET/release/ghiseu" ]]; then
  GHISEU_S3_ACCESS_KEY=$S3_ACCESS_KEY GHISEU_S3_SECRET_KEY=$S3_SECRET_KEY \
    "$TARGET/release/ghiseu" s3 --listen 127.0.0.1:0 --data "$TMP/objects" >"$TMP/s3.out" 2>"$TMP/s3.log" &
  S3_PID=$!
  disown "$S3_PID"
  for _ in $(seq 100); do
    S3_ENDPOINT=$(sed -n 's/^ghiseu s3 listening on \([^ ]*\) .*/\1/p' "$TMP/s3.out")
    [[ -n "$S3_ENDPOINT" ]] && break
    kill -0 "$S3_PID" 2>/dev/null || fail "ghiseu s3 exited"
    sleep 0.1
  done
  [[ -n "$S3_ENDPOINT" ]] || fail "ghiseu s3 did not start"
else
  EXPECT=503
  echo "note: no $TARGET/release/ghiseu (cargo build --release -p ghiseu-host): no S3 server," \
    "so /healthz must answer 503 with key_value \"ok\""
fi

PORT=$(free_port)
ADMIN_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
(
  export SPIN_VARIABLE_S3_ENDPOINT="$S3_ENDPOINT" SPIN_VARIABLE_S3_BUCKET=ghiseu \
    SPIN_VARIABLE_S3_REGION=us-east-1 SPIN_VARIABLE_S3_ACCESS_KEY="$S3_ACCESS_KEY" \
    SPIN_VARIABLE_S3_SECRET_KEY="$S3_SECRET_KEY" SPIN_VARIABLE_PLATFORM_ADMIN_TOKEN="$ADMIN_TOKEN"
  exec setsid "$SPIN_BIN" up --from spin.toml --runtime-config-file "$RUNTIME_CONFIG" \
    --state-dir "$TMP/spin-state" --listen "127.0.0.1:$PORT"
) >"$TMP/spin.log" 2>&1 &
SPIN_PID=$!
disown "$SPIN_PID"

"$PY" - "$PORT" "$SPIN_PID" "$EXPECT" "$REDIS_PORT" <<'EOF' || fail "spin up did not answer /healthz as expected"
import json, os, socket, sys, time, urllib.error, urllib.request
port, pid, expect, redis_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def redis_commands():
    """Names of the commands the local redis-server has served."""
    with socket.create_connection(("127.0.0.1", redis_port), timeout=5) as s:
        s.sendall(b"INFO commandstats\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            header, sep, rest = data.partition(b"\r\n")
            if sep and len(rest) >= int(header[1:]) + 2:
                break
    return {line.split(":")[0][len("cmdstat_"):] for line in data.decode().splitlines() if line.startswith("cmdstat_")}

deadline, last = time.monotonic() + 60, "no answer"
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("spin exited")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except OSError as e:
        last = str(e)
        time.sleep(0.5)
        continue
    last = f"{status} {body.decode(errors='replace')}"
    try:
        health = json.loads(body)
    except ValueError:
        health = {}
    if status == expect and health.get("key_value") == "ok" and (expect != 200 or health.get("object_store") == "ok"):
        print(f"spin up: GET /healthz -> {last}")
        # /readyz writes, reads back and deletes a key: it must have gone to
        # the local Redis, i.e. Spin used the runtime config's store.
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        if status != expect or json.loads(body).get("key_value") != "ok":
            sys.exit(f"/readyz: {status} {body.decode(errors='replace')}")
        used = redis_commands() & {"get", "set", "del", "exists"}
        if not {"get", "set", "del"} <= used:
            sys.exit(f"the local Redis saw no key-value traffic (commands: {sorted(used)})")
        print(f"spin up: GET /readyz -> {status}; Redis served {', '.join(sorted(used))}")
        sys.exit(0)
    if status not in (200, 503):
        break
    time.sleep(0.5)
sys.exit(f"last answer: {last}")
EOF

# The CronJob's script, unchanged, against this Spin.
if command -v curl >/dev/null 2>&1; then
  out=$(GHISEU_URL="http://127.0.0.1:$PORT" PLATFORM_ADMIN_TOKEN="$ADMIN_TOKEN" sh "$TMP/dispatch.sh") ||
    fail "the CronJob's dispatch script failed"
  [[ "$out" == *'"delivered"'* ]] || fail "dispatch answered: $out"
  echo "cronjob script: POST /api/v1/platform/notifications/dispatch -> $out"
  if GHISEU_URL="http://127.0.0.1:$PORT" PLATFORM_ADMIN_TOKEN=wrong sh "$TMP/dispatch.sh" >/dev/null 2>&1; then
    fail "the CronJob's dispatch script succeeded with a wrong token"
  fi
  echo "cronjob script: fails with a wrong token, as it should"
else
  echo "SKIPPED: the CronJob's script (no curl)"
fi
echo "check.sh: ok"
