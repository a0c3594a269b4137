import { Link } from "react-router-dom";

export default function NotFoundPage() {
  return (
    <section className="status">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/trips">See your trips</Link>.
      </p>
    </section>
  );
}
