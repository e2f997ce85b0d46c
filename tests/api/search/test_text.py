"""The text index's folding, and search text that looks like query syntax."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.search import ResourceQuery, search_resources
from api.search.text import fold_text, search_terms
from api.settings import Settings
from tests.api.search_data import NOW, Directory


def test_folding_drops_case_and_accents() -> None:
    assert fold_text("Asesoría LEGAL Ñandú Tiếng Việt") == "asesoria legal nandu tieng viet"


def test_terms_are_words_only() -> None:
    assert search_terms('"legal" OR aid* -fees (NEAR) col:umn_x') == [
        "legal",
        "or",
        "aid",
        "fees",
        "near",
        "col",
        "umn",
        "x",
    ]


@pytest.mark.parametrize(
    "q", ['"legal', "aid*", "NOT legal", "legal AND", "NEAR(legal aid)", "a:b", "l'aide", "&|!"]
)
def test_query_syntax_is_just_text(engine: Engine, settings: Settings, q: str) -> None:
    with Directory(engine) as directory:
        directory.resource("Legal aid", description="l'aide juridique")
        directory.commit()
    with Session(engine) as session:
        page = search_resources(session, ResourceQuery(q=q), now=NOW, settings=settings)
    # Every word must begin a word of the text; operators are words like any other, and
    # text without words (which the API refuses) filters nothing in process.
    expected = 1 if q in ('"legal', "aid*", "l'aide", "&|!") else 0
    assert page.total == expected
