"""Positive Chat: AppSync Lambda resolvers, domain core and adapters."""
