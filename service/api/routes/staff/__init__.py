"""``/staff``: the staff resource, one module per part of it.

- :mod:`.postings` — ``POST /staff`` and ``/staff/{staff_id}/…``: onboarding and postings
  (Article 8: post, move, committee consent, replacement, posting end, recall, departure);
- :mod:`.decisions` — ``POST /staff/{staff_id}/admonishments``, ``/suspensions``,
  ``/removals``, ``/sanctions/…``: the escalation ladder's decisions (ART2.1.3);
- :mod:`.records` — ``GET /staff`` and ``/staff/{staff_id}/…``: the staff records (人员档案),
  the ladder, scores, history and explain, now or as of a valid and a record time.

The receipt of a sanction (``GET /staff/{staff_id}/sanctions/{decision_id}/receipt``) belongs
to the transparency log's routes (:mod:`service.api.routes.transparency`).
"""

from __future__ import annotations

from fastapi import APIRouter

from service.api.routes.staff import decisions, postings, records

router = APIRouter()
router.include_router(postings.router)
router.include_router(decisions.router)
router.include_router(records.router)

__all__ = ["decisions", "postings", "records", "router"]
