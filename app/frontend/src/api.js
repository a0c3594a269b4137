// The only way the app talks to the backend: same-origin /api (nginx proxies
// it in production, Vite in development).

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }

  // Field-level validation errors as { field: [messages] } (DRF's 400 shape).
  get fieldErrors() {
    if (this.status !== 400 || !this.body || typeof this.body !== "object" || Array.isArray(this.body)) {
      return {};
    }
    return this.body;
  }
}

// Worth trying again as it is: the network, the server's own trouble, rate limits.
// A 4xx says the request itself is wrong: repeating it fails the same way.
export function isRetryable(error) {
  const status = error?.status;
  return status === 0 || status === 429 || status >= 500;
}

function describe(status, body) {
  if (body && typeof body.detail === "string") return body.detail;
  if (status === 404) return "Not found.";
  if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again.`;
  if (status === 400 && body && typeof body === "object") {
    // Field-level messages (DRF's 400 shape): say them. A form highlights its own
    // fields; anywhere else, "fix the highlighted fields" would point at nothing.
    const messages = Object.values(body).flat().filter((m) => typeof m === "string");
    if (messages.length) return messages.join(" ");
  }
  return `Request failed (HTTP ${status}).`;
}

async function request(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, null, "Cannot reach the server. Check your connection and try again.");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data, describe(response.status, data));
  return data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const api = {
  listDestinations: (opts) => request(`/destinations/${query({ page_size: 100 })}`, opts),
  getDestination: (id, opts) => request(`/destinations/${encodeURIComponent(id)}/`, opts),
  listTrips: ({ page, destination } = {}, opts) =>
    request(`/trips/${query({ page: page > 1 ? page : undefined, destination })}`, opts),
  getTrip: (id, opts) => request(`/trips/${encodeURIComponent(id)}/`, opts),
  createTrip: (trip) => request("/trips/", { method: "POST", body: trip }),
  updateTrip: (id, trip) => request(`/trips/${encodeURIComponent(id)}/`, { method: "PUT", body: trip }),
  deleteTrip: (id) => request(`/trips/${encodeURIComponent(id)}/`, { method: "DELETE" }),
};
