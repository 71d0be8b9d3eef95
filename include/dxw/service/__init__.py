"""The resident services of a home: Airflow's components, the Celery broker and workers."""
