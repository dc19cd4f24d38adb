"""The Django app of the peer benchmark: one Student model, the columns the portal's users import
writes (services/users/orm.py `users`). Loaded only by benchmarks.peers.django_import_export."""
