"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from labtrack import create_app

app = create_app()
