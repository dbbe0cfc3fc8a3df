"""The reference of redirect_bench.py: a bare Flask app that only answers `/r/<code>` with the
same 302 (a dict look-up, no database, no recording)."""

from flask import Flask, redirect

LOCATION = (
    "https://acme.example/news/bench?utm_source=linkedin&utm_medium=employee_advocacy"
    "&utm_campaign=bench&adv_ref=CODE"
)

app = Flask(__name__)


@app.get("/r/<code>")
def follow(code: str):
    response = redirect(LOCATION.replace("CODE", code), code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
