import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { DESTINATIONS, fakeApi, page, trip } from "./test/fakeApi.js";
import { renderAt } from "./test/renderAt.jsx";

const destinations = () => page(DESTINATIONS);

describe("trips page", () => {
  it("shows a loading state, then the trips with destination, dates and travellers", async () => {
    fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/": page([trip(), trip({ id: 8, title: "Kyoto autumn", destination: 2, destination_name: "Kyoto", destination_country: "Japan", travellers: 1 })]),
    });
    renderAt("/trips");
    expect(screen.getByText(/loading trips/i)).toBeInTheDocument();
    const list = await screen.findByRole("list", { name: "Trips" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Lisbon long weekend");
    expect(items[0]).toHaveTextContent("Lisbon, Portugal");
    expect(items[0]).toHaveTextContent("10 Apr 2027 – 13 Apr 2027");
    expect(items[0]).toHaveTextContent("3 nights · 2 travellers");
    expect(items[1]).toHaveTextContent("1 traveller");
    expect(screen.getByText("2 trips")).toBeInTheDocument();
  });

  it("filters by destination through the API and keeps the filter in the URL", async () => {
    const { calls } = fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/": page([trip()]),
      "GET /api/trips/?destination=2": page([trip({ id: 8, title: "Kyoto autumn", destination: 2, destination_name: "Kyoto" })]),
    });
    renderAt("/trips");
    await screen.findByText("Lisbon long weekend");
    await waitFor(() => expect(screen.getByLabelText("Destination")).toBeEnabled());
    await userEvent.setup().selectOptions(screen.getByLabelText("Destination"), "2");
    expect(await screen.findByText("Kyoto autumn")).toBeInTheDocument();
    expect(screen.queryByText("Lisbon long weekend")).not.toBeInTheDocument();
    expect(calls.map((c) => c.url)).toContain("/api/trips/?destination=2");
    expect(screen.getByTestId("location")).toHaveTextContent("/trips?destination=2");
  });

  it("shows an error with a retry button when the API fails, and recovers on retry", async () => {
    let failures = 1;
    fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/": () => (failures-- > 0 ? [503, { detail: "Service unavailable." }] : page([trip()])),
    });
    renderAt("/trips");
    expect(await screen.findByRole("alert")).toHaveTextContent("Service unavailable.");
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Lisbon long weekend")).toBeInTheDocument();
  });

  it("shows an empty state when there are no trips", async () => {
    fakeApi({ "GET /api/destinations/?page_size=100": destinations, "GET /api/trips/": page([]) });
    renderAt("/trips");
    expect(await screen.findByText(/no trips yet/i)).toBeInTheDocument();
  });

  it("pages through results with next and previous", async () => {
    fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/": { count: 21, next: "/api/trips/?page=2", previous: null, results: [trip()] },
      "GET /api/trips/?page=2": { count: 21, next: null, previous: "/api/trips/", results: [trip({ id: 30, title: "Last one" })] },
    });
    renderAt("/trips");
    expect(await screen.findByText("Page 1 of 2")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Last one")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/trips?page=2");
  });
});

describe("destinations page", () => {
  it("lists destinations with links to plan a trip and to their trips", async () => {
    fakeApi({ "GET /api/destinations/?page_size=100": destinations });
    renderAt("/destinations");
    const cards = within(await screen.findByRole("list", { name: "Destinations" })).getAllByRole("listitem");
    expect(cards).toHaveLength(2);
    expect(cards[1]).toHaveTextContent("Kyoto");
    expect(within(cards[1]).getByRole("link", { name: "Plan a trip" })).toHaveAttribute("href", "/trips/new?destination=2");
    expect(within(cards[1]).getByRole("link", { name: "See trips" })).toHaveAttribute("href", "/trips?destination=2");
  });
});

describe("create, edit and delete", () => {
  it("creates a trip and lands on its page", async () => {
    const { calls } = fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "POST /api/trips/": ({ body }) => [201, trip({ ...body, id: 42, destination_name: "Kyoto", destination_country: "Japan" })],
      "GET /api/trips/42/": trip({ id: 42, title: "Tea", destination: 2, destination_name: "Kyoto", destination_country: "Japan" }),
    });
    renderAt("/trips/new?destination=2");
    const user = userEvent.setup();
    expect(await screen.findByLabelText("Destination")).toHaveValue("2");
    await user.type(screen.getByLabelText("Title"), "Tea");
    await user.type(screen.getByLabelText("Start date"), "2027-10-01");
    await user.type(screen.getByLabelText("End date"), "2027-10-04");
    await user.click(screen.getByRole("button", { name: "Create trip" }));
    expect(await screen.findByRole("heading", { name: "Tea" })).toBeInTheDocument();
    expect(screen.getByText("Created “Tea”.")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/trips/42");
    expect(calls.find((c) => c.method === "POST").body).toMatchObject({ title: "Tea", destination: 2, travellers: 1 });
  });

  it("opens the edit page from a deep link with the stored values and saves with PUT", async () => {
    const { calls } = fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/7/": trip(),
      "PUT /api/trips/7/": ({ body }) => [200, trip({ ...body })],
    });
    renderAt("/trips/7/edit");
    expect(await screen.findByRole("heading", { name: "Edit “Lisbon long weekend”" })).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("Lisbon long weekend");
    expect(screen.getByLabelText("Start date")).toHaveValue("2027-04-10");
    expect(screen.getByLabelText("Travellers")).toHaveValue("2");
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("Travellers"));
    await user.type(screen.getByLabelText("Travellers"), "4");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent(/^\/trips\/7$/));
    expect(calls.find((c) => c.method === "PUT").body).toMatchObject({ travellers: 4, title: "Lisbon long weekend" });
  });

  it("shows not found for a trip that does not exist", async () => {
    fakeApi({ "GET /api/destinations/?page_size=100": destinations, "GET /api/trips/999/": [404, { detail: "No Trip matches the given query." }] });
    renderAt("/trips/999");
    expect(await screen.findByRole("alert")).toHaveTextContent("No Trip matches the given query.");
  });

  it("deletes a trip after confirmation and returns to the list", async () => {
    const { calls } = fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/7/": trip(),
      "DELETE /api/trips/7/": [204, undefined],
      "GET /api/trips/": page([]),
    });
    renderAt("/trips/7");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete trip" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Yes, delete" }));
    expect(await screen.findByText("Deleted “Lisbon long weekend”.")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/trips$/);
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual(["/api/trips/7/"]);
  });

  it("shows a page-not-found for unknown paths", () => {
    fakeApi({});
    renderAt("/nowhere");
    expect(screen.getByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});

describe("errors a retry cannot fix", () => {
  it("a page past the end says which pages exist and offers the first page, not a retry", async () => {
    fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/?page=999": [404, { detail: "Page 999 does not exist: there are 3 pages of trips (1 to 3)." }],
      "GET /api/trips/": page([trip()]),
    });
    renderAt("/trips?page=999");
    expect(await screen.findByRole("alert")).toHaveTextContent("Page 999 does not exist: there are 3 pages of trips (1 to 3).");
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Go to the first page" }));
    expect(await screen.findByText("Lisbon long weekend")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/trips$/);
  });

  it("an unknown destination filter names the problem and offers all destinations, no highlighted fields", async () => {
    fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/?destination=999": [400, { destination: ["Unknown destination 999."] }],
      "GET /api/trips/": page([trip()]),
    });
    renderAt("/trips?destination=999");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Unknown destination 999.");
    expect(alert).not.toHaveTextContent(/highlighted/i);
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("link", { name: "Show trips to all destinations" }));
    expect(await screen.findByText("Lisbon long weekend")).toBeInTheDocument();
  });
});

describe("two people editing one trip", () => {
  it("saves with the version it loaded; a 409 says so and reloads the latest version on request", async () => {
    let stored = trip();
    const conflict = "This trip was changed by someone else after you loaded it (you sent version 1, it is now at version 2). Reload it to see the changes, then make yours again.";
    const { calls } = fakeApi({
      "GET /api/destinations/?page_size=100": destinations,
      "GET /api/trips/7/": () => stored,
      "PUT /api/trips/7/": ({ body }) => (body.version === stored.version ? [200, (stored = trip({ ...body, version: body.version + 1 }))] : [409, { detail: conflict, current: stored }]),
    });
    renderAt("/trips/7/edit");
    const user = userEvent.setup();
    expect(await screen.findByLabelText("Title")).toHaveValue("Lisbon long weekend");
    // Meanwhile someone else saves a new title.
    stored = trip({ title: "Renamed by someone else", version: 2 });
    await user.clear(screen.getByLabelText("Travellers"));
    await user.type(screen.getByLabelText("Travellers"), "4");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText(conflict)).toBeInTheDocument();
    expect(calls.find((c) => c.method === "PUT").body).toMatchObject({ version: 1, travellers: 4 });
    expect(screen.getByTestId("location")).toHaveTextContent("/trips/7/edit");
    await user.click(screen.getByRole("button", { name: "Reload the latest version" }));
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue("Renamed by someone else"));
    expect(screen.queryByText(conflict)).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent(/^\/trips\/7$/));
    expect(calls.filter((c) => c.method === "PUT").at(-1).body).toMatchObject({ version: 2, title: "Renamed by someone else" });
  });
});
