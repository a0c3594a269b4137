import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api } from "../api.js";
import { useResource } from "../useResource.js";
import { ErrorMessage, Loading } from "../components/Status.jsx";
import TripForm, { emptyTrip, tripToForm } from "../components/TripForm.jsx";

// /trips/new (optionally ?destination=<id>) and /trips/:id/edit
export default function TripFormPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const editing = id !== undefined;

  const { loading, data, error, reload } = useResource(
    async (signal) => {
      const [destinations, trip] = await Promise.all([
        api.listDestinations({ signal }),
        editing ? api.getTrip(id, { signal }) : Promise.resolve(null),
      ]);
      return { destinations: destinations.results, trip };
    },
    editing ? `edit-${id}` : "new",
  );

  async function save(payload) {
    const saved = editing ? await api.updateTrip(id, payload) : await api.createTrip(payload);
    navigate(`/trips/${saved.id}`, {
      state: { flash: editing ? `Saved “${saved.title}”.` : `Created “${saved.title}”.` },
    });
  }

  const title = editing ? (data?.trip ? `Edit “${data.trip.title}”` : "Edit trip") : "New trip";

  return (
    <section>
      <p className="breadcrumb">
        <Link to="/trips">Trips</Link> / {editing ? "Edit" : "New"}
      </p>
      <h1>{title}</h1>
      {loading && <Loading />}
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {data && (
        <TripForm
          // A new version (after "Reload the latest version") starts a fresh form.
          key={editing ? `edit-${id}-v${data.trip.version}` : "new"}
          initial={editing ? tripToForm(data.trip) : emptyTrip(params.get("destination") || "")}
          destinations={data.destinations}
          submitLabel={editing ? "Save changes" : "Create trip"}
          onSubmit={save}
          onReload={editing ? reload : undefined}
          onCancel={() => navigate(editing ? `/trips/${id}` : "/trips")}
        />
      )}
    </section>
  );
}
