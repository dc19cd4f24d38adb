"""The enrollments service: schedule projects, departments, enrollments, learning paths, placements,
and its own directory of students fed by the student events."""
