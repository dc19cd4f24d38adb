"""django-import-export, tuned for speed as its "Bulk imports" page recommends, importing the same
export the portal's benchmark imports into a fresh PostgreSQL database of the same server.

Two steps, timed apart like the portal's: the preview (a dry run of every row, which its admin
shows before the confirmation) and the apply (the rows created with bulk_create). Each step reads
and parses the file, as the admin's two pages do. In-process: no HTTP, no workers, no events, no
per-row decisions kept beyond what import_data returns."""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from tests.dutch_files import HEADER
from tests.services import fresh_postgres_database

APP = "benchmarks.peers.students"
FIELDS = ("code", "first_name", "prefix", "last_name", "email")
BATCH_SIZE = 1000  # the library's default, and the portal's order of chunk size


def name() -> str:
    return f"django-import-export {version('django-import-export')} (tuned)"


def run(path: Path, size: int) -> dict[str, float]:
    """Seconds of the dry run and of the apply of the file's `size` new students."""
    with fresh_postgres_database() as url:
        _configure(url)
        from django.db import connection

        try:
            from benchmarks.peers.students.models import Student

            with connection.schema_editor() as editor:
                editor.create_model(Student)
            preview_seconds, preview = _timed_import(_resources()["preview"], path, dry_run=True)
            assert preview.totals["new"] == size and not preview.has_errors(), preview.totals
            assert Student.objects.count() == 0  # the dry run rolled back
            apply_seconds, applied = _timed_import(_resources()["apply"], path, dry_run=False)
            assert applied.totals["new"] == size and not applied.has_errors(), applied.totals
            assert Student.objects.filter(is_student=True).count() == size
        finally:
            connection.close()
    return {"preview s": preview_seconds, "apply s": apply_seconds}


def _configure(url: str) -> None:
    """An in-process Django: one app, one database (settings can be made once per process)."""
    import django
    from django.conf import settings

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
                "USER": parts.username or "postgres", "PASSWORD": parts.password or "",
                "HOST": parts.hostname or "127.0.0.1", "PORT": str(parts.port or 5432)}
    if settings.configured:
        raise RuntimeError("the django-import-export peer runs once per process")
    settings.configure(DATABASES={"default": database}, INSTALLED_APPS=[APP], USE_TZ=True,
                       DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()


def _resources() -> dict[str, type]:
    """The ModelResource with every speed option of the docs that keeps the import correct; the
    apply also skips the look-up of existing rows (force_init_instance), which the docs allow when
    every row is new, as here. The preview keeps the look-up (it must tell a create from an update)
    but in one query (CachedInstanceLoader)."""
    from import_export.fields import Field
    from import_export.instance_loaders import CachedInstanceLoader
    from import_export.resources import ModelResource

    from benchmarks.peers.students.models import Student

    column = dict(zip(FIELDS, HEADER, strict=False))  # the export's Dutch header, in the same order

    class StudentResource(ModelResource):
        code = Field(attribute="code", column_name=column["code"])
        first_name = Field(attribute="first_name", column_name=column["first_name"])
        prefix = Field(attribute="prefix", column_name=column["prefix"])
        last_name = Field(attribute="last_name", column_name=column["last_name"])
        email = Field(attribute="email", column_name=column["email"])

        class Meta:
            model = Student
            fields = FIELDS
            import_id_fields = ("code",)
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = BATCH_SIZE
            use_transactions = True
            skip_unchanged = False
            skip_diff = True
            skip_html_diff = True
            report_skipped = False

    class NewStudentResource(StudentResource):
        class Meta(StudentResource.Meta):
            force_init_instance = True

    return {"preview": StudentResource, "apply": NewStudentResource}


def _timed_import(resource: type, path: Path, dry_run: bool):
    import tablib

    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_text(encoding="cp1252"), format="csv", delimiter=";")
    result = resource().import_data(dataset, dry_run=dry_run, raise_errors=True)
    return time.perf_counter() - started, result
