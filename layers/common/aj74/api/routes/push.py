"""Web Push routes: the service's VAPID key, a resident's browser subscriptions and poll follows
(docs/decisions/018-web-push.md)."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import route
from aj74.identity.roles import RESIDENT

bp = Blueprint(__name__)

ENDPOINT_QUERY = {"endpoint": {"type": "string", "minLength": 1, "maxLength": 1024,
                               "description": "Адрес подписки этого браузера (PushSubscription.endpoint)."}}


def _push():
    from aj74.push import service

    return service


@route(bp, "/v1/push/key", auth=False, summary="Открытый ключ VAPID для подписки на уведомления",
       response=contract.PUSH_KEY)
def push_key(ctx):
    return _push().public_key()


@route(bp, "/v1/me/push", roles=(RESIDENT,), summary="Мои уведомления: подписка браузера и опросы, за которыми слежу",
       query=ENDPOINT_QUERY, response=contract.PUSH_STATUS)
def my_push(ctx):
    return _push().status(ctx.principal, ctx.query.get("endpoint"))


@route(bp, "/v1/me/push/subscription", methods=("PUT",), roles=(RESIDENT,),
       summary="Подписать этот браузер на уведомления",
       description=("Тело — PushSubscription браузера (subscription.toJSON()). Уведомления о бюллетенях МЧС и "
                    "новых опросах приходят по территории проживания из профиля."),
       body="aj74.push.schemas:SubscriptionIn", response=contract.PUSH_STATUS, problems=(409,))
def subscribe(ctx):
    return _push().subscribe(ctx.principal, ctx.body())


@route(bp, "/v1/me/push/subscription", methods=("DELETE",), roles=(RESIDENT,),
       summary="Отписать этот браузер от уведомлений",
       description="Адрес подписки — в теле ({\"endpoint\": …}) или в параметре endpoint.",
       body="aj74.push.schemas:EndpointIn", body_required=False, query=ENDPOINT_QUERY,
       response=contract.PUSH_STATUS)
def unsubscribe(ctx):
    raw = ctx.request.raw_body
    body = ctx.body() if raw else {"endpoint": ctx.query.get("endpoint")}
    return _push().unsubscribe(ctx.principal, body)


@route(bp, "/v1/me/push/follows/{poll_id}", methods=("PUT",), roles=(RESIDENT,),
       summary="Следить за опросом: итоги и ход исполнения решения",
       description="Не связано с голосованием: подписка не раскрывает, голосовал ли житель и как.",
       response=contract.PUSH_FOLLOW)
def follow(ctx, poll_id):
    return _push().follow(ctx.principal, poll_id)


@route(bp, "/v1/me/push/follows/{poll_id}", methods=("DELETE",), roles=(RESIDENT,),
       summary="Перестать следить за опросом", response=contract.PUSH_FOLLOW)
def unfollow(ctx, poll_id):
    return _push().unfollow(ctx.principal, poll_id)
