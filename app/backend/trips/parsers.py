from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus a 400 for bodies nested deeper than Python's decoder goes.

    json.load() recurses once per nested array or object and raises RecursionError
    (not ValueError, which DRF turns into a 400) at about a thousand levels: 2 kB of
    "[[[[..." was a 500 with a traceback. No trip body nests at all.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                "JSON parse error - nested too deeply: the body nests arrays or objects hundreds of "
                'levels deep; a trip is one flat JSON object such as {"title": "Lisbon", ...}.'
            )
