"""The datahub part of the REST API ``/api/v1/``, added to the NinjaAPI in :mod:`shanzhi.api`."""

from ninja import Router

router = Router(tags=["datahub"])
