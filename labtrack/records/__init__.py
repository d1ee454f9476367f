"""Quality-system records: controlled documents, surveys and complaints (issue 16)."""
