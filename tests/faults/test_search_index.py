"""The Whoosh index deleted or corrupted on disk: search says it is unavailable (503, never a
500) while the rest works, and `flask search reindex` brings it back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advocacy.search.extension import current_backend
from tests.factories import PASSWORD, UserFactory
from tests.search.conftest import search_index  # noqa: F401 - a fresh index of this test's own


def corrupt(root: Path, pattern: str) -> None:
    """Scribble over the index's files, the way a bad disk or a half copy would."""
    for path in root.glob(pattern):
        if path.is_file():
            path.write_bytes(b"\x00garbage\xff" * 64)


@pytest.mark.usefixtures("search_index")
@pytest.mark.parametrize("damage", ["deleted", "every file corrupted", "segments corrupted"])
def test_a_damaged_index_is_unavailable_then_reindex_restores_it(app, damage, api_token):
    person = UserFactory(display_name="Zephyrine Quill")
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    client = app.test_client()
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    client.csrf_token = None
    bearer = app.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(person)}"
    assert bearer.get("/api/v1/search?q=Zephyrine").get_json()["meta"]["total"] == 1

    root = Path(current_backend().root)
    if damage == "deleted":
        shutil.rmtree(root)
    else:
        corrupt(root, "**/*" if damage.startswith("every") else "ix-*/*")
    current_backend().close()  # a new process would open the damaged files afresh

    page = client.get("/search?q=Zephyrine")
    answer = bearer.get("/api/v1/search?q=Zephyrine")
    assert page.status_code == 503 and "Search is unavailable" in page.get_data(as_text=True)
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    assert client.get("/").status_code == 200
    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert status.exit_code == 1 and "UNAVAILABLE" in status.output

    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert bearer.get("/api/v1/search?q=Zephyrine").get_json()["meta"]["total"] == 1
    assert client.get("/search?q=Zephyrine").status_code == 200
