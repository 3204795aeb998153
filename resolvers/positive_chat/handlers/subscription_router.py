"""Subscription fields: authorization at subscribe time (AppSync runs this resolver on `start`).

Returning None lets the subscription proceed (reference 4.2); an error rejects it.
Argument filtering by roomId then happens in AppSync against the publish payload.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from .context import current_caller, services

router = Router()  # type: ignore[no-untyped-call]


@router.resolver(type_name="Subscription", field_name="onMessage")
def on_message(roomId: str) -> None:
    services().rooms.get(current_caller(router), roomId)


@router.resolver(type_name="Subscription", field_name="onTagCloud")
def on_tag_cloud(roomId: str) -> None:
    services().rooms.get(current_caller(router), roomId)
