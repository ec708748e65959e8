"""Blueprints for machines: Bitrix24 install and events, the 1C API."""
