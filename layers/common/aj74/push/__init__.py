"""Web Push notifications to the resident app (docs/decisions/018-web-push.md).

Residents subscribe a browser (its PushSubscription: the push service's endpoint and the keys of
RFC 8291) for their territory and may follow polls. ``PushFanoutFunction`` sends МЧС bulletins and
new polls to the subscriptions of the targeted territories and everything below them, and a followed
poll's final result and execution updates to its followers, signed with the service's VAPID key.
"""
