import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api } from "../api.js";
import { useResource } from "../useResource.js";
import { ErrorMessage, Loading } from "../components/Status.jsx";
import { formatDate, nights, plural } from "../format.js";

export default function TripDetailPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { loading, data: trip, error, reload } = useResource((signal) => api.getTrip(id, { signal }), id);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState(null);

  async function remove() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.deleteTrip(id);
      navigate("/trips", { replace: true, state: { flash: `Deleted “${trip.title}”.` } });
    } catch (err) {
      setDeleteError(err);
      setDeleting(false);
    }
  }

  if (loading) return <Loading label="Loading trip…" />;
  if (error) {
    return (
      <section>
        <ErrorMessage error={error} onRetry={reload} />
        <Link to="/trips">Back to trips</Link>
      </section>
    );
  }

  return (
    <section className="trip-detail">
      <p className="breadcrumb">
        <Link to="/trips">Trips</Link> / {trip.title}
      </p>
      <header className="page-header with-action">
        <div>
          <h1>{trip.title}</h1>
          <p className="lead">
            {trip.destination_name}, {trip.destination_country}
          </p>
        </div>
        <Link className="button" to={`/trips/${trip.id}/edit`}>
          Edit
        </Link>
      </header>
      <dl className="facts">
        <div>
          <dt>Dates</dt>
          <dd>
            {formatDate(trip.start_date)} – {formatDate(trip.end_date)} (
            {plural(nights(trip.start_date, trip.end_date), "night", "nights")})
          </dd>
        </div>
        <div>
          <dt>Travellers</dt>
          <dd>{trip.travellers}</dd>
        </div>
        <div>
          <dt>Notes</dt>
          <dd className="notes">{trip.notes || "—"}</dd>
        </div>
      </dl>
      {deleteError && <ErrorMessage error={deleteError} />}
      <div className="danger-zone">
        {!confirming ? (
          <button type="button" className="button danger" onClick={() => setConfirming(true)}>
            Delete trip
          </button>
        ) : (
          <div className="confirm" role="group" aria-label="Confirm deletion">
            <span>Delete this trip for good?</span>
            <button type="button" className="button danger" onClick={remove} disabled={deleting}>
              {deleting ? "Deleting…" : "Yes, delete"}
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)} disabled={deleting}>
              Keep it
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
