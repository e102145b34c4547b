"""Organisation profiles: validated on the way in, named once per tenant."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.api.helpers import Tenant, assert_problem


def test_create_list_and_get_profiles(client: TestClient, tenant_a: Tenant) -> None:
    created = []
    for name in ("zeta", "alpha"):
        response = client.post(
            "/v1/profiles",
            json={"name": name, "profile": {"regions": ["de", "EU"]}},
            headers=tenant_a.headers,
        )
        assert response.status_code == 201, response.text
        assert response.headers["location"] == f"/v1/profiles/{response.json()['id']}"
        created.append(response.json())
    assert created[0]["profile"] == {"name": "zeta", "regions": ["de", "EU"]}
    listing = client.get("/v1/profiles", headers=tenant_a.headers).json()
    assert listing["count"] == 2
    assert [p["name"] for p in listing["data"]] == ["alpha", "zeta"]
    one = client.get(f"/v1/profiles/{created[0]['id']}", headers=tenant_a.headers)
    assert one.json() == created[0]


def test_invalid_profile_is_a_clear_422(client: TestClient, tenant_a: Tenant) -> None:
    response = client.post(
        "/v1/profiles",
        json={
            "name": "bad",
            "profile": {"regions": ["XX"], "monthly_active_users": -1},
        },
        headers=tenant_a.headers,
    )
    detail = assert_problem(response, 422, slug="invalid-profile")["detail"]
    assert "regions" in detail and "monthly_active_users" in detail
    unknown_field = client.post(
        "/v1/profiles",
        json={"name": "bad", "profile": {"employees": 5}},
        headers=tenant_a.headers,
    )
    assert "employees" in assert_problem(unknown_field, 422)["detail"]
    no_name = client.post(
        "/v1/profiles", json={"profile": {}}, headers=tenant_a.headers
    )
    assert "name" in assert_problem(no_name, 422, slug="invalid-request")["detail"]
    assert client.get("/v1/profiles", headers=tenant_a.headers).json()["count"] == 0


def test_profile_names_are_unique_per_tenant(
    client: TestClient, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    body = {"name": "main", "profile": {"monthly_active_users": 10}}
    assert (
        client.post("/v1/profiles", json=body, headers=tenant_a.headers).status_code
        == 201
    )
    again = client.post("/v1/profiles", json=body, headers=tenant_a.headers)
    assert "main" in assert_problem(again, 409, slug="name-taken")["detail"]
    other = client.post("/v1/profiles", json=body, headers=tenant_b.headers)
    assert other.status_code == 201
