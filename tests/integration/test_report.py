"""The managers' report page in CRM → Analytics: figures from the mirror, filters, CSV."""

from __future__ import annotations

import re

import requests

from .conftest import open_frame


def _token(html: str) -> str:
    return re.search(r'data-frame-token="([^"]+)"', html).group(1)


def test_report_page_shows_the_figures_and_exports_csv(installed):
    installed.seed_requests()
    installed.wait_idle()
    page = open_frame(installed, "CRM_ANALYTICS_MENU", handler=f"{installed.app_url}/placements/report")
    assert page.status_code == 200, page.text
    assert 'id="report-count">4<' in page.text
    # The demo requests came by phone, email (two) and the web form: read from the items' source.
    channels = page.text[page.text.index("Обращения по каналам") :]
    assert "Электронная почта" in channels and "Телефон" in channels and "Веб-форма" in channels
    assert "Соблюдение SLA" in page.text
    assert f"frame-ancestors {installed.portal_url}" in page.headers["Content-Security-Policy"]
    headers = {"X-Frame-Token": _token(page.text)}

    filtered = requests.get(
        f"{installed.app_url}/frame-api/report?channel=email", headers=headers, timeout=10
    )
    assert filtered.status_code == 200
    # The groups the requests were routed to are offered, and each narrows the figures to its requests.
    select_html = page.text[page.text.index('name="group"') :].split("</select>")[0]
    groups = re.findall(r'<option value="(\d+)">([^<]+)</option>', select_html)
    assert groups, "the group filter lists the departments requests went to"
    counts = []
    for gid, _name in groups:
        part = requests.get(f"{installed.app_url}/frame-api/report?group={gid}", headers=headers, timeout=10)
        assert part.status_code == 200
        counts.append(int(re.search(r'id="report-count">(\d+)<', part.text).group(1)))
    assert sum(counts) <= 4 and all(n >= 1 for n in counts)

    csv = requests.get(f"{installed.app_url}/frame-api/report.csv", headers=headers, timeout=10)
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Показатель;Значение" and "Обращений;4" in lines
    # The team table: one row per responsible, their requests adding up to the selection.
    blank = lines.index("")
    team = lines[blank + 1 : lines.index("", blank + 1)]
    assert lines[lines.index("", blank + 1) + 1].startswith("Дата;№;Тема;Ответственный;Оценка;NPS;")
    assert team[0].startswith("Сотрудник;Обращений;")
    assert sum(int(row.split(";")[1]) for row in team[1:]) == 4
    assert len(re.findall(r'<tr data-agent="\d+">', page.text)) == len(team) - 1


def test_report_refuses_bad_filters_and_missing_tokens(installed):
    page = open_frame(installed, "CRM_ANALYTICS_MENU", handler=f"{installed.app_url}/placements/report")
    headers = {"X-Frame-Token": _token(page.text), "Accept": "application/json"}
    bad = requests.get(f"{installed.app_url}/frame-api/report?start=31.12.2026", headers=headers, timeout=10)
    assert bad.status_code == 400 and "ГГГГ-ММ-ДД" in bad.json()["message"]
    backwards = requests.get(
        f"{installed.app_url}/frame-api/report?start=2026-03-10&end=2026-03-01", headers=headers, timeout=10
    )
    assert backwards.status_code == 400
    assert requests.get(f"{installed.app_url}/frame-api/report.csv", timeout=10).status_code == 401


def test_company_tab_lists_the_clients_requests_only(installed):
    installed.seed_requests()
    installed.wait_idle()
    company_id = installed.portal.company_keys["uralmash"]
    page = open_frame(
        installed,
        "CRM_COMPANY_DETAIL_TAB",
        {"ID": str(company_id)},
        handler=f"{installed.app_url}/placements/company-tab",
    )
    assert page.status_code == 200, page.text
    assert "Гарантийный ремонт гидростанции ГС-250" in page.text
    assert "Станок ЧПУ Т-400" not in page.text
    no_id = open_frame(
        installed, "CRM_COMPANY_DETAIL_TAB", {}, handler=f"{installed.app_url}/placements/company-tab"
    )
    assert no_id.status_code == 400


def test_contact_tab_lists_the_persons_requests_only(installed):
    installed.seed_requests()
    installed.wait_idle()
    contacts = installed.portal.contacts.values()
    belova = next(int(c["ID"]) for c in contacts if c["LAST_NAME"] == "Белова")
    orlov = next(int(c["ID"]) for c in contacts if c["LAST_NAME"] == "Орлов")
    handler = f"{installed.app_url}/placements/contact-tab"
    page = open_frame(installed, "CRM_CONTACT_DETAIL_TAB", {"ID": str(belova)}, handler=handler)
    assert page.status_code == 200, page.text
    assert "Гарантийный ремонт гидростанции ГС-250" in page.text
    assert "Станок ЧПУ Т-400" not in page.text and "плавный пуск" not in page.text
    other = open_frame(installed, "CRM_CONTACT_DETAIL_TAB", {"ID": str(orlov)}, handler=handler)
    assert "плавный пуск" in other.text and "ГС-250" not in other.text
    nobody = open_frame(installed, "CRM_CONTACT_DETAIL_TAB", {"ID": "9999"}, handler=handler)
    assert nobody.status_code == 200 and "У этого контакта ещё нет обращений." in nobody.text
    assert open_frame(installed, "CRM_CONTACT_DETAIL_TAB", {}, handler=handler).status_code == 400
