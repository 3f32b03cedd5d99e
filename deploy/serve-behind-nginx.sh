#!/usr/bin/env bash
# The site on one machine with nginx in front: `make serve-nginx`, or this script.
#
# As `make serve` does, it collects the static files and migrates (DEBUG off, so the
# production settings must be in the environment or .env: SECRET_KEY, SITE_URL,
# ALLOWED_HOSTS, ...). Then it starts gunicorn on a loopback address and an nginx of its
# own in the foreground, with deploy/nginx/broadsheet.conf filled in under a runtime
# directory: its own pid file, logs, temporary files and page cache, so the machine's
# nginx service (if any) is neither used nor touched. No root is needed with ports above
# 1024. Ctrl-C (or SIGTERM) stops both.
#
# Environment (defaults in brackets):
#   NGINX_LISTEN       what nginx listens on [127.0.0.1:8080]; 80 or 0.0.0.0:80 needs root
#   NGINX_SERVER_NAME  server_name [_ : any host; Django still checks ALLOWED_HOSTS]
#   GUNICORN_BIND      gunicorn's address, loopback only [127.0.0.1:8000]
#   NGINX_RUN_DIR      the runtime directory [.nginx/ in the checkout]
#   NGINX              the nginx program [/usr/sbin/nginx: Debian's `nginx` package]
#   PYTHON             the project's Python [.venv/bin/python]
# and everything config/gunicorn.conf.py and the settings read. TRUSTED_PROXY_HEADER is
# HTTP_X_FORWARDED_FOR unless set: behind this nginx every request comes from 127.0.0.1.
#
# Run as root, nginx's workers run as root too (`user root`), like the gunicorn beside
# them, so that they can read the checkout's static files and the runtime directory. For
# a real deployment, put broadsheet.conf in Debian's nginx (sites-enabled), whose
# workers run as www-data, and gunicorn under a user of its own.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-/usr/sbin/nginx}
LISTEN=${NGINX_LISTEN:-127.0.0.1:8080}
SERVER_NAME=${NGINX_SERVER_NAME:-_}
UPSTREAM=${GUNICORN_BIND:-127.0.0.1:8000}
RUN_DIR=${NGINX_RUN_DIR:-$ROOT/.nginx}

fail() { echo "serve-behind-nginx: $*" >&2; exit 1; }

[ -x "$NGINX" ] || fail "no nginx at $NGINX: apt-get install nginx (or set NGINX)"
[ -x "$PYTHON" ] || fail "no Python at $PYTHON: run make venv (or set PYTHON)"
case "$UPSTREAM" in
    127.*:* | localhost:* | "[::1]:"*) ;;
    *) fail "GUNICORN_BIND=$UPSTREAM is not a loopback address: clients could skip nginx" ;;
esac

export DEBUG=false STATIC_MANIFEST=true DJANGO_SETTINGS_MODULE=config.settings
export GUNICORN_BIND=$UPSTREAM
export TRUSTED_PROXY_HEADER=${TRUSTED_PROXY_HEADER:-HTTP_X_FORWARDED_FOR}

"$PYTHON" manage.py collectstatic --no-input
"$PYTHON" manage.py migrate --no-input
STATIC_ROOT=$("$PYTHON" -c 'import django; django.setup()
from django.conf import settings; print(settings.STATIC_ROOT)')
MEDIA_ROOT=$("$PYTHON" -c 'import django; django.setup()
from django.conf import settings; print(settings.MEDIA_ROOT)')
mkdir -p "$MEDIA_ROOT"

# A fresh runtime directory each time; the page cache of an earlier run could hold
# pages of another database.
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
rm -rf "$RUN_DIR/cache"
cp deploy/nginx/standalone.conf "$RUN_DIR/nginx.conf"
sed -e "s|@LISTEN@|$LISTEN|" \
    -e "s|@SERVER_NAME@|$SERVER_NAME|" \
    -e "s|@UPSTREAM@|$UPSTREAM|" \
    -e "s|@STATIC_ROOT@|${STATIC_ROOT%/}|" \
    -e "s|@CACHE_DIR@|$RUN_DIR/cache|" \
    -e "s|@MEDIA_ROOT@|${MEDIA_ROOT%/}|" \
    deploy/nginx/broadsheet.conf > "$RUN_DIR/broadsheet.conf"

globals="daemon off;"
[ "$(id -u)" = 0 ] && globals="$globals user root;"
nginx_args=(-p "$RUN_DIR/" -c "$RUN_DIR/nginx.conf" -e stderr -g "$globals")
"$NGINX" -t -q "${nginx_args[@]}"

gunicorn_pid=""
nginx_pid=""
stop() {
    trap - EXIT INT TERM
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    [ -n "$gunicorn_pid" ] && kill "$gunicorn_pid" 2>/dev/null
    wait
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PYTHON" -m gunicorn -c config/gunicorn.conf.py &
gunicorn_pid=$!
host=${UPSTREAM%:*}
host=${host#[}
host=${host%]}
for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/$host/${UPSTREAM##*:}") 2>/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || fail "gunicorn did not start"
    sleep 0.2
done

"$NGINX" "${nginx_args[@]}" &
nginx_pid=$!
echo "serve-behind-nginx: nginx on $LISTEN, in front of gunicorn on $UPSTREAM;" \
    "logs and cache in $RUN_DIR"
wait "$nginx_pid"
