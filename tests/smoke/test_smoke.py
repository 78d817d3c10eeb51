def test_home_page_shows_the_active_unit(client_for):
    r = client_for("na_meo_post_officer").get("/")
    assert r.status_code == 200
    assert "Đồn Biên phòng Na Mèo" in r.content.decode()


def test_api_me(client_for):
    r = client_for("province_commander").get("/api/v1/me")
    assert r.status_code == 200, r.content
    assert r.json()["active"]["unit_code"] == "CA-TH"
