# The product image: one image for web, worker and beat (docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY dcim ./dcim
COPY telemetry ./telemetry
COPY devstack ./devstack
COPY demo ./demo
COPY bench ./bench
RUN pip install .
COPY . .
# Static files are collected at build time; DEBUG=1 only lets settings load without secrets.
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 dcim && chown -R dcim /app/var
USER dcim

EXPOSE 8000
CMD ["gunicorn", "dcim.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
