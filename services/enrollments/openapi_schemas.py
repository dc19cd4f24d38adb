"""JSON schemas of the enrollments service's bodies, for its OpenAPI document."""

_TEXT = {"type": ["string", "null"]}


def _list_of(name):
    items = {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}
    return {"type": "object", "properties": {"items": items,
                                             "next_cursor": {"type": ["string", "null"]}}}


SCHEMAS = {
    "ScheduleProject": {"type": "object", "required": ["code", "name", "school_year"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "school_year": {"type": "string"}}},
    "ScheduleProjectList": _list_of("ScheduleProject"),
    "Department": {"type": "object", "required": ["code", "name", "year_of_education"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "year_of_education": {"type": "integer"}}},
    "DepartmentList": _list_of("Department"),
    "EnrollmentCreate": {"type": "object", "required": ["student", "department"], "properties": {
        "student": {"type": "string"}, "department": {"type": "string"},
        "prognosis": {"type": ["number", "string", "null"]}, "profile": _TEXT, "education": _TEXT,
        "main_group": _TEXT}},
    "Enrollment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "schedule_project": {"type": "string"}, "student": {"type": "string"},
        "department": {"type": "string"}, "prognosis": {"type": ["number", "null"]}, "profile": _TEXT,
        "education": _TEXT, "main_group": _TEXT, "learning_path": _TEXT, "created_at": {"type": "string"}}},
    "EnrollmentList": _list_of("Enrollment"),
    "LearningPath": {"type": "object", "required": ["code", "name", "element_code", "years_of_education"],
                     "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                    "element_code": {"type": "string"}, "lwoo_element_code": _TEXT,
                                    "years_of_education": {"type": "array", "items": {"type": "integer"}},
                                    "educations": {"type": "array", "items": {"type": "string"}},
                                    "profiles": {"type": "array", "items": {"type": "string"}}}},
    "LearningPathList": _list_of("LearningPath"),
    "Placements": {"type": "object", "properties": {
        "placements": {"type": "array", "items": {"type": "object"}},
        "without_learning_path": {"type": "array", "items": {"type": "object"}}}},
}
