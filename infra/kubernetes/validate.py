#!/usr/bin/env python3
"""Offline checks of the Kubernetes manifests in infra/kubernetes.

Needs only PyYAML and jsonschema (check.sh installs them in a venv). No
cluster, no network:

- every *.yaml here parses (all documents) and every document has apiVersion,
  kind and metadata.name (a valid DNS-1123 name), with no duplicate object;
- every SpinApp and SpinAppExecutor validates against the openAPIV3Schema of
  its version in the SpinKube CRDs (--crds DIR), strictly: unknown fields are
  errors (as `kubectl apply --validate=strict` makes them), int-or-string and
  int32 are enforced;
- the SpinApp's runtimeConfig.loadFromSecret names a Secret defined here whose
  `runtime-config.toml` parses and defines every key-value store spin.toml uses;
  its executor is a SpinAppExecutor defined here;
- every secretKeyRef/configMapKeyRef (SpinApp variables, CronJobs,
  StatefulSets) names a Secret/ConfigMap and key defined here (the .example
  file included);
- every SpinApp variable is declared in spin.toml's [variables], and every
  `required = true` one is set;
- kustomization.yaml lists every manifest except the *.example.yaml ones;
  Ingress backends are defined Services or SpinApps (port 80); the API paths
  CronJobs call exist in openapi.yaml.

--self-test feeds deliberately broken copies through the same checks and
fails unless each is rejected (and the real manifests accepted).
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import sys
import tomllib
from pathlib import Path

try:
    import jsonschema
    import yaml
except ImportError as missing:  # pragma: no cover
    sys.exit(f"validate.py needs pyyaml and jsonschema ({missing}); run check.sh")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SPINKUBE_GROUP = "core.spinkube.dev"
RUNTIME_CONFIG_KEY = "runtime-config.toml"  # spin-operator deployment.go
SPINAPP_HTTP_PORT = 80  # spin-operator pkg/spinapp DefaultHTTPPort
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SPIN_VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
API_PATH = re.compile(r"/api/v1/[A-Za-z0-9_./{}-]*[A-Za-z0-9_}]")
INT32 = (-(2**31), 2**31 - 1)
# Key-value store types Spin 3 (and containerd-shim-spin) know.
KV_TYPES = {"spin", "redis", "azure_cosmos", "aws_dynamo"}


class Doc:
    """One YAML document of one file."""

    def __init__(self, file: str, index: int, body: dict):
        self.file = file
        self.index = index
        self.body = body

    @property
    def kind(self) -> str:
        return self.body.get("kind", "")

    @property
    def name(self) -> str:
        return (self.body.get("metadata") or {}).get("name", "")

    @property
    def namespace(self):
        return (self.body.get("metadata") or {}).get("namespace")

    def where(self) -> str:
        return f"{self.file} #{self.index + 1} ({self.kind} {self.name})"


# --- loading ------------------------------------------------------------------


def load_manifests(directory: Path, errors: list) -> tuple[list[Doc], dict]:
    """Parses every *.yaml of `directory`; returns the documents and, per file,
    its raw text (kustomization.yaml's check needs the file list)."""
    docs: list[Doc] = []
    files = {}
    for path in sorted(directory.glob("*.yaml")):
        files[path.name] = path
        try:
            bodies = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError as e:
            errors.append((path.name, f"YAML parse error: {e}"))
            continue
        for i, body in enumerate(bodies):
            if body is None:
                continue
            if not isinstance(body, dict):
                errors.append((path.name, f"document #{i + 1} is not a mapping"))
                continue
            docs.append(Doc(path.name, i, body))
    if not files:
        errors.append((str(directory), "no *.yaml files"))
    return docs, files


def load_crd_schemas(crd_dir: Path) -> dict:
    """(group, kind) -> {version: (served, openAPIV3Schema)} from every CRD
    document of every *.yaml in crd_dir."""
    if not crd_dir.is_dir():
        raise SystemExit(f"CRD directory {crd_dir} does not exist (use --crds DIR)")
    schemas: dict = {}
    for path in sorted(crd_dir.glob("*.yaml")):
        for body in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(body, dict) or body.get("kind") != "CustomResourceDefinition":
                continue
            spec = body["spec"]
            versions = schemas.setdefault((spec["group"], spec["names"]["kind"]), {})
            for version in spec["versions"]:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema is None:
                    raise SystemExit(f"{path}: version {version['name']} has no openAPIV3Schema")
                versions[version["name"]] = (version.get("served", False), schema)
    if not schemas:
        raise SystemExit(f"no CustomResourceDefinition found in {crd_dir}")
    return schemas


def to_json_schema(node):
    """Turns a Kubernetes structural (OpenAPI v3) schema into a JSON Schema that
    jsonschema enforces the way the API server does:
    - x-kubernetes-int-or-string: integer or string;
    - x-kubernetes-preserve-unknown-fields: any extra field allowed, otherwise an
      object with `properties` rejects fields it does not list (pruned by the
      server, an error for `kubectl apply --validate=strict`);
    - format int32/int64: range-checked; nullable: null allowed."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "anyOf", "allOf", "oneOf"):
            out[key] = to_json_schema(value)
        elif key.startswith("x-kubernetes-") or key in ("default", "description", "example"):
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if out.get("type") == "integer" and node.get("format") == "int32":
        out.setdefault("minimum", INT32[0])
        out.setdefault("maximum", INT32[1])
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    out.pop("nullable", None)
    return out


def load_spin_variables(spin_toml: Path) -> tuple[dict, set]:
    manifest = tomllib.loads(spin_toml.read_text(encoding="utf-8"))
    stores = set()
    for component in (manifest.get("component") or {}).values():
        stores.update(component.get("key_value_stores") or [])
    return manifest.get("variables") or {}, stores


# --- checks -------------------------------------------------------------------


class Checker:
    def __init__(self, crds: dict, spin_vars: dict, spin_stores: set, openapi_paths: dict | None):
        self.crds = crds
        self.spin_vars = spin_vars
        self.spin_stores = spin_stores
        self.openapi_paths = openapi_paths
        self.validators = {}

    def validator(self, group: str, kind: str, version: str):
        key = (group, kind, version)
        if key not in self.validators:
            served, schema = self.crds[(group, kind)][version]
            converted = to_json_schema(schema)
            jsonschema.Draft7Validator.check_schema(converted)
            self.validators[key] = (served, jsonschema.Draft7Validator(converted))
        return self.validators[key]

    def run(self, docs: list[Doc], files: dict | None = None) -> list:
        """Every check; returns [(file, message)]."""
        errors: list = []
        err = lambda doc, msg: errors.append((doc.file, f"{doc.where()}: {msg}"))  # noqa: E731
        index: dict = {}
        for doc in docs:
            self.check_basics(doc, err)
            key = (doc.body.get("apiVersion"), doc.kind, doc.namespace, doc.name)
            if doc.name and key in index:
                err(doc, f"defined twice (also in {index[key].where()})")
            index[key] = doc
        for doc in docs:
            api_version = doc.body.get("apiVersion") or ""
            group, _, version = api_version.rpartition("/")
            if group == SPINKUBE_GROUP:
                self.check_crd(doc, group, version, err)
        for doc in docs:
            if doc.kind == "SpinApp":
                self.check_spinapp(doc, docs, err)
            if doc.kind == "Ingress":
                self.check_ingress(doc, docs, err)
            if doc.kind == "CronJob":
                self.check_cronjob(doc, err)
            if doc.kind != "SpinApp":
                self.check_refs(doc, doc.body, docs, err)
        if files is not None:
            self.check_kustomization(docs, files, errors)
        return errors

    @staticmethod
    def check_basics(doc: Doc, err):
        for field in ("apiVersion", "kind"):
            value = doc.body.get(field)
            if not isinstance(value, str) or not value:
                err(doc, f"missing {field}")
        metadata = doc.body.get("metadata")
        if not isinstance(metadata, dict):
            err(doc, "missing metadata")
            return
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            err(doc, "missing metadata.name")
        elif len(name) > 253 or not DNS1123.match(name):
            err(doc, f"metadata.name {name!r} is not a DNS-1123 name")

    def check_crd(self, doc: Doc, group: str, version: str, err):
        versions = self.crds.get((group, doc.kind))
        if versions is None:
            err(doc, f"no CRD for kind {doc.kind} in group {group}")
            return
        if version not in versions:
            err(doc, f"CRD {doc.kind} has no version {version} (has {sorted(versions)})")
            return
        served, validator = self.validator(group, doc.kind, version)
        if not served:
            err(doc, f"version {version} of {doc.kind} is not served")
        for e in sorted(validator.iter_errors(doc.body), key=lambda e: list(e.absolute_path)):
            path = ".".join(str(p) for p in e.absolute_path) or "(root)"
            err(doc, f"schema: {path}: {e.message}")

    def find(self, docs, kind, name, namespace):
        for d in docs:
            if d.kind == kind and d.name == name and (
                d.namespace is None or namespace is None or d.namespace == namespace
            ):
                return d
        return None

    @staticmethod
    def keys_of(doc: Doc) -> set:
        keys = set()
        for field in ("data", "stringData", "binaryData"):
            keys.update((doc.body.get(field) or {}).keys())
        return keys

    def check_ref(self, owner: Doc, ref_kind: str, ref: dict, docs, err, what: str):
        kind = "Secret" if ref_kind == "secretKeyRef" else "ConfigMap"
        if not isinstance(ref, dict):
            err(owner, f"{what}: {ref_kind} is not a mapping")
            return
        name, key = ref.get("name"), ref.get("key")
        if not name:
            err(owner, f"{what}: {ref_kind} has no name")
            return
        target = self.find(docs, kind, name, owner.namespace)
        if target is None:
            err(owner, f"{what}: {kind} {name!r} is not defined in the manifests")
        elif key not in self.keys_of(target):
            err(owner, f"{what}: {kind} {name!r} ({target.file}) has no key {key!r}")

    def check_refs(self, owner: Doc, node, docs, err, path="spec"):
        """Every secretKeyRef/configMapKeyRef anywhere in a document."""
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("secretKeyRef", "configMapKeyRef"):
                    self.check_ref(owner, k, v, docs, err, path)
                else:
                    self.check_refs(owner, v, docs, err, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                label = v.get("name", i) if isinstance(v, dict) else i
                self.check_refs(owner, v, docs, err, f"{path}[{label}]")

    def check_spinapp(self, doc: Doc, docs, err):
        spec = doc.body.get("spec")
        if not isinstance(spec, dict):
            return  # reported by the schema
        executor = spec.get("executor")
        if isinstance(executor, str) and self.find(docs, "SpinAppExecutor", executor, doc.namespace) is None:
            err(doc, f"executor {executor!r} is not a SpinAppExecutor defined in the manifests")
        if spec.get("enableAutoscaling") and "replicas" in spec:
            err(doc, "replicas cannot be set together with enableAutoscaling")
        # Runtime config.
        runtime_config = spec.get("runtimeConfig") or {}
        secret_name = runtime_config.get("loadFromSecret") if isinstance(runtime_config, dict) else None
        if not secret_name:
            err(doc, "runtimeConfig.loadFromSecret is not set: the key-value stores would be per-pod SQLite")
        else:
            secret = self.find(docs, "Secret", secret_name, doc.namespace)
            if secret is None:
                err(doc, f"runtimeConfig.loadFromSecret: Secret {secret_name!r} is not defined in the manifests")
            else:
                text = runtime_config_text(secret)
                if text is None:
                    err(doc, f"Secret {secret_name!r} ({secret.file}) has no key {RUNTIME_CONFIG_KEY!r}")
                else:
                    try:
                        rc = tomllib.loads(text)
                    except tomllib.TOMLDecodeError as e:
                        err(doc, f"Secret {secret_name!r}: {RUNTIME_CONFIG_KEY} is not TOML: {e}")
                    else:
                        defined = rc.get("key_value_store") or {}
                        for store in sorted(self.spin_stores - set(defined)):
                            err(doc, f"{RUNTIME_CONFIG_KEY} defines no [key_value_store.{store}] (spin.toml uses it)")
                        for store, conf in sorted(defined.items()):
                            if not isinstance(conf, dict) or conf.get("type") not in KV_TYPES:
                                kind = conf.get("type") if isinstance(conf, dict) else None
                                err(doc, f"{RUNTIME_CONFIG_KEY}: [key_value_store.{store}] type {kind!r} is not one of {sorted(KV_TYPES)}")
                            elif conf["type"] == "redis" and not str(conf.get("url", "")).startswith(("redis://", "rediss://")):
                                err(doc, f"{RUNTIME_CONFIG_KEY}: [key_value_store.{store}] has no redis:// url")
        # Variables.
        variables = spec.get("variables") or []
        if not isinstance(variables, list):
            return  # reported by the schema
        seen = set()
        for i, var in enumerate(variables):
            if not isinstance(var, dict):
                continue
            name = var.get("name")
            what = f"variables[{name or i}]"
            if not isinstance(name, str) or not SPIN_VARIABLE.match(name):
                err(doc, f"{what}: {name!r} is not a Spin variable name ([a-z][a-z0-9_]*)")
                continue
            if name in seen:
                err(doc, f"{what}: set twice")
            seen.add(name)
            if name not in self.spin_vars:
                err(doc, f"{what}: spin.toml declares no variable {name!r}")
            has_value, value_from = "value" in var, var.get("valueFrom")
            if has_value == (value_from is not None):
                err(doc, f"{what}: needs exactly one of value and valueFrom")
            if isinstance(value_from, dict):
                refs = [k for k in ("secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef") if k in value_from]
                if len(refs) != 1:
                    err(doc, f"{what}: valueFrom needs exactly one source, has {refs}")
                for k in refs:
                    if k in ("secretKeyRef", "configMapKeyRef"):
                        self.check_ref(doc, k, value_from[k], docs, err, what)
        for name, decl in sorted(self.spin_vars.items()):
            if isinstance(decl, dict) and decl.get("required") and name not in seen:
                err(doc, f"spin.toml variable {name!r} is required but the SpinApp does not set it")
        # Refs elsewhere (volumes etc.) are not expected; check them anyway.
        rest = {k: v for k, v in spec.items() if k != "variables"}
        self.check_refs(doc, rest, docs, err)

    def check_ingress(self, doc: Doc, docs, err):
        spec = doc.body.get("spec") or {}
        backends = []
        if spec.get("defaultBackend"):
            backends.append(spec["defaultBackend"])
        for rule in spec.get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                backends.append(p.get("backend") or {})
        for backend in backends:
            service = backend.get("service") or {}
            name, port = service.get("name"), (service.get("port") or {})
            if self.find(docs, "SpinApp", name, doc.namespace) is not None:
                if port.get("number") != SPINAPP_HTTP_PORT and port.get("name") != "http":
                    err(doc, f"backend {name!r}: the SpinApp's Service listens on port {SPINAPP_HTTP_PORT}")
            elif self.find(docs, "Service", name, doc.namespace) is None:
                err(doc, f"backend service {name!r} is neither a Service nor a SpinApp of the manifests")

    def check_cronjob(self, doc: Doc, err):
        spec = doc.body.get("spec") or {}
        if not spec.get("schedule"):
            err(doc, "no schedule")
        if self.openapi_paths is None:
            return
        pod = (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            text = " ".join(str(x) for x in (container.get("command") or []) + (container.get("args") or []))
            for path in API_PATH.findall(text):
                methods = self.openapi_paths.get(path)
                if methods is None:
                    err(doc, f"calls {path}, which openapi.yaml does not define")
                elif "post" not in methods:
                    err(doc, f"calls {path} with POST, which openapi.yaml does not allow")

    @staticmethod
    def check_kustomization(docs, files: dict, errors: list):
        kustomizations = [d for d in docs if d.kind == "Kustomization"]
        if not kustomizations:
            errors.append(("kustomization.yaml", "missing (or not a Kustomization)"))
            return
        k = kustomizations[0]
        resources = k.body.get("resources") or []
        for r in resources:
            if r not in files:
                errors.append((k.file, f"resource {r!r} does not exist"))
            elif r.endswith(".example.yaml"):
                errors.append((k.file, f"resource {r!r} is an example with placeholder values"))
        for name in files:
            if name != k.file and not name.endswith(".example.yaml") and name not in resources:
                errors.append((name, f"not listed in {k.file} resources"))


def runtime_config_text(secret: Doc):
    string_data = secret.body.get("stringData") or {}
    if RUNTIME_CONFIG_KEY in string_data:
        return str(string_data[RUNTIME_CONFIG_KEY])
    data = secret.body.get("data") or {}
    if RUNTIME_CONFIG_KEY in data:
        return base64.b64decode(data[RUNTIME_CONFIG_KEY]).decode("utf-8")
    return None


def load_openapi_paths(openapi: Path):
    if not openapi.is_file():
        return None
    spec = yaml.safe_load(openapi.read_text(encoding="utf-8"))
    return {path: set(ops) for path, ops in (spec.get("paths") or {}).items()}


# --- outputs ------------------------------------------------------------------


def write_runtime_config(docs, path: Path, redis_url: str | None):
    apps = [d for d in docs if d.kind == "SpinApp"]
    if len(apps) != 1:
        raise SystemExit(f"--write-runtime-config needs exactly one SpinApp, found {len(apps)}")
    secret_name = apps[0].body["spec"]["runtimeConfig"]["loadFromSecret"]
    secret = next(d for d in docs if d.kind == "Secret" and d.name == secret_name)
    text = runtime_config_text(secret)
    if redis_url:
        urls = {
            conf["url"]
            for conf in (tomllib.loads(text).get("key_value_store") or {}).values()
            if conf.get("type") == "redis"
        }
        for url in urls:
            text = text.replace(f'"{url}"', f'"{redis_url}"')
        after = tomllib.loads(text).get("key_value_store") or {}
        if any(c.get("type") == "redis" and c.get("url") != redis_url for c in after.values()):
            raise SystemExit("could not replace every Redis URL of the runtime config")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} (from Secret {secret_name}{', Redis at ' + redis_url if redis_url else ''})")


def write_cronjob_script(docs, path: Path):
    for d in docs:
        if d.kind != "CronJob":
            continue
        pod = d.body["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        for c in pod["containers"]:
            command = c.get("command") or []
            if len(command) == 3 and command[1] == "-c" and "/notifications/dispatch" in command[2]:
                path.write_text(command[2], encoding="utf-8")
                print(f"wrote {path} (the script of CronJob {d.name})")
                return
    raise SystemExit("no CronJob runs `sh -c` with /notifications/dispatch")


# --- self-test ----------------------------------------------------------------


def self_test(checker: Checker, docs: list[Doc], files: dict) -> int:
    """Broken copies of the real manifests, each of which must be rejected with
    the expected message; the real ones must pass."""
    failures = []

    def first(kind):
        return next(i for i, d in enumerate(docs) if d.kind == kind)

    def mutated(kind, change):
        copy_docs = [Doc(d.file, d.index, copy.deepcopy(d.body)) for d in docs]
        change(copy_docs[first(kind)].body)
        return copy_docs

    def set_path(body, path, value):
        node = body
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value

    def del_path(body, path):
        node = body
        for p in path[:-1]:
            node = node[p]
        del node[path[-1]]

    cases = [
        ("SpinApp replicas: \"three\"", "SpinApp",
         lambda b: set_path(b, ["spec", "replicas"], "three"), "spec.replicas: 'three' is not of type 'integer'"),
        ("SpinApp without image", "SpinApp",
         lambda b: del_path(b, ["spec", "image"]), "'image' is a required property"),
        ("SpinApp replicas beyond int32", "SpinApp",
         lambda b: set_path(b, ["spec", "replicas"], 2**31), "spec.replicas:"),
        ("SpinApp unknown spec field", "SpinApp",
         lambda b: set_path(b, ["spec", "replica"], 3), "Additional properties are not allowed ('replica'"),
        ("SpinApp memory limit not a quantity", "SpinApp",
         lambda b: set_path(b, ["spec", "resources", "limits", "memory"], "lots"), "does not match"),
        ("SpinApp cpu limit a list (int-or-string)", "SpinApp",
         lambda b: set_path(b, ["spec", "resources", "limits", "cpu"], [1]), "is not valid under any of the given schemas"),
        ("SpinAppExecutor createDeployment: \"yes\" (wrong field type)", "SpinAppExecutor",
         lambda b: set_path(b, ["spec", "createDeployment"], "yes"), "'yes' is not of type 'boolean'"),
        ("SpinAppExecutor unknown field", "SpinAppExecutor",
         lambda b: set_path(b, ["spec", "deploymentConfig", "runtimeClass"], "wasmtime-spin-v2"),
         "Additional properties are not allowed ('runtimeClass'"),
        ("SpinAppExecutor runtimeClassName an integer", "SpinAppExecutor",
         lambda b: set_path(b, ["spec", "deploymentConfig", "runtimeClassName"], 2), "2 is not of type 'string'"),
        ("SpinApp with an unknown executor", "SpinApp",
         lambda b: set_path(b, ["spec", "executor"], "nope"), "executor 'nope' is not a SpinAppExecutor"),
        ("loadFromSecret names a missing Secret", "SpinApp",
         lambda b: set_path(b, ["spec", "runtimeConfig", "loadFromSecret"], "nope"), "Secret 'nope' is not defined"),
        ("variable spin.toml does not declare", "SpinApp",
         lambda b: b["spec"]["variables"].append({"name": "no_such_variable", "value": "x"}),
         "spin.toml declares no variable 'no_such_variable'"),
        ("secretKeyRef to a missing key", "SpinApp",
         lambda b: b["spec"]["variables"].append(
             {"name": "track_rate_limit", "valueFrom": {"secretKeyRef": {"name": "ghiseu-secrets", "key": "nope"}}}),
         "has no key 'nope'"),
        ("required variable s3_endpoint not set", "SpinApp",
         lambda b: set_path(b, ["spec", "variables"], [v for v in b["spec"]["variables"] if v["name"] != "s3_endpoint"]),
         "'s3_endpoint' is required"),
        ("runtime config without the ephemeral store", "Secret",
         None, "defines no [key_value_store.ephemeral]"),
        ("runtime config with an unknown store type", "Secret",
         "redisx", "type 'redisx' is not one of"),
        ("CronJob calling a path openapi.yaml lacks", "CronJob",
         lambda b: set_path(b["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0], ["command"],
                            ["/bin/sh", "-c", "curl -X POST http://x/api/v1/platform/nothing"]),
         "/api/v1/platform/nothing, which openapi.yaml does not define"),
    ]
    baseline = checker.run(docs, files)
    if baseline:
        failures.append("the real manifests are rejected: " + "; ".join(m for _, m in baseline))
    for title, kind, change, expected in cases:
        if kind == "Secret":  # the runtime-config Secret: edit its TOML
            candidates = [Doc(d.file, d.index, copy.deepcopy(d.body)) for d in docs]
            app = next(d for d in candidates if d.kind == "SpinApp")
            secret_name = app.body["spec"]["runtimeConfig"]["loadFromSecret"]
            secret = next(d for d in candidates if d.kind == "Secret" and d.name == secret_name)
            text = secret.body["stringData"][RUNTIME_CONFIG_KEY]
            if change is None:
                text = text.split("[key_value_store.ephemeral]")[0]
            else:
                text = text.replace('type = "redis"', f'type = "{change}"', 1)
            secret.body["stringData"][RUNTIME_CONFIG_KEY] = text
        else:
            candidates = mutated(kind, change)
        messages = [m for _, m in checker.run(candidates, files)]
        if any(expected in m for m in messages):
            print(f"self-test: rejected as expected: {title}")
        else:
            failures.append(f"{title}: not rejected with {expected!r} (got: {messages or 'no error'})")
    for f in failures:
        print(f"self-test FAILED: {f}", file=sys.stderr)
    if failures:
        return 1
    print(f"self-test: ok ({len(cases)} broken copies rejected, the real manifests accepted)")
    return 0


# --- main ---------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crds", type=Path, default=REPO.parent / "shared" / "spinkube",
                        help="directory of the SpinKube CRD YAML files (default: %(default)s)")
    parser.add_argument("--manifests", type=Path, default=HERE, help="default: %(default)s")
    parser.add_argument("--spin-toml", type=Path, default=REPO / "spin.toml", help="default: %(default)s")
    parser.add_argument("--openapi", type=Path, default=REPO / "openapi.yaml", help="default: %(default)s")
    parser.add_argument("--self-test", action="store_true",
                        help="check that deliberately broken manifests are rejected")
    parser.add_argument("--write-runtime-config", type=Path, metavar="PATH",
                        help="write the runtime-config.toml of the SpinApp's Secret to PATH")
    parser.add_argument("--redis-url", metavar="URL",
                        help="with --write-runtime-config: the Redis URL to put in it")
    parser.add_argument("--write-cronjob-script", type=Path, metavar="PATH",
                        help="write the shell script of the notifications CronJob to PATH")
    args = parser.parse_args(argv)
    if args.redis_url and not args.write_runtime_config:
        parser.error("--redis-url needs --write-runtime-config")

    load_errors: list = []
    docs, files = load_manifests(args.manifests, load_errors)
    crds = load_crd_schemas(args.crds)
    spin_vars, spin_stores = load_spin_variables(args.spin_toml)
    checker = Checker(crds, spin_vars, spin_stores, load_openapi_paths(args.openapi))

    if args.self_test:
        if load_errors:
            for f, m in load_errors:
                print(f"FAIL {f}: {m}", file=sys.stderr)
            return 1
        return self_test(checker, docs, files)

    errors = load_errors + checker.run(docs, files)
    for name in files:
        mine = [m for f, m in errors if f == name]
        kinds = [f"{d.kind} {d.name}" for d in docs if d.file == name]
        if mine:
            print(f"FAIL {name}: {len(mine)} problem(s)")
            for m in mine:
                print(f"  - {m}")
        else:
            print(f"ok   {name}: {len(kinds)} document(s): {', '.join(kinds)}")
    for f, m in errors:
        if f not in files:
            print(f"FAIL {f}: {m}")
    if errors:
        print(f"{len(errors)} problem(s) in {args.manifests}", file=sys.stderr)
        return 1
    print(f"all {len(docs)} documents of {len(files)} files valid "
          f"(CRDs from {args.crds}, variables from {args.spin_toml.name})")

    if args.write_runtime_config:
        write_runtime_config(docs, args.write_runtime_config, args.redis_url)
    if args.write_cronjob_script:
        write_cronjob_script(docs, args.write_cronjob_script)
    return 0


if __name__ == "__main__":
    sys.exit(main())
