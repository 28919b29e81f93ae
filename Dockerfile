FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY distributor ./distributor
COPY workers ./workers
RUN pip install --no-cache-dir . && useradd --create-home app && mkdir -p /app/var && chown app /app/var
USER app
ENTRYPOINT ["distributor"]
