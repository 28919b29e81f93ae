FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY distributor ./distributor
COPY workers ./workers
RUN pip install --no-cache-dir --no-deps . && useradd --create-home app && mkdir -p /app/var && chown app /app/var
USER app
ENTRYPOINT ["distributor"]
