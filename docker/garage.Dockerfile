# syntax=docker/dockerfile:1.7
# Garage built from the pinned crates.io release, the same version scripts/services builds for the tests.
# The runtime has bash for the health check (no curl: bash's /dev/tcp asks the admin API's /health, alive
# when it answers at all: it says 503 until the layout is applied).
ARG RUST_IMAGE=rust:1.95.0-bookworm

FROM ${RUST_IMAGE} AS build
ARG GARAGE_VERSION=2.5.0
RUN cargo install --locked garage --version "${GARAGE_VERSION}" --root /out

FROM debian:12.12-slim AS runtime
RUN useradd --system --uid 1002 --home-dir /var/lib/garage garage && mkdir -p /var/lib/garage/meta /var/lib/garage/data \
  && chown -R garage /var/lib/garage
COPY --from=build /out/bin/garage /usr/local/bin/garage
USER garage
EXPOSE 3900 3901 3903
VOLUME ["/var/lib/garage"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3903 && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -qE ' (200|503) '"]
ENTRYPOINT ["garage", "-c", "/etc/garage.toml"]
CMD ["server"]
