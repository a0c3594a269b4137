"""Writes kubeconform's JSON schemas for every built-in kind of one Kubernetes release, from the
OpenAPI (v2) document the release's own API server serves (api/openapi-spec/swagger.json of the
k8s.io/kubernetes module): no schema is downloaded, and they match the version the project pins.

    python3 k8s_schemas.py SWAGGER_JSON OUT_DIR

One standalone, strict file per kind, named as kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json`
finds it (deployment-apps-v1.json, service-v1.json, networkpolicy-networking-v1.json), in the
shape of the yannh/kubernetes-json-schema "-standalone-strict" schemas kubeconform uses by default:
every $ref inlined, additionalProperties false wherever properties are listed (what
`kubectl --validate=strict` rejects), int-or-string and quantities taking either form, apiVersion
and kind restricted to the kind's own.
"""

import json
import re
import sys
from pathlib import Path

REF = "#/definitions/"
GO_MOD = Path(__file__).resolve().parents[2] / "offline" / "tools" / "kubernetes" / "go.mod"


def pinned_release():
    """The Kubernetes release the project builds and runs (offline/tools/kubernetes/go.mod), e.g. v1.35.4."""
    return re.search(r"^\s*k8s\.io/kubernetes (v\S+)", GO_MOD.read_text(), re.MULTILINE).group(1)

# Values the API server accepts in either JSON type, though the document says "string".
EITHER_STRING_OR_NUMBER = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": [{"type": "string"}, {"type": "integer"}],
    "io.k8s.apimachinery.pkg.api.resource.Quantity": [{"type": "string"}, {"type": "number"}],
}


def inline(node, definitions, resolving=()):
    """The node with every $ref replaced by its definition; a definition met again inside itself
    (only JSONSchemaProps, of CustomResourceDefinition) is left open: {}."""
    if isinstance(node, list):
        return [inline(item, definitions, resolving) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        name = node["$ref"][len(REF):]
        if name in EITHER_STRING_OR_NUMBER:
            return {"oneOf": EITHER_STRING_OR_NUMBER[name]}
        if name in resolving:
            return {}
        return inline(definitions[name], definitions, resolving + (name,))
    out = {key: inline(value, definitions, resolving) for key, value in node.items()
           if key != "description" and not key.startswith("x-kubernetes-") and key != "properties"}
    if "properties" in node:  # names of fields, any of which may be "description" or "$ref"
        out["properties"] = {key: inline(value, definitions, resolving) for key, value in node["properties"].items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def file_name(group, version, kind):
    """kubeconform's ResourceKind + KindSuffix (pkg/registry/registry.go, schemaPath)."""
    suffix = f"-{version}" if not group else f"-{group.split('.')[0]}-{version}"
    return f"{kind.lower()}{suffix}.json"


def main(swagger_path, out_dir):
    definitions = json.loads(Path(swagger_path).read_text())["definitions"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, definition in sorted(definitions.items()):
        gvks = definition.get("x-kubernetes-group-version-kind", [])
        if len(gvks) != 1 or "kind" not in definition.get("properties", {}):
            continue  # not a kind of its own (DeleteOptions and WatchEvent list every group)
        gvk = gvks[0]
        group, version, kind = gvk["group"], gvk["version"], gvk["kind"]
        target = file_name(group, version, kind)
        if target in written:
            sys.exit(f"k8s_schemas: {name} and {written[target]} would both be {target}")
        written[target] = name
        schema = inline(definition, definitions, (name,))
        api_version = f"{group}/{version}" if group else version
        schema["properties"]["apiVersion"] = {"type": "string", "enum": [api_version]}
        schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        (out / target).write_text(json.dumps(schema, sort_keys=True))
    print(f"k8s_schemas: {len(written)} kinds from {swagger_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
