import { Link } from "react-router-dom";
import { api } from "../api.js";
import { useResource } from "../useResource.js";
import { ErrorMessage, Loading } from "../components/Status.jsx";

export default function DestinationsPage() {
  const { loading, data, error, reload } = useResource((signal) => api.listDestinations({ signal }), "all");

  return (
    <section>
      <header className="page-header">
        <h1>Destinations</h1>
        <p className="lead">Where to next? Pick a place and plan a trip.</p>
      </header>
      {loading && <Loading label="Loading destinations…" />}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {data && data.results.length === 0 && <p className="empty">No destinations yet.</p>}
      {data && data.results.length > 0 && (
        <ul className="cards" aria-label="Destinations">
          {data.results.map((d) => (
            <li key={d.id} className="card destination">
              <h2>{d.name}</h2>
              <p className="country">{d.country}</p>
              {d.description && <p className="description">{d.description}</p>}
              <div className="card-actions">
                <Link className="button small" to={`/trips/new?destination=${d.id}`}>
                  Plan a trip
                </Link>
                <Link className="button small secondary" to={`/trips?destination=${d.id}`}>
                  See trips
                </Link>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
