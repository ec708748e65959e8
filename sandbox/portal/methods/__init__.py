"""REST methods by area; importing this package registers them all."""

from sandbox.portal.methods import (  # noqa: F401
    app_methods,
    batch,
    companies,
    crm_types,
    items,
    openlines,
    requisites,
    timeline,
    userfields,
    users,
)
