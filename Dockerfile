# syntax=docker/dockerfile:1
# Bildungsportal: front-end assets from npm, then the Python application.

FROM node:20.19-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11.11-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 10001 portal
WORKDIR /app

COPY pyproject.toml ./
RUN pip install .

COPY --chown=portal:portal . .
COPY --from=assets --chown=portal:portal /build/node_modules ./node_modules

# Static files and the German catalogue are built into the image. The
# placeholder key only serves these build steps; the container needs its own.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input -v 0 \
 && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build \
    python manage.py compilemessages --ignore node_modules -v 0 \
 && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
# Release step before starting a new version: python manage.py migrate
# Mail worker: a second container from the same image and environment runs
#   sh -c "python manage.py send_queued_mail && python manage.py purge_audit_entries --schedule && exec python manage.py db_worker"
# (send_queued_mail picks up mail a killed worker left behind; the purge
# command queues the daily purge of old audit entries once).
# It delivers the outbox and retries while the SMTP server is away; any
# number of workers may run. Without a worker, mail waits in the database.
CMD ["gunicorn", "--config", "portal/gunicorn_config.py", "portal.wsgi"]
