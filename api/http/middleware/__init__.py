"""The request pipeline around the routes: access log, CORS, security headers, rate and
size limits, and the response cache."""
