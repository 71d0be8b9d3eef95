# syntax=docker/dockerfile:1
#
# dx-warehouse Airflow image: the official Airflow image extended with the project, installed
# from uv.lock. Used by every Airflow service of docker-compose.yml (api-server, scheduler,
# dag-processor, triggerer, Celery workers, init).
#
# The Airflow tag below must equal the apache-airflow version pinned in uv.lock, and its Python
# minor must be allowed by pyproject's requires-python; tests/test_docker_compose.py checks both.

# ---------------------------------------------------------------------------------------------
# Stage 1: turn uv.lock into a pinned requirements file (runtime dependencies only, no dev group).
# A pinned uv is used because the lock's format may be newer than the uv bundled in the image.
# ---------------------------------------------------------------------------------------------
FROM apache/airflow:3.3.2-python3.11 AS lock-export

ARG UV_VERSION=0.13.8
RUN pip install --no-cache-dir "uv==${UV_VERSION}"

COPY --chown=airflow:0 pyproject.toml uv.lock /tmp/lock/
# --frozen: use uv.lock exactly as committed, never re-resolve. /tmp because the airflow user
# cannot write to directories that COPY creates as root.
RUN cd /tmp/lock \
    && uv export --frozen --no-dev --no-hashes --no-emit-project \
        --format requirements.txt --output-file /tmp/dxw-requirements.txt

# ---------------------------------------------------------------------------------------------
# Stage 2: the runtime image.
# ---------------------------------------------------------------------------------------------
FROM apache/airflow:3.3.2-python3.11

# Where the project's sources live inside the image. The project is installed in editable mode
# from here so that dxw.config.REPO_ROOT points at a tree holding dags/, dbt_project/ and
# expectations/, exactly as in a checkout.
ENV DXW_SRC=/opt/dx-warehouse \
    DXW_HOME=/opt/dxw \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/dx-warehouse/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false

USER root
RUN mkdir -p "${DXW_SRC}" "${DXW_HOME}" \
    && chown -R airflow:0 "${DXW_SRC}" "${DXW_HOME}" \
    && chmod -R g+rwX "${DXW_SRC}" "${DXW_HOME}"
USER airflow

# Locked dependencies first (the layer is reused while uv.lock is unchanged). They go into the
# image's Airflow virtualenv (~airflow/.local) with the image's own pip and Python, replacing the
# image's own Celery provider and celery with the locked pins (celery 5.7 breaks provider 3.26).
COPY --from=lock-export --chown=airflow:0 /tmp/dxw-requirements.txt /tmp/dxw-requirements.txt
RUN pip install --no-cache-dir -r /tmp/dxw-requirements.txt \
    && rm /tmp/dxw-requirements.txt

# Then the project itself (no dependency resolution: everything came from the lock).
WORKDIR ${DXW_SRC}
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
COPY --chown=airflow:0 include/ ./include/
RUN pip install --no-cache-dir --no-deps --editable "${DXW_SRC}"

# As `dxw up` does locally: the components that fork (DAG processor, scheduler, Celery workers)
# import Cosmos, dbt and GX once, not in every parse and task (dxw.service.preload).
RUN python -c "from pathlib import Path; from dxw.service.preload import install; \
install(Path('/opt/airflow'))"

COPY --chown=airflow:0 dags/ ./dags/
COPY --chown=airflow:0 dbt_project/ ./dbt_project/
COPY --chown=airflow:0 expectations/ ./expectations/

# dbt packages are fetched at build time so that workers need no network access for them.
RUN if [ -f dbt_project/packages.yml ] || [ -f dbt_project/dependencies.yml ]; then \
        (cd dbt_project && dbt deps); \
    fi \
    && chmod -R g+rwX "${DXW_SRC}"

# Fail the build, not the first DAG run, if the image is inconsistent.
RUN test "$(python -c 'from importlib.metadata import version; print(version("apache-airflow"))')" \
        = "${AIRFLOW_VERSION}" \
    && python -c "import airflow.providers.celery, airflow.providers.postgres, dxw.config" \
    && python -c "from airflow.providers.celery.executors import celery_executor" \
    && command -v dxw >/dev/null \
    && command -v dbt >/dev/null

WORKDIR /opt/airflow
