from __future__ import annotations

import json
import uuid

from api.db.models import ResourceStatus
from api.formats.hsds import hsds_id, service, services_chunks
from tests.api.formats.samples import location, resource


def test_a_service_nests_its_organization_location_and_languages() -> None:
    document = json.loads("".join(services_chunks([resource()])))
    [item] = document
    assert uuid.UUID(item["id"]) and item["id"] == hsds_id("resource", 7)
    assert item["name"] == 'Clínica Legal, "Asesoría"'
    assert item["status"] == "active"
    assert item["organization"]["name"] == "Ayuda Legal"
    assert item["organization_id"] == item["organization"]["id"]
    [at] = item["service_at_locations"]
    assert at["location"]["latitude"] == 32.7767 and at["location"]["longitude"] == -96.797
    [address] = at["location"]["addresses"]
    assert (address["address_1"], address["postal_code"]) == ("400 S Ervay St", "75201")
    assert [(lang["code"], lang["note"]) for lang in item["languages"]] == [
        ("vi", "interpreter"),
        ("es", "staff"),
    ]
    assert item["interpretation_services"] == "Interpreters: Vietnamese"
    assert item["assured_date"] == "2025-02-20"
    assert item["attributes"][0]["value"] == "legal_aid"


def test_identifiers_are_stable_and_distinct() -> None:
    first, second = service(resource()), service(resource())
    assert first["id"] == second["id"]
    assert service(resource(id=8))["id"] != first["id"]
    assert hsds_id("location", 7) != hsds_id("resource", 7)


def test_weekly_hours_become_schedules() -> None:
    item = service(resource(hours="Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su 22:00-24:00"))
    schedules = item["service_at_locations"][0]["schedules"]
    found = {(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules}
    assert found == {
        ("MO,TU,WE,TH,FR", "09:00", "17:00"),
        ("SA", "10:00", "14:00"),
        ("SU", "22:00", "23:59"),
    }
    assert all(s["freq"] == "WEEKLY" for s in schedules)


def test_a_confidential_location_has_no_address_or_name() -> None:
    hidden = location(confidential=True, address=None, name="Safe house")
    item = service(resource(location=hidden, status=ResourceStatus.TEMPORARILY_CLOSED))
    place = item["service_at_locations"][0]["location"]
    assert place["addresses"] == [] and place["name"] is None
    assert "Safe house" not in json.dumps(item)
    assert item["status"] == "temporarily closed"
