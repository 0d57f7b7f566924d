#!/usr/bin/env bash
# A second, secured Kafka (KRaft) on loopback beside the plaintext one: a SASL_SSL listener with
# SCRAM users created at format time, a test CA made here, KRaft's StandardAuthorizer and the
# pipeline's least-privilege ACLs (services/shared/src/bus/kafka-security.ts, pipelineAcls).
#   kafka-secure.sh up | down [--wipe] | env
# Everything is cached under $RUN_DIR/kafka-secure; a second `up` only checks the process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

SECURE_PORT=19094
SECURE_CONTROLLER_PORT=19095
dir=$RUN_DIR/kafka-secure
libs=$DOWNLOADS/kafka-$KAFKA_VERSION/libs
USERS=(admin api worker alerter collector scanner operator)

kafka_cli() { "$JAVA_HOME/bin/java" -Xmx256m -cp "$libs/*" "$@"; }
password_of() { cat "$dir/users/$1.password"; }

# A test CA and a broker certificate for 127.0.0.1 signed by it; the broker also presents it as a
# client certificate on the controller listener (mTLS), so only it is the controller's super user.
make_certificates() {
  [ -f "$dir/tls/broker.p12" ] && return
  log "kafka-secure: generating the test CA and broker certificate"
  mkdir -p "$dir/tls"
  local tls=$dir/tls
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 3650 -subj /CN=soc-test-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$tls/broker.key" -out "$tls/broker.csr" -subj /CN=soc-test-broker 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/broker.ext"
  openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -out "$tls/broker.pem" \
    -days 3650 -extfile "$tls/broker.ext" 2>/dev/null
  openssl rand -hex 16 >"$tls/store.password"
  openssl pkcs12 -export -in "$tls/broker.pem" -inkey "$tls/broker.key" -certfile "$tls/ca.pem" -name broker \
    -out "$tls/broker.p12.part" -passout "file:$tls/store.password"
  mv "$tls/broker.p12.part" "$tls/broker.p12"
  chmod 600 "$tls"/*.key "$tls/store.password" "$tls/broker.p12"
}

make_passwords() {
  mkdir -p "$dir/users"
  chmod 700 "$dir/users"
  for user in "${USERS[@]}"; do
    [ -f "$dir/users/$user.password" ] || (umask 077 && openssl rand -hex 12 >"$dir/users/$user.password")
  done
}

write_config() {
  local store_password
  store_password=$(cat "$dir/tls/store.password")
  (umask 077 && cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$SECURE_CONTROLLER_PORT
listeners=SASL_SSL://127.0.0.1:$SECURE_PORT,CONTROLLER://127.0.0.1:$SECURE_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$SECURE_PORT
inter.broker.listener.name=SASL_SSL
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(password_of admin)";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/tls/broker.p12
ssl.keystore.password=$store_password
ssl.truststore.type=PEM
ssl.truststore.location=$dir/tls/ca.pem
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:CN=soc-test-broker
allow.everyone.if.no.acl.found=false
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.min.compaction.lag.ms=0
PROPS
  )
  cp "$RUN_DIR/kafka/log4j.properties" "$dir/log4j.properties" 2>/dev/null ||
    printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\n' >"$dir/log4j.properties"
}

# SCRAM credentials go into the metadata log at format time, before the broker ever starts.
format_storage() {
  [ -f "$dir/data/meta.properties" ] && return
  local scram=() user
  for user in "${USERS[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(password_of "$user")]"); done
  # One user with SCRAM-SHA-256 as well, so both mechanisms are tested.
  scram+=(--add-scram "SCRAM-SHA-256=[name=api,password=$(password_of api)]")
  mkdir -p "$dir/data"
  kafka_cli kafka.tools.StorageTool format -t "$(kafka_cli kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" "${scram[@]}" >/dev/null
}

print_env() {
  [ -f "$dir/tls/ca.pem" ] || return 0
  echo "KAFKA_SECURE_BROKER=127.0.0.1:$SECURE_PORT"
  echo "KAFKA_SECURE_CA_FILE=$dir/tls/ca.pem"
  local user
  for user in "${USERS[@]}"; do echo "KAFKA_SECURE_PASSWORD_${user^^}=$(password_of "$user")"; done
}

up() {
  if [ ! -f "$libs/.complete" ]; then log "kafka-secure: start the plaintext kafka first (it resolves the jars)"; return 1; fi
  if pid_alive "$dir/pid"; then
    log "kafka-secure already running"
  else
    mkdir -p "$dir"
    make_certificates
    make_passwords
    write_config
    format_storage
    nohup "$JAVA_HOME/bin/java" -Xms256m -Xmx384m -Dlog4j.configuration="file:$dir/log4j.properties" \
      -cp "$libs/*" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
    echo $! >"$dir/pid"
  fi
  # Topics and ACLs through the admin user over SASL_SSL, every time (idempotent, ~3 s): also the
  # health check of the listener, and keeps the ACLs in step with pipelineAcls.
  set -a && source <(print_env) && set +a
  wait_until 120 kafka-secure "$dir/kafka.log" setup_acls
}

# Fails at once (not after the timeout) when the broker has exited.
setup_acls() {
  pid_alive "$dir/pid" || { log "kafka-secure exited"; tail -n 20 "$dir/kafka.log" >&2; exit 1; }
  npx --no-install tsx "$here/kafka-secure-acls.ts"
}

down() {
  stop_pidfile kafka-secure "$dir/pid"
  if [ "${1:-}" = "--wipe" ]; then rm -rf "$dir" && log "kafka-secure data wiped"; fi
}

case "${1:-up}" in
  up) up ;;
  down) down "${2:-}" ;;
  env) print_env ;;
  *) echo "usage: $0 up | down [--wipe] | env" >&2; exit 2 ;;
esac
