#!/usr/bin/env bash
# Secured fronts of the loopback Elasticsearch and Redis, for the client-side security tests:
#   up [components...]  nginx terminating TLS and checking an API key or basic credentials before
#                       Elasticsearch; a second redis-server with TLS only and ACL users. Idempotent.
#   down                stops both.
#   env                 prints their addresses and credential files (appended to infra.env).
# The test CA, certificates and credentials are made once and cached under $RUN_DIR/secure; the
# shared plain Elasticsearch and Redis stay as they are.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ES_TLS_PORT=19243
REDIS_TLS_PORT=16380
dir=$RUN_DIR/secure
tls=$dir/tls

# A CA and a server certificate for localhost/127.0.0.1, plus a second CA the clients must not trust.
# Remade when missing or expiring within a day.
ensure_certificates() {
  mkdir -p "$tls"
  if [ -f "$tls/server.pem" ] && openssl x509 -checkend 86400 -noout -in "$tls/server.pem" >/dev/null; then return; fi
  log "secure-backends: making the test CA and server certificate"
  local ca
  for ca in ca untrusted-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj "/CN=SOC Pipeline test $ca" \
      -keyout "$tls/$ca.key" -out "$tls/$ca.pem" 2>/dev/null
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$tls/server.pem" 2>/dev/null
  rm -f "$tls/server.csr"
  chmod 600 "$tls"/*.key
}

# ensure_secret <file> <command...>: the command's output, made once and kept 0600.
ensure_secret() {
  local file=$1
  shift
  [ -s "$file" ] || (umask 077 && "$@" >"$file")
}

ensure_credentials() {
  # Elasticsearch's encoded key form: base64 of "<id>:<api_key>".
  ensure_secret "$dir/es-api-key" bash -c 'printf "%s:%s" "$(openssl rand -hex 10)" "$(openssl rand -hex 16)" | base64 -w0'
  ensure_secret "$dir/es-password" openssl rand -hex 16
  ensure_secret "$dir/redis-password" openssl rand -hex 16
}

# A regular expression matching exactly the given text.
literal_regex() { sed 's/[^A-Za-z0-9 ]/\\&/g' <<<"$1"; }

start_elasticsearch_front() {
  local front=$dir/nginx
  mkdir -p "$front/tmp"
  chown nobody "$front/tmp"
  local api_key basic
  api_key=$(literal_regex "ApiKey $(cat "$dir/es-api-key")")
  basic=$(literal_regex "Basic $(printf 'soc:%s' "$(cat "$dir/es-password")" | base64 -w0)")
  # Rewritten each start, so a changed port or credential takes effect.
  cat >"$front/nginx.conf" <<CONF
worker_processes 1;
pid $front/nginx.pid;
error_log $front/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $front/tmp/body;
  proxy_temp_path $front/tmp/proxy;
  fastcgi_temp_path $front/tmp/fastcgi;
  uwsgi_temp_path $front/tmp/uwsgi;
  scgi_temp_path $front/tmp/scgi;
  upstream elasticsearch { server 127.0.0.1:$ES_PORT; keepalive 16; }
  # Case-sensitive regular expressions: plain map strings compare case-insensitively.
  map \$http_authorization \$soc_authorized {
    default 0;
    "~^$api_key\$" 1;
    "~^$basic\$" 1;
  }
  server {
    listen 127.0.0.1:$ES_TLS_PORT ssl;
    ssl_certificate $tls/server.pem;
    ssl_certificate_key $tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 512m;
    location / {
      # Answers like Elasticsearch with security on, so the client sees what it would see there.
      default_type application/json;
      if (\$soc_authorized = 0) {
        add_header WWW-Authenticate 'ApiKey, Basic realm="security" charset="UTF-8"' always;
        return 401 '{"error":{"root_cause":[{"type":"security_exception","reason":"missing or wrong authentication credentials for REST request"}],"type":"security_exception","reason":"missing or wrong authentication credentials for REST request"},"status":401}';
      }
      proxy_pass http://elasticsearch;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
CONF
  nginx -t -q -c "$front/nginx.conf" -p "$front"
  if pid_alive "$front/nginx.pid"; then
    nginx -c "$front/nginx.conf" -p "$front" -s reload 2>/dev/null
    log "elasticsearch TLS front already running (configuration reloaded)"
  else
    nginx -c "$front/nginx.conf" -p "$front"
    log "elasticsearch TLS front on https://127.0.0.1:$ES_TLS_PORT"
  fi
  wait_until 20 "elasticsearch TLS front" "$front/error.log" \
    curl -fs --cacert "$tls/ca.pem" -H "Authorization: ApiKey $(cat "$dir/es-api-key")" "https://127.0.0.1:$ES_TLS_PORT/_cluster/health"
}

start_redis_tls() {
  local server=$dir/redis
  mkdir -p "$server"
  # The default user is off; `soc` may run only what the counters and the alerter's delivery log
  # send (ioredis' ready check is INFO; pipelines load their scripts), on keys under soc:.
  # The password is stored hashed.
  cat >"$server/users.acl.new" <<ACL
user default off
user soc on #$(printf %s "$(cat "$dir/redis-password")" | sha256sum | cut -d' ' -f1) resetkeys ~soc:* resetchannels -@all +ping +info +evalsha +eval +script|load +script|exists +exists +set +del +expire +zadd +zremrangebyscore +zcard +zrange +hincrby +hget +hset +hkeys +hdel +hmget
ACL
  local cli=(redis-cli --tls --cacert "$tls/ca.pem" -p "$REDIS_TLS_PORT" --user soc --pass "$(cat "$dir/redis-password")" --no-auth-warning)
  # No user may run ACL LOAD, so changed users mean a restart.
  if cmp -s "$server/users.acl.new" "$server/users.acl" && "${cli[@]}" ping 2>/dev/null | grep -q PONG; then
    rm "$server/users.acl.new"
    log "redis TLS already running"
    return
  fi
  mv "$server/users.acl.new" "$server/users.acl"
  stop_pidfile "redis TLS" "$server/pid"
  redis-server --port 0 --tls-port "$REDIS_TLS_PORT" --bind 127.0.0.1 \
    --tls-cert-file "$tls/server.pem" --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/ca.pem" --tls-auth-clients no \
    --aclfile "$server/users.acl" --save '' --appendonly no --daemonize yes \
    --pidfile "$server/pid" --logfile "$server/redis.log" --dir "$server"
  wait_until 20 "redis TLS" "$server/redis.log" bash -c "$(printf '%q ' "${cli[@]}") ping | grep -q PONG"
  log "redis TLS on rediss://127.0.0.1:$REDIS_TLS_PORT"
}

command=${1:-up}
shift || true
case $command in
  up)
    components=("$@")
    [ ${#components[@]} -gt 0 ] || components=(elasticsearch redis)
    ensure_certificates
    ensure_credentials
    for component in "${components[@]}"; do
      case $component in
        elasticsearch) start_elasticsearch_front ;;
        redis) start_redis_tls ;;
      esac
    done
    ;;
  down)
    stop_pidfile "elasticsearch TLS front" "$dir/nginx/nginx.pid"
    stop_pidfile "redis TLS" "$dir/redis/pid"
    ;;
  env)
    [ -f "$dir/es-api-key" ] || exit 0
    cat <<ENV
SECURE_ELASTICSEARCH_URL=https://127.0.0.1:$ES_TLS_PORT
SECURE_ELASTICSEARCH_USERNAME=soc
SECURE_ELASTICSEARCH_PASSWORD_FILE=$dir/es-password
SECURE_ELASTICSEARCH_API_KEY_FILE=$dir/es-api-key
SECURE_REDIS_URL=rediss://127.0.0.1:$REDIS_TLS_PORT
SECURE_REDIS_USERNAME=soc
SECURE_REDIS_PASSWORD_FILE=$dir/redis-password
SECURE_CA_FILE=$tls/ca.pem
UNTRUSTED_CA_FILE=$tls/untrusted-ca.pem
ENV
    ;;
  *) log "usage: secure-backends.sh up [elasticsearch] [redis] | down | env"; exit 2 ;;
esac
