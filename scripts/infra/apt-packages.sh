#!/usr/bin/env bash
# The one place that installs Debian packages: Redis, PostgreSQL, Chromium (browser tests),
# nginx (the TLS, authenticating front of Elasticsearch in the secured-backend tests), poppler-utils (PDF checks), jq (the Kubernetes build script), lua5.1 (the Argo CD health checks), rsyslog and rsyslog-gnutls (a real sender for the syslog collector's tests), crowdsec-custom-bouncer (a real CrowdSec bouncer pulling the API's bans in the response tests). Quick when everything is present.
set -euo pipefail
wanted=(redis-server postgresql chromium nginx poppler-utils jq lua5.1 rsyslog rsyslog-gnutls crowdsec-custom-bouncer)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "apt-packages: all present"
  exit 0
fi
echo "apt-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps Debian from starting the packaged services: the project starts its own on loopback.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "apt-packages: done"
