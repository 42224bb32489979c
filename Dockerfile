# One image for every Precinct process: web, both workers and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PRECINCT_VAR_DIR=/var/lib/precinct \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files are collected (hashed and compressed) into the image. The values here exist only
# so the settings load for this one command; the real ones come from the environment at run time.
RUN DEBUG=false ALLOWED_HOSTS=build SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnop \
    python manage.py collectstatic --noinput \
 && useradd --system --home-dir /var/lib/precinct --create-home precinct
USER precinct
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "portal.wsgi"]
