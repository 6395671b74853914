"""One module per tab, each with one `show(settings, corpus)` entry."""
