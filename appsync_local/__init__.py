"""A generic local AWS AppSync runtime for SAM-defined APIs with Python Lambda resolvers."""
