"""The explorer's tabs: one module per tab, each with one `show(page)` entry (ui/page.Page)."""
