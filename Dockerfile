# The image every application container of docker-compose.yml runs (see the comment on top of it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY portal ./portal
RUN pip install ".[ops]" \
    && useradd --create-home --uid 10001 portal \
    && mkdir -p /data && chown portal:portal /data

USER portal
EXPOSE 8000
CMD ["python", "-m", "portal.gateway"]
