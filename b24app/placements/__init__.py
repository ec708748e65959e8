"""Blueprints for people: the frames shown inside Bitrix24 (request tab, admin pages, report)."""
