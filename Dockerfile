# The app's container image: one Streamlit process per container; run replicas behind an ingress
# with session affinity (see README, "Serving a lecture hall").
#   docker build -t makemore-explorer .
#   docker run -p 8501:8501 makemore-explorer
FROM python:3.11-slim

WORKDIR /app
# torch==2.13.0 from PyPI is the CUDA build (gigabytes): take the CPU wheel
COPY requirements.txt .
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

COPY makemore/ makemore/
COPY ui/ ui/
COPY service/ service/
COPY .streamlit/ .streamlit/
COPY app.py streamlit_app.py names.txt pyproject.toml ./
RUN pip install --no-cache-dir --no-deps -e . \
    && python -c "import ui.components"  # copies plotly.min.js into static/ at build time, not per start

EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
