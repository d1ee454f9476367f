"""Pages of rows (a select of several columns), as `db.paginate` gives pages of single records."""

from typing import Any

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select

from labtrack.extensions import db
from labtrack.web import page_arg


class RowPagination(SelectPagination):
    """A page whose items are result rows (tuples), not the first column only."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(stmt: Select, per_page: int = 50) -> RowPagination:
    """The request's page (?page=) of a multi-column select."""
    return RowPagination(
        select=stmt,
        session=db.session(),
        page=page_arg(),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        count=True,
    )
