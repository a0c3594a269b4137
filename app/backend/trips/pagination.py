import math

from django.db.models import Count, Window
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

TOTAL = "total_count"


class Pagination(PageNumberPagination):
    """``?page=N`` (1-based) and optional ``?page_size=M`` (at most 100).

    One query per page: the total comes with the page's rows (COUNT(*) OVER ()),
    instead of a separate COUNT(*) first. Only an empty page needs a second query,
    to tell "past the end" (404) from "nothing yet".

    next/previous are relative ("/api/trips/?page=2"): behind nginx the request's
    Host is the backend Service (backend:8000), which no client outside can use,
    while a relative link resolves against whatever URL the client called.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = self.get_page_size(request)
        self.noun = queryset.model._meta.verbose_name_plural
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            self.number = self._page_count(queryset.count())
        else:
            try:
                self.number = int(raw)
            except ValueError:
                self.number = 0
        if self.number < 1:
            raise NotFound(f"Page {raw!r} is not a page number: {self._pages_there_are(queryset.count())}.")
        offset = (self.number - 1) * self.size
        rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[offset : offset + self.size])
        if rows:
            last = rows[0]
            self.count = last[-1] if isinstance(last, tuple) else getattr(last, TOTAL)
        else:
            self.count = 0 if self.number == 1 else queryset.count()
            if self.number > 1:
                raise NotFound(f"Page {self.number} does not exist: {self._pages_there_are(self.count)}.")
        return rows

    def _page_count(self, count: int) -> int:
        return max(1, math.ceil(count / self.size))

    def _pages_there_are(self, count: int) -> str:
        pages = self._page_count(count)
        if pages == 1:
            return f"there is 1 page of {self.noun} (page 1)"
        return f"there are {pages} pages of {self.noun} (1 to {pages})"

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if self.number * self.size >= self.count:
            return None
        return replace_query_param(self.request.get_full_path(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.get_full_path()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)
