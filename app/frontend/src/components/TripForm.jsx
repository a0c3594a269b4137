import { useState } from "react";

const FIELDS = ["title", "destination", "start_date", "end_date", "travellers", "notes"];

export function emptyTrip(destination = "") {
  return { title: "", destination: String(destination), start_date: "", end_date: "", travellers: "1", notes: "" };
}

export function tripToForm(trip) {
  return {
    // Not a field: the version this form edits, sent back so that the server can
    // refuse (409) to overwrite a change made meanwhile.
    version: trip.version,
    title: trip.title,
    destination: String(trip.destination),
    start_date: trip.start_date,
    end_date: trip.end_date,
    travellers: String(trip.travellers),
    notes: trip.notes || "",
  };
}

// What the API gets: the server validates everything and answers 400 with
// field-level messages, which appear next to the fields.
export function formToPayload(values) {
  const travellers = values.travellers.trim();
  return {
    title: values.title,
    destination: values.destination === "" ? null : Number(values.destination),
    start_date: values.start_date || null,
    end_date: values.end_date || null,
    travellers: travellers === "" ? null : Number.isNaN(Number(travellers)) ? travellers : Number(travellers),
    notes: values.notes,
    ...(values.version === undefined ? {} : { version: values.version }),
  };
}

function FieldError({ name, errors }) {
  const messages = errors[name];
  if (!messages || messages.length === 0) return null;
  return (
    <p className="field-error" id={`${name}-error`} data-testid={`${name}-error`}>
      {Array.isArray(messages) ? messages.join(" ") : String(messages)}
    </p>
  );
}

export default function TripForm({ initial, destinations, submitLabel, onSubmit, onCancel, onReload }) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);

  const set = (name) => (event) => setValues((v) => ({ ...v, [name]: event.target.value }));
  const invalid = (name) => (errors[name] ? { "aria-invalid": true, "aria-describedby": `${name}-error` } : {});

  async function handleSubmit(event) {
    event.preventDefault();
    setSaving(true);
    setFormError(null);
    setConflict(null);
    try {
      await onSubmit(formToPayload(values));
      setErrors({});
    } catch (error) {
      if (error?.status === 409) {
        // Someone saved this trip after it was loaded here: saving again would
        // overwrite their change, so the user reloads (and sees it) first.
        setErrors({});
        setConflict(error.message);
        return;
      }
      const fieldErrors = error?.fieldErrors || {};
      const known = Object.fromEntries(Object.entries(fieldErrors).filter(([k]) => FIELDS.includes(k)));
      setErrors(known);
      const other = Object.entries(fieldErrors)
        .filter(([k]) => !FIELDS.includes(k))
        .flatMap(([, v]) => (Array.isArray(v) ? v : [String(v)]));
      if (other.length) setFormError(other.join(" "));
      else if (Object.keys(known).length) setFormError("Please fix the highlighted fields.");
      else setFormError(error?.message || "Could not save the trip.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="trip-form" onSubmit={handleSubmit} noValidate aria-busy={saving}>
      {formError && (
        <div className="form-error" role="alert">
          {formError}
        </div>
      )}
      {conflict && (
        <div className="form-error conflict" role="alert">
          <p>{conflict}</p>
          {onReload && (
            <button type="button" className="button secondary" onClick={onReload}>
              Reload the latest version
            </button>
          )}
        </div>
      )}
      <div className="field">
        <label htmlFor="title">Title</label>
        <input id="title" name="title" value={values.title} onChange={set("title")} {...invalid("title")} />
        <FieldError name="title" errors={errors} />
      </div>
      <div className="field">
        <label htmlFor="destination">Destination</label>
        <select
          id="destination"
          name="destination"
          value={values.destination}
          onChange={set("destination")}
          {...invalid("destination")}
        >
          <option value="">Choose a destination…</option>
          {destinations.map((d) => (
            <option key={d.id} value={String(d.id)}>
              {d.name}, {d.country}
            </option>
          ))}
        </select>
        <FieldError name="destination" errors={errors} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="start_date">Start date</label>
          <input
            id="start_date"
            name="start_date"
            type="date"
            value={values.start_date}
            onChange={set("start_date")}
            {...invalid("start_date")}
          />
          <FieldError name="start_date" errors={errors} />
        </div>
        <div className="field">
          <label htmlFor="end_date">End date</label>
          <input
            id="end_date"
            name="end_date"
            type="date"
            value={values.end_date}
            onChange={set("end_date")}
            {...invalid("end_date")}
          />
          <FieldError name="end_date" errors={errors} />
        </div>
        <div className="field narrow">
          <label htmlFor="travellers">Travellers</label>
          <input
            id="travellers"
            name="travellers"
            inputMode="numeric"
            value={values.travellers}
            onChange={set("travellers")}
            {...invalid("travellers")}
          />
          <FieldError name="travellers" errors={errors} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="notes">Notes</label>
        <textarea id="notes" name="notes" rows={4} value={values.notes} onChange={set("notes")} {...invalid("notes")} />
        <FieldError name="notes" errors={errors} />
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
