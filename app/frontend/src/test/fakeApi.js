import { vi } from "vitest";

// A fake backend behind fetch(): routes "METHOD /api/path?query" to handlers
// and records every call, so tests can check what the app asked for.
export function fakeApi(routes) {
  const calls = [];
  const fetchMock = vi.fn(async (url, init = {}) => {
    const method = (init.method || "GET").toUpperCase();
    const key = `${method} ${url}`;
    const body = init.body ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body });
    const handler = routes[key] ?? routes[`${method} ${url.split("?")[0]}`];
    if (!handler) return jsonResponse(404, { detail: `No fake route for ${key}` });
    const result = typeof handler === "function" ? await handler({ url, body }) : handler;
    if (result instanceof Error) throw result;
    const [status, payload] = Array.isArray(result) ? result : [200, result];
    return jsonResponse(status, payload);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

export function jsonResponse(status, payload) {
  const text = payload === undefined ? "" : JSON.stringify(payload);
  return new Response(status === 204 ? null : text, {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function page(results) {
  return { count: results.length, next: null, previous: null, results };
}

export const DESTINATIONS = [
  { id: 1, name: "Lisbon", country: "Portugal", description: "Trams and tarts." },
  { id: 2, name: "Kyoto", country: "Japan", description: "Temples." },
];

export function trip(overrides = {}) {
  return {
    id: 7,
    title: "Lisbon long weekend",
    destination: 1,
    destination_name: "Lisbon",
    destination_country: "Portugal",
    start_date: "2027-04-10",
    end_date: "2027-04-13",
    travellers: 2,
    notes: "Pastéis de nata",
    version: 1,
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    ...overrides,
  };
}
