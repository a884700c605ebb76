"""A digest's web page: the whole overview, where the mail lists only its first entries.

The mail's link carries a signed token (alerts.tokens, purpose "digest") naming the subscriber
and the delivery, so the page shows that subscriber's digest and nobody else's, and a guessed
id shows nothing. The page is rebuilt from the database as the mail was, with every entry.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alerts.digest_data import digest_context
from alerts.digest_periods import DIGEST_KINDS, period_from_key
from alerts.digest_views import DigestView, build_digest_view
from alerts.optin import SubscriberGone
from alerts.tokens import TokenError, read_token_state
from storage.models import Delivery
from web.subscriptions import in_transaction, refusal_reason, refused_page, subscriber_or_gone
from web.templating import page_language, render_page

router = APIRouter()


class _NotThisDigest(TokenError):
    reason = "forged"


@router.get("/digests/{delivery_id}", response_class=HTMLResponse, include_in_schema=False)
async def digest_page(request: Request, delivery_id: int, key: str = "") -> HTMLResponse:
    state = request.app.state

    def load(session: Session) -> DigestView:
        subscriber_id, bound = read_token_state(key, "digest", secret=state.secret)
        delivery = session.get(Delivery, delivery_id)
        if (bound != f"d{delivery_id}" or delivery is None
                or delivery.subscriber_id != subscriber_id or delivery.kind not in DIGEST_KINDS
                or delivery.period is None):
            raise _NotThisDigest("this link does not name this digest")
        subscriber = subscriber_or_gone(session, subscriber_id)
        period = period_from_key(delivery.kind, delivery.period, subscriber.timezone)
        ctx = digest_context(session, subscriber, period, delivery_id=delivery_id,
                             sector_names=state.sector_names, source_names=state.source_names,
                             site_url=state.settings.public_url,
                             sector_hs={s.id: list(s.hs) for s in state.sectors})
        return build_digest_view(replace(ctx, language=page_language(request)), whole=True)

    try:
        view = await in_transaction(request, load)
    except (TokenError, SubscriberGone) as exc:
        return refused_page(request, refusal_reason(exc))
    return render_page(request, "digest.html.j2", v=view)
