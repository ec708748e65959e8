"""The UI speaks Russian by default and English when the portal's user works in English."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from flask_babel import gettext

from b24app.i18n import script_catalog, script_messages

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
EN_PO = os.path.join(ROOT, "b24app", "translations", "en", "LC_MESSAGES", "messages.po")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    pybabel = os.path.join(os.path.dirname(sys.executable), "pybabel")
    subprocess.run(
        [
            pybabel,
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "t",
            "-k",
            "_m",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_every_ui_message_has_an_english_translation(tmp_path):
    with open(EN_PO, "rb") as f:
        catalog = read_po(f)
    translated = {m.id: m for m in catalog if m.id}
    missing = sorted(i for i in _extracted(tmp_path) if i not in translated or not translated[i].string)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
    fuzzy = sorted(m.id for m in translated.values() if m.fuzzy)
    assert not fuzzy, f"fuzzy translations to check: {fuzzy[:10]}"
    broken = [
        m.id
        for m in translated.values()
        if isinstance(m.id, str) and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))
    ]
    assert not broken, f"placeholders differ between Russian and English: {broken[:10]}"
    # Templates render translations as markup: a translation must not bring HTML its msgid lacks.
    markup = [
        m.id
        for m in translated.values()
        if isinstance(m.string, str) and any(c in m.string and c not in m.id for c in "<>&")
    ]
    assert not markup, f"translations with HTML characters: {markup[:10]}"


def test_english_is_served_when_the_frame_asks_for_it(app):
    with app.test_request_context("/?LANG=en"):
        assert gettext("Сохранено") == "Saved"
        assert script_catalog()["Удалить правило?"] == "Delete the rule?"
    with app.test_request_context("/"):
        assert gettext("Сохранено") == "Сохранено"
        assert script_catalog() == {}


def test_scripts_messages_are_read_from_the_scripts():
    messages = script_messages()
    assert "Удалить правило?" in messages
    assert "Проверяем…" in messages


@pytest.mark.parametrize(("lang", "text"), [("ru", "Статья не найдена"), ("en", "Article not found")])
def test_public_pages_follow_the_language(client, lang, text):
    response = client.get(f"/kb/a/forged-token?LANG={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)
