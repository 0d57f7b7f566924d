# kind (Kubernetes in Docker): the whole pipeline on a laptop.
#   make kind-up images kind-load deploy
# Images come from services/Dockerfile (one per workspace) and dashboard/Dockerfile: compiled
# JavaScript on distroless Node 24, user 65532. Both need BuildKit (cache mounts, heredocs); the
# compile stage is the same for every image, so BuildKit builds it once.

KIND ?= kind
DOCKER ?= docker
KIND_CLUSTER ?= soc
KIND_NAMESPACE ?= soc
# The helm and kubectl that scripts/kube/build.sh builds, else the ones on PATH.
KIND_HELM ?= $(or $(wildcard $(SOC_CACHE)/bin/helm),helm)
KIND_KUBECTL ?= $(or $(wildcard $(SOC_CACHE)/bin/kubectl),kubectl)
IMAGE_REGISTRY ?= ghcr.io/soc-pipeline
IMAGE_TAG ?= 0.1.0
# Dev-only API keys (role:key, 16+ characters each); commas escaped for helm --set below.
KIND_API_KEYS ?= ingest:kind-ingest-key-0001,read:kind-read-key-00001,admin:kind-admin-key-0001
# More docker build flags, e.g. --build-arg RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:...
DOCKER_BUILD_FLAGS ?=

# image name:npm workspace, all built with services/Dockerfile.
KIND_NODE_IMAGES := api:services/api worker:services/worker alerter:services/alerter \
  reporter:services/reporter credential-scanner:services/credential-scanner retention:services/retention \
  collector-postgres:services/collectors/postgres collector-vercel:services/collectors/vercel \
  collector-supabase:services/collectors/supabase collector-firebase:services/collectors/firebase \
  collector-syslog:services/collectors/syslog \
  operator:operator
KIND_IMAGES := $(foreach pair,$(KIND_NODE_IMAGES),$(IMAGE_REGISTRY)/$(firstword $(subst :, ,$(pair))):$(IMAGE_TAG)) \
  $(IMAGE_REGISTRY)/dashboard:$(IMAGE_TAG)
# Always name the context: never deploy to whatever cluster kubectl happens to point at.
KIND_CONTEXT := kind-$(KIND_CLUSTER)
kind_comma := ,

.PHONY: kind-up kind-down images kind-load deploy

kind-up: ## Create the kind cluster (kind-config.yaml: one control plane, one worker)
	@if $(KIND) get clusters | grep -qx '$(KIND_CLUSTER)'; then echo "kind cluster $(KIND_CLUSTER) already exists"; \
	else $(KIND) create cluster --config kind-config.yaml --name $(KIND_CLUSTER); fi

kind-down: ## Delete the kind cluster
	$(KIND) delete cluster --name $(KIND_CLUSTER)

images: ## Build every image with docker (ghcr.io/soc-pipeline/<name>:0.1.0)
	@set -e; export DOCKER_BUILDKIT=1; for pair in $(KIND_NODE_IMAGES); do \
	  name=$${pair%%:*}; dir=$${pair#*:}; \
	  echo "== $(IMAGE_REGISTRY)/$$name:$(IMAGE_TAG) ($$dir)"; \
	  $(DOCKER) build $(DOCKER_BUILD_FLAGS) -f services/Dockerfile --build-arg SERVICE_DIR=$$dir -t $(IMAGE_REGISTRY)/$$name:$(IMAGE_TAG) .; \
	done
	DOCKER_BUILDKIT=1 $(DOCKER) build $(DOCKER_BUILD_FLAGS) -f dashboard/Dockerfile -t $(IMAGE_REGISTRY)/dashboard:$(IMAGE_TAG) .

kind-load: ## Load the built images into the kind cluster's nodes
	$(KIND) load docker-image --name $(KIND_CLUSTER) $(KIND_IMAGES)

deploy: ## Install the operator, then a pipeline with dev Kafka/Elasticsearch/Redis, into namespace soc
	@# helm installs crds/ only on first install; applying them first also upgrades them.
	$(KIND_KUBECTL) --context $(KIND_CONTEXT) apply --server-side -f charts/soc-operator/crds/
	$(KIND_HELM) upgrade --install soc-operator charts/soc-operator --kube-context $(KIND_CONTEXT) \
	  --namespace $(KIND_NAMESPACE) --create-namespace --wait --timeout 5m
	$(KIND_HELM) upgrade --install soc-pipeline charts/soc-pipeline --kube-context $(KIND_CONTEXT) \
	  --namespace $(KIND_NAMESPACE) --set dev.enabled=true \
	  --set pipeline.dashboard.enabled=true --set pipeline.dashboard.apiBaseUrl=http://localhost:8000 \
	  --set 'pipeline.api.frontendOrigins={http://localhost:3000}' \
	  --set-string 'secrets.apiKeys=$(subst $(kind_comma),\$(kind_comma),$(KIND_API_KEYS))' --wait --timeout 10m
	$(KIND_KUBECTL) --context $(KIND_CONTEXT) -n $(KIND_NAMESPACE) wait socpipeline/soc-pipeline --for=condition=Ready --timeout=10m
