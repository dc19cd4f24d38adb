"""The portal's `users` table as a Django model: the same columns, the same unique code, so that
both sides write the same rows."""

from __future__ import annotations

from django.db import models


class Student(models.Model):
    code = models.CharField(max_length=32, unique=True)
    first_name = models.TextField(null=True)
    prefix = models.TextField(null=True)
    last_name = models.TextField(null=True)
    email = models.TextField(null=True)
    is_student = models.BooleanField(default=True)  # the portal's import runs with "as student"
    is_employee = models.BooleanField(default=False)
    is_family_member = models.BooleanField(default=False)
    login_method = models.CharField(max_length=16, default="password")
    password_hash = models.TextField(null=True)
    school_functions = models.JSONField(default=list)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "students"
        db_table = "users"
