# pii-gateway as a sidecar container.
#   docker build -t pii-gateway .
#   docker run --rm -p 8080:8080 -v $PWD/policies:/app/policies:ro -v $PWD/keys:/app/keys:ro \
#     -e PII_GATEWAY_MASTER_KEY -v pgw-state:/app/state pii-gateway --upstream http://lending-api:8000
# keys/ holds the wrapped key store (read-only); the master key comes from the
# environment (a Secret); /app/state is writable, for key use counts and the
# audit trail (policy: keys.usage_file: /app/state/key-usage.json,
# audit.directory: /app/state/audit, or audit.sink: stdout).

# Builder: compiles the native inspection core (Cython, C compiler) into a wheel.
FROM python:3.11-slim AS builder
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY gateway ./gateway
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && python -c "import glob, sys, zipfile; names = zipfile.ZipFile(glob.glob('/wheels/*.whl')[0]).namelist(); sys.exit(0 if any(n.startswith('gateway/native/_core.') and n.endswith('.so') for n in names) else 'the native core was not built')"

# Runtime: no compiler; the wheel brings the compiled core.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PII_GATEWAY_NATIVE=require
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install /wheels/pii_gateway-*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /app gateway
COPY policies ./policies
RUN mkdir -p keys state && chown -R root:root /app && chmod -R a+rX /app \
    && chown 10001 state && chmod 0700 state

USER 10001
# Policies and keys come from the deployment (ConfigMap / Secret); mount them read-only.
VOLUME ["/app/policies", "/app/keys", "/app/state"]
EXPOSE 8080 9901
HEALTHCHECK --interval=10s --timeout=2s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9901/healthz', timeout=1); sys.exit(0)"]
ENTRYPOINT ["pii-gateway", "serve", "--listen", "0.0.0.0:8080", "--admin", "0.0.0.0:9901"]
CMD ["--upstream", "http://127.0.0.1:8000"]
