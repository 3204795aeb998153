"""Public AWS prices used by the cost model (bench/cost.py). VERIFY before quoting.

Written from memory of the AWS public pricing pages for us-east-1, as of AS_OF; prices
change (DynamoDB on-demand halved in November 2024, for example) and free tiers and
volume tiers are ignored. Check https://aws.amazon.com/<service>/pricing/ and update
AS_OF when you change a number.
"""

from __future__ import annotations

AS_OF = "2025-06 (from memory of the public pricing pages, us-east-1; verify)"

# Amazon Comprehend, standard NLP APIs (DetectDominantLanguage, DetectSentiment,
# DetectKeyPhrases, DetectEntities, and each document of a Batch* call): per unit of 100
# characters, at least 3 units per request, first 10M units of the month.
COMPREHEND_PER_UNIT = 0.0001
COMPREHEND_UNIT_CHARS = 100
COMPREHEND_MIN_UNITS = 3

# Amazon Translate, real-time standard translation: per character of source text.
TRANSLATE_PER_CHAR = 15.0 / 1_000_000

# DynamoDB on-demand (since 2024-11-01): per request unit.
DYNAMODB_PER_WRU = 0.625 / 1_000_000
DYNAMODB_PER_RRU = 0.125 / 1_000_000
# GetRecords by a Lambda event source mapping is not charged (DynamoDB Streams pricing).

# AWS AppSync (GraphQL APIs).
APPSYNC_PER_OPERATION = 4.0 / 1_000_000  # query and mutation operations
APPSYNC_PER_REALTIME_UPDATE = 2.0 / 1_000_000  # each message delivered to a subscriber
APPSYNC_PER_CONNECTION_MINUTE = 0.08 / 1_000_000  # not per message: left out

# AWS Lambda, arm64 (the template's architecture).
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND_ARM = 0.0000133334


def comprehend_units(chars: int) -> int:
    return max(COMPREHEND_MIN_UNITS, -(-chars // COMPREHEND_UNIT_CHARS))
