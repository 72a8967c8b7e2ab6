# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=frontend /app/frontend/node_modules frontend/node_modules
RUN useradd --system --home /app baton && mkdir -p /app/var && chown baton /app/var
USER baton
EXPOSE 8000
CMD ["gunicorn", "bpm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
