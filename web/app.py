"""The web application of ``arkiv serve``: server-rendered pages in Danish over ``archive_api``, with a
JSON API behind the same routes under ``/api``.

Pages: ``/search`` (Søg), ``/item/{id}`` (Punkt), ``/case?nr=`` (Sag), ``/meeting/{id}`` (Møde),
``/stats`` (Statistik), ``/aktindsigt`` (not served with ``public``), ``/source/{id}`` (the source PDF).
Requests are handled one at a time on the event loop: the archive's index is opened once and shared.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aktindsigt.requests import Request as AktRequest
from aktindsigt.requests import RequestError, RequestStore
from archive_api.aktindsigt import add_case, add_ids, add_search, aktliste, package_zip
from archive_api.archive import Archive, ArchiveError, NotFound, meeting_id_of
from archive_api.rows import row, show_data
from index.documents import FACETS, IndexDoc
from index.linked import shown_bilag
from index.query import QueryError
from web.params import PAGE_SIZE, SearchParams, band_params, parse_params

__all__ = ["create_app"]

FACET_LABELS = {
    "year": "År",
    "body": "Udvalg",
    "document_type": "Dokumenttype",
    "outcome": "Udfald",
    "closed": "Åben/lukket",
    "personal_data": "Personoplysninger",
    "amount": "Beløb",
    "law": "Lov",
}
VALUE_LABELS = {
    "closed": {"open": "åben", "closed": "lukket"},
    "personal_data": {"yes": "ja", "no": "nej"},
    "outcome": {"unknown": "ukendt"},
    "year": {"unknown": "ukendt"},
    "body": {"unknown": "ukendt"},
    "amount": {"none": "intet beløb"},
    "document_type": {"other": "andet"},
}
ORDER_LABELS = {"relevance": "Relevans", "newest": "Nyeste først", "oldest": "Ældste først"}
_SNIPPET_MARK_RE = re.compile(r"\*\*(.+?)\*\*")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def highlight(snippet: str) -> Markup:
    """The snippet escaped, with the ``**matched**`` words marked up as ``<mark>``."""
    return Markup(_SNIPPET_MARK_RE.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(snippet))))


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["highlight"] = highlight
    env.filters["urlpart"] = lambda s: quote(str(s), safe="")
    env.filters["kr"] = lambda v: "" if v is None else f"{v:,.0f} kr.".replace(",", ".")
    env.globals.update(
        FACET_LABELS=FACET_LABELS, VALUE_LABELS=VALUE_LABELS, ORDER_LABELS=ORDER_LABELS, meeting_id_of=meeting_id_of
    )
    return env


class _Headers(BaseHTTPMiddleware):
    """Security headers, the same-origin rule for form posts, and ``Server-Timing`` (the time the
    application took for the response, in ms; read by benchmarks/bench_web.py)."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method == "POST" and not _same_origin(request):
            return Response("cross-site form posts are refused", status_code=403, media_type="text/plain")
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def _same_origin(request: Request) -> bool:
    """A form post from a page of this server (the browser's Origin, or Sec-Fetch-Site, says so)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


class WebApp:
    """The routes over one archive."""

    def __init__(self, archive_dir: Path, engine: str | None, public: bool) -> None:
        self.archive = Archive(archive_dir, engine, public=public)
        self.public = public
        self.store = RequestStore(archive_dir)
        self.env = _environment()

    # -- helpers ---------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.update(request=request, public=self.public, path=request.url.path)
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)

    def problem(self, request: Request, status: int, message: str, api: bool) -> Response:
        if api:
            return JSONResponse({"error": message}, status_code=status)
        title = {400: "Søgningen kunne ikke forstås", 404: "Ikke fundet"}.get(status, "Fejl")
        return self.page(request, "error.html", status, title=title, message=message)

    def requests_list(self) -> list[AktRequest]:
        return [] if self.public else self.store.list()

    # -- Søg -------------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        try:
            params = parse_params(request.query_params)
            result = self.archive.search(
                params.query, params.filters(), page=params.page, limit=PAGE_SIZE, order=params.order
            )
        except QueryError as e:
            return self.problem(request, 400, f"Error: {e}", api)
        if api:
            hits = [{**h.row(), "in_attachments": list(h.in_attachments)} for h in result.hits]
            return JSONResponse(
                {
                    "query": params.query,
                    "total": result.total,
                    "page": result.page,
                    "limit": result.limit,
                    "sort": params.order,
                    "hits": hits,
                    "facets": result.facets,
                    "suggestion": result.suggestion.to_dict() if result.suggestion else None,
                }
            )
        facets = [(name, self._facet_links(params, name, result.facets.get(name, {}))) for name in FACETS]
        return self.page(
            request,
            "search.html",
            params=params,
            result=result,
            facets=[(n, links) for n, links in facets if n in result.facets],
            requests=self.requests_list(),
        )

    def _facet_links(self, params: SearchParams, name: str, counts: dict[str, int]) -> list[dict[str, Any]]:
        links = []
        for value, count in list(counts.items())[:15]:
            label = VALUE_LABELS.get(name, {}).get(value, value)
            target: dict[str, str | None] | None
            if name == "year":
                target = {"year": value} if value != "unknown" else None
            elif name == "body":
                target = {"body": value} if value != "unknown" else None
            elif name == "document_type":
                target = {"type": value}
            elif name == "outcome":
                target = {"outcome": value}
            elif name == "closed":
                target = {"closed": value}
            elif name == "amount":
                target = band_params(value)
            elif name == "law":
                target = {"law": value}
            else:
                target = None
            active = target is not None and all(params.values.get(k) == v for k, v in target.items() if v is not None)
            href = None
            if target is not None:
                href = params.link("/search", {k: None for k in target} if active else target)
            links.append({"label": label, "count": count, "href": href, "active": active})
        return links

    # -- Punkt -----------------------------------------------------------------

    async def item(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        item_id = request.path_params["item_id"]
        try:
            doc = self.archive.get(item_id)
        except NotFound as e:
            return self.problem(request, 404, str(e), api)
        data = show_data(doc)
        if self.public:
            data.pop("closed", None)
        if api:
            return JSONResponse(data)
        meeting = None
        mid = meeting_id_of(doc)
        if mid is not None:
            try:
                meeting = self.archive.meeting(mid)
            except NotFound:
                meeting = None
        source = (doc.details.get("source") or {}) if doc.details else {}
        is_pdf = doc.source_path.split("!")[-1].lower().endswith(".pdf")
        return self.page(
            request,
            "item.html",
            doc=doc,
            meeting=meeting,
            meeting_id=mid,
            source_format=source.get("format") or "",
            is_pdf=is_pdf,
            linked_bilag=shown_bilag(doc),
            requests=self.requests_list(),
        )

    async def source(self, request: Request) -> Response:
        try:
            found = self.archive.source(request.path_params["item_id"])
        except NotFound as e:
            return self.problem(request, 404, str(e), False)
        disposition = f"inline; filename*=UTF-8''{quote(found.name)}"
        return Response(found.data, media_type=found.media_type, headers={"Content-Disposition": disposition})

    # -- Sag, Møde, Statistik -----------------------------------------------------

    async def case(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        number = request.query_params.get("nr", "").strip()
        try:
            rows = self.archive.case(number)
        except QueryError as e:
            return self.problem(request, 400, f"Error: {e}", api)
        except NotFound as e:
            return self.problem(request, 404, str(e), api)
        if self.public:
            for r in rows:
                r.pop("closed", None)
        if api:
            return JSONResponse({"case": number, "items": rows})
        return self.page(request, "case.html", number=number, rows=rows, requests=self.requests_list())

    async def meeting(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        try:
            meeting = self.archive.meeting(request.path_params["meeting_id"])
        except NotFound as e:
            return self.problem(request, 404, str(e), api)
        if api:
            return JSONResponse(
                {
                    "id": meeting.id,
                    "body": meeting.body,
                    "type": meeting.document_type,
                    "date": meeting.date,
                    **meeting.details,
                    "items": [self._public_row(d) for d in meeting.items],
                }
            )
        return self.page(request, "meeting.html", meeting=meeting)

    def _public_row(self, doc: IndexDoc) -> dict[str, Any]:
        data = row(doc)
        if self.public:
            data.pop("closed", None)
        return data

    async def stats(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        try:
            params = parse_params(request.query_params)
            table = self.archive.stats(params.query, params.filters())
        except QueryError as e:
            return self.problem(request, 400, f"Error: {e}", api)
        if api:
            return JSONResponse({"query": params.query, "total": table.total, "counts": table.nested})
        totals = table.year_totals()
        top = max(totals.values(), default=0) or 1
        bars = [{"year": y, "count": n, "height": round(n * 160 / top)} for y, n in totals.items()]
        return self.page(request, "stats.html", params=params, table=table, bars=bars)

    # -- Aktindsigt ------------------------------------------------------------------

    async def akt_list(self, request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                [
                    {"key": r.key, "name": r.name, "created": r.created, "entries": len(r.entries)}
                    for r in self.store.list()
                ]
            )
        return self.page(request, "aktindsigt_list.html", requests=self.store.list(), error=None)

    async def akt_create(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        data = await _payload(request, api)
        try:
            created = self.store.create(str(data.get("name", "")))
        except RequestError as e:
            if api:
                return JSONResponse({"error": str(e)}, status_code=400)
            return self.page(request, "aktindsigt_list.html", 400, requests=self.store.list(), error=str(e))
        if api:
            return JSONResponse(self._akt_json(created), status_code=201)
        return RedirectResponse(f"/aktindsigt/{created.key}", status_code=303)

    def _akt_json(self, akt: AktRequest) -> dict[str, Any]:
        return {
            "key": akt.key,
            "name": akt.name,
            "created": akt.created,
            "entries": [
                {"id": e.id, "added_via": e.added_via, "included": e.included, "reason": e.reason, "added": e.added}
                for e in akt.entries
            ],
        }

    async def akt_show(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        try:
            akt = self.store.get(request.path_params["key"])
        except RequestError as e:
            return self.problem(request, 404, str(e), api)
        if api:
            return JSONResponse(self._akt_json(akt))
        rows = []
        for entry in akt.entries:
            try:
                doc: IndexDoc | None = self.archive.get(entry.id)
            except NotFound:
                doc = None
            rows.append({"entry": entry, "doc": doc})
        error = request.query_params.get("fejl")
        return self.page(request, "aktindsigt.html", akt=akt, rows=rows, error=error)

    async def akt_add(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        data = await _payload(request, api)
        key = str(data.get("key") or request.path_params.get("key", ""))
        scope = str(data.get("scope", "ids"))
        try:
            if scope == "case":
                akt = add_case(self.store, key, self.archive.directory, str(data.get("case", "")))
            elif scope == "search":
                params = parse_params({k: str(v) for k, v in data.items() if isinstance(v, str)})
                akt = add_search(self.store, key, self.archive, params.query, params.filters())
            else:
                ids = _list(data, "ids")
                if not ids:
                    raise RequestError("choose one or more items to add")
                akt = add_ids(self.store, key, self.archive, ids, "valgt fra søgning")
        except (RequestError, NotFound, QueryError, ArchiveError) as e:
            if api:
                return JSONResponse({"error": str(e)}, status_code=400)
            if not key:
                return self.problem(request, 400, str(e), False)
            return RedirectResponse(f"/aktindsigt/{quote(key)}?fejl={quote(str(e))}", status_code=303)
        if api:
            return JSONResponse(self._akt_json(akt))
        return RedirectResponse(f"/aktindsigt/{akt.key}", status_code=303)

    async def akt_decide(self, request: Request) -> Response:
        api = request.url.path.startswith("/api/")
        data = await _payload(request, api)
        key = request.path_params["key"]
        item_id = str(data.get("id", ""))
        action = str(data.get("action", "include"))
        try:
            if action == "remove":
                akt = self.store.remove(key, item_id)
            else:
                akt = self.store.decide(key, item_id, action == "include", str(data.get("reason", "")))
        except RequestError as e:
            if api:
                return JSONResponse({"error": str(e)}, status_code=400)
            return RedirectResponse(f"/aktindsigt/{quote(key)}?fejl={quote(str(e))}", status_code=303)
        if api:
            return JSONResponse(self._akt_json(akt))
        return RedirectResponse(f"/aktindsigt/{akt.key}#{quote(item_id)}", status_code=303)

    async def akt_download(self, request: Request) -> Response:
        key, fmt = request.path_params["key"], request.path_params["fmt"]
        redact = request.query_params.get("redact") == "1"
        try:
            akt = self.store.get(key)
            if fmt == "zip":
                package = package_zip(self.archive, akt, redact=redact)
                body, media = package.data, "application/zip"
                name = f"aktindsigt-{akt.key}.zip"
            else:
                body = aktliste(self.archive, akt, fmt, redact=redact)
                media = "text/csv; charset=utf-8" if fmt == "csv" else _XLSX
                name = f"aktliste-{akt.key}.{fmt}"
        except RequestError as e:
            return self.problem(request, 400, str(e), False)
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- the application ---------------------------------------------------------

    def routes(self) -> list[Route | Mount]:
        routes: list[Route | Mount] = [
            Route("/", lambda request: RedirectResponse("/search", status_code=307)),
            Route("/search", self.search),
            Route("/api/search", self.search),
            Route("/item/{item_id}", self.item),
            Route("/api/item/{item_id}", self.item),
            Route("/source/{item_id}", self.source),
            Route("/case", self.case),
            Route("/api/case", self.case),
            Route("/meeting/{meeting_id}", self.meeting),
            Route("/api/meeting/{meeting_id}", self.meeting),
            Route("/stats", self.stats),
            Route("/api/stats", self.stats),
            Mount("/static", StaticFiles(packages=[("web", "static")]), name="static"),
        ]
        if not self.public:
            routes += [
                Route("/aktindsigt", self.akt_list),
                Route("/aktindsigt", self.akt_create, methods=["POST"]),
                Route("/aktindsigt/add", self.akt_add, methods=["POST"]),
                Route("/aktindsigt/{key}", self.akt_show),
                Route("/aktindsigt/{key}/add", self.akt_add, methods=["POST"]),
                Route("/aktindsigt/{key}/decide", self.akt_decide, methods=["POST"]),
                Route("/aktindsigt/{key}/download.{fmt:str}", self.akt_download),
                Route("/api/aktindsigt", self.akt_list),
                Route("/api/aktindsigt", self.akt_create, methods=["POST"]),
                Route("/api/aktindsigt/{key}", self.akt_show),
                Route("/api/aktindsigt/{key}/add", self.akt_add, methods=["POST"]),
                Route("/api/aktindsigt/{key}/decide", self.akt_decide, methods=["POST"]),
            ]
        return routes


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _payload(request: Request, api: bool) -> dict[str, Any]:
    """A posted form or (for the API) JSON object, as a dict; repeated form fields as lists."""
    if api:
        try:
            data = await request.json()
        except ValueError:
            raise HTTPException(400, "send a JSON object") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "send a JSON object")
        return data
    form: FormData = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = values if key == "ids" else (values[0] if values else "")
    return out


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def create_app(archive_dir: Path, engine: str | None = None, *, public: bool = False) -> Starlette:
    """The ASGI application over one archive (``public``: what citizens may see, no aktindsigt)."""
    web = WebApp(Path(archive_dir), engine, public)

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", "not found")
        status = getattr(exc, "status_code", 404)
        return web.problem(request, status, str(detail), request.url.path.startswith("/api/"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        web.archive.close()

    app = Starlette(
        routes=web.routes(),
        middleware=[Middleware(_Headers)],
        exception_handlers={404: not_found, 405: not_found, 400: not_found},
        lifespan=lifespan,
    )
    app.state.web = web
    return app
