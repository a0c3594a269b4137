// Browser end-to-end checks against the real stack started by tests/app
// (PostgreSQL + gunicorn + nginx serving the production build; each check below
// is a pytest test of its own there). Debian's Chromium driven by
// playwright-core; no browser download.
//
// env: BASE_URL (nginx), USER_DATA_DIR (fresh, empty), ARTIFACTS (screenshots),
//      KEEP_TRIP=1 (AppThroughFrontendIT in src/it: leave the trip made through the form in place, printed as
//      "KEPT <id> <title>", for the caller to find through the API, and to delete it itself)
// Prints one "PASS <name>" / "FAIL <name>: <reason>" line per check.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";

const BASE_URL = process.env.BASE_URL;
const USER_DATA_DIR = process.env.USER_DATA_DIR;
const ARTIFACTS = process.env.ARTIFACTS || "artifacts";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const KEEP_TRIP = process.env.KEEP_TRIP === "1";
if (!BASE_URL || !USER_DATA_DIR) {
  console.error("e2e.mjs: BASE_URL and USER_DATA_DIR are required");
  process.exit(2);
}
mkdirSync(ARTIFACTS, { recursive: true });

const stamp = Date.now().toString(36);
const TITLE = `E2E Lisbon weekend ${stamp}`;
const results = [];
const cspViolations = [];
const pageErrors = [];

async function check(name, fn, page) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`PASS ${name}`);
  } catch (err) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${String(err?.message || err).split("\n")[0]}`);
    if (page) {
      const file = path.join(ARTIFACTS, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`     screenshot: ${file}`);
    }
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function apiJson(page, url) {
  return page.evaluate(async (u) => (await fetch(u, { headers: { Accept: "application/json" } })).json(), url);
}

const context = await chromium.launchPersistentContext(USER_DATA_DIR, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ],
  viewport: { width: 1200, height: 900 },
});
context.setDefaultTimeout(15000);
const page = context.pages()[0] || (await context.newPage());
page.on("console", (msg) => {
  if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
});
page.on("pageerror", (err) => pageErrors.push(String(err)));

let createdId = null;

try {
  await check("destinations page lists the seeded destinations", async () => {
    await page.goto(`${BASE_URL}/destinations`);
    const list = page.getByRole("list", { name: "Destinations" });
    await list.getByText("Lisbon", { exact: true }).waitFor();
    const count = await list.getByRole("listitem").count();
    expect(count >= 12, `expected the 12 seeded destinations, saw ${count}`);
  }, page);

  await check("creates a trip through the UI and sees it listed", async () => {
    await page.goto(`${BASE_URL}/trips/new`);
    await page.getByLabel("Title").fill(TITLE);
    await page.getByLabel("Destination").selectOption({ label: "Lisbon, Portugal" });
    await page.getByLabel("Start date").fill("2027-05-14");
    await page.getByLabel("End date").fill("2027-05-17");
    await page.getByLabel("Travellers").fill("2");
    await page.getByLabel("Notes").fill("Tram 28 early, before the crowds.");
    await page.getByRole("button", { name: "Create trip" }).click();
    await page.getByRole("heading", { name: TITLE }).waitFor();
    const match = new URL(page.url()).pathname.match(/^\/trips\/(\d+)$/);
    expect(match, `expected to land on /trips/<id>, got ${page.url()}`);
    createdId = Number(match[1]);
    await page.getByRole("link", { name: "Trips", exact: true }).first().click();
    const item = page.locator(`li[data-trip-id="${createdId}"]`);
    await item.waitFor();
    const text = await item.innerText();
    expect(text.includes(TITLE), `list item lacks the title: ${text}`);
    expect(text.includes("Lisbon, Portugal"), `list item lacks the destination: ${text}`);
    expect(text.includes("3 nights") && text.includes("2 travellers"), `list item lacks dates/travellers: ${text}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "trips-list.png"), fullPage: true });
  }, page);

  await check("filters the trip list by destination", async () => {
    await page.goto(`${BASE_URL}/trips`);
    await page.getByText(TITLE).waitFor();
    const filtered = (r) => /\/api\/trips\/\?destination=\d+$/.test(r.url()) && r.status() === 200;
    const select = page.getByLabel("Destination");
    await Promise.all([page.waitForResponse(filtered), select.selectOption({ label: "Kyoto, Japan" })]);
    await page.waitForURL(/\/trips\?destination=\d+$/);
    await page.locator(".count").waitFor();
    expect((await page.getByText(TITLE).count()) === 0, "the Lisbon trip shows under the Kyoto filter");
    await Promise.all([page.waitForResponse(filtered), select.selectOption({ label: "Lisbon, Portugal" })]);
    await page.getByText(TITLE).waitFor();
    const countText = await page.locator(".count").innerText();
    expect(/^\d+ trips?$/.test(countText), `unexpected count text ${countText}`);
  }, page);

  await check("end date before start date shows the server's error next to the field and stores nothing", async () => {
    const before = (await apiJson(page, "/api/trips/")).count;
    await page.goto(`${BASE_URL}/trips/new`);
    await page.getByLabel("Title").fill(`Backwards ${stamp}`);
    await page.getByLabel("Destination").selectOption({ label: "Kyoto, Japan" });
    await page.getByLabel("Start date").fill("2027-10-10");
    await page.getByLabel("End date").fill("2027-10-01");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/trips/") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Create trip" }).click(),
    ]);
    expect(response.status() === 400, `expected HTTP 400 from the API, got ${response.status()}`);
    const error = page.locator("#end_date-error");
    await error.waitFor();
    const message = await error.innerText();
    expect(message.includes("End date cannot be before the start date."), `unexpected message: ${message}`);
    // next to the field: the same .field block as the End date input, which points at it
    const sameField = await page.locator(".field", { has: page.locator("#end_date") }).locator("#end_date-error").count();
    expect(sameField === 1, "the error is not in the End date field block");
    expect((await page.locator("#end_date").getAttribute("aria-describedby")) === "end_date-error", "input not linked to its error");
    expect(new URL(page.url()).pathname === "/trips/new", "left the form despite the error");
    await page.screenshot({ path: path.join(ARTIFACTS, "validation-error.png"), fullPage: true });
    const after = (await apiJson(page, "/api/trips/")).count;
    expect(after === before, `trip count changed from ${before} to ${after}`);
  }, page);

  await check("reloading the edit deep link shows that trip's values", async () => {
    expect(createdId, "no trip was created earlier");
    await page.goto(`${BASE_URL}/trips/${createdId}/edit`);
    await page.getByLabel("Title").waitFor();
    await page.reload();
    await page.getByRole("heading", { name: `Edit “${TITLE}”` }).waitFor();
    expect((await page.getByLabel("Title").inputValue()) === TITLE, "title not prefilled after reload");
    expect((await page.getByLabel("Start date").inputValue()) === "2027-05-14", "start date not prefilled");
    expect((await page.getByLabel("End date").inputValue()) === "2027-05-17", "end date not prefilled");
    expect((await page.getByLabel("Travellers").inputValue()) === "2", "travellers not prefilled");
    // and saving from the reloaded page works
    await page.getByLabel("Travellers").fill("3");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText(`Saved “${TITLE}”.`).waitFor();
    const stored = await apiJson(page, `/api/trips/${createdId}/`);
    expect(stored.travellers === 3, `PUT did not store travellers=3: ${JSON.stringify(stored)}`);
  }, page);

  await check("reports every field problem of the form at once (title, end before start, travellers)", async () => {
    await page.goto(`${BASE_URL}/trips/new`);
    await page.getByLabel("Destination").selectOption({ label: "Kyoto, Japan" });
    await page.getByLabel("Start date").fill("2027-10-10");
    await page.getByLabel("End date").fill("2027-10-01");
    await page.getByLabel("Travellers").fill("0");
    await page.getByRole("button", { name: "Create trip" }).click();
    for (const field of ["title", "end_date", "travellers"]) {
      await page.locator(`#${field}-error`).waitFor();
    }
    const endMessage = await page.locator("#end_date-error").innerText();
    expect(endMessage.includes("End date cannot be before the start date."), `end date message: ${endMessage}`);
  }, page);

  await check("a stale edit in a second tab is refused with a message and a reload, never overwriting", async () => {
    expect(createdId, "no trip was created earlier");
    const other = await context.newPage();
    try {
      await other.goto(`${BASE_URL}/trips/${createdId}/edit`);
      await other.getByLabel("Travellers").waitFor();
      // This tab saves first...
      await page.goto(`${BASE_URL}/trips/${createdId}/edit`);
      await page.getByLabel("Notes").fill("Changed in the first tab.");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText(`Saved “${TITLE}”.`).waitFor();
      // ...then the other tab, still on the version it loaded.
      await other.getByLabel("Travellers").fill("4");
      const [response] = await Promise.all([
        other.waitForResponse((r) => r.url().endsWith(`/api/trips/${createdId}/`) && r.request().method() === "PUT"),
        other.getByRole("button", { name: "Save changes" }).click(),
      ]);
      expect(response.status() === 409, `expected 409 for the stale save, got ${response.status()}`);
      await other.getByText("changed by someone else").waitFor();
      let stored = await apiJson(page, `/api/trips/${createdId}/`);
      expect(stored.notes === "Changed in the first tab." && stored.travellers === 3, `overwritten: ${JSON.stringify(stored)}`);
      await other.getByRole("button", { name: "Reload the latest version" }).click();
      await other.waitForFunction(() => document.querySelector("#notes")?.value === "Changed in the first tab.");
      await other.getByLabel("Travellers").fill("4");
      await other.getByRole("button", { name: "Save changes" }).click();
      await other.getByText(`Saved “${TITLE}”.`).waitFor();
      stored = await apiJson(page, `/api/trips/${createdId}/`);
      expect(stored.notes === "Changed in the first tab." && stored.travellers === 4, `both changes not kept: ${JSON.stringify(stored)}`);
    } finally {
      await other.close();
    }
  }, page);

  await check("a long unbroken title and a long URL in the notes fit a 390 px screen, Edit stays on it", async () => {
    const longTitle = `Unbroken${"x".repeat(180)}${stamp}`.slice(0, 200);
    const created = await page.evaluate(async (trip) => {
      const r = await fetch("/api/trips/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(trip) });
      return r.json();
    }, {
      title: longTitle,
      destination: (await apiJson(page, "/api/destinations/?page_size=100")).results[0].id,
      start_date: "2020-01-01",
      end_date: "2020-01-02",
      travellers: 1,
      notes: `See https://example.com/${"a-very-long-path-segment".repeat(12)}?and=${"q".repeat(80)}`,
    });
    expect(created.id, `create failed: ${JSON.stringify(created)}`);
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 844 });
      const fits = async (what) => {
        const { scroll, editRight } = await narrow.evaluate(() => {
          const edit = [...document.querySelectorAll("a")].find((a) => a.textContent.trim() === "Edit");
          return { scroll: document.documentElement.scrollWidth, editRight: edit ? edit.getBoundingClientRect().right : -1 };
        });
        expect(scroll <= 390, `${what}: the page is ${scroll} px wide, it scrolls sideways`);
        expect(editRight > 0 && editRight <= 390, `${what}: the Edit button ends at ${editRight} px, off a 390 px screen`);
      };
      await narrow.goto(`${BASE_URL}/trips/${created.id}`);
      await narrow.getByRole("heading", { name: longTitle }).waitFor();
      await fits("detail page");
      await narrow.goto(`${BASE_URL}/trips`);
      await narrow.locator(`li[data-trip-id="${created.id}"]`).waitFor();
      await fits("trip list");
      await narrow.screenshot({ path: path.join(ARTIFACTS, "narrow-list.png"), fullPage: true });
    } finally {
      await narrow.close();
      await page.evaluate(async (u) => fetch(u, { method: "DELETE" }), `/api/trips/${created.id}/`);
    }
  }, page);

  // An error a retry cannot fix: the alert says what is wrong (and no "Try again"),
  // and its way out leads back to a list of trips.
  async function errorWithAWayOut(url, expectMessage, wayOut) {
    await page.goto(`${BASE_URL}${url}`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    expectMessage(text);
    expect(!/highlighted/i.test(text), `points at highlighted fields that do not exist: ${text}`);
    expect((await page.getByRole("button", { name: "Try again" }).count()) === 0, "offers a retry that can only fail");
    await wayOut.click();
    await page.getByRole("list", { name: "Trips" }).waitFor();
  }

  await check("a page past the end says which pages exist and offers the first page instead of a retry", () =>
    errorWithAWayOut(
      "/trips?page=999",
      (text) => expect(/Page 999 does not exist: there (is|are) \d+ pages? of trips/.test(text), `unexpected message: ${text}`),
      page.getByRole("button", { name: "Go to the first page" }),
    ), page);

  await check("an unknown destination filter says so and offers all destinations", () =>
    errorWithAWayOut(
      "/trips?destination=999999",
      (text) => expect(text.includes("Unknown destination 999999."), `unexpected message: ${text}`),
      page.getByRole("link", { name: "Show trips to all destinations" }),
    ), page);

  if (KEEP_TRIP) {
    console.log(`KEPT ${createdId} ${TITLE}`);
  } else await check("deletes the trip through the UI", async () => {
    expect(createdId, "no trip was created earlier");
    await page.goto(`${BASE_URL}/trips/${createdId}`);
    await page.getByRole("button", { name: "Delete trip" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByText(`Deleted “${TITLE}”.`).waitFor();
    const status = await page.evaluate(async (u) => (await fetch(u)).status, `/api/trips/${createdId}/`);
    expect(status === 404, `trip still there (HTTP ${status})`);
  }, page);

  await check("no Content-Security-Policy violations or page errors", async () => {
    expect(cspViolations.length === 0, `CSP violations: ${cspViolations.join(" | ")}`);
    expect(pageErrors.length === 0, `page errors: ${pageErrors.join(" | ")}`);
  });
} finally {
  await context.close();
}

const failed = results.filter(([, ok]) => !ok).length;
process.exit(failed ? 1 : 0);
