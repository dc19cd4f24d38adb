# The image every application container of docker-compose.yml runs (see the comment on top of it).
#
# BASE_IMAGE and PIP_INSTALL_OPTIONS exist for machines without an image registry (the compose test
# builds a Debian base image itself, deploy/local-images/): such a build puts the project's wheels
# in ./.wheelhouse and installs with "--no-index --find-links /tmp/wheelhouse". Real builds use the
# defaults: the public python:3.11-slim image and PyPI.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
ARG PIP_INSTALL_OPTIONS=

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_DATA_DIR=/data \
    PATH=/opt/portal/bin:$PATH

WORKDIR /app
# pyproject.toml makes the pattern match something when there is no .wheelhouse (a real build).
COPY pyproject.toml .wheelhouse* /tmp/wheelhouse/
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY portal ./portal
# A virtual environment: Debian's own Python refuses packages installed beside its own (PEP 668).
RUN python3 -m venv /opt/portal \
    && pip install ${PIP_INSTALL_OPTIONS} ".[ops]" \
    && rm -rf /tmp/wheelhouse \
    && useradd --create-home --uid 10001 portal \
    && mkdir -p /data && chown portal:portal /data

USER portal
EXPOSE 8000
CMD ["python", "-m", "portal.gateway"]
