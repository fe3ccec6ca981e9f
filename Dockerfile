# maskgate images, built from the hash-locked uv.lock.
#   docker build -t maskgate .                                   the Envoy ext_proc service (no LiteLLM)
#   docker build -t maskgate-litellm --build-arg EXTRAS="--extra litellm" .   LiteLLM proxy + guardrail
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    LITELLM_LOCAL_MODEL_COST_MAP=True

WORKDIR /app
COPY tools/uv-requirements.txt tools/
RUN pip install --no-cache-dir --require-hashes -r tools/uv-requirements.txt

ARG EXTRAS=""
# Dependencies first, so a code change does not reinstall spaCy and its model.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-install-project --no-cache $EXTRAS
COPY maskgate maskgate
COPY extproc extproc
COPY litellm_hooks litellm_hooks
COPY examples examples
RUN uv sync --frozen --no-cache $EXTRAS

RUN useradd --system --uid 10001 --no-create-home maskgate
USER maskgate

EXPOSE 50051
# Serving needs no network beyond the gateway: the NER model ships inside the image.
CMD ["maskgate", "extproc", "--listen", "0.0.0.0:50051", "--workers", "2"]
