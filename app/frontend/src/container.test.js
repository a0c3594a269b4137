// @vitest-environment node
// The frontend image's contract (docs/app.md) as written in its build files.
// No Docker engine runs here; tests/app (tests/harness/nginx.py) serves the real build with
// Debian's nginx and this same template.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (p) => readFileSync(fileURLToPath(new URL(`../${p}`, import.meta.url)), "utf8");
const dockerfile = read("Dockerfile");
const template = read("nginx/default.conf.template");
const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
// The base images are build arguments (offline/images.sh passes local stand-ins); their
// defaults are what CI and users build with.
const argDefault = (name) => dockerfile.match(new RegExp(`^ARG ${name}=(\\S+)$`, "m"))?.[1];

describe("frontend image", () => {
  it("builds with a Node LTS image pinned by exact version and serves with pinned nginx-unprivileged", () => {
    expect(froms).toEqual(["${NODE_IMAGE}", "${NGINX_IMAGE}"]);
    expect(argDefault("NODE_IMAGE")).toMatch(/^node:(20|22|24)\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/);
    expect(argDefault("NGINX_IMAGE")).toMatch(/^nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-(alpine|bookworm)(@sha256:[0-9a-f]{64})?$/);
    expect(dockerfile).toMatch(/&& npm ci --no-audit\b/);
    expect(dockerfile).toMatch(/RUN npm run build\b/);
  });

  it("needs no remote frontend to build: no '# syntax=' line", () => {
    expect(dockerfile).not.toMatch(/^# *syntax=/m);
  });

  it("runs as UID 101, listens on NGINX_PORT (default 8080), BACKEND_PORT defaults to 8000", () => {
    expect(dockerfile).toMatch(/^USER 101$/m);
    expect(dockerfile).toMatch(/NGINX_PORT=8080/);
    expect(dockerfile).toMatch(/BACKEND_PORT=8000/);
    expect(dockerfile).not.toMatch(/BACKEND_HOST=/);
    expect(dockerfile).toContain('NGINX_ENVSUBST_FILTER="^(NGINX_PORT|BACKEND_HOST|BACKEND_PORT)"');
    expect(dockerfile).toMatch(/COPY nginx\/default\.conf\.template \/etc\/nginx\/templates\/default\.conf\.template/);
  });

  it("uses only the three variables in the template", () => {
    const vars = new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...vars].sort()).toEqual(["BACKEND_HOST", "BACKEND_PORT", "NGINX_PORT"]);
    expect(template).toMatch(/listen \$\{NGINX_PORT\};/);
    expect(template).toMatch(/upstream backend_api \{\s*server \$\{BACKEND_HOST\}:\$\{BACKEND_PORT\};/);
    expect(template).toMatch(/proxy_pass http:\/\/backend_api;/);
    // the Host the backend's ALLOWED_HOSTS lists (the Service name), as before the upstream block
    expect(template).toMatch(/proxy_set_header Host \$\{BACKEND_HOST\}:\$\{BACKEND_PORT\};/);
  });

  it("keeps upstream connections open, and drops idle ones before gunicorn does", () => {
    const gunicorn = readFileSync(fileURLToPath(new URL("../../backend/gunicorn.conf.py", import.meta.url)), "utf8");
    // gunicorn's own gthread worker keeps connections open
    expect(gunicorn).toMatch(/^worker_class = "gthread"$/m);
    const gunicornKeepalive = Number(gunicorn.match(/^keepalive = (\d+)$/m)[1]);
    const upstream = template.match(/upstream backend_api \{[\s\S]*?\n\}/)[0];
    expect(upstream).toMatch(/keepalive \d+;/);
    // connections are replaced now and then, so that new backend pods get their share
    expect(upstream).toMatch(/keepalive_requests \d+;/);
    const nginxIdle = Number(upstream.match(/keepalive_timeout (\d+)s;/)[1]);
    expect(nginxIdle).toBeLessThan(gunicornKeepalive);
    expect(template).toMatch(/location \/api\/ \{\s*proxy_pass http:\/\/backend_api;\s*proxy_http_version 1\.1;[^\n]*\n[^\n]*\n\s*proxy_set_header Connection "";/);
  });

  it("has the SPA fallback, cache rules and probes the stack relies on", () => {
    expect(template).toMatch(/try_files \$uri \/index\.html;/);
    // liveness: nginx answers by itself; readiness: it serves the page, 503 without the build
    expect(template).toMatch(/location = \/healthz \{[^}]*return 200/);
    expect(template).toMatch(/location = \/readyz \{[^}]*try_files \/index\.html =503;/);
    for (const probe of ["healthz", "readyz"]) {
      const block = template.match(new RegExp(`location = /${probe} \\{[^}]*\\}`))[0];
      // neither depends on the backend, and the kubelet's calls stay out of the access log
      expect(block).not.toMatch(/proxy_pass/);
      expect(block).toMatch(/access_log off;/);
    }
    expect(template).toMatch(/location \/assets\/ \{[^}]*add_header Cache-Control \$asset_cache_control always;/);
    // a year only for real hits: a 404 is not cached (tests/app checks it on nginx)
    expect(template).toMatch(/map \$status \$asset_cache_control \{\s*~\^\(200\|206\|304\)\$ "public, max-age=31536000, immutable";\s*default "no-store";/);
    expect(template).toMatch(/location = \/index\.html \{[^}]*no-cache/);
  });
});
