"""Use cases. They depend on the domain and on ports, never on adapters or AWS."""
