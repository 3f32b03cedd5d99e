#!/bin/sh
# The WordPress reference for `make bench` (issue 6): Debian's WordPress package serving
# the bench's seed article with 100 approved threaded comments, from nginx through
# PHP-FPM with exactly 2 children (our gunicorn runs 2 workers), opcache on as PHP ships
# it, and no page-cache plugin: every request runs WordPress.
#
#   sudo bench/wordpress/setup.sh        (or `make bench-wordpress-setup`, as root)
#
# It is safe to run again: what is already there is kept, what is missing is made,
# and the daemons are started or told to reload. It needs root (apt, MariaDB's root
# account through its socket, www-data). What it touches on the machine:
#
#   packages   php-fpm php-mysql nginx wordpress wordpress-theme-twentytwentythree,
#              installed only if missing (no recommends: no Apache server)
#   MariaDB    a database and a user of their own, both named broadsheet_wp_bench;
#              MariaDB is started if it is not running
#   WordPress  /etc/wordpress/config-127.0.0.1.php (refused if someone else wrote it)
#   nginx      an instance of its own, /etc/broadsheet-bench-wordpress/nginx.conf,
#              listening on 127.0.0.1:$WORDPRESS_BENCH_PORT only (default 8089); the
#              machine's own nginx service and its port 80 site are left alone
#   PHP-FPM    a master of its own, /etc/broadsheet-bench-wordpress/php-fpm.conf, one
#              pool, a socket in /run/broadsheet-bench-wordpress/
#
# At the end it prints the article's URL and writes it to bench/wordpress/.url, where
# bench_site.py finds it. Stop the two daemons with
#   kill "$(cat /run/broadsheet-bench-wordpress/nginx.pid)" \
#        "$(cat /run/broadsheet-bench-wordpress/php-fpm.pid)"
# (Debian's php8.2-fpm init script matches PHP-FPM by program: `service php8.2-fpm stop`
# stops this one as well, and `status` reports it as the service.)
set -eu

PORT=${WORDPRESS_BENCH_PORT:-8089}
HOST=127.0.0.1
SITE_URL="http://$HOST:$PORT"
DB=broadsheet_wp_bench
ETC=/etc/broadsheet-bench-wordpress
RUN=/run/broadsheet-bench-wordpress
LOG=/var/log/broadsheet-bench-wordpress
WP_CONFIG=/etc/wordpress/config-$HOST.php
MARK="Written by Broadsheet's bench/wordpress/setup.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# seed_article.py parses the seed with the project's own importer: the project's Python.
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
PHP_VERSION=8.2
FPM=php-fpm$PHP_VERSION

say() { echo "wordpress-bench: $*"; }
fail() { echo "wordpress-bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run me as root (apt, MariaDB's root account, www-data)"
[ -x "$PYTHON" ] || fail "no project Python at $PYTHON: run make venv, or set PYTHON"

# -- packages ---------------------------------------------------------------------------
PACKAGES="php-fpm php-mysql nginx wordpress wordpress-theme-twentytwentythree"
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $package"
done
if [ -n "$missing" ]; then
    say "installing$missing"
    # No recommends: WordPress recommends Apache, which would want port 80.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
command -v "$FPM" >/dev/null || fail "$FPM not found: is PHP $PHP_VERSION what apt installed?"

# -- MariaDB ----------------------------------------------------------------------------
if ! mysqladmin ping >/dev/null 2>&1; then
    say "starting MariaDB"
    service mariadb start >/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        mysqladmin ping >/dev/null 2>&1 && break
        sleep 1
    done
fi
mysqladmin ping >/dev/null 2>&1 || fail "MariaDB does not answer"

# The password lives in WordPress's config file: kept from there on a second run.
if [ -f "$WP_CONFIG" ] && ! grep -q "$MARK" "$WP_CONFIG"; then
    fail "$WP_CONFIG exists and is not ours; move it away or set up WordPress by hand"
fi
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
password=""
if [ -f "$WP_CONFIG" ]; then
    password=$(sed -n "s/^define('DB_PASSWORD', '\([0-9a-f]*\)');$/\1/p" "$WP_CONFIG")
fi
[ -n "$password" ] || password=$(secret)
mysql --protocol=socket -u root <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON $DB.* TO '$DB'@'localhost';
SQL

# -- WordPress's configuration ------------------------------------------------------------
if [ ! -f "$WP_CONFIG" ]; then
    say "writing $WP_CONFIG"
    saved_umask=$(umask)
    umask 027
    {
        echo "<?php"
        echo "// $MARK: the bench's reference site."
        echo "define('DB_NAME', '$DB');"
        echo "define('DB_USER', '$DB');"
        echo "define('DB_PASSWORD', '$password');"
        echo "define('DB_HOST', 'localhost');"
        echo "define('DB_CHARSET', 'utf8mb4');"
        echo "define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');"
        for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY \
            AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
            echo "define('$key', '$(secret)');"
        done
        # Scheduled jobs run from the system's cron on a production site, not inside a
        # reader's request; this machine has no internet for the update checks either.
        echo "define('DISABLE_WP_CRON', true);"
        echo "\$table_prefix = 'wp_';"
    } >"$WP_CONFIG"
    umask "$saved_umask"
    chgrp www-data "$WP_CONFIG"
fi

# -- PHP-FPM and nginx, instances of their own ---------------------------------------------
mkdir -p "$ETC" "$RUN" "$LOG"
cat >"$ETC/php-fpm.conf" <<CONF
; $MARK. PHP's own php.ini and conf.d (opcache on) apply.
[global]
pid = $RUN/php-fpm.pid
error_log = $LOG/php-fpm.log
daemonize = yes

[wordpress-bench]
user = www-data
group = www-data
listen = $RUN/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.backlog = 511
; Two processes, always: as many as gunicorn's workers in bench_site.py.
pm = static
pm.max_children = 2
; Its "accepted conn" counts the requests PHP ran: each page view is one, as no page
; cache answers in its place (bench_site.py checks it).
pm.status_path = /php-fpm-status
CONF

cat >"$ETC/nginx.conf" <<CONF
# $MARK. Debian's nginx.conf settings, one server.
user www-data;
worker_processes auto;
pid $RUN/nginx.pid;
error_log $LOG/nginx-error.log;

events {
    worker_connections 768;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    # gunicorn's access log is off in the bench too.
    access_log off;
    gzip on;

    server {
        listen $HOST:$PORT;
        server_name $HOST;
        root /usr/share/wordpress;
        index index.php;

        # From Debian's /usr/share/doc/wordpress/examples/nginx-wordpress.conf.
        location / {
            try_files \$uri \$uri/ /index.php?\$args;
        }
        location ~ ^/wp-content/(.*)\$ {
            alias /var/lib/wordpress/wp-content/\$1;
        }
        location = /php-fpm-status {
            allow 127.0.0.1;
            deny all;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_NAME /php-fpm-status;
            fastcgi_param SCRIPT_FILENAME /php-fpm-status;
            fastcgi_pass unix:$RUN/php-fpm.sock;
        }
        location ~ \.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$request_filename;
            # Debian's fastcgi_params pass the host without its port, and WordPress
            # would redirect to its own address, port included, forever. The port is
            # this server's own, not the client's say.
            fastcgi_param HTTP_HOST \$host:\$server_port;
            fastcgi_index index.php;
            fastcgi_pass unix:$RUN/php-fpm.sock;
        }
    }
}
CONF

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

"$FPM" --test --fpm-config "$ETC/php-fpm.conf" >/dev/null 2>&1 ||
    fail "PHP-FPM refuses $ETC/php-fpm.conf: $FPM --test --fpm-config $ETC/php-fpm.conf"
if running "$RUN/php-fpm.pid"; then
    kill -USR2 "$(cat "$RUN/php-fpm.pid")"  # reload: the pool's configuration, afresh
else
    say "starting PHP-FPM (2 children)"
    "$FPM" --fpm-config "$ETC/php-fpm.conf"
fi
nginx -t -q -c "$ETC/nginx.conf" || fail "nginx refuses $ETC/nginx.conf"
if running "$RUN/nginx.pid"; then
    nginx -c "$ETC/nginx.conf" -s reload 2>/dev/null || fail "nginx did not reload"
else
    say "starting nginx on $HOST:$PORT"
    nginx -c "$ETC/nginx.conf"
fi

# -- the site: installed, configured, the article and its comments ------------------------
article=$(mktemp)
trap 'rm -f "$article"' EXIT
"$PYTHON" "$HERE/seed_article.py" >"$article"
url=$(php "$HERE/seed.php" "$SITE_URL" "bench@example.org" <"$article" | tail -n 1)
case "$url" in
    http://*) ;;
    *) fail "seed.php printed no URL" ;;
esac

status=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
[ "$status" = 200 ] || fail "$url answered $status; see $LOG/"
echo "$url" >"$HERE/.url"
say "the article, with its comments: $url"
echo "$url"
