"""The importer service: uploads, analysis and preview, chunked application, results."""
