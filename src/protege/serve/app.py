"""The FastAPI app behind ``protege serve``: the OpenAI- and Ollama-compatible APIs, the dashboard,
and the guard in front of all of them (:mod:`protege.serve.auth`).

A request that cannot be answered as sent gets a 4xx with a message that says why, in the error
shape its API uses (OpenAI's ``{"error": {"message", ...}}``, Ollama's ``{"error": "..."}``), and
changes nothing: nothing is recorded before the request has been read and resolved to a site.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import protege
from protege.router import Router, default_router
from protege.serve import ollama_api, openai_api
from protege.serve.auth import AuthConfig, BodyTooLarge, Guard, error_body
from protege.serve.dashboard import router as dashboard_router
from protege.serve.sites import RequestError, ServeConfig, Sites


def create_app(config: ServeConfig | None = None, *, auth: AuthConfig | None = None, router: Router | None = None,
               adapters: list | None = None) -> FastAPI:
    """The app. ``auth`` defaults to open (the caller decides: ``protege serve`` gives a token
    whenever the bind is not 127.0.0.1); ``adapters`` defaults to the ``protege.chat`` entry points."""
    app = FastAPI(title="protege", version=protege.__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sites = Sites(config or ServeConfig(), router=router or default_router(), adapters=adapters)
    app.include_router(openai_api.router)
    app.include_router(ollama_api.router)
    app.include_router(dashboard_router)

    @app.exception_handler(RequestError)
    async def request_error(request: Request, exc: RequestError) -> JSONResponse:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return error_response(request, 413, str(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        # The client learns that it failed, never how: Starlette re-raises it into the server's log.
        return error_response(request, 500, "internal server error (the server's log has the details)")

    @app.get("/", include_in_schema=False)
    async def root() -> dict:
        return {"protege": protege.__version__, "openai": "/v1", "ollama": "/api", "dashboard": "/dashboard"}

    app.add_middleware(Guard, config=auth or AuthConfig(token=None))
    return app


def error_response(request: Request, status: int, message: str) -> JSONResponse:
    return JSONResponse(error_body(request.url.path, message, status), status_code=status)
