"""The sentences the book shows, written from the findings' results: one module per finding
(``words.roi`` ...), the audit's (``words.audit``) and the shared grammar (``words.common``).

Each finding's module has ``values(result) -> dict``: raw numbers for machines (they go into
``results.json``) and ``*_text`` strings for people (what ``{glue:text}`` shows), including the
conclusion's opening, closing and takeaway sentences. No sentence asserts what its result does not show.
"""
