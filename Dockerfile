# One image for every process: `serve` (API + GitHub webhook intake), `worker` (arq) and
# `db upgrade` (migrations, run once per release before the others start).
# Two stages so the runtime image carries no build tools and no pip cache. The base image is pinned
# to an exact Python release; pin it by digest too (`@sha256:...`) once your registry mirrors it.
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/worksample && /opt/worksample/bin/pip install --no-compile .

FROM python:3.11.7-slim-bookworm AS runtime
ENV PATH=/opt/worksample/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WORKSAMPLE_ARTIFACTS_DIR=/app/artifacts
# A fixed, unprivileged user: the service never needs root, and a fixed numeric uid makes volume
# permissions predictable across hosts (and satisfies Kubernetes' runAsNonRoot).
RUN groupadd --system --gid 10001 worksample \
 && useradd --system --uid 10001 --gid worksample --home-dir /app --shell /usr/sbin/nologin worksample
COPY --from=build /opt/worksample /opt/worksample
# Data, not code: the work samples and the App manifest (`worksample doctor` and `app create` read it
# from ./github_app, the working directory below).
COPY --chown=10001:10001 artifacts /app/artifacts
COPY --chown=10001:10001 github_app /app/github_app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["worksample"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
