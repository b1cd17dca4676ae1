# DRAKO's image: one image for the web nodes (gunicorn) and the workers (manage.py run_worker).
# Build: docker build -t drako .   Topology: docs/deploy/compose.yaml. Not built in CI (README).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GUNICORN_BIND=0.0.0.0:8000 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files (hashed and compressed for whitenoise) and the assistant's translations are built
# into the image; neither needs a database or a real key.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput \
    && find locale -name django.po -exec sh -c 'pybabel compile -q -i "$1" -o "${1%.po}.mo"' _ {} \;

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin drako \
    && mkdir -p /app/media \
    && chown drako /app/media
USER 10001

EXPOSE 8000
# Liveness (/healthz: the process and its database); readiness is /readyz (README).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

# gunicorn.conf.py: gthread workers; PROMETHEUS_MULTIPROC_DIR is made per container.
CMD ["gunicorn", "drako.wsgi", "-c", "gunicorn.conf.py"]
