"""Response headers that every page gets."""

from flask import Flask, Response, current_app, request

# Everything is served by the app itself: no CDN, no third-party resource.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# Signed-in pages, the login form and every download of attendee data: never kept by a
# browser's cache or a proxy (the registrant's own pages say so in their blueprint).
PRIVATE_BLUEPRINTS = {"manage", "admin", "auth"}


def register(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.blueprint in PRIVATE_BLUEPRINTS:
            headers["Cache-Control"] = "no-store"  # replaces the "no-cache" that send_file sets on the XLSX
        max_age = current_app.config["HSTS_MAX_AGE"]
        if max_age and current_app.config["BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
        return response
