"""Adapters implement the ports in positive_chat.ports (DynamoDB, AWS NLP, local NLP)."""
