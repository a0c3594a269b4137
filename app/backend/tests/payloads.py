"""Request bodies the API tests start from."""


def valid_payload(destination, /, **overrides):
    payload = {
        "title": "Spring in Testville",
        "destination": destination.id,
        "start_date": "2027-04-10",
        "end_date": "2027-04-17",
        "travellers": 3,
        "notes": "Book the museum tickets.",
    }
    payload.update(overrides)
    return payload
