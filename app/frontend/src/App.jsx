import { useState } from "react";
import { Navigate, NavLink, Route, Routes, useLocation } from "react-router-dom";
import DestinationsPage from "./pages/DestinationsPage.jsx";
import TripsPage from "./pages/TripsPage.jsx";
import TripDetailPage from "./pages/TripDetailPage.jsx";
import TripFormPage from "./pages/TripFormPage.jsx";
import NotFoundPage from "./pages/NotFoundPage.jsx";

function Flash() {
  const location = useLocation();
  // A message handed over in the navigation state ("Created …"), shown once
  // per navigation until dismissed.
  const [dismissed, setDismissed] = useState(null);
  const message = location.state?.flash;
  if (!message || dismissed === location.key) return null;
  return (
    <div className="flash" role="status">
      {message}
      <button type="button" className="link" aria-label="Dismiss" onClick={() => setDismissed(location.key)}>
        ×
      </button>
    </div>
  );
}

export default function App() {
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/trips" className="brand">
          <span aria-hidden="true">✈</span> Travel App
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/trips" end>
            Trips
          </NavLink>
          <NavLink to="/destinations">Destinations</NavLink>
          <NavLink to="/trips/new" className="button small">
            New trip
          </NavLink>
        </nav>
      </header>
      <main className="content">
        <Flash />
        <Routes>
          <Route path="/" element={<Navigate to="/trips" replace />} />
          <Route path="/destinations" element={<DestinationsPage />} />
          <Route path="/trips" element={<TripsPage />} />
          <Route path="/trips/new" element={<TripFormPage />} />
          <Route path="/trips/:id" element={<TripDetailPage />} />
          <Route path="/trips/:id/edit" element={<TripFormPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
      <footer className="footer">Travel App · plan trips, not spreadsheets</footer>
    </div>
  );
}
