# syntax=docker/dockerfile:1.7
# MinIO built from the pinned community source (no maintained images exist since 2025-10), the same
# version scripts/services builds for the tests. The health check needs no curl: bash's /dev/tcp asks
# MinIO's liveness endpoint.
ARG GO_IMAGE=golang:1.26.8-bookworm

FROM ${GO_IMAGE} AS build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN CGO_ENABLED=0 GOBIN=/out GOFLAGS=-buildvcs=false go install "github.com/minio/minio@${MINIO_VERSION}"
# mc, for the compose file's minio-init step (docker/minio-init.sh): the version scripts/services builds.
ARG MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
RUN CGO_ENABLED=0 GOBIN=/out GOFLAGS=-buildvcs=false go install "github.com/minio/mc@${MC_VERSION}"

FROM debian:12.12-slim AS runtime
RUN useradd --system --uid 1001 --home-dir /data minio && mkdir -p /data && chown minio /data
COPY --from=build /out/minio /out/mc /usr/local/bin/
USER minio
EXPOSE 9000 9001
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /minio/health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--address", ":9000", "--console-address", ":9001"]
