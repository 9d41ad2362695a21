"""Showing runs: inert HTML from model Markdown, the live view of a streaming run, footers, a terminal fallback.

Nothing here is imported by `import workbench` or `%load_ext workbench`; the magic loads it on first use.
"""
