"""Powertools Logger, Tracer and Metrics, created once for the handlers.

The core never imports this module; it logs through ``logging.getLogger``.
Message text is never logged: log records carry ids, counts and outcomes only.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Queries publish no business metrics; Powertools warns on every such invocation, which
# floods the logs without telling an operator anything.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="positive-chat")
tracer = Tracer(service="positive-chat")
metrics = Metrics(namespace="PositiveChat", service="positive-chat")
