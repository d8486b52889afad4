"""The local web page: your sessions, their silences and summaries, in a browser, on this machine only.

A small Starlette app over the same store as the command line. It listens on 127.0.0.1 and
loads nothing from anywhere else (no fonts, scripts or images from the network). Read-mostly:
the only changes it can make are dismissing a cue and exporting chosen sessions. Every request
passes `web_security`'s guards first (Host allow-list, same-origin check, strict headers).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dialogue.memory import themes
from dialogue.store import Store

from .export import render
from .transcript import render_session
from .web_security import content_security_policy, csp_hash, local_redirect, parse_id, security_middleware

MAX_EXPORT_VALUES = 1000
"""More `s=` values than this in one export request is not a person choosing sessions."""

STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-weight:500}a{color:#235}small,.muted{color:#666}li{margin:.3rem 0}
pre{white-space:pre-wrap;background:#f6f6f4;padding:1rem;border-radius:.4rem}
.cue{border-left:3px solid #9ab;padding-left:.6rem;margin:.6rem 0}button{font:inherit}
"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<title>{escape(title)} · Stillpoint</title><style>{STYLE}</style><body>"
        f"<p class=muted>Stillpoint is an AI companion, not a therapist. Everything here stays on this computer.</p>"
        f"{body}</body></html>"
    )


def create_app(store: Store, resources_text: str = "", allowed_hosts: Iterable[str] = ()) -> Starlette:
    """The page, behind `web_security`'s guards; `allowed_hosts` adds names beyond this computer's loopback ones."""

    def session_or_404(request: Request) -> int | None:
        session_id = request.path_params["session_id"]
        return session_id if store.session_exists(session_id) else None

    async def home(request: Request) -> Response:
        rows = store.sessions()
        items = "".join(
            f"<li><label><input type=checkbox name=s value={s.id} form=export> </label>"
            f"<a href='/sessions/{s.id}'>Session {s.id}</a> <small>{escape(s.started_at)} · {s.turns} turns</small>"
            f"<br><span class=muted>{escape(store.summary(s.id))}</span></li>"
            for s in reversed(rows)
        )
        found = themes(store.user_texts_by_session())
        theme_html = "".join(f"<li>{escape(t.spoken())}</li>" for t in found[:6])
        return _page(
            "Sessions",
            "<h1>Your sessions</h1>"
            + (f"<h2>Themes</h2><ul>{theme_html}</ul>" if theme_html else "")
            + (f"<form id=export action=/export method=get><ul>{items}</ul>"
               "<button>Export the chosen sessions for my therapist</button></form>" if rows else "<p>No sessions yet.</p>"),
        )

    async def session(request: Request) -> Response:
        session_id = session_or_404(request)
        if session_id is None:
            return PlainTextResponse("No such session.", status_code=404)
        lines = [escape(line) for line in render_session(store, session_id)]
        cues = "".join(
            f"<div class=cue>#{c.id} {escape(c.cue.kind.replace('_', ' '))}, {c.cue.duration_s:.1f} s ({c.cue.band})"
            f"{' — dismissed' if c.dismissed else ''}<br><small>before: …{escape(c.cue.before)}</small>"
            + ("" if c.dismissed else
               f"<form method=post action='/cues/{c.id}/dismiss?next=/sessions/{session_id}'><button>Never bring this up</button></form>")
            + "</div>"
            for c in store.cues(session_id)
        )
        return _page(
            f"Session {session_id}",
            f"<p><a href='/'>← sessions</a></p><h1>Session {session_id}</h1>"
            f"<p>{escape(store.summary(session_id))}</p><h2>Transcript</h2><pre>{chr(10).join(lines)}</pre>"
            f"<h2>Silences noticed</h2>{cues or '<p>None.</p>'}",
        )

    async def dismiss(request: Request) -> Response:
        if not store.dismiss_cue(request.path_params["cue_id"]):
            return PlainTextResponse("No such cue.", status_code=404)
        return RedirectResponse(local_redirect(request.query_params.get("next")), status_code=303)

    async def export(request: Request) -> Response:
        values = request.query_params.getlist("s")
        if len(values) > MAX_EXPORT_VALUES:
            return PlainTextResponse("Too many sessions in one request.", status_code=400)
        ids = [parse_id(v) for v in dict.fromkeys(values)]
        if None in ids:
            return PlainTextResponse("Sessions are chosen by number, e.g. /export?s=1&s=2.", status_code=400)
        wanted = [i for i in ids if store.session_exists(i)]
        if not wanted:
            return PlainTextResponse("Choose at least one session to export.", status_code=400)
        text = render(store, wanted, resources_text=resources_text)
        return PlainTextResponse(
            text, media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=stillpoint-reflections.md"},
        )

    return Starlette(
        routes=[
            Route("/", home),
            Route("/sessions/{session_id:id}", session),
            Route("/cues/{cue_id:id}/dismiss", dismiss, methods=["POST"]),
            Route("/export", export),
        ],
        middleware=security_middleware(extra_hosts=allowed_hosts,
                                       csp=content_security_policy(style_hashes=[csp_hash(STYLE)])),
    )
