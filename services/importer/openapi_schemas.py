"""JSON schemas of the importer's bodies, for its OpenAPI document."""

_COUNTS = {"type": "object", "properties": {action: {"type": "integer"} for action in
                                            ("create", "update", "unchanged", "skip", "error")}}

SCHEMAS = {
    "ImportJob": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "kind": {"enum": ["users", "enrollments"]},
            "status": {"enum": ["analyzing", "ready", "queued", "running", "completed", "failed", "cancelled"]},
            "filename": {"type": "string"},
            "settings": {"type": "object", "properties": {
                "delimiter": {"type": ["string", "null"]}, "encoding": {"type": ["string", "null"]},
                "has_header": {"type": "boolean"}, "mapping": {"type": ["object", "null"]},
                "mode": {"enum": ["import", "update", "synchronize"]}, "as_student": {"type": "boolean"},
                "schedule_project": {"type": ["string", "null"]}}},
            "columns": {"type": "array", "items": {"type": "object", "properties": {
                "index": {"type": "integer"}, "header": {"type": "string"}, "field": {"type": "string"},
                "samples": {"type": "array", "items": {"type": "string"}}}}},
            "sample_rows": {"type": "array", "description": "the first records as read (every column)",
                            "items": {"type": "array", "items": {"type": "string"}}},
            "total_rows": {"type": ["integer", "null"]},
            "progress": {"type": "object", "properties": {"processed": {"type": "integer"},
                                                          "total": {"type": ["integer", "null"]}}},
            "counts": _COUNTS,
            "error": {"type": ["object", "null"], "properties": {"code": {"type": "string"},
                                                                 "message": {"type": "string"}}},
            "fields": {"type": "array", "items": {"type": "string"}},
            "created_by": {"type": "string"}, "started_by": {"type": ["string", "null"]},
            "created_at": {"type": "string"}, "started_at": {"type": ["string", "null"]},
            "finished_at": {"type": ["string", "null"]},
            "errors_csv_url": {
                "type": ["string", "null"],
                "description": "errors.csv as a path with expires and signature: opens without the token for "
                               "10 minutes, this job's file only; null for a caller without imports:read"},
        },
    },
    "ImportJobList": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ImportJob"}},
        "next_cursor": {"type": ["string", "null"]}}},
    "ImportSettingsPatch": {"type": "object", "properties": {
        "delimiter": {"type": "string"}, "encoding": {"type": "string"}, "has_header": {"type": "boolean"},
        "mapping": {"type": "object"}, "mode": {"type": "string"}, "as_student": {"type": "boolean"},
        "schedule_project": {"type": "string"}, "start": {"type": "boolean"}}},
    "ImportRowList": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "line": {"type": "integer"}, "action": {"type": "string"}, "values": {"type": "object"},
            "messages": {"type": "array", "items": {"type": "string"}}, "applied": {"type": "boolean"},
            "reason": {"type": ["string", "null"]}, "params": {"type": "object"}}}},
        "next_cursor": {"type": ["string", "null"]}}},
    "ImportUpload": {
        "type": "object", "required": ["file", "kind"],
        "properties": {
            "file": {"type": "string", "contentMediaType": "application/octet-stream",
                     "description": "the export: CSV or tab-separated text, UTF-8, Windows-1252 or UTF-16 with a BOM"},
            "kind": {"type": "string", "enum": ["users", "enrollments"]},
            "delimiter": {"type": "string", "description": "the character itself, or tab / semicolon / comma; "
                                                           "detected when left out"},
            "encoding": {"type": "string", "description": "utf-8, utf-8-sig, cp1252 or utf-16; detected when left out"},
            "has_header": {"type": "string", "enum": ["true", "false", "1", "0"]},
            "mapping": {"type": "string", "description": "a JSON object: header text or 0-based column index → field"},
            "mode": {"type": "string", "enum": ["import", "update", "synchronize"]},
            "as_student": {"type": "string", "enum": ["true", "false", "1", "0"]},
            "schedule_project": {"type": "string", "description": "enrollments: the schedule project's code"},
            "start": {"type": "string", "enum": ["true", "false", "1", "0"]},
        },
    },
}
