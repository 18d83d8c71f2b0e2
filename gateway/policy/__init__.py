"""Policy files: schema, loading with file:line errors, compiled objects, reload."""
