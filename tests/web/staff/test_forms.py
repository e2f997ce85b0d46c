"""Reading the editor's posted form: only what changed is sent, problems sit beside fields."""

from __future__ import annotations

from web.staff.forms import EditorForm, LanguageRow, read_form


def shown() -> EditorForm:
    return EditorForm(
        resource={"name": "Centro", "category": "meeting_venue", "phone": "(214) 555-0100"},
        location={"address": "100 Main St", "latitude": "32.79", "longitude": "-96.8"},
        confidential=False,
        languages=[LanguageRow(code="es", support="staff")],
        version='"abc"',
        location_version='"def"',
    )


def posted(**changes: str) -> dict[str, str]:
    data = {
        "name": "Centro",
        "category": "meeting_venue",
        "phone": "(214) 555-0100",
        "location-address": "100 Main St",
        "location-latitude": "32.79",
        "location-longitude": "-96.8",
        "lang-0-code": "es",
        "lang-0-support": "staff",
        "lang-1-code": "",
        "lang-1-support": "staff",
        "version": '"abc"',
        "location_version": '"def"',
    }
    return data | changes


def test_an_unchanged_form_changes_nothing() -> None:
    form, changes = read_form(posted(), shown())
    assert form.errors == {}
    assert changes is not None
    assert (changes.resource, changes.location) == (None, None)
    assert form.version == '"abc"'


def test_only_the_typed_field_is_sent() -> None:
    _, changes = read_form(posted(phone="(214) 555-0177"), shown())
    assert changes is not None and changes.resource is not None
    assert changes.resource.model_dump(exclude_unset=True) == {"phone": "(214) 555-0177"}
    assert changes.location is None


def test_a_new_language_row_and_a_name_for_it() -> None:
    _, changes = read_form(posted(**{"lang-1-code": "Vietnamese"}), shown())
    assert changes is not None and changes.resource is not None
    languages = changes.resource.model_dump(exclude_unset=True)["languages"]
    assert [(lang["code"], lang["support"]) for lang in languages] == [
        ("es", "staff"),
        ("vi", "staff"),
    ]


def test_a_moved_pin_sends_both_coordinates() -> None:
    _, changes = read_form(posted(**{"location-latitude": "32.80"}), shown())
    assert changes is not None and changes.location is not None
    assert changes.location.model_dump(exclude_unset=True) == {
        "latitude": 32.80,
        "longitude": -96.8,
    }


def test_problems_are_named_by_their_field() -> None:
    form, changes = read_form(
        posted(**{"location-latitude": "north", "lang-1-code": "klingonish", "email": "x" * 300}),
        shown(),
    )
    assert changes is None
    assert form.errors["location-latitude"] == "expected a number such as 32.7767"
    assert "lang-1-code" in form.errors
    assert "email" in form.errors
    # What was typed is kept, to be shown again.
    assert form.location["latitude"] == "north"
    assert form.languages[-1].code == "klingonish"


def test_the_confidential_box() -> None:
    _, changes = read_form(posted(**{"location-confidential": "on"}), shown())
    assert changes is not None and changes.location is not None
    assert changes.location.model_dump(exclude_unset=True) == {"confidential": True}
