"""Sign-in, sign-out and the home page for anonymous and signed-in users."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

PASSWORD = "Kh0ng-d0an-duoc"


def _text(response) -> str:
    return response.content.decode()


def test_sign_in_page_is_in_vietnamese(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = _text(response)
    assert '<h1 class="h3 mb-3">Đăng nhập</h1>' in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html


def test_signing_in_through_the_form_goes_to_the_page_asked_for(client, users):
    response = client.post(
        reverse("accounts:login"),
        {"username": "commune23500", "password": PASSWORD, "next": "/units/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert "Xã Ngọk Wang" in _text(client.get("/units/"))


def test_following_a_protected_link_signs_in_and_comes_back(client, users):
    login_url = client.get("/units/23500/")["Location"]
    page = client.get(login_url)
    assert 'name="next" value="/units/23500/"' in _text(page)
    response = client.post(
        login_url, {"username": "commune23500", "password": PASSWORD, "next": "/units/23500/"}
    )
    assert response["Location"] == "/units/23500/"


def test_a_wrong_password_is_refused_with_a_vietnamese_message(client, users):
    response = client.post(
        reverse("accounts:login"), {"username": "commune23500", "password": "sai-mat-khau"}
    )
    assert response.status_code == 200
    html = _text(response)
    assert 'data-testid="login-error"' in html
    assert "mật khẩu chính xác" in html
    # The username stays filled in; the password does not.
    assert 'value="commune23500"' in html
    assert "sai-mat-khau" not in html
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session_and_says_so(client, users):
    client.force_login(users.commune_officer)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "_auth_user_id" not in client.session
    assert "Bạn đã đăng xuất." in _text(response)
    assert client.get("/units/").status_code == 302


def test_sign_out_is_not_a_link_a_page_could_trigger(client, users):
    client.force_login(users.commune_officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_home_page_for_anonymous_visitors_explains_and_offers_sign_in(client, db):
    html = _text(client.get(reverse("core:home")))
    assert "Điều hành chương trình phát triển các xã đặc biệt khó khăn" in html
    assert 'data-testid="home-sign-in"' in html
    assert 'data-testid="jurisdiction"' not in html
    # Unit pages are not offered to visitors who cannot open them.
    assert 'data-testid="nav-units"' not in html


def test_home_page_for_an_officer_links_to_their_jurisdiction_only(client, users):
    client.force_login(users.commune_officer)
    html = _text(client.get(reverse("core:home")))
    jurisdiction = html.split('data-testid="jurisdiction"', 1)[1]
    assert 'href="/units/23500/"' in jurisdiction
    assert "Xã Ngọk Wang" in jurisdiction
    assert "Cán bộ xã" in html  # the role, in the navigation bar
    assert "Đăk Mar" not in html
    assert "Đắk Choong" not in html


def test_home_page_for_a_twinning_member_lists_the_twinned_communes(client, users):
    client.force_login(users.twinning_member)
    jurisdiction = _text(client.get(reverse("core:home"))).split('data-testid="jurisdiction"')[1]
    assert "Xã Đắk Choong" in jurisdiction
    assert "Xã Ngọk Wang" not in jurisdiction


def test_home_page_for_a_portal_role_shows_its_work(client, users):
    # A moderator reaches no protected unit by design: the home says what their work is,
    # not that they are "assigned to nothing".
    client.force_login(users.public_moderator)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = _text(response)
    assert "chưa được giao phụ trách đơn vị hành chính nào" not in html
    assert 'data-testid="portal-work"' in html and "kiểm duyệt" in html


def test_a_form_without_its_security_token_gets_the_sites_403_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _text(response)
    assert 'data-testid="error-403-csrf"' in html
    assert "Biểu mẫu đã hết hạn" in html
