"""The app starts, pages render, sign-in works end to end."""


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_shows_home_then_sign_out(client, login_as, user):
    login_as(user, client)
    page = client.get("/")
    assert page.status_code == 200
    assert "Welcome, Maya" in page.get_data(as_text=True)
    out = client.post("/logout")
    assert out.status_code == 302
    assert client.get("/").status_code == 302
