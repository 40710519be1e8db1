"""An index on the `RUNNING` tasks of django-tasks-db's table, for the reaper's look every few seconds.

Every worker looks for abandoned `RUNNING` tasks after each heartbeat (`worker.reaping`); the table keeps
finished tasks until they are pruned (many thousands), and django-tasks-db indexes only `READY` ones. A
partial index holds just the few running rows. It is on another app's table, hence SQL, which PostgreSQL and
SQLite both take as written.
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "worker_running_tasks_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0001_initial"),
        ("django_tasks_database", "0019_rename_django_task_new_ordering_idx_tasks_db_new_ordering_idx_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (started_at) WHERE status = 'RUNNING'",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
