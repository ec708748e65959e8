"""Incidents of the 1C exchange: 1C unreachable or a job given up. One Bitrix24 notification to the
installing admin per incident; the incident closes at the next successful exchange."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..bitrix.client import B24Client
from ..bitrix.errors import B24Error
from ..extensions import db
from ..models import OneCIncident, Portal, utcnow

log = logging.getLogger(__name__)
PORTAL_TZ = ZoneInfo("Europe/Moscow")

_MESSAGES = {
    OneCIncident.UNREACHABLE: (
        "Сервис-деск: 1С недоступна с {at}. Обмен продолжится сам, когда связь восстановится; "
        "ничего не потеряется. Ошибка: {error}"
    ),
    OneCIncident.DEAD_LETTER: (
        "Сервис-деск: обмен с 1С остановлен после всех попыток ({at}). "
        "Откройте настройки приложения, вкладку «1С», и повторите задания. Ошибка: {error}"
    ),
}


def open_incident_of(portal_id: int) -> OneCIncident | None:
    # No autoflush: pending writes flushed here would hold the database while Bitrix24 is called.
    with db.session.no_autoflush:
        return db.session.scalars(
            select(OneCIncident)
            .where(OneCIncident.portal_id == portal_id, OneCIncident.closed_at.is_(None))
            .order_by(OneCIncident.id.desc())
        ).first()


def report_failure(portal: Portal, b24: B24Client | None, kind: str, error: str) -> OneCIncident:
    """Open an incident (and notify) unless one is open; a dead letter during an outage adds nothing new."""
    incident = open_incident_of(portal.id)
    if incident is not None:
        incident.failures += 1
        incident.last_error = error[:4000]
        if kind == OneCIncident.DEAD_LETTER and incident.kind != kind and incident.notified_at is None:
            incident.kind = kind
        return incident
    incident = OneCIncident(portal_id=portal.id, kind=kind, opened_at=utcnow(), last_error=error[:4000])
    recipient = portal.installed_by
    if b24 is not None and recipient:
        message = _MESSAGES[kind].format(
            at=incident.opened_at.astimezone(PORTAL_TZ).strftime("%d.%m.%Y %H:%M"), error=error[:500]
        )
        try:
            b24.call("im.notify.system.add", {"USER_ID": recipient, "MESSAGE": message})
        except B24Error as exc:
            log.warning("portal %s: cannot notify admin %s about 1C: %s", portal.id, recipient, exc)
        else:
            incident.notified_user_id, incident.notified_at = recipient, utcnow()
    db.session.add(incident)
    log.warning("portal %s: 1C incident opened (%s): %s", portal.id, kind, error)
    return incident


def report_success(portal_id: int) -> None:
    """An exchange went through: the open incident, if any, is over."""
    incident = open_incident_of(portal_id)
    if incident is not None:
        incident.closed_at = utcnow()
        log.info("portal %s: 1C incident %s closed", portal_id, incident.id)
