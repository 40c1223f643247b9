# One image for every process: `serve` (API + webhook intake), `worker` (arq) and `db upgrade`.
# Two stages so the runtime image carries no compiler and no pip cache.
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/worksample && /opt/worksample/bin/pip install --no-compile .

FROM python:3.11.7-slim-bookworm
ENV PATH=/opt/worksample/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WORKSAMPLE_ARTIFACTS_DIR=/app/artifacts
# A fixed, unprivileged user: the service never needs root, and a fixed uid makes volume
# permissions predictable across hosts.
RUN groupadd --system --gid 10001 worksample \
 && useradd --system --uid 10001 --gid worksample --home-dir /app --shell /usr/sbin/nologin worksample
COPY --from=build /opt/worksample /opt/worksample
COPY --chown=worksample:worksample artifacts /app/artifacts
COPY --chown=worksample:worksample github_app /app/github_app
WORKDIR /app
USER worksample
EXPOSE 8000
ENTRYPOINT ["worksample"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
