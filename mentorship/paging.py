"""Pages of long lists, counted cheaply.

Django's Paginator counts with a query of its own and slices afterwards; the
role pages here know their total already (a window count in the ranking
query, a count annotated on a row they load anyway), so a page is just its
rows, its number and that total.
"""

from dataclasses import dataclass

# Beyond any list; keeps OFFSET a valid bigint whatever a URL says.
MAX_PAGE = 10**7


def page_number(request, param: str = "page") -> int:
    """?page=N; anything else (missing, junk, zero, negative, huge) is the first page."""
    try:
        number = int(request.GET.get(param, 1))
    except (TypeError, ValueError, OverflowError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def clamp(number: int, total: int, per_page: int) -> int:
    """The page to show: `number`, or the last page when `number` is past it."""
    return max(1, min(number, -(-total // per_page)))


@dataclass
class Page:
    rows: list
    total: int
    number: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page
