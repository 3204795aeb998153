"""NLP adapters: Amazon Comprehend and Translate, and the offline stack.

Importing this package loads neither boto3 clients nor NLP models: AWS adapters
take an injected client, local adapters import lingua/VADER/YAKE on first use.
"""

from ._aws_errors import ProviderThrottledError
from .comprehend import (
    COMPREHEND_LANGUAGES,
    ComprehendLanguageDetector,
    ComprehendSentimentAnalyzer,
    ComprehendTopicExtractor,
)
from .local_language import LinguaLanguageDetector
from .local_sentiment import VaderSentimentAnalyzer
from .local_topics import YakeTopicExtractor
from .translate import AmazonTranslator
from .unavailable import UnavailableTranslator

__all__ = [
    "COMPREHEND_LANGUAGES",
    "AmazonTranslator",
    "ComprehendLanguageDetector",
    "ComprehendSentimentAnalyzer",
    "ComprehendTopicExtractor",
    "LinguaLanguageDetector",
    "ProviderThrottledError",
    "UnavailableTranslator",
    "VaderSentimentAnalyzer",
    "YakeTopicExtractor",
]
