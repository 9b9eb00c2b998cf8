"""evalpatterns: the analysis library behind the book."""
