import { describe, expect, it, vi } from "vitest";
import { ApiError, api } from "./api.js";
import { fakeApi, page, trip } from "./test/fakeApi.js";

describe("api", () => {
  it("calls the same-origin /api prefix with the destination filter and page", async () => {
    const { calls } = fakeApi({ "GET /api/trips/?page=2&destination=3": page([trip()]) });
    const body = await api.listTrips({ page: 2, destination: "3" });
    expect(calls[0].url).toBe("/api/trips/?page=2&destination=3");
    expect(body.results[0].title).toBe("Lisbon long weekend");
  });

  it("omits page 1 and an empty filter from the query", async () => {
    const { calls } = fakeApi({ "GET /api/trips/": page([]) });
    await api.listTrips({ page: 1, destination: "" });
    expect(calls[0].url).toBe("/api/trips/");
  });

  it("sends JSON on create and returns the created trip", async () => {
    const { calls } = fakeApi({ "POST /api/trips/": ({ body }) => [201, { id: 9, ...body }] });
    const created = await api.createTrip({ title: "X", travellers: 2 });
    expect(created.id).toBe(9);
    expect(calls[0].body).toEqual({ title: "X", travellers: 2 });
  });

  it("turns a 400 into an ApiError carrying the field errors", async () => {
    fakeApi({ "POST /api/trips/": [400, { end_date: ["End date cannot be before the start date."] }] });
    const error = await api.createTrip({}).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.fieldErrors).toEqual({ end_date: ["End date cannot be before the start date."] });
  });

  it("describes a 400 by its field messages, so a page without those fields still says what is wrong", async () => {
    fakeApi({ "GET /api/trips/?destination=999": [400, { destination: ["Unknown destination 999."] }] });
    const error = await api.listTrips({ destination: 999 }).catch((e) => e);
    expect(error.message).toBe("Unknown destination 999.");
  });

  it("reports an unreachable server in words", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const error = await api.listDestinations().catch((e) => e);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/cannot reach the server/i);
  });

  it("returns null for 204 on delete", async () => {
    fakeApi({ "DELETE /api/trips/7/": [204, undefined] });
    expect(await api.deleteTrip(7)).toBeNull();
  });
});
