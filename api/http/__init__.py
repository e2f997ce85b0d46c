"""HTTP: problems, auth, caching, pagination, OpenAPI, the middleware and the routes.

Everything Litestar-specific lives here (and in ``api/app.py``, ``api/cli.py``, ``web/``);
the domain below it raises ``api.errors`` and knows nothing of requests.
"""
