import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api.js";
import TripForm, { emptyTrip, formToPayload } from "./components/TripForm.jsx";
import { DESTINATIONS } from "./test/fakeApi.js";

describe("TripForm", () => {
  it("submits the typed values as an API payload", async () => {
    const onSubmit = vi.fn(async () => {});
    render(<TripForm initial={emptyTrip()} destinations={DESTINATIONS} submitLabel="Create trip" onSubmit={onSubmit} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Title"), "Temples and tea");
    await user.selectOptions(screen.getByLabelText("Destination"), "2");
    await user.type(screen.getByLabelText("Start date"), "2027-10-01");
    await user.type(screen.getByLabelText("End date"), "2027-10-09");
    await user.clear(screen.getByLabelText("Travellers"));
    await user.type(screen.getByLabelText("Travellers"), "3");
    await user.click(screen.getByRole("button", { name: "Create trip" }));
    expect(onSubmit).toHaveBeenCalledWith({
      title: "Temples and tea",
      destination: 2,
      start_date: "2027-10-01",
      end_date: "2027-10-09",
      travellers: 3,
      notes: "",
    });
  });

  it("shows the server's field-level errors next to their fields", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(400, {
        end_date: ["End date cannot be before the start date."],
        travellers: ["A trip needs between 1 and 20 travellers."],
      }, "Please fix the highlighted fields.");
    });
    render(<TripForm initial={emptyTrip(1)} destinations={DESTINATIONS} submitLabel="Create trip" onSubmit={onSubmit} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Create trip" }));

    const endDate = screen.getByLabelText("End date");
    expect(await screen.findByTestId("end_date-error")).toHaveTextContent("End date cannot be before the start date.");
    expect(endDate).toHaveAttribute("aria-invalid", "true");
    expect(endDate).toHaveAttribute("aria-describedby", "end_date-error");
    // the message sits in the same field block as the input
    expect(endDate.closest(".field")).toContainElement(screen.getByTestId("end_date-error"));
    expect(screen.getByTestId("travellers-error")).toHaveTextContent("between 1 and 20");
    expect(screen.queryByTestId("title-error")).not.toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Please fix the highlighted fields.");
  });

  it("shows a non-field error (e.g. server down) at the top of the form", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(502, null, "The server had a problem (HTTP 502). Please try again.");
    });
    render(<TripForm initial={emptyTrip(1)} destinations={DESTINATIONS} submitLabel="Save" onSubmit={onSubmit} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("HTTP 502");
  });

  it("leaves wrong values for the server to judge instead of dropping them", () => {
    const payload = formToPayload({ ...emptyTrip(""), travellers: "many", start_date: "" });
    expect(payload.travellers).toBe("many");
    expect(payload.destination).toBeNull();
    expect(payload.start_date).toBeNull();
  });
});
