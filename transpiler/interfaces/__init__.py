"""What users run: the CLI, the %%export magic, the pytest plugin."""
