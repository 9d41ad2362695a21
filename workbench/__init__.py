"""claude-workbench: work with Claude from Jupyter."""
