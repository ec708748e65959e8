"""Field-name conversion between UPPER_CASE and the camelCase of crm.item (b24restdocs, crm/universal).

The docs: underscores between two numbers are kept, all others removed, so `UF_CRM_10_5186744711`
becomes `ufCrm10_5186744711` and `UF_CRM_7_SLA_DUE` becomes `ufCrm7SlaDue`.
"""

from __future__ import annotations

from itertools import pairwise


def upper_to_camel(name: str) -> str:
    parts = [p.lower() for p in name.split("_") if p]
    if not parts:
        return name
    out = parts[0]
    for prev, part in pairwise(parts):
        if prev[-1].isdigit() and part[0].isdigit():
            out += "_" + part
        else:
            out += part[0].upper() + part[1:]
    return out


def camel_to_upper(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if (ch.isupper() and i) or (ch.isdigit() and i and not name[i - 1].isdigit() and name[i - 1] != "_"):
            out.append("_")
        out.append(ch.upper())
    return "".join(out)
