import { Link, useSearchParams } from "react-router-dom";
import { api } from "../api.js";
import { useResource } from "../useResource.js";
import { ErrorMessage, Loading } from "../components/Status.jsx";
import { formatDate, nights, plural } from "../format.js";

function parsePage(raw) {
  const n = Number.parseInt(raw || "1", 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export default function TripsPage() {
  const [params, setParams] = useSearchParams();
  const destination = params.get("destination") || "";
  const page = parsePage(params.get("page"));

  const destinations = useResource((signal) => api.listDestinations({ signal }), "all");
  const trips = useResource((signal) => api.listTrips({ page, destination }, { signal }), `${destination}|${page}`);

  function chooseDestination(event) {
    const next = new URLSearchParams();
    if (event.target.value) next.set("destination", event.target.value);
    setParams(next);
  }

  function goTo(p) {
    const next = new URLSearchParams(params);
    if (p > 1) next.set("page", String(p));
    else next.delete("page");
    setParams(next);
  }

  const pageCount = trips.data ? Math.max(1, Math.ceil(trips.data.count / 20)) : 1;

  return (
    <section>
      <header className="page-header with-action">
        <div>
          <h1>Trips</h1>
          <p className="lead">Everything you have planned, soonest first.</p>
        </div>
        <Link className="button" to={destination ? `/trips/new?destination=${destination}` : "/trips/new"}>
          New trip
        </Link>
      </header>

      <div className="toolbar">
        <label htmlFor="destination-filter">Destination</label>
        <select
          id="destination-filter"
          value={destination}
          onChange={chooseDestination}
          disabled={!destinations.data}
        >
          <option value="">All destinations</option>
          {destinations.data?.results.map((d) => (
            <option key={d.id} value={String(d.id)}>
              {d.name}, {d.country}
            </option>
          ))}
        </select>
        {trips.data && <span className="count">{plural(trips.data.count, "trip", "trips")}</span>}
      </div>

      {trips.loading && <Loading label="Loading trips…" />}
      {trips.error && (
        <ErrorMessage error={trips.error} onRetry={trips.reload}>
          {trips.error.fieldErrors.destination && (
            <Link className="button secondary" to="/trips">
              Show trips to all destinations
            </Link>
          )}
          {trips.error.status === 404 && page > 1 && (
            <button type="button" className="button secondary" onClick={() => goTo(1)}>
              Go to the first page
            </button>
          )}
        </ErrorMessage>
      )}
      {trips.data && trips.data.results.length === 0 && (
        <div className="empty">
          <p>No trips {destination ? "to this destination " : ""}yet.</p>
          <Link to={destination ? `/trips/new?destination=${destination}` : "/trips/new"}>Plan one now</Link>
        </div>
      )}
      {trips.data && trips.data.results.length > 0 && (
        <ul className="trip-list" aria-label="Trips">
          {trips.data.results.map((t) => (
            <li key={t.id} className="card trip" data-trip-id={t.id}>
              <div className="trip-main">
                <h2>
                  <Link to={`/trips/${t.id}`}>{t.title}</Link>
                </h2>
                <p className="meta">
                  {t.destination_name}, {t.destination_country}
                </p>
                <p className="meta">
                  {formatDate(t.start_date)} – {formatDate(t.end_date)} ·{" "}
                  {plural(nights(t.start_date, t.end_date), "night", "nights")} ·{" "}
                  {plural(t.travellers, "traveller", "travellers")}
                </p>
              </div>
              <Link className="button small secondary" to={`/trips/${t.id}/edit`} aria-label={`Edit ${t.title}`}>
                Edit
              </Link>
            </li>
          ))}
        </ul>
      )}
      {trips.data && pageCount > 1 && (
        <nav className="pagination" aria-label="Pages">
          <button type="button" className="button secondary small" disabled={!trips.data.previous} onClick={() => goTo(page - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {pageCount}
          </span>
          <button type="button" className="button secondary small" disabled={!trips.data.next} onClick={() => goTo(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}
