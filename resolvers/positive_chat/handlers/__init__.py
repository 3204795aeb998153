"""Lambda entry points: the AppSync resolver app (api.py) and the stream publisher (stream.py)."""
