import { isRetryable } from "../api.js";

export function Loading({ label = "Loading…" }) {
  return (
    <p className="status loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

// "Try again" only where trying again can help (isRetryable); `children` are the
// actions that can, e.g. a link to the first page when a page does not exist.
export function ErrorMessage({ error, onRetry, children }) {
  const message = error?.message || "Something went wrong.";
  return (
    <div className="status error" role="alert">
      <p>{message}</p>
      {onRetry && isRetryable(error) && (
        <button type="button" className="button secondary" onClick={onRetry}>
          Try again
        </button>
      )}
      {children}
    </div>
  );
}
